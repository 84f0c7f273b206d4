//===- FP8.h - FP8 E4M3FN and E5M2 conversions ------------------*- C++ -*-===//
//
// Conversions between fp32 and the two OCP 8-bit float formats, through
// llvm::APFloat: round to nearest even; out-of-range values saturate to the
// largest finite value (448 for E4M3FN, 57344 for E5M2), as TensorRT and
// ModelOpt quantize; NaN stays NaN.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_QUANT_FP8_H
#define DLC_QUANT_FP8_H

#include "llvm/ADT/ArrayRef.h"
#include <cstdint>

namespace llvm {
struct fltSemantics;
} // namespace llvm

namespace mlir::dlc::quantization {

enum class FP8Format { E4M3FN, E5M2 };

const llvm::fltSemantics &semanticsOf(FP8Format format);
/// The largest finite value: 448 or 57344.
float fp8MaxValue(FP8Format format);

/// The code of the value nearest `value` (saturating, NaN to NaN).
uint8_t encodeFP8(float value, FP8Format format);
/// The value of every code, indexed by code (exact in fp32).
llvm::ArrayRef<float> fp8DecodeTable(FP8Format format);
inline float decodeFP8(uint8_t code, FP8Format format) {
  return fp8DecodeTable(format)[code];
}

} // namespace mlir::dlc::quantization

#endif // DLC_QUANT_FP8_H
