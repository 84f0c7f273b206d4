/*===- tensorcore.cuh - GEMM and convolution on tensor cores (WMMA) -------===*
 *
 * The tiles of gemm.cuh on tensor cores: a block stages DLC_BM x 32 of A
 * and 32 x DLC_BN of B in shared memory as two 16-step chunks (each 16x16
 * fragment's rows 32-byte aligned, as WMMA requires), its 8 warps each
 * multiply-accumulate DLC_TC_FRAGS 16x16 fragments, and the tile goes
 * through shared memory to the epilogue.
 *
 * - int8 (sm_72+): s8 x s8 fragments with int32 accumulators, exact, then
 *   the executor's fixed-point requantization: the same bits as dp4a.
 * - fp16 (sm_70+): fp32 layers when the model is emitted with
 *   --cuda-precision=fp16 (inputs rounded to fp16, fp32 accumulation).
 * - bf16 (sm_80+): fp32 layers with --cuda-precision=bf16 (inputs rounded
 *   to bf16: fp32's range, 8 significant bits; fp32 accumulation).
 * Each kernel is compiled only where the model uses it (gemm.cuh); fp8
 * layers have their own (fp8.cuh).
 *
 *===----------------------------------------------------------------------===*/

#include <mma.h>
#ifdef DLC_WANT_BF16_TC
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error                                                                         \
    "--cuda-precision=bf16 needs bf16 tensor cores: compile for sm_80 or newer"
#endif
#endif

#define DLC_TC_FRAGS ((DLC_BM / 16) * (DLC_BN / 16) / 8)
static_assert(DLC_TC_FRAGS >= 1 && (DLC_BM / 16) * (DLC_BN / 16) % 8 == 0,
              "the tensor-core tile needs a multiple of 8 16x16 fragments");

/* Rows and columns of fragment f of warp `warp` within the block tile. */
DLC_DEVICE void dlc_tc_fragment(int warp, int f, int *row, int *col) {
  int index = warp + f * 8;
  *row = index / (DLC_BN / 16) * 16;
  *col = index % (DLC_BN / 16) * 16;
}

/* The 32 bits of staged shared memory at `at` (4-byte aligned) as one
 * mma.sync operand register: 2 16-bit or 4 8-bit elements, the lowest
 * address in the low bits. */
DLC_DEVICE uint32_t dlc_mma_operand(const void *at) {
  return *(const uint32_t *)at;
}

/* Origin of 16x8 mma.sync tile `index` of the block tile (row-major,
 * DLC_BN / 8 tiles per row). */
DLC_DEVICE void dlc_mma_tile(int index, int *row, int *col) {
  *row = index / (DLC_BN / 8) * 16;
  *col = index % (DLC_BN / 8) * 8;
}

/* A lane's 4 fp32 accumulators of mma.sync tile `index` through the
 * epilogue: accumulator v of lane 4 * group + t is the tile's row group
 * (+8 for v >= 2), column 2t + v % 2. */
DLC_DEVICE void dlc_mma_tile_store(const dlc_gemm_params &p,
                                   const dlc_epilogue_f32 &ep, int img, int grp,
                                   int i0, int j0, int index,
                                   const float acc[4]) {
  int lane = threadIdx.x % 32, row, col;
  dlc_mma_tile(index, &row, &col);
  for (int v = 0; v < 4; ++v) {
    int i = i0 + row + lane / 4 + (v / 2) * 8;
    int j = j0 + col + 2 * (lane % 4) + v % 2;
    if (i < p.M && j < p.N)
      dlc_store_f32(p, ep, img, grp, i, j, acc[v]);
  }
}

template <typename Acc>
using dlc_tc_accumulator =
    nvcuda::wmma::fragment<nvcuda::wmma::accumulator, 16, 16, 16, Acc>;

/* Each warp's fragments += the two 16-step chunks staged in shared memory
 * (A row-major, B column-major: Bs[chunk][column][step]). */
template <typename T, typename Acc>
DLC_DEVICE void dlc_tc_multiply(dlc_tc_accumulator<Acc> *acc,
                                T (*As)[DLC_BM][16], T (*Bs)[DLC_BN][16],
                                int warp) {
  namespace wmma = nvcuda::wmma;
  for (int chunk = 0; chunk < 2; ++chunk)
    for (int f = 0; f < DLC_TC_FRAGS; ++f) {
      int row, col;
      dlc_tc_fragment(warp, f, &row, &col);
      wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> af;
      wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> bf;
      wmma::load_matrix_sync(af, &As[chunk][row][0], 16);
      wmma::load_matrix_sync(bf, &Bs[chunk][col][0], 16);
      wmma::mma_sync(acc[f], af, bf, acc[f]);
    }
}

/* Each warp's fragments into the block's tile, for the epilogue. */
template <typename Acc>
DLC_DEVICE void dlc_tc_store(dlc_tc_accumulator<Acc> *acc, Acc (*Cs)[DLC_BN],
                             int warp) {
  for (int f = 0; f < DLC_TC_FRAGS; ++f) {
    int row, col;
    dlc_tc_fragment(warp, f, &row, &col);
    nvcuda::wmma::store_matrix_sync(&Cs[row][col], acc[f], DLC_BN,
                                    nvcuda::wmma::mem_row_major);
  }
}

#if defined(DLC_WANT_F16_TC) || defined(DLC_WANT_BF16_TC)
/* An fp32 value rounded (to nearest even) to the tensor cores' input type,
 * chosen by the type of the second argument. */
#ifdef DLC_WANT_F16_TC
DLC_DEVICE __half dlc_tc_round(float v, __half) { return __float2half_rn(v); }
#endif
#ifdef DLC_WANT_BF16_TC
DLC_DEVICE __nv_bfloat16 dlc_tc_round(float v, __nv_bfloat16) {
  return __float2bfloat16_rn(v);
}
#endif

/* fp32-output GEMM on tensor cores with inputs of type T (__half or
 * __nv_bfloat16) and fp32 accumulators. */
template <typename T>
DLC_KERNEL void dlc_gemm_tc_f32_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep) {
  namespace wmma = nvcuda::wmma;
  __shared__ __align__(32) T As[2][DLC_BM][16];
  __shared__ __align__(32) T Bs[2][DLC_BN][16];
  __shared__ __align__(32) float Cs[DLC_BM][DLC_BN];
  int z = blockIdx.z, img = z / p.groups, grp = z % p.groups;
  const float *b = (const float *)p.b + img * p.b_image + grp * p.b_group;
  dlc_asource a = p.a;
  a.first += (int64_t)grp * p.M * p.K;
  int64_t ag = grp * p.a_group;
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int warp = threadIdx.x / 32;
  dlc_tc_accumulator<float> acc[DLC_TC_FRAGS];
  for (int f = 0; f < DLC_TC_FRAGS; ++f)
    wmma::fill_fragment(acc[f], 0.0f);
  for (int k0 = 0; k0 < p.K; k0 += 32) {
    for (int e = threadIdx.x; e < 2 * DLC_BM * 16; e += blockDim.x) {
      int chunk = e / (DLC_BM * 16), r = e / 16 % DLC_BM, t = e % 16;
      int k = k0 + chunk * 16 + t;
      As[chunk][r][t] = dlc_tc_round(
          k < p.K ? dlc_a_f32(a, ag, p.M, p.K, i0 + r, k) : 0.0f, T());
    }
    for (int e = threadIdx.x; e < 2 * DLC_BN * 16; e += blockDim.x) {
      int chunk = e / (DLC_BN * 16), s = e / 16 % DLC_BN, t = e % 16;
      int k = k0 + chunk * 16 + t;
      Bs[chunk][s][t] = dlc_tc_round(
          k < p.K && j0 + s < p.N ? dlc_b_at<float>(p, b, k, j0 + s, 0.0f)
                                  : 0.0f,
          T());
    }
    __syncthreads();
    dlc_tc_multiply(acc, As, Bs, warp);
    __syncthreads();
  }
  dlc_tc_store(acc, Cs, warp);
  __syncthreads();
  for (int e = threadIdx.x; e < DLC_BM * DLC_BN; e += blockDim.x) {
    int i = i0 + e / DLC_BN, j = j0 + e % DLC_BN;
    if (i >= p.M || j >= p.N)
      continue;
    dlc_store_f32(p, ep, img, grp, i, j, Cs[e / DLC_BN][e % DLC_BN]);
  }
}
#endif

#if defined(DLC_WANT_S8_GEMM) && !defined(DLC_INT8_DP4A)
DLC_KERNEL void dlc_gemm_s8_tc_kernel(dlc_gemm_params p, int8_t pad,
                                      const int32_t *rowcorr,
                                      const int32_t *colcorr,
                                      dlc_requant_params rq) {
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 720
  namespace wmma = nvcuda::wmma;
  __shared__ __align__(32) signed char As[2][DLC_BM][16];
  __shared__ __align__(32) signed char Bs[2][DLC_BN][16];
  __shared__ __align__(32) int Cs[DLC_BM][DLC_BN];
  int z = blockIdx.z, img = z / p.groups, grp = z % p.groups;
  const int8_t *b = (const int8_t *)p.b + img * p.b_image + grp * p.b_group;
  const int8_t *a = (const int8_t *)p.a.data + grp * p.a_group;
  int K4 = DLC_ROUND_UP(p.K, 4);
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int warp = threadIdx.x / 32;
  dlc_tc_accumulator<int> acc[DLC_TC_FRAGS];
  for (int f = 0; f < DLC_TC_FRAGS; ++f)
    wmma::fill_fragment(acc[f], 0);
  for (int k0 = 0; k0 < p.K; k0 += 32) {
    for (int e = threadIdx.x; e < 2 * DLC_BM * 16; e += blockDim.x) {
      int chunk = e / (DLC_BM * 16), r = e / 16 % DLC_BM, t = e % 16;
      int k = k0 + chunk * 16 + t, row = i0 + r;
      /* The packed layout: panel, group of 4 steps, row, step. */
      As[chunk][r][t] = k < K4 && row < p.M
                            ? a[(int64_t)(row / DLC_MR) * K4 * DLC_MR +
                                (k / 4) * 32 + (row % DLC_MR) * 4 + k % 4]
                            : (signed char)0;
    }
    for (int e = threadIdx.x; e < 2 * DLC_BN * 16; e += blockDim.x) {
      int chunk = e / (DLC_BN * 16), s = e / 16 % DLC_BN, t = e % 16;
      int k = k0 + chunk * 16 + t;
      Bs[chunk][s][t] = k < p.K && j0 + s < p.N
                            ? dlc_b_at<int8_t>(p, b, k, j0 + s, pad)
                            : (signed char)0;
    }
    __syncthreads();
    dlc_tc_multiply(acc, As, Bs, warp);
    __syncthreads();
  }
  dlc_tc_store(acc, Cs, warp);
  __syncthreads();
  for (int e = threadIdx.x; e < DLC_BM * DLC_BN; e += blockDim.x) {
    int i = i0 + e / DLC_BN, j = j0 + e % DLC_BN;
    if (i >= p.M || j >= p.N)
      continue;
    dlc_store_s8(p, rowcorr, colcorr, rq, img, grp, i, j,
                 Cs[e / DLC_BN][e % DLC_BN]);
  }
#endif
}
#endif
