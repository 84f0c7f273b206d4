//===- WeightPacking.cpp - weights in the layouts the kernels read --------===//

#include "WeightPacking.h"
#include "llvm/ADT/APFloat.h"
#include <utility>

using namespace mlir::dlc::codegen;

static int64_t roundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

/// Visits every (group, panel row slot, step) of the panel layout in
/// storage order with the source index (or -1 for padding rows/steps).
/// `stepGroup` steps of one row are stored together (4 for SDOT, else 1).
template <typename Fn>
static void forEachPanelSlot(PanelShape s, int64_t stepGroup, Fn fn) {
  int64_t kPadded = roundUp(s.k, stepGroup);
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t p = 0; p < roundUp(s.rows, kPanelRows); p += kPanelRows)
      for (int64_t k0 = 0; k0 < kPadded; k0 += stepGroup)
        for (int64_t r = 0; r < kPanelRows; ++r)
          for (int64_t t = 0; t < stepGroup; ++t) {
            int64_t row = p + r, k = k0 + t;
            fn(row < s.rows && k < s.k ? (g * s.rows + row) * s.k + k : -1);
          }
}

std::vector<float>
mlir::dlc::codegen::packPanelsF32(llvm::ArrayRef<float> weights,
                                  PanelShape shape) {
  std::vector<float> packed;
  forEachPanelSlot(shape, 1, [&](int64_t i) {
    packed.push_back(i < 0 ? 0.0f : weights[i]);
  });
  return packed;
}

std::vector<int8_t>
mlir::dlc::codegen::packPanelsS8(llvm::ArrayRef<int8_t> weights,
                                 PanelShape shape) {
  std::vector<int8_t> packed;
  forEachPanelSlot(
      shape, 4, [&](int64_t i) { packed.push_back(i < 0 ? 0 : weights[i]); });
  return packed;
}

std::vector<uint8_t>
mlir::dlc::codegen::packPanelsBytes(llvm::ArrayRef<uint8_t> codes,
                                    PanelShape shape, int64_t stepGroup) {
  std::vector<uint8_t> packed;
  forEachPanelSlot(shape, stepGroup,
                   [&](int64_t i) { packed.push_back(i < 0 ? 0 : codes[i]); });
  return packed;
}

/// `value` rounded to nearest even to `format`, as its 16 bits.
static uint16_t roundHalf(float value, HalfFormat format) {
  llvm::APFloat rounded(value);
  bool lost;
  rounded.convert(format == HalfFormat::F16 ? llvm::APFloat::IEEEhalf()
                                            : llvm::APFloat::BFloat(),
                  llvm::APFloat::rmNearestTiesToEven, &lost);
  return static_cast<uint16_t>(rounded.bitcastToAPInt().getZExtValue());
}

std::vector<uint16_t>
mlir::dlc::codegen::packPanelsHalf(llvm::ArrayRef<float> weights,
                                   PanelShape shape, HalfFormat format) {
  std::vector<uint16_t> packed;
  forEachPanelSlot(shape, 2, [&](int64_t i) {
    packed.push_back(roundHalf(i < 0 ? 0.0f : weights[i], format));
  });
  return packed;
}

std::vector<uint16_t>
mlir::dlc::codegen::roundToHalf(llvm::ArrayRef<float> values,
                                HalfFormat format) {
  std::vector<uint16_t> rounded;
  rounded.reserve(values.size());
  for (float value : values)
    rounded.push_back(roundHalf(value, format));
  return rounded;
}

std::vector<uint8_t>
mlir::dlc::codegen::packPanelsNF4(llvm::ArrayRef<uint8_t> codes,
                                  PanelShape shape, int64_t stepGroup) {
  std::vector<uint8_t> packed;
  bool high = true;
  forEachPanelSlot(shape, stepGroup, [&](int64_t i) {
    uint8_t code = i < 0 ? 0 : codes[i];
    if (high)
      packed.push_back(static_cast<uint8_t>(code << 4));
    else
      packed.back() |= code;
    high = !high;
  });
  return packed;
}

/// Compresses `rows` x `k` row-major `weights` (padded to a multiple of
/// `chunk` steps) whose step is kept where `nonZero` says so.
template <typename T, typename NonZero>
static std::optional<Sparse24Rows<T>>
compressRows(llvm::ArrayRef<T> weights, int64_t rows, int64_t k, int64_t chunk,
             NonZero nonZero) {
  if (k % 4 != 0 || static_cast<int64_t>(weights.size()) != rows * k)
    return std::nullopt;
  Sparse24Rows<T> out;
  out.paddedK = roundUp(k, chunk);
  int64_t groups = out.paddedK / 4;
  out.values.assign(rows * groups * 2, T(0));
  out.metadata.assign(rows * groups / 2, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < groups; ++g) {
      // The non-zero steps, then the lowest zero ones, two in all.
      int kept[2], count = 0;
      for (int t = 0; t < 4; ++t)
        if (4 * g + t < k && nonZero(weights[r * k + 4 * g + t])) {
          if (count == 2)
            return std::nullopt;
          kept[count++] = t;
        }
      for (int t = 0; t < 4 && count < 2; ++t)
        if (count == 0 || kept[0] != t)
          kept[count++] = t;
      if (kept[0] > kept[1])
        std::swap(kept[0], kept[1]);
      for (int i = 0; i < 2; ++i) {
        int64_t step = 4 * g + kept[i];
        out.values[(r * groups + g) * 2 + i] =
            step < k ? weights[r * k + step] : T(0);
      }
      uint8_t selector = static_cast<uint8_t>(kept[0] | kept[1] << 2);
      out.metadata[(r * groups + g) / 2] |= g % 2 ? selector << 4 : selector;
    }
  return out;
}

std::optional<Sparse24Rows<float>>
mlir::dlc::codegen::compressSparse24(llvm::ArrayRef<float> weights,
                                     int64_t rows, int64_t k) {
  return compressRows(weights, rows, k, kSparse24StepChunk,
                      [](float v) { return v != 0.0f; });
}

std::optional<Sparse24Rows<int8_t>>
mlir::dlc::codegen::compressSparse24(llvm::ArrayRef<int8_t> weights,
                                     int64_t rows, int64_t k) {
  return compressRows(weights, rows, k, kSparse24ByteStepChunk,
                      [](int8_t v) { return v != 0; });
}

std::optional<Sparse24Rows<uint8_t>>
mlir::dlc::codegen::compressSparse24FP8(llvm::ArrayRef<uint8_t> codes,
                                        int64_t rows, int64_t k) {
  // E4M3 and E5M2 alike: the sign bit alone is -0.
  return compressRows(codes, rows, k, kSparse24ByteStepChunk,
                      [](uint8_t c) { return (c & 0x7F) != 0; });
}
