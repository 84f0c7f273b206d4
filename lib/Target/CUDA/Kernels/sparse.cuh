/*===- sparse.cuh - 2:4 sparse GEMM and convolution (mma.sp) --------------===*
 *
 * Layers whose weights have 2:4 structured sparsity (at most 2 non-zeros
 * in every 4 consecutive reduction steps, dlc-prune method=2:4) get them
 * compressed at emit time (DLC_A_SP24: the 2 kept values of each group of
 * 4 steps and a 4-bit selector of their positions) and the sparse tensor
 * cores skip the zeros:
 *
 * - fp32 layers emitted with --cuda-precision=fp16 or bf16 for sm_80 and
 *   newer: the kept values rounded to T at emit time, paired in one 32-bit
 *   word. A block stages, per 32 reduction steps, its rows' 8 words of
 *   kept values and 32 bits of selectors, and the 32 x DLC_BN activations
 *   (a convolution's implicit im2col); each 16x8 tile of a warp is one
 *   mma.sp::ordered_metadata m16n8k32 (T x T -> f32).
 * - int8 layers (sm_80 and newer) and fp8 ones (sm_89 and newer): the kept
 *   codes, four to a word; per 64 steps, 8 words of kept codes and 64 bits
 *   of selectors per row and 16 words of 4 activation codes per column;
 *   each tile one mma.sp::ordered_metadata m16n8k64 (int8: exact int32
 *   sums into the requantizing epilogue; fp8: f32, summed per chunk as
 *   the dense fp8 kernel does).
 *
 * The 8 warps split the tile 2 x 4 as the dense kernels' do
 * (dlc_warp_tiles); the epilogues read the accumulators from registers.
 *
 *===----------------------------------------------------------------------===*/

#if defined(DLC_WANT_SP24_TC) || defined(DLC_WANT_SP24_S8) ||                  \
    defined(DLC_WANT_SP24_FP8)
/* Staged rows of kept values: 8 words per chunk, padded to 12 words
 * (16-byte aligned, and a warp's fragment loads, rows g and words t, hit
 * 32 banks). */
#define DLC_SP24_AROW 12

/* How many stages of STAGE_BYTES fit 48 KB, at most DLC_STAGES. */
#define DLC_SP24_STAGES_OF(STAGE_BYTES)                                        \
  (DLC_STAGES * (STAGE_BYTES) <= 48 * 1024 ? DLC_STAGES                        \
                                           : 48 * 1024 / (STAGE_BYTES))

/* Issues the copies of the tile's rows' 8 words of kept values from word
 * `w0` of rows `words` words long (16 bytes at a time; rows past M get
 * zeros). */
DLC_DEVICE void dlc_sp24_stage_values(const uint32_t *values, int64_t words,
                                      int M, int i0, int64_t w0,
                                      uint32_t (*As)[DLC_SP24_AROW]) {
  for (int e = threadIdx.x; e < 2 * DLC_BM; e += blockDim.x) {
    int r = e / 2, q = e % 2, row = i0 + r;
    dlc_cp_async<16>(&As[r][4 * q],
                     row < M ? values + row * words + w0 + 4 * q : values,
                     row < M);
  }
}

/* Lane 4g + t's A register r of the 16 rows from `row` (the kept values
 * laid out as the dense m16n8k16 / m16n8k32 A: row g + 8 (r % 2), word
 * 4 (r / 2) + t of the chunk). */
DLC_DEVICE uint32_t dlc_sp24_a_word(const uint32_t (*As)[DLC_SP24_AROW],
                                    int row, int r) {
  int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
  return As[row + g + 8 * (r % 2)][4 * (r / 2) + t];
}
#endif

#ifdef DLC_WANT_SP24_TC
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error "2:4 sparse layers need sparse tensor cores: compile for sm_80 or newer"
#endif

/* The pipeline (dlc_pipeline, pipeline.cuh) with chunks of 32 steps: per row
 * its 8 words of kept values and one 32-bit selector word, and 32 x DLC_BN
 * fp32 activations (rows as the dense kernel's, DLC_BROW_F32). DLC_STAGES
 * stages, or as many as fit 48 KB (3 of a 128 x 64 tile;
 * lib/Analysis/Target.cpp rejects tiles where 2 do not). */
#define DLC_SP24_STAGE_BYTES                                                   \
  (4 * (DLC_BM * (DLC_SP24_AROW + 1) + 32 * DLC_BROW_F32))
#define DLC_SP24_STAGES DLC_SP24_STAGES_OF(DLC_SP24_STAGE_BYTES)
static_assert(DLC_SP24_STAGES >= 2,
              "two stages of the 2:4 kernel exceed 48 KB of shared memory");

/* d += A B on sparse tensor cores with inputs of the type of the last
 * argument. */
#ifdef DLC_CUDA_EMULATOR /* test/gpu/emulator: the same on the CPU */
#define DLC_MMA_SP24(TYPE) dlc_emu::mma_sp_m16n8k32(d, a, b, e, TYPE[0] == 'b')
#else
#define DLC_MMA_SP24(TYPE)                                                     \
  asm volatile(                                                                \
      "mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32." TYPE       \
      "." TYPE ".f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "                     \
      "{%8, %9, %10, %11}, {%0, %1, %2, %3}, %12, 0x0;"                        \
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])                         \
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]),      \
        "r"(b[2]), "r"(b[3]), "r"(e))
#endif
#ifdef DLC_WANT_F16_TC
DLC_DEVICE void dlc_mma_sp24_issue(float d[4], const uint32_t a[4],
                                   const uint32_t b[4], uint32_t e, __half) {
  DLC_MMA_SP24("f16");
}
#endif
#ifdef DLC_WANT_BF16_TC
DLC_DEVICE void dlc_mma_sp24_issue(float d[4], const uint32_t a[4],
                                   const uint32_t b[4], uint32_t e,
                                   __nv_bfloat16) {
  DLC_MMA_SP24("bf16");
}
#endif
#undef DLC_MMA_SP24

/* Issues the copies of steps k0 .. k0 + 31 into one stage: each row's 8
 * words of kept values (32 bytes) and its selector word; rows past M get
 * zeros and selectors keeping steps 0 and 1 of every group (ordered, as
 * mma.sp wants). B as in the dense kernel. */
DLC_DEVICE void dlc_sp24_stage(const dlc_gemm_params &p, const uint32_t *values,
                               const uint32_t *meta, int kp, const float *b,
                               int i0, int j0, int k0,
                               uint32_t (*As)[DLC_SP24_AROW], uint32_t *Ms,
                               float (*Bs)[DLC_BROW_F32]) {
  dlc_sp24_stage_values(values, kp / 4, p.M, i0, k0 / 4, As);
  for (int r = threadIdx.x; r < DLC_BM; r += blockDim.x) {
    int row = i0 + r;
    if (row < p.M)
      dlc_cp_async<4>(&Ms[r], meta + (int64_t)row * (kp / 32) + k0 / 32, true);
    else
      Ms[r] = 0x44444444u;
  }
  dlc_stage_b_f32<32>(p, b, j0, k0, Bs);
}

/* Each warp's tiles += one staged chunk (m16n8k32 sparse fragments: lane =
 * 4g + t holds A's rows g and g + 8, kept values 2t, 2t+1 (group of
 * steps t, word t) and 8+2t, 9+2t (group 4+t, word 4+t); B's column g at
 * steps 2t, 2t+1 + {0, 8, 16, 24}; lanes t = 0 and 1 give the selectors of
 * groups 0-3 and 4-7, row g in bits 0-15 and row g + 8 in bits 16-31, as in
 * LLVM's sm_80 test of this instruction: docs/backends/cuda.md). */
template <typename T>
DLC_DEVICE void
dlc_sp24_chunk(float (*acc)[DLC_TC_NT][4], const uint32_t (*As)[DLC_SP24_AROW],
               const uint32_t *Ms, const float (*Bs)[DLC_BROW_F32], int warp) {
  int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
  dlc_warp_tiles<4>(
      acc, warp, [&](int row, int r) { return dlc_sp24_a_word(As, row, r); },
      [&](int col, int r) {
        int k = 8 * r + 2 * t;
        return dlc_tc_pack(Bs[k][col + g], Bs[k + 1][col + g], T());
      },
      [&](float *d, const uint32_t *a, const uint32_t *b, int row) {
        uint32_t e = 0;
        if (t < 2)
          e = (Ms[row + g] >> (16 * t) & 0xFFFFu) |
              (Ms[row + g + 8] >> (16 * t)) << 16;
        dlc_mma_sp24_issue(d, a, b, e, T());
      });
}

/* C = A B through the fp32 epilogue, A 2:4 sparse (p.a: DLC_A_SP24, kept
 * values in T), B fp32 activations rounded to T. */
template <typename T>
DLC_KERNEL void dlc_gemm_sp24_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep) {
  __shared__ __align__(16) uint32_t As[DLC_SP24_STAGES][DLC_BM][DLC_SP24_AROW];
  __shared__ __align__(16) uint32_t Ms[DLC_SP24_STAGES][DLC_BM];
  __shared__ __align__(16) float Bs[DLC_SP24_STAGES][32][DLC_BROW_F32];
  int kp = DLC_ROUND_UP(p.K, 32); /* the compressed rows' padded length */
  dlc_k_slice slice = dlc_slice_of(p, kp / 32);
  int img = slice.z / p.groups, grp = slice.z % p.groups;
  const float *b = (const float *)p.b + img * p.b_image + grp * p.b_group;
  const uint32_t *values =
      (const uint32_t *)p.a.data + (int64_t)grp * p.M * (kp / 4);
  const uint32_t *meta =
      (const uint32_t *)p.a.meta + (int64_t)grp * p.M * (kp / 32);
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int warp = threadIdx.x / 32;
  float acc[DLC_TC_MT][DLC_TC_NT][4] = {};
  dlc_pipeline<DLC_SP24_STAGES>(
      slice.count,
      [&](int s, int c) {
        dlc_sp24_stage(p, values, meta, kp, b, i0, j0, 32 * (slice.first + c),
                       As[s], Ms[s], Bs[s]);
      },
      [&](int s) { dlc_sp24_chunk<T>(acc, As[s], Ms[s], Bs[s], warp); });
  dlc_warp_tiles_store(p, ep, img, grp, i0, j0, warp, acc);
}
#endif /* DLC_WANT_SP24_TC */

/*===--- int8 and fp8: mma.sp m16n8k64 ----------------------------------===*/

#if defined(DLC_WANT_SP24_S8) || defined(DLC_WANT_SP24_FP8)
#if defined(DLC_WANT_SP24_S8) && defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error                                                                         \
    "2:4 sparse int8 layers need sparse tensor cores: compile for sm_80 or newer"
#endif
#if defined(DLC_WANT_SP24_FP8) && defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 890
#error                                                                         \
    "2:4 sparse fp8 layers need fp8 sparse tensor cores: compile for sm_89 or newer"
#endif

/* Chunks of 64 steps: per row 8 words of kept codes and 2 selector words,
 * and 16 words of 4 activation codes per column (as the dense 8-bit
 * kernels stage them, DLC_S8_BROW). */
#define DLC_SP8_STAGE_BYTES                                                    \
  (4 * (DLC_BM * (DLC_SP24_AROW + 2) + 16 * DLC_S8_BROW))
#define DLC_SP8_STAGES DLC_SP24_STAGES_OF(DLC_SP8_STAGE_BYTES)
static_assert(
    DLC_SP8_STAGES >= 2,
    "two stages of the 8-bit 2:4 kernel exceed 48 KB of shared memory");

/* Issues the copies of steps k0 .. k0 + 63 into one stage: each row's 8
 * words of kept codes (32 bytes) and 2 selector words; rows past M get
 * zeros and selectors keeping steps 0 and 1 of every group (ordered, as
 * mma.sp wants). B's 16 groups as the dense kernels gather them (zeros
 * past K and N, `pad` in a convolution's padding). */
DLC_DEVICE void dlc_sp8_stage(const dlc_gemm_params &p, const uint32_t *values,
                              const uint32_t *meta, int kp, const int8_t *b,
                              int8_t pad, int i0, int j0, int k0,
                              uint32_t (*As)[DLC_SP24_AROW], uint32_t (*Ms)[2],
                              uint32_t (*Bs)[DLC_S8_BROW]) {
  dlc_sp24_stage_values(values, kp / 8, p.M, i0, k0 / 8, As);
  for (int e = threadIdx.x; e < 2 * DLC_BM; e += blockDim.x) {
    int r = e / 2, q = e % 2, row = i0 + r;
    if (row < p.M)
      dlc_cp_async<4>(&Ms[r][q], meta + (int64_t)row * (kp / 32) + k0 / 32 + q,
                      true);
    else
      Ms[r][q] = 0x44444444u;
  }
  int K4 = DLC_ROUND_UP(p.K, 4);
  for (int e = threadIdx.x; e < 16 * DLC_BN; e += blockDim.x) {
    int q, s;
    dlc_b_element<16>(p, e, &q, &s);
    int group = k0 / 4 + q;
    Bs[q][s] = group < K4 / 4 && j0 + s < p.N
                   ? (uint32_t)dlc_b_word(p, b, group, j0 + s, pad)
                   : 0u;
  }
}

/* Each warp's tiles (accumulators Acc) += one staged chunk through
 * `mma(d, a, b, e)` (m16n8k64 sparse fragments: A as dlc_sp24_a_word; B's
 * register r group 4r + t of column g; the metadata of all four lanes of a
 * quad, one row's 8 groups each: lane 4g + t holds row g + 8 (t % 2)'s
 * groups 8 (t / 2) .. + 7, docs/backends/cuda.md). */
template <typename Acc, typename Mma>
DLC_DEVICE void
dlc_sp8_chunk(Acc (*acc)[DLC_TC_NT][4], const uint32_t (*As)[DLC_SP24_AROW],
              const uint32_t (*Ms)[2], const uint32_t (*Bs)[DLC_S8_BROW],
              int warp, Mma mma) {
  int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
  dlc_warp_tiles<4>(
      acc, warp, [&](int row, int r) { return dlc_sp24_a_word(As, row, r); },
      [&](int col, int r) { return dlc_b_word_reg(Bs, col, r); },
      [&](Acc *d, const uint32_t *a, const uint32_t *b, int row) {
        mma(d, a, b, Ms[row + g + 8 * (t % 2)][t / 2]);
      });
}

/* Where a block's tile lies: image, group, first row and column. */
typedef struct {
  int img, grp, i0, j0;
} dlc_tile_at;

/* This block's share of the reduction (its split-K slice of the chunks of
 * 64 steps) through the pipeline, each staged chunk given to
 * `chunk(As, Ms, Bs)`; returns where the block's tile lies. */
template <typename Chunk>
DLC_DEVICE dlc_tile_at dlc_sp8_reduce(const dlc_gemm_params &p, int8_t pad,
                                      Chunk chunk) {
  __shared__ __align__(16) uint32_t As[DLC_SP8_STAGES][DLC_BM][DLC_SP24_AROW];
  __shared__ __align__(16) uint32_t Ms[DLC_SP8_STAGES][DLC_BM][2];
  __shared__ __align__(16) uint32_t Bs[DLC_SP8_STAGES][16][DLC_S8_BROW];
  int kp = DLC_ROUND_UP(p.K, 64); /* the compressed rows' padded length */
  dlc_k_slice slice = dlc_slice_of(p, kp / 64);
  dlc_tile_at at = {slice.z / p.groups, slice.z % p.groups,
                    (int)blockIdx.y * DLC_BM, (int)blockIdx.x * DLC_BN};
  const int8_t *b =
      (const int8_t *)p.b + at.img * p.b_image + at.grp * p.b_group;
  const uint32_t *values =
      (const uint32_t *)p.a.data + (int64_t)at.grp * p.M * (kp / 8);
  const uint32_t *meta =
      (const uint32_t *)p.a.meta + (int64_t)at.grp * p.M * (kp / 32);
  dlc_pipeline<DLC_SP8_STAGES>(
      slice.count,
      [&](int s, int c) {
        dlc_sp8_stage(p, values, meta, kp, b, pad, at.i0, at.j0,
                      64 * (slice.first + c), As[s], Ms[s], Bs[s]);
      },
      [&](int s) { chunk(As[s], Ms[s], Bs[s]); });
  return at;
}
#endif

#ifdef DLC_WANT_SP24_S8
#ifdef DLC_INT8_DP4A
#error "2:4 sparse int8 layers run on tensor cores: DLC_INT8_DP4A cannot be set"
#endif
/* d += A B on int8 sparse tensor cores, exact. */
DLC_DEVICE void dlc_mma_sp_s8(int32_t d[4], const uint32_t a[4],
                              const uint32_t b[4], uint32_t e) {
#ifdef DLC_CUDA_EMULATOR /* test/gpu/emulator: the same on the CPU */
  dlc_emu::mma_sp_m16n8k64_s8(d, a, b, e);
#else
  asm volatile(
      "mma.sp::ordered_metadata.sync.aligned.m16n8k64.row.col.s32.s8.s8.s32 "
      "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9, %10, %11}, "
      "{%0, %1, %2, %3}, %12, 0x0;"
      : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]),
        "r"(b[2]), "r"(b[3]), "r"(e));
#endif
}

/* int8 GEMM, A 2:4 sparse (p.a: DLC_A_SP24, kept int8 values), with int32
 * sums and the executor's requantization: the same exact sums as the
 * dense kernels'. */
DLC_KERNEL void dlc_gemm_s8_sp24_kernel(dlc_gemm_params p, int8_t pad,
                                        const int32_t *rowcorr,
                                        const int32_t *colcorr,
                                        dlc_requant_params rq) {
  int warp = threadIdx.x / 32;
  int32_t acc[DLC_TC_MT][DLC_TC_NT][4] = {};
  dlc_tile_at at = dlc_sp8_reduce(p, pad, [&](auto As, auto Ms, auto Bs) {
    dlc_sp8_chunk(acc, As, Ms, Bs, warp,
                  [](int32_t *d, const uint32_t *a, const uint32_t *b,
                     uint32_t e) { dlc_mma_sp_s8(d, a, b, e); });
  });
  dlc_warp_tiles_each(p, at.i0, at.j0, warp, acc, [&](int i, int j, int32_t v) {
    dlc_store_s8(p, rowcorr, colcorr, rq, at.img, at.grp, i, j, v);
  });
}
#endif /* DLC_WANT_SP24_S8 */

#ifdef DLC_WANT_SP24_FP8
/* d = A B for one 16x8 tile over a chunk's 64 steps on fp8 sparse tensor
 * cores (zero C: the chunk's sum is added to the running sums in fp32, as
 * the dense fp8 kernel does). */
#ifdef DLC_CUDA_EMULATOR /* test/gpu/emulator: the same on the CPU */
#define DLC_MMA_SP_FP8(A, B)                                                   \
  dlc_emu::mma_sp_m16n8k64_fp8(d, a, b, e, A[1] == '5', B[1] == '5')
#else
#define DLC_MMA_SP_FP8(A, B)                                                   \
  asm volatile("mma.sp::ordered_metadata.sync.aligned.m16n8k64.row.col.f32." A \
               "." B ".f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "               \
               "{%8, %9, %10, %11}, {%12, %12, %12, %12}, %13, 0x0;"           \
               : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])                \
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),        \
                 "r"(b[1]), "r"(b[2]), "r"(b[3]), "f"(0.0f), "r"(e))
#endif
template <int AF, int BF>
DLC_DEVICE void dlc_mma_sp_fp8(float d[4], const uint32_t *a, const uint32_t *b,
                               uint32_t e) {
  DLC_FP8_FORMATS(AF, BF, DLC_MMA_SP_FP8);
}
#undef DLC_MMA_SP_FP8

/* C = A B through the fp32 epilogue, A 2:4 sparse fp8 codes of format AF
 * (p.a: DLC_A_SP24), B the activations' codes of format BF. */
template <int AF, int BF>
DLC_KERNEL void dlc_gemm_fp8_sp24_kernel(dlc_gemm_params p,
                                         dlc_epilogue_f32 ep) {
  int warp = threadIdx.x / 32;
  float acc[DLC_TC_MT][DLC_TC_NT][4] = {};
  /* Code 0 is +0 in both formats: the padding and the steps past K. */
  dlc_tile_at at = dlc_sp8_reduce(p, 0, [&](auto As, auto Ms, auto Bs) {
    dlc_sp8_chunk(
        acc, As, Ms, Bs, warp,
        [](float *sums, const uint32_t *fa, const uint32_t *fb, uint32_t e) {
          float d[4];
          dlc_mma_sp_fp8<AF, BF>(d, fa, fb, e);
          for (int v = 0; v < 4; ++v)
            sums[v] += d[v];
        });
  });
  dlc_warp_tiles_store(p, ep, at.img, at.grp, at.i0, at.j0, warp, acc);
}
#endif /* DLC_WANT_SP24_FP8 */
