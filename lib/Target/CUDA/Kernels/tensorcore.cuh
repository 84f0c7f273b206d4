/*===- tensorcore.cuh - GEMM and convolution on tensor cores --------------===*
 *
 * The tiles of gemm.cuh on tensor cores (8 warps per block):
 *
 * - int8: on sm_80+ mma.sync m16n8k32 s8 fed by the same cp.async pipeline
 *   as fp16, the packed weights' 4-step groups being operand registers; on
 *   sm_72-75 WMMA (two 16-step chunks, DLC_TC_FRAGS 16x16 fragments per
 *   warp, the tile through shared memory). int32 sums, exact, then the
 *   executor's fixed-point requantization: the same bits as dp4a.
 * - fp16 (sm_75+) and bf16 (sm_80+): fp32 layers emitted with
 *   --cuda-precision=fp16|bf16 (inputs rounded, fp32 accumulation) on
 *   mma.sync m16n8k16, fed by a DLC_STAGES-deep cp.async pipeline (the
 *   weights already in that type, pairs of steps per register; the
 *   activations fp32, rounded in registers); the accumulators go from
 *   registers to the epilogue.
 *
 * Each kernel is compiled only where the model uses it (gemm.cuh); fp8
 * layers have their own on int8's pipeline (fp8.cuh), 2:4 sparse ones too
 * (sparse.cuh). The cp.async helpers and the pipeline loop are gemm.cuh's.
 *
 *===----------------------------------------------------------------------===*/

#include <mma.h>
#if defined(DLC_WANT_F16_TC) || defined(DLC_WANT_FP8_TC)
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 750
#error                                                                         \
    "fp16 and fp8 layers need tensor cores with mma.sync: compile for sm_75 or newer"
#endif
#endif
#ifdef DLC_WANT_BF16_TC
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error                                                                         \
    "--cuda-precision=bf16 needs bf16 tensor cores: compile for sm_80 or newer"
#endif
#endif

/* The WMMA kernel (int8 on sm_72 - sm_75) deals the block tile's 16x16
 * fragments to its 8 warps in turn. */
#define DLC_TC_FRAGS ((DLC_BM / 16) * (DLC_BN / 16) / 8)

/* Rows and columns of fragment f of warp `warp` within the block tile. */
DLC_DEVICE void dlc_tc_fragment(int warp, int f, int *row, int *col) {
  int index = warp + f * 8;
  *row = index / (DLC_BN / 16) * 16;
  *col = index % (DLC_BN / 16) * 16;
}

/* A lane's 4 fp32 accumulators of the 16x8 mma.sync tile at (i, j)
 * through the epilogue: accumulator v of lane 4 * group + t is the tile's
 * row group (+8 for v >= 2), column 2t + v % 2. */
DLC_DEVICE void dlc_mma_store(const dlc_gemm_params &p,
                              const dlc_epilogue_f32 &ep, int img, int grp,
                              int i, int j, const float acc[4]) {
  int lane = threadIdx.x % 32;
  for (int v = 0; v < 4; ++v) {
    int row = i + lane / 4 + (v / 2) * 8, col = j + 2 * (lane % 4) + v % 2;
    if (row < p.M && col < p.N)
      dlc_store_f32(p, ep, img, grp, row, col, acc[v]);
  }
}

/* d += A B on tensor cores: m16n8k16 with fp16 inputs and fp32
 * accumulators (lane 4g + t: a[r] holds row g + 8 (r % 2), steps
 * 8 (r / 2) + 2t and + 1, low half first; b[r] steps 8r + 2t, + 1 of
 * column g). sm_80+ has the instruction; sm_75 runs it as two m16n8k8. */
#ifdef DLC_CUDA_EMULATOR /* test/gpu/emulator: the same on the CPU */
#define DLC_MMA_16816(TYPE) dlc_emu::mma_m16n8k16(d, a, b, TYPE[0] == 'b')
#else
#define DLC_MMA_16816(TYPE)                                                    \
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32." TYPE "." TYPE ".f32 "  \
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "                \
               "{%0, %1, %2, %3};"                                             \
               : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])                \
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),        \
                 "r"(b[1]))
#endif
DLC_DEVICE void dlc_mma_16816(float d[4], const uint32_t a[4],
                              const uint32_t b[2], __half) {
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800
  DLC_MMA_16816("f16");
#else
  for (int half = 0; half < 2; ++half)
#ifdef DLC_CUDA_EMULATOR
    dlc_emu::mma_m16n8k8(d, a + 2 * half, b[half]);
#else
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.f16.f16.f32 "
                 "{%0, %1, %2, %3}, {%4, %5}, {%6}, {%0, %1, %2, %3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[2 * half]), "r"(a[2 * half + 1]), "r"(b[half]));
#endif
#endif
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

/* The pipelined mma.sync kernels (fp16 / bf16, and int8 on sm_80+) keep
 * DLC_STAGES chunks of the reduction in flight (the target's "stages") and
 * split the block tile 2 x 4 among the 8 warps, each computing
 * DLC_TC_MT x DLC_TC_NT 16x8 tiles. Staged rows hold one reduction step
 * (or 4-step group) each and are padded so that a fragment load (steps
 * 2t, 2t + 1 or groups t, t + 4 of 8 consecutive rows or columns) hits 32
 * different banks. */
#define DLC_TC_MT (DLC_BM / 2 / 16)
#define DLC_TC_NT (DLC_BN / 4 / 8)
static_assert(DLC_BM % 32 == 0 && DLC_BN % 32 == 0,
              "the tensor-core tile splits into 2 x 4 warps of 16x8 tiles");

/* The warp's sub-tile origin within the block tile. */
DLC_DEVICE void dlc_tc_warp_origin(int warp, int *row, int *col) {
  *row = warp / 4 * (DLC_BM / 2);
  *col = warp % 4 * (DLC_BN / 4);
}

/* Each warp's DLC_TC_MT x DLC_TC_NT tiles += one staged chunk: `a(row, r)`
 * is this lane's A operand register r (of AREGS) of the 16 rows from
 * `row`, `b(col, r)` its B register r (of BREGS) of the 8 columns from
 * `col` (lane 4g + t holds rows g and g + 8, column g), `mma(acc, a, b,
 * row)` the instructions for the tile whose rows start at `row`. */
template <int BREGS, int AREGS = 4, typename Acc, typename FragA,
          typename FragB, typename Mma>
DLC_DEVICE void dlc_warp_tiles(Acc (*acc)[DLC_TC_NT][4], int warp, FragA a,
                               FragB b, Mma mma) {
  int rw, cw;
  dlc_tc_warp_origin(warp, &rw, &cw);
  uint32_t af[DLC_TC_MT][AREGS], bf[DLC_TC_NT][BREGS];
#pragma unroll
  for (int m = 0; m < DLC_TC_MT; ++m)
#pragma unroll
    for (int r = 0; r < AREGS; ++r)
      af[m][r] = a(rw + 16 * m, r);
#pragma unroll
  for (int n = 0; n < DLC_TC_NT; ++n)
#pragma unroll
    for (int r = 0; r < BREGS; ++r)
      bf[n][r] = b(cw + 8 * n, r);
#pragma unroll
  for (int m = 0; m < DLC_TC_MT; ++m)
#pragma unroll
    for (int n = 0; n < DLC_TC_NT; ++n)
      mma(acc[m][n], af[m], bf[n], rw + 16 * m);
}

/* A lane's DLC_TC_MT x DLC_TC_NT accumulator tiles through the fp32
 * epilogue. */
DLC_DEVICE void dlc_warp_tiles_store(const dlc_gemm_params &p,
                                     const dlc_epilogue_f32 &ep, int img,
                                     int grp, int i0, int j0, int warp,
                                     float (*acc)[DLC_TC_NT][4]) {
  int rw, cw;
  dlc_tc_warp_origin(warp, &rw, &cw);
#pragma unroll
  for (int m = 0; m < DLC_TC_MT; ++m)
#pragma unroll
    for (int n = 0; n < DLC_TC_NT; ++n)
      dlc_mma_store(p, ep, img, grp, i0 + rw + 16 * m, j0 + cw + 8 * n,
                    acc[m][n]);
}

/* Weights staged as 32-bit words, each a row's consecutive steps (2 fp16 /
 * bf16 values, or 4 int8 / fp8 codes): 8 words of the block tile's rows per
 * stage, rows padded by 8 words so that a fragment load (words t, t + 4 of
 * 8 consecutive rows) hits 32 different banks. The packed panels hold 8
 * rows x 1 word per 32 bytes, `words` words per row. */
#define DLC_WORD_AROW (DLC_BM + 8)

/* Issues the copies of words q0 .. q0 + 7 of the tile's rows into one stage,
 * 16 bytes (4 rows of a word) at a time; rows past M and words past
 * `words` are zeros. */
DLC_DEVICE void dlc_stage_a_words(const uint32_t *a, int words, int M, int i0,
                                  int q0, uint32_t (*As)[DLC_WORD_AROW]) {
  /* Consecutive threads: consecutive 16 bytes of a panel (4 rows of a
   * word, then the next word). */
  for (int e = threadIdx.x; e < 2 * DLC_BM; e += blockDim.x) {
    int r = e / 16 * DLC_MR + e % 2 * 4, q = e / 2 % 8;
    int row = i0 + r, word = q0 + q;
    bool valid = row < M && word < words;
    dlc_cp_async<16>(&As[q][r],
                     valid ? a + (int64_t)(row / DLC_MR) * words * DLC_MR +
                                 word * DLC_MR + row % DLC_MR
                           : a,
                     valid);
  }
}

/* Lane 4g + t's A register r of the 16 rows from `row` (m16n8k16 on pairs
 * or m16n8k32 on quads alike: row g + 8 (r % 2), word 4 (r / 2) + t). */
DLC_DEVICE uint32_t dlc_a_word(const uint32_t (*As)[DLC_WORD_AROW], int row,
                               int r) {
  int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
  return As[4 * (r / 2) + t][row + g + 8 * (r % 2)];
}

#if defined(DLC_WANT_F16_TC) || defined(DLC_WANT_BF16_TC)
/* Two fp32 values rounded (to nearest even) to the tensor cores' input
 * type, chosen by the type of the last argument, as one mma operand
 * register (the first in the low half). */
#ifdef DLC_WANT_F16_TC
DLC_DEVICE uint32_t dlc_tc_pack(float lo, float hi, __half) {
  return (uint32_t)__half_as_ushort(__float2half_rn(lo)) |
         (uint32_t)__half_as_ushort(__float2half_rn(hi)) << 16;
}
#endif
#ifdef DLC_WANT_BF16_TC
DLC_DEVICE uint32_t dlc_tc_pack(float lo, float hi, __nv_bfloat16) {
  return (uint32_t)__bfloat16_as_ushort(__float2bfloat16_rn(lo)) |
         (uint32_t)__bfloat16_as_ushort(__float2bfloat16_rn(hi)) << 16;
}
DLC_DEVICE void dlc_mma_16816(float d[4], const uint32_t a[4],
                              const uint32_t b[2], __nv_bfloat16) {
  DLC_MMA_16816("bf16");
}
#endif

/* lhs (M x K fp32, row-major) into the DLC_A_TC16 layout at run time (a
 * matmul's activations): one thread per pair word, rounded to T. */
template <typename T>
DLC_KERNEL void dlc_pack_a_tc_kernel(int M, int K, const float *src,
                                     uint32_t *dst) {
  int pairs = (K + 1) / 2;
  DLC_FOR(w, (int64_t)DLC_ROUND_UP(M, DLC_MR) * pairs) {
    int64_t panel = w / ((int64_t)pairs * DLC_MR);
    int rest = (int)(w % ((int64_t)pairs * DLC_MR));
    int row = (int)panel * DLC_MR + rest % DLC_MR, k = 2 * (rest / DLC_MR);
    const float *at = src + (int64_t)DLC_MIN(row, M - 1) * K + k;
    dst[w] = dlc_tc_pack(row < M ? at[0] : 0.0f,
                         row < M && k + 1 < K ? at[1] : 0.0f, T());
  }
}

/* fp16 / bf16: chunks of 16 steps. A is staged as words of 2 steps in T
 * (DLC_A_TC16 weights, rounded at emit time, by dlc_stage_a_words; other
 * kinds are rounded while staging); B, the model's fp32 activations, is
 * staged as fp32 and rounded to T as the warps build fragments. */
static_assert(DLC_STAGES * (8 * DLC_WORD_AROW + 16 * DLC_BROW_F32) * 4 <=
                  48 * 1024,
              "the pipeline's stages exceed 48 KB of shared memory");

/* Issues the copies of reduction steps k0 .. k0 + 15 into one stage: A's
 * 8 pairs of steps (DLC_A_TC16 words; fp32 panels and NF4 codes decoded
 * and rounded here), B one element
 * at a time (a convolution's implicit im2col gathers; padding and steps
 * past K are zeros). */
template <typename T>
DLC_DEVICE void dlc_tc_stage(const dlc_gemm_params &p, const dlc_asource &a,
                             int64_t ag, const float *b, int i0, int j0, int k0,
                             uint32_t (*As)[DLC_WORD_AROW],
                             float (*Bs)[DLC_BROW_F32]) {
  if (a.kind == DLC_A_TC16) {
    dlc_stage_a_words((const uint32_t *)((const uint16_t *)a.data + ag),
                      (p.K + 1) / 2, p.M, i0, k0 / 2, As);
  } else {
    for (int e = threadIdx.x; e < 8 * DLC_BM; e += blockDim.x) {
      int q = e / DLC_BM, r = e % DLC_BM, k = k0 + 2 * q;
      float lo = k < p.K ? dlc_a_f32(a, ag, p.M, p.K, i0 + r, k) : 0.0f;
      float hi = k + 1 < p.K ? dlc_a_f32(a, ag, p.M, p.K, i0 + r, k + 1) : 0.0f;
      As[q][r] = dlc_tc_pack(lo, hi, T());
    }
  }
  dlc_stage_b_f32<16>(p, b, j0, k0, Bs);
}

/* Each warp's tiles += one staged chunk of 16 steps (m16n8k16: register r
 * holds steps 8 (r / 2) + 2t, + 1 of row g + 8 (r % 2) for A, i.e. staged
 * pair 4 (r / 2) + t; steps 8r + 2t, + 1 for B). */
template <typename T>
DLC_DEVICE void dlc_tc_chunk(float (*acc)[DLC_TC_NT][4],
                             const uint32_t (*As)[DLC_WORD_AROW],
                             const float (*Bs)[DLC_BROW_F32], int warp) {
  int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
  dlc_warp_tiles<2>(
      acc, warp, [&](int row, int r) { return dlc_a_word(As, row, r); },
      [&](int col, int r) {
        int k = 8 * r + 2 * t;
        return dlc_tc_pack(Bs[k][col + g], Bs[k + 1][col + g], T());
      },
      [](float *d, const uint32_t *a, const uint32_t *b, int) {
        dlc_mma_16816(d, a, b, T());
      });
}

/* fp32-output GEMM on tensor cores with inputs rounded to T (__half or
 * __nv_bfloat16) and fp32 accumulators: mma.sync m16n8k16 fed by a
 * DLC_STAGES-deep cp.async pipeline. */
template <typename T>
DLC_KERNEL void dlc_gemm_tc_f32_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep) {
  __shared__ __align__(16) uint32_t As[DLC_STAGES][8][DLC_WORD_AROW];
  __shared__ __align__(16) float Bs[DLC_STAGES][16][DLC_BROW_F32];
  int z = blockIdx.z, img = z / p.groups, grp = z % p.groups;
  const float *b = (const float *)p.b + img * p.b_image + grp * p.b_group;
  dlc_asource a = p.a;
  a.first += (int64_t)grp * p.M * p.K;
  int64_t ag = grp * p.a_group;
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int warp = threadIdx.x / 32, chunks = (p.K + 15) / 16;
  float acc[DLC_TC_MT][DLC_TC_NT][4] = {};
  dlc_pipeline(
      chunks,
      [&](int s, int c) {
        dlc_tc_stage<T>(p, a, ag, b, i0, j0, 16 * c, As[s], Bs[s]);
      },
      [&](int s) { dlc_tc_chunk<T>(acc, As[s], Bs[s], warp); });
  dlc_warp_tiles_store(p, ep, img, grp, i0, j0, warp, acc);
}
#endif

#if (defined(DLC_WANT_S8_GEMM) && !defined(DLC_INT8_DP4A)) ||                  \
    defined(DLC_WANT_FP8_TC)
/* 8-bit operands (int8, and fp8 codes in fp8.cuh): chunks of 8 groups of 4
 * steps (32 steps), each group of a row or column one 32-bit word, which is
 * one m16n8k32 operand register: A's words come from the packed panels by
 * dlc_stage_a_words, B's are gathered (a convolution's im2col, bytes). */
#define DLC_S8_BROW (DLC_BN + 8)

/* Lane 4g + t's B register r of the 8 columns from `col` (m16n8k32: word
 * 4r + t of column g). */
DLC_DEVICE uint32_t dlc_b_word_reg(const uint32_t (*Bs)[DLC_S8_BROW], int col,
                                   int r) {
  int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
  return Bs[4 * r + t][col + g];
}

/* Issues the copies of groups q0 .. q0 + 7 into one stage (groups past the
 * weights' K4 / 4 and columns past N are zeros, B's `pad` in a
 * convolution's padding). */
DLC_DEVICE void dlc_s8_stage(const dlc_gemm_params &p, const int8_t *a,
                             const int8_t *b, int8_t pad, int K4, int i0,
                             int j0, int q0, uint32_t (*As)[DLC_WORD_AROW],
                             uint32_t (*Bs)[DLC_S8_BROW]) {
  dlc_stage_a_words((const uint32_t *)a, K4 / 4, p.M, i0, q0, As);
  for (int e = threadIdx.x; e < 8 * DLC_BN; e += blockDim.x) {
    int q, s;
    dlc_b_element<8>(p, e, &q, &s);
    Bs[q][s] = q0 + q < K4 / 4 && j0 + s < p.N
                   ? (uint32_t)dlc_b_word(p, b, q0 + q, j0 + s, pad)
                   : 0u;
  }
}

/* The 8-bit GEMM's reduction through the pipeline: `chunk(As, Bs)` adds
 * one staged chunk into the caller's accumulators. */
template <typename Chunk>
DLC_DEVICE void dlc_quad_pipeline(const dlc_gemm_params &p, const int8_t *a,
                                  const int8_t *b, int8_t pad, int i0, int j0,
                                  Chunk chunk) {
  __shared__ __align__(16) uint32_t As[DLC_STAGES][8][DLC_WORD_AROW];
  __shared__ __align__(16) uint32_t Bs[DLC_STAGES][8][DLC_S8_BROW];
  int K4 = DLC_ROUND_UP(p.K, 4), chunks = (K4 / 4 + 7) / 8;
  dlc_pipeline(
      chunks,
      [&](int s, int c) {
        dlc_s8_stage(p, a, b, pad, K4, i0, j0, 8 * c, As[s], Bs[s]);
      },
      [&](int s) { chunk(As[s], Bs[s]); });
}
#endif

#if defined(DLC_WANT_S8_GEMM) && !defined(DLC_INT8_DP4A)
/* d += A B on int8 tensor cores, exact (m16n8k32: lane 4g + t's a[r] holds
 * row g + 8 (r % 2), group 4 (r / 2) + t; b[r] group 4r + t of column g;
 * the lowest step in the lowest byte). */
DLC_DEVICE void dlc_mma_s8(int32_t d[4], const uint32_t a[4],
                           const uint32_t b[2]) {
#ifdef DLC_CUDA_EMULATOR /* test/gpu/emulator: the same on the CPU */
  dlc_emu::mma_m16n8k32_s8(d, a, b);
#else
  asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 "
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
               "{%0, %1, %2, %3};"
               : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),
                 "r"(b[1]));
#endif
}

/* Each warp's tiles += one staged chunk of 8 groups (m16n8k32: register r
 * holds group 4 (r / 2) + t of row g + 8 (r % 2) for A, group 4r + t for
 * B). */
DLC_DEVICE void dlc_s8_chunk(int32_t (*acc)[DLC_TC_NT][4],
                             const uint32_t (*As)[DLC_WORD_AROW],
                             const uint32_t (*Bs)[DLC_S8_BROW], int warp) {
  dlc_warp_tiles<2>(
      acc, warp, [&](int row, int r) { return dlc_a_word(As, row, r); },
      [&](int col, int r) { return dlc_b_word_reg(Bs, col, r); },
      [](int32_t *d, const uint32_t *a, const uint32_t *b, int) {
        dlc_mma_s8(d, a, b);
      });
}

/* int8 GEMM with int32 sums and the executor's requantization: sm_80+
 * mma.sync m16n8k32 fed by the cp.async pipeline, sums in registers to the
 * epilogue; sm_72-sm_75 WMMA 16x16x16 through shared memory. The same
 * exact sums either way (and as dp4a's). */
DLC_KERNEL void dlc_gemm_s8_tc_kernel(dlc_gemm_params p, int8_t pad,
                                      const int32_t *rowcorr,
                                      const int32_t *colcorr,
                                      dlc_requant_params rq) {
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800
  int z = blockIdx.z, img = z / p.groups, grp = z % p.groups;
  const int8_t *b = (const int8_t *)p.b + img * p.b_image + grp * p.b_group;
  const int8_t *a = (const int8_t *)p.a.data + grp * p.a_group;
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int warp = threadIdx.x / 32;
  int32_t acc[DLC_TC_MT][DLC_TC_NT][4] = {};
  dlc_quad_pipeline(p, a, b, pad, i0, j0,
                    [&](auto As, auto Bs) { dlc_s8_chunk(acc, As, Bs, warp); });
  int lane = threadIdx.x % 32, rw, cw;
  dlc_tc_warp_origin(warp, &rw, &cw);
#pragma unroll
  for (int m = 0; m < DLC_TC_MT; ++m)
#pragma unroll
    for (int n = 0; n < DLC_TC_NT; ++n)
#pragma unroll
      for (int v = 0; v < 4; ++v) {
        int i = i0 + rw + 16 * m + lane / 4 + 8 * (v / 2);
        int j = j0 + cw + 8 * n + 2 * (lane % 4) + v % 2;
        if (i < p.M && j < p.N)
          dlc_store_s8(p, rowcorr, colcorr, rq, img, grp, i, j, acc[m][n][v]);
      }
#elif __CUDA_ARCH__ < 720
#error                                                                         \
    "int8 tensor cores begin at sm_72: define DLC_INT8_DP4A for the dp4a kernel"
#else
  static_assert(DLC_TC_FRAGS >= 1 && (DLC_BM / 16) * (DLC_BN / 16) % 8 == 0,
                "the WMMA tile needs a multiple of 8 16x16 fragments");
  static_assert(32 * (DLC_BM + DLC_BN) + 4 * DLC_BM * DLC_BN <= 48 * 1024,
                "the WMMA kernel's tile exceeds 48 KB of shared memory");
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
