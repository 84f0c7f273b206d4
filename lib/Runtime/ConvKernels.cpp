//===- ConvKernels.cpp - convolution and pooling --------------------------===//
//
// Convolution is im2col + SGEMM per (image, group); 1x1 unit-stride
// unpadded convolutions skip im2col, and depthwise convolutions use a direct
// loop, which beats a 1-row GEMM. Pooling follows ONNX/PyTorch exactly:
// padded positions never win a max, and an average's divisor counts the
// explicit padding only with count_include_pad, never the ceil-mode
// overhang.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include <algorithm>
#include <limits>

using namespace mlir::dlc::runtime;
using namespace mlir::dlc::runtime::kernels;

int64_t Window2D::outputSize(int dim, int64_t input) const {
  int64_t extent = dilation[dim] * (kernel[dim] - 1) + 1;
  int64_t span = input + pads[dim] + pads[dim + 2] - extent;
  int64_t size = span / stride[dim] + 1;
  if (ceilMode && span % stride[dim] != 0) {
    ++size;
    if ((size - 1) * stride[dim] >= input + pads[dim])
      --size;
  }
  return size;
}

/// Unfolds one group of one image into columns [C*KH*KW, OH*OW].
static void im2col(const float *image, int64_t channels, int64_t height,
                   int64_t width, const Window2D &w, int64_t outH, int64_t outW,
                   float *columns) {
  int64_t kh = w.kernel[0], kw = w.kernel[1], stride = w.stride[1];
  parallelFor(0, channels * kh * kw, [&](int64_t row) {
    int64_t c = row / (kh * kw), ky = (row / kw) % kh, kx = row % kw;
    const float *plane = image + c * height * width;
    float *out = columns + row * outH * outW;
    // Output columns whose input column lies inside the image.
    int64_t offset = kx * w.dilation[1] - w.pads[1];
    int64_t first =
        std::clamp<int64_t>((-offset + stride - 1) / stride, 0, outW);
    int64_t last = std::clamp<int64_t>((width - offset + stride - 1) / stride,
                                       first, outW);
    for (int64_t oy = 0; oy < outH; ++oy) {
      float *dst = out + oy * outW;
      int64_t iy = oy * w.stride[0] + ky * w.dilation[0] - w.pads[0];
      if (iy < 0 || iy >= height) {
        std::fill(dst, dst + outW, 0.0f);
        continue;
      }
      std::fill(dst, dst + first, 0.0f);
      const float *src = plane + iy * width + offset;
      if (stride == 1) {
        std::copy(src + first, src + last, dst + first);
      } else {
        for (int64_t ox = first; ox < last; ++ox)
          dst[ox] = src[ox * stride];
      }
      std::fill(dst + last, dst + outW, 0.0f);
    }
  });
}

/// Depthwise with every column interior: each plane copied into a
/// zero-padded scratch plane first (the padding's taps add zeros, so the
/// sums are those of the column-by-column border path).
static void depthwiseOnPaddedPlanes(const float *image, const float *weight,
                                    const float *bias, int64_t channels,
                                    int64_t multiplier, int64_t height,
                                    int64_t width, const Window2D &w,
                                    int64_t outH, int64_t outW, float *out) {
  int64_t kh = w.kernel[0], kw = w.kernel[1];
  int64_t paddedH = height + w.pads[0] + w.pads[2];
  int64_t paddedW = width + w.pads[1] + w.pads[3];
  parallelFor(0, channels * multiplier, [&](int64_t m) {
    const float *plane = image + (m / multiplier) * height * width;
    float *padded = scratchBuffer(kDepthwisePlaneSlot, paddedH * paddedW);
    // Zeros around the plane, written once each (the scratch is shared by
    // layers of other sizes: nothing in it can be assumed).
    int64_t right = w.pads[1] + width;
    std::fill(padded, padded + w.pads[0] * paddedW, 0.0f);
    for (int64_t y = 0; y < height; ++y) {
      float *row = padded + (y + w.pads[0]) * paddedW;
      std::fill(row, row + w.pads[1], 0.0f);
      std::copy(plane + y * width, plane + (y + 1) * width, row + w.pads[1]);
      std::fill(row + right, row + paddedW, 0.0f);
    }
    std::fill(padded + (height + w.pads[0]) * paddedW,
              padded + paddedH * paddedW, 0.0f);
    const float *k = weight + m * kh * kw;
    float *dst = out + m * outH * outW;
    float b = bias ? bias[m] : 0.0f;
    for (int64_t oy = 0; oy < outH; ++oy) {
      float *row = dst + oy * outW;
      std::fill(row, row + outW, b);
      for (int64_t ky = 0; ky < kh; ++ky) {
        const float *src =
            padded + (oy * w.stride[0] + ky * w.dilation[0]) * paddedW;
        for (int64_t kx = 0; kx < kw; ++kx) {
          float tap = k[ky * kw + kx];
          const float *in = src + kx * w.dilation[1];
          for (int64_t ox = 0; ox < outW; ++ox)
            row[ox] += in[ox * w.stride[1]] * tap;
        }
      }
    }
  });
}

/// Depthwise: each output channel reads one input channel. Each output
/// element sums its taps in (ky, kx) order after the bias; columns whose
/// taps all lie inside the input take them as whole-row passes, which the
/// compiler vectorizes, the border columns one by one.
static void depthwise(const float *image, const float *weight,
                      const float *bias, int64_t channels, int64_t multiplier,
                      int64_t height, int64_t width, const Window2D &w,
                      int64_t outH, int64_t outW, float *out) {
  int64_t kh = w.kernel[0], kw = w.kernel[1];
  int64_t sx = w.stride[1], dx = w.dilation[1];
  if (depthwisePadsPlane(kw, sx, w.pads[1], w.pads[3], dx, width, outW)) {
    depthwiseOnPaddedPlanes(image, weight, bias, channels, multiplier, height,
                            width, w, outH, outW, out);
    return;
  }
  // Interior columns: ox*sx - padLeft >= 0 and the last tap < width.
  std::pair<int64_t, int64_t> interior =
      interiorColumns(kw, sx, w.pads[1], dx, width, outW);
  int64_t fullFirst = interior.first, fullLast = interior.second;
  parallelFor(0, channels * multiplier, [&](int64_t m) {
    const float *plane = image + (m / multiplier) * height * width;
    const float *k = weight + m * kh * kw;
    float *dst = out + m * outH * outW;
    float b = bias ? bias[m] : 0.0f;
    for (int64_t oy = 0; oy < outH; ++oy) {
      float *row = dst + oy * outW;
      for (int64_t ox = fullFirst; ox < fullLast; ++ox)
        row[ox] = b;
      for (int64_t ky = 0; ky < kh; ++ky) {
        int64_t iy = oy * w.stride[0] + ky * w.dilation[0] - w.pads[0];
        if (iy < 0 || iy >= height)
          continue;
        const float *src = plane + iy * width - w.pads[1];
        for (int64_t kx = 0; kx < kw; ++kx) {
          float tap = k[ky * kw + kx];
          const float *in = src + kx * dx;
          for (int64_t ox = fullFirst; ox < fullLast; ++ox)
            row[ox] += in[ox * sx] * tap;
        }
      }
      for (int64_t ox = 0; ox < outW; ++ox) {
        if (ox >= fullFirst && ox < fullLast)
          continue;
        float sum = b;
        for (int64_t ky = 0; ky < kh; ++ky) {
          int64_t iy = oy * w.stride[0] + ky * w.dilation[0] - w.pads[0];
          if (iy < 0 || iy >= height)
            continue;
          for (int64_t kx = 0; kx < kw; ++kx) {
            int64_t ix = ox * sx + kx * dx - w.pads[1];
            if (ix >= 0 && ix < width)
              sum += plane[iy * width + ix] * k[ky * kw + kx];
          }
        }
        row[ox] = sum;
      }
    }
  });
}

Tensor kernels::conv2d(const Tensor &input, const Tensor &weight,
                       const Tensor *bias, const Window2D &window,
                       int64_t groups,
                       const std::vector<float> *winogradWeights) {
  int64_t n = input.dim(0), c = input.dim(1), h = input.dim(2),
          wd = input.dim(3);
  int64_t m = weight.dim(0), cg = weight.dim(1);
  Window2D win = window;
  win.kernel[0] = weight.dim(2);
  win.kernel[1] = weight.dim(3);
  win.ceilMode = false;
  if (winogradWeights)
    return winogradConv2d(input, weight, *winogradWeights, bias, win);
  int64_t outH = win.outputSize(0, h), outW = win.outputSize(1, wd);
  Tensor output = Tensor::uninitialized({n, m, outH, outW});
  int64_t mg = m / groups, spatial = outH * outW;
  int64_t kSize = cg * win.kernel[0] * win.kernel[1];
  const float *b = bias ? bias->data() : nullptr;

  if (cg == 1 && groups == c) {
    for (int64_t i = 0; i < n; ++i)
      depthwise(input.data() + i * c * h * wd, weight.data(), b, c, mg, h, wd,
                win, outH, outW, output.mutableData() + i * m * spatial);
    return output;
  }

  bool pointwise =
      isPointwiseWindow(win.kernel[0], win.kernel[1], win.stride, win.pads);
  float *columns =
      pointwise ? nullptr : scratchBuffer(kIm2colColumnsSlot, kSize * spatial);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t g = 0; g < groups; ++g) {
      const float *image = input.data() + (i * c + g * cg) * h * wd;
      float *dst = output.mutableData() + (i * m + g * mg) * spatial;
      const float *cols = image;
      if (!pointwise) {
        im2col(image, cg, h, wd, win, outH, outW, columns);
        cols = columns;
      }
      float beta = 0.0f;
      if (b) {
        for (int64_t o = 0; o < mg; ++o)
          std::fill(dst + o * spatial, dst + (o + 1) * spatial, b[g * mg + o]);
        beta = 1.0f;
      }
      gemm(/*transB=*/false, mg, spatial, kSize, weight.data() + g * mg * kSize,
           kSize, cols, spatial, beta, dst, spatial);
    }
  }
  return output;
}

template <typename Reduce>
static Tensor pool2d(const Tensor &input, const Window2D &w, Reduce reduce) {
  int64_t n = input.dim(0), c = input.dim(1), h = input.dim(2),
          wd = input.dim(3);
  int64_t outH = w.outputSize(0, h), outW = w.outputSize(1, wd);
  Tensor output = Tensor::uninitialized({n, c, outH, outW});
  parallelFor(0, n * c, [&](int64_t plane) {
    const float *src = input.data() + plane * h * wd;
    float *dst = output.mutableData() + plane * outH * outW;
    for (int64_t oy = 0; oy < outH; ++oy)
      for (int64_t ox = 0; ox < outW; ++ox)
        dst[oy * outW + ox] = reduce(src, h, wd, oy * w.stride[0] - w.pads[0],
                                     ox * w.stride[1] - w.pads[1]);
  });
  return output;
}

/// The kernel taps [first, last) of a window starting at `origin` that land
/// inside [0, size) with dilation `d`.
static std::pair<int64_t, int64_t> validTaps(int64_t origin, int64_t kernel,
                                             int64_t d, int64_t size) {
  int64_t first = origin < 0 ? (-origin + d - 1) / d : 0;
  int64_t last = std::min(kernel, (size - origin + d - 1) / d);
  return {first, std::max(first, last)};
}

Tensor kernels::maxPool2d(const Tensor &input, const Window2D &w) {
  int64_t n = input.dim(0), c = input.dim(1), h = input.dim(2),
          wd = input.dim(3);
  int64_t outH = w.outputSize(0, h), outW = w.outputSize(1, wd);
  Tensor output = Tensor::uninitialized({n, c, outH, outW});
  // The taps inside the input depend only on the output row or column:
  // computed once, not per output element.
  std::vector<std::pair<int64_t, int64_t>> rows(outH), cols(outW);
  for (int64_t oy = 0; oy < outH; ++oy)
    rows[oy] =
        validTaps(oy * w.stride[0] - w.pads[0], w.kernel[0], w.dilation[0], h);
  for (int64_t ox = 0; ox < outW; ++ox)
    cols[ox] =
        validTaps(ox * w.stride[1] - w.pads[1], w.kernel[1], w.dilation[1], wd);
  // Output columns whose whole window lies inside the input: there the
  // taps need no bounds, and a row of outputs is a strided max the compiler
  // vectorizes.
  int64_t fullFirst = outW, fullLast = outW;
  for (int64_t ox = 0; ox < outW; ++ox)
    if (cols[ox].first == 0 && cols[ox].second == w.kernel[1]) {
      fullFirst = std::min(fullFirst, ox);
      fullLast = ox + 1;
    }
  if (fullFirst > fullLast)
    fullFirst = fullLast;
  parallelFor(0, n * c, [&](int64_t plane) {
    const float *src = input.data() + plane * h * wd;
    float *dst = output.mutableData() + plane * outH * outW;
    for (int64_t oy = 0; oy < outH; ++oy) {
      int64_t y0 = oy * w.stride[0] - w.pads[0];
      auto [ky0, ky1] = rows[oy];
      float *out = dst + oy * outW;
      for (int64_t ox = fullFirst; ox < fullLast; ++ox)
        out[ox] = -std::numeric_limits<float>::infinity();
      // Interior columns: one pass per tap over the whole row.
      for (int64_t ky = ky0; ky < ky1; ++ky) {
        const float *row = src + (y0 + ky * w.dilation[0]) * wd - w.pads[1];
        for (int64_t kx = 0; kx < w.kernel[1]; ++kx) {
          const float *tap = row + kx * w.dilation[1];
          for (int64_t ox = fullFirst; ox < fullLast; ++ox)
            out[ox] = std::max(out[ox], tap[ox * w.stride[1]]);
        }
      }
      // Border columns, with their clipped windows.
      for (int64_t ox = 0; ox < outW; ++ox) {
        if (ox >= fullFirst && ox < fullLast)
          continue;
        int64_t x0 = ox * w.stride[1] - w.pads[1];
        auto [kx0, kx1] = cols[ox];
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t ky = ky0; ky < ky1; ++ky) {
          const float *row = src + (y0 + ky * w.dilation[0]) * wd + x0;
          for (int64_t kx = kx0; kx < kx1; ++kx)
            best = std::max(best, row[kx * w.dilation[1]]);
        }
        out[ox] = best;
      }
    }
  });
  return output;
}

Tensor kernels::avgPool2d(const Tensor &input, const Window2D &w,
                          bool countIncludePad) {
  return pool2d(
      input, w,
      [&](const float *src, int64_t h, int64_t wd, int64_t y0, int64_t x0) {
        // The window clipped to the explicitly padded input...
        int64_t yEnd = std::min(y0 + w.kernel[0], h + w.pads[2]);
        int64_t xEnd = std::min(x0 + w.kernel[1], wd + w.pads[3]);
        int64_t padded = (yEnd - y0) * (xEnd - x0);
        // ...and to the input itself.
        int64_t yBegin = std::max<int64_t>(y0, 0),
                xBegin = std::max<int64_t>(x0, 0);
        yEnd = std::min(yEnd, h);
        xEnd = std::min(xEnd, wd);
        float sum = 0.0f;
        for (int64_t y = yBegin; y < yEnd; ++y)
          for (int64_t x = xBegin; x < xEnd; ++x)
            sum += src[y * wd + x];
        int64_t count =
            countIncludePad ? padded : (yEnd - yBegin) * (xEnd - xBegin);
        return count > 0 ? sum / static_cast<float>(count) : 0.0f;
      });
}

Tensor kernels::globalAvgPool(const Tensor &input) {
  llvm::SmallVector<int64_t> shape(input.shape());
  int64_t spatial = 1;
  for (size_t i = 2; i < shape.size(); ++i) {
    spatial *= shape[i];
    shape[i] = 1;
  }
  Tensor output = Tensor::uninitialized(shape);
  parallelFor(0, shape[0] * shape[1], [&](int64_t plane) {
    const float *src = input.data() + plane * spatial;
    double sum = 0.0;
    for (int64_t i = 0; i < spatial; ++i)
      sum += src[i];
    output.mutableData()[plane] = static_cast<float>(sum / spatial);
  });
  return output;
}
