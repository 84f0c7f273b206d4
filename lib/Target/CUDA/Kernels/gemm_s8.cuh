/*===- gemm_s8.cuh - int8 GEMM: dp4a kernel and launchers -----------------===*
 *
 * int8 convolutions, linear layers and matrix products: the __dp4a
 * kernel for GPUs before sm_75, the launchers (which run the tensor-core
 * kernel of tensorcore.cuh elsewhere) and the matmul operand packing.
 *
 *===----------------------------------------------------------------------===*/

#if defined(DLC_WANT_S8_GEMM) || defined(DLC_WANT_FP8_TC)
/* The packed word of 4 steps (4q..4q+3) of B's column j (int8 values or
 * fp8 codes). */
DLC_DEVICE int32_t dlc_b_word(const dlc_gemm_params &p, const int8_t *b, int q,
                              int j, int8_t pad) {
  /* A linear layer's column is contiguous in k: one aligned 4-byte load. */
  const int8_t *at = b + 4 * (int64_t)q + (int64_t)j * p.cs;
  if (!p.conv && p.rs == 1 && 4 * q + 3 < p.K && (uintptr_t)at % 4 == 0)
    return *(const int32_t *)at;
  uint32_t word = 0;
  for (int t = 0; t < 4; ++t) {
    int k = 4 * q + t;
    int8_t v = k < p.K ? dlc_b_at<int8_t>(p, b, k, j, pad) : (int8_t)0;
    word |= (uint32_t)(uint8_t)v << (8 * t);
  }
  return (int32_t)word;
}
#endif

/*===--- int8: __dp4a over the 4-step groups -----------------------------===*/

#ifdef DLC_WANT_S8_GEMM

#ifndef DLC_INT8_DP4A
/* The tensor-core kernel (tensorcore.cuh), sm_75 and newer. */
DLC_KERNEL void dlc_gemm_s8_tc_kernel(dlc_gemm_params p, int8_t pad,
                                      const int32_t *rowcorr,
                                      const int32_t *colcorr,
                                      dlc_requant_params rq);
#endif

#ifdef DLC_WANT_SP24_S8
/* The 2:4 sparse kernel (sparse.cuh), sm_80 and newer. */
DLC_KERNEL void dlc_gemm_s8_sp24_kernel(dlc_gemm_params p, int8_t pad,
                                        const int32_t *rowcorr,
                                        const int32_t *colcorr,
                                        dlc_requant_params rq);
#endif

#define DLC_BQ 16 /* 4-step groups per shared-memory stage (64 steps) */

#ifdef DLC_INT8_DP4A
DLC_KERNEL void dlc_gemm_s8_kernel(dlc_gemm_params p, int8_t pad,
                                   const int32_t *rowcorr,
                                   const int32_t *colcorr,
                                   dlc_requant_params rq) {
  __shared__ int32_t As[DLC_BQ][DLC_BM + 1];
  __shared__ int32_t Bs[DLC_BQ][DLC_BN + 1];
  int Q = (p.K + 3) / 4;
  dlc_k_slice slice = dlc_slice_of(p, (Q + DLC_BQ - 1) / DLC_BQ);
  int img = slice.z / p.groups, grp = slice.z % p.groups;
  const int8_t *b = (const int8_t *)p.b + img * p.b_image + grp * p.b_group;
  const int32_t *a = (const int32_t *)p.a.data + grp * p.a_group / 4;
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  int32_t acc[DLC_TM][DLC_TN];
  for (int r = 0; r < DLC_TM; ++r)
    for (int s = 0; s < DLC_TN; ++s)
      acc[r][s] = 0;
  for (int c = slice.first; c < slice.first + slice.count; ++c) {
    int q0 = c * DLC_BQ;
    for (int e = threadIdx.x; e < DLC_BQ * DLC_BM; e += blockDim.x) {
      int qq = e / DLC_BM, r = e % DLC_BM, row = i0 + r;
      As[qq][r] = q0 + qq < Q && row < p.M
                      ? a[((int64_t)(row / DLC_MR) * Q + q0 + qq) * DLC_MR +
                          row % DLC_MR]
                      : 0;
    }
    for (int e = threadIdx.x; e < DLC_BQ * DLC_BN; e += blockDim.x) {
      int qq, s;
      dlc_b_element<DLC_BQ>(p, e, &qq, &s);
      Bs[qq][s] = q0 + qq < Q && j0 + s < p.N
                      ? dlc_b_word(p, b, q0 + qq, j0 + s, pad)
                      : 0;
    }
    __syncthreads();
    for (int qq = 0; qq < DLC_BQ; ++qq)
      for (int r = 0; r < DLC_TM; ++r) {
        int32_t av = As[qq][ty * DLC_TM + r];
        for (int s = 0; s < DLC_TN; ++s)
          acc[r][s] = __dp4a(av, Bs[qq][tx * DLC_TN + s], acc[r][s]);
      }
    __syncthreads();
  }
  for (int r = 0; r < DLC_TM; ++r)
    for (int s = 0; s < DLC_TN; ++s) {
      int i = i0 + ty * DLC_TM + r, j = j0 + tx * DLC_TN + s;
      if (i < p.M && j < p.N)
        dlc_store_s8(p, rowcorr, colcorr, rq, img, grp, i, j, acc[r][s]);
    }
}
#endif

DLC_LAUNCHER void dlc_launch_gemm_s8(const dlc_gemm_params *p, int images,
                                     int8_t pad, const int32_t *rowcorr,
                                     const int32_t *colcorr,
                                     const dlc_requant_params *rq,
                                     dlc_exec *ex) {
  /* Tensor cores (sm_75+) unless DLC_INT8_DP4A asks for the dp4a kernel;
   * both compute the same exact int32 sums. */
#ifdef DLC_WANT_SP24_S8
  if (p->a.kind == DLC_A_SP24)
    dlc_gemm_s8_sp24_kernel<<<dlc_gemm_grid(p, images), DLC_THREADS, 0,
                              ex->stream>>>(*p, pad, rowcorr, colcorr, *rq);
  else
#endif
#ifdef DLC_INT8_DP4A
    dlc_gemm_s8_kernel<<<dlc_gemm_grid(p, images), DLC_THREADS, 0,
                         ex->stream>>>(*p, pad, rowcorr, colcorr, *rq);
#else
  dlc_gemm_s8_tc_kernel<<<dlc_gemm_grid(p, images), DLC_THREADS, 0,
                          ex->stream>>>(*p, pad, rowcorr, colcorr, *rq);
#endif
  dlc_check_launch(ex);
  if (int64_t outputs = dlc_split_outputs(p, images)) {
    dlc_split_reduce_s8_kernel<<<dlc_blocks(outputs), DLC_THREADS, 0,
                                 ex->stream>>>(*p, rowcorr, colcorr, *rq,
                                               outputs);
    dlc_check_launch(ex);
  }
}

/* int8 convolution; `nc` is the CPU backend's column blocking and unused
 * here (the block tile is DLC_BN). */
DLC_LAUNCHER void dlc_qconv2d_s8(int n, const dlc_conv_geom *g,
                                 const int8_t *in, int8_t zx, const int8_t *w,
                                 int8_t *out, const int32_t *rowcorr,
                                 const dlc_requant_params *rq, int nc,
                                 int splits, float *partial, dlc_exec *ex) {
  (void)nc;
  int mg = g->m / g->groups, K = g->c / g->groups * g->kh * g->kw;
  dlc_gemm_params p = dlc_conv_params(
      g, in, out, (int64_t)DLC_ROUND_UP(mg, DLC_MR) * DLC_ROUND_UP(K, 4));
  p.a.data = w;
  p.splits = splits;
  p.partial = partial;
  dlc_launch_gemm_s8(&p, n, zx, rowcorr, 0, rq, ex);
}

DLC_LAUNCHER void dlc_qlinear_s8(int rows, int K, int M, const int8_t *in,
                                 int8_t zx, const int8_t *w, int8_t *out,
                                 const int32_t *rowcorr,
                                 const dlc_requant_params *rq, int nc,
                                 int splits, float *partial, dlc_exec *ex) {
  (void)nc;
  dlc_gemm_params p = dlc_matrix_params(M, rows, K, in, 1, K, out, 1, M);
  p.a.data = w;
  p.splits = splits;
  p.partial = partial;
  dlc_launch_gemm_s8(&p, 1, zx, rowcorr, 0, rq, ex);
}

#ifdef DLC_WANT_SP24_S8
/* The int8 layers whose weights are 2:4 sparse (kept values `w` and their
 * selectors `meta`, DLC_A_SP24), on the sparse tensor cores; otherwise as
 * dlc_qconv2d_s8 and dlc_qlinear_s8. */
DLC_LAUNCHER void dlc_qconv2d_s8_sparse(int n, const dlc_conv_geom *g,
                                        const int8_t *in, int8_t zx,
                                        const int8_t *w, const uint8_t *meta,
                                        int8_t *out, const int32_t *rowcorr,
                                        const dlc_requant_params *rq, int nc,
                                        int splits, float *partial,
                                        dlc_exec *ex) {
  (void)nc;
  dlc_gemm_params p = dlc_conv_params(g, in, out, 0);
  p.a.kind = DLC_A_SP24;
  p.a.data = w;
  p.a.meta = meta;
  p.splits = splits;
  p.partial = partial;
  dlc_launch_gemm_s8(&p, n, zx, rowcorr, 0, rq, ex);
}

DLC_LAUNCHER void
dlc_qlinear_s8_sparse(int rows, int K, int M, const int8_t *in, int8_t zx,
                      const int8_t *w, const uint8_t *meta, int8_t *out,
                      const int32_t *rowcorr, const dlc_requant_params *rq,
                      int nc, int splits, float *partial, dlc_exec *ex) {
  (void)nc;
  dlc_gemm_params p = dlc_matrix_params(M, rows, K, in, 1, K, out, 1, M);
  p.a.kind = DLC_A_SP24;
  p.a.data = w;
  p.a.meta = meta;
  p.splits = splits;
  p.partial = partial;
  dlc_launch_gemm_s8(&p, 1, zx, rowcorr, 0, rq, ex);
}
#endif

/* Each batch's lhs (M x K int8) into 4-step panels (`packs` of them: 1
 * when the lhs is broadcast), and its zero-point corrections:
 * rowcorr[b M + i] = -zb * sum_k lhs_b[i][k] + K za zb, colcorr[b N + j] =
 * -za * sum_k rhs_b[k][j]. */
DLC_KERNEL void dlc_qmatmul_pack_kernel(int batch, int packs, int M, int N,
                                        int K, const int8_t *x, int64_t xs,
                                        const int8_t *y, int64_t ys, int32_t za,
                                        int32_t zb, int8_t *ap,
                                        int32_t *rowcorr, int32_t *colcorr) {
  int K4 = DLC_ROUND_UP(K, 4);
  int64_t each = (int64_t)DLC_ROUND_UP(M, DLC_MR) * K4;
  DLC_FOR(e, packs * each + (int64_t)batch * (M + N)) {
    if (e < packs * each) {
      const int8_t *lhs = x + e / each * xs;
      int64_t panel = e % each / ((int64_t)K4 * DLC_MR),
              rest = e % ((int64_t)K4 * DLC_MR);
      int q = (int)(rest / 32), r = (int)(rest % 32) / 4, t = (int)(rest % 4);
      int row = (int)panel * DLC_MR + r, k = 4 * q + t;
      ap[e] = row < M && k < K ? lhs[(int64_t)row * K + k] : (int8_t)0;
      continue;
    }
    int64_t f = e - packs * each;
    int b = (int)(f / (M + N)), at = (int)(f % (M + N));
    int32_t sum = 0;
    if (at < M) {
      const int8_t *lhs = x + b * xs + (int64_t)at * K;
      for (int k = 0; k < K; ++k)
        sum += lhs[k];
      rowcorr[(int64_t)b * M + at] = -zb * sum + K * za * zb;
    } else {
      const int8_t *rhs = y + b * ys + (at - M);
      for (int k = 0; k < K; ++k)
        sum += rhs[(int64_t)k * N];
      colcorr[(int64_t)b * N + at - M] = -za * sum;
    }
  }
}

/* Batched int8 matrix product in one launch: `packed` holds the lhs
 * panels, then the batches' row and column corrections. */
DLC_LAUNCHER void dlc_qmatmul_s8(int batch, int M, int N, int K,
                                 const int8_t *lhs, int64_t lhs_stride,
                                 int32_t za, const int8_t *rhs,
                                 int64_t rhs_stride, int32_t zb, int8_t *out,
                                 const dlc_requant_params *rq, int nc,
                                 int8_t *packed, int splits, float *partial,
                                 dlc_exec *ex) {
  (void)nc;
  int packs = lhs_stride ? batch : 1;
  int64_t each = (int64_t)DLC_ROUND_UP(M, DLC_MR) * DLC_ROUND_UP(K, 4);
  int32_t *rowcorr, *colcorr;
  dlc_qmatmul_corrections(packed, packs, batch, M, K, &rowcorr, &colcorr);
  dlc_qmatmul_pack_kernel<<<dlc_blocks(packs * each + (int64_t)batch * (M + N)),
                            DLC_THREADS, 0, ex->stream>>>(
      batch, packs, M, N, K, lhs, lhs_stride, rhs, rhs_stride, za, zb, packed,
      rowcorr, colcorr);
  dlc_check_launch(ex);
  dlc_gemm_params p = dlc_batched_params(batch, M, N, K, rhs, rhs_stride, out,
                                         lhs_stride ? each : 0);
  p.a.data = packed;
  p.splits = splits;
  p.partial = partial;
  dlc_launch_gemm_s8(&p, 1, 0, rowcorr, colcorr, rq, ex);
}
#endif /* DLC_WANT_S8_GEMM */
