//===- MathOps.cpp - linear algebra, elementwise ops and activations ------===//

#include "ShapeInference.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::detail;

static LogicalResult verifyOperandElementTypes(const ShapeDiag &diag, Value lhs,
                                               Value rhs, StringRef lhsName,
                                               StringRef rhsName) {
  Type lhsType = cast<ShapedType>(lhs.getType()).getElementType();
  Type rhsType = cast<ShapedType>(rhs.getType()).getElementType();
  if (lhsType != rhsType)
    return diag("expects ", rhsName, " element type ", rhsType, " to match ",
                lhsName, " element type ", lhsType);
  return success();
}

/// True when `attr` is a constant whose every element equals `value`.
static bool isSplatOf(Attribute attr, double value) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  if (!splat || !isa<FloatType>(splat.getElementType()))
    return false;
  return splat.getSplatValue<APFloat>().convertToDouble() == value;
}

/// Folds `lhs op rhs` when `rhs` is the identity element of the op and the
/// result has the type of `lhs` (broadcasting could otherwise grow it), or
/// both operands are constants of the result type.
template <typename OpT, typename Calc>
static OpFoldResult foldBinary(OpT op, typename OpT::FoldAdaptor adaptor,
                               double rightIdentity, Calc calc) {
  if (isSplatOf(adaptor.getRhs(), rightIdentity) &&
      op.getLhs().getType() == op.getType())
    return op.getLhs();
  if (op.getLhs().getType() == op.getType() &&
      op.getRhs().getType() == op.getType())
    return constFoldBinaryOp<FloatAttr, APFloat, void>(adaptor.getOperands(),
                                                       calc);
  return {};
}

static LogicalResult inferBroadcast(const ShapeDiag &diag, Value lhs, Value rhs,
                                    SmallVectorImpl<Type> &types) {
  if (failed(verifyOperandElementTypes(diag, lhs, rhs, "lhs", "rhs")))
    return failure();
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(diag, lhsType.getShape(), rhsType.getShape());
  if (failed(shape))
    return failure();
  types.push_back(RankedTensorType::get(*shape, lhsType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                   SmallVectorImpl<Type> &types) {
  auto lhsType = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhsType = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (lhsType.getRank() < 2 || rhsType.getRank() < 2)
    return diag("expects operands of rank >= 2, got ranks ", lhsType.getRank(),
                " and ", rhsType.getRank());
  if (failed(verifyOperandElementTypes(diag, adaptor.getLhs(), adaptor.getRhs(),
                                       "lhs", "rhs")))
    return failure();
  FailureOr<SmallVector<int64_t>> shape =
      inferMatMulShape(diag, lhsType.getShape(), rhsType.getShape());
  if (failed(shape))
    return failure();
  types.push_back(RankedTensorType::get(*shape, lhsType.getElementType()));
  return success();
}

FailureOr<SmallVector<int64_t>> mlir::dlc::detail::inferMatMulShape(
    const ShapeDiag &diag, ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  if (lhs.size() < 2 || rhs.size() < 2)
    return diag("expects operands of rank >= 2, got ranks ", lhs.size(),
                " and ", rhs.size());
  int64_t lhsK = lhs.back();
  int64_t rhsK = rhs[rhs.size() - 2];
  if (!ShapedType::isDynamic(lhsK) && !ShapedType::isDynamic(rhsK) &&
      lhsK != rhsK)
    return diag("expects lhs columns (", lhsK, ") to equal rhs rows (", rhsK,
                ")");
  FailureOr<SmallVector<int64_t>> batch =
      broadcastShapes(diag, lhs.drop_back(2), rhs.drop_back(2));
  if (failed(batch))
    return failure();
  batch->push_back(lhs[lhs.size() - 2]);
  batch->push_back(rhs.back());
  return batch;
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                   SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weightType = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (inputType.getRank() < 1)
    return diag("expects input of rank >= 1");
  if (weightType.getRank() != 2)
    return diag("expects weight of rank 2 (N x K), got rank ",
                weightType.getRank());
  if (failed(verifyOperandElementTypes(diag, adaptor.getInput(),
                                       adaptor.getWeight(), "input", "weight")))
    return failure();
  int64_t features = inputType.getShape().back();
  int64_t outFeatures = weightType.getDimSize(0);
  if (ShapedType::isDynamic(features) || weightType.getNumDynamicDims() != 0)
    return diag("expects static input features and weight shape");
  if (features != weightType.getDimSize(1))
    return diag("expects input features (", features,
                ") to equal weight columns (", weightType.getDimSize(1), ")");
  if (Value bias = adaptor.getBias()) {
    if (failed(verifyOperandElementTypes(diag, adaptor.getInput(), bias,
                                         "input", "bias")))
      return failure();
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != outFeatures)
      return diag("expects bias of shape [", outFeatures, "], got ",
                  formatShape(biasType.getShape()));
  }
  SmallVector<int64_t> shape(inputType.getShape());
  shape.back() = outFeatures;
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

LogicalResult AddOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                SmallVectorImpl<Type> &types) {
  return inferBroadcast(diag, adaptor.getLhs(), adaptor.getRhs(), types);
}

LogicalResult SubOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                SmallVectorImpl<Type> &types) {
  return inferBroadcast(diag, adaptor.getLhs(), adaptor.getRhs(), types);
}

LogicalResult MulOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                SmallVectorImpl<Type> &types) {
  return inferBroadcast(diag, adaptor.getLhs(), adaptor.getRhs(), types);
}

LogicalResult DivOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                SmallVectorImpl<Type> &types) {
  return inferBroadcast(diag, adaptor.getLhs(), adaptor.getRhs(), types);
}

LogicalResult MaxOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                SmallVectorImpl<Type> &types) {
  return inferBroadcast(diag, adaptor.getLhs(), adaptor.getRhs(), types);
}

LogicalResult MinOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                SmallVectorImpl<Type> &types) {
  return inferBroadcast(diag, adaptor.getLhs(), adaptor.getRhs(), types);
}

namespace {
/// linear(x, W) + b, b a constant over the output features (shape [N] or
/// [1, ..., 1, N]), is linear(x, W, b).
struct AddBiasIntoLinear : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    auto linear = add.getLhs().getDefiningOp<LinearOp>();
    if (!linear || linear.getBias() || !linear->hasOneUse() ||
        linear.getType() != add.getType())
      return failure();
    auto biasType = cast<ShapedType>(add.getRhs().getType());
    int64_t features = cast<ShapedType>(linear.getType()).getShape().back();
    if (!biasType.hasStaticShape() || biasType.getNumElements() != features ||
        biasType.getShape().back() != features)
      return failure();
    std::optional<std::vector<float>> bias = getConstantF32(add.getRhs());
    if (!bias)
      return failure();
    Value b = createConstantF32(rewriter, add.getLoc(), {features}, *bias,
                                "linear.bias", biasType.getElementType());
    rewriter.replaceOpWithNewOp<LinearOp>(add, linear.getInput(),
                                          linear.getWeight(), b);
    rewriter.eraseOp(linear);
    return success();
  }
};
} // namespace

void AddOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *context) {
  patterns.add<AddBiasIntoLinear>(context);
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldBinary(*this, adaptor, 0.0,
                    [](const APFloat &a, const APFloat &b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldBinary(*this, adaptor, 0.0,
                    [](const APFloat &a, const APFloat &b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldBinary(*this, adaptor, 1.0,
                    [](const APFloat &a, const APFloat &b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldBinary(*this, adaptor, 1.0,
                    [](const APFloat &a, const APFloat &b) { return a / b; });
}

/// max / min of constants (NaN-propagating, as the kernels); max(x, -inf)
/// and min(x, inf) are x.
OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor, -std::numeric_limits<double>::infinity(),
      [](const APFloat &a, const APFloat &b) { return llvm::maximum(a, b); });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor, std::numeric_limits<double>::infinity(),
      [](const APFloat &a, const APFloat &b) { return llvm::minimum(a, b); });
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

OpFoldResult ReluOp::fold(FoldAdaptor) {
  // relu is idempotent.
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return {};
}

LogicalResult ClipOp::verify() {
  APFloat min = getMin();
  APFloat max = getMax();
  if (min.isNaN() || max.isNaN() || max < min)
    return emitOpError() << "expects min (" << min.convertToDouble()
                         << ") <= max (" << max.convertToDouble() << ")";
  return success();
}

OpFoldResult ClipOp::fold(FoldAdaptor) {
  if (getMin().isInfinity() && getMin().isNegative() && getMax().isInfinity() &&
      !getMax().isNegative())
    return getInput();
  // A relu before a clip whose lower bound is >= 0 changes nothing.
  if (auto relu = getInput().getDefiningOp<ReluOp>()) {
    if (!getMin().isNegative()) {
      getInputMutable().assign(relu.getInput());
      return getResult();
    }
  }
  return {};
}

LogicalResult SoftmaxOp::verify() {
  return normalizeAxis(ShapeDiag(*this), "axis",
                       static_cast<int64_t>(getAxis()), getType().getRank());
}

LogicalResult LogSoftmaxOp::verify() {
  return normalizeAxis(ShapeDiag(*this), "axis",
                       static_cast<int64_t>(getAxis()), getType().getRank());
}
