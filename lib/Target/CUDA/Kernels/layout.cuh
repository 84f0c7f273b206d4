/*===- layout.cuh - data movement -----------------------------------------===*
 *
 * One strided copy for transpose, concat, slice and split (elements of
 * `size` bytes), and ONNX Pad on fp32.
 *
 *===----------------------------------------------------------------------===*/

DLC_KERNEL void dlc_copy_kernel(int rank, int64_t total, dlc_dims shape,
                                const char *src, int64_t src_offset,
                                dlc_dims ss, char *dst, int64_t dst_offset,
                                dlc_dims ds, int size) {
  DLC_FOR(e, total) {
    int64_t rest = e, si = src_offset, di = dst_offset;
    DLC_FOR_DIMS_DOWN(d, rank) {
      int64_t i = rest % shape.v[d];
      rest /= shape.v[d];
      si += i * ss.v[d];
      di += i * ds.v[d];
    }
    for (int b = 0; b < size; ++b)
      dst[di * size + b] = src[si * size + b];
  }
}

DLC_LAUNCHER void dlc_copy_strided(int rank, const int64_t *shape,
                                   const void *src, int64_t src_offset,
                                   const int64_t *src_strides, void *dst,
                                   int64_t dst_offset,
                                   const int64_t *dst_strides, int size,
                                   dlc_exec *ex) {
  int64_t total = 1;
  for (int d = 0; d < rank; ++d)
    total *= shape[d];
  dlc_copy_kernel<<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      rank, total, dlc_dims_of(rank, shape), (const char *)src, src_offset,
      dlc_dims_of(rank, src_strides), (char *)dst, dst_offset,
      dlc_dims_of(rank, dst_strides), size);
  dlc_check_launch(ex);
}

DLC_KERNEL void dlc_pad_kernel(int rank, int64_t total, dlc_dims in_shape,
                               dlc_dims out_shape, dlc_dims before, int mode,
                               float value, const float *in, float *out) {
  DLC_FOR(o, total) {
    int64_t rest = o, src = 0, stride = 1;
    int inside = 1;
    DLC_FOR_DIMS_DOWN(d, rank) {
      int64_t i = rest % out_shape.v[d] - before.v[d], n = in_shape.v[d];
      rest /= out_shape.v[d];
      i = dlc_pad_source(i, n, mode);
      if (i < 0) {
        inside = 0;
        break;
      }
      src += i * stride;
      stride *= n;
    }
    out[o] = inside ? in[src] : value;
  }
}

DLC_LAUNCHER void dlc_pad_f32(int rank, const int64_t *in_shape,
                              const int64_t *out_shape, const int64_t *before,
                              int mode, float value, const float *in,
                              float *out, dlc_exec *ex) {
  int64_t total = 1;
  for (int d = 0; d < rank; ++d)
    total *= out_shape[d];
  dlc_pad_kernel<<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      rank, total, dlc_dims_of(rank, in_shape), dlc_dims_of(rank, out_shape),
      dlc_dims_of(rank, before), mode, value, in, out);
  dlc_check_launch(ex);
}
