/*===- pool.cuh - pooling (fp32, and int8 as the executor rounds it) ------===*/

/* Max (`max`) or average pooling of fp32 (`inf`, `outf`) or int8 (`inq`,
 * `outq`) planes, one thread per output. */
DLC_KERNEL void dlc_pool_kernel(int64_t total, dlc_pool_geom g, int max,
                                const float *inf, const int8_t *inq,
                                float *outf, int8_t *outq, int include_pad,
                                int lo, int hi) {
  DLC_FOR(e, total) {
    int ox = (int)(e % g.ow), oy = (int)(e / g.ow % g.oh);
    int64_t in_at = e / ((int64_t)g.oh * g.ow) * g.h * g.w;
    dlc_pool_point(&g, max, inf ? inf + in_at : 0, inq ? inq + in_at : 0, outf,
                   outq, e, oy, ox, include_pad, lo, hi);
  }
}

DLC_LAUNCHER void dlc_pool(int n, const dlc_pool_geom *g, int max,
                           const float *inf, const int8_t *inq, float *outf,
                           int8_t *outq, int include_pad, int lo, int hi,
                           dlc_exec *ex) {
  int64_t total = (int64_t)n * g->c * g->oh * g->ow;
  dlc_pool_kernel<<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      total, *g, max, inf, inq, outf, outq, include_pad, lo, hi);
  dlc_check_launch(ex);
}

DLC_LAUNCHER void dlc_maxpool_f32(int n, const dlc_pool_geom *g,
                                  const float *in, float *out, dlc_exec *ex) {
  dlc_pool(n, g, 1, in, 0, out, 0, 0, 0, 0, ex);
}

DLC_LAUNCHER void dlc_maxpool_s8(int n, const dlc_pool_geom *g,
                                 const int8_t *in, int8_t *out, dlc_exec *ex) {
  dlc_pool(n, g, 1, 0, in, 0, out, 0, 0, 0, ex);
}

DLC_LAUNCHER void dlc_avgpool_f32(int n, const dlc_pool_geom *g,
                                  const float *in, float *out, int include_pad,
                                  dlc_exec *ex) {
  dlc_pool(n, g, 0, in, 0, out, 0, include_pad, 0, 0, ex);
}

DLC_LAUNCHER void dlc_avgpool_s8(int n, const dlc_pool_geom *g,
                                 const int8_t *in, int8_t *out, int include_pad,
                                 int lo, int hi, dlc_exec *ex) {
  dlc_pool(n, g, 0, 0, in, 0, out, include_pad, lo, hi, ex);
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

/* One resized output of a plane: interpolated fp32, or (nearest mode) the
 * int8 code copied. */
DLC_DEVICE float dlc_resize_value(const dlc_resize_geom *g, const float *plane,
                                  int oy, int ox) {
  return dlc_resize_point(g, plane, oy, ox);
}
DLC_DEVICE int8_t dlc_resize_value(const dlc_resize_geom *g,
                                   const int8_t *plane, int oy, int ox) {
  return plane[dlc_resize_nearest_at(g, oy, ox)];
}

/* Resize (nearest, bilinear, bicubic; int8 nearest only), one thread per
 * output. */
template <typename T>
DLC_KERNEL void dlc_resize_kernel(int64_t total, dlc_resize_geom g, const T *in,
                                  T *out) {
  DLC_FOR(e, total) {
    int ox = (int)(e % g.ow), oy = (int)(e / g.ow % g.oh);
    const T *plane = in + e / ((int64_t)g.oh * g.ow) * g.h * g.w;
    out[e] = dlc_resize_value(&g, plane, oy, ox);
  }
}

template <typename T>
DLC_LAUNCHER void dlc_resize(int64_t planes, const dlc_resize_geom *g,
                             const T *in, T *out, dlc_exec *ex) {
  int64_t total = planes * g->oh * g->ow;
  dlc_resize_kernel<T><<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      total, *g, in, out);
  dlc_check_launch(ex);
}

DLC_LAUNCHER void dlc_resize_f32(int64_t planes, const dlc_resize_geom *g,
                                 const float *in, float *out, dlc_exec *ex) {
  dlc_resize(planes, g, in, out, ex);
}

DLC_LAUNCHER void dlc_resize_s8(int64_t planes, const dlc_resize_geom *g,
                                const int8_t *in, int8_t *out, dlc_exec *ex) {
  dlc_resize(planes, g, in, out, ex);
}
