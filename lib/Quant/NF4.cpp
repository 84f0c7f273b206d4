//===- NF4.cpp - 4-bit NormalFloat weights --------------------------------===//

#include "dlc/Quant/NF4.h"
#include <algorithm>
#include <array>
#include <cmath>

using namespace mlir::dlc::quantization;

// bitsandbytes' NF4 table (functional.py, get_4bit_type("nf4")), as fp32.
static constexpr std::array<float, 16> kNF4 = {-1.0f,
                                               -0.6961928009986877f,
                                               -0.5250730514526367f,
                                               -0.39491748809814453f,
                                               -0.28444138169288635f,
                                               -0.18477343022823334f,
                                               -0.09105003625154495f,
                                               0.0f,
                                               0.07958029955625534f,
                                               0.16093020141124725f,
                                               0.24611230194568634f,
                                               0.33791524171829224f,
                                               0.44070982933044434f,
                                               0.5626170039176941f,
                                               0.7229568362236023f,
                                               1.0f};

llvm::ArrayRef<float> mlir::dlc::quantization::nf4Codebook() { return kNF4; }

uint8_t mlir::dlc::quantization::encodeNF4(float normalized) {
  // Like bitsandbytes' decision tree: above the midpoint of two neighbours
  // goes up, at or below it goes down.
  uint8_t code = 0;
  for (uint8_t c = 1; c < 16; ++c) {
    double midpoint = (static_cast<double>(kNF4[c - 1]) + kNF4[c]) / 2.0;
    if (static_cast<double>(normalized) > midpoint)
      code = c;
  }
  return code;
}

float NF4Weights::blockScale(int64_t b) const {
  if (!doubleQuantized())
    return absmax[b];
  return scaleOffset +
         static_cast<float>(scaleCodes[b]) * scaleScales[b / kNF4ScaleGroup];
}

double NF4Weights::bitsPerWeight() const {
  double bits = 8.0 * static_cast<double>(packedCodes.size());
  if (doubleQuantized())
    bits += 8.0 * scaleCodes.size() + 32.0 * scaleScales.size() + 32.0;
  else
    bits += 32.0 * absmax.size();
  return numElements ? bits / static_cast<double>(numElements) : 0.0;
}

NF4Weights mlir::dlc::quantization::quantizeNF4(llvm::ArrayRef<float> values,
                                                int64_t blockSize,
                                                bool doubleQuantize) {
  NF4Weights result;
  result.numElements = static_cast<int64_t>(values.size());
  result.blockSize = blockSize;
  int64_t blocks = result.numBlocks();
  std::vector<float> absmax(blocks, 0.0f);
  for (int64_t b = 0; b < blocks; ++b) {
    int64_t end = std::min<int64_t>((b + 1) * blockSize, result.numElements);
    for (int64_t i = b * blockSize; i < end; ++i)
      absmax[b] = std::max(absmax[b], std::fabs(values[i]));
  }
  if (doubleQuantize) {
    double sum = 0.0;
    for (float a : absmax)
      sum += a;
    result.scaleOffset = blocks ? static_cast<float>(sum / blocks) : 0.0f;
    int64_t groups = (blocks + kNF4ScaleGroup - 1) / kNF4ScaleGroup;
    result.scaleScales.assign(groups, 0.0f);
    result.scaleCodes.assign(blocks, 0);
    for (int64_t g = 0; g < groups; ++g) {
      int64_t end = std::min(blocks, (g + 1) * kNF4ScaleGroup);
      float amax = 0.0f;
      for (int64_t b = g * kNF4ScaleGroup; b < end; ++b)
        amax = std::max(amax, std::fabs(absmax[b] - result.scaleOffset));
      float scale = amax > 0.0f ? amax / 127.0f : 1.0f;
      result.scaleScales[g] = scale;
      for (int64_t b = g * kNF4ScaleGroup; b < end; ++b)
        result.scaleCodes[b] = static_cast<int8_t>(
            std::clamp(std::nearbyint((absmax[b] - result.scaleOffset) / scale),
                       -127.0f, 127.0f));
    }
  } else {
    result.absmax = absmax;
  }

  result.packedCodes.assign((result.numElements + 1) / 2, 0);
  for (int64_t i = 0; i < result.numElements; ++i) {
    // Normalize by the scale the dequantizer will use, so that a rounded
    // absmax does not bias the codes.
    float scale = result.blockScale(i / blockSize);
    float normalized = scale > 0.0f ? values[i] / scale : 0.0f;
    uint8_t code = encodeNF4(std::clamp(normalized, -1.0f, 1.0f));
    result.packedCodes[i / 2] |= (i % 2 == 0) ? uint8_t(code << 4) : code;
  }
  return result;
}

std::vector<float>
mlir::dlc::quantization::dequantizeNF4(const NF4Weights &weights) {
  std::vector<float> values(weights.numElements);
  for (int64_t i = 0; i < weights.numElements; ++i) {
    uint8_t byte = weights.packedCodes[i / 2];
    uint8_t code = (i % 2 == 0) ? byte >> 4 : byte & 0xF;
    values[i] = kNF4[code] * weights.blockScale(i / weights.blockSize);
  }
  return values;
}
