//===- Calibration.h - activation range calibration -------------*- C++ -*-===//
//
// Observes the values a tensor takes over calibration inputs and chooses the
// range to quantize it to: min-max; a percentile of |x|; the threshold that
// minimizes the KL divergence between the 2048-bin histogram of |x| and its
// 128-level quantization (TensorRT's entropy calibration, which here never
// clips more than 1% of the non-zero values); or the threshold
// that minimizes the expected squared quantization error (MSE).
//
// Exact zeros (most of a ReLU output) are counted apart from the histogram:
// zero is always exactly representable, so they carry no quantization error,
// and as a spike in the first bin they would drag the entropy and MSE
// thresholds towards uselessly small ranges.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_QUANT_CALIBRATION_H
#define DLC_QUANT_CALIBRATION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::dlc::quantization {

enum class CalibrationMethod { MinMax, Percentile, Entropy, MSE };

std::optional<CalibrationMethod> parseCalibrationMethod(llvm::StringRef name);

/// A histogram of the non-zero |x| over [0, range) whose range doubles
/// (merging bin pairs) when a larger value arrives, so one pass over the
/// data suffices.
class RangeObserver {
public:
  static constexpr int64_t kBins = 2048;

  void observe(llvm::ArrayRef<float> values);

  float min() const { return minValue; }
  float max() const { return maxValue; }
  float absMax() const;
  bool empty() const { return count == 0; }

  /// The clipping threshold for |x| that `method` picks (for MinMax, the
  /// absolute maximum). `percentile` is in (0, 100]; `quantBits` gives the
  /// 2^(quantBits-1) levels the range [0, threshold] is quantized to (8
  /// for a signed int8 range, 9 when all 256 codes cover [0, threshold]).
  float threshold(CalibrationMethod method, double percentile = 99.99,
                  int quantBits = 8) const;

  /// The calibrated [lo, hi]: [min, max] clipped to +-threshold.
  std::pair<float, float> range(CalibrationMethod method,
                                double percentile = 99.99,
                                int quantBits = 8) const;

  llvm::ArrayRef<uint64_t> histogram() const { return bins; }
  uint64_t zeroCount() const { return zeros; }
  float binWidth() const { return width; }

private:
  float percentileThreshold(double percentile) const;
  float entropyThreshold(int quantBits) const;
  float mseThreshold(int quantBits) const;

  std::vector<uint64_t> bins;
  float width = 0.0f;
  float minValue = 0.0f;
  float maxValue = 0.0f;
  uint64_t count = 0;
  uint64_t zeros = 0;
};

} // namespace mlir::dlc::quantization

#endif // DLC_QUANT_CALIBRATION_H
