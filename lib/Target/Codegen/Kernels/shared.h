/*===- shared.h - what both backends' kernel libraries share -------------===*
 *
 * Copied into the ARM C library and the CUDA library after their common
 * header, which defines DLC_SHARED (static inline in C, __host__ __device__
 * in CUDA). The structures are the kernel program's aggregates; the
 * integer and fp8 arithmetic is the reference executor's, so int8 and fp8
 * results are the same on every backend.
 *
 *===----------------------------------------------------------------------===*/

/* Bounds a fused ReLU or clip applies to a float result; [-inf, inf] when
 * there is none. */
typedef struct {
  float lo, hi;
} dlc_clamp;

/* Convolution geometry of one image. */
typedef struct {
  int c, h, w;        /* input channels (all groups), height, width */
  int m, oh, ow;      /* output channels, height, width */
  int kh, kw, sh, sw; /* kernel and strides */
  int pt, pl, dh, dw; /* top/left padding and dilations */
  int groups;
} dlc_conv_geom;

/* A 1x1 stride-1 unpadded convolution: a plain GEMM on the image. */
DLC_SHARED int dlc_conv_is_pointwise(const dlc_conv_geom *g) {
  return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 &&
         g->pl == 0 && g->oh == g->h && g->ow == g->w;
}

enum {
  DLC_A_F32 = 0,
  DLC_A_NF4 = 1,
  DLC_A_FP8 = 2,
  DLC_A_SP24 = 3,
  DLC_A_TC16 = 4,
  DLC_A_NF4_TC = 5
};

/* The packed weights of one GEMM: fp32 panels, NF4 codes (a panel step
 * holds 8 nibbles, high nibble first) with one fp32 scale per `block`
 * consecutive weights in the original row-major order, fp8 codes with
 * their fp16 decoding table; or, on CUDA at fp16 / bf16 precision, the
 * weights in that type in panels of 8 rows by pairs of steps, or 2:4 sparse
 * rows: the two kept values of every 4 steps in that type as one 32-bit
 * word (K padded to a multiple of 32), row-major, and per row a 4-bit
 * selector of each group's kept steps (`meta`), or NF4 codes in panels of
 * 8 rows by words of 8 steps (DLC_A_NF4_TC: K and the block a multiple of
 * 16). */
typedef struct {
  int kind;
  const void *data;
  const float *scales;
  int block;
  int64_t first; /* original index of the first weight, for NF4 scales */
  const uint16_t *fp8_table;
  const float *codebook; /* the 16 NF4 values */
  const uint8_t *meta;   /* 2:4 selectors, two groups per byte */
} dlc_asource;

/* What the last reduction block applies to each result, in this order:
 * acc * scale[i] (fp8), + bias[i], + residual(i, j), clamp. */
typedef struct {
  const float *scale;
  const float *bias;
  const float *residual;
  dlc_clamp clamp;
} dlc_epilogue_f32;

typedef struct {
  int c, h, w, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
} dlc_pool_geom;

/* gemmlowp's SaturatingRoundingDoublingHighMul. */
DLC_SHARED int32_t dlc_srdhm(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN)
    return INT32_MAX;
  int64_t product = (int64_t)a * (int64_t)b;
  int64_t nudge = product >= 0 ? (1LL << 30) : (1 - (1LL << 30));
  return (int32_t)((product + nudge) / (1LL << 31));
}

/* gemmlowp's RoundingDivideByPOT: round half away from zero. */
DLC_SHARED int32_t dlc_rdivpot(int32_t x, int exponent) {
  if (exponent <= 0)
    return x;
  int32_t mask = (int32_t)((1LL << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * multiplier * 2^shift in fixed point (TFLite's
 * MultiplyByQuantizedMultiplier). */
DLC_SHARED int32_t dlc_requant(int32_t x, int32_t multiplier, int shift) {
  int left = shift > 0 ? shift : 0;
  int right = shift > 0 ? 0 : -shift;
  int64_t shifted = (int64_t)x * (1LL << left);
  if (shifted > INT32_MAX)
    shifted = INT32_MAX;
  if (shifted < INT32_MIN)
    shifted = INT32_MIN;
  return dlc_rdivpot(dlc_srdhm((int32_t)shifted, multiplier), right);
}

DLC_SHARED int8_t dlc_clamp_s8(int32_t v, int32_t lo, int32_t hi) {
  return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

/* An average rounded to int8 as the executor does: half to even, then
 * clamped to [lo, hi]. */
DLC_SHARED int8_t dlc_round_s8(float v, int lo, int hi) {
  float r = rintf(v);
  return (int8_t)(r<(float)lo ? (float)lo : r>(float) hi ? (float)hi : r);
}

/* Fixed-point parameters of one int8 result: per-row multipliers and
 * shifts (`per_row`: 1, or 0 for one pair), output zero point and
 * storage range (which carries a fused ReLU or clip). */
typedef struct {
  const int32_t *multiplier;
  const int32_t *shift;
  int per_row;
  int32_t zero_point, lo, hi;
} dlc_requant_params;

/* Where dlc_qmatmul_s8 keeps its corrections in `packed`, after `packs`
 * sets of lhs panels (packs * round8(M) * round4(K) bytes, rounded up to
 * 64): round16(batches * M) int32 row corrections, then the column
 * corrections (batch b's at b * M and b * N). The ARM kernels pack and
 * correct one batch at a time (1, 1); CUDA all at once. */
DLC_SHARED void dlc_qmatmul_corrections(int8_t *packed, int packs, int batches,
                                        int M, int K, int32_t **rowcorr,
                                        int32_t **colcorr) {
  int64_t panels =
      (int64_t)packs * DLC_ROUND_UP(M, DLC_MR) * DLC_ROUND_UP(K, 4);
  *rowcorr = (int32_t *)(packed + DLC_ROUND_UP(panels, 64));
  *colcorr = *rowcorr + DLC_ROUND_UP((int64_t)batches * M, 16);
}

/* The taps [*first, *last) of a window of `k` taps `d` apart starting at
 * `origin` that land inside [0, size). */
DLC_SHARED void dlc_valid_taps(int origin, int k, int d, int size, int *first,
                               int *last) {
  int f = 0, l = k;
  while (f < k && origin + f * d < 0)
    ++f;
  while (l > f && origin + (l - 1) * d >= size)
    --l;
  *first = f;
  *last = l;
}

/* Depthwise output (oy, ox) of one plane: its taps inside the image in
 * (ky, kx) order. */
DLC_SHARED float dlc_depthwise_point(const float *plane, const float *wt,
                                     const dlc_conv_geom *g, int oy, int ox) {
  int y0 = oy * g->sh - g->pt, x0 = ox * g->sw - g->pl, ky0, ky1, kx0, kx1;
  dlc_valid_taps(y0, g->kh, g->dh, g->h, &ky0, &ky1);
  dlc_valid_taps(x0, g->kw, g->dw, g->w, &kx0, &kx1);
  float acc = 0.0f;
  for (int ky = ky0; ky < ky1; ++ky)
    for (int kx = kx0; kx < kx1; ++kx)
      acc += plane[(y0 + ky * g->dh) * g->w + x0 + kx * g->dw] *
             wt[ky * g->kw + kx];
  return acc;
}

/* The maximum of window (oy, ox) of one plane of fp32 `srcf` or int8
 * `srcq` (the other null): padded positions never win; the type's lowest
 * value for a window wholly in the padding. */
DLC_SHARED float dlc_max_window(const dlc_pool_geom *g, const float *srcf,
                                const int8_t *srcq, int oy, int ox) {
  int y0 = oy * g->sh - g->pt, x0 = ox * g->sw - g->pl, ky0, ky1, kx0, kx1;
  dlc_valid_taps(y0, g->kh, g->dh, g->h, &ky0, &ky1);
  dlc_valid_taps(x0, g->kw, g->dw, g->w, &kx0, &kx1);
  float m = srcf ? -INFINITY : -128.0f;
  for (int ky = ky0; ky < ky1; ++ky)
    for (int kx = kx0; kx < kx1; ++kx) {
      int at = (y0 + ky * g->dh) * g->w + x0 + kx * g->dw;
      float v = srcf ? srcf[at] : (float)srcq[at];
      m = v > m ? v : m;
    }
  return m;
}

/* The mean of window (oy, ox) of one plane of `srcf` or `srcq` (ONNX
 * AveragePool: the window clipped to the padded input, divided by its
 * size with count_include_pad, else by the taps inside the input). */
DLC_SHARED float dlc_avg_window(const dlc_pool_geom *g, const float *srcf,
                                const int8_t *srcq, int oy, int ox,
                                int include_pad) {
  int y0 = oy * g->sh - g->pt, x0 = ox * g->sw - g->pl;
  int y1 = DLC_MIN(y0 + g->kh, g->h + g->pb);
  int x1 = DLC_MIN(x0 + g->kw, g->w + g->pr);
  int padded = (y1 - y0) * (x1 - x0);
  int yb = DLC_MAX(y0, 0), xb = DLC_MAX(x0, 0);
  y1 = DLC_MIN(y1, g->h);
  x1 = DLC_MIN(x1, g->w);
  float sum = 0.0f;
  for (int y = yb; y < y1; ++y)
    for (int x = xb; x < x1; ++x)
      sum += srcf ? srcf[y * g->w + x] : (float)srcq[y * g->w + x];
  int count = include_pad ? padded : (y1 - yb) * (x1 - xb);
  return count > 0 ? sum / (float)count : 0.0f;
}

/* One pooled output of one plane: the window's max or mean (`max`), stored
 * as fp32 (`outf`) or int8 (`outq`; a mean rounded and clamped to [lo,
 * hi], a max exact). */
DLC_SHARED void dlc_pool_point(const dlc_pool_geom *g, int max,
                               const float *srcf, const int8_t *srcq,
                               float *outf, int8_t *outq, int64_t at, int oy,
                               int ox, int include_pad, int lo, int hi) {
  float v = max ? dlc_max_window(g, srcf, srcq, oy, ox)
                : dlc_avg_window(g, srcf, srcq, oy, ox, include_pad);
  if (outf)
    outf[at] = v;
  else
    outq[at] = max ? (int8_t)v : dlc_round_s8(v, lo, hi);
}

/* Resize of planes of h x w to oh x ow (dlc.resize): the mode, coordinate
 * mode and nearest rounding as the enumerators below, Keys' parameter for
 * cubic, and per axis the coordinate scale and the resized length
 * align_corners divides by. */
enum { DLC_RESIZE_NEAREST = 0, DLC_RESIZE_LINEAR = 1, DLC_RESIZE_CUBIC = 2 };
enum {
  DLC_RESIZE_HALF_PIXEL = 0,
  DLC_RESIZE_PYTORCH_HALF_PIXEL = 1,
  DLC_RESIZE_ALIGN_CORNERS = 2,
  DLC_RESIZE_ASYMMETRIC = 3,
  DLC_RESIZE_TF_HALF_PIXEL_FOR_NN = 4
};
enum {
  DLC_NEAREST_ROUND_PREFER_FLOOR = 0,
  DLC_NEAREST_ROUND_PREFER_CEIL = 1,
  DLC_NEAREST_FLOOR = 2,
  DLC_NEAREST_CEIL = 3
};
typedef struct {
  int h, w, oh, ow;
  int mode, coordinates, rounding, exclude_outside;
  float cubic_a;
  float scale_h, scale_w, len_h, len_w;
} dlc_resize_geom;

/* The input indices one output index reads along an axis, and their
 * weights. */
typedef struct {
  int count;
  int index[4];
  float weight[4];
} dlc_resize_taps;

/* The input position output index `o` samples (the executor's
 * sourcePosition). */
DLC_SHARED float dlc_resize_source(int coordinates, int o, int in, float len,
                                   float scale) {
  float at = (float)o;
  switch (coordinates) {
  case DLC_RESIZE_HALF_PIXEL:
    return (at + 0.5f) / scale - 0.5f;
  case DLC_RESIZE_PYTORCH_HALF_PIXEL:
    return len > 1.0f ? (at + 0.5f) / scale - 0.5f : 0.0f;
  case DLC_RESIZE_ALIGN_CORNERS:
    return len > 1.0f ? (float)(in - 1) / (len - 1.0f) * at : 0.0f;
  case DLC_RESIZE_ASYMMETRIC:
    return at / scale;
  default: /* DLC_RESIZE_TF_HALF_PIXEL_FOR_NN */
    return (at + 0.5f) / scale;
  }
}

DLC_SHARED int dlc_clamp_index(int i, int in) {
  return i < 0 ? 0 : i >= in ? in - 1 : i;
}

/* Keys' cubic kernel at distance d, within 1 and between 1 and 2. */
DLC_SHARED float dlc_cubic_near(float d, float a) {
  return ((a + 2.0f) * d - (a + 3.0f)) * d * d + 1.0f;
}
DLC_SHARED float dlc_cubic_far(float d, float a) {
  return ((a * d - 5.0f * a) * d + 8.0f * a) * d - 4.0f * a;
}

/* The taps of output index `o` along an axis of `in` inputs (the
 * executor's tapsAt). */
DLC_SHARED dlc_resize_taps dlc_resize_axis(const dlc_resize_geom *g, int o,
                                           int in, float len, float scale) {
  float x = dlc_resize_source(g->coordinates, o, in, len, scale);
  dlc_resize_taps t;
  if (g->mode == DLC_RESIZE_NEAREST) {
    float f = floorf(x);
    float r = x - f == 0.5f ? f : roundf(x);
    if (g->rounding == DLC_NEAREST_ROUND_PREFER_CEIL)
      r = x - f == 0.5f ? f + 1.0f : r;
    else if (g->rounding == DLC_NEAREST_FLOOR)
      r = f;
    else if (g->rounding == DLC_NEAREST_CEIL)
      r = ceilf(x);
    t.count = 1;
    t.index[0] = dlc_clamp_index((int)r, in);
    t.weight[0] = 1.0f;
  } else if (g->mode == DLC_RESIZE_LINEAR) {
    x = x > 0.0f ? x : 0.0f;
    float f = floorf(x), d = x - f;
    t.count = 2;
    t.index[0] = dlc_clamp_index((int)f, in);
    t.index[1] = dlc_clamp_index((int)f + 1, in);
    t.weight[0] = 1.0f - d;
    t.weight[1] = d;
  } else {
    float f = floorf(x), d = x - f, a = g->cubic_a, kept = 0.0f;
    t.count = 4;
    t.weight[0] = dlc_cubic_far(d + 1.0f, a);
    t.weight[1] = dlc_cubic_near(d, a);
    t.weight[2] = dlc_cubic_near(1.0f - d, a);
    t.weight[3] = dlc_cubic_far(2.0f - d, a);
    for (int k = 0; k < 4; ++k) {
      int i = (int)f - 1 + k;
      if (g->exclude_outside && (i < 0 || i >= in))
        t.weight[k] = 0.0f;
      kept += t.weight[k];
      t.index[k] = dlc_clamp_index(i, in);
    }
    if (g->exclude_outside)
      for (int k = 0; k < 4; ++k)
        t.weight[k] /= kept;
  }
  return t;
}

/* One output of one plane from its row taps `r` and column taps `c`: the
 * weighted sum along the width of each sampled row, then of the rows (the
 * executor's order). */
DLC_SHARED float dlc_resize_blend(const dlc_resize_geom *g, const float *plane,
                                  const dlc_resize_taps *r,
                                  const dlc_resize_taps *c) {
  if (g->mode == DLC_RESIZE_NEAREST)
    return plane[r->index[0] * g->w + c->index[0]];
  float acc = 0.0f;
  for (int i = 0; i < r->count; ++i) {
    const float *line = plane + r->index[i] * g->w;
    float sum = 0.0f;
    for (int k = 0; k < c->count; ++k)
      sum += c->weight[k] * line[c->index[k]];
    acc += r->weight[i] * sum;
  }
  return acc;
}

/* The input element nearest mode copies to output (oy, ox). */
DLC_SHARED int dlc_resize_nearest_at(const dlc_resize_geom *g, int oy, int ox) {
  dlc_resize_taps r = dlc_resize_axis(g, oy, g->h, g->len_h, g->scale_h);
  dlc_resize_taps c = dlc_resize_axis(g, ox, g->w, g->len_w, g->scale_w);
  return r.index[0] * g->w + c.index[0];
}

/* Output (oy, ox) of one plane. */
DLC_SHARED float dlc_resize_point(const dlc_resize_geom *g, const float *plane,
                                  int oy, int ox) {
  dlc_resize_taps r = dlc_resize_axis(g, oy, g->h, g->len_h, g->scale_h);
  dlc_resize_taps c = dlc_resize_axis(g, ox, g->w, g->len_w, g->scale_w);
  return dlc_resize_blend(g, plane, &r, &c);
}

/* Elementwise operations, as the lowering names them. */
enum {
  DLC_ADD = 0,
  DLC_SUB = 1,
  DLC_MUL = 2,
  DLC_DIV = 3,
  DLC_MAX = 4,
  DLC_MIN = 5
};
enum {
  DLC_RELU = 0,
  DLC_CLIP = 1,
  DLC_SIGMOID = 2,
  DLC_HARD_SWISH = 3,
  DLC_GELU = 4,
  DLC_GELU_TANH = 5,
  DLC_HARD_SIGMOID = 6,
  DLC_TANH = 7,
  DLC_SQRT = 8,
  DLC_EXP = 9,
  DLC_LOG = 10,
  DLC_ERF = 11,
  DLC_NEG = 12,
  DLC_ABS = 13,
  DLC_RECIPROCAL = 14,
  DLC_LEAKY_RELU = 15,
  DLC_ELU = 16,
  DLC_SOFTPLUS = 17,
  DLC_SILU = 18
};

DLC_SHARED float dlc_binary_scalar(int op, float a, float b) {
  switch (op) {
  case DLC_ADD:
    return a + b;
  case DLC_SUB:
    return a - b;
  case DLC_MUL:
    return a * b;
  case DLC_MAX: /* NaN on either side gives NaN, as the executor */
    return a > b || a != a ? a : b;
  case DLC_MIN:
    return a < b || a != a ? a : b;
  default:
    return a / b;
  }
}

/* The executor's formulas; libm's (or CUDA's) expf/erff/tanhf stand in for
 * std::exp/erf/tanh. ReLU and clip clamp to [lo, hi]; the hard sigmoid
 * takes its alpha in `lo` and its beta in `hi`, leaky ReLU and ELU their
 * alpha in `lo`. */
DLC_SHARED float dlc_unary_scalar(int op, float x, float lo, float hi) {
  switch (op) {
  case DLC_RELU:
    return x > 0.0f ? x : 0.0f;
  case DLC_CLIP:
    return DLC_MIN(DLC_MAX(x, lo), hi);
  case DLC_SIGMOID:
    return 1.0f / (1.0f + expf(-x));
  case DLC_HARD_SWISH:
    return x * DLC_MIN(DLC_MAX(x / 6.0f + 0.5f, 0.0f), 1.0f);
  case DLC_SILU:
    return x * (1.0f / (1.0f + expf(-x)));
  case DLC_SQRT:
    return sqrtf(x);
  case DLC_EXP:
    return expf(x);
  case DLC_LOG:
    return logf(x);
  case DLC_ERF:
    return erff(x);
  case DLC_NEG:
    return -x;
  case DLC_ABS:
    return fabsf(x);
  case DLC_RECIPROCAL:
    return 1.0f / x;
  case DLC_LEAKY_RELU:
    return x >= 0.0f ? x : lo * x;
  case DLC_ELU:
    return x >= 0.0f ? x : lo * (expf(x) - 1.0f);
  case DLC_SOFTPLUS:
    return x > 20.0f ? x : log1pf(expf(x));
  case DLC_TANH:
    return tanhf(x);
  case DLC_HARD_SIGMOID:
    return DLC_MIN(DLC_MAX(lo * x + hi, 0.0f), 1.0f);
  case DLC_GELU:
    return 0.5f * x * (1.0f + erff(x * 0.70710678118654752440f));
  default: {
    const float c = sqrtf(2.0f / 3.14159265358979323846f);
    return 0.5f * x * (1.0f + tanhf(c * (x + 0.044715f * x * x * x)));
  }
  }
}

enum { DLC_PAD_CONSTANT = 0, DLC_PAD_REFLECT = 1, DLC_PAD_EDGE = 2 };

/* The input index that output index `i` (already less the padding before)
 * of a dimension of `n` reads, or -1 for the constant. */
DLC_SHARED int64_t dlc_pad_source(int64_t i, int64_t n, int mode) {
  if (i >= 0 && i < n)
    return i;
  if (mode == DLC_PAD_CONSTANT)
    return -1;
  if (mode == DLC_PAD_EDGE)
    return i < 0 ? 0 : n - 1;
  return i < 0 ? -i : 2 * (n - 1) - i; /* reflect */
}

/* One fp8 code for x: `mbits` mantissa bits, exponent `bias`, largest
 * finite value `max` (code `max_code`), NaN as `nan_code`. */
DLC_SHARED uint8_t dlc_encode_fp8(float x, int mbits, int bias, float max,
                                  uint8_t max_code, uint8_t nan_code) {
  if (isnan(x))
    return (uint8_t)(nan_code | (signbit(x) ? 0x80 : 0));
  uint8_t sign = signbit(x) ? 0x80 : 0;
  float a = fabsf(x);
  if (a > max)
    a = max;
  int e;
  frexpf(a, &e); /* a = f * 2^e, f in [0.5, 1) */
  int exponent = e - 1;
  int min_exponent = 1 - bias;
  if (a == 0.0f || exponent < min_exponent)
    exponent = min_exponent; /* subnormal quantum */
  /* m = a / 2^(exponent - mbits), rounded half to even (exact scaling). */
  int m = (int)rintf(ldexpf(a, mbits - exponent));
  int code;
  if (a == 0.0f || (e - 1 < min_exponent))
    code = m; /* subnormal; m == 2^mbits is the smallest normal's code */
  else {
    if (m == (2 << mbits)) {
      m >>= 1;
      ++exponent;
    }
    code = ((exponent + bias) << mbits) | (m - (1 << mbits));
  }
  if (code > max_code)
    code = max_code;
  return (uint8_t)(sign | code);
}

/* Softmax (or with `log` its logarithm, (x - max) - log(sum)) of one line
 * of `size` values `inner` apart, in the executor's order (max,
 * exponentials and their sum, division or subtraction). */
DLC_SHARED void dlc_softmax_line(const float *src, float *dst, int64_t size,
                                 int64_t inner, int log) {
  float max = -INFINITY;
  for (int64_t j = 0; j < size; ++j)
    max = fmaxf(max, src[j * inner]);
  float sum = 0.0f;
  for (int64_t j = 0; j < size; ++j) {
    dst[j * inner] = expf(src[j * inner] - max);
    sum += dst[j * inner];
  }
  if (log) {
    float log_sum = logf(sum);
    for (int64_t j = 0; j < size; ++j)
      dst[j * inner] = (src[j * inner] - max) - log_sum;
    return;
  }
  for (int64_t j = 0; j < size; ++j)
    dst[j * inner] /= sum;
}

/* Layer norm of one row; mean and variance in double, as the executor. */
DLC_SHARED void dlc_layernorm_row(const float *src, float *dst, int64_t size,
                                  const float *scale, const float *bias,
                                  float epsilon) {
  double sum = 0.0, sq = 0.0;
  for (int64_t i = 0; i < size; ++i)
    sum += src[i];
  double mean = sum / (double)size;
  for (int64_t i = 0; i < size; ++i)
    sq += (src[i] - mean) * (src[i] - mean);
  double inv = 1.0 / sqrt(sq / (double)size + epsilon);
  for (int64_t i = 0; i < size; ++i) {
    float y = (float)((src[i] - mean) * inv) * scale[i];
    dst[i] = bias ? y + bias[i] : y;
  }
}
