/*===- gemm.cuh - GEMM and convolution: tiles, operands, epilogues ---------===*
 *
 * Weights arrive in the layout the shared lowering packs (panels of 8
 * rows, reduction-step-major; int8 and fp8 in groups of 4 steps, fp16 /
 * bf16 in pairs); activations are read in place: convolutions gather their
 * implicit im2col columns while filling shared memory, 1x1 stride-1
 * convolutions and linear layers read a strided matrix. A block computes a
 * DLC_BM x DLC_BN tile (the target's tile sizes, set before this file)
 * with 256 threads; on CUDA cores each accumulates a (DLC_BM/16) x
 * (DLC_BN/16) sub-tile in registers, every output element reduced in order
 * over k. Groups and images are the grid's z dimension. This file has
 * what every GEMM kernel shares: the parameters, where A and B elements
 * are, the epilogue stores and split-K's reduction; pipeline.cuh the
 * cp.async staging, gemm_f32.cuh and gemm_s8.cuh the CUDA-core kernels,
 * tensorcore.cuh, fp8.cuh and sparse.cuh the tensor-core ones.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_BM
#define DLC_BM 64
#endif
#ifndef DLC_BN
#define DLC_BN 64
#endif
#ifndef DLC_BK
#define DLC_BK 16
#endif
#define DLC_TM (DLC_BM / 16)
#define DLC_TN (DLC_BN / 16)

/* One GEMM per (image, group) of the grid's z dimension: C = A B. With
 * `splits` > 1 (split-K, fp32 epilogues), z is (image, group) x slice: each
 * slice sums a share of the reduction into `partial` (M x N floats per z)
 * and dlc_split_reduce_kernel adds the slices in order and applies the
 * epilogue. */
typedef struct {
  int M, N, K, groups, splits;
  float *partial;
  dlc_asource a;
  int64_t a_group; /* weights per group (elements of the panel layout) */
  const void *b;   /* activations: image 0, group 0 */
  int64_t rs, cs;  /* strided B(k, j) = b[k*rs + j*cs] */
  int conv;        /* B is the implicit im2col of `g` */
  dlc_conv_geom g;
  int64_t b_image, b_group; /* element offsets per image and group */
  void *c;
  int64_t ldi, ldj, c_image, c_group;
} dlc_gemm_params;

/* Index of weight (row, k) in packed panels of K steps (one element per
 * weight). */
DLC_DEVICE int64_t dlc_panel_at(int row, int k, int K) {
  return ((int64_t)(row / DLC_MR) * K + k) * DLC_MR + row % DLC_MR;
}

DLC_DEVICE float dlc_a_f32(const dlc_asource &a, int64_t group, int M, int K,
                           int row, int k) {
  if (row >= M)
    return 0.0f;
  int64_t at = dlc_panel_at(row, k, K);
  if (a.kind == DLC_A_NF4) {
    uint8_t byte = ((const uint8_t *)a.data)[(group + at) / 2];
    int code = row % 2 == 0 ? byte >> 4 : byte & 0xF;
    int64_t index = a.first + (int64_t)row * K + k;
    return a.codebook[code] * a.scales[index / a.block];
  }
  return ((const float *)a.data)[group + at];
}

/* Where B(k, j) of an image's group is: strided, or the conv's unfolded
 * input (null in the padding outside the image). */
template <typename T>
DLC_DEVICE const T *dlc_b_ptr(const dlc_gemm_params &p, const T *b, int k,
                              int j) {
  if (!p.conv)
    return b + (int64_t)k * p.rs + (int64_t)j * p.cs;
  const dlc_conv_geom &g = p.g;
  int taps = g.kh * g.kw;
  int c = k / taps, ky = (k % taps) / g.kw, kx = k % g.kw;
  int oy = j / g.ow, ox = j % g.ow;
  int iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
  if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
    return nullptr;
  return b + ((int64_t)c * g.h + iy) * g.w + ix;
}

/* Step t and column s of element e of a chunk of KC steps x DLC_BN columns
 * of B, ordered so that consecutive threads read consecutive addresses:
 * along the columns (a convolution's input, or its im2col gather) or, where
 * B is contiguous in k (a linear layer's activations), along the steps. */
template <int KC>
DLC_DEVICE void dlc_b_element(const dlc_gemm_params &p, int e, int *t, int *s) {
  bool along_k = !p.conv && p.rs == 1 && p.cs != 1;
  *t = along_k ? e % KC : e / DLC_BN;
  *s = along_k ? e / KC : e % DLC_BN;
}

/* B(k, j), `pad` in a convolution's padding. */
template <typename T>
DLC_DEVICE T dlc_b_at(const dlc_gemm_params &p, const T *b, int k, int j,
                      T pad) {
  const T *at = dlc_b_ptr(p, b, k, j);
  return at ? *at : pad;
}

/* The GEMM of a convolution (per image and group of the grid's z): A the
 * group's packed weights (`a_group` elements apart), B the image's unfolded
 * input (or the input itself for 1x1 stride-1 convolutions), C the output. */
DLC_LAUNCHER dlc_gemm_params dlc_conv_params(const dlc_conv_geom *g,
                                             const void *in, void *out,
                                             int64_t a_group) {
  int cg = g->c / g->groups, mg = g->m / g->groups, P = g->oh * g->ow;
  dlc_gemm_params p;
  memset(&p, 0, sizeof(p));
  p.M = mg;
  p.N = P;
  p.K = cg * g->kh * g->kw;
  p.groups = g->groups;
  p.a_group = a_group;
  p.b = in;
  p.rs = P;
  p.cs = 1;
  p.conv = !dlc_conv_is_pointwise(g);
  p.g = *g;
  p.b_image = (int64_t)g->c * g->h * g->w;
  p.b_group = (int64_t)cg * g->h * g->w;
  p.c = out;
  p.ldi = P;
  p.ldj = 1;
  p.c_image = (int64_t)g->m * P;
  p.c_group = (int64_t)mg * P;
  return p;
}

/* Elements of the packed panels of `rows` rows over K steps. */
DLC_HOST_DEVICE int64_t dlc_panel_elems(int rows, int K) {
  return (int64_t)DLC_ROUND_UP(rows, DLC_MR) * K;
}

/* A single GEMM: B(k, j) = b[k*rs + j*cs], C(i, j) = c[i*ldi + j*ldj]. */
DLC_LAUNCHER dlc_gemm_params dlc_matrix_params(int M, int N, int K,
                                               const void *b, int64_t rs,
                                               int64_t cs, void *c, int64_t ldi,
                                               int64_t ldj) {
  dlc_gemm_params p;
  memset(&p, 0, sizeof(p));
  p.M = M;
  p.N = N;
  p.K = K;
  p.groups = 1;
  p.b = b;
  p.rs = rs;
  p.cs = cs;
  p.c = c;
  p.ldi = ldi;
  p.ldj = ldj;
  return p;
}

/* The GEMM of a fully connected layer, out[r][i] = sum_k in[r][k] W[i][k]:
 * the weights `w` as A, each input row a column of B, split-K's slices
 * and partial sums. */
DLC_LAUNCHER dlc_gemm_params dlc_linear_params(int rows, int K, int M,
                                               const void *in,
                                               const dlc_asource *w, void *out,
                                               int splits, float *partial) {
  dlc_gemm_params p = dlc_matrix_params(M, rows, K, in, 1, K, out, 1, M);
  p.a = *w;
  p.splits = splits;
  p.partial = partial;
  return p;
}

/* The GEMM of a batched matrix product: one batch per group of the grid's
 * z dimension (B and C `b_group` and M x N elements apart), A the packed
 * lhs of each batch (`a_group` elements apart; 0 when one lhs serves
 * all). */
DLC_LAUNCHER dlc_gemm_params dlc_batched_params(int batch, int M, int N, int K,
                                                const void *rhs,
                                                int64_t rhs_stride, void *out,
                                                int64_t a_group) {
  dlc_gemm_params p = dlc_matrix_params(M, N, K, rhs, N, 1, out, N, 1);
  p.groups = batch;
  p.a_group = a_group;
  p.b_group = rhs_stride;
  p.c_group = (int64_t)M * N;
  return p;
}

/* The weights of group `grp`: its panels follow the previous groups'. */
DLC_DEVICE dlc_asource dlc_group_weights(const dlc_gemm_params &p, int grp) {
  dlc_asource a = p.a;
  a.first += (int64_t)grp * p.M * p.K;
  return a;
}

/* This block's (image, group) index and its share [first, first + count)
 * of the reduction's `chunks` (all of them without split-K). */
typedef struct {
  int z, first, count;
} dlc_k_slice;
DLC_DEVICE dlc_k_slice dlc_slice_of(const dlc_gemm_params &p, int chunks) {
  int splits = p.splits > 1 ? p.splits : 1, s = blockIdx.z % splits;
  int first = (int)((int64_t)chunks * s / splits);
  int end = (int)((int64_t)chunks * (s + 1) / splits);
  return {(int)(blockIdx.z / splits), first, end - first};
}

/* A float GEMM block's share of the work: its slice of `chunks` reduction
 * chunks, its (image, group), its tile's origin, its image's fp32 B and its
 * group's weights (`a`, `ag` elements in). */
typedef struct {
  dlc_k_slice slice;
  int img, grp, i0, j0;
  const float *b;
  dlc_asource a;
  int64_t ag;
} dlc_f32_block;
DLC_DEVICE dlc_f32_block dlc_f32_block_of(const dlc_gemm_params &p,
                                          int chunks) {
  dlc_f32_block blk;
  blk.slice = dlc_slice_of(p, chunks);
  blk.img = blk.slice.z / p.groups;
  blk.grp = blk.slice.z % p.groups;
  blk.i0 = blockIdx.y * DLC_BM;
  blk.j0 = blockIdx.x * DLC_BN;
  blk.b = (const float *)p.b + blk.img * p.b_image + blk.grp * p.b_group;
  blk.a = dlc_group_weights(p, blk.grp);
  blk.ag = blk.grp * p.a_group;
  return blk;
}

/* Where this block keeps its partial sum of (i, j) under split-K: M x N
 * values per block z (image, group, slice). */
DLC_DEVICE int64_t dlc_partial_at(const dlc_gemm_params &p, int i, int j) {
  return (int64_t)blockIdx.z * p.M * p.N + (int64_t)i * p.N + j;
}

/* Result (i, j) of group `grp` of image `img` through the fp32 epilogue:
 * scale (fp8 layers), bias, residual, clamp; under split-K, the block's
 * partial sum, kept for dlc_split_reduce_kernel. */
DLC_DEVICE void dlc_store_f32(const dlc_gemm_params &p,
                              const dlc_epilogue_f32 &ep, int img, int grp,
                              int i, int j, float v) {
  if (p.splits > 1) {
    p.partial[dlc_partial_at(p, i, j)] = v;
    return;
  }
  int row = grp * p.M + i; /* the channel across groups */
  if (ep.scale)
    v *= ep.scale[row];
  if (ep.bias)
    v += ep.bias[row];
  int64_t at = img * p.c_image + grp * p.c_group + (int64_t)i * p.ldi +
               (int64_t)j * p.ldj;
  if (ep.residual)
    v += ep.residual[at];
  ((float *)p.c)[at] = fminf(fmaxf(v, ep.clamp.lo), ep.clamp.hi);
}

/* Result (i, j) of an int8 GEMM: the zero points' row and column
 * corrections, then the executor's requantization; under split-K, the
 * block's exact int32 partial sum. */
DLC_DEVICE void dlc_store_s8(const dlc_gemm_params &p, const int32_t *rowcorr,
                             const int32_t *colcorr,
                             const dlc_requant_params &rq, int img, int grp,
                             int i, int j, int32_t acc) {
  if (p.splits > 1) {
    ((int32_t *)p.partial)[dlc_partial_at(p, i, j)] = acc;
    return;
  }
  int row = grp * p.M + i;
  int at = rq.per_row ? row : 0;
  int32_t v = acc + rowcorr[row] + (colcorr ? colcorr[grp * p.N + j] : 0);
  ((int8_t *)p.c)[img * p.c_image + grp * p.c_group + (int64_t)i * p.ldi +
                  (int64_t)j * p.ldj] =
      dlc_clamp_s8(rq.zero_point +
                       dlc_requant(v, rq.multiplier[at], rq.shift[at]),
                   rq.lo, rq.hi);
}

/* Split-K's second step: each output the sum of its slices' partial sums
 * (T: float, or int32 for int8), in slice order, through the epilogue
 * `store(p, img, grp, i, j, sum)` (p with one slice). */
template <typename T, typename Store>
DLC_DEVICE void dlc_split_reduce(dlc_gemm_params p, int64_t outputs,
                                 Store store) {
  int splits = p.splits;
  int64_t mn = (int64_t)p.M * p.N;
  p.splits = 1;
  DLC_FOR(e, outputs) {
    int64_t z = e / mn, ij = e % mn;
    const T *part = (const T *)p.partial + z * splits * mn + ij;
    T sum = 0;
    for (int s = 0; s < splits; ++s)
      sum += part[s * mn];
    store(p, (int)(z / p.groups), (int)(z % p.groups), (int)(ij / p.N),
          (int)(ij % p.N), sum);
  }
}
#if defined(DLC_WANT_SIMT_F32) || defined(DLC_WANT_F16_TC) ||                  \
    defined(DLC_WANT_BF16_TC) || defined(DLC_WANT_TF32_TC) ||                  \
    defined(DLC_WANT_FP8_TC)
DLC_KERNEL void dlc_split_reduce_kernel(dlc_gemm_params p, dlc_epilogue_f32 ep,
                                        int64_t outputs) {
  dlc_split_reduce<float>(
      p, outputs,
      [&](const dlc_gemm_params &q, int img, int grp, int i, int j, float sum) {
        dlc_store_f32(q, ep, img, grp, i, j, sum);
      });
}
#endif
#ifdef DLC_WANT_S8_GEMM
DLC_KERNEL void dlc_split_reduce_s8_kernel(dlc_gemm_params p,
                                           const int32_t *rowcorr,
                                           const int32_t *colcorr,
                                           dlc_requant_params rq,
                                           int64_t outputs) {
  dlc_split_reduce<int32_t>(p, outputs,
                            [&](const dlc_gemm_params &q, int img, int grp,
                                int i, int j, int32_t sum) {
                              dlc_store_s8(q, rowcorr, colcorr, rq, img, grp, i,
                                           j, sum);
                            });
}
#endif

/* The grid of a GEMM over `images` x groups, split-K slices included. */
DLC_LAUNCHER dim3 dlc_gemm_grid(const dlc_gemm_params *p, int images) {
  return dim3((p->N + DLC_BN - 1) / DLC_BN, (p->M + DLC_BM - 1) / DLC_BM,
              images * p->groups * (p->splits > 1 ? p->splits : 1));
}

/* Outputs of the GEMMs when split-K needs its second step, else 0. */
DLC_LAUNCHER int64_t dlc_split_outputs(const dlc_gemm_params *p, int images) {
  return p->splits > 1 ? (int64_t)images * p->groups * p->M * p->N : 0;
}
