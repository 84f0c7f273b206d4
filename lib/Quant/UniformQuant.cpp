//===- UniformQuant.cpp - affine integer quantization ---------------------===//

#include "dlc/Quant/UniformQuant.h"
#include "llvm/ADT/STLExtras.h"
#include <algorithm>
#include <limits>

using namespace mlir::dlc::quantization;

UniformParams mlir::dlc::quantization::chooseUniformParams(double min,
                                                           double max, int bits,
                                                           bool symmetric) {
  min = std::min(min, 0.0);
  max = std::max(max, 0.0);
  UniformParams params;
  int64_t half = int64_t(1) << (bits - 1);
  if (symmetric) {
    params.qmax = half - 1;
    params.qmin = -params.qmax;
    double amax = std::max(-min, max);
    params.scale = amax > 0.0 ? amax / static_cast<double>(params.qmax) : 1.0;
    params.zeroPoint = 0;
    return params;
  }
  params.qmin = -half;
  params.qmax = half - 1;
  if (max - min <= 0.0)
    return params;
  params.scale = (max - min) / static_cast<double>(params.qmax - params.qmin);
  double zero = static_cast<double>(params.qmin) - min / params.scale;
  params.zeroPoint = std::clamp<int64_t>(static_cast<int64_t>(std::round(zero)),
                                         params.qmin, params.qmax);
  return params;
}

double
mlir::dlc::quantization::sqnrDecibels(llvm::ArrayRef<float> reference,
                                      llvm::ArrayRef<float> approximation) {
  double signal = 0.0, noise = 0.0;
  for (auto [x, y] : llvm::zip_equal(reference, approximation)) {
    signal += static_cast<double>(x) * x;
    double d = static_cast<double>(x) - y;
    noise += d * d;
  }
  if (noise == 0.0)
    return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

double mlir::dlc::quantization::worstChannelSqnr(
    llvm::ArrayRef<float> reference, llvm::ArrayRef<float> approximation,
    int64_t outer, int64_t channels, int64_t inner) {
  double worst = std::numeric_limits<double>::infinity();
  for (int64_t c = 0; c < channels; ++c) {
    double signal = 0.0, noise = 0.0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        size_t at = (o * channels + c) * inner + i;
        double x = reference[at], d = x - approximation[at];
        signal += x * x;
        noise += d * d;
      }
    if (noise > 0.0)
      worst = std::min(worst, 10.0 * std::log10(signal / noise));
  }
  return worst;
}

std::vector<float>
mlir::dlc::quantization::fakeQuantizeBlockwise(llvm::ArrayRef<float> values,
                                               int64_t blockSize, int bits) {
  std::vector<float> result(values.size());
  float levels = static_cast<float>((1 << (bits - 1)) - 1);
  for (size_t begin = 0; begin < values.size(); begin += blockSize) {
    size_t end = std::min(values.size(), begin + size_t(blockSize));
    float amax = 0.0f;
    for (size_t i = begin; i < end; ++i)
      amax = std::max(amax, std::fabs(values[i]));
    float scale = amax > 0.0f ? amax / levels : 1.0f;
    for (size_t i = begin; i < end; ++i)
      result[i] = std::nearbyint(values[i] / scale) * scale;
  }
  return result;
}
