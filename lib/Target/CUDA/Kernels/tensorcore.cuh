/*===- tensorcore.cuh - GEMM and convolution on tensor cores --------------===*
 *
 * The tiles of gemm.cuh on tensor cores (8 warps per block):
 *
 * - int8 (sm_75+): mma.sync m16n8k32 s8 (on sm_75, four m8n8k16 on the
 *   same registers) fed by the same pipeline as fp16, the packed weights'
 *   4-step groups being operand registers. int32 sums, exact, then the
 *   executor's fixed-point requantization: the same bits as dp4a.
 * - fp16 (sm_75+) and bf16 (sm_80+): fp32 layers emitted with
 *   --cuda-precision=fp16|bf16 (inputs rounded, fp32 accumulation) on
 *   mma.sync m16n8k16, fed by a DLC_STAGES-deep cp.async pipeline (the
 *   weights already in that type, pairs of steps per register; the
 *   activations fp32, rounded in registers); the accumulators go from
 *   registers to the epilogue.
 *
 * Each kernel is compiled only where the model uses it (the launchers of
 * gemm_f32.cuh and gemm_s8.cuh); fp8 layers have their own on int8's
 * pipeline (fp8.cuh), 2:4 sparse ones too (sparse.cuh). The cp.async
 * helpers and the pipeline loop are pipeline.cuh's.
 *
 *===----------------------------------------------------------------------===*/

#ifdef DLC_CUDA_EMULATOR /* test/gpu/emulator's tensor-core instructions */
#include <mma.h>
#endif
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

/* The inline PTX of an mma with 4 accumulators `d` (constraint ACC: "f"
 * or "r"), 4 A registers `a` and 2 B registers `b`: d += A B. */
#define DLC_MMA_A4B2(INSTR, ACC)                                               \
  asm volatile(INSTR " {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "         \
                     "{%0, %1, %2, %3};"                                       \
               : "+" ACC(d[0]), "+" ACC(d[1]), "+" ACC(d[2]), "+" ACC(d[3])    \
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),        \
                 "r"(b[1]))

/* d += A B on tensor cores: m16n8k16 with fp16 inputs and fp32
 * accumulators (lane 4g + t: a[r] holds row g + 8 (r % 2), steps
 * 8 (r / 2) + 2t and + 1, low half first; b[r] steps 8r + 2t, + 1 of
 * column g). sm_80+ has the instruction; sm_75 runs it as two m16n8k8. */
#ifdef DLC_CUDA_EMULATOR /* test/gpu/emulator: the same on the CPU */
#define DLC_MMA_16816(TYPE) dlc_emu::mma_m16n8k16(d, a, b, TYPE[0] == 'b')
#else
#define DLC_MMA_16816(TYPE)                                                    \
  DLC_MMA_A4B2("mma.sync.aligned.m16n8k16.row.col.f32." TYPE "." TYPE ".f32",  \
               "f")
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

/* The pipelined mma.sync kernels (fp16 / bf16, int8 and fp8) keep
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

/* store(i, j, value) for each of a lane's accumulators of its warp's
 * DLC_TC_MT x DLC_TC_NT 16x8 tiles that lies inside the M x N result:
 * accumulator v of lane 4g + t is its tile's row g (+ 8 for v >= 2),
 * column 2t + v % 2. Unrolled, so that the tiles stay in registers. */
template <typename Acc, typename Store>
DLC_DEVICE void dlc_warp_tiles_each(const dlc_gemm_params &p, int i0, int j0,
                                    int warp, Acc (*acc)[DLC_TC_NT][4],
                                    Store store) {
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
          store(i, j, acc[m][n][v]);
      }
}

/* A lane's accumulator tiles through the fp32 epilogue. */
DLC_DEVICE void dlc_warp_tiles_store(const dlc_gemm_params &p,
                                     const dlc_epilogue_f32 &ep, int img,
                                     int grp, int i0, int j0, int warp,
                                     float (*acc)[DLC_TC_NT][4]) {
  dlc_warp_tiles_each(p, i0, j0, warp, acc, [&](int i, int j, float v) {
    dlc_store_f32(p, ep, img, grp, i, j, v);
  });
}

/* Weights staged as 32-bit words, each a row's consecutive steps (2 fp16 /
 * bf16 values, or 4 int8 / fp8 codes): 8 words of the block tile's rows per
 * stage, rows padded by 8 words so that a fragment load (words t, t + 4 of
 * 8 consecutive rows) hits 32 different banks. The packed panels hold 8
 * rows x 1 word per 32 bytes, `words` words per row. */
#define DLC_WORD_AROW (DLC_BM + 8)

/* Issues the copies of words q0 .. q0 + WORDS - 1 of the tile's rows into
 * one stage, 16 bytes (4 rows of a word) at a time; rows past M and words
 * past `words` are zeros. */
template <int WORDS = 8>
DLC_DEVICE void dlc_stage_a_words(const uint32_t *a, int words, int M, int i0,
                                  int q0, uint32_t (*As)[DLC_WORD_AROW]) {
  /* Consecutive threads: consecutive 16 bytes of a panel (4 rows of a
   * word, then the next word). */
  for (int e = threadIdx.x; e < WORDS * DLC_BM / 4; e += blockDim.x) {
    int r = e / (2 * WORDS) * DLC_MR + e % 2 * 4, q = e / 2 % WORDS;
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

/* `count` matrices lhs (M x K fp32, row-major, `stride` elements apart)
 * into the DLC_A_TC16 layout at run time (a matmul's activations), one
 * after another: one thread per pair word, rounded to T. */
template <typename T>
DLC_KERNEL void dlc_pack_a_tc_kernel(int count, int M, int K, const float *src,
                                     int64_t stride, uint32_t *dst) {
  int pairs = (K + 1) / 2;
  int64_t each = (int64_t)DLC_ROUND_UP(M, DLC_MR) * pairs;
  DLC_FOR(w, count * each) {
    const float *lhs = src + w / each * stride;
    int64_t panel = w % each / ((int64_t)pairs * DLC_MR);
    int rest = (int)(w % ((int64_t)pairs * DLC_MR));
    int row = (int)panel * DLC_MR + rest % DLC_MR, k = 2 * (rest / DLC_MR);
    const float *at = lhs + (int64_t)DLC_MIN(row, M - 1) * K + k;
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
 * and rounded here), B one element at a time (a convolution's implicit
 * im2col gathers; padding and steps past K are zeros). */
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

#ifdef DLC_WANT_NF4_TC
/* NF4 weights on the tensor cores (DLC_A_NF4_TC): a chunk's 16 steps are
 * two words of 8 codes per row, copied as they are into rows 0-1 of the
 * stage, and the row's block scale into row 2 (K and the block size are
 * multiples of 16, so a chunk lies in one block); the warps decode them in
 * registers. Rows 3-7 are free: stage 0's row 3 holds the codebook. */
DLC_DEVICE void dlc_stage_nf4(const dlc_gemm_params &p, const dlc_asource &a,
                              int64_t ag, int i0, int k0,
                              uint32_t (*As)[DLC_WORD_AROW]) {
  dlc_stage_a_words<2>((const uint32_t *)a.data + ag / 8, p.K / 8, p.M, i0,
                       k0 / 8, As);
  dlc_stage_nf4_scales(p, a, i0, k0, As[2]);
}

/* Lane 4g + t's A register r of the 16 rows from `row` (m16n8k16): byte t
 * of word r / 2 of row g + 8 (r % 2), steps 8 (r / 2) + 2t (the high
 * nibble) and + 1, each codebook value times the row's scale (what
 * dlc_a_f32 gives), rounded to T. */
template <typename T>
DLC_DEVICE uint32_t dlc_nf4_a_word(const uint32_t (*As)[DLC_WORD_AROW],
                                   const uint32_t *book, int row, int r) {
  int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4, at = row + g + 8 * (r % 2);
  uint32_t byte = As[r / 2][at] >> 8 * t & 0xFF;
  float scale = __uint_as_float(As[2][at]);
  return dlc_tc_pack(__uint_as_float(book[byte >> 4]) * scale,
                     __uint_as_float(book[byte & 0xF]) * scale, T());
}
#endif

/* Each warp's tiles += one staged chunk of 16 steps (m16n8k16: register r
 * holds steps 8 (r / 2) + 2t, + 1 of row g + 8 (r % 2) for A, `a(row, r)`;
 * steps 8r + 2t, + 1 for B). */
template <typename T, typename FragA>
DLC_DEVICE void dlc_tc_chunk(float (*acc)[DLC_TC_NT][4], FragA a,
                             const float (*Bs)[DLC_BROW_F32], int warp) {
  int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
  dlc_warp_tiles<2>(
      acc, warp, a,
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
 * DLC_STAGES-deep cp.async pipeline; NF4: DLC_A_NF4_TC weights, decoded
 * in registers. */
template <typename T, bool NF4>
DLC_KERNEL void dlc_gemm_tc_f32_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep) {
  __shared__ __align__(16) uint32_t As[DLC_STAGES][8][DLC_WORD_AROW];
  __shared__ __align__(16) float Bs[DLC_STAGES][16][DLC_BROW_F32];
  dlc_f32_block blk = dlc_f32_block_of(p, (p.K + 15) / 16);
  int warp = threadIdx.x / 32;
  float acc[DLC_TC_MT][DLC_TC_NT][4] = {};
#ifdef DLC_WANT_NF4_TC
  if constexpr (NF4) {
    uint32_t *book = As[0][3];
    dlc_nf4_load_book(blk.a, book);
    dlc_pipeline(
        blk.slice.count,
        [&](int s, int c) {
          int k0 = 16 * (blk.slice.first + c);
          dlc_stage_nf4(p, blk.a, blk.ag, blk.i0, k0, As[s]);
          dlc_stage_b_f32<16>(p, blk.b, blk.j0, k0, Bs[s]);
        },
        [&](int s) {
          dlc_tc_chunk<T>(
              acc,
              [&](int row, int r) {
                return dlc_nf4_a_word<T>(As[s], book, row, r);
              },
              Bs[s], warp);
        });
  } else
#endif
    dlc_pipeline(
        blk.slice.count,
        [&](int s, int c) {
          dlc_tc_stage<T>(p, blk.a, blk.ag, blk.b, blk.i0, blk.j0,
                          16 * (blk.slice.first + c), As[s], Bs[s]);
        },
        [&](int s) {
          dlc_tc_chunk<T>(
              acc, [&](int row, int r) { return dlc_a_word(As[s], row, r); },
              Bs[s], warp);
        });
  dlc_warp_tiles_store(p, ep, blk.img, blk.grp, blk.i0, blk.j0, warp, acc);
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

/* The 8-bit GEMM's chunks (8 groups of 4 steps) and this block's slice
 * of them. */
DLC_DEVICE dlc_k_slice dlc_quad_slice(const dlc_gemm_params &p) {
  return dlc_slice_of(p, (DLC_ROUND_UP(p.K, 4) / 4 + 7) / 8);
}

/* The 8-bit GEMM's reduction (the chunks of `slice`) through the
 * pipeline: `chunk(As, Bs)` adds one staged chunk into the caller's
 * accumulators. */
template <typename Chunk>
DLC_DEVICE void dlc_quad_pipeline(const dlc_gemm_params &p, const int8_t *a,
                                  const int8_t *b, int8_t pad, int i0, int j0,
                                  dlc_k_slice slice, Chunk chunk) {
  __shared__ __align__(16) uint32_t As[DLC_STAGES][8][DLC_WORD_AROW];
  __shared__ __align__(16) uint32_t Bs[DLC_STAGES][8][DLC_S8_BROW];
  int K4 = DLC_ROUND_UP(p.K, 4);
  dlc_pipeline(
      slice.count,
      [&](int s, int c) {
        dlc_s8_stage(p, a, b, pad, K4, i0, j0, 8 * (slice.first + c), As[s],
                     Bs[s]);
      },
      [&](int s) { chunk(As[s], Bs[s]); });
}
#endif

#if defined(DLC_WANT_S8_GEMM) && !defined(DLC_INT8_DP4A)
/* d += A B on int8 tensor cores, exact (m16n8k32: lane 4g + t's a[r] holds
 * row g + 8 (r % 2), group 4 (r / 2) + t; b[r] group 4r + t of column g;
 * the lowest step in the lowest byte). sm_75 has m8n8k16 (lane 4g + t: row
 * g's group t, column g's group t, row g's columns 2t, 2t + 1): four of
 * them on the same registers, rows g / g + 8 by steps 0-15 / 16-31. */
DLC_DEVICE void dlc_mma_s8(int32_t d[4], const uint32_t a[4],
                           const uint32_t b[2]) {
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800
#ifdef DLC_CUDA_EMULATOR /* test/gpu/emulator: the same on the CPU */
  dlc_emu::mma_m16n8k32_s8(d, a, b);
#else
  DLC_MMA_A4B2("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32", "r");
#endif
#else
#pragma unroll
  for (int half = 0; half < 2; ++half)
#pragma unroll
    for (int steps = 0; steps < 2; ++steps)
#ifdef DLC_CUDA_EMULATOR
      dlc_emu::mma_m8n8k16_s8(d + 2 * half, a[half + 2 * steps], b[steps]);
#else
      asm volatile("mma.sync.aligned.m8n8k16.row.col.s32.s8.s8.s32 "
                   "{%0, %1}, {%2}, {%3}, {%0, %1};"
                   : "+r"(d[2 * half]), "+r"(d[2 * half + 1])
                   : "r"(a[half + 2 * steps]), "r"(b[steps]));
#endif
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

/* int8 GEMM with int32 sums and the executor's requantization: mma.sync
 * fed by the pipeline (cp.async on sm_80+), sums in registers to the
 * epilogue. The same exact sums as dp4a's. */
DLC_KERNEL void dlc_gemm_s8_tc_kernel(dlc_gemm_params p, int8_t pad,
                                      const int32_t *rowcorr,
                                      const int32_t *colcorr,
                                      dlc_requant_params rq) {
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 750
  dlc_k_slice slice = dlc_quad_slice(p);
  int img = slice.z / p.groups, grp = slice.z % p.groups;
  const int8_t *b = (const int8_t *)p.b + img * p.b_image + grp * p.b_group;
  const int8_t *a = (const int8_t *)p.a.data + grp * p.a_group;
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int warp = threadIdx.x / 32;
  int32_t acc[DLC_TC_MT][DLC_TC_NT][4] = {};
  dlc_quad_pipeline(p, a, b, pad, i0, j0, slice,
                    [&](auto As, auto Bs) { dlc_s8_chunk(acc, As, Bs, warp); });
  dlc_warp_tiles_each(p, i0, j0, warp, acc, [&](int i, int j, int32_t v) {
    dlc_store_s8(p, rowcorr, colcorr, rq, img, grp, i, j, v);
  });
#else
#error                                                                         \
    "int8 tensor cores (mma.sync) begin at sm_75: define DLC_INT8_DP4A for the dp4a kernel"
#endif
}
#endif

#ifdef DLC_WANT_TF32_TC
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error                                                                         \
    "--cuda-precision=tf32 needs tf32 tensor cores: compile for sm_80 or newer"
#endif
/* tf32: fp32 layers emitted with --cuda-precision=tf32 on mma.sync m16n8k8
 * with tf32 inputs (fp32 rounded to 10 mantissa bits, to nearest, ties away
 * from zero, as cvt.rna.tf32.f32) and fp32 accumulators. A and B are staged
 * in fp32 as the CUDA-core kernel stages them (weights by 16-byte cp.async
 * from the fp32 panels, NF4 codes decoded per element), 8 steps a chunk,
 * DLC_STAGES deep, and rounded as the warps build fragments. */
static_assert(DLC_STAGES * 8 * (DLC_AROW_F32 + DLC_BROW_F32) * 4 <= 48 * 1024,
              "the tf32 pipeline's stages exceed 48 KB of shared memory");

/* `x` rounded to tf32, as an mma operand register. */
DLC_DEVICE uint32_t dlc_to_tf32(float x) {
#ifdef DLC_CUDA_EMULATOR /* test/gpu/emulator: the same on the CPU */
  return dlc_emu::to_tf32(x);
#else
  uint32_t r;
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
  return r;
#endif
}

/* d += A B, m16n8k8 tf32 (lane 4g + t: a[r] holds row g + 8 (r % 2), step
 * t + 4 (r / 2); b[r] step t + 4r of column g). */
DLC_DEVICE void dlc_mma_tf32(float d[4], const uint32_t a[4],
                             const uint32_t b[2]) {
#ifdef DLC_CUDA_EMULATOR
  dlc_emu::mma_m16n8k8_tf32(d, a, b);
#else
  DLC_MMA_A4B2("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32", "f");
#endif
}

/* C = A B through the fp32 epilogue on tf32 tensor cores. */
DLC_KERNEL void dlc_gemm_tf32_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep) {
  __shared__ __align__(16) float As[DLC_STAGES][8][DLC_AROW_F32];
  __shared__ __align__(16) float Bs[DLC_STAGES][8][DLC_BROW_F32];
  dlc_f32_block blk = dlc_f32_block_of(p, (p.K + 7) / 8);
  int warp = threadIdx.x / 32, g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
  float acc[DLC_TC_MT][DLC_TC_NT][4] = {};
  dlc_pipeline(
      blk.slice.count,
      [&](int s, int c) {
        int k0 = 8 * (blk.slice.first + c);
        dlc_stage_a_f32<8>(p, blk.a, blk.ag, blk.i0, k0, As[s]);
        dlc_stage_b_f32<8>(p, blk.b, blk.j0, k0, Bs[s]);
      },
      [&](int s) {
        dlc_warp_tiles<2>(
            acc, warp,
            [&](int row, int r) {
              return dlc_to_tf32(As[s][t + 4 * (r / 2)][row + g + 8 * (r % 2)]);
            },
            [&](int col, int r) {
              return dlc_to_tf32(Bs[s][t + 4 * r][col + g]);
            },
            [](float *d, const uint32_t *fa, const uint32_t *fb, int) {
              dlc_mma_tf32(d, fa, fb);
            });
      });
  dlc_warp_tiles_store(p, ep, blk.img, blk.grp, blk.i0, blk.j0, warp, acc);
}
#endif /* DLC_WANT_TF32_TC */
