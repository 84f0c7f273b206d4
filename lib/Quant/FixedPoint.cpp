//===- FixedPoint.cpp - integer-only requantization -----------------------===//

#include "dlc/Quant/FixedPoint.h"
#include <cmath>
#include <limits>

using namespace mlir::dlc::quantization;

QuantizedMultiplier mlir::dlc::quantization::quantizeMultiplier(double real) {
  if (!(real > 0.0))
    return {};
  int shift = 0;
  double fraction = std::frexp(real, &shift); // real = fraction * 2^shift
  auto fixed = static_cast<int64_t>(std::llround(fraction * (1LL << 31)));
  if (fixed == (1LL << 31)) {
    fixed /= 2;
    ++shift;
  }
  if (shift < -31)
    return {};
  return {static_cast<int32_t>(fixed), shift};
}

int32_t mlir::dlc::quantization::saturatingRoundingDoublingHighMul(int32_t a,
                                                                   int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min())
    return std::numeric_limits<int32_t>::max();
  int64_t product = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  int64_t nudge = product >= 0 ? (1LL << 30) : (1 - (1LL << 30));
  return static_cast<int32_t>((product + nudge) / (1LL << 31));
}

int32_t mlir::dlc::quantization::roundingDivideByPOT(int32_t x, int exponent) {
  if (exponent <= 0)
    return x;
  int32_t mask = static_cast<int32_t>((1LL << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t
mlir::dlc::quantization::multiplyByQuantizedMultiplier(int32_t x,
                                                       QuantizedMultiplier m) {
  int leftShift = m.shift > 0 ? m.shift : 0;
  int rightShift = m.shift > 0 ? 0 : -m.shift;
  int64_t shifted = static_cast<int64_t>(x) * (1LL << leftShift);
  if (shifted > std::numeric_limits<int32_t>::max())
    shifted = std::numeric_limits<int32_t>::max();
  if (shifted < std::numeric_limits<int32_t>::min())
    shifted = std::numeric_limits<int32_t>::min();
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(
                                 static_cast<int32_t>(shifted), m.multiplier),
                             rightShift);
}
