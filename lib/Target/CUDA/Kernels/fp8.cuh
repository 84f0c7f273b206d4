/*===- fp8.cuh - fp8 GEMM and convolution on tensor cores (mma.sync) ------===*
 *
 * Layers whose weights and activations are fp8 (E4M3 or E5M2 codes, in any
 * mix) multiply the codes themselves, with no decoded copy of the input.
 * The weights are packed as int8's are (panels of 8 rows by groups of 4
 * steps), so the kernel is int8's (tensorcore.cuh): a DLC_STAGES-deep
 * cp.async pipeline of 32-step chunks, each row's or column's 4-step group
 * one operand word (the activations' gathered, a convolution's implicit
 * im2col), warps 2 x 4 over the block tile, and per 16x8 tile:
 * - sm_89 and newer: m16n8k32 on the fp8 codes ({e4m3,e5m2} x {e4m3,e5m2}
 *   -> f32), the hardware's fp8 path;
 * - older GPUs: the codes converted exactly to fp16 in registers, two
 *   m16n8k16 f16 x f16 -> f32 steps.
 * Every product of two fp8 values is exact in fp32. The tensor core sums
 * each 32-step chunk into zeroed accumulators, which are added to the
 * running sums in fp32 (its own fp8 accumulation keeps fewer bits than
 * fp32). The epilogue (per-row scale input_scale * weight_scale, bias,
 * residual, clamp) reads the accumulators from registers.
 *
 *===----------------------------------------------------------------------===*/

#ifdef DLC_WANT_FP8_TC
#include <cuda_fp8.h>

enum { DLC_FP8_E4M3 = 0, DLC_FP8_E5M2 = 1 };

/* MMA(A, B) with the PTX type names of the formats AF and BF (template
 * constants). */
#define DLC_FP8_FORMATS(AF, BF, MMA)                                           \
  if constexpr (AF == DLC_FP8_E4M3 && BF == DLC_FP8_E4M3)                      \
    MMA("e4m3", "e4m3");                                                       \
  else if constexpr (AF == DLC_FP8_E4M3)                                       \
    MMA("e4m3", "e5m2");                                                       \
  else if constexpr (BF == DLC_FP8_E4M3)                                       \
    MMA("e5m2", "e4m3");                                                       \
  else                                                                         \
    MMA("e5m2", "e5m2")

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 890
/* m16n8k32 takes the staged words as they are (lane 4g + t's a[r] holds
 * row g + 8 (r % 2), group 4 (r / 2) + t; b[r] group 4r + t of column g). */
#define DLC_FP8_AREGS 4
#define DLC_FP8_BREGS 2
template <int F>
DLC_DEVICE uint32_t dlc_fp8_a(const uint32_t (*As)[DLC_WORD_AROW], int row,
                              int r) {
  return dlc_a_word(As, row, r);
}
template <int F>
DLC_DEVICE uint32_t dlc_fp8_b(const uint32_t (*Bs)[DLC_S8_BROW], int col,
                              int r) {
  return dlc_b_word_reg(Bs, col, r);
}

#ifdef DLC_CUDA_EMULATOR /* test/gpu/emulator: the same on the CPU */
#define DLC_MMA_FP8(A, B)                                                      \
  dlc_emu::mma_m16n8k32_fp8(d, a, b, A[1] == '5', B[1] == '5')
#else
#define DLC_MMA_FP8(A, B)                                                      \
  asm volatile("mma.sync.aligned.m16n8k32.row.col.f32." A "." B ".f32 "        \
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "                \
               "{%10, %10, %10, %10};"                                         \
               : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])                \
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),        \
                 "r"(b[1]), "f"(0.0f))
#endif

/* d = A B for one 16x8 tile over a chunk's 32 steps. */
template <int AF, int BF>
DLC_DEVICE void dlc_mma_fp8(float d[4], const uint32_t *a, const uint32_t *b) {
  DLC_FP8_FORMATS(AF, BF, DLC_MMA_FP8);
}
#undef DLC_MMA_FP8
#else
/* Before sm_89 each 16-step half of a chunk is one m16n8k16 on the codes
 * converted to fp16 (exact): lane 4g + t's A register r holds steps
 * 8 (r / 2) + 2t and + 1 of row g + 8 (r % 2) of half r / 4, its B register
 * r steps 8 (r % 2) + 2t and + 1 of column g of half r / 2, i.e. the low or
 * high two codes of a staged word. */
#define DLC_FP8_AREGS 8
#define DLC_FP8_BREGS 4

/* The two codes of format F at byte 2 * (t % 2) of `word` as an f16x2
 * register (the lower step in the low half). */
template <int F> DLC_DEVICE uint32_t dlc_fp8_pair_f16(uint32_t word, int t) {
  __half2_raw h =
      __nv_cvt_fp8x2_to_halfraw2((__nv_fp8x2_storage_t)(word >> 16 * (t % 2)),
                                 F == DLC_FP8_E4M3 ? __NV_E4M3 : __NV_E5M2);
  return (uint32_t)h.x | (uint32_t)h.y << 16;
}
template <int F>
DLC_DEVICE uint32_t dlc_fp8_a(const uint32_t (*As)[DLC_WORD_AROW], int row,
                              int r) {
  int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4, h = r % 4;
  return dlc_fp8_pair_f16<F>(
      As[4 * (r / 4) + 2 * (h / 2) + t / 2][row + g + 8 * (h % 2)], t);
}
template <int F>
DLC_DEVICE uint32_t dlc_fp8_b(const uint32_t (*Bs)[DLC_S8_BROW], int col,
                              int r) {
  int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
  return dlc_fp8_pair_f16<F>(Bs[4 * (r / 2) + 2 * (r % 2) + t / 2][col + g], t);
}

/* d = A B for one 16x8 tile over a chunk's 32 steps. */
template <int AF, int BF>
DLC_DEVICE void dlc_mma_fp8(float d[4], const uint32_t *a, const uint32_t *b) {
  d[0] = d[1] = d[2] = d[3] = 0.0f;
  dlc_mma_16816(d, a, b, __half());
  dlc_mma_16816(d, a + 4, b + 2, __half());
}
#endif

/* C = A B through the fp32 epilogue, A the weights' fp8 codes of format
 * AF in packed 4-step panels, B the activations' codes of format BF. */
template <int AF, int BF>
DLC_KERNEL void dlc_gemm_fp8_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep) {
  dlc_k_slice slice = dlc_quad_slice(p);
  int img = slice.z / p.groups, grp = slice.z % p.groups;
  const int8_t *b = (const int8_t *)p.b + img * p.b_image + grp * p.b_group;
  const int8_t *a = (const int8_t *)p.a.data + grp * p.a_group;
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int warp = threadIdx.x / 32;
  float acc[DLC_TC_MT][DLC_TC_NT][4] = {};
  /* Code 0 is +0 in both formats: the padding and the steps past K. */
  dlc_quad_pipeline(p, a, b, 0, i0, j0, slice, [&](auto As, auto Bs) {
    dlc_warp_tiles<DLC_FP8_BREGS, DLC_FP8_AREGS>(
        acc, warp, [&](int row, int r) { return dlc_fp8_a<AF>(As, row, r); },
        [&](int col, int r) { return dlc_fp8_b<BF>(Bs, col, r); },
        [](float *sums, const uint32_t *fa, const uint32_t *fb, int) {
          float d[4];
          dlc_mma_fp8<AF, BF>(d, fa, fb);
          for (int v = 0; v < 4; ++v)
            sums[v] += d[v];
        });
  });
  dlc_warp_tiles_store(p, ep, img, grp, i0, j0, warp, acc);
}

#ifdef DLC_WANT_SP24_FP8
/* The 2:4 sparse kernel (sparse.cuh), sm_89 and newer. */
template <int AF, int BF>
DLC_KERNEL void dlc_gemm_fp8_sp24_kernel(dlc_gemm_params p,
                                         dlc_epilogue_f32 ep);
#endif

/* The fp8 kernel for the formats AF (weights) and BF (activations): dense
 * or, for DLC_A_SP24 weights, 2:4 sparse. */
template <int AF, int BF>
DLC_LAUNCHER void dlc_launch_fp8_kernel(const dlc_gemm_params *p, dim3 grid,
                                        const dlc_epilogue_f32 *ep,
                                        dlc_exec *ex) {
#ifdef DLC_WANT_SP24_FP8
  if (p->a.kind == DLC_A_SP24) {
    dlc_gemm_fp8_sp24_kernel<AF, BF>
        <<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
    return;
  }
#endif
  dlc_gemm_fp8_kernel<AF, BF><<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
}

DLC_LAUNCHER void dlc_launch_gemm_fp8(const dlc_gemm_params *p, int images,
                                      int input_format, int weight_format,
                                      const dlc_epilogue_f32 *ep,
                                      dlc_exec *ex) {
  dim3 grid = dlc_gemm_grid(p, images);
  bool e4m3_a = weight_format == DLC_FP8_E4M3;
  bool e4m3_b = input_format == DLC_FP8_E4M3;
  if (e4m3_a && e4m3_b)
    dlc_launch_fp8_kernel<DLC_FP8_E4M3, DLC_FP8_E4M3>(p, grid, ep, ex);
  else if (e4m3_a)
    dlc_launch_fp8_kernel<DLC_FP8_E4M3, DLC_FP8_E5M2>(p, grid, ep, ex);
  else if (e4m3_b)
    dlc_launch_fp8_kernel<DLC_FP8_E5M2, DLC_FP8_E4M3>(p, grid, ep, ex);
  else
    dlc_launch_fp8_kernel<DLC_FP8_E5M2, DLC_FP8_E5M2>(p, grid, ep, ex);
  dlc_check_launch(ex);
  if (int64_t outputs = dlc_split_outputs(p, images)) {
    dlc_split_reduce_kernel<<<dlc_blocks(outputs), DLC_THREADS, 0,
                              ex->stream>>>(*p, *ep, outputs);
    dlc_check_launch(ex);
  }
}

/* Convolution of n NCHW images of fp8 codes (`input_format`) by packed fp8
 * weight panels (`w`, codes of `weight_format`), into fp32. */
DLC_LAUNCHER void dlc_conv2d_fp8(int n, const dlc_conv_geom *g,
                                 const uint8_t *in, int input_format,
                                 const dlc_asource *w, int weight_format,
                                 float *out, const dlc_epilogue_f32 *ep,
                                 int splits, float *partial, dlc_exec *ex) {
  int mg = g->m / g->groups, K = g->c / g->groups * g->kh * g->kw;
  dlc_gemm_params p = dlc_conv_params(
      g, in, out, (int64_t)DLC_ROUND_UP(mg, DLC_MR) * DLC_ROUND_UP(K, 4));
  p.a = *w;
  p.splits = splits;
  p.partial = partial;
  dlc_launch_gemm_fp8(&p, n, input_format, weight_format, ep, ex);
}

/* A fully connected layer on fp8 codes: out[r][i] = sum_k in[r][k] W[i][k]
 * (+ ep). */
DLC_LAUNCHER void dlc_linear_fp8(int rows, int K, int M, const uint8_t *in,
                                 int input_format, const dlc_asource *w,
                                 int weight_format, float *out,
                                 const dlc_epilogue_f32 *ep, int splits,
                                 float *partial, dlc_exec *ex) {
  dlc_gemm_params p =
      dlc_linear_params(rows, K, M, in, w, out, splits, partial);
  dlc_launch_gemm_fp8(&p, 1, input_format, weight_format, ep, ex);
}
#endif /* DLC_WANT_FP8_TC */
