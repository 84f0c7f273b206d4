//===- QuantKernels.h - int8 and fp8 kernels of the executor ----*- C++ -*-===//
//
// Integer-exact kernels for the quantized dlc ops: int8 tensors hold storage
// integers, fp8 tensors hold codes. The arithmetic (rounding, fixed-point
// requantization, clamping) is lib/Quant's, so a backend that follows the op
// definitions reproduces these results bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_RUNTIME_QUANTKERNELS_H
#define DLC_LIB_RUNTIME_QUANTKERNELS_H

#include "Kernels.h"
#include "dlc/Quant/FP8.h"
#include "dlc/Quant/FixedPoint.h"
#include "dlc/Quant/UniformQuant.h"

namespace mlir::dlc::runtime::kernels {

namespace q = mlir::dlc::quantization;

/// Per-channel (along `axis`) or per-tensor (one entry) int8 parameters.
struct ChannelParams {
  int64_t axis = -1;
  std::vector<q::UniformParams> params;
  const q::UniformParams &at(int64_t channel) const {
    return params.size() == 1 ? params[0] : params[channel];
  }
};

Tensor quantizeInt8(const Tensor &input, const ChannelParams &params);
Tensor dequantizeInt8(const Tensor &input, const ChannelParams &params);
/// Dequantizes int8 values whose scale and zero point vary per block:
/// `scales`/`zeroPoints` have shape `scaleShape`, each entry covering
/// shape[d] / scaleShape[d] consecutive indices along every dimension d.
Tensor dequantizeInt8Blocks(const Tensor &input, llvm::ArrayRef<double> scales,
                            llvm::ArrayRef<int64_t> zeroPoints,
                            llvm::ArrayRef<int64_t> scaleShape);
Tensor quantizeFP8(const Tensor &input, double scale, q::FP8Format format);
Tensor dequantizeFP8(const Tensor &input, double scale, q::FP8Format format);
Tensor requantize(const Tensor &input, const q::UniformParams &in,
                  const q::UniformParams &out);

/// The int8 product of qconv2d / qlinear: per output channel, a fixed-point
/// multiplier for s_x * s_w[m] / s_y.
struct Int8Product {
  int64_t inputZeroPoint = 0;
  q::UniformParams output;
  std::vector<q::QuantizedMultiplier> multipliers;
};

Tensor qconv2dInt8(const Tensor &input, const Tensor &weight,
                   const Tensor *bias, const Window2D &window, int64_t groups,
                   const Int8Product &product);
Tensor qlinearInt8(const Tensor &input, const Tensor &weight,
                   const Tensor *bias, const Int8Product &product);

/// The fp8 product: fp32 accumulation in reduction order, then the scale
/// input_scale * weight_scales[m] and the bias.
struct FP8Product {
  q::FP8Format inputFormat = q::FP8Format::E4M3FN;
  q::FP8Format weightFormat = q::FP8Format::E4M3FN;
  std::vector<float> scales; // input_scale * weight_scales[m], per channel
};

Tensor qconv2dFP8(const Tensor &input, const Tensor &weight, const Tensor *bias,
                  const Window2D &window, int64_t groups,
                  const FP8Product &product);
Tensor qlinearFP8(const Tensor &input, const Tensor &weight, const Tensor *bias,
                  const FP8Product &product);

Tensor qmatmulInt8(const Tensor &lhs, const q::UniformParams &lhsParams,
                   const Tensor &rhs, const q::UniformParams &rhsParams,
                   const q::UniformParams &out);

Tensor qaddInt8(const Tensor &lhs, const q::UniformParams &lhsParams,
                const Tensor &rhs, const q::UniformParams &rhsParams,
                const q::UniformParams &out);

/// int8 <-> fp32 holding the same integers (exact), so that data-movement
/// and max-pooling kernels serve int8 tensors too.
Tensor int8AsFloat(const Tensor &input);
Tensor floatAsInt8(const Tensor &input);
/// Integer average pooling: the fp32 average of the integers, rounded half
/// to even and clamped to the storage range.
Tensor roundToInt8(const Tensor &averages, int64_t qmin, int64_t qmax);

} // namespace mlir::dlc::runtime::kernels

#endif // DLC_LIB_RUNTIME_QUANTKERNELS_H
