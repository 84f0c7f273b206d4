//===- Winograd.cpp - 3x3 convolution as Winograd F(2x2, 3x3) -------------===//
//
// A 3x3, stride-1, undilated, ungrouped convolution computes each 2x2 output
// tile from a 4x4 input tile with 16 multiplications per (input, output)
// channel pair instead of 36 (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016):
//
//   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
//
// Over all channels the elementwise products become 16 independent GEMMs,
// [M x C] x [C x tiles], one per position in the 4x4 tile. F(2x2, 3x3)'s
// transforms use only 0, +-1 and +-1/2, so its rounding error stays at the
// level of a direct fp32 convolution's reassociation.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include <algorithm>
#include <memory>

using namespace mlir::dlc::runtime;
using namespace mlir::dlc::runtime::kernels;

std::vector<float> kernels::winogradTransformWeights(const Tensor &weight) {
  int64_t m = weight.dim(0), c = weight.dim(1);
  std::vector<float> u(16 * m * c);
  parallelFor(0, m, [&](int64_t mi) {
    for (int64_t ci = 0; ci < c; ++ci) {
      const float *g = weight.data() + (mi * c + ci) * 9;
      float t[4][3]; // G g
      for (int j = 0; j < 3; ++j) {
        t[0][j] = g[j];
        t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
        t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
        t[3][j] = g[6 + j];
      }
      for (int i = 0; i < 4; ++i) {
        float r[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]),
                      0.5f * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
        for (int j = 0; j < 4; ++j)
          u[((i * 4 + j) * m + mi) * c + ci] = r[j];
      }
    }
  });
  return u;
}

Tensor kernels::winogradConv2d(const Tensor &input, const Tensor &weight,
                               const std::vector<float> &u, const Tensor *bias,
                               const Window2D &w) {
  int64_t n = input.dim(0), c = input.dim(1), h = input.dim(2),
          wd = input.dim(3), m = weight.dim(0);
  int64_t outH = h + w.pads[0] + w.pads[2] - 2;
  int64_t outW = wd + w.pads[1] + w.pads[3] - 2;
  int64_t tilesH = (outH + 1) / 2, tilesW = (outW + 1) / 2;
  int64_t tiles = winogradTiles(outH, outW);
  Tensor output = Tensor::uninitialized({n, m, outH, outW});
  // Scratch the kernel overwrites in full: no zero-fill, and reused across
  // calls (fresh pages for 2 x 3 MB per conv cost more than the GEMMs).
  float *v = scratchBuffer(kWinogradInputSlot, 16 * c * tiles);
  float *product = scratchBuffer(kWinogradProductSlot, 16 * m * tiles);

  for (int64_t img = 0; img < n; ++img) {
    const float *x = input.data() + img * c * h * wd;
    // V[k][c][t] = (B^T d B)[k] for each 4x4 input tile d, read from a
    // zero-padded copy of the channel. Each step runs along a whole row of
    // tiles, so the loops vectorize and every store stream is contiguous.
    int64_t paddedH = 2 * tilesH + 2, paddedW = 2 * tilesW + 2;
    parallelFor(0, c, [&](int64_t ci) {
      std::unique_ptr<float[]> padded(
          new float[paddedH * paddedW + 4 * paddedW]);
      float *t[4];
      for (int i = 0; i < 4; ++i)
        t[i] = padded.get() + paddedH * paddedW + i * paddedW;
      const float *plane = x + ci * h * wd;
      for (int64_t y = 0; y < paddedH; ++y) {
        float *row = padded.get() + y * paddedW;
        int64_t sy = y - w.pads[0];
        std::fill(row, row + paddedW, 0.0f);
        if (sy < 0 || sy >= h)
          continue;
        int64_t first = w.pads[1], count = std::min(wd, paddedW - first);
        std::copy(plane + sy * wd, plane + sy * wd + count, row + first);
      }
      float *vc = v + ci * tiles;
      int64_t kStride = c * tiles;
      for (int64_t ty = 0; ty < tilesH; ++ty) {
        const float *r0 = padded.get() + 2 * ty * paddedW;
        const float *r1 = r0 + paddedW, *r2 = r1 + paddedW, *r3 = r2 + paddedW;
        for (int64_t col = 0; col < paddedW; ++col) { // t = B^T d
          t[0][col] = r0[col] - r2[col];
          t[1][col] = r1[col] + r2[col];
          t[2][col] = r2[col] - r1[col];
          t[3][col] = r1[col] - r3[col];
        }
        for (int i = 0; i < 4; ++i) { // (B^T d) B
          const float *ti = t[i];
          float *d0 = vc + (i * 4 + 0) * kStride + ty * tilesW;
          float *d1 = vc + (i * 4 + 1) * kStride + ty * tilesW;
          float *d2 = vc + (i * 4 + 2) * kStride + ty * tilesW;
          float *d3 = vc + (i * 4 + 3) * kStride + ty * tilesW;
          for (int64_t tx = 0; tx < tilesW; ++tx) {
            const float *q = ti + 2 * tx;
            d0[tx] = q[0] - q[2];
            d1[tx] = q[1] + q[2];
            d2[tx] = q[2] - q[1];
            d3[tx] = q[1] - q[3];
          }
        }
      }
    });
    // 16 independent products, one per tile position.
    parallelFor(0, 16, [&](int64_t k) {
      gemmSingleThread(m, tiles, c, u.data() + k * m * c, c, v + k * c * tiles,
                       tiles, product + k * m * tiles, tiles);
    });
    // Y = A^T P A for each output tile, plus bias, a row of tiles at a time.
    float *y = output.mutableData() + img * m * outH * outW;
    parallelFor(0, m, [&](int64_t mi) {
      float b = bias ? bias->data()[mi] : 0.0f;
      float *dst = y + mi * outH * outW;
      std::unique_ptr<float[]> rows(new float[8 * tilesW]);
      for (int64_t ty = 0; ty < tilesH; ++ty) {
        const float *p[16];
        for (int k = 0; k < 16; ++k)
          p[k] = product + (k * m + mi) * tiles + ty * tilesW;
        // t = A^T P: two rows of four values per tile.
        float *t0[4], *t1[4];
        for (int j = 0; j < 4; ++j) {
          t0[j] = rows.get() + j * tilesW;
          t1[j] = rows.get() + (4 + j) * tilesW;
          for (int64_t tx = 0; tx < tilesW; ++tx) {
            t0[j][tx] = p[j][tx] + p[4 + j][tx] + p[8 + j][tx];
            t1[j][tx] = p[4 + j][tx] - p[8 + j][tx] - p[12 + j][tx];
          }
        }
        for (int i = 0; i < 2 && 2 * ty + i < outH; ++i) {
          float **ti = i == 0 ? t0 : t1;
          float *out = dst + (2 * ty + i) * outW;
          int64_t full = outW / 2;
          for (int64_t tx = 0; tx < full; ++tx) {
            out[2 * tx] = ti[0][tx] + ti[1][tx] + ti[2][tx] + b;
            out[2 * tx + 1] = ti[1][tx] - ti[2][tx] - ti[3][tx] + b;
          }
          if (outW % 2)
            out[outW - 1] = ti[0][full] + ti[1][full] + ti[2][full] + b;
        }
      }
    });
  }
  return output;
}
