/*===- fp8.cuh - fp8 GEMM and convolution on tensor cores (mma.sync) ------===*
 *
 * Layers whose weights and activations are fp8 (E4M3 or E5M2 codes, in any
 * mix) multiply the codes themselves, with no decoded copy of the input: a
 * block stages DLC_BM x 32 weight codes (the packed panels) and 32 x DLC_BN
 * activation codes (a convolution's implicit im2col, gathered while
 * staging) in shared memory, and each of its 8 warps computes
 * DLC_FP8_TILES 16x8 output tiles with mma.sync:
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

#define DLC_FP8_TILES ((DLC_BM / 16) * (DLC_BN / 8) / 8)
static_assert(DLC_FP8_TILES >= 1 && (DLC_BM / 16) * (DLC_BN / 8) % 8 == 0,
              "the fp8 tile needs a multiple of 8 16x8 mma tiles");
/* A staged row of 32 codes takes 48 bytes: the 8 rows one fragment load
 * reads (4 bytes from each of 4 lanes) then start in 8 different banks. */
#define DLC_FP8_ROW 48

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 890
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

/* d = A B for one 16x8 tile over 32 steps, from the staged codes at
 * (row, 0) of As and (col, 0) of Bs (m16n8k32 fragments: lane = 4 *
 * group + t holds A's rows group and group + 8, steps 4t..4t+3 and
 * 16+4t..16+4t+3, and B's column group at the same steps). */
template <int AF, int BF>
DLC_DEVICE void dlc_mma_fp8(float d[4], const uint8_t (*As)[DLC_FP8_ROW],
                            const uint8_t (*Bs)[DLC_FP8_ROW], int row,
                            int col) {
  int lane = threadIdx.x % 32, group = lane / 4, t = lane % 4;
  uint32_t a[4] = {dlc_mma_operand(&As[row + group][4 * t]),
                   dlc_mma_operand(&As[row + group + 8][4 * t]),
                   dlc_mma_operand(&As[row + group][16 + 4 * t]),
                   dlc_mma_operand(&As[row + group + 8][16 + 4 * t])};
  uint32_t b[2] = {dlc_mma_operand(&Bs[col + group][4 * t]),
                   dlc_mma_operand(&Bs[col + group][16 + 4 * t])};
  if constexpr (AF == DLC_FP8_E4M3 && BF == DLC_FP8_E4M3)
    DLC_MMA_FP8("e4m3", "e4m3");
  else if constexpr (AF == DLC_FP8_E4M3)
    DLC_MMA_FP8("e4m3", "e5m2");
  else if constexpr (BF == DLC_FP8_E4M3)
    DLC_MMA_FP8("e5m2", "e4m3");
  else
    DLC_MMA_FP8("e5m2", "e5m2");
}
#undef DLC_MMA_FP8
#else
/* Two codes of format F (the lower one first) as an f16x2 register. */
template <int F>
DLC_DEVICE uint32_t dlc_fp8_pair_f16(const uint8_t (*tile)[DLC_FP8_ROW],
                                     int row, int k) {
  __half2_raw h =
      __nv_cvt_fp8x2_to_halfraw2(*(const __nv_fp8x2_storage_t *)&tile[row][k],
                                 F == DLC_FP8_E4M3 ? __NV_E4M3 : __NV_E5M2);
  return (uint32_t)h.x | (uint32_t)h.y << 16;
}

/* The same tile product before sm_89: the codes in fp16 (exact), two
 * m16n8k16 steps (lane = 4 * group + t holds A's rows group and group + 8,
 * steps 2t, 2t+1 and 8+2t, 9+2t of each half, and B's column group at the
 * same steps). */
template <int AF, int BF>
DLC_DEVICE void dlc_mma_fp8(float d[4], const uint8_t (*As)[DLC_FP8_ROW],
                            const uint8_t (*Bs)[DLC_FP8_ROW], int row,
                            int col) {
  int lane = threadIdx.x % 32, group = lane / 4, t = lane % 4;
  d[0] = d[1] = d[2] = d[3] = 0.0f;
  for (int half = 0; half < 32; half += 16) {
    int k = half + 2 * t;
    uint32_t a[4] = {dlc_fp8_pair_f16<AF>(As, row + group, k),
                     dlc_fp8_pair_f16<AF>(As, row + group + 8, k),
                     dlc_fp8_pair_f16<AF>(As, row + group, k + 8),
                     dlc_fp8_pair_f16<AF>(As, row + group + 8, k + 8)};
    uint32_t b[2] = {dlc_fp8_pair_f16<BF>(Bs, col + group, k),
                     dlc_fp8_pair_f16<BF>(Bs, col + group, k + 8)};
    dlc_mma_16816(d, a, b, __half());
  }
}
#endif

/* C = A B through the fp32 epilogue, A the weights' fp8 codes of format
 * AF in packed panels, B the activations' codes of format BF. */
template <int AF, int BF>
DLC_KERNEL void dlc_gemm_fp8_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep) {
  __shared__ __align__(16) uint8_t As[DLC_BM][DLC_FP8_ROW];
  __shared__ __align__(16) uint8_t Bs[DLC_BN][DLC_FP8_ROW];
  int z = blockIdx.z, img = z / p.groups, grp = z % p.groups;
  const uint8_t *a = (const uint8_t *)p.a.data + grp * p.a_group;
  const uint8_t *b = (const uint8_t *)p.b + img * p.b_image + grp * p.b_group;
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int warp = threadIdx.x / 32;
  float acc[DLC_FP8_TILES][4] = {};
  for (int k0 = 0; k0 < p.K; k0 += 32) {
    /* Consecutive threads read consecutive bytes of a panel (8 rows per
     * step) and of B (dlc_b_element). */
    for (int e = threadIdx.x; e < DLC_BM * 32; e += blockDim.x) {
      int r = e / (DLC_MR * 32) * DLC_MR + e % DLC_MR, t = e / DLC_MR % 32;
      int row = i0 + r, k = k0 + t;
      As[r][t] =
          row < p.M && k < p.K ? a[dlc_panel_at(row, k, p.K)] : (uint8_t)0;
    }
    for (int e = threadIdx.x; e < DLC_BN * 32; e += blockDim.x) {
      int s, t;
      dlc_b_element<32>(p, e, &t, &s);
      int k = k0 + t;
      Bs[s][t] = k < p.K && j0 + s < p.N
                     ? dlc_b_at<uint8_t>(p, b, k, j0 + s, (uint8_t)0)
                     : (uint8_t)0;
    }
    __syncthreads();
#pragma unroll
    for (int f = 0; f < DLC_FP8_TILES; ++f) {
      int row, col;
      float d[4];
      dlc_mma_tile(warp + f * 8, &row, &col);
      dlc_mma_fp8<AF, BF>(d, As, Bs, row, col);
#pragma unroll
      for (int v = 0; v < 4; ++v)
        acc[f][v] += d[v];
    }
    __syncthreads();
  }
#pragma unroll
  for (int f = 0; f < DLC_FP8_TILES; ++f)
    dlc_mma_tile_store(p, ep, img, grp, i0, j0, warp + f * 8, acc[f]);
}

DLC_LAUNCHER void dlc_launch_gemm_fp8(const dlc_gemm_params *p, int images,
                                      int input_format, int weight_format,
                                      const dlc_epilogue_f32 *ep,
                                      dlc_exec *ex) {
  dim3 grid((p->N + DLC_BN - 1) / DLC_BN, (p->M + DLC_BM - 1) / DLC_BM,
            images * p->groups);
  bool e4m3_a = weight_format == DLC_FP8_E4M3;
  bool e4m3_b = input_format == DLC_FP8_E4M3;
  if (e4m3_a && e4m3_b)
    dlc_gemm_fp8_kernel<DLC_FP8_E4M3, DLC_FP8_E4M3>
        <<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
  else if (e4m3_a)
    dlc_gemm_fp8_kernel<DLC_FP8_E4M3, DLC_FP8_E5M2>
        <<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
  else if (e4m3_b)
    dlc_gemm_fp8_kernel<DLC_FP8_E5M2, DLC_FP8_E4M3>
        <<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
  else
    dlc_gemm_fp8_kernel<DLC_FP8_E5M2, DLC_FP8_E5M2>
        <<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
  dlc_check_launch(ex);
}

/* Convolution of n NCHW images of fp8 codes (`input_format`) by packed fp8
 * weight panels (`w`, codes of `weight_format`), into fp32. */
DLC_LAUNCHER void dlc_conv2d_fp8(int n, const dlc_conv_geom *g,
                                 const uint8_t *in, int input_format,
                                 const dlc_asource *w, int weight_format,
                                 float *out, const dlc_epilogue_f32 *ep,
                                 dlc_exec *ex) {
  int mg = g->m / g->groups, K = g->c / g->groups * g->kh * g->kw;
  dlc_gemm_params p = dlc_conv_params(g, in, out, dlc_panel_elems(mg, K));
  p.a = *w;
  dlc_launch_gemm_fp8(&p, n, input_format, weight_format, ep, ex);
}

/* A fully connected layer on fp8 codes: out[r][i] = sum_k in[r][k] W[i][k]
 * (+ ep). */
DLC_LAUNCHER void dlc_linear_fp8(int rows, int K, int M, const uint8_t *in,
                                 int input_format, const dlc_asource *w,
                                 int weight_format, float *out,
                                 const dlc_epilogue_f32 *ep, dlc_exec *ex) {
  dlc_gemm_params p = dlc_matrix_params(M, rows, K, in, 1, K, out, 1, M);
  p.a = *w;
  dlc_launch_gemm_fp8(&p, 1, input_format, weight_format, ep, ex);
}
#endif /* DLC_WANT_FP8_TC */
