/*===- quant.cuh - int8 and fp8 conversions, int8 addition ----------------===*
 *
 * Bit-exact with the reference executor: quantization divides in fp32 and
 * rounds half to even; requantization and addition are gemmlowp fixed
 * point; fp8 decodes through an exact fp16 table and encodes with
 * round-to-nearest-even after saturating to the largest finite value.
 *
 *===----------------------------------------------------------------------===*/

DLC_KERNEL void dlc_quantize_s8_kernel(int64_t total, int64_t channels,
                                       int64_t inner, const float *in,
                                       const float *scale, const int32_t *zero,
                                       int lo, int hi, int8_t *out) {
  DLC_FOR(i, total) {
    int64_t c = i / inner % channels;
    float r = rintf(__fdiv_rn(in[i], scale[c])) + (float)zero[c];
    r = r<(float)lo ? (float)lo : r>(float) hi ? (float)hi : r;
    out[i] = (int8_t)r;
  }
}

DLC_LAUNCHER void dlc_quantize_s8(int64_t outer, int64_t channels,
                                  int64_t inner, const float *in,
                                  const float *scale, const int32_t *zero,
                                  int lo, int hi, int8_t *out, dlc_exec *ex) {
  int64_t total = outer * channels * inner;
  dlc_quantize_s8_kernel<<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      total, channels, inner, in, scale, zero, lo, hi, out);
  dlc_check_launch(ex);
}

DLC_KERNEL void dlc_dequantize_s8_kernel(int64_t total, int64_t channels,
                                         int64_t inner, const int8_t *in,
                                         const float *scale,
                                         const int32_t *zero, float *out) {
  DLC_FOR(i, total) {
    int64_t c = i / inner % channels;
    out[i] = __fmul_rn(scale[c], (float)((int32_t)in[i] - zero[c]));
  }
}

DLC_LAUNCHER void dlc_dequantize_s8(int64_t outer, int64_t channels,
                                    int64_t inner, const int8_t *in,
                                    const float *scale, const int32_t *zero,
                                    float *out, dlc_exec *ex) {
  int64_t total = outer * channels * inner;
  dlc_dequantize_s8_kernel<<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      total, channels, inner, in, scale, zero, out);
  dlc_check_launch(ex);
}

DLC_KERNEL void dlc_requantize_kernel(int64_t n, const int8_t *in, int32_t zin,
                                      int32_t multiplier, int shift,
                                      int32_t zout, int lo, int hi,
                                      int8_t *out) {
  DLC_FOR(i, n) {
    out[i] = dlc_clamp_s8(
        zout + dlc_requant((int32_t)in[i] - zin, multiplier, shift), lo, hi);
  }
}

DLC_LAUNCHER void dlc_requantize_s8(int64_t n, const int8_t *in, int32_t zin,
                                    int32_t multiplier, int shift, int32_t zout,
                                    int lo, int hi, int8_t *out, dlc_exec *ex) {
  dlc_requantize_kernel<<<dlc_blocks(n), DLC_THREADS, 0, ex->stream>>>(
      n, in, zin, multiplier, shift, zout, lo, hi, out);
  dlc_check_launch(ex);
}

DLC_KERNEL void dlc_qadd_kernel(int64_t n, const int8_t *a, int32_t za,
                                int32_t ma, int sa, const int8_t *b, int32_t zb,
                                int32_t mb, int sb, int32_t mo, int so,
                                int32_t zo, int lo, int hi, int8_t *out) {
  DLC_FOR(i, n) {
    int32_t xa = ((int32_t)a[i] - za) * (1 << 20);
    int32_t xb = ((int32_t)b[i] - zb) * (1 << 20);
    int32_t sum = dlc_requant(xa, ma, sa) + dlc_requant(xb, mb, sb);
    out[i] = dlc_clamp_s8(zo + dlc_requant(sum, mo, so), lo, hi);
  }
}

DLC_LAUNCHER void dlc_qadd_s8(int64_t n, const int8_t *a, int32_t za,
                              int32_t ma, int sa, const int8_t *b, int32_t zb,
                              int32_t mb, int sb, int32_t mo, int so,
                              int32_t zo, int lo, int hi, int8_t *out,
                              dlc_exec *ex) {
  dlc_qadd_kernel<<<dlc_blocks(n), DLC_THREADS, 0, ex->stream>>>(
      n, a, za, ma, sa, b, zb, mb, sb, mo, so, zo, lo, hi, out);
  dlc_check_launch(ex);
}

DLC_KERNEL void dlc_fp8_to_f32_kernel(int64_t n, const uint8_t *in,
                                      const uint16_t *table, float scale,
                                      float *out) {
  DLC_FOR(i, n) {
    out[i] = __fmul_rn(__half2float(__ushort_as_half(table[in[i]])), scale);
  }
}

DLC_LAUNCHER void dlc_fp8_to_f32(int64_t n, const uint8_t *in,
                                 const uint16_t *table, float scale, float *out,
                                 dlc_exec *ex) {
  dlc_fp8_to_f32_kernel<<<dlc_blocks(n), DLC_THREADS, 0, ex->stream>>>(
      n, in, table, scale, out);
  dlc_check_launch(ex);
}

DLC_KERNEL void dlc_quantize_fp8_kernel(int64_t n, const float *in, float scale,
                                        int mbits, int bias, float max,
                                        uint8_t max_code, uint8_t nan_code,
                                        uint8_t *out) {
  DLC_FOR(i, n) {
    out[i] = dlc_encode_fp8(__fdiv_rn(in[i], scale), mbits, bias, max, max_code,
                            nan_code);
  }
}

DLC_LAUNCHER void dlc_quantize_fp8(int64_t n, const float *in, float scale,
                                   int mbits, int bias, float max,
                                   uint8_t max_code, uint8_t nan_code,
                                   uint8_t *out, dlc_exec *ex) {
  dlc_quantize_fp8_kernel<<<dlc_blocks(n), DLC_THREADS, 0, ex->stream>>>(
      n, in, scale, mbits, bias, max, max_code, nan_code, out);
  dlc_check_launch(ex);
}
