//===- FixedPoint.h - integer-only requantization ---------------*- C++ -*-===//
//
// Integer-only inference rescales an int32 accumulator by a real factor
// (input scale * weight scale / output scale) with a 32-bit fixed-point
// multiplier and a power-of-two shift, as gemmlowp and TFLite do. The
// executor and every backend use these functions, so their results agree
// bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_QUANT_FIXEDPOINT_H
#define DLC_QUANT_FIXEDPOINT_H

#include <cstdint>

namespace mlir::dlc::quantization {

/// real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31) (or 0).
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int shift = 0;
};

/// Decomposes a positive real factor; factors below 2^-31 become zero.
QuantizedMultiplier quantizeMultiplier(double real);

/// (a * b * 2) >> 32 rounded to nearest, saturating the one overflow case
/// (INT32_MIN * INT32_MIN).
int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b);

/// x / 2^exponent rounded to nearest, ties away from zero.
int32_t roundingDivideByPOT(int32_t x, int exponent);

/// round(x * real) for the real that `m` encodes.
int32_t multiplyByQuantizedMultiplier(int32_t x, QuantizedMultiplier m);

} // namespace mlir::dlc::quantization

#endif // DLC_QUANT_FIXEDPOINT_H
