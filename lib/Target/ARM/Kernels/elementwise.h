/*===- elementwise.h - elementwise, normalization and softmax ------------===*
 *
 * Formulas and evaluation order follow the reference executor's fp32
 * kernels; libm's expf/erff/tanhf stand in for std::exp/erf/tanh.
 *
 *===----------------------------------------------------------------------===*/

DLC_INLINE float32x4_t dlc_binary_vector(int op, float32x4_t a, float32x4_t b) {
  switch (op) {
  case DLC_ADD:
    return vaddq_f32(a, b);
  case DLC_SUB:
    return vsubq_f32(a, b);
  case DLC_MUL:
    return vmulq_f32(a, b);
  case DLC_MAX: /* FMAX / FMIN: NaN on either side gives NaN */
    return vmaxq_f32(a, b);
  case DLC_MIN:
    return vminq_f32(a, b);
  default:
    return vdivq_f32(a, b);
  }
}

/* out = a op b with numpy broadcasting: `shape` is the result's (rank <=
 * 6), a_strides/b_strides the operands' element strides (0 where they
 * broadcast). The innermost dimension runs four lanes at a time. */
DLC_INLINE void dlc_binary_f32_serial(int op, int rank, const int64_t *shape,
                                      const float *a, const int64_t *a_strides,
                                      const float *b, const int64_t *b_strides,
                                      float *out, dlc_clamp clamp) {
  int64_t index[6] = {0, 0, 0, 0, 0, 0};
  int64_t inner = shape[rank - 1], outer = 1;
  for (int d = 0; d < rank - 1; ++d)
    outer *= shape[d];
  int64_t sa = a_strides[rank - 1], sb = b_strides[rank - 1];
  float32x4_t lo = vdupq_n_f32(clamp.lo), hi = vdupq_n_f32(clamp.hi);
  for (int64_t o = 0; o < outer; ++o) {
    int64_t offa = 0, offb = 0;
    for (int d = 0; d < rank - 1; ++d) {
      offa += index[d] * a_strides[d];
      offb += index[d] * b_strides[d];
    }
    const float *pa = a + offa, *pb = b + offb;
    float *po = out + o * inner;
    int64_t i = 0,
            vectors = sa == 1 && (sb == 1 || sb == 0) ? inner / 4 * 4 : 0;
    for (; i < vectors; i += 4) {
      float32x4_t vb = sb ? vld1q_f32(pb + i) : vdupq_n_f32(pb[0]);
      float32x4_t v = dlc_binary_vector(op, vld1q_f32(pa + i), vb);
      vst1q_f32(po + i, vminq_f32(vmaxq_f32(v, lo), hi));
    }
    for (; i < inner; ++i) {
      float v = dlc_binary_scalar(op, pa[i * sa], pb[i * sb]);
      po[i] = DLC_MIN(DLC_MAX(v, clamp.lo), clamp.hi);
    }
    for (int d = rank - 2; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

DLC_INLINE void dlc_unary_f32_serial(int op, int64_t n, const float *in,
                                     float *out, float lo, float hi) {
  int64_t i = 0;
  if (op == DLC_RELU || op == DLC_CLIP) {
    if (op == DLC_RELU) {
      lo = 0.0f;
      hi = INFINITY;
    }
    float32x4_t vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);
    for (int64_t vectors = n / 4 * 4; i < vectors; i += 4)
      vst1q_f32(out + i, vminq_f32(vmaxq_f32(vld1q_f32(in + i), vlo), vhi));
    for (; i < n; ++i)
      out[i] = DLC_MIN(DLC_MAX(in[i], lo), hi);
    return;
  }
  for (; i < n; ++i)
    out[i] = dlc_unary_scalar(op, in[i], lo, hi);
}

/* y = x * mul[c] + add[c] over n x c planes of `spatial` values (an
 * inference batch norm, coefficients derived at emit time). */
DLC_INLINE void dlc_channel_affine_f32_serial(int64_t n, int64_t c,
                                              int64_t spatial, const float *in,
                                              const float *mul,
                                              const float *add, float *out) {
  for (int64_t plane = 0; plane < n * c; ++plane) {
    int64_t ch = plane % c;
    const float *src = in + plane * spatial;
    float *dst = out + plane * spatial;
    for (int64_t i = 0; i < spatial; ++i)
      dst[i] = src[i] * mul[ch] + add[ch];
  }
}

DLC_INLINE void dlc_softmax_f32_serial(int64_t outer, int64_t size,
                                       int64_t inner, const float *in,
                                       float *out, int log) {
  for (int64_t line = 0; line < outer * inner; ++line) {
    int64_t o = line / inner, i = line % inner;
    dlc_softmax_line(in + o * size * inner + i, out + o * size * inner + i,
                     size, inner, log);
  }
}

/* Layer norm over the last `size` values of each of `rows` rows; mean and
 * variance in double. */
DLC_INLINE void dlc_layernorm_f32_serial(int64_t rows, int64_t size,
                                         const float *in, const float *scale,
                                         const float *bias, float epsilon,
                                         float *out) {
  for (int64_t r = 0; r < rows; ++r) {
    dlc_layernorm_row(in + r * size, out + r * size, size, scale, bias,
                      epsilon);
  }
}

/*===--- Parallel entry points: parts of the serial kernels above ---------===*/

typedef struct {
  int op, rank;
  const int64_t *shape;
  const float *a;
  const int64_t *as;
  const float *b;
  const int64_t *bs;
  float *out;
  dlc_clamp clamp;
  int64_t out_stride; /* output elements per index of dimension 0 */
} dlc_binary_args;

DLC_INLINE void dlc_binary_range(const void *p, int64_t begin, int64_t end) {
  const dlc_binary_args *x = (const dlc_binary_args *)p;
  int64_t shape[6];
  for (int d = 0; d < x->rank; ++d)
    shape[d] = x->shape[d];
  shape[0] = end - begin;
  dlc_binary_f32_serial(x->op, x->rank, shape, x->a + begin * x->as[0], x->as,
                        x->b + begin * x->bs[0], x->bs,
                        x->out + begin * x->out_stride, x->clamp);
}

/* out = a op b with broadcasting, split along the first dimension that is
 * not 1. */
DLC_INLINE void dlc_binary_f32(int op, int rank, const int64_t *shape,
                               const float *a, const int64_t *a_strides,
                               const float *b, const int64_t *b_strides,
                               float *out, dlc_clamp clamp,
                               const dlc_exec *ex) {
  int skip = dlc_unit_prefix(rank, shape);
  int64_t total = 1, stride = 1;
  for (int d = skip; d < rank; ++d)
    total *= shape[d];
  stride = total / DLC_MAX(shape[skip], 1);
  dlc_binary_args args = {
      op, rank - skip,      shape + skip, a,     a_strides + skip,
      b,  b_strides + skip, out,          clamp, stride};
  if (rank - skip < 2) {
    dlc_binary_f32_serial(op, rank - skip, shape + skip, a, a_strides + skip, b,
                          b_strides + skip, out, clamp);
    return;
  }
  dlc_parallel_for(ex, shape[skip], 1, total, dlc_binary_range, &args);
}

typedef struct {
  int op;
  const float *in;
  float *out;
  float lo, hi;
} dlc_unary_args;

DLC_INLINE void dlc_unary_range(const void *p, int64_t begin, int64_t end) {
  const dlc_unary_args *x = (const dlc_unary_args *)p;
  dlc_unary_f32_serial(x->op, end - begin, x->in + begin, x->out + begin, x->lo,
                       x->hi);
}

DLC_INLINE void dlc_unary_f32(int op, int64_t n, const float *in, float *out,
                              float lo, float hi, const dlc_exec *ex) {
  dlc_unary_args args = {op, in, out, lo, hi};
  dlc_parallel_for(ex, n, 1024, n, dlc_unary_range, &args);
}

typedef struct {
  int64_t n, c, spatial;
  const float *in, *mul, *add;
  float *out;
} dlc_affine_args;

/* Channels [begin, end) of every image. */
DLC_INLINE void dlc_affine_range(const void *p, int64_t begin, int64_t end) {
  const dlc_affine_args *x = (const dlc_affine_args *)p;
  for (int64_t img = 0; img < x->n; ++img) {
    int64_t at = (img * x->c + begin) * x->spatial;
    dlc_channel_affine_f32_serial(1, end - begin, x->spatial, x->in + at,
                                  x->mul + begin, x->add + begin, x->out + at);
  }
}

DLC_INLINE void dlc_channel_affine_f32(int64_t n, int64_t c, int64_t spatial,
                                       const float *in, const float *mul,
                                       const float *add, float *out,
                                       const dlc_exec *ex) {
  dlc_affine_args args = {n, c, spatial, in, mul, add, out};
  dlc_parallel_for(ex, c, 1, n * c * spatial, dlc_affine_range, &args);
}

typedef struct {
  int64_t size, inner;
  const float *in;
  float *out;
  int log;
} dlc_softmax_args;

DLC_INLINE void dlc_softmax_range(const void *p, int64_t begin, int64_t end) {
  const dlc_softmax_args *x = (const dlc_softmax_args *)p;
  int64_t at = begin * x->size * x->inner;
  dlc_softmax_f32_serial(end - begin, x->size, x->inner, x->in + at,
                         x->out + at, x->log);
}

/* Softmax, or with `log` log-softmax, along the middle of outer x size x
 * inner. */
DLC_INLINE void dlc_softmax_f32(int64_t outer, int64_t size, int64_t inner,
                                const float *in, float *out, int log,
                                const dlc_exec *ex) {
  dlc_softmax_args args = {size, inner, in, out, log};
  dlc_parallel_for(ex, outer, 1, outer * size * inner, dlc_softmax_range,
                   &args);
}

typedef struct {
  int64_t size;
  const float *in, *scale, *bias;
  float epsilon;
  float *out;
} dlc_layernorm_args;

DLC_INLINE void dlc_layernorm_range(const void *p, int64_t begin, int64_t end) {
  const dlc_layernorm_args *x = (const dlc_layernorm_args *)p;
  dlc_layernorm_f32_serial(end - begin, x->size, x->in + begin * x->size,
                           x->scale, x->bias, x->epsilon,
                           x->out + begin * x->size);
}

DLC_INLINE void dlc_layernorm_f32(int64_t rows, int64_t size, const float *in,
                                  const float *scale, const float *bias,
                                  float epsilon, float *out,
                                  const dlc_exec *ex) {
  dlc_layernorm_args args = {size, in, scale, bias, epsilon, out};
  dlc_parallel_for(ex, rows, 1, rows * size, dlc_layernorm_range, &args);
}
