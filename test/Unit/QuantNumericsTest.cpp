//===- QuantNumericsTest.cpp - FP8, NF4, fixed point, calibration ---------===//

#include "dlc/Quant/Calibration.h"
#include "dlc/Quant/FP8.h"
#include "dlc/Quant/FixedPoint.h"
#include "dlc/Quant/NF4.h"
#include "dlc/Quant/UniformQuant.h"
#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace mlir::dlc::quantization;

namespace {

// Decodes a code from the format's definition (OCP FP8 spec), independently
// of APFloat.
float referenceDecode(uint8_t code, FP8Format format) {
  bool e4m3 = format == FP8Format::E4M3FN;
  int mantissaBits = e4m3 ? 3 : 2;
  int bias = e4m3 ? 7 : 15;
  int exponentMask = e4m3 ? 0xF : 0x1F;
  float sign = (code & 0x80) ? -1.0f : 1.0f;
  int exponent = (code >> mantissaBits) & exponentMask;
  int mantissa = code & ((1 << mantissaBits) - 1);
  if (e4m3 && exponent == 0xF && mantissa == 0x7)
    return NAN;
  if (!e4m3 && exponent == 0x1F)
    return mantissa ? NAN : sign * INFINITY;
  float fraction = static_cast<float>(mantissa) / float(1 << mantissaBits);
  if (exponent == 0)
    return sign * std::ldexp(fraction, 1 - bias);
  return sign * std::ldexp(1.0f + fraction, exponent - bias);
}

void checkAllCodes(FP8Format format, uint8_t maxCode, float maxValue) {
  EXPECT_EQ(fp8MaxValue(format), maxValue);
  EXPECT_EQ(decodeFP8(maxCode, format), maxValue);
  for (unsigned code = 0; code < 256; ++code) {
    float expected = referenceDecode(code, format);
    float decoded = decodeFP8(code, format);
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(decoded)) << code;
      EXPECT_TRUE(std::isnan(decodeFP8(encodeFP8(decoded, format), format)));
      continue;
    }
    EXPECT_EQ(decoded, expected) << "code " << code;
    if (std::isinf(expected)) {
      // Infinity saturates to the largest finite value.
      EXPECT_EQ(decodeFP8(encodeFP8(expected, format), format),
                std::copysign(maxValue, expected));
      continue;
    }
    // Every finite value round-trips to its own code (-0 included).
    EXPECT_EQ(encodeFP8(decoded, format), code) << "code " << code;
  }
  // Ties between neighbours go to the even code; values just off the tie go
  // to the nearer one.
  for (unsigned code = 0; code + 1 < maxCode + 1u; ++code) {
    float lo = decodeFP8(code, format), hi = decodeFP8(code + 1, format);
    float mid = (lo + hi) / 2.0f;
    EXPECT_EQ(encodeFP8(mid, format), code % 2 == 0 ? code : code + 1)
        << "tie above code " << code;
    EXPECT_EQ(encodeFP8(std::nextafter(mid, lo), format), code);
    EXPECT_EQ(encodeFP8(std::nextafter(mid, hi), format), code + 1);
    EXPECT_EQ(encodeFP8(-mid, format),
              0x80 | (code % 2 == 0 ? code : code + 1));
  }
  // Saturation.
  EXPECT_EQ(encodeFP8(maxValue * 1.05f, format), maxCode);
  EXPECT_EQ(encodeFP8(1e30f, format), maxCode);
  EXPECT_EQ(encodeFP8(-1e30f, format), 0x80 | maxCode);
}

TEST(FP8, E4M3FNAllCodes) {
  checkAllCodes(FP8Format::E4M3FN, 0x7E, 448.0f);
  EXPECT_EQ(encodeFP8(NAN, FP8Format::E4M3FN) & 0x7F, 0x7F);
  // The smallest subnormal is 2^-9; half of it is a tie that rounds to 0.
  EXPECT_EQ(decodeFP8(0x01, FP8Format::E4M3FN), std::ldexp(1.0f, -9));
  EXPECT_EQ(encodeFP8(std::ldexp(1.0f, -10), FP8Format::E4M3FN), 0x00);
}

TEST(FP8, E5M2AllCodes) {
  checkAllCodes(FP8Format::E5M2, 0x7B, 57344.0f);
  EXPECT_TRUE(
      std::isnan(decodeFP8(encodeFP8(NAN, FP8Format::E5M2), FP8Format::E5M2)));
  EXPECT_EQ(decodeFP8(0x01, FP8Format::E5M2), std::ldexp(1.0f, -16));
}

TEST(NF4, CodebookMatchesBitsandbytes) {
  llvm::ArrayRef<float> book = nf4Codebook();
  ASSERT_EQ(book.size(), 16u);
  EXPECT_EQ(book[0], -1.0f);
  EXPECT_EQ(book[7], 0.0f);
  EXPECT_EQ(book[15], 1.0f);
  EXPECT_EQ(book[1], -0.6961928009986877f);
  EXPECT_EQ(book[8], 0.07958029955625534f);
  EXPECT_EQ(book[14], 0.7229568362236023f);
  for (uint8_t c = 0; c < 16; ++c)
    EXPECT_EQ(encodeNF4(book[c]), c);
  // bitsandbytes' first decision threshold: 0.03979014977812767.
  EXPECT_EQ(encodeNF4(0.0397f), 7);
  EXPECT_EQ(encodeNF4(0.0398f), 8);
}

TEST(NF4, PacksHighNibbleFirst) {
  // absmax 2: -2 -> code 0, 2 -> code 15, 0 -> code 7, 1.4459 -> 14.
  NF4Weights w = quantizeNF4({-2.0f, 2.0f, 0.0f, 1.4459f, 0.5f}, 64, false);
  ASSERT_EQ(w.packedCodes.size(), 3u);
  EXPECT_EQ(w.packedCodes[0], 0x0F);
  EXPECT_EQ(w.packedCodes[1], 0x7E);
  EXPECT_EQ(w.packedCodes[2] & 0x0F, 0);
  ASSERT_EQ(w.absmax.size(), 1u);
  EXPECT_EQ(w.absmax[0], 2.0f);
  std::vector<float> back = dequantizeNF4(w);
  EXPECT_EQ(back[0], -2.0f);
  EXPECT_EQ(back[2], 0.0f);
}

std::vector<float> normalSamples(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> values(n);
  for (float &v : values)
    v = dist(rng);
  return values;
}

double meanSquaredError(llvm::ArrayRef<float> a, llvm::ArrayRef<float> b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i)
    sum += double(a[i] - b[i]) * (a[i] - b[i]);
  return sum / static_cast<double>(a.size());
}

TEST(NF4, DoubleQuantizationBitsAndError) {
  std::vector<float> values = normalSamples(64 * 256 * 8, 1);
  NF4Weights single = quantizeNF4(values, 64, false);
  NF4Weights dq = quantizeNF4(values, 64, true);
  EXPECT_NEAR(single.bitsPerWeight(), 4.5, 1e-9);
  EXPECT_NEAR(dq.bitsPerWeight(), 4.127, 5e-4);
  EXPECT_EQ(dq.scaleScales.size(), 8u);
  double mseSingle = meanSquaredError(values, dequantizeNF4(single));
  double mseDouble = meanSquaredError(values, dequantizeNF4(dq));
  // The 8-bit scales cost less than 2% extra error.
  EXPECT_LT(mseDouble, mseSingle * 1.02);
}

TEST(NF4, BeatsUniformInt4OnNormalWeights) {
  // QLoRA's claim: on N(0, 1) data NF4 reconstructs better than 4-bit
  // integers with the same block absmax scaling.
  std::vector<float> values = normalSamples(1 << 16, 7);
  double nf4 =
      meanSquaredError(values, dequantizeNF4(quantizeNF4(values, 64, false)));
  double int4 = meanSquaredError(values, fakeQuantizeBlockwise(values, 64, 4));
  EXPECT_LT(nf4, int4 * 0.9) << "nf4 " << nf4 << " int4 " << int4;
}

TEST(FixedPoint, MultiplierDecomposition) {
  QuantizedMultiplier half = quantizeMultiplier(0.5);
  EXPECT_EQ(half.multiplier, 1 << 30);
  EXPECT_EQ(half.shift, 0);
  QuantizedMultiplier three = quantizeMultiplier(3.0);
  EXPECT_EQ(three.multiplier, 3 << 29);
  EXPECT_EQ(three.shift, 2);
  EXPECT_EQ(quantizeMultiplier(0.0).multiplier, 0);
  EXPECT_EQ(roundingDivideByPOT(5, 1), 3);
  EXPECT_EQ(roundingDivideByPOT(-5, 1), -3);
  EXPECT_EQ(roundingDivideByPOT(7, 2), 2);
  EXPECT_EQ(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN), INT32_MAX);
}

TEST(FixedPoint, MatchesRealRescaling) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24);
  std::uniform_real_distribution<double> exponent(-14.0, 1.0);
  int off = 0;
  for (int i = 0; i < 20000; ++i) {
    double real = std::exp2(exponent(rng));
    int32_t x = acc(rng);
    int32_t got = multiplyByQuantizedMultiplier(x, quantizeMultiplier(real));
    double exact = static_cast<double>(x) * real;
    // Two roundings (the doubling high multiply, then the shift), as in
    // gemmlowp and TFLite: at most one unit off the exact product.
    EXPECT_LE(std::fabs(got - exact), 1.0) << x << " * " << real;
    off += got != static_cast<int32_t>(std::round(exact));
  }
  // The double rounding moves a few percent of results by one unit.
  EXPECT_LT(off, 1000);
}

TEST(UniformQuant, ParamsKeepZeroExact) {
  UniformParams relu = chooseUniformParams(0.0, 6.0, 8, false);
  EXPECT_EQ(relu.zeroPoint, -128);
  EXPECT_DOUBLE_EQ(relu.scale, 6.0 / 255.0);
  EXPECT_EQ(relu.quantize(0.0f), -128);
  EXPECT_EQ(relu.quantize(6.0f), 127);
  UniformParams sym = chooseUniformParams(-2.0, 1.0, 8, true);
  EXPECT_EQ(sym.zeroPoint, 0);
  EXPECT_EQ(sym.qmin, -127);
  EXPECT_DOUBLE_EQ(sym.scale, 2.0 / 127.0);
  UniformParams asym = chooseUniformParams(-1.0, 3.0, 8, false);
  EXPECT_EQ(asym.dequantize(asym.quantize(0.0f)), 0.0f);
  EXPECT_NEAR(asym.dequantize(asym.quantize(3.0f)), 3.0f, asym.scale);
}

TEST(Calibration, MethodsClipOutliers) {
  std::vector<float> values = normalSamples(200000, 11);
  values.push_back(60.0f); // one outlier far beyond the Gaussian's tail
  RangeObserver observer;
  // Feed in pieces so the histogram has to grow its range.
  observer.observe(llvm::ArrayRef(values).take_front(1000));
  observer.observe(llvm::ArrayRef(values).drop_front(1000));
  EXPECT_EQ(observer.max(), 60.0f);
  uint64_t total = 0;
  for (uint64_t b : observer.histogram())
    total += b;
  EXPECT_EQ(total + observer.zeroCount(), values.size());
  EXPECT_EQ(observer.threshold(CalibrationMethod::MinMax), 60.0f);
  float p = observer.threshold(CalibrationMethod::Percentile, 99.9);
  EXPECT_NEAR(p, 3.29f, 0.15f); // |N(0,1)| 99.9th percentile
  float entropy = observer.threshold(CalibrationMethod::Entropy);
  float mse = observer.threshold(CalibrationMethod::MSE);
  EXPECT_GT(entropy, 2.0f);
  EXPECT_LT(entropy, 10.0f);
  // A single outlier's squared error outweighs the rounding noise of
  // 200,000 samples only while the threshold is far below it.
  EXPECT_GT(mse, p);
  EXPECT_LT(mse, 60.0f);
  auto [lo, hi] = observer.range(CalibrationMethod::MSE);
  EXPECT_EQ(hi, mse);
  EXPECT_EQ(lo, std::max(observer.min(), -mse));
}

TEST(Calibration, SqnrOfPerTensorVersusPerChannel) {
  EXPECT_TRUE(std::isinf(sqnrDecibels({1.0f, 2.0f}, {1.0f, 2.0f})));
  EXPECT_NEAR(sqnrDecibels({1.0f, 0.0f}, {0.9f, 0.0f}), 20.0, 1e-4);
}

} // namespace
