/*===- sparse.cuh - 2:4 sparse GEMM and convolution (mma.sp) --------------===*
 *
 * fp32 layers whose weights have 2:4 structured sparsity (at most 2
 * non-zeros in every 4 consecutive reduction steps, dlc-prune method=2:4),
 * emitted with --cuda-precision=fp16 or bf16 for sm_80 and newer: the
 * weights arrive compressed (DLC_A_SP24: the 2 kept values of each group of
 * 4 steps and a 4-bit selector of their positions) and the sparse tensor
 * cores skip the zeros. A block stages, per 32 reduction steps, its rows'
 * 16 kept values (rounded to T) and 32 bits of selectors, and the 32 x
 * DLC_BN activations (a convolution's implicit im2col); each of its 8 warps
 * computes DLC_SP24_TILES 16x8 output tiles with
 * mma.sp::ordered_metadata m16n8k32 (T x T -> f32). The epilogue (bias,
 * residual, clamp) reads the accumulators from registers.
 *
 *===----------------------------------------------------------------------===*/

#ifdef DLC_WANT_SP24_TC
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error "2:4 sparse layers need sparse tensor cores: compile for sm_80 or newer"
#endif

#define DLC_SP24_TILES ((DLC_BM / 16) * (DLC_BN / 8) / 8)
static_assert(DLC_SP24_TILES >= 1 && (DLC_BM / 16) * (DLC_BN / 8) % 8 == 0,
              "the sparse tile needs a multiple of 8 16x8 mma tiles");
/* Staged rows, padded so that the 8 rows one fragment load reads start in
 * 8 different banks: 16 kept values of a weight row in 24 (12 words), 32
 * steps of an activation column in 40 (20 words). */
#define DLC_SP24_AROW 24
#define DLC_SP24_BROW 40

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

/* d += A B for one 16x8 tile over 32 steps (m16n8k32 sparse fragments: lane
 * = 4 * group + t holds A's rows group and group + 8, kept values 2t, 2t+1
 * (group of steps t) and 8+2t, 9+2t (group 4+t); B's column group at steps
 * 2t, 2t+1 + {0, 8, 16, 24}; lanes t = 0 and 1 give the selectors of
 * groups 0-3 and 4-7, row `group` in bits 0-15 and row group + 8 in bits
 * 16-31, as in LLVM's sm_80 test of this instruction: docs/backends/cuda.md).
 */
template <typename T>
DLC_DEVICE void dlc_mma_sp24(float d[4], const T (*As)[DLC_SP24_AROW],
                             const uint32_t *Ms, const T (*Bs)[DLC_SP24_BROW],
                             int row, int col) {
  int lane = threadIdx.x % 32, group = lane / 4, t = lane % 4;
  uint32_t a[4] = {dlc_mma_operand(&As[row + group][2 * t]),
                   dlc_mma_operand(&As[row + group + 8][2 * t]),
                   dlc_mma_operand(&As[row + group][8 + 2 * t]),
                   dlc_mma_operand(&As[row + group + 8][8 + 2 * t])};
  uint32_t b[4];
  for (int i = 0; i < 4; ++i)
    b[i] = dlc_mma_operand(&Bs[col + group][8 * i + 2 * t]);
  uint32_t e = 0;
  if (t < 2)
    e = (Ms[row + group] >> (16 * t) & 0xFFFFu) |
        (Ms[row + group + 8] >> (16 * t)) << 16;
  dlc_mma_sp24_issue(d, a, b, e, T());
}

/* C = A B through the fp32 epilogue, A 2:4 sparse (p.a: DLC_A_SP24), B
 * fp32 activations rounded to T. */
template <typename T>
DLC_KERNEL void dlc_gemm_sp24_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep) {
  __shared__ __align__(16) T As[DLC_BM][DLC_SP24_AROW];
  __shared__ __align__(16) uint32_t Ms[DLC_BM];
  __shared__ __align__(16) T Bs[DLC_BN][DLC_SP24_BROW];
  int z = blockIdx.z, img = z / p.groups, grp = z % p.groups;
  const float *b = (const float *)p.b + img * p.b_image + grp * p.b_group;
  int kp = DLC_ROUND_UP(p.K, 32); /* the compressed rows' padded length */
  const float *values = (const float *)p.a.data + (int64_t)grp * p.M * (kp / 2);
  const uint32_t *meta =
      (const uint32_t *)p.a.meta + (int64_t)grp * p.M * (kp / 32);
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int warp = threadIdx.x / 32;
  float acc[DLC_SP24_TILES][4] = {};
  for (int k0 = 0; k0 < kp; k0 += 32) {
    for (int e = threadIdx.x; e < DLC_BM * 16; e += blockDim.x) {
      int r = e / 16, v = e % 16, row = i0 + r;
      As[r][v] = dlc_tc_round(
          row < p.M ? values[(int64_t)row * (kp / 2) + k0 / 2 + v] : 0.0f, T());
    }
    for (int r = threadIdx.x; r < DLC_BM; r += blockDim.x) {
      int row = i0 + r;
      /* Rows past M: groups keep steps 0 and 1 (zeros). */
      Ms[r] =
          row < p.M ? meta[(int64_t)row * (kp / 32) + k0 / 32] : 0x44444444u;
    }
    for (int e = threadIdx.x; e < DLC_BN * 32; e += blockDim.x) {
      int s, t;
      dlc_b_element<32>(p, e, &t, &s);
      int k = k0 + t;
      Bs[s][t] = dlc_tc_round(k < p.K && j0 + s < p.N
                                  ? dlc_b_at<float>(p, b, k, j0 + s, 0.0f)
                                  : 0.0f,
                              T());
    }
    __syncthreads();
#pragma unroll
    for (int f = 0; f < DLC_SP24_TILES; ++f) {
      int row, col;
      dlc_mma_tile(warp + f * 8, &row, &col);
      dlc_mma_sp24<T>(acc[f], As, Ms, Bs, row, col);
    }
    __syncthreads();
  }
#pragma unroll
  for (int f = 0; f < DLC_SP24_TILES; ++f)
    dlc_mma_tile_store(p, ep, img, grp, i0, j0, warp + f * 8, acc[f]);
}
#endif /* DLC_WANT_SP24_TC */
