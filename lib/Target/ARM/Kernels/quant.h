/*===- quant.h - int8 and fp8 conversions, int8 addition ------------------===*
 *
 * Bit-exact with the reference executor: quantization divides in fp32 and
 * rounds half to even; requantization and addition are gemmlowp fixed
 * point; fp8 decodes through an exact fp16 table and encodes with
 * round-to-nearest-even after saturating to the largest finite value.
 *
 *===----------------------------------------------------------------------===*/

/* f32 -> int8 over (outer, channels, inner) with per-channel parameters
 * (channels == 1: per tensor). */
DLC_INLINE void dlc_quantize_s8_serial(int64_t outer, int64_t channels,
                                       int64_t inner, const float *in,
                                       const float *scale, const int32_t *zero,
                                       int lo, int hi, int8_t *out) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      int64_t base = (o * channels + c) * inner;
      float s = scale[c], z = (float)zero[c];
      for (int64_t i = 0; i < inner; ++i) {
        float r = rintf(in[base + i] / s) + z;
        r = r<(float)lo ? (float)lo : r>(float) hi ? (float)hi : r;
        out[base + i] = (int8_t)r;
      }
    }
}

DLC_INLINE void dlc_dequantize_s8_serial(int64_t outer, int64_t channels,
                                         int64_t inner, const int8_t *in,
                                         const float *scale,
                                         const int32_t *zero, float *out) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      int64_t base = (o * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i)
        out[base + i] = scale[c] * (float)((int32_t)in[base + i] - zero[c]);
    }
}

DLC_INLINE void dlc_requantize_s8_serial(int64_t n, const int8_t *in,
                                         int32_t zin, int32_t multiplier,
                                         int shift, int32_t zout, int lo,
                                         int hi, int8_t *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = dlc_clamp_s8(
        zout + dlc_requant((int32_t)in[i] - zin, multiplier, shift), lo, hi);
}

/* TFLite's int8 addition: inputs shifted left by 20 bits, rescaled to a
 * common scale, summed, rescaled to the output. */
DLC_INLINE void dlc_qadd_s8_serial(int64_t n, const int8_t *a, int32_t za,
                                   int32_t ma, int sa, const int8_t *b,
                                   int32_t zb, int32_t mb, int sb, int32_t mo,
                                   int so, int32_t zo, int lo, int hi,
                                   int8_t *out) {
  for (int64_t i = 0; i < n; ++i) {
    int32_t xa = ((int32_t)a[i] - za) * (1 << 20);
    int32_t xb = ((int32_t)b[i] - zb) * (1 << 20);
    int32_t sum = dlc_requant(xa, ma, sa) + dlc_requant(xb, mb, sb);
    out[i] = dlc_clamp_s8(zo + dlc_requant(sum, mo, so), lo, hi);
  }
}

/* fp8 codes -> f32 times `scale`, through the format's fp16 table. */
DLC_INLINE void dlc_fp8_to_f32_serial(int64_t n, const uint8_t *in,
                                      const uint16_t *table, float scale,
                                      float *out) {
  int64_t i = 0;
  for (int64_t vectors = n / 8 * 8; i < vectors; i += 8) {
    uint16_t half[8];
    for (int j = 0; j < 8; ++j)
      half[j] = table[in[i + j]];
    float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(half));
    vst1q_f32(out + i, vmulq_n_f32(vcvt_f32_f16(vget_low_f16(h)), scale));
    vst1q_f32(out + i + 4, vmulq_n_f32(vcvt_high_f32_f16(h), scale));
  }
  for (; i < n; ++i) {
    uint16_t bits = table[in[i]];
    float16_t h;
    memcpy(&h, &bits, 2);
    out[i] = (float)h * scale;
  }
}

DLC_INLINE void dlc_quantize_fp8_serial(int64_t n, const float *in, float scale,
                                        int mbits, int bias, float max,
                                        uint8_t max_code, uint8_t nan_code,
                                        uint8_t *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] =
        dlc_encode_fp8(in[i] / scale, mbits, bias, max, max_code, nan_code);
}

/*===--- Parallel entry points: element ranges of the serial kernels ------===*/

typedef struct {
  int kind; /* 0 quantize, 1 dequantize */
  int64_t channels, inner;
  const void *in;
  const float *scale;
  const int32_t *zero;
  int lo, hi;
  void *out;
} dlc_convert_args;

/* Per tensor (one channel): elements [begin, end); per channel: images. */
DLC_INLINE void dlc_convert_range(const void *p, int64_t begin, int64_t end) {
  const dlc_convert_args *x = (const dlc_convert_args *)p;
  int64_t unit = x->channels == 1 ? 1 : x->channels * x->inner;
  int64_t outer = x->channels == 1 ? 1 : end - begin;
  int64_t inner = x->channels == 1 ? end - begin : x->inner;
  int64_t at = begin * unit;
  if (x->kind == 0)
    dlc_quantize_s8_serial(outer, x->channels, inner, (const float *)x->in + at,
                           x->scale, x->zero, x->lo, x->hi,
                           (int8_t *)x->out + at);
  else
    dlc_dequantize_s8_serial(outer, x->channels, inner,
                             (const int8_t *)x->in + at, x->scale, x->zero,
                             (float *)x->out + at);
}

DLC_INLINE void dlc_convert_parallel(int kind, int64_t outer, int64_t channels,
                                     int64_t inner, const void *in,
                                     const float *scale, const int32_t *zero,
                                     int lo, int hi, void *out,
                                     const dlc_exec *ex) {
  dlc_convert_args args = {kind, channels, inner, in, scale, zero, lo, hi, out};
  int64_t total = outer * channels * inner;
  if (channels == 1)
    dlc_parallel_for(ex, total, 1024, total, dlc_convert_range, &args);
  else
    dlc_parallel_for(ex, outer, 1, total, dlc_convert_range, &args);
}

DLC_INLINE void dlc_quantize_s8(int64_t outer, int64_t channels, int64_t inner,
                                const float *in, const float *scale,
                                const int32_t *zero, int lo, int hi,
                                int8_t *out, const dlc_exec *ex) {
  dlc_convert_parallel(0, outer, channels, inner, in, scale, zero, lo, hi, out,
                       ex);
}

DLC_INLINE void dlc_dequantize_s8(int64_t outer, int64_t channels,
                                  int64_t inner, const int8_t *in,
                                  const float *scale, const int32_t *zero,
                                  float *out, const dlc_exec *ex) {
  dlc_convert_parallel(1, outer, channels, inner, in, scale, zero, 0, 0, out,
                       ex);
}

typedef struct {
  const int8_t *in;
  int32_t zin, multiplier;
  int shift;
  int32_t zout;
  int lo, hi;
  int8_t *out;
} dlc_requantize_args;

DLC_INLINE void dlc_requantize_range(const void *p, int64_t begin,
                                     int64_t end) {
  const dlc_requantize_args *x = (const dlc_requantize_args *)p;
  dlc_requantize_s8_serial(end - begin, x->in + begin, x->zin, x->multiplier,
                           x->shift, x->zout, x->lo, x->hi, x->out + begin);
}

DLC_INLINE void dlc_requantize_s8(int64_t n, const int8_t *in, int32_t zin,
                                  int32_t multiplier, int shift, int32_t zout,
                                  int lo, int hi, int8_t *out,
                                  const dlc_exec *ex) {
  dlc_requantize_args args = {in, zin, multiplier, shift, zout, lo, hi, out};
  dlc_parallel_for(ex, n, 1024, n, dlc_requantize_range, &args);
}

typedef struct {
  const int8_t *a, *b;
  int32_t za, ma, zb, mb, mo, zo;
  int sa, sb, so, lo, hi;
  int8_t *out;
} dlc_qadd_args;

DLC_INLINE void dlc_qadd_range(const void *p, int64_t begin, int64_t end) {
  const dlc_qadd_args *x = (const dlc_qadd_args *)p;
  dlc_qadd_s8_serial(end - begin, x->a + begin, x->za, x->ma, x->sa,
                     x->b + begin, x->zb, x->mb, x->sb, x->mo, x->so, x->zo,
                     x->lo, x->hi, x->out + begin);
}

DLC_INLINE void dlc_qadd_s8(int64_t n, const int8_t *a, int32_t za, int32_t ma,
                            int sa, const int8_t *b, int32_t zb, int32_t mb,
                            int sb, int32_t mo, int so, int32_t zo, int lo,
                            int hi, int8_t *out, const dlc_exec *ex) {
  dlc_qadd_args args = {a, b, za, ma, zb, mb, mo, zo, sa, sb, so, lo, hi, out};
  dlc_parallel_for(ex, n, 1024, n, dlc_qadd_range, &args);
}

typedef struct {
  const uint8_t *in;
  const uint16_t *table;
  float scale;
  float *out;
} dlc_fp8_decode_args;

DLC_INLINE void dlc_fp8_decode_range(const void *p, int64_t begin,
                                     int64_t end) {
  const dlc_fp8_decode_args *x = (const dlc_fp8_decode_args *)p;
  dlc_fp8_to_f32_serial(end - begin, x->in + begin, x->table, x->scale,
                        x->out + begin);
}

DLC_INLINE void dlc_fp8_to_f32(int64_t n, const uint8_t *in,
                               const uint16_t *table, float scale, float *out,
                               const dlc_exec *ex) {
  dlc_fp8_decode_args args = {in, table, scale, out};
  dlc_parallel_for(ex, n, 1024, n, dlc_fp8_decode_range, &args);
}

typedef struct {
  const float *in;
  float scale, max;
  int mbits, bias;
  uint8_t max_code, nan_code;
  uint8_t *out;
} dlc_fp8_encode_args;

DLC_INLINE void dlc_fp8_encode_range(const void *p, int64_t begin,
                                     int64_t end) {
  const dlc_fp8_encode_args *x = (const dlc_fp8_encode_args *)p;
  dlc_quantize_fp8_serial(end - begin, x->in + begin, x->scale, x->mbits,
                          x->bias, x->max, x->max_code, x->nan_code,
                          x->out + begin);
}

DLC_INLINE void dlc_quantize_fp8(int64_t n, const float *in, float scale,
                                 int mbits, int bias, float max,
                                 uint8_t max_code, uint8_t nan_code,
                                 uint8_t *out, const dlc_exec *ex) {
  dlc_fp8_encode_args args = {in,   scale,    max,      mbits,
                              bias, max_code, nan_code, out};
  dlc_parallel_for(ex, n, 1024, n, dlc_fp8_encode_range, &args);
}
