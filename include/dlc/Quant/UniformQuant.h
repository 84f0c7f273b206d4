//===- UniformQuant.h - affine integer quantization -------------*- C++ -*-===//
//
// real = scale * (q - zeroPoint), q in [qmin, qmax]. Zero is always exactly
// representable (the zero point is an integer), so zero padding and ReLU
// stay exact.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_QUANT_UNIFORMQUANT_H
#define DLC_QUANT_UNIFORMQUANT_H

#include "llvm/ADT/ArrayRef.h"
#include <cmath>
#include <cstdint>
#include <vector>

namespace mlir::dlc::quantization {

struct UniformParams {
  double scale = 1.0;
  int64_t zeroPoint = 0;
  int64_t qmin = -128;
  int64_t qmax = 127;

  /// round(x / scale) + zeroPoint, clamped (ties to even, as
  /// std::nearbyint in the default rounding mode).
  int64_t quantize(float x) const {
    double q = std::nearbyint(static_cast<double>(x) / scale) +
               static_cast<double>(zeroPoint);
    return q < qmin ? qmin : q > qmax ? qmax : static_cast<int64_t>(q);
  }
  float dequantize(int64_t q) const {
    return static_cast<float>(scale * static_cast<double>(q - zeroPoint));
  }
};

/// Parameters covering [min, max] (widened to include 0). Symmetric
/// parameters have zero point 0 and cover [-amax, amax] with qmin = -qmax
/// (the narrow range, so that negation is exact).
UniformParams chooseUniformParams(double min, double max, int bits,
                                  bool symmetric);

/// Signal-to-quantization-noise ratio in dB: 10 log10(|x|^2 / |x - y|^2);
/// +inf when y equals x.
double sqnrDecibels(llvm::ArrayRef<float> reference,
                    llvm::ArrayRef<float> approximation);

/// The lowest per-channel SQNR of tensors laid out [outer, channels, inner]
/// (weights: outer 1; NCHW activations: outer N, inner H*W).
double worstChannelSqnr(llvm::ArrayRef<float> reference,
                        llvm::ArrayRef<float> approximation, int64_t outer,
                        int64_t channels, int64_t inner);

/// Symmetric uniform quantization of `values` in blocks of `blockSize` with
/// `bits` bits per value, returned dequantized (the reconstruction used to
/// compare formats).
std::vector<float> fakeQuantizeBlockwise(llvm::ArrayRef<float> values,
                                         int64_t blockSize, int bits);

} // namespace mlir::dlc::quantization

#endif // DLC_QUANT_UNIFORMQUANT_H
