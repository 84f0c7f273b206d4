/*===- gemm.cuh - GEMM and convolution (fp32 SIMT, int8 dp4a) -------------===*
 *
 * Weights arrive in the layout the shared lowering packs (panels of 8
 * rows, reduction-step-major; int8 and fp8 in groups of 4 steps, fp16 /
 * bf16 in pairs); activations are read in place: convolutions gather their
 * implicit im2col columns while filling shared memory, 1x1 stride-1
 * convolutions and linear layers read a strided matrix. A block computes a
 * DLC_BM x DLC_BN tile (the target's tile sizes, set before this file)
 * with 256 threads; on CUDA cores each accumulates a (DLC_BM/16) x
 * (DLC_BN/16) sub-tile in registers, every output element reduced in order
 * over k. Groups and images are the grid's z dimension. The cp.async
 * staging helpers and the pipeline loop here serve every GEMM kernel.
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
    defined(DLC_WANT_BF16_TC) || defined(DLC_WANT_FP8_TC)
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

/*===--- staging: cp.async pipelines ------------------------------------===*/

/* cp.async: a copy of BYTES (4 or 16) from global to shared memory that
 * completes in the background, zeros when !valid (`at` is then any
 * readable address); committed in groups and waited for with
 * dlc_cp_async_wait. Before sm_80, an ordinary copy. */
template <int BYTES>
DLC_DEVICE void dlc_cp_async(void *to, const void *at, bool valid) {
#ifdef DLC_CUDA_EMULATOR
  dlc_emu::cp_async(to, at, BYTES, valid ? BYTES : 0);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  unsigned shared = (unsigned)__cvta_generic_to_shared(to);
  if constexpr (BYTES == 16)
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(shared),
                 "l"(at), "r"(valid ? 16 : 0));
  else
    asm volatile("cp.async.ca.shared.global [%0], [%1], %2, %3;" ::"r"(shared),
                 "l"(at), "n"(BYTES), "r"(valid ? BYTES : 0));
#else
  if constexpr (BYTES == 16)
    *(float4 *)to = valid ? *(const float4 *)at : make_float4(0, 0, 0, 0);
  else
    *(float *)to = valid ? *(const float *)at : 0.0f;
#endif
}
DLC_DEVICE void dlc_cp_async_commit() {
#ifdef DLC_CUDA_EMULATOR
  dlc_emu::cp_async_commit();
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile("cp.async.commit_group;");
#endif
}
/* Waits until at most PENDING committed groups are still in flight. */
template <int PENDING> DLC_DEVICE void dlc_cp_async_wait() {
#ifdef DLC_CUDA_EMULATOR
  dlc_emu::cp_async_wait(PENDING);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile("cp.async.wait_group %0;" ::"n"(PENDING));
#endif
}

#ifndef DLC_STAGES
#define DLC_STAGES 3
#endif
static_assert(DLC_STAGES >= 2, "a pipeline needs at least 2 stages");

/* The reduction's chunks through the pipeline: `stage(s, c)` issues the
 * copies of chunk c into stage s, `compute(s)` multiplies the chunk in
 * stage s, through STAGES stages (DLC_STAGES unless a kernel's chunks need
 * fewer). Chunk c goes to stage c % STAGES; every iteration commits one
 * group (empty past the last chunk), so waiting until STAGES - 2 are in
 * flight means chunk c has landed, and the barrier also tells the
 * threads that every warp is done with the stage refilled next. */
template <int STAGES = DLC_STAGES, typename Stage, typename Compute>
DLC_DEVICE void dlc_pipeline(int chunks, Stage stage, Compute compute) {
  for (int c = 0; c < STAGES - 1; ++c) {
    if (c < chunks)
      stage(c, c);
    dlc_cp_async_commit();
  }
  for (int c = 0; c < chunks; ++c) {
    dlc_cp_async_wait<STAGES - 2>();
    __syncthreads();
    int next = c + STAGES - 1;
    if (next < chunks)
      stage(next % STAGES, next);
    dlc_cp_async_commit();
    compute(c % STAGES);
  }
}

/* Staged fp32 rows: one reduction step of the block tile's A rows or B
 * columns each, padded by 4 words (16-byte aligned, and a fragment load of
 * steps 2t, 2t + 1 hits 32 different banks). */
#define DLC_AROW_F32 (DLC_BM + 4)
#define DLC_BROW_F32 (DLC_BN + 4)

/* Issues the copies of B's steps k0 .. k0 + STEPS - 1 (fp32) into rows of
 * one stage, one element at a time (a convolution's implicit im2col
 * gathers); padding and steps past K are zeros. */
template <int STEPS>
DLC_DEVICE void dlc_stage_b_f32(const dlc_gemm_params &p, const float *b,
                                int j0, int k0, float (*Bs)[DLC_BROW_F32]) {
  for (int e = threadIdx.x; e < STEPS * DLC_BN; e += blockDim.x) {
    int t, s;
    dlc_b_element<STEPS>(p, e, &t, &s);
    int k = k0 + t, j = j0 + s;
    const float *at = k < p.K && j < p.N ? dlc_b_ptr(p, b, k, j) : nullptr;
    dlc_cp_async<4>(&Bs[t][s], at ? at : b, at != nullptr);
  }
}

/* Issues the copies of A's steps k0 .. k0 + STEPS - 1 into rows of one
 * stage: fp32 panels 16 bytes (4 rows of a step) at a time, NF4 weights
 * decoded here; steps past K are zeros. */
template <int STEPS>
DLC_DEVICE void dlc_stage_a_f32(const dlc_gemm_params &p, const dlc_asource &a,
                                int64_t ag, int i0, int k0,
                                float (*As)[DLC_AROW_F32]) {
  const float *weights = (const float *)a.data;
  /* Consecutive threads: the 2 quads of a panel row, then its steps. */
  for (int e = threadIdx.x; e < STEPS * DLC_BM / 4; e += blockDim.x) {
    int r = e / (2 * STEPS) * DLC_MR + e % 2 * 4, t = e / 2 % STEPS;
    int row = i0 + r, k = k0 + t;
    if (a.kind == DLC_A_F32) {
      bool valid = row < p.M && k < p.K;
      dlc_cp_async<16>(
          &As[t][r], valid ? weights + ag + dlc_panel_at(row, k, p.K) : weights,
          valid);
    } else {
      for (int q = 0; q < 4; ++q)
        As[t][r + q] = k < p.K ? dlc_a_f32(a, ag, p.M, p.K, row + q, k) : 0.0f;
    }
  }
}

/* N consecutive staged floats (16-byte aligned where N is a multiple of 4)
 * into registers. */
template <int N> DLC_DEVICE void dlc_load_f32(const float *at, float *v) {
  if constexpr (N % 4 == 0) {
#pragma unroll
    for (int i = 0; i < N / 4; ++i) {
      float4 q = ((const float4 *)at)[i];
      v[4 * i] = q.x;
      v[4 * i + 1] = q.y;
      v[4 * i + 2] = q.z;
      v[4 * i + 3] = q.w;
    }
  } else {
#pragma unroll
    for (int i = 0; i < N; ++i)
      v[i] = at[i];
  }
}

#if defined(DLC_WANT_NF4_SIMT) || defined(DLC_WANT_NF4_TC)
/* NF4 weights staged as codes (the fp32 and the tensor-core kernels): the
 * 16 codebook values, as bits, into `book` in shared memory (the
 * pipeline's first barrier comes before they are read). */
DLC_DEVICE void dlc_nf4_load_book(const dlc_asource &a, uint32_t *book) {
  if (threadIdx.x < 16)
    book[threadIdx.x] = __float_as_uint(a.codebook[threadIdx.x]);
}

/* Issues the copies of the block scales of the tile's DLC_BM rows at step
 * k0 (a chunk lies in one block) into `to`; rows past M get zeros. */
DLC_DEVICE void dlc_stage_nf4_scales(const dlc_gemm_params &p,
                                     const dlc_asource &a, int i0, int k0,
                                     uint32_t *to) {
  for (int r = threadIdx.x; r < DLC_BM; r += blockDim.x) {
    int row = i0 + r;
    bool valid = row < p.M;
    dlc_cp_async<4>(to + r,
                    valid ? a.scales +
                                (a.first + (int64_t)row * p.K + k0) / a.block
                          : a.scales,
                    valid);
  }
}
#endif

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
  dlc_k_slice slice = dlc_slice_of(p, (p.K + DLC_BK - 1) / DLC_BK);
  int img = slice.z / p.groups, grp = slice.z % p.groups;
  const float *b = (const float *)p.b + img * p.b_image + grp * p.b_group;
  dlc_asource a = p.a;
  a.first += (int64_t)grp * p.M * p.K;
  int64_t ag = grp * p.a_group;
  int i0 = blockIdx.y * DLC_BM, j0 = blockIdx.x * DLC_BN;
  int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  float acc[DLC_TM][DLC_TN] = {};
#ifdef DLC_WANT_NF4_SIMT
  uint32_t *book = (uint32_t *)As[0][0] + DLC_NF4_WORDS + DLC_BM;
  if constexpr (NF4)
    dlc_nf4_load_book(a, book);
#endif
  dlc_pipeline<2>(
      slice.count,
      [&](int s, int c) {
        int k0 = (slice.first + c) * DLC_BK;
#ifdef DLC_WANT_NF4_SIMT
        if constexpr (NF4)
          dlc_stage_nf4_f32(p, a, ag, i0, k0, (uint32_t *)As[s][0]);
        else
#endif
          dlc_stage_a_f32<DLC_BK>(p, a, ag, i0, k0, As[s]);
        dlc_stage_b_f32<DLC_BK>(p, b, j0, k0, Bs[s]);
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
      int i = i0 + ty * DLC_TM + r, j = j0 + tx * DLC_TN + s;
      if (i < p.M && j < p.N)
        dlc_store_f32(p, ep, img, grp, i, j, acc[r][s]);
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
#if defined(DLC_WANT_S8_GEMM) && !defined(DLC_INT8_DP4A)
DLC_KERNEL void dlc_gemm_s8_tc_kernel(dlc_gemm_params p, int8_t pad,
                                      const int32_t *rowcorr,
                                      const int32_t *colcorr,
                                      dlc_requant_params rq);
#endif

/* The fp32 GEMMs (fp32 or NF4 weights), compiled when the model has such
 * layers: on CUDA cores (DLC_WANT_SIMT_F32), or on fp16 / bf16 tensor cores
 * with --cuda-precision=fp16 / bf16 (DLC_WANT_F16_TC / DLC_WANT_BF16_TC;
 * DLC_WANT_NF4_TC where NF4 weights are staged as codes).
 * fp8 layers multiply their codes (fp8.cuh, DLC_WANT_FP8_TC). The printer
 * defines the macros from the model's calls. */
#if defined(DLC_WANT_SIMT_F32) || defined(DLC_WANT_F16_TC) ||                  \
    defined(DLC_WANT_BF16_TC)
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
  dlc_gemm_params p = dlc_matrix_params(M, rows, K, in, 1, K, out, 1, M);
  p.a = *w;
  p.splits = splits;
  p.partial = partial;
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

#endif /* DLC_WANT_SIMT_F32 || DLC_WANT_F16_TC */

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
#ifdef DLC_INT8_DP4A
  dlc_gemm_s8_kernel<<<dlc_gemm_grid(p, images), DLC_THREADS, 0, ex->stream>>>(
      *p, pad, rowcorr, colcorr, *rq);
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
