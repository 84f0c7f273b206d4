/*===- layout.h - data movement -------------------------------------------===*
 *
 * One strided copy serves transpose, concat (each input into its slab of
 * the output), slice (start offset and step strides) and split. Elements
 * are `size` bytes (4: fp32, 1: int8/fp8 codes).
 *
 *===----------------------------------------------------------------------===*/

DLC_INLINE void dlc_copy_strided_serial(int rank, const int64_t *shape,
                                        const void *src, int64_t src_offset,
                                        const int64_t *src_strides, void *dst,
                                        int64_t dst_offset,
                                        const int64_t *dst_strides, int size) {
  int64_t index[6] = {0, 0, 0, 0, 0, 0};
  int64_t inner = shape[rank - 1], outer = 1;
  for (int d = 0; d < rank - 1; ++d)
    outer *= shape[d];
  const char *s = (const char *)src;
  char *t = (char *)dst;
  int contiguous = src_strides[rank - 1] == 1 && dst_strides[rank - 1] == 1;
  for (int64_t o = 0; o < outer; ++o) {
    int64_t si = src_offset, di = dst_offset;
    for (int d = 0; d < rank - 1; ++d) {
      si += index[d] * src_strides[d];
      di += index[d] * dst_strides[d];
    }
    if (contiguous)
      memcpy(t + di * size, s + si * size, (size_t)(inner * size));
    else if (size == 4)
      for (int64_t i = 0; i < inner; ++i)
        ((float *)t)[di + i * dst_strides[rank - 1]] =
            ((const float *)s)[si + i * src_strides[rank - 1]];
    else
      for (int64_t i = 0; i < inner; ++i)
        t[di + i * dst_strides[rank - 1]] = s[si + i * src_strides[rank - 1]];
    for (int d = rank - 2; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/* ONNX Pad on fp32: `before` elements ahead of each input dimension. */
DLC_INLINE void dlc_pad_f32(int rank, const int64_t *in_shape,
                            const int64_t *out_shape, const int64_t *before,
                            int mode, float value, const float *in, float *out,
                            const dlc_exec *ex) {
  (void)ex; /* one pass over the output, on the calling thread */
  int64_t index[6] = {0, 0, 0, 0, 0, 0};
  int64_t total = 1;
  for (int d = 0; d < rank; ++d)
    total *= out_shape[d];
  for (int64_t o = 0; o < total; ++o) {
    int64_t src = 0;
    int inside = 1;
    for (int d = 0; d < rank; ++d) {
      int64_t i = index[d] - before[d], n = in_shape[d];
      i = dlc_pad_source(i, n, mode);
      if (i < 0) {
        inside = 0;
        break;
      }
      src = src * n + i;
    }
    out[o] = inside ? in[src] : value;
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < out_shape[d])
        break;
      index[d] = 0;
    }
  }
}

/*===--- Parallel entry point: the copy split along its first dimension ---===*/

typedef struct {
  int rank;
  const int64_t *shape;
  const void *src;
  int64_t src_offset;
  const int64_t *src_strides;
  void *dst;
  int64_t dst_offset;
  const int64_t *dst_strides;
  int size;
} dlc_copy_args;

DLC_INLINE void dlc_copy_range(const void *p, int64_t begin, int64_t end) {
  const dlc_copy_args *x = (const dlc_copy_args *)p;
  int64_t shape[6];
  for (int d = 0; d < x->rank; ++d)
    shape[d] = x->shape[d];
  shape[0] = end - begin;
  dlc_copy_strided_serial(
      x->rank, shape, x->src, x->src_offset + begin * x->src_strides[0],
      x->src_strides, x->dst, x->dst_offset + begin * x->dst_strides[0],
      x->dst_strides, x->size);
}

DLC_INLINE void dlc_copy_strided(int rank, const int64_t *shape,
                                 const void *src, int64_t src_offset,
                                 const int64_t *src_strides, void *dst,
                                 int64_t dst_offset, const int64_t *dst_strides,
                                 int size, const dlc_exec *ex) {
  int skip = dlc_unit_prefix(rank, shape);
  int64_t total = 1;
  for (int d = skip; d < rank; ++d)
    total *= shape[d];
  dlc_copy_args args = {rank - skip, shape + skip,       src,
                        src_offset,  src_strides + skip, dst,
                        dst_offset,  dst_strides + skip, size};
  if (rank - skip < 2) {
    dlc_copy_strided_serial(rank - skip, shape + skip, src, src_offset,
                            src_strides + skip, dst, dst_offset,
                            dst_strides + skip, size);
    return;
  }
  dlc_parallel_for(ex, shape[skip], 1, total, dlc_copy_range, &args);
}
