/*===- depthwise.cuh - depthwise convolution ------------------------------===*
 *
 * One thread per output element; weights C x KH x KW unpacked; the taps
 * in (ky, kx) order; epilogue as the GEMM's.
 *
 *===----------------------------------------------------------------------===*/

DLC_KERNEL void dlc_depthwise_f32_kernel(int64_t total, dlc_conv_geom g,
                                         const float *in, const float *w,
                                         float *out, dlc_epilogue_f32 ep) {
  DLC_FOR(e, total) {
    int ox = (int)(e % g.ow), oy = (int)(e / g.ow % g.oh);
    int64_t plane = e / ((int64_t)g.oh * g.ow);
    int ch = (int)(plane % g.c);
    const float *src = in + plane * g.h * g.w;
    const float *wt = w + (int64_t)ch * g.kh * g.kw;
    float acc = dlc_depthwise_point(src, wt, &g, oy, ox);
    if (ep.scale)
      acc *= ep.scale[ch];
    if (ep.bias)
      acc += ep.bias[ch];
    if (ep.residual)
      acc += ep.residual[e];
    out[e] = fminf(fmaxf(acc, ep.clamp.lo), ep.clamp.hi);
  }
}

DLC_LAUNCHER void dlc_depthwise_f32(int n, const dlc_conv_geom *g,
                                    const float *in, const float *w, float *out,
                                    const dlc_epilogue_f32 *ep, dlc_exec *ex) {
  int64_t total = (int64_t)n * g->c * g->oh * g->ow;
  dlc_depthwise_f32_kernel<<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
      total, *g, in, w, out, *ep);
  dlc_check_launch(ex);
}
