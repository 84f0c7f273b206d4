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
} // namespace
