/*===- pool.h - pooling (fp32, and int8 as the executor rounds it) --------===*/

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

/* Planes [begin, end). */
DLC_INLINE void dlc_pool_range(const void *p, int64_t begin, int64_t end) {
  const dlc_pool_args *x = (const dlc_pool_args *)p;
  const dlc_pool_geom *g = x->g;
  int max = x->kind <= 1, int8 = x->kind % 2;
  for (int64_t plane = begin; plane < end; ++plane) {
    int64_t in_at = plane * g->h * g->w, out_at = plane * g->oh * g->ow;
    const float *srcf = int8 ? 0 : (const float *)x->in + in_at;
    const int8_t *srcq = int8 ? (const int8_t *)x->in + in_at : 0;
    float *outf = int8 ? 0 : (float *)x->out;
    int8_t *outq = int8 ? (int8_t *)x->out : 0;
    for (int oy = 0; oy < g->oh; ++oy)
      for (int ox = 0; ox < g->ow; ++ox)
        dlc_pool_point(g, max, srcf, srcq, outf, outq,
                       out_at + (int64_t)oy * g->ow + ox, oy, ox,
                       x->include_pad, x->lo, x->hi);
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

/*===--- Resize (nearest, bilinear, bicubic)
 * -------------------------------===*/

typedef struct {
  const dlc_resize_geom *g;
  const float *in;
  float *out;
  const int8_t *inq; /* int8 codes (nearest mode) instead of in / out */
  int8_t *outq;
} dlc_resize_args;

/* Output rows [begin, end) of all planes, row r of plane r / oh (its taps
 * computed once). */
DLC_INLINE void dlc_resize_range(const void *p, int64_t begin, int64_t end) {
  const dlc_resize_args *x = (const dlc_resize_args *)p;
  const dlc_resize_geom *g = x->g;
  for (int64_t r = begin; r < end; ++r) {
    if (x->inq) {
      const int8_t *plane = x->inq + r / g->oh * g->h * g->w;
      for (int ox = 0; ox < g->ow; ++ox)
        x->outq[r * g->ow + ox] =
            plane[dlc_resize_nearest_at(g, (int)(r % g->oh), ox)];
      continue;
    }
    const float *plane = x->in + r / g->oh * g->h * g->w;
    float *out = x->out + r * g->ow;
    dlc_resize_taps row =
        dlc_resize_axis(g, (int)(r % g->oh), g->h, g->len_h, g->scale_h);
    for (int ox = 0; ox < g->ow; ++ox) {
      dlc_resize_taps col = dlc_resize_axis(g, ox, g->w, g->len_w, g->scale_w);
      out[ox] = dlc_resize_blend(g, plane, &row, &col);
    }
  }
}

DLC_INLINE void dlc_resize_f32(int64_t planes, const dlc_resize_geom *g,
                               const float *in, float *out,
                               const dlc_exec *ex) {
  dlc_resize_args args = {g, in, out, 0, 0};
  int64_t rows = planes * g->oh;
  dlc_parallel_for(ex, rows, 1, rows * g->ow, dlc_resize_range, &args);
}

/* Nearest resize of int8 codes. */
DLC_INLINE void dlc_resize_s8(int64_t planes, const dlc_resize_geom *g,
                              const int8_t *in, int8_t *out,
                              const dlc_exec *ex) {
  dlc_resize_args args = {g, 0, 0, in, out};
  int64_t rows = planes * g->oh;
  dlc_parallel_for(ex, rows, 1, rows * g->ow, dlc_resize_range, &args);
}
