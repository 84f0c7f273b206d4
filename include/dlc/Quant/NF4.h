//===- NF4.h - 4-bit NormalFloat weights ------------------------*- C++ -*-===//
//
// NF4 (QLoRA, Dettmers et al. 2023): each block of weights is divided by its
// absolute maximum and every value is replaced by the nearest of 16 code
// values (the quantiles of N(0, 1), identical to bitsandbytes'). Two codes
// share a byte, the first in the high nibble as bitsandbytes packs them.
//
// Double quantization stores the per-block absmax values themselves in
// 8 bits: their mean is subtracted and the rest is scaled per group of 256
// blocks by a float (symmetric int8), giving 4 + 8/64 + 32/(64*256) = 4.127
// bits per weight at block 64.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_QUANT_NF4_H
#define DLC_QUANT_NF4_H

#include "llvm/ADT/ArrayRef.h"
#include <cstdint>
#include <vector>

namespace mlir::dlc::quantization {

/// The 16 NF4 code values, ascending, code 7 is exactly 0.
llvm::ArrayRef<float> nf4Codebook();

/// The code nearest `normalized` (a value in [-1, 1]).
uint8_t encodeNF4(float normalized);

/// The number of blocks of absmax values that share one second-level scale.
constexpr int64_t kNF4ScaleGroup = 256;

struct NF4Weights {
  int64_t numElements = 0;
  int64_t blockSize = 0;
  /// ceil(numElements / 2) bytes.
  std::vector<uint8_t> packedCodes;
  /// Without double quantization: one absmax per block.
  std::vector<float> absmax;
  /// With double quantization: absmax[b] = offset + scaleCodes[b] *
  /// scaleScales[b / 256].
  std::vector<int8_t> scaleCodes;
  std::vector<float> scaleScales;
  float scaleOffset = 0.0f;

  bool doubleQuantized() const { return !scaleCodes.empty(); }
  int64_t numBlocks() const {
    return (numElements + blockSize - 1) / blockSize;
  }
  /// The absmax of block `b` as the dequantizer sees it.
  float blockScale(int64_t b) const;
  /// Storage bits per weight, scales included.
  double bitsPerWeight() const;
};

/// Quantizes `values` (row-major, blocks of `blockSize` consecutive values).
NF4Weights quantizeNF4(llvm::ArrayRef<float> values, int64_t blockSize,
                       bool doubleQuantize);
/// Reconstructs the values: code value times block absmax.
std::vector<float> dequantizeNF4(const NF4Weights &weights);

} // namespace mlir::dlc::quantization

#endif // DLC_QUANT_NF4_H
