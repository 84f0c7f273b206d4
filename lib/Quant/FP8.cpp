//===- FP8.cpp - FP8 E4M3FN and E5M2 conversions --------------------------===//

#include "dlc/Quant/FP8.h"
#include "llvm/ADT/APFloat.h"
#include <array>
#include <cmath>

using namespace mlir::dlc::quantization;

const llvm::fltSemantics &
mlir::dlc::quantization::semanticsOf(FP8Format format) {
  return format == FP8Format::E4M3FN ? llvm::APFloat::Float8E4M3FN()
                                     : llvm::APFloat::Float8E5M2();
}

float mlir::dlc::quantization::fp8MaxValue(FP8Format format) {
  llvm::APFloat largest = llvm::APFloat::getLargest(semanticsOf(format));
  bool losesInfo = false;
  largest.convert(llvm::APFloat::IEEEsingle(),
                  llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return largest.convertToFloat();
}

uint8_t mlir::dlc::quantization::encodeFP8(float value, FP8Format format) {
  const llvm::fltSemantics &semantics = semanticsOf(format);
  if (std::isnan(value))
    return static_cast<uint8_t>(
        llvm::APFloat::getNaN(semantics, std::signbit(value))
            .bitcastToAPInt()
            .getZExtValue());
  // Saturate first: rounding a clamped value equals rounding then clamping,
  // and it keeps E4M3FN (which has no infinity) away from NaN.
  float limit = fp8MaxValue(format);
  float clamped = std::fmin(std::fmax(value, -limit), limit);
  llvm::APFloat converted(clamped);
  bool losesInfo = false;
  converted.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint8_t>(converted.bitcastToAPInt().getZExtValue());
}

static std::array<float, 256> buildDecodeTable(FP8Format format) {
  std::array<float, 256> table;
  for (unsigned code = 0; code < 256; ++code) {
    llvm::APFloat value(semanticsOf(format), llvm::APInt(8, code));
    bool losesInfo = false;
    value.convert(llvm::APFloat::IEEEsingle(),
                  llvm::APFloat::rmNearestTiesToEven, &losesInfo);
    table[code] = value.convertToFloat();
  }
  return table;
}

llvm::ArrayRef<float>
mlir::dlc::quantization::fp8DecodeTable(FP8Format format) {
  static const std::array<float, 256> e4m3 =
      buildDecodeTable(FP8Format::E4M3FN);
  static const std::array<float, 256> e5m2 = buildDecodeTable(FP8Format::E5M2);
  return format == FP8Format::E4M3FN ? e4m3 : e5m2;
}
