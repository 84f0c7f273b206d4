/*===- gemm_f32.cuh - fp32 GEMM on CUDA cores and the float launchers -----===*
 *
 * The fp32 kernel (fp32 or NF4 weights) and the launchers of float
 * convolutions, linear layers and matrix products, which pick it or a
 * tensor-core kernel (tensorcore.cuh, sparse.cuh) for the weights.
 *
 *===----------------------------------------------------------------------===*/

#ifdef DLC_WANT_SIMT_F32
/* fp32 on CUDA cores: DLC_BK-step chunks double-buffered through cp.async
 * (A's panels 16 bytes at a time, B gathered); each thread keeps a
 * DLC_TM x DLC_TN register tile and reads its staged A and B values as
 * float4s. Every output sums its k in order with fmaf. */
static_assert(2 * DLC_BK * (DLC_AROW_F32 + DLC_BROW_F32) * 4 <= 48 * 1024,
              "two stages of the fp32 tile exceed 48 KB of shared memory");

/* A thread's register tile += one step's outer product, in order. */
DLC_DEVICE void dlc_fma_step(float (*acc)[DLC_TN], const float *av,
                             const float *bv) {
#pragma unroll
  for (int r = 0; r < DLC_TM; ++r)
#pragma unroll
    for (int c = 0; c < DLC_TN; ++c)
      acc[r][c] = fmaf(av[r], bv[c], acc[r][c]);
}

#ifdef DLC_WANT_NF4_SIMT
/* NF4 weights on CUDA cores (DLC_A_NF4 where K and the block size are
 * multiples of DLC_BK, so that a chunk lies in one block): the chunk's
 * codes go by cp.async into the A stage as they are packed, a word (8
 * rows' nibbles) per panel and step, panel-major, 16 bytes (4 steps) at a
 * time, then the rows' block scales; each thread decodes its rows' codes
 * step by step. Stage 0 keeps the codebook after them. */
#define DLC_NF4_WORDS (DLC_BM / DLC_MR * DLC_BK)
static_assert(DLC_BK % 4 == 0 &&
                  DLC_NF4_WORDS + DLC_BM + 16 <= DLC_BK * DLC_AROW_F32,
              "the NF4 codes, scales and codebook fit in an A stage");

DLC_DEVICE void dlc_stage_nf4_f32(const dlc_gemm_params &p,
                                  const dlc_asource &a, int64_t ag, int i0,
                                  int k0, uint32_t *stage) {
  const uint8_t *codes = (const uint8_t *)a.data + ag / 2;
  for (int e = threadIdx.x; e < DLC_NF4_WORDS / 4; e += blockDim.x) {
    int panel = e / (DLC_BK / 4), q = e % (DLC_BK / 4);
    int row = i0 + panel * DLC_MR;
    bool valid = row < p.M;
    dlc_cp_async<16>(
        stage + panel * DLC_BK + 4 * q,
        valid ? codes + ((int64_t)(row / DLC_MR) * p.K + k0 + 4 * q) * 4
              : codes,
        valid);
  }
  dlc_stage_nf4_scales(p, a, i0, k0, stage + DLC_NF4_WORDS);
}

/* The thread's DLC_TM weights of step kk (rows from `row`): each code's
 * codebook value times its row's scale (what dlc_a_f32 gives). */
DLC_DEVICE void dlc_decode_nf4_f32(const uint32_t *stage, const uint32_t *book,
                                   const float *scale, int row, int kk,
                                   float *v) {
#pragma unroll
  for (int r = 0; r < DLC_TM; ++r) {
    int at = row + r;
    uint32_t byte = stage[at / DLC_MR * DLC_BK + kk] >> at % DLC_MR / 2 * 8;
    int code = at % 2 == 0 ? byte >> 4 & 0xF : byte & 0xF;
    v[r] = __uint_as_float(book[code]) * scale[r];
  }
}
#endif

template <bool NF4>
DLC_KERNEL void dlc_gemm_f32_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep) {
  __shared__ __align__(16) float As[2][DLC_BK][DLC_AROW_F32];
  __shared__ __align__(16) float Bs[2][DLC_BK][DLC_BROW_F32];
  dlc_f32_block blk = dlc_f32_block_of(p, (p.K + DLC_BK - 1) / DLC_BK);
  int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  float acc[DLC_TM][DLC_TN] = {};
#ifdef DLC_WANT_NF4_SIMT
  uint32_t *book = (uint32_t *)As[0][0] + DLC_NF4_WORDS + DLC_BM;
  if constexpr (NF4)
    dlc_nf4_load_book(blk.a, book);
#endif
  dlc_pipeline<2>(
      blk.slice.count,
      [&](int s, int c) {
        int k0 = (blk.slice.first + c) * DLC_BK;
#ifdef DLC_WANT_NF4_SIMT
        if constexpr (NF4)
          dlc_stage_nf4_f32(p, blk.a, blk.ag, blk.i0, k0, (uint32_t *)As[s][0]);
        else
#endif
          dlc_stage_a_f32<DLC_BK>(p, blk.a, blk.ag, blk.i0, k0, As[s]);
        dlc_stage_b_f32<DLC_BK>(p, blk.b, blk.j0, k0, Bs[s]);
      },
      [&](int s) {
#ifdef DLC_WANT_NF4_SIMT
        if constexpr (NF4) {
          const uint32_t *stage = (const uint32_t *)As[s][0];
          float scale[DLC_TM];
#pragma unroll
          for (int r = 0; r < DLC_TM; ++r)
            scale[r] = __uint_as_float(stage[DLC_NF4_WORDS + ty * DLC_TM + r]);
          for (int kk = 0; kk < DLC_BK; ++kk) {
            float av[DLC_TM], bv[DLC_TN];
            dlc_decode_nf4_f32(stage, book, scale, ty * DLC_TM, kk, av);
            dlc_load_f32<DLC_TN>(&Bs[s][kk][tx * DLC_TN], bv);
            dlc_fma_step(acc, av, bv);
          }
        } else
#endif
        {
          for (int kk = 0; kk < DLC_BK; ++kk) {
            float av[DLC_TM], bv[DLC_TN];
            dlc_load_f32<DLC_TM>(&As[s][kk][ty * DLC_TM], av);
            dlc_load_f32<DLC_TN>(&Bs[s][kk][tx * DLC_TN], bv);
            dlc_fma_step(acc, av, bv);
          }
        }
      });
  /* Unrolled, so that the tile stays in registers. */
#pragma unroll
  for (int r = 0; r < DLC_TM; ++r)
#pragma unroll
    for (int s = 0; s < DLC_TN; ++s) {
      int i = blk.i0 + ty * DLC_TM + r, j = blk.j0 + tx * DLC_TN + s;
      if (i < p.M && j < p.N)
        dlc_store_f32(p, ep, blk.img, blk.grp, i, j, acc[r][s]);
    }
}
#endif

/* The tensor-core kernels (tensorcore.cuh) this model uses. */
#if defined(DLC_WANT_F16_TC) || defined(DLC_WANT_BF16_TC)
template <typename T, bool NF4 = false>
DLC_KERNEL void dlc_gemm_tc_f32_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep);
template <typename T>
DLC_KERNEL void dlc_pack_a_tc_kernel(int count, int M, int K, const float *src,
                                     int64_t stride, uint32_t *dst);
#ifdef DLC_WANT_BF16_TC
typedef __nv_bfloat16 dlc_tc_type; /* what fp32 layers round their inputs to */
#else
typedef __half dlc_tc_type;
#endif
#endif
#ifdef DLC_WANT_SP24_TC
template <typename T>
DLC_KERNEL void dlc_gemm_sp24_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep);
#endif

/* The fp32 GEMMs (fp32 or NF4 weights), compiled when the model has such
 * layers: on CUDA cores (DLC_WANT_SIMT_F32), on fp16 / bf16 tensor cores
 * with --cuda-precision=fp16 / bf16 (DLC_WANT_F16_TC / DLC_WANT_BF16_TC;
 * DLC_WANT_NF4_TC where NF4 weights are staged as codes), or on tf32 tensor
 * cores with --cuda-precision=tf32 (DLC_WANT_TF32_TC).
 * fp8 layers multiply their codes (fp8.cuh, DLC_WANT_FP8_TC). The printer
 * defines the macros from the model's calls. */
#ifdef DLC_WANT_TF32_TC
/* The tf32 tensor-core kernel (tensorcore.cuh), sm_80 and newer. */
DLC_KERNEL void dlc_gemm_tf32_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep);
#endif
#if defined(DLC_WANT_SIMT_F32) || defined(DLC_WANT_F16_TC) ||                  \
    defined(DLC_WANT_BF16_TC) || defined(DLC_WANT_TF32_TC)
DLC_LAUNCHER void dlc_launch_gemm_f32(const dlc_gemm_params *p, int images,
                                      const dlc_epilogue_f32 *ep,
                                      dlc_exec *ex) {
  dim3 grid = dlc_gemm_grid(p, images);
#ifdef DLC_WANT_SP24_TC
  if (p->a.kind == DLC_A_SP24)
    dlc_gemm_sp24_kernel<dlc_tc_type>
        <<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
  else
#endif
#ifdef DLC_WANT_NF4_TC
      if (p->a.kind == DLC_A_NF4_TC)
    dlc_gemm_tc_f32_kernel<dlc_tc_type, true>
        <<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
  else
#endif
#if defined(DLC_WANT_F16_TC) || defined(DLC_WANT_BF16_TC)
    dlc_gemm_tc_f32_kernel<dlc_tc_type>
        <<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
#elif defined(DLC_WANT_TF32_TC)
  dlc_gemm_tf32_kernel<<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
#else
#ifdef DLC_WANT_NF4_SIMT
  if (p->a.kind == DLC_A_NF4 && p->K % DLC_BK == 0 && p->a.block % DLC_BK == 0)
    dlc_gemm_f32_kernel<true><<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
  else
#endif
    dlc_gemm_f32_kernel<false><<<grid, DLC_THREADS, 0, ex->stream>>>(*p, *ep);
#endif
  dlc_check_launch(ex);
  if (int64_t outputs = dlc_split_outputs(p, images)) {
    dlc_split_reduce_kernel<<<dlc_blocks(outputs), DLC_THREADS, 0,
                              ex->stream>>>(*p, *ep, outputs);
    dlc_check_launch(ex);
  }
}

/* Convolution of n NCHW images by packed weights (per group: panels of
 * M/groups rows over K = C/groups*KH*KW steps, groups one after another). */
DLC_LAUNCHER void dlc_conv2d_f32(int n, const dlc_conv_geom *g, const float *in,
                                 const dlc_asource *w, float *out,
                                 const dlc_epilogue_f32 *ep, int splits,
                                 float *partial, dlc_exec *ex) {
  int mg = g->m / g->groups, K = g->c / g->groups * g->kh * g->kw;
  /* fp16 / bf16 weights come in pairs of steps (K rounded up to even). */
  dlc_gemm_params p = dlc_conv_params(
      g, in, out,
      dlc_panel_elems(mg, w->kind == DLC_A_TC16 ? DLC_ROUND_UP(K, 2) : K));
  p.a = *w;
  p.splits = splits;
  p.partial = partial;
  dlc_launch_gemm_f32(&p, n, ep, ex);
}

/* A fully connected layer: out[r][i] = sum_k in[r][k] W[i][k] (+ ep). */
DLC_LAUNCHER void dlc_linear_f32(int rows, int K, int M, const float *in,
                                 const dlc_asource *w, float *out,
                                 const dlc_epilogue_f32 *ep, int splits,
                                 float *partial, dlc_exec *ex) {
  dlc_gemm_params p =
      dlc_linear_params(rows, K, M, in, w, out, splits, partial);
  dlc_launch_gemm_f32(&p, 1, ep, ex);
}

/* `count` matrices lhs (M x K, row-major, `stride` elements apart) into
 * fp32 panels, one after another. */
DLC_KERNEL void dlc_pack_a_f32_kernel(int count, int M, int K, const float *src,
                                      int64_t stride, float *dst) {
  int64_t each = dlc_panel_elems(M, K);
  DLC_FOR(e, count * each) {
    const float *lhs = src + e / each * stride;
    int64_t panel = e % each / ((int64_t)K * DLC_MR),
            rest = e % ((int64_t)K * DLC_MR);
    int k = (int)(rest / DLC_MR), r = (int)(rest % DLC_MR);
    int row = (int)panel * DLC_MR + r;
    dst[e] = row < M ? lhs[(int64_t)row * K + k] : 0.0f;
  }
}

/* Batched lhs[b] (M x K) times rhs[b] (K x N), batch strides in elements
 * (0 broadcasts), in one launch; `packed` holds the lhs panels (one set
 * when the lhs is broadcast). */
DLC_LAUNCHER void dlc_matmul_f32(int batch, int M, int N, int K,
                                 const float *lhs, int64_t lhs_stride,
                                 const float *rhs, int64_t rhs_stride,
                                 float *out, float *packed, int splits,
                                 float *partial, dlc_exec *ex) {
  dlc_epilogue_f32 ep = {0, 0, 0, {-INFINITY, INFINITY}};
  int packs = lhs_stride ? batch : 1;
#if defined(DLC_WANT_F16_TC) || defined(DLC_WANT_BF16_TC)
  /* The tensor cores' type, in pairs of steps, as weights are emitted. */
  int64_t each = dlc_panel_elems(M, (K + 1) / 2); /* words */
  dlc_pack_a_tc_kernel<dlc_tc_type>
      <<<dlc_blocks(packs * each), DLC_THREADS, 0, ex->stream>>>(
          packs, M, K, lhs, lhs_stride, (uint32_t *)packed);
  int kind = DLC_A_TC16;
  each *= 2; /* a_group counts fp16 / bf16 elements */
#else
  int64_t each = dlc_panel_elems(M, K);
  dlc_pack_a_f32_kernel<<<dlc_blocks(packs * each), DLC_THREADS, 0,
                          ex->stream>>>(packs, M, K, lhs, lhs_stride, packed);
  int kind = DLC_A_F32;
#endif
  dlc_check_launch(ex);
  dlc_gemm_params p = dlc_batched_params(batch, M, N, K, rhs, rhs_stride, out,
                                         lhs_stride ? each : 0);
  p.a.kind = kind;
  p.a.data = packed;
  p.splits = splits;
  p.partial = partial;
  dlc_launch_gemm_f32(&p, 1, &ep, ex);
}

#endif /* DLC_WANT_SIMT_F32 || DLC_WANT_F16_TC || ... */
