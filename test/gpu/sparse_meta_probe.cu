// sparse_meta_probe: which metadata lane layout the int8 sparse tensor
// cores read (mma.sp::ordered_metadata m16n8k64 s8, sparsity selector 0).
//
// The PTX ISA draws this layout only as a figure. dlc's kernel
// (lib/Target/CUDA/Kernels/sparse.cuh) follows CUTLASS's metadata
// reordering; this probe multiplies one 2:4 sparse 16x64 int8 matrix by a
// 64x8 one with the selectors laid out each way a reading of the ISA
// allows, and says which gives the exact product:
//   cutlass: lane 4g+t holds row g + 8 (t % 2)'s groups 8 (t / 2) .. + 7;
//   halves:  bits 0-15 row g's groups 4t .. 4t+3, bits 16-31 row g+8's
//            (the 16-bit m16n8k32 layout's pattern);
//   own:     each lane the groups of its own A registers.
// run-gpu-checks.sh runs it on the GPU; test/Target/CUDA/gpu-checks.test
// runs it on the CUDA emulator, whose reading is dlc's. Exit status 0 when
// exactly the cutlass layout matches.
#include <cstdint>
#include <cstdio>
#include <cuda_runtime.h>
#ifdef DLC_CUDA_EMULATOR
#include <mma.h>
#endif

enum { kLayouts = 3 };
static const char *const kLayoutNames[kLayouts] = {"cutlass", "halves", "own"};

// The two kept steps of group `group` of row `row` (of 16), different for
// neighbouring rows and groups so that the layouts give different
// products.
__host__ __device__ static void keptSteps(int row, int group, int *first,
                                          int *second) {
  // Pair p of (0,1) (0,2) (0,3) (1,2) (1,3) (2,3).
  int pair = (row * 5 + group * 7 + row * group) % 6;
  *first = pair < 3 ? 0 : pair < 5 ? 1 : 2;
  *second = pair < 3 ? pair + 1 : pair < 5 ? pair - 1 : 3;
}

// The 4-bit selector of a group (the first kept step in the low 2 bits).
__device__ static uint32_t selector(int row, int group) {
  int first, second;
  keptSteps(row, group, &first, &second);
  return (uint32_t)(first | second << 2);
}

// One warp: D (16x8) = A B with A given by its kept values `kept` (16 rows
// x 32, two per group in step order) and B column-major (`b[n * 64 + k]`).
__global__ void probe(const int8_t *kept, const int8_t *b, int layout,
                      int32_t *d) {
  int lane = threadIdx.x, g = lane / 4, t = lane % 4;
  uint32_t ra[4], rb[4], e = 0;
  for (int r = 0; r < 4; ++r) {
    // Kept values 16 (r / 2) + 4t .. + 3 of row g + 8 (r % 2).
    const int8_t *at = kept + (g + 8 * (r % 2)) * 32 + 16 * (r / 2) + 4 * t;
    ra[r] = 0;
    for (int i = 0; i < 4; ++i)
      ra[r] |= (uint32_t)(uint8_t)at[i] << 8 * i;
    // Steps 16r + 4t .. + 3 of column g.
    rb[r] = 0;
    for (int i = 0; i < 4; ++i)
      rb[r] |= (uint32_t)(uint8_t)b[g * 64 + 16 * r + 4 * t + i] << 8 * i;
  }
  for (int j = 0; j < 8; ++j) {
    uint32_t nibble;
    if (layout == 0)
      nibble = selector(g + 8 * (t % 2), 8 * (t / 2) + j);
    else if (layout == 1)
      nibble = selector(g + 8 * (j / 4), 4 * t + j % 4);
    else
      nibble = selector(g + 8 * (j / 2 % 2), 8 * (j / 4) + 2 * t + j % 2);
    e |= nibble << 4 * j;
  }
  int32_t acc[4] = {0, 0, 0, 0};
#ifdef DLC_CUDA_EMULATOR
  dlc_emu::mma_sp_m16n8k64_s8(acc, ra, rb, e);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile(
      "mma.sp::ordered_metadata.sync.aligned.m16n8k64.row.col.s32.s8.s8.s32 "
      "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9, %10, %11}, "
      "{%0, %1, %2, %3}, %12, 0x0;"
      : "+r"(acc[0]), "+r"(acc[1]), "+r"(acc[2]), "+r"(acc[3])
      : "r"(ra[0]), "r"(ra[1]), "r"(ra[2]), "r"(ra[3]), "r"(rb[0]), "r"(rb[1]),
        "r"(rb[2]), "r"(rb[3]), "r"(e));
#endif
  for (int v = 0; v < 4; ++v)
    d[(g + 8 * (v / 2)) * 8 + 2 * t + v % 2] = acc[v];
}

int main() {
  int8_t kept[16 * 32], b[8 * 64];
  int32_t want[16 * 8] = {};
  unsigned state = 12345;
  auto next = [&state]() {
    state = state * 1103515245u + 12345u;
    return (int)(state >> 16 & 0xF) - 8; // -8 .. 7
  };
  for (int i = 0; i < 8 * 64; ++i)
    b[i] = (int8_t)next();
  for (int m = 0; m < 16; ++m)
    for (int group = 0; group < 16; ++group) {
      int steps[2];
      keptSteps(m, group, &steps[0], &steps[1]);
      for (int i = 0; i < 2; ++i) {
        int value = next();
        value = value == 0 ? 9 : value; // kept values are non-zero
        kept[m * 32 + 2 * group + i] = (int8_t)value;
        for (int n = 0; n < 8; ++n)
          want[m * 8 + n] += value * b[n * 64 + 4 * group + steps[i]];
      }
    }
  int8_t *dk, *db;
  int32_t *dd;
  if (cudaMalloc((void **)&dk, sizeof(kept)) != cudaSuccess ||
      cudaMalloc((void **)&db, sizeof(b)) != cudaSuccess ||
      cudaMalloc((void **)&dd, sizeof(want)) != cudaSuccess) {
    fprintf(stderr, "sparse_meta_probe: cudaMalloc failed\n");
    return 2;
  }
  cudaMemcpy(dk, kept, sizeof(kept), cudaMemcpyHostToDevice);
  cudaMemcpy(db, b, sizeof(b), cudaMemcpyHostToDevice);
  int matching = 0, cutlassMatches = 0;
  for (int layout = 0; layout < kLayouts; ++layout) {
    int32_t got[16 * 8];
    cudaMemset(dd, 0, sizeof(got));
    probe<<<1, 32>>>(dk, db, layout, dd);
    cudaError_t status = cudaDeviceSynchronize();
    if (status == cudaSuccess)
      status = cudaMemcpy(got, dd, sizeof(got), cudaMemcpyDeviceToHost);
    if (status != cudaSuccess) {
      fprintf(stderr, "sparse_meta_probe: %s\n", cudaGetErrorString(status));
      return 2;
    }
    int wrong = 0;
    for (int i = 0; i < 16 * 8; ++i)
      wrong += got[i] != want[i];
    printf("mma.sp m16n8k64 s8 metadata layout %s: %s", kLayoutNames[layout],
           wrong ? "differs" : "matches");
    if (wrong)
      printf(" (%d of 128 outputs)", wrong);
    printf("%s\n", layout == 0 ? " (dlc's)" : "");
    matching += wrong == 0;
    cutlassMatches += layout == 0 && wrong == 0;
  }
  cudaFree(dk);
  cudaFree(db);
  cudaFree(dd);
  return matching == 1 && cutlassMatches ? 0 : 1;
}
