/*===- sparse.cuh - 2:4 sparse GEMM and convolution (mma.sp) --------------===*
 *
 * fp32 layers whose weights have 2:4 structured sparsity (at most 2
 * non-zeros in every 4 consecutive reduction steps, dlc-prune method=2:4),
 * emitted with --cuda-precision=fp16 or bf16 for sm_80 and newer: the
 * weights arrive compressed (DLC_A_SP24: the 2 kept values of each group of
 * 4 steps, rounded to T at emit time and paired in one 32-bit word, and a
 * 4-bit selector of their positions) and the sparse tensor cores skip the
 * zeros. A block stages, per 32 reduction steps, its rows' 8 words of kept
 * values and 32 bits of selectors, and the 32 x DLC_BN activations (a
 * convolution's implicit im2col); its 8 warps split the tile 2 x 4 as the
 * dense kernels' do (dlc_warp_tiles), each 16x8 tile one
 * mma.sp::ordered_metadata m16n8k32 (T x T -> f32). The epilogue (bias,
 * residual, clamp) reads the accumulators from registers.
 *
 *===----------------------------------------------------------------------===*/

#ifdef DLC_WANT_SP24_TC
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error "2:4 sparse layers need sparse tensor cores: compile for sm_80 or newer"
#endif

/* The pipeline (dlc_pipeline, pipeline.cuh) with chunks of 32 steps: per row
 * its 8 words of kept values and one 32-bit selector word, and 32 x DLC_BN
 * fp32 activations. DLC_STAGES stages, or as many as fit 48 KB (3 of a
 * 128 x 64 tile; lib/Analysis/Target.cpp rejects tiles where 2 do not).
 * Kept values' rows are padded to 12 words (16-byte aligned, and a warp's
 * fragment loads, rows g and words t, hit 32 banks), activations' as the
 * dense kernel's (DLC_BROW_F32). */
#define DLC_SP24_AROW 12
#define DLC_SP24_STAGE_BYTES                                                   \
  (4 * (DLC_BM * (DLC_SP24_AROW + 1) + 32 * DLC_BROW_F32))
#define DLC_SP24_STAGES                                                        \
  (DLC_STAGES * DLC_SP24_STAGE_BYTES <= 48 * 1024                              \
       ? DLC_STAGES                                                            \
       : 48 * 1024 / DLC_SP24_STAGE_BYTES)
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
  for (int e = threadIdx.x; e < 2 * DLC_BM; e += blockDim.x) {
    int r = e / 2, q = e % 2, row = i0 + r;
    dlc_cp_async<16>(
        &As[r][4 * q],
        row < p.M ? values + (int64_t)row * (kp / 4) + k0 / 4 + 4 * q : values,
        row < p.M);
  }
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
      acc, warp,
      [&](int row, int r) {
        return As[row + g + 8 * (r % 2)][4 * (r / 2) + t];
      },
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
