/*===- pool.h - pooling (fp32, and int8 as the executor rounds it) --------===*/

DLC_INLINE void dlc_maxpool_f32_serial(int n, const dlc_pool_geom *g,
                                       const float *in, float *out) {
  for (int plane = 0; plane < n * g->c; ++plane) {
    const float *src = in + (int64_t)plane * g->h * g->w;
    float *dst = out + (int64_t)plane * g->oh * g->ow;
    for (int oy = 0; oy < g->oh; ++oy)
      for (int ox = 0; ox < g->ow; ++ox) {
        float m = -INFINITY;
        for (int ky = 0; ky < g->kh; ++ky) {
          int iy = oy * g->sh - g->pt + ky * g->dh;
          if (iy < 0 || iy >= g->h)
            continue;
          for (int kx = 0; kx < g->kw; ++kx) {
            int ix = ox * g->sw - g->pl + kx * g->dw;
            if (ix >= 0 && ix < g->w)
              m = DLC_MAX(m, src[iy * g->w + ix]);
          }
        }
        dst[oy * g->ow + ox] = m;
      }
  }
}

DLC_INLINE void dlc_maxpool_s8_serial(int n, const dlc_pool_geom *g,
                                      const int8_t *in, int8_t *out) {
  for (int plane = 0; plane < n * g->c; ++plane) {
    const int8_t *src = in + (int64_t)plane * g->h * g->w;
    int8_t *dst = out + (int64_t)plane * g->oh * g->ow;
    for (int oy = 0; oy < g->oh; ++oy)
      for (int ox = 0; ox < g->ow; ++ox) {
        int m = -128;
        for (int ky = 0; ky < g->kh; ++ky) {
          int iy = oy * g->sh - g->pt + ky * g->dh;
          if (iy < 0 || iy >= g->h)
            continue;
          for (int kx = 0; kx < g->kw; ++kx) {
            int ix = ox * g->sw - g->pl + kx * g->dw;
            if (ix >= 0 && ix < g->w)
              m = DLC_MAX(m, src[iy * g->w + ix]);
          }
        }
        dst[oy * g->ow + ox] = (int8_t)m;
      }
  }
}

/* The fp32 mean of a window (ONNX AveragePool: the window clipped to the
 * padded input, divided by its size with count_include_pad, else by the
 * taps inside the input). */
DLC_INLINE float dlc_avg_window(const dlc_pool_geom *g, const float *srcf,
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

DLC_INLINE void dlc_avgpool_f32_serial(int n, const dlc_pool_geom *g,
                                       const float *in, float *out,
                                       int include_pad) {
  for (int plane = 0; plane < n * g->c; ++plane)
    for (int oy = 0; oy < g->oh; ++oy)
      for (int ox = 0; ox < g->ow; ++ox)
        out[((int64_t)plane * g->oh + oy) * g->ow + ox] = dlc_avg_window(
            g, in + (int64_t)plane * g->h * g->w, 0, oy, ox, include_pad);
}

DLC_INLINE int8_t dlc_round_s8(float v, int lo, int hi) {
  float r = rintf(v);
  return (int8_t)(r<(float)lo ? (float)lo : r>(float) hi ? (float)hi : r);
}

DLC_INLINE void dlc_avgpool_s8_serial(int n, const dlc_pool_geom *g,
                                      const int8_t *in, int8_t *out,
                                      int include_pad, int lo, int hi) {
  for (int plane = 0; plane < n * g->c; ++plane)
    for (int oy = 0; oy < g->oh; ++oy)
      for (int ox = 0; ox < g->ow; ++ox)
        out[((int64_t)plane * g->oh + oy) * g->ow + ox] =
            dlc_round_s8(dlc_avg_window(g, 0, in + (int64_t)plane * g->h * g->w,
                                        oy, ox, include_pad),
                         lo, hi);
}

/* Mean over each of `planes` planes of `size` values, summed in double. */
DLC_INLINE void dlc_global_avgpool_f32_serial(int64_t planes, int64_t size,
                                              const float *in, float *out) {
  for (int64_t p = 0; p < planes; ++p) {
    double sum = 0.0;
    for (int64_t i = 0; i < size; ++i)
      sum += in[p * size + i];
    out[p] = (float)(sum / (double)size);
  }
}

DLC_INLINE void dlc_global_avgpool_s8_serial(int64_t planes, int64_t size,
                                             const int8_t *in, int8_t *out,
                                             int lo, int hi) {
  for (int64_t p = 0; p < planes; ++p) {
    double sum = 0.0;
    for (int64_t i = 0; i < size; ++i)
      sum += in[p * size + i];
    out[p] = dlc_round_s8((float)(sum / (double)size), lo, hi);
  }
}

/*===--- Parallel entry points: planes split across threads ---------------===*/

typedef struct {
  int kind; /* 0 max f32, 1 max s8, 2 avg f32, 3 avg s8 */
  const dlc_pool_geom *g;
  const void *in;
  void *out;
  int include_pad, lo, hi;
} dlc_pool_args;

/* Planes [begin, end): the serial kernels only count planes with g->c. */
DLC_INLINE void dlc_pool_range(const void *p, int64_t begin, int64_t end) {
  const dlc_pool_args *x = (const dlc_pool_args *)p;
  dlc_pool_geom g = *x->g;
  g.c = (int)(end - begin);
  int64_t in_at = begin * g.h * g.w, out_at = begin * g.oh * g.ow;
  switch (x->kind) {
  case 0:
    dlc_maxpool_f32_serial(1, &g, (const float *)x->in + in_at,
                           (float *)x->out + out_at);
    break;
  case 1:
    dlc_maxpool_s8_serial(1, &g, (const int8_t *)x->in + in_at,
                          (int8_t *)x->out + out_at);
    break;
  case 2:
    dlc_avgpool_f32_serial(1, &g, (const float *)x->in + in_at,
                           (float *)x->out + out_at, x->include_pad);
    break;
  default:
    dlc_avgpool_s8_serial(1, &g, (const int8_t *)x->in + in_at,
                          (int8_t *)x->out + out_at, x->include_pad, x->lo,
                          x->hi);
  }
}

DLC_INLINE void dlc_pool_parallel(int kind, int n, const dlc_pool_geom *g,
                                  const void *in, void *out, int include_pad,
                                  int lo, int hi, const dlc_exec *ex) {
  dlc_pool_args args = {kind, g, in, out, include_pad, lo, hi};
  int64_t planes = (int64_t)n * g->c;
  dlc_parallel_for(ex, planes, 1, planes * g->h * g->w, dlc_pool_range, &args);
}

DLC_INLINE void dlc_maxpool_f32(int n, const dlc_pool_geom *g, const float *in,
                                float *out, const dlc_exec *ex) {
  dlc_pool_parallel(0, n, g, in, out, 0, 0, 0, ex);
}

DLC_INLINE void dlc_maxpool_s8(int n, const dlc_pool_geom *g, const int8_t *in,
                               int8_t *out, const dlc_exec *ex) {
  dlc_pool_parallel(1, n, g, in, out, 0, 0, 0, ex);
}

DLC_INLINE void dlc_avgpool_f32(int n, const dlc_pool_geom *g, const float *in,
                                float *out, int include_pad,
                                const dlc_exec *ex) {
  dlc_pool_parallel(2, n, g, in, out, include_pad, 0, 0, ex);
}

DLC_INLINE void dlc_avgpool_s8(int n, const dlc_pool_geom *g, const int8_t *in,
                               int8_t *out, int include_pad, int lo, int hi,
                               const dlc_exec *ex) {
  dlc_pool_parallel(3, n, g, in, out, include_pad, lo, hi, ex);
}

typedef struct {
  int int8;
  int64_t size;
  const void *in;
  void *out;
  int lo, hi;
} dlc_global_pool_args;

DLC_INLINE void dlc_global_pool_range(const void *p, int64_t begin,
                                      int64_t end) {
  const dlc_global_pool_args *x = (const dlc_global_pool_args *)p;
  if (x->int8)
    dlc_global_avgpool_s8_serial(end - begin, x->size,
                                 (const int8_t *)x->in + begin * x->size,
                                 (int8_t *)x->out + begin, x->lo, x->hi);
  else
    dlc_global_avgpool_f32_serial(end - begin, x->size,
                                  (const float *)x->in + begin * x->size,
                                  (float *)x->out + begin);
}

DLC_INLINE void dlc_global_avgpool_f32(int64_t planes, int64_t size,
                                       const float *in, float *out,
                                       const dlc_exec *ex) {
  dlc_global_pool_args args = {0, size, in, out, 0, 0};
  dlc_parallel_for(ex, planes, 1, planes * size, dlc_global_pool_range, &args);
}

DLC_INLINE void dlc_global_avgpool_s8(int64_t planes, int64_t size,
                                      const int8_t *in, int8_t *out, int lo,
                                      int hi, const dlc_exec *ex) {
  dlc_global_pool_args args = {1, size, in, out, lo, hi};
  dlc_parallel_for(ex, planes, 1, planes * size, dlc_global_pool_range, &args);
}
