//===- WeightPackingTest.cpp - weights in the kernels' layouts ------------===//
//
// The compressed form the CUDA backend's sparse tensor-core kernel reads:
// each group of 4 reduction steps keeps 2 values and a selector of their
// steps (increasing, 2 bits each), rows padded to 32 steps. And the byte
// panels of fp8 codes: one step per 8 bytes (ARM) or, for CUDA's
// tensor-core kernel, int8's groups of 4 steps per row. And fp32 weights
// rounded to fp16 / bf16 for the tensor cores: to nearest, ties to even,
// in panels of 8 rows by pairs of steps. And NF4 nibbles: 8 rows of a step
// per 4 bytes, or a row's 8 steps per 32-bit word for the tensor cores.
//
//===----------------------------------------------------------------------===//

#include "../../lib/Target/Codegen/WeightPacking.h"
#include <gtest/gtest.h>

using namespace mlir::dlc::codegen;

namespace {

TEST(WeightPackingTest, Sparse24KeepsTwoOfEachFourWithSelectors) {
  // One row of 8 steps (two groups), padded to 32 (eight groups).
  std::vector<float> row = {0.0f, 1.5f, 0.0f, -2.0f, 3.0f, 0.0f, 0.0f, 0.0f};
  std::optional<Sparse24Rows<float>> sparse = compressSparse24(row, 1, 8);
  ASSERT_TRUE(sparse);
  EXPECT_EQ(sparse->paddedK, 32);
  ASSERT_EQ(sparse->values.size(), 16u);
  ASSERT_EQ(sparse->metadata.size(), 4u);
  // Group 0 keeps steps 1 and 3: selector 0b1101; group 1 keeps its one
  // non-zero (step 0) and the lowest free step, 1: 0b0100.
  EXPECT_EQ(sparse->values[0], 1.5f);
  EXPECT_EQ(sparse->values[1], -2.0f);
  EXPECT_EQ(sparse->values[2], 3.0f);
  EXPECT_EQ(sparse->values[3], 0.0f);
  EXPECT_EQ(sparse->metadata[0], 0x4D);
  // Padding groups keep steps 0 and 1 (zeros).
  for (size_t i = 4; i < 16; ++i)
    EXPECT_EQ(sparse->values[i], 0.0f);
  EXPECT_EQ(sparse->metadata[1], 0x44);
  EXPECT_EQ(sparse->metadata[3], 0x44);
}

TEST(WeightPackingTest, Sparse24SelectorsMatchThePtxLayout) {
  // Steps 0 and 2 kept in every group: LLVM's sm_80 test of mma.sp
  // m16n8k32 (mlir/test/Integration/Dialect/SparseTensor/GPU/CUDA/
  // sparse-mma-2-4-f16.mlir) encodes four such groups as the 16-bit word
  // 0x8888, the lower step in each group's low bits and group 0 lowest.
  // The kernel reads each row's selectors as little-endian 32-bit words.
  std::vector<float> row(32, 0.0f);
  for (int64_t step = 0; step < 32; step += 4) {
    row[step] = 1.0f;
    row[step + 2] = 2.0f;
  }
  std::optional<Sparse24Rows<float>> sparse = compressSparse24(row, 1, 32);
  ASSERT_TRUE(sparse);
  ASSERT_EQ(sparse->metadata.size(), 4u);
  uint32_t word = 0;
  for (int i = 0; i < 4; ++i)
    word |= static_cast<uint32_t>(sparse->metadata[i]) << (8 * i);
  EXPECT_EQ(word, 0x88888888u);
  for (size_t i = 0; i < sparse->values.size(); ++i)
    EXPECT_EQ(sparse->values[i], i % 2 ? 2.0f : 1.0f);
}

TEST(WeightPackingTest, Sparse24ExpandsBackToTheRows) {
  // Three rows of 36 steps (9 groups: 2 chunks of 32 after padding), each
  // group with its non-zeros in a different place.
  int64_t rows = 3, k = 36;
  std::vector<float> weights(rows * k, 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < k / 4; ++g) {
      int64_t a = (r + g) % 4, b = (r + 2 * g + 1) % 4;
      weights[r * k + 4 * g + a] = static_cast<float>(r * 100 + g + 1);
      if (b != a)
        weights[r * k + 4 * g + b] = -static_cast<float>(r * 100 + g + 1);
    }
  std::optional<Sparse24Rows<float>> sparse =
      compressSparse24(weights, rows, k);
  ASSERT_TRUE(sparse);
  ASSERT_EQ(sparse->paddedK, 64);
  std::vector<float> expanded(rows * sparse->paddedK, 0.0f);
  int64_t groups = sparse->paddedK / 4;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < groups; ++g) {
      uint8_t byte = sparse->metadata[(r * groups + g) / 2];
      uint8_t selector = g % 2 ? byte >> 4 : byte & 0xF;
      int first = selector & 3, second = selector >> 2;
      ASSERT_LT(first, second) << "row " << r << " group " << g;
      expanded[r * sparse->paddedK + 4 * g + first] =
          sparse->values[(r * groups + g) * 2];
      expanded[r * sparse->paddedK + 4 * g + second] =
          sparse->values[(r * groups + g) * 2 + 1];
    }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < sparse->paddedK; ++i)
      EXPECT_EQ(expanded[r * sparse->paddedK + i],
                i < k ? weights[r * k + i] : 0.0f)
          << "row " << r << " step " << i;
}

TEST(WeightPackingTest, Sparse24Int8PadsToTheByteKernelsChunk) {
  // int8 rows go to mma.sp m16n8k64: K padded to 64 steps (16 groups), the
  // kept codes as they are, the selectors as for fp16.
  std::vector<int8_t> row = {0, 5, 0, -3, 7, 0, 0, 0};
  std::optional<Sparse24Rows<int8_t>> sparse = compressSparse24(row, 1, 8);
  ASSERT_TRUE(sparse);
  EXPECT_EQ(sparse->paddedK, 64);
  ASSERT_EQ(sparse->values.size(), 32u);
  ASSERT_EQ(sparse->metadata.size(), 8u);
  EXPECT_EQ(sparse->values[0], 5);
  EXPECT_EQ(sparse->values[1], -3);
  EXPECT_EQ(sparse->values[2], 7);
  EXPECT_EQ(sparse->values[3], 0);
  EXPECT_EQ(sparse->metadata[0], 0x4D);
  for (size_t i = 1; i < 8; ++i)
    EXPECT_EQ(sparse->metadata[i], 0x44);
  std::vector<int8_t> dense = {1, 2, 3, 0};
  EXPECT_FALSE(compressSparse24(dense, 1, 4));
}

TEST(WeightPackingTest, Sparse24FP8CountsNegativeZeroAsZero) {
  // fp8 codes: 0x80 is -0 in E4M3 and E5M2 alike, so a group of 1.0, -0,
  // -1.0, -0 keeps steps 0 and 2; three non-zero codes do not compress.
  std::vector<uint8_t> row = {0x38, 0x80, 0xB8, 0x80};
  std::optional<Sparse24Rows<uint8_t>> sparse = compressSparse24FP8(row, 1, 4);
  ASSERT_TRUE(sparse);
  EXPECT_EQ(sparse->paddedK, 64);
  EXPECT_EQ(sparse->values[0], 0x38);
  EXPECT_EQ(sparse->values[1], 0xB8);
  EXPECT_EQ(sparse->metadata[0] & 0xF, 0x8);
  std::vector<uint8_t> dense = {0x38, 0x01, 0xB8, 0x80};
  EXPECT_FALSE(compressSparse24FP8(dense, 1, 4));
}

TEST(WeightPackingTest, Sparse24RefusesDenseGroupsAndRaggedRows) {
  std::vector<float> dense = {1.0f, 2.0f, 3.0f, 0.0f};
  EXPECT_FALSE(compressSparse24(dense, 1, 4));
  std::vector<float> ragged = {1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  EXPECT_FALSE(compressSparse24(ragged, 1, 6));
}

TEST(WeightPackingTest, FP8CodesInFourStepGroupsAreInt8Panels) {
  // 2 groups of 9 rows by 6 steps: the second panel of each group and the
  // steps past 6 are padding.
  PanelShape shape{2, 9, 6};
  std::vector<uint8_t> codes(2 * 9 * 6);
  for (size_t i = 0; i < codes.size(); ++i)
    codes[i] = static_cast<uint8_t>(i + 1);
  std::vector<int8_t> asInt8(codes.begin(), codes.end());
  std::vector<uint8_t> quads = packPanelsBytes(codes, shape, 4);
  std::vector<int8_t> int8 = packPanelsS8(asInt8, shape);
  ASSERT_EQ(quads.size(), int8.size());
  // 2 groups x 2 panels x 8 rows x 8 steps (6 rounded up to 4s).
  EXPECT_EQ(quads.size(), 2u * 2 * 8 * 8);
  for (size_t i = 0; i < quads.size(); ++i)
    EXPECT_EQ(quads[i], static_cast<uint8_t>(int8[i])) << "byte " << i;
  // Row 1, steps 4..7 of group 0: the 32-byte block of steps 4-7, row 1.
  EXPECT_EQ(quads[32 + 4 * 1 + 0], codes[1 * 6 + 4]);
  EXPECT_EQ(quads[32 + 4 * 1 + 1], codes[1 * 6 + 5]);
  EXPECT_EQ(quads[32 + 4 * 1 + 2], 0);
  // One step per byte run of 8 rows (the ARM layout): row 1, step 4.
  std::vector<uint8_t> steps = packPanelsBytes(codes, shape);
  EXPECT_EQ(steps.size(), 2u * 2 * 8 * 6);
  EXPECT_EQ(steps[4 * 8 + 1], codes[1 * 6 + 4]);
}

TEST(WeightPackingTest, HalvesRoundToNearestEven) {
  // fp16: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10 (even: 1);
  // 1 + 3 * 2^-11 halfway between 1 + 2^-10 and 1 + 2^-9 (even: the
  // latter); 65520 rounds up past the largest finite value, 65504.
  std::vector<float> values = {
      1.0f,     -2.5f,    1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f,
      65504.0f, 65520.0f, 0x1p-24f,        0.0f};
  EXPECT_EQ(roundToHalf(values, HalfFormat::F16),
            (std::vector<uint16_t>{0x3C00, 0xC100, 0x3C00, 0x3C02, 0x7BFF,
                                   0x7C00, 0x0001, 0x0000}));
  // bf16 keeps fp32's exponent: 8 bits of significand, 3e38 stays finite.
  std::vector<float> wide = {1.0f, 1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, 3e38f};
  EXPECT_EQ(roundToHalf(wide, HalfFormat::BF16),
            (std::vector<uint16_t>{0x3F80, 0x3F80, 0x3F82, 0x7F62}));
}

TEST(WeightPackingTest, HalfPanelsPairStepsOfARow) {
  // 9 rows by 3 steps: 2 panels of 8 rows, steps padded to 2 pairs; a
  // row's pair of steps is adjacent (one 32-bit operand register).
  PanelShape shape{1, 9, 3};
  std::vector<float> weights(9 * 3);
  for (size_t i = 0; i < weights.size(); ++i)
    weights[i] = static_cast<float>(i + 1);
  std::vector<uint16_t> packed =
      packPanelsHalf(weights, shape, HalfFormat::F16);
  ASSERT_EQ(packed.size(), 2u * 2 * 8 * 2);
  auto at = [&](int64_t row, int64_t k) {
    return roundToHalf({weights[row * 3 + k]}, HalfFormat::F16)[0];
  };
  // Panel 0, steps 0-1: row r's pair at 2r.
  EXPECT_EQ(packed[2 * 5 + 0], at(5, 0));
  EXPECT_EQ(packed[2 * 5 + 1], at(5, 1));
  // Panel 0, steps 2-3: step 3 is padding.
  EXPECT_EQ(packed[16 + 2 * 5 + 0], at(5, 2));
  EXPECT_EQ(packed[16 + 2 * 5 + 1], 0);
  // Panel 1 holds row 8 and 7 padding rows.
  EXPECT_EQ(packed[32 + 0], at(8, 0));
  EXPECT_EQ(packed[32 + 2], 0);
}

TEST(WeightPackingTest, NF4NibblesByStepOrByRowWord) {
  // 9 rows by 16 steps, code (row + step) % 16.
  PanelShape shape{1, 9, 16};
  std::vector<uint8_t> codes(9 * 16);
  for (int64_t row = 0; row < 9; ++row)
    for (int64_t k = 0; k < 16; ++k)
      codes[row * 16 + k] = static_cast<uint8_t>((row + 3 * k) % 16);
  auto code = [&](int64_t row, int64_t k) { return codes[row * 16 + k]; };
  // One step per 4 bytes of 8 rows, the even row high: step 2, rows 4, 5.
  std::vector<uint8_t> steps = packPanelsNF4(codes, shape);
  ASSERT_EQ(steps.size(), 2u * 16 * 4);
  EXPECT_EQ(steps[2 * 4 + 2], code(4, 2) << 4 | code(5, 2));
  // A row's 8 steps per word, words of the panel's 8 rows together: word 1
  // (steps 8-15) of row 5 is bytes 32 + 4 * 5 ...; byte t holds steps
  // 8 + 2t (high nibble) and 8 + 2t + 1.
  std::vector<uint8_t> words = packPanelsNF4(codes, shape, 8);
  ASSERT_EQ(words.size(), steps.size());
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(words[32 + 4 * 5 + t],
              code(5, 8 + 2 * t) << 4 | code(5, 8 + 2 * t + 1))
        << "byte " << t;
  // Row 8 begins the second panel; its padding rows are code 0.
  EXPECT_EQ(words[64], code(8, 0) << 4 | code(8, 1));
  EXPECT_EQ(words[64 + 4], 0);
}

} // namespace
