/*===- depthwise.h - depthwise convolution --------------------------------===*
 *
 * One filter per channel (weights C x KH x KW, unpacked). Output rows whose
 * taps lie inside the image run four columns at a time: for 3x3 kernels at
 * stride 1 with unaligned loads, at stride 2 with de-interleaving loads
 * (vld2q). Borders and other shapes take the scalar path.
 *
 *===----------------------------------------------------------------------===*/

/* Four outputs of a 3x3 filter at columns ox..ox+3 of rows r0..r2 (all
 * taps inside the image). */
DLC_INLINE float32x4_t dlc_dw3x3_quad(const float *r0, const float *r1,
                                      const float *r2, const float *wt, int ix,
                                      int stride) {
  const float *rows[3] = {r0, r1, r2};
  float32x4_t acc = vdupq_n_f32(0.0f);
  for (int ky = 0; ky < 3; ++ky) {
    const float *r = rows[ky] + ix;
    float32x4_t x0, x1, x2;
    if (stride == 1) {
      x0 = vld1q_f32(r);
      x1 = vld1q_f32(r + 1);
      x2 = vld1q_f32(r + 2);
    } else {
      float32x4x2_t even = vld2q_f32(r);
      x0 = even.val[0];
      x1 = even.val[1];
      x2 = vld2q_f32(r + 2).val[0];
    }
    acc = vfmaq_n_f32(acc, x0, wt[ky * 3 + 0]);
    acc = vfmaq_n_f32(acc, x1, wt[ky * 3 + 1]);
    acc = vfmaq_n_f32(acc, x2, wt[ky * 3 + 2]);
  }
  return acc;
}

typedef struct {
  int n;
  const dlc_conv_geom *g;
  const float *in, *w;
  float *out;
  const dlc_epilogue_f32 *ep;
} dlc_depthwise_args;

/* Planes (image, channel) [begin, end) of a depthwise convolution. */
DLC_INLINE void dlc_depthwise_planes(const dlc_depthwise_args *args,
                                     int64_t begin, int64_t end) {
  const dlc_conv_geom *g = args->g;
  const float *in = args->in, *w = args->w;
  float *out = args->out;
  const dlc_epilogue_f32 *ep = args->ep;
  int taps = g->kh * g->kw;
  int fast = g->kh == 3 && g->kw == 3 && g->dh == 1 && g->dw == 1 &&
             g->sh == g->sw && (g->sh == 1 || g->sh == 2);
  /* A quad starting at input column ix reads up to ix + 5 (stride 1) or
   * ix + 9 (stride 2, two de-interleaving loads of 8). */
  int reach = g->sw == 1 ? 5 : 9;
  int x0 = (g->pl + g->sw - 1) / g->sw;
  for (int64_t plane = begin; plane < end; ++plane) {
    int ch = plane % g->c;
    const float *src = in + (int64_t)plane * g->h * g->w;
    const float *wt = w + ch * taps;
    float *dst = out + (int64_t)plane * g->oh * g->ow;
    const float *res = ep->residual ? ep->residual + (dst - out) : 0;
    float scale = ep->scale ? ep->scale[ch] : 1.0f;
    float bias = ep->bias ? ep->bias[ch] : 0.0f;
    for (int oy = 0; oy < g->oh; ++oy) {
      int iy = oy * g->sh - g->pt;
      int ox = 0;
      float *d = dst + oy * g->ow;
      if (fast && iy >= 0 && iy + 2 < g->h) {
        for (; ox < x0 && ox < g->ow; ++ox)
          d[ox] = dlc_depthwise_point(src, wt, g, oy, ox);
        for (; ox + 4 <= g->ow && ox * g->sw - g->pl + reach < g->w; ox += 4)
          vst1q_f32(d + ox,
                    dlc_dw3x3_quad(src + iy * g->w, src + (iy + 1) * g->w,
                                   src + (iy + 2) * g->w, wt,
                                   ox * g->sw - g->pl, g->sw));
      }
      for (; ox < g->ow; ++ox)
        d[ox] = dlc_depthwise_point(src, wt, g, oy, ox);
      for (ox = 0; ox < g->ow; ++ox) {
        float v = (ep->scale ? d[ox] * scale : d[ox]) + bias;
        if (res)
          v += res[oy * g->ow + ox];
        d[ox] = DLC_MIN(DLC_MAX(v, ep->clamp.lo), ep->clamp.hi);
      }
    }
  }
}

DLC_INLINE void dlc_depthwise_part(void *ctx, int part, int parts,
                                   uint8_t *scratch) {
  const dlc_depthwise_args *args = (const dlc_depthwise_args *)ctx;
  int64_t begin, end;
  (void)scratch;
  dlc_split((int64_t)args->n * args->g->c, 1, part, parts, &begin, &end);
  dlc_depthwise_planes(args, begin, end);
}

DLC_INLINE void dlc_depthwise_f32(int n, const dlc_conv_geom *g,
                                  const float *in, const float *w, float *out,
                                  const dlc_epilogue_f32 *ep,
                                  const dlc_exec *ex) {
  dlc_depthwise_args args = {n, g, in, w, out, ep};
  dlc_parallel(ex, dlc_depthwise_part, &args);
}
