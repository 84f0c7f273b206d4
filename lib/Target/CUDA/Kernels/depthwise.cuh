/*===- depthwise.cuh - depthwise convolution ------------------------------===*
 *
 * Weights C x KH x KW unpacked; each output sums its taps inside the image
 * in (ky, kx) order (dlc_depthwise_point's order, so the sums are the
 * executor's); epilogue as the GEMM's.
 *
 * - Tiled: a block computes an 8 x 32 tile of one plane's outputs (one per
 *   thread), reading the input window the tile needs (with its halo) into
 *   shared memory once, coalesced, instead of each thread reading its
 *   KH x KW taps from global memory: for a 3x3 stride-1 layer 10 x 34
 *   loads instead of 2,304. For maps at least 16 wide whose window fits.
 * - Direct: one thread per output, planes packed one after another (small
 *   maps, where an 8 x 32 tile would leave most threads idle).
 *
 *===----------------------------------------------------------------------===*/

#define DLC_DW_TH 8
#define DLC_DW_TW 32
#define DLC_DW_WINDOW 4096 /* floats of input window per block */

/* The window of input a tile of outputs reads: rows and columns. */
DLC_HOST_DEVICE void dlc_depthwise_window(const dlc_conv_geom *g, int *rows,
                                          int *cols) {
  *rows = (DLC_DW_TH - 1) * g->sh + (g->kh - 1) * g->dh + 1;
  *cols = (DLC_DW_TW - 1) * g->sw + (g->kw - 1) * g->dw + 1;
}

/* Output `at` of channel `ch` through the epilogue. */
DLC_DEVICE void dlc_depthwise_store(const dlc_epilogue_f32 &ep, int ch,
                                    int64_t at, float acc, float *out) {
  if (ep.scale)
    acc *= ep.scale[ch];
  if (ep.bias)
    acc += ep.bias[ch];
  if (ep.residual)
    acc += ep.residual[at];
  out[at] = fminf(fmaxf(acc, ep.clamp.lo), ep.clamp.hi);
}

DLC_KERNEL void dlc_depthwise_f32_kernel(int64_t total, dlc_conv_geom g,
                                         const float *in, const float *w,
                                         float *out, dlc_epilogue_f32 ep) {
  DLC_FOR(e, total) {
    int ox = (int)(e % g.ow), oy = (int)(e / g.ow % g.oh);
    int64_t plane = e / ((int64_t)g.oh * g.ow);
    int ch = (int)(plane % g.c);
    const float *src = in + plane * g.h * g.w;
    const float *wt = w + (int64_t)ch * g.kh * g.kw;
    dlc_depthwise_store(ep, ch, e, dlc_depthwise_point(src, wt, &g, oy, ox),
                        out);
  }
}

/* Grid: x the tiles along a row, y along the columns, z the planes. */
DLC_KERNEL void dlc_depthwise_tiled_kernel(dlc_conv_geom g, const float *in,
                                           const float *w, float *out,
                                           dlc_epilogue_f32 ep) {
  __shared__ float window[DLC_DW_WINDOW];
  int64_t plane = blockIdx.z;
  int ch = (int)(plane % g.c), rows, cols;
  dlc_depthwise_window(&g, &rows, &cols);
  int oy0 = blockIdx.y * DLC_DW_TH, ox0 = blockIdx.x * DLC_DW_TW;
  int iy0 = oy0 * g.sh - g.pt, ix0 = ox0 * g.sw - g.pl;
  const float *src = in + plane * g.h * g.w;
  for (int e = threadIdx.x; e < rows * cols; e += blockDim.x) {
    int y = iy0 + e / cols, x = ix0 + e % cols;
    window[e] = y >= 0 && y < g.h && x >= 0 && x < g.w
                    ? src[(int64_t)y * g.w + x]
                    : 0.0f;
  }
  __syncthreads();
  int ty = threadIdx.x / DLC_DW_TW, tx = threadIdx.x % DLC_DW_TW;
  int oy = oy0 + ty, ox = ox0 + tx;
  if (oy >= g.oh || ox >= g.ow)
    return;
  int ky0, ky1, kx0, kx1;
  dlc_valid_taps(oy * g.sh - g.pt, g.kh, g.dh, g.h, &ky0, &ky1);
  dlc_valid_taps(ox * g.sw - g.pl, g.kw, g.dw, g.w, &kx0, &kx1);
  const float *wt = w + (int64_t)ch * g.kh * g.kw;
  const float *origin = window + ty * g.sh * cols + tx * g.sw;
  float acc = 0.0f;
  for (int ky = ky0; ky < ky1; ++ky)
    for (int kx = kx0; kx < kx1; ++kx)
      acc += origin[ky * g.dh * cols + kx * g.dw] * wt[ky * g.kw + kx];
  dlc_depthwise_store(ep, ch, (plane * g.oh + oy) * g.ow + ox, acc, out);
}

DLC_LAUNCHER void dlc_depthwise_f32(int n, const dlc_conv_geom *g,
                                    const float *in, const float *w, float *out,
                                    const dlc_epilogue_f32 *ep, dlc_exec *ex) {
  int64_t planes = (int64_t)n * g->c;
  int rows, cols;
  dlc_depthwise_window(g, &rows, &cols);
  if (g->ow >= DLC_DW_TW / 2 && rows * cols <= DLC_DW_WINDOW &&
      planes <= 65535) {
    dim3 grid((g->ow + DLC_DW_TW - 1) / DLC_DW_TW,
              (g->oh + DLC_DW_TH - 1) / DLC_DW_TH, (unsigned)planes);
    dlc_depthwise_tiled_kernel<<<grid, DLC_DW_TH * DLC_DW_TW, 0, ex->stream>>>(
        *g, in, w, out, *ep);
  } else {
    int64_t total = planes * g->oh * g->ow;
    dlc_depthwise_f32_kernel<<<dlc_blocks(total), DLC_THREADS, 0, ex->stream>>>(
        total, *g, in, w, out, *ep);
  }
  dlc_check_launch(ex);
}
