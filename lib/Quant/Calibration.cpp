//===- Calibration.cpp - activation range calibration ---------------------===//

#include "dlc/Quant/Calibration.h"
#include "llvm/ADT/StringSwitch.h"
#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir::dlc::quantization;

std::optional<CalibrationMethod>
mlir::dlc::quantization::parseCalibrationMethod(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<CalibrationMethod>>(name)
      .Case("minmax", CalibrationMethod::MinMax)
      .Case("percentile", CalibrationMethod::Percentile)
      .Case("entropy", CalibrationMethod::Entropy)
      .Case("mse", CalibrationMethod::MSE)
      .Default(std::nullopt);
}

float RangeObserver::absMax() const {
  return std::max(std::fabs(minValue), std::fabs(maxValue));
}

void RangeObserver::observe(llvm::ArrayRef<float> values) {
  if (values.empty())
    return;
  if (bins.empty())
    bins.assign(kBins, 0);
  float lo = values[0], hi = values[0];
  for (float v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  minValue = count ? std::min(minValue, lo) : lo;
  maxValue = count ? std::max(maxValue, hi) : hi;
  float amax = std::max(std::fabs(lo), std::fabs(hi));
  if (width == 0.0f && amax > 0.0f)
    width = amax / static_cast<float>(kBins) * (1.0f + 1e-6f);
  // Double the range, merging bin pairs, until the new maximum fits.
  while (width > 0.0f && amax >= width * static_cast<float>(kBins)) {
    for (int64_t i = 0; i < kBins / 2; ++i)
      bins[i] = bins[2 * i] + bins[2 * i + 1];
    std::fill(bins.begin() + kBins / 2, bins.end(), 0);
    width *= 2.0f;
  }
  for (float v : values) {
    if (v == 0.0f) {
      ++zeros;
      continue;
    }
    int64_t bin = static_cast<int64_t>(std::fabs(v) / width);
    ++bins[std::min(bin, kBins - 1)];
  }
  count += values.size();
}

float RangeObserver::percentileThreshold(double percentile) const {
  auto target = static_cast<uint64_t>(
      std::ceil(static_cast<double>(count) * percentile / 100.0));
  uint64_t seen = zeros;
  for (int64_t i = 0; i < kBins; ++i) {
    seen += bins[i];
    if (seen >= target)
      return std::min(static_cast<float>(i + 1) * width, absMax());
  }
  return absMax();
}

// TensorRT's entropy calibration: for each candidate threshold (a bin edge
// i), compare the clipped reference distribution P (outliers added to the
// last bin) with Q, P merged into 2^(bits-1) levels and expanded back over
// the non-empty bins; keep the threshold of least KL(P || Q).
float RangeObserver::entropyThreshold(int quantBits) const {
  int64_t levels = int64_t(1) << (quantBits - 1);
  int64_t last = kBins;
  while (last > 0 && bins[last - 1] == 0)
    --last;
  if (last <= levels)
    return absMax();
  double bestDivergence = std::numeric_limits<double>::infinity();
  int64_t bestEdge = last;
  std::vector<double> p, q;
  for (int64_t edge = levels; edge <= last; ++edge) {
    p.assign(bins.begin(), bins.begin() + edge);
    double outliers = 0.0;
    for (int64_t i = edge; i < kBins; ++i)
      outliers += static_cast<double>(bins[i]);
    p[edge - 1] += outliers;
    q.assign(edge, 0.0);
    // Q spreads each level's count (outliers excluded) evenly over the
    // bins where P is non-empty.
    for (int64_t level = 0; level < levels; ++level) {
      int64_t begin = level * edge / levels;
      int64_t end = (level + 1) * edge / levels;
      double total = 0.0;
      int64_t nonEmpty = 0;
      for (int64_t i = begin; i < end; ++i) {
        total += static_cast<double>(bins[i]);
        nonEmpty += p[i] != 0.0;
      }
      for (int64_t i = begin; i < end; ++i)
        if (p[i] != 0.0)
          q[i] = total / static_cast<double>(nonEmpty);
    }
    double pSum = 0.0, qSum = 0.0;
    for (int64_t i = 0; i < edge; ++i) {
      pSum += p[i];
      qSum += q[i];
    }
    double divergence = 0.0;
    for (int64_t i = 0; i < edge; ++i) {
      if (p[i] == 0.0)
        continue;
      double pi = p[i] / pSum;
      // Q is empty only where a whole level held nothing but the outliers
      // P moved into its last bin; such a threshold loses.
      double qi = q[i] > 0.0 ? q[i] / qSum : 1e-12;
      divergence += pi * std::log(pi / qi);
    }
    if (divergence < bestDivergence) {
      bestDivergence = divergence;
      bestEdge = edge;
    }
  }
  // KL divergence ignores how far the clipped values lie, and on a sparse
  // or discrete histogram (pixel values, few samples) it happily clips most
  // of the data: never clip more than 1% of the non-zero values.
  uint64_t nonZero = count - zeros, seen = 0;
  float floor = absMax();
  for (int64_t i = 0; i < kBins; ++i) {
    seen += bins[i];
    if (static_cast<double>(seen) >= 0.99 * static_cast<double>(nonZero)) {
      floor = static_cast<float>(i + 1) * width;
      break;
    }
  }
  return std::min(std::max(static_cast<float>(bestEdge) * width, floor),
                  absMax());
}

// Expected squared error of quantizing the histogram with threshold t:
// values below t carry rounding noise step^2/12, values above it are clipped.
float RangeObserver::mseThreshold(int quantBits) const {
  double levels = static_cast<double>((int64_t(1) << (quantBits - 1)) - 1);
  double bestError = std::numeric_limits<double>::infinity();
  float best = absMax();
  for (int64_t edge = kBins / 64; edge <= kBins; edge += 4) {
    double t = static_cast<double>(edge) * width;
    double step = t / levels;
    double error = 0.0;
    for (int64_t i = 0; i < kBins; ++i) {
      if (!bins[i])
        continue;
      double center = (static_cast<double>(i) + 0.5) * width;
      double e = center > t ? (center - t) * (center - t) : step * step / 12.0;
      error += static_cast<double>(bins[i]) * e;
    }
    if (error < bestError) {
      bestError = error;
      best = static_cast<float>(t);
    }
  }
  return std::min(best, absMax());
}

float RangeObserver::threshold(CalibrationMethod method, double percentile,
                               int quantBits) const {
  if (count == 0 || width == 0.0f)
    return absMax();
  switch (method) {
  case CalibrationMethod::MinMax:
    return absMax();
  case CalibrationMethod::Percentile:
    return percentileThreshold(percentile);
  case CalibrationMethod::Entropy:
    return entropyThreshold(quantBits);
  case CalibrationMethod::MSE:
    return mseThreshold(quantBits);
  }
  return absMax();
}

std::pair<float, float> RangeObserver::range(CalibrationMethod method,
                                             double percentile,
                                             int quantBits) const {
  float t = threshold(method, percentile, quantBits);
  return {std::max(minValue, -t), std::min(maxValue, t)};
}
