//===- DialectTest.cpp - C++ API tests for the dlc dialect ----------------===//
//
// Builds ops through the C++ API (as the ONNX importer and passes do) and
// checks the result types that inference gives them, and that inconsistent
// ops are rejected by the verifier with the message a user would see.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/InitAllDialects.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::dlc;

namespace {
class DialectTest : public ::testing::Test {
protected:
  DialectTest() : builder(&context) {
    DialectRegistry registry;
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    loc = builder.getUnknownLoc();
    module = ModuleOp::create(loc);
  }

  /// Starts a function with arguments of the given shapes (f32) and returns
  /// them.
  ValueRange makeArgs(ArrayRef<SmallVector<int64_t>> shapes) {
    SmallVector<Type> types;
    for (const auto &shape : shapes)
      types.push_back(RankedTensorType::get(shape, builder.getF32Type()));
    builder.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(builder, loc, "f",
                                     builder.getFunctionType(types, {}));
    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToEnd(entry);
    return entry->getArguments();
  }

  static SmallVector<int64_t> shapeOf(Value value) {
    return SmallVector<int64_t>(
        cast<RankedTensorType>(value.getType()).getShape());
  }

  MLIRContext context;
  OpBuilder builder;
  Location loc = UnknownLoc();
  OwningOpRef<ModuleOp> module;
};

constexpr int64_t kDyn = ShapedType::kDynamic;

TEST_F(DialectTest, ConvInfersStridedPaddedShape) {
  // ResNet's stem: 7x7 stride 2 pad 3 halves 224 to 112.
  ValueRange args = makeArgs({{kDyn, 3, 224, 224}, {64, 3, 7, 7}});
  auto conv = Conv2DOp::create(builder, loc, args[0], args[1], Value(), {2, 2},
                               {3, 3, 3, 3});
  EXPECT_EQ(shapeOf(conv), (SmallVector<int64_t>{kDyn, 64, 112, 112}));
  EXPECT_TRUE(succeeded(verify(conv)));
}

TEST_F(DialectTest, DilatedDepthwiseConv) {
  ValueRange args = makeArgs({{1, 32, 17, 17}, {32, 1, 3, 3}});
  auto conv = Conv2DOp::create(builder, loc, args[0], args[1], Value(), {1, 1},
                               {0, 0, 0, 0}, {2, 2}, /*groups=*/32);
  // Effective kernel 5: 17 - 5 + 1 = 13.
  EXPECT_EQ(shapeOf(conv), (SmallVector<int64_t>{1, 32, 13, 13}));
}

TEST_F(DialectTest, CeilModePoolDropsWindowStartingInPadding) {
  ValueRange args = makeArgs({{1, 8, 5, 6}});
  // Height: ceil((5 + 2 - 2) / 2) + 1 = 4, but the 4th window would start
  // in the bottom padding, so 3 (PyTorch and ONNX agree). Width: 4.
  auto pool = MaxPool2DOp::create(builder, loc, args[0], {2, 3}, {2, 2},
                                  {1, 1, 1, 1}, {1, 1}, /*ceil_mode=*/true);
  EXPECT_EQ(shapeOf(pool), (SmallVector<int64_t>{1, 8, 3, 4}));
}

TEST_F(DialectTest, BroadcastKeepsDynamicBatch) {
  ValueRange args = makeArgs({{kDyn, 1, 4}, {3, 1}});
  auto add = AddOp::create(builder, loc, args[0], args[1]);
  EXPECT_EQ(shapeOf(add), (SmallVector<int64_t>{kDyn, 3, 4}));
}

TEST_F(DialectTest, ReshapeResolvesMinusOne) {
  ValueRange args = makeArgs({{2, 116, 28, 28}, {kDyn, 512, 1, 1}});
  auto shuffle = ReshapeOp::create(builder, loc, args[0], {2, 2, -1, 28, 28});
  EXPECT_EQ(shapeOf(shuffle), (SmallVector<int64_t>{2, 2, 58, 28, 28}));
  auto flat = ReshapeOp::create(builder, loc, args[1], {-1, 512});
  EXPECT_EQ(shapeOf(flat), (SmallVector<int64_t>{kDyn, 512}));
}

TEST_F(DialectTest, MatMulBroadcastsBatchDims) {
  ValueRange args = makeArgs({{2, 8, 128, 32}, {1, 32, 64}});
  auto matmul = MatMulOp::create(builder, loc, args[0], args[1]);
  EXPECT_EQ(shapeOf(matmul), (SmallVector<int64_t>{2, 8, 128, 64}));
}

TEST_F(DialectTest, InconsistentOpIsRejectedWithPreciseMessage) {
  ValueRange args = makeArgs({{1, 64, 8, 8}, {32, 16, 3, 3}});
  // 64 input channels, but weight channels * groups = 16 * 1.
  auto conv = Conv2DOp::create(builder, loc, args[0], args[1], Value());
  EXPECT_TRUE(isa<UnrankedTensorType>(conv.getType()));

  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(verify(conv)));
  EXPECT_EQ(message, "'dlc.conv2d' op expects input channels (64) to equal "
                     "weight channels * groups (16)");
}

TEST_F(DialectTest, SplitInfersEveryPiece) {
  ValueRange args = makeArgs({{1, 116, 28, 28}});
  auto split = SplitOp::create(builder, loc, args[0], /*axis=*/1, {58, 58});
  ASSERT_EQ(split.getNumResults(), 2u);
  EXPECT_EQ(shapeOf(split.getResult(1)), (SmallVector<int64_t>{1, 58, 28, 28}));
}
} // namespace
