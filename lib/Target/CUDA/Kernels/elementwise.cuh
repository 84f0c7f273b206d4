/*===- elementwise.cuh - elementwise, normalization and softmax ----------===*
 *
 * The reference executor's formulas; CUDA's expf/erff/tanhf stand in for
 * std::exp/erf/tanh (results within the backend's 1e-4 contract).
 *
 *===----------------------------------------------------------------------===*/

DLC_KERNEL void dlc_binary_kernel(int op, int rank, int64_t total,
                                  dlc_dims shape, const float *a, dlc_dims as,
                                  const float *b, dlc_dims bs, float *out,
                                  dlc_clamp clamp) {
  DLC_FOR(e, total) {
    int64_t rest = e, ia = 0, ib = 0;
    DLC_FOR_DIMS_DOWN(d, rank) {
      int64_t i = rest % shape.v[d];
      rest /= shape.v[d];
      ia += i * as.v[d];
      ib += i * bs.v[d];
    }
    float v = dlc_binary_scalar(op, a[ia], b[ib]);
    out[e] = fminf(fmaxf(v, clamp.lo), clamp.hi);
  }
}

DLC_LAUNCHER void dlc_binary_f32(int op, int rank, const int64_t *shape,
                                 const float *a, const int64_t *a_strides,
                                 const float *b, const int64_t *b_strides,
                                 float *out, dlc_clamp clamp, dlc_exec *ex) {
  int64_t total = 1;
  for (int d = 0; d < rank; ++d)
    total *= shape[d];
  dlc_binary_kernel<<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      op, rank, total, dlc_dims_of(rank, shape), a,
      dlc_dims_of(rank, a_strides), b, dlc_dims_of(rank, b_strides), out,
      clamp);
  dlc_check_launch(ex);
}

DLC_KERNEL void dlc_unary_kernel(int op, int64_t n, const float *in, float *out,
                                 float lo, float hi) {
  DLC_FOR(i, n) out[i] = dlc_unary_scalar(op, in[i], lo, hi);
}

DLC_LAUNCHER void dlc_unary_f32(int op, int64_t n, const float *in, float *out,
                                float lo, float hi, dlc_exec *ex) {
  dlc_unary_kernel<<<dlc_blocks(n), DLC_THREADS, 0, ex->stream>>>(op, n, in,
                                                                  out, lo, hi);
  dlc_check_launch(ex);
}

DLC_KERNEL void dlc_channel_affine_kernel(int64_t total, int64_t c,
                                          int64_t spatial, const float *in,
                                          const float *mul, const float *add,
                                          float *out) {
  DLC_FOR(i, total) {
    int64_t ch = i / spatial % c;
    out[i] = in[i] * mul[ch] + add[ch];
  }
}

DLC_LAUNCHER void dlc_channel_affine_f32(int64_t n, int64_t c, int64_t spatial,
                                         const float *in, const float *mul,
                                         const float *add, float *out,
                                         dlc_exec *ex) {
  int64_t total = n * c * spatial;
  dlc_channel_affine_kernel<<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      total, c, spatial, in, mul, add, out);
  dlc_check_launch(ex);
}

/* Butterfly reductions over a warp: every lane gets the result. */
DLC_DEVICE float dlc_warp_max(float v) {
  for (int d = 16; d > 0; d /= 2)
    v = fmaxf(v, __shfl_xor_sync(0xFFFFFFFFu, v, d));
  return v;
}
template <typename T> DLC_DEVICE T dlc_warp_sum(T v) {
  for (int d = 16; d > 0; d /= 2)
    v += __shfl_xor_sync(0xFFFFFFFFu, v, d);
  return v;
}

/* Grid-stride loop of warps over [0, n) rows: `row` is the same for every
 * lane of a warp, so the warp's shuffles always run converged. */
#define DLC_FOR_WARP_ROWS(row, n)                                              \
  for (int64_t row = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / 32;    \
       row < (n); row += (int64_t)gridDim.x * blockDim.x / 32)

/* Softmax (log-softmax with `log`) of contiguous rows, one warp per row:
 * each lane takes every 32nd value (coalesced), the max and the sum of
 * exponentials are reduced across the warp (the sum in another order than
 * the executor's, within float rounding), then each value is divided by
 * the sum (or has the max and the sum's log subtracted) as there. */
DLC_KERNEL void dlc_softmax_rows_kernel(int64_t rows, int64_t size,
                                        const float *in, float *out, int log) {
  int lane = threadIdx.x % 32;
  DLC_FOR_WARP_ROWS(r, rows) {
    const float *src = in + r * size;
    float *dst = out + r * size;
    float max = -INFINITY;
    for (int64_t j = lane; j < size; j += 32)
      max = fmaxf(max, src[j]);
    max = dlc_warp_max(max);
    float sum = 0.0f;
    for (int64_t j = lane; j < size; j += 32) {
      dst[j] = expf(src[j] - max);
      sum += dst[j];
    }
    sum = dlc_warp_sum(sum);
    if (log) {
      float log_sum = logf(sum);
      for (int64_t j = lane; j < size; j += 32)
        dst[j] = (src[j] - max) - log_sum;
      continue;
    }
    for (int64_t j = lane; j < size; j += 32)
      dst[j] /= sum;
  }
}

/* Softmax over a strided axis: one thread per line, in the executor's
 * order (neighbouring threads read neighbouring lines: coalesced). */
DLC_KERNEL void dlc_softmax_kernel(int64_t outer, int64_t size, int64_t inner,
                                   const float *in, float *out, int log) {
  DLC_FOR(line, outer * inner) {
    int64_t o = line / inner, i = line % inner;
    dlc_softmax_line(in + o * size * inner + i, out + o * size * inner + i,
                     size, inner, log);
  }
}

DLC_LAUNCHER void dlc_softmax_f32(int64_t outer, int64_t size, int64_t inner,
                                  const float *in, float *out, int log,
                                  dlc_exec *ex) {
  if (inner == 1)
    dlc_softmax_rows_kernel<<<dlc_blocks(outer * 32), DLC_THREADS, 0,
                              ex->stream>>>(outer, size, in, out, log);
  else
    dlc_softmax_kernel<<<dlc_blocks(outer * inner), DLC_THREADS, 0,
                         ex->stream>>>(outer, size, inner, in, out, log);
  dlc_check_launch(ex);
}

/* Layer norm, one warp per row: each lane sums every 32nd value in double,
 * the sums are reduced across the warp (the executor's double sums in
 * another order), then the row is normalized as the executor does. */
DLC_KERNEL void dlc_layernorm_kernel(int64_t rows, int64_t size,
                                     const float *in, const float *scale,
                                     const float *bias, float epsilon,
                                     float *out) {
  int lane = threadIdx.x % 32;
  DLC_FOR_WARP_ROWS(r, rows) {
    const float *src = in + r * size;
    float *dst = out + r * size;
    double sum = 0.0, sq = 0.0;
    for (int64_t i = lane; i < size; i += 32)
      sum += src[i];
    double mean = dlc_warp_sum(sum) / (double)size;
    for (int64_t i = lane; i < size; i += 32)
      sq += (src[i] - mean) * (src[i] - mean);
    double inv = 1.0 / sqrt(dlc_warp_sum(sq) / (double)size + epsilon);
    for (int64_t i = lane; i < size; i += 32) {
      float y = (float)((src[i] - mean) * inv) * scale[i];
      dst[i] = bias ? y + bias[i] : y;
    }
  }
}

DLC_LAUNCHER void dlc_layernorm_f32(int64_t rows, int64_t size, const float *in,
                                    const float *scale, const float *bias,
                                    float epsilon, float *out, dlc_exec *ex) {
  dlc_layernorm_kernel<<<dlc_blocks(rows * 32), DLC_THREADS, 0, ex->stream>>>(
      rows, size, in, scale, bias, epsilon, out);
  dlc_check_launch(ex);
}
