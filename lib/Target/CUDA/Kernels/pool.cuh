/*===- pool.cuh - pooling (fp32, and int8 as the executor rounds it) ------===*/

template <typename T>
DLC_KERNEL void dlc_maxpool_kernel(int64_t total, dlc_pool_geom g, const T *in,
                                   T *out, float lowest) {
  DLC_FOR(e, total) {
    int ox = (int)(e % g.ow), oy = (int)(e / g.ow % g.oh);
    const T *src = in + e / ((int64_t)g.oh * g.ow) * g.h * g.w;
    float m = lowest;
    for (int ky = 0; ky < g.kh; ++ky) {
      int iy = oy * g.sh - g.pt + ky * g.dh;
      if (iy < 0 || iy >= g.h)
        continue;
      for (int kx = 0; kx < g.kw; ++kx) {
        int ix = ox * g.sw - g.pl + kx * g.dw;
        if (ix >= 0 && ix < g.w)
          m = fmaxf(m, (float)src[iy * g.w + ix]);
      }
    }
    out[e] = (T)m;
  }
}

DLC_LAUNCHER void dlc_maxpool_f32(int n, const dlc_pool_geom *g,
                                  const float *in, float *out, dlc_exec *ex) {
  int64_t total = (int64_t)n * g->c * g->oh * g->ow;
  dlc_maxpool_kernel<float><<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      total, *g, in, out, -INFINITY);
  dlc_check_launch(ex);
}

DLC_LAUNCHER void dlc_maxpool_s8(int n, const dlc_pool_geom *g,
                                 const int8_t *in, int8_t *out, dlc_exec *ex) {
  int64_t total = (int64_t)n * g->c * g->oh * g->ow;
  dlc_maxpool_kernel<int8_t><<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      total, *g, in, out, -128.0f);
  dlc_check_launch(ex);
}

/* The executor's mean of a window: clipped to the padded input, divided by
 * its size with count_include_pad, else by the taps inside the input. */
template <typename T>
DLC_DEVICE float dlc_avg_window(const dlc_pool_geom &g, const T *src, int oy,
                                int ox, int include_pad) {
  int y0 = oy * g.sh - g.pt, x0 = ox * g.sw - g.pl;
  int y1 = DLC_MIN(y0 + g.kh, g.h + g.pb), x1 = DLC_MIN(x0 + g.kw, g.w + g.pr);
  int padded = (y1 - y0) * (x1 - x0);
  int yb = DLC_MAX(y0, 0), xb = DLC_MAX(x0, 0);
  y1 = DLC_MIN(y1, g.h);
  x1 = DLC_MIN(x1, g.w);
  float sum = 0.0f;
  for (int y = yb; y < y1; ++y)
    for (int x = xb; x < x1; ++x)
      sum += (float)src[y * g.w + x];
  int count = include_pad ? padded : (y1 - yb) * (x1 - xb);
  return count > 0 ? sum / (float)count : 0.0f;
}

DLC_DEVICE int8_t dlc_round_s8(float v, int lo, int hi) {
  float r = rintf(v);
  return (int8_t)(r<(float)lo ? (float)lo : r>(float) hi ? (float)hi : r);
}

template <typename T>
DLC_KERNEL void dlc_avgpool_kernel(int64_t total, dlc_pool_geom g, const T *in,
                                   T *out, int include_pad, int lo, int hi) {
  DLC_FOR(e, total) {
    int ox = (int)(e % g.ow), oy = (int)(e / g.ow % g.oh);
    const T *src = in + e / ((int64_t)g.oh * g.ow) * g.h * g.w;
    float v = dlc_avg_window<T>(g, src, oy, ox, include_pad);
    if (sizeof(T) == 1)
      out[e] = (T)dlc_round_s8(v, lo, hi);
    else
      out[e] = (T)v;
  }
}

DLC_LAUNCHER void dlc_avgpool_f32(int n, const dlc_pool_geom *g,
                                  const float *in, float *out, int include_pad,
                                  dlc_exec *ex) {
  int64_t total = (int64_t)n * g->c * g->oh * g->ow;
  dlc_avgpool_kernel<float><<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      total, *g, in, out, include_pad, 0, 0);
  dlc_check_launch(ex);
}

DLC_LAUNCHER void dlc_avgpool_s8(int n, const dlc_pool_geom *g,
                                 const int8_t *in, int8_t *out, int include_pad,
                                 int lo, int hi, dlc_exec *ex) {
  int64_t total = (int64_t)n * g->c * g->oh * g->ow;
  dlc_avgpool_kernel<int8_t><<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      total, *g, in, out, include_pad, lo, hi);
  dlc_check_launch(ex);
}

/* Mean of each plane, summed in double in order (as the executor). */
template <typename T>
DLC_KERNEL void dlc_global_avgpool_kernel(int64_t planes, int64_t size,
                                          const T *in, T *out, int lo, int hi) {
  DLC_FOR(p, planes) {
    double sum = 0.0;
    for (int64_t i = 0; i < size; ++i)
      sum += (double)in[p * size + i];
    float v = (float)(sum / (double)size);
    if (sizeof(T) == 1)
      out[p] = (T)dlc_round_s8(v, lo, hi);
    else
      out[p] = (T)v;
  }
}

DLC_LAUNCHER void dlc_global_avgpool_f32(int64_t planes, int64_t size,
                                         const float *in, float *out,
                                         dlc_exec *ex) {
  dlc_global_avgpool_kernel<float>
      <<<dlc_blocks(planes), DLC_THREADS, 0, ex->stream>>>(planes, size, in,
                                                           out, 0, 0);
  dlc_check_launch(ex);
}

DLC_LAUNCHER void dlc_global_avgpool_s8(int64_t planes, int64_t size,
                                        const int8_t *in, int8_t *out, int lo,
                                        int hi, dlc_exec *ex) {
  dlc_global_avgpool_kernel<int8_t>
      <<<dlc_blocks(planes), DLC_THREADS, 0, ex->stream>>>(planes, size, in,
                                                           out, lo, hi);
  dlc_check_launch(ex);
}
