// The CUDA emulator's own semantics (test/gpu/emulator), checked with small
// kernels: `emulator_selftest` prints one line per check; with an argument
// it runs one that should stop the emulator (argument "deadlock": threads
// waiting at different barriers; "partial-warp": a warp-wide instruction
// in a warp of fewer than 32 threads).
#include <cuda_runtime.h>
#include <mma.h>
#include <stdio.h>
#include <string.h>

// Each thread reads its right neighbour's value after a barrier.
__global__ void rotate(int *out) {
  __shared__ int values[256];
  values[threadIdx.x] = (int)threadIdx.x * 3;
  __syncthreads();
  out[blockIdx.x * 256 + threadIdx.x] =
      values[(threadIdx.x + 1) % 256] + (int)blockIdx.x;
}

// Thread 32 waits for its warp while the rest of the block waits for it.
__global__ void mismatched(int *out) {
  if (threadIdx.x == 32)
    __syncwarp();
  else
    __syncthreads();
  out[threadIdx.x] = 1;
}

// cp.async lands at the wait that covers its group, not before.
__global__ void asyncCopy(const float *in, float *out) {
  __shared__ float staged[4];
  staged[threadIdx.x] = -1.0f;
  dlc_emu::cp_async(&staged[threadIdx.x], &in[threadIdx.x], 4, 4);
  dlc_emu::cp_async_commit();
  out[threadIdx.x] = staged[threadIdx.x]; // before the wait: still -1
  dlc_emu::cp_async_wait(0);
  out[4 + threadIdx.x] = staged[threadIdx.x];
}

// One m16n8k16 f16 mma from the documented fragment layout: A(m, k) = m +
// k / 16, B(k, n) = (k == n), so D(m, n) = A(m, n).
__global__ void mmaIdentity(float *out) {
  int lane = threadIdx.x, g = lane / 4, t = lane % 4;
  uint32_t a[4], b[2];
  for (int r = 0; r < 4; ++r) {
    int m = g + 8 * (r % 2), k = 8 * (r / 2) + 2 * t;
    a[r] = __half_as_ushort(__float2half_rn(m + k / 16.0f)) |
           (uint32_t)__half_as_ushort(__float2half_rn(m + (k + 1) / 16.0f))
               << 16;
  }
  for (int r = 0; r < 2; ++r) {
    int k = 8 * r + 2 * t;
    b[r] = __half_as_ushort(__float2half_rn(k == g)) |
           (uint32_t)__half_as_ushort(__float2half_rn(k + 1 == g)) << 16;
  }
  float d[4] = {0, 0, 0, 0};
  dlc_emu::mma_m16n8k16(d, a, b, false);
  for (int v = 0; v < 4; ++v)
    out[(g + 8 * (v / 2)) * 8 + 2 * t + v % 2] = d[v];
}

// __shfl_xor_sync: lane l gets lane (l ^ m)'s value, for ints and doubles,
// in each of a block's warps.
__global__ void shuffle(int *out) {
  int v = threadIdx.x * 10, d = (int)__shfl_xor_sync(0xFFFFFFFFu, v * 0.5, 5);
  out[threadIdx.x] = __shfl_xor_sync(0xFFFFFFFFu, v, 17) + 100000 * d;
}

int main(int argc, char **argv) {
  int *ints;
  float *floats;
  cudaMalloc(&ints, 4 * 256 * sizeof(int));
  cudaMalloc(&floats, 256 * sizeof(float));
  if (argc > 1 && strcmp(argv[1], "deadlock") == 0) {
    mismatched<<<1, 64>>>(ints);
    printf("mismatched barriers ran to the end\n");
    return 0;
  }
  if (argc > 1) {
    mmaIdentity<<<1, 16>>>(floats);
    printf("a 16-thread mma ran to the end\n");
    return 0;
  }
  rotate<<<4, 256>>>(ints);
  int wrong = 0;
  for (int b = 0; b < 4; ++b)
    for (int t = 0; t < 256; ++t)
      wrong += ints[b * 256 + t] != (t + 1) % 256 * 3 + b;
  printf("barrier: %d of 1024 wrong\n", wrong);
  float in[4] = {1, 2, 3, 4};
  asyncCopy<<<1, 4>>>(in, floats);
  printf("cp.async: before the wait %g %g %g %g, after %g %g %g %g\n",
         floats[0], floats[1], floats[2], floats[3], floats[4], floats[5],
         floats[6], floats[7]);
  mmaIdentity<<<1, 32>>>(floats);
  wrong = 0;
  for (int m = 0; m < 16; ++m)
    for (int n = 0; n < 8; ++n)
      wrong += floats[m * 8 + n] != m + n / 16.0f;
  printf("mma m16n8k16: %d of 128 wrong\n", wrong);
  shuffle<<<1, 64>>>(ints);
  wrong = 0;
  for (int t = 0; t < 64; ++t)
    wrong += ints[t] != (t ^ 17) * 10 + 100000 * ((t ^ 5) * 5);
  printf("shfl.bfly: %d of 64 wrong\n", wrong);
  rotate<<<1, 2048>>>(ints);
  printf("launch of 2048 threads: %s\n",
         cudaGetErrorString(cudaGetLastError()));
  return 0;
}
