//===- QuantKernels.cpp - int8 and fp8 kernels of the executor ------------===//
//
// Products unfold each (image, group) into rows of K = C/G*KH*KW
// contiguous values per output pixel, then take one dot product per
// (pixel, output channel): int16 x int16 into int32 for int8, sequential
// fp32 sums for fp8 (the reduction order the op definition fixes).
//
//===----------------------------------------------------------------------===//

#include "QuantKernels.h"
#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir::dlc::runtime;
using namespace mlir::dlc::runtime::kernels;

/// The channel of flat element `i` along `axis` of `shape`.
static int64_t channelOf(llvm::ArrayRef<int64_t> shape, int64_t axis,
                         int64_t i) {
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  return (i / inner) % shape[axis];
}

Tensor kernels::quantizeInt8(const Tensor &input, const ChannelParams &params) {
  Tensor out = Tensor::uninitialized(input.shape(), ElementKind::I8);
  const float *x = input.data();
  int8_t *q = out.mutableInt8Data();
  int64_t n = input.numElements();
  parallelFor(0, n, [&](int64_t i) {
    const q::UniformParams &p = params.at(
        params.axis < 0 ? 0 : channelOf(input.shape(), params.axis, i));
    // The division is fp32, as a backend computes it.
    float scaled = x[i] / static_cast<float>(p.scale);
    float rounded = std::nearbyint(scaled) + static_cast<float>(p.zeroPoint);
    rounded = std::clamp(rounded, static_cast<float>(p.qmin),
                         static_cast<float>(p.qmax));
    q[i] = static_cast<int8_t>(rounded);
  });
  return out;
}

Tensor kernels::dequantizeInt8(const Tensor &input,
                               const ChannelParams &params) {
  Tensor out = Tensor::uninitialized(input.shape());
  const int8_t *q = input.int8Data();
  float *x = out.mutableData();
  int64_t n = input.numElements();
  parallelFor(0, n, [&](int64_t i) {
    const q::UniformParams &p = params.at(
        params.axis < 0 ? 0 : channelOf(input.shape(), params.axis, i));
    x[i] = static_cast<float>(p.scale) *
           static_cast<float>(int32_t(q[i]) - p.zeroPoint);
  });
  return out;
}

Tensor kernels::dequantizeInt8Blocks(const Tensor &input,
                                     llvm::ArrayRef<double> scales,
                                     llvm::ArrayRef<int64_t> zeroPoints,
                                     llvm::ArrayRef<int64_t> scaleShape) {
  Tensor out = Tensor::uninitialized(input.shape());
  int64_t rank = input.rank();
  llvm::SmallVector<int64_t> block(rank), scaleStride(rank, 1);
  for (int64_t d = 0; d < rank; ++d)
    block[d] = input.dim(d) / scaleShape[d];
  for (int64_t d = rank - 2; d >= 0; --d)
    scaleStride[d] = scaleStride[d + 1] * scaleShape[d + 1];
  const int8_t *q = input.int8Data();
  float *x = out.mutableData();
  for (int64_t i = 0, n = input.numElements(); i < n; ++i) {
    int64_t rest = i, at = 0;
    for (int64_t d = rank - 1; d >= 0; --d) {
      at += (rest % input.dim(d)) / block[d] * scaleStride[d];
      rest /= input.dim(d);
    }
    x[i] = static_cast<float>(scales[at]) *
           static_cast<float>(int64_t(q[i]) - zeroPoints[at]);
  }
  return out;
}

Tensor kernels::quantizeFP8(const Tensor &input, double scale,
                            q::FP8Format format) {
  Tensor out = Tensor::uninitialized(input.shape(), ElementKind::I8);
  const float *x = input.data();
  auto *codes = reinterpret_cast<uint8_t *>(out.mutableInt8Data());
  float s = static_cast<float>(scale);
  parallelFor(0, input.numElements(),
              [&](int64_t i) { codes[i] = q::encodeFP8(x[i] / s, format); });
  return out;
}

Tensor kernels::dequantizeFP8(const Tensor &input, double scale,
                              q::FP8Format format) {
  Tensor out = Tensor::uninitialized(input.shape());
  llvm::ArrayRef<float> table = q::fp8DecodeTable(format);
  const uint8_t *codes = input.byteData();
  float *x = out.mutableData();
  float s = static_cast<float>(scale);
  for (int64_t i = 0, n = input.numElements(); i < n; ++i)
    x[i] = table[codes[i]] * s;
  return out;
}

static int8_t clampToStorage(int64_t value, const q::UniformParams &p) {
  return static_cast<int8_t>(std::clamp<int64_t>(value, p.qmin, p.qmax));
}

Tensor kernels::requantize(const Tensor &input, const q::UniformParams &in,
                           const q::UniformParams &out) {
  Tensor result = Tensor::uninitialized(input.shape(), ElementKind::I8);
  q::QuantizedMultiplier m = q::quantizeMultiplier(in.scale / out.scale);
  const int8_t *x = input.int8Data();
  int8_t *y = result.mutableInt8Data();
  for (int64_t i = 0, n = input.numElements(); i < n; ++i)
    y[i] = clampToStorage(out.zeroPoint + q::multiplyByQuantizedMultiplier(
                                              int32_t(x[i]) - in.zeroPoint, m),
                          out);
  return result;
}

namespace {
/// Unfolds group `g` of image `n` into rows[p][k] (k = c*KH*KW + ky*KW + kx),
/// with `convert` applied to each input element and `pad` outside the image.
template <typename T, typename Convert>
void unfold(const Tensor &input, int64_t n, int64_t g, int64_t cg,
            const Window2D &w, int64_t outH, int64_t outW, T pad,
            Convert convert, std::vector<T> &rows) {
  int64_t h = input.dim(2), wd = input.dim(3);
  int64_t kh = w.kernel[0], kw = w.kernel[1];
  int64_t k = cg * kh * kw;
  rows.resize(outH * outW * k);
  int64_t base = (n * input.dim(1) + g * cg) * h * wd;
  parallelFor(0, outH * outW, [&](int64_t p) {
    int64_t oy = p / outW, ox = p % outW;
    T *row = rows.data() + p * k;
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t ky = 0; ky < kh; ++ky) {
        int64_t iy = oy * w.stride[0] + ky * w.dilation[0] - w.pads[0];
        for (int64_t kx = 0; kx < kw; ++kx) {
          int64_t ix = ox * w.stride[1] + kx * w.dilation[1] - w.pads[1];
          bool inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
          *row++ = inside ? convert(base + (c * h + iy) * wd + ix) : pad;
        }
      }
  });
}

/// int8 weights times widened, zero-point-shifted activations, in int32.
int32_t dot(const int8_t *w, const int16_t *x, int64_t k) {
  int32_t sum = 0;
  for (int64_t i = 0; i < k; ++i)
    sum += int32_t(w[i]) * int32_t(x[i]);
  return sum;
}

int32_t dot(const int16_t *a, const int16_t *b, int64_t k) {
  int32_t sum = 0;
  for (int64_t i = 0; i < k; ++i)
    sum += int32_t(a[i]) * int32_t(b[i]);
  return sum;
}

/// fp8 weight codes (decoded through `table`, exactly) times fp32
/// activations, summed in order.
float dotInOrder(const uint8_t *w, llvm::ArrayRef<float> table, const float *x,
                 int64_t k) {
  float sum = 0.0f;
  for (int64_t i = 0; i < k; ++i)
    sum += table[w[i]] * x[i];
  return sum;
}

int8_t requantizeAccumulator(int32_t acc, const Int8Product &product,
                             int64_t channel) {
  int64_t scaled =
      product.output.zeroPoint +
      q::multiplyByQuantizedMultiplier(acc, product.multipliers.size() == 1
                                                ? product.multipliers[0]
                                                : product.multipliers[channel]);
  return clampToStorage(scaled, product.output);
}

/// A convolution as unfolded rows of converted inputs (`load`, `pad` for
/// padding) and one `product(row, outputChannel)` per output element,
/// whose value `store(index, value)` writes.
template <typename T, typename Load, typename Product, typename Store>
void convolve(const Tensor &input, const Tensor &weight, const Window2D &window,
              int64_t groups, int64_t outH, int64_t outW, T pad, Load load,
              Product product, Store store) {
  int64_t n = input.dim(0), m = weight.dim(0), cg = weight.dim(1);
  int64_t k = cg * weight.dim(2) * weight.dim(3), mg = m / groups;
  std::vector<T> rows;
  for (int64_t img = 0; img < n; ++img)
    for (int64_t g = 0; g < groups; ++g) {
      unfold<T>(input, img, g, cg, window, outH, outW, pad, load, rows);
      parallelFor(0, outH * outW, [&](int64_t p) {
        for (int64_t oc = g * mg; oc < (g + 1) * mg; ++oc)
          store((img * m + oc) * outH * outW + p,
                product(rows.data() + p * k, oc));
      });
    }
}

/// A fully connected layer: one `product(row, output)` per output element
/// over rows of `k` converted inputs.
template <typename T, typename Product, typename Store>
void fullyConnect(const std::vector<T> &rows, int64_t k, int64_t outputs,
                  Product product, Store store) {
  auto count = static_cast<int64_t>(rows.size()) / k;
  parallelFor(0, count, [&](int64_t r) {
    for (int64_t o = 0; o < outputs; ++o)
      store(r * outputs + o, product(rows.data() + r * k, o));
  });
}

/// The output shape of a linear layer: the input's with `features` last.
llvm::SmallVector<int64_t> linearShape(const Tensor &input, int64_t features) {
  llvm::SmallVector<int64_t> shape(input.shape());
  shape.back() = features;
  return shape;
}
} // namespace

Tensor kernels::qconv2dInt8(const Tensor &input, const Tensor &weight,
                            const Tensor *bias, const Window2D &window,
                            int64_t groups, const Int8Product &product) {
  int64_t outH = window.outputSize(0, input.dim(2));
  int64_t outW = window.outputSize(1, input.dim(3));
  int64_t k = weight.numElements() / weight.dim(0);
  Tensor out = Tensor::uninitialized({input.dim(0), weight.dim(0), outH, outW},
                                     ElementKind::I8);
  const int8_t *x = input.int8Data(), *w = weight.int8Data();
  auto zero = static_cast<int16_t>(product.inputZeroPoint);
  int8_t *y = out.mutableInt8Data();
  convolve<int16_t>(
      input, weight, window, groups, outH, outW, 0,
      [&](int64_t i) { return static_cast<int16_t>(x[i] - zero); },
      [&](const int16_t *row, int64_t oc) {
        int32_t acc = dot(w + oc * k, row, k);
        if (bias)
          acc += bias->int32Data()[oc];
        return requantizeAccumulator(acc, product, oc);
      },
      [&](int64_t index, int8_t value) { y[index] = value; });
  return out;
}

Tensor kernels::qlinearInt8(const Tensor &input, const Tensor &weight,
                            const Tensor *bias, const Int8Product &product) {
  int64_t k = weight.dim(1), nOut = weight.dim(0);
  Tensor out = Tensor::uninitialized(linearShape(input, nOut), ElementKind::I8);
  std::vector<int16_t> x(input.numElements());
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<int16_t>(input.int8Data()[i] - product.inputZeroPoint);
  const int8_t *w = weight.int8Data();
  int8_t *y = out.mutableInt8Data();
  fullyConnect(
      x, k, nOut,
      [&](const int16_t *row, int64_t o) {
        int32_t acc = dot(w + o * k, row, k);
        if (bias)
          acc += bias->int32Data()[o];
        return requantizeAccumulator(acc, product, o);
      },
      [&](int64_t index, int8_t value) { y[index] = value; });
  return out;
}

/// The fp32 epilogue of an fp8 product: scale, then bias.
static float fp8Epilogue(float acc, const FP8Product &product,
                         const Tensor *bias, int64_t channel) {
  float scale =
      product.scales.size() == 1 ? product.scales[0] : product.scales[channel];
  float value = acc * scale;
  if (bias)
    value += bias->data()[channel];
  return value;
}

Tensor kernels::qconv2dFP8(const Tensor &input, const Tensor &weight,
                           const Tensor *bias, const Window2D &window,
                           int64_t groups, const FP8Product &product) {
  int64_t outH = window.outputSize(0, input.dim(2));
  int64_t outW = window.outputSize(1, input.dim(3));
  int64_t k = weight.numElements() / weight.dim(0);
  Tensor out = Tensor::uninitialized({input.dim(0), weight.dim(0), outH, outW});
  llvm::ArrayRef<float> inTable = q::fp8DecodeTable(product.inputFormat);
  llvm::ArrayRef<float> wTable = q::fp8DecodeTable(product.weightFormat);
  const uint8_t *x = input.byteData(), *w = weight.byteData();
  float *y = out.mutableData();
  convolve<float>(
      input, weight, window, groups, outH, outW, 0.0f,
      [&](int64_t i) { return inTable[x[i]]; },
      [&](const float *row, int64_t oc) {
        return fp8Epilogue(dotInOrder(w + oc * k, wTable, row, k), product,
                           bias, oc);
      },
      [&](int64_t index, float value) { y[index] = value; });
  return out;
}

Tensor kernels::qlinearFP8(const Tensor &input, const Tensor &weight,
                           const Tensor *bias, const FP8Product &product) {
  int64_t k = weight.dim(1), nOut = weight.dim(0);
  Tensor out = Tensor::uninitialized(linearShape(input, nOut));
  llvm::ArrayRef<float> inTable = q::fp8DecodeTable(product.inputFormat);
  llvm::ArrayRef<float> wTable = q::fp8DecodeTable(product.weightFormat);
  std::vector<float> x(input.numElements());
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = inTable[input.byteData()[i]];
  const uint8_t *w = weight.byteData();
  float *y = out.mutableData();
  fullyConnect(
      x, k, nOut,
      [&](const float *row, int64_t o) {
        return fp8Epilogue(dotInOrder(w + o * k, wTable, row, k), product, bias,
                           o);
      },
      [&](int64_t index, float value) { y[index] = value; });
  return out;
}

Tensor kernels::qmatmulInt8(const Tensor &lhs,
                            const q::UniformParams &lhsParams,
                            const Tensor &rhs,
                            const q::UniformParams &rhsParams,
                            const q::UniformParams &out) {
  llvm::ArrayRef<int64_t> a = lhs.shape(), b = rhs.shape();
  int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
  Tensor result =
      Tensor::uninitialized(forEachMatMulBatch(a, b, {}), ElementKind::I8);
  Int8Product product;
  product.output = out;
  product.multipliers.push_back(
      q::quantizeMultiplier(lhsParams.scale * rhsParams.scale / out.scale));
  std::vector<int16_t> rows(m * k), columns(n * k);
  int8_t *y = result.mutableInt8Data();
  forEachMatMulBatch(a, b, [&](int64_t i, int64_t aIndex, int64_t bIndex) {
    const int8_t *x = lhs.int8Data() + aIndex * m * k;
    const int8_t *w = rhs.int8Data() + bIndex * k * n;
    for (int64_t e = 0; e < m * k; ++e)
      rows[e] = static_cast<int16_t>(x[e] - lhsParams.zeroPoint);
    // Columns of the right operand, contiguous along k.
    for (int64_t r = 0; r < k; ++r)
      for (int64_t c = 0; c < n; ++c)
        columns[c * k + r] =
            static_cast<int16_t>(w[r * n + c] - rhsParams.zeroPoint);
    parallelFor(0, m, [&](int64_t r) {
      for (int64_t c = 0; c < n; ++c)
        y[(i * m + r) * n + c] = requantizeAccumulator(
            dot(rows.data() + r * k, columns.data() + c * k, k), product, 0);
    });
  });
  return result;
}

Tensor kernels::qaddInt8(const Tensor &lhs, const q::UniformParams &lhsParams,
                         const Tensor &rhs, const q::UniformParams &rhsParams,
                         const q::UniformParams &out) {
  constexpr int kLeftShift = 20;
  double twiceMax = 2.0 * std::max(lhsParams.scale, rhsParams.scale);
  q::QuantizedMultiplier lhsM =
      q::quantizeMultiplier(lhsParams.scale / twiceMax);
  q::QuantizedMultiplier rhsM =
      q::quantizeMultiplier(rhsParams.scale / twiceMax);
  q::QuantizedMultiplier outM =
      q::quantizeMultiplier(twiceMax / ((1 << kLeftShift) * out.scale));
  Tensor result = Tensor::uninitialized(lhs.shape(), ElementKind::I8);
  const int8_t *a = lhs.int8Data();
  const int8_t *b = rhs.int8Data();
  int8_t *y = result.mutableInt8Data();
  for (int64_t i = 0, n = lhs.numElements(); i < n; ++i) {
    int32_t sa = (int32_t(a[i]) - int32_t(lhsParams.zeroPoint)) << kLeftShift;
    int32_t sb = (int32_t(b[i]) - int32_t(rhsParams.zeroPoint)) << kLeftShift;
    int32_t sum = q::multiplyByQuantizedMultiplier(sa, lhsM) +
                  q::multiplyByQuantizedMultiplier(sb, rhsM);
    y[i] = clampToStorage(
        out.zeroPoint + q::multiplyByQuantizedMultiplier(sum, outM), out);
  }
  return result;
}

Tensor kernels::int8AsFloat(const Tensor &input) {
  Tensor out = Tensor::uninitialized(input.shape());
  for (int64_t i = 0, n = input.numElements(); i < n; ++i)
    out.mutableData()[i] = input.int8Data()[i];
  return out;
}

Tensor kernels::floatAsInt8(const Tensor &input) {
  Tensor out = Tensor::uninitialized(input.shape(), ElementKind::I8);
  for (int64_t i = 0, n = input.numElements(); i < n; ++i)
    out.mutableInt8Data()[i] = static_cast<int8_t>(input.data()[i]);
  return out;
}

Tensor kernels::roundToInt8(const Tensor &averages, int64_t qmin,
                            int64_t qmax) {
  Tensor out = Tensor::uninitialized(averages.shape(), ElementKind::I8);
  for (int64_t i = 0, n = averages.numElements(); i < n; ++i)
    out.mutableInt8Data()[i] = static_cast<int8_t>(
        std::clamp<float>(std::nearbyint(averages.data()[i]),
                          static_cast<float>(qmin), static_cast<float>(qmax)));
  return out;
}
