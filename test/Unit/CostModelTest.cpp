//===- CostModelTest.cpp - the latency model's qualitative promises -------===//
//
// Properties a deployment engineer relies on when comparing variants of a
// network: aligned channels beat unaligned ones on tensor-core targets,
// reduced precision beats fp32 where it is native, more work takes longer.
//
//===----------------------------------------------------------------------===//

#include "dlc/Analysis/CostModel.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "dlc/InitAllDialects.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::dlc;

namespace {
class CostModelTest : public ::testing::Test {
protected:
  CostModelTest() {
    DialectRegistry registry;
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    auto loaded = TargetRegistry::load();
    EXPECT_TRUE(static_cast<bool>(loaded));
    targets = std::move(*loaded);
  }

  /// Latency of a conv with `in` -> `out` channels of `type` on `target`.
  double convLatency(int in, int out, StringRef type, StringRef target) {
    std::string ir = llvm::formatv(R"mlir(
      func.func @f(%x: tensor<8x{0}x56x56x{2}>) -> tensor<8x{1}x56x56x{2}> {{
        %w = dlc.constant dense<1.0> : tensor<{1}x{0}x3x3x{2}>
        %0 = dlc.conv2d %x, %w {{pads = array<i64: 1, 1, 1, 1>}
            : (tensor<8x{0}x56x56x{2}>, tensor<{1}x{0}x3x3x{2}>) -> tensor<8x{1}x56x56x{2}>
        return %0 : tensor<8x{1}x56x56x{2}>
      })mlir",
                                   in, out, type)
                         .str();
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(ir, &context);
    EXPECT_TRUE(module);
    auto func = *module->getOps<func::FuncOp>().begin();
    const Target *hw = targets.lookup(target);
    EXPECT_NE(hw, nullptr);
    NetworkCost cost = costNetwork(func, *hw);
    EXPECT_EQ(cost.unknownOps, 0);
    return cost.latencyUs;
  }

  /// The message of the error loading `json` as a target file gives (""
  /// when it loads).
  std::string loadError(StringRef json) {
    llvm::Error error = targets.addFromJSON(json, "bad");
    return error ? llvm::toString(std::move(error)) : "";
  }

  /// Latency of the first non-constant op of `ir` on `target`.
  double opLatency(StringRef ir, StringRef target) {
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(ir, &context);
    EXPECT_TRUE(module);
    auto func = *module->getOps<func::FuncOp>().begin();
    const Target *hw = targets.lookup(target);
    EXPECT_NE(hw, nullptr);
    return costNetwork(func, *hw).latencyUs;
  }

  MLIRContext context;
  TargetRegistry targets;
};

TEST_F(CostModelTest, SixteenChannelsBeatFifteenOnTensorCores) {
  for (StringRef target : {"h200", "a100", "t4", "orin"})
    EXPECT_LT(convLatency(64, 16, "f16", target),
              convLatency(64, 15, "f16", target))
        << target.str();
}

TEST_F(CostModelTest, ReducedPrecisionBeatsFp32WhereNative) {
  for (StringRef target : {"h200", "a100", "t4", "cortex-a78"})
    EXPECT_LT(convLatency(64, 64, "f16", target),
              convLatency(64, 64, "f32", target))
        << target.str();
  // Not native on the host: no faster than fp32 arithmetic, and only the
  // halved memory traffic may help.
  EXPECT_LE(convLatency(64, 64, "f16", "host"),
            convLatency(64, 64, "f32", "host"));
}

TEST_F(CostModelTest, MoreChannelsTakeLonger) {
  EXPECT_LT(convLatency(64, 64, "f32", "h200"),
            convLatency(64, 128, "f32", "h200"));
  EXPECT_LT(convLatency(32, 32, "f32", "cortex-a55"),
            convLatency(32, 64, "f32", "cortex-a55"));
}

TEST_F(CostModelTest, TargetFileReplacesByName) {
  llvm::Error error = targets.addFromJSON(
      R"({"targets": [{"name": "h200", "peak_tflops": {"fp32": 1},
                       "memory_gbps": 100}]})",
      "test");
  ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  EXPECT_EQ(targets.lookup("h200")->peakFlops("fp32"), 1e12);
  EXPECT_EQ(targets.lookup("h200")->peakFlops("fp16"), 1e12); // not native
}
/// A CPU target of 1 TFLOP/s and 10 GB/s at full memory efficiency, with
/// `extra` fields.
static std::string target(const std::string &extra) {
  return R"({"targets": [{"name": "cpu", "kind": "cpu",
      "peak_tflops": {"fp32": 1}, "memory_gbps": 10,
      "efficiency": {"memory": 1.0})" +
         extra + "}]}";
}

/// An elementwise op that per-op target fields must leave alone.
static const char *const kAdd = R"mlir(
  func.func @f(%x: tensor<1x64x64x64xf32>) -> tensor<1x64x64x64xf32> {
    %0 = dlc.add %x, %x : (tensor<1x64x64x64xf32>, tensor<1x64x64x64xf32>) -> tensor<1x64x64x64xf32>
    return %0 : tensor<1x64x64x64xf32>
  })mlir";

// A target's per-op memory efficiency slows exactly that op's memory time:
// a transpose at 0.1 takes 10x as long as at the target's 1.0, an add does
// not change; a non-positive value is an error naming the entry.
TEST_F(CostModelTest, PerOpMemoryEfficiency) {
  const char *transpose = R"mlir(
    func.func @f(%x: tensor<1x64x64x64xf32>) -> tensor<1x64x64x64xf32> {
      %0 = dlc.transpose %x {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x64x64x64xf32>) -> tensor<1x64x64x64xf32>
      return %0 : tensor<1x64x64x64xf32>
    })mlir";
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(target(""), "plain")));
  double plainTranspose = opLatency(transpose, "cpu");
  double plainAdd = opLatency(kAdd, "cpu");
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(
      target(R"(, "op_memory_efficiency": {"transpose": 0.1})"),
      "slow transpose")));
  EXPECT_NEAR(opLatency(transpose, "cpu"), 10 * plainTranspose,
              1e-6 * plainTranspose);
  EXPECT_EQ(opLatency(kAdd, "cpu"), plainAdd);
  EXPECT_NE(loadError(target(R"(, "op_memory_efficiency": {"slice": 0})"))
                .find("op_memory_efficiency.slice"),
            std::string::npos);
}

// A per-channel setup time adds channels x ns to the op it names (a batch
// norm over 96 channels: 0.48 us at 5 ns), whatever the map size, and to
// no other op; a negative value is an error naming the field.
TEST_F(CostModelTest, PerChannelSetup) {
  auto norm = [](int size) {
    std::string x = "tensor<1x96x" + std::to_string(size) + "x" +
                    std::to_string(size) + "xf32>";
    std::string v = "tensor<96xf32>";
    return "func.func @f(%x: " + x + ") -> " + x + " {\n" +
           "  %s = dlc.constant dense<1.0> : " + v + "\n" +
           "  %0 = dlc.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-05 : " +
           "f32} : (" + x + ", " + v + ", " + v + ", " + v + ", " + v +
           ") -> " + x + "\n  return %0 : " + x + "\n}";
  };
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(target(""), "plain")));
  double small = opLatency(norm(7), "cpu"), large = opLatency(norm(56), "cpu");
  double plainAdd = opLatency(kAdd, "cpu");
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(
      target(R"(, "op_channel_ns": {"batch_norm": 5})"), "norm setup")));
  EXPECT_NEAR(opLatency(norm(7), "cpu"), small + 0.48, 1e-9);
  EXPECT_NEAR(opLatency(norm(56), "cpu"), large + 0.48, 1e-9);
  EXPECT_EQ(opLatency(kAdd, "cpu"), plainAdd);
  EXPECT_NE(loadError(target(R"(, "op_channel_ns": {"batch_norm": -1})"))
                .find("op_channel_ns.batch_norm"),
            std::string::npos);
}

// A target's GEMV fixed time adds to a one-row linear layer's latency (a
// batch-1 classifier), not to one of 8 rows nor to other ops; a negative
// value is an error naming the field.
TEST_F(CostModelTest, GemvFixedTime) {
  auto linear = [](int rows) {
    std::string x = "tensor<" + std::to_string(rows) + "x512xf32>";
    std::string y = "tensor<" + std::to_string(rows) + "x1000xf32>";
    return "func.func @f(%x: " + x + ") -> " + y + " {\n" +
           "  %w = dlc.constant dense<0.01> : tensor<1000x512xf32>\n" +
           "  %0 = dlc.linear %x, %w : (" + x + ", tensor<1000x512xf32>) -> " +
           y + "\n  return %0 : " + y + "\n}";
  };
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(target(""), "plain")));
  double plainGemv = opLatency(linear(1), "cpu");
  double plainGemm = opLatency(linear(8), "cpu");
  double plainAdd = opLatency(kAdd, "cpu");
  ASSERT_FALSE(static_cast<bool>(
      targets.addFromJSON(target(R"(, "gemv_fixed_us": 40)"), "gemv setup")));
  EXPECT_NEAR(opLatency(linear(1), "cpu"), plainGemv + 40, 1e-9);
  EXPECT_EQ(opLatency(linear(8), "cpu"), plainGemm);
  EXPECT_EQ(opLatency(kAdd, "cpu"), plainAdd);
  EXPECT_NE(loadError(target(R"(, "gemv_fixed_us": -1)")).find("gemv_fixed_us"),
            std::string::npos);
}

// With a slower border path, a depthwise layer on a small map (49% of its
// outputs touch the padding) costs more per FLOP than one on a large map
// (4%), by the blend of the two efficiencies.
TEST_F(CostModelTest, DepthwiseBorderShare) {
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(
      R"({"targets": [{"name": "dw", "kind": "cpu",
          "peak_tflops": {"fp32": 0.001}, "memory_gbps": 1000,
          "efficiency": {"depthwise": 1.0, "depthwise_border": 0.25}}]})",
      "dw")));
  auto depthwise = [&](int channels, int size) {
    std::string ir = llvm::formatv(R"mlir(
      func.func @f(%x: tensor<1x{0}x{1}x{1}xf32>) -> tensor<1x{0}x{1}x{1}xf32> {{
        %w = dlc.constant dense<1.0> : tensor<{0}x1x3x3xf32>
        %0 = dlc.conv2d %x, %w {{groups = {0} : i64, pads = array<i64: 1, 1, 1, 1>}
            : (tensor<1x{0}x{1}x{1}xf32>, tensor<{0}x1x3x3xf32>) -> tensor<1x{0}x{1}x{1}xf32>
        return %0 : tensor<1x{0}x{1}x{1}xf32>
      })mlir",
                                   channels, size)
                         .str();
    return opLatency(ir, "dw") / (2.0 * channels * size * size * 9);
  };
  double large = depthwise(128, 56), small = depthwise(960, 7);
  // Per FLOP: 1 / (1 - b + b / 0.25) with b = 1 - 54^2/56^2 or 1 - 25/49.
  double bLarge = 1 - 54.0 * 54 / (56 * 56), bSmall = 1 - 25.0 / 49;
  EXPECT_NEAR(small / large,
              (1 - bSmall + 4 * bSmall) / (1 - bLarge + 4 * bLarge), 0.02);
}

// Weights are read from memory even when the layer's bytes fit in the
// cache: a batch-1 linear layer costs its weight bytes at memory speed.
TEST_F(CostModelTest, WeightsComeFromMemory) {
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(
      R"({"targets": [{"name": "cached", "kind": "cpu",
          "peak_tflops": {"fp32": 100}, "memory_gbps": 10, "cache_gbps": 1000,
          "llc_mib": 64, "efficiency": {"memory": 1.0}}]})",
      "cached")));
  double us = opLatency(R"mlir(
    func.func @f(%x: tensor<1x1024xf32>) -> tensor<1x1024xf32> {
      %w = dlc.constant dense<0.5> : tensor<1024x1024xf32>
      %0 = dlc.linear %x, %w : (tensor<1x1024xf32>, tensor<1024x1024xf32>) -> tensor<1x1024xf32>
      return %0 : tensor<1x1024xf32>
    })mlir",
                        "cached");
  // 4 MiB of weights at 10 GB/s: 419 us; activations at cache speed add
  // under 0.01 us.
  EXPECT_NEAR(us, 4.0 * 1024 * 1024 / 10e9 * 1e6, 0.1);
}
// A fitted convolution time model replaces FLOPs / (peak x efficiency) for
// its family, term by term; other families keep the roofline; a family the
// model does not know or a negative term is an error naming the entry.
TEST_F(CostModelTest, FittedConvTimeModel) {
  auto target = [](const std::string &models) {
    return R"({"targets": [{"name": "fitted", "kind": "cpu",
        "peak_tflops": {"fp32": 0.1}, "memory_gbps": 1e6,
        "efficiency": {"product": 1.0}, "conv_time_model": {)" +
           models + "}}]}";
  };
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(
      target(R"("pointwise": {"us_per_flop": 1e-3, "us_per_input": 0.5,
                 "us_per_output": 0.25, "us_per_weight": 2, "fixed_us": 7})"),
      "fitted")));
  // 1x1, 16 -> 32 channels at 8x8: 32,768 MACs = 65,536 FLOPs, 1,024
  // lowered input values (16 x 64), 2,048 outputs, 512 weights.
  double pointwise = opLatency(R"mlir(
    func.func @f(%x: tensor<1x16x8x8xf32>) -> tensor<1x32x8x8xf32> {
      %w = dlc.constant dense<0.5> : tensor<32x16x1x1xf32>
      %0 = dlc.conv2d %x, %w : (tensor<1x16x8x8xf32>, tensor<32x16x1x1xf32>) -> tensor<1x32x8x8xf32>
      return %0 : tensor<1x32x8x8xf32>
    })mlir",
                               "fitted");
  EXPECT_NEAR(pointwise, 65536e-3 + 1024 * 0.5 + 2048 * 0.25 + 512 * 2 + 7,
              1e-6);
  // A strided 1x1 conv is in family "conv", which has no model: roofline
  // (65,536 FLOPs at 0.1 TFLOP/s, occupancy 2048 / 2049 outputs).
  double strided = opLatency(R"mlir(
    func.func @f(%x: tensor<1x16x16x16xf32>) -> tensor<1x32x8x8xf32> {
      %w = dlc.constant dense<0.5> : tensor<32x16x1x1xf32>
      %0 = dlc.conv2d %x, %w {strides = array<i64: 2, 2>} : (tensor<1x16x16x16xf32>, tensor<32x16x1x1xf32>) -> tensor<1x32x8x8xf32>
      return %0 : tensor<1x32x8x8xf32>
    })mlir",
                             "fitted");
  EXPECT_NEAR(strided, 65536 / 0.1e12 * 1e6 * 2049 / 2048, 1e-6);

  // Tiles round the GEMM up: 30 output channels on a 4-channel tile and
  // 7x7 = 49 pixels on a 24-pixel tile cost 32 x 72 of them. A 3x3 pad-1
  // conv, 16 -> 30 channels at 7x7, lowered by im2col: k = 144, 144 x 49
  // columns, 144 x 7 rows, one call.
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(
      target(R"("conv3x3": {"gemm_tile": [4, 24], "us_per_flop": 1e-3,
                 "us_per_input": 0.5, "us_per_row": 3, "us_per_call": 11})"),
      "tiled")));
  const char *conv3x3 = R"mlir(
    func.func @f(%x: tensor<1x16x7x7xf32>) -> tensor<1x30x7x7xf32> {
      %w = dlc.constant dense<0.5> : tensor<30x16x3x3xf32>
      %0 = dlc.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x7x7xf32>, tensor<30x16x3x3xf32>) -> tensor<1x30x7x7xf32>
      return %0 : tensor<1x30x7x7xf32>
    })mlir";
  EXPECT_NEAR(opLatency(conv3x3, "fitted"),
              2.0 * 32 * 72 * 144 * 1e-3 + 144 * 49 * 0.5 + 144 * 7 * 3 + 11,
              1e-6);
  // Winograd F(2x2, 3x3): 4 x 4 = 16 tiles (rounded up to 24), 16 GEMMs of
  // 32 x 24 x 16, 16 x 16 x 16 transformed inputs, 16 x 30 x 16 products,
  // 16 x 30 x 16 transformed weights, 16 x (4 + 1) padded rows.
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(
      target(R"("conv3x3": {"lowering": "winograd_f2x3", "gemm_tile": [4, 24],
                 "us_per_flop": 1e-3, "us_per_input": 0.5, "us_per_output": 0.25,
                 "us_per_weight": 2, "us_per_row": 3, "us_per_call": 11})"),
      "winograd")));
  EXPECT_NEAR(opLatency(conv3x3, "fitted"),
              16 * 2.0 * 32 * 24 * 16 * 1e-3 + 16 * 16 * 16 * 0.5 +
                  16 * 30 * 16 * 0.25 + 16 * 30 * 16 * 2 + 16 * 5 * 3 + 16 * 11,
              1e-6);
  // Direct (depthwise 3x3 pad 1, 8 channels at 6x6): 8 x 36 outputs x 9
  // taps x 2 = 5,184 FLOPs, of which the 4x4 interior's windows stay
  // inside the input (20 of 36 outputs reach the padding); 288 inputs,
  // 8 x 6 x 9 = 432 rows and taps, one call.
  ASSERT_FALSE(static_cast<bool>(targets.addFromJSON(
      target(R"("depthwise": {"lowering": "direct", "us_per_flop": 1e-3,
                 "us_per_border_flop": 4e-3, "us_per_input": 0.5,
                 "us_per_row": 3, "us_per_call": 11})"),
      "direct")));
  double depthwise = opLatency(R"mlir(
    func.func @f(%x: tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
      %w = dlc.constant dense<0.5> : tensor<8x1x3x3xf32>
      %0 = dlc.conv2d %x, %w {groups = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
      return %0 : tensor<1x8x6x6xf32>
    })mlir",
                               "fitted");
  EXPECT_NEAR(depthwise,
              5184 * 16.0 / 36 * 1e-3 + 5184 * 20.0 / 36 * 4e-3 + 288 * 0.5 +
                  432 * 3 + 11,
              1e-6);
  EXPECT_NE(loadError(target(R"("winograd": {"us_per_flop": 1})"))
                .find("conv_time_model.winograd"),
            std::string::npos);
  EXPECT_NE(loadError(target(R"("conv": {"lowering": "fft"})"))
                .find("conv_time_model.conv.lowering must be one of gemm"),
            std::string::npos);
  EXPECT_NE(loadError(target(R"("conv": {"gemm_tile": [4, 0]})"))
                .find("conv_time_model.conv.gemm_tile must be two positive"),
            std::string::npos);
  EXPECT_NE(loadError(target(R"("conv": {"fixed_us": -1})"))
                .find("conv_time_model.conv.fixed_us must be a non-negative"),
            std::string::npos);
}
} // namespace
