//===- FoldBatchNorm.cpp - fold inference batch norm into neighbours ------===//
//
// Implements `dlc-fold-batchnorm`. A batch norm in inference form is the
// per-channel affine map y = x * s + t with s = gamma / sqrt(var + eps) and
// t = beta - mean * s, which a neighbouring linear op can absorb.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "dlc/Support/Debug.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include <cmath>

#define DEBUG_TYPE "dlc-fold-batchnorm"

namespace mlir::dlc {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "dlc/Dialect/DLC/Transforms/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;

namespace {
/// A batch norm as y = x * scale + shift, per channel, in double.
struct Affine {
  std::vector<double> scale, shift;
};
} // namespace

static std::optional<Affine> getAffine(BatchNormOp bn) {
  auto gamma = getConstantF32(bn.getScale());
  auto beta = getConstantF32(bn.getBias());
  auto mean = getConstantF32(bn.getMean());
  auto var = getConstantF32(bn.getVar());
  if (!gamma || !beta || !mean || !var) {
    DLC_DEBUG(llvm::errs() << "not folding " << bn.getLoc()
                           << ": statistics are not f32 constants\n");
    return std::nullopt;
  }
  double eps = bn.getEpsilon().convertToDouble();
  Affine affine;
  for (size_t c = 0; c < gamma->size(); ++c) {
    double s = (*gamma)[c] / std::sqrt(static_cast<double>((*var)[c]) + eps);
    affine.scale.push_back(s);
    affine.shift.push_back((*beta)[c] - (*mean)[c] * s);
  }
  return affine;
}

static std::string nameOf(Value weight, StringRef suffix) {
  if (auto constant = weight.getDefiningOp<ConstantOp>())
    if (auto resource =
            dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      return (resource.getRawHandle().getKey() + suffix).str();
  return ("folded" + suffix).str();
}

/// The single-use ops between a conv and a batch norm that keep each
/// channel's values apart, which the fold sees through: a slice on other
/// axes than the channels, and a depth-to-space (reshape of N x (P C) x H x
/// W to N x sh x sw x C x H x W, transpose [0, 3, 4, 1, 5, 2], reshape to N
/// x C x sh H x sw W: the phases of a transposed convolution as imported),
/// where conv channel k is the batch norm's channel k mod C.
namespace {
struct ChannelPath {
  Conv2DOp conv;
  /// From the batch norm's input back to the conv's user.
  SmallVector<Operation *> ops;
  int64_t channels = 0;
};
} // namespace

static std::optional<ChannelPath> pathFromConv(Value value) {
  ChannelPath path;
  auto slice = value.getDefiningOp<SliceOp>();
  if (slice && slice->hasOneUse()) {
    int64_t rank = cast<ShapedType>(slice.getType()).getRank();
    if (llvm::any_of(slice.getAxes(),
                     [&](int64_t a) { return (a < 0 ? a + rank : a) == 1; }))
      return std::nullopt;
    path.ops.push_back(slice);
    value = slice.getInput();
  }
  auto merge = value.getDefiningOp<ReshapeOp>();
  if (merge && merge->hasOneUse()) {
    auto transpose = merge.getInput().getDefiningOp<TransposeOp>();
    auto split = transpose ? transpose.getInput().getDefiningOp<ReshapeOp>()
                           : ReshapeOp();
    if (!split || !transpose->hasOneUse() || !split->hasOneUse() ||
        transpose.getPerm() != ArrayRef<int64_t>{0, 3, 4, 1, 5, 2})
      return std::nullopt;
    ArrayRef<int64_t> blocks = cast<ShapedType>(split.getType()).getShape();
    ArrayRef<int64_t> in =
        cast<ShapedType>(split.getInput().getType()).getShape();
    if (in.size() != 4 || in[1] != blocks[1] * blocks[2] * blocks[3] ||
        cast<ShapedType>(merge.getType()).getDimSize(1) != blocks[3])
      return std::nullopt;
    path.ops.append({merge, transpose, split});
    path.channels = blocks[3];
    value = split.getInput();
  }
  path.conv = value.getDefiningOp<Conv2DOp>();
  if (!path.conv || !path.conv->hasOneUse())
    return std::nullopt;
  if (!path.channels)
    path.channels = cast<ShapedType>(path.conv.getType()).getDimSize(1);
  return path;
}

namespace {
/// conv2d -> batch_norm (through a ChannelPath): scale each output
/// channel's filter, shift its bias.
struct FoldConvBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    std::optional<ChannelPath> path = pathFromConv(bn.getInput());
    if (!path)
      return rewriter.notifyMatchFailure(bn, "input is not a single-use conv");
    Conv2DOp conv = path->conv;
    std::optional<ConstantWeights> weights =
        getConstantWeights(conv.getWeight(), conv.getBias());
    std::optional<Affine> affine = getAffine(bn);
    if (!weights || !affine ||
        static_cast<int64_t>(affine->scale.size()) != path->channels)
      return rewriter.notifyMatchFailure(bn, "weights are not constants");
    const std::vector<float> *weight = &weights->weight;
    const std::optional<std::vector<float>> &bias = weights->bias;
    auto weightType = cast<ShapedType>(conv.getWeight().getType());
    int64_t outChannels = weightType.getDimSize(0);
    int64_t perChannel = weightType.getNumElements() / outChannels;
    std::vector<float> newWeight(weight->size()), newBias(outChannels);
    for (int64_t m = 0; m < outChannels; ++m) {
      double scale = affine->scale[m % path->channels];
      double shift = affine->shift[m % path->channels];
      for (int64_t i = 0; i < perChannel; ++i)
        newWeight[m * perChannel + i] =
            static_cast<float>((*weight)[m * perChannel + i] * scale);
      double b = bias ? (*bias)[m] : 0.0;
      newBias[m] = static_cast<float>(b * scale + shift);
    }
    Location loc = rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()});
    Value w = createConstantF32(rewriter, loc, weightType.getShape(), newWeight,
                                nameOf(conv.getWeight(), ".bnfold"),
                                weightType.getElementType());
    Value b = createConstantF32(rewriter, loc, {outChannels}, newBias,
                                nameOf(conv.getWeight(), ".bnfold_bias"),
                                weightType.getElementType());
    auto folded = Conv2DOp::create(
        rewriter, loc, conv.getInput(), w, b, conv.getStridesAttr(),
        conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr());
    // The ops of the path again, on the folded conv.
    IRMapping mapping;
    mapping.map(conv.getResult(), folded.getResult());
    for (Operation *op : llvm::reverse(path->ops))
      rewriter.clone(*op, mapping);
    rewriter.replaceOp(bn, mapping.lookup(bn.getInput()));
    for (Operation *op : path->ops)
      rewriter.eraseOp(op);
    rewriter.eraseOp(conv);
    return success();
  }
};

/// linear -> batch_norm over its features (2-D output).
struct FoldLinearBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto linear = bn.getInput().getDefiningOp<LinearOp>();
    if (!linear || !linear->hasOneUse() ||
        cast<ShapedType>(linear.getType()).getRank() != 2)
      return rewriter.notifyMatchFailure(bn, "input is not a 2-D linear");
    std::optional<ConstantWeights> weights =
        getConstantWeights(linear.getWeight(), linear.getBias());
    std::optional<Affine> affine = getAffine(bn);
    if (!weights || !affine)
      return rewriter.notifyMatchFailure(bn, "weights are not constants");
    const std::vector<float> *weight = &weights->weight;
    const std::optional<std::vector<float>> &bias = weights->bias;
    auto weightType = cast<ShapedType>(linear.getWeight().getType());
    int64_t features = weightType.getDimSize(0), k = weightType.getDimSize(1);
    std::vector<float> newWeight(weight->size()), newBias(features);
    for (int64_t n = 0; n < features; ++n) {
      for (int64_t i = 0; i < k; ++i)
        newWeight[n * k + i] =
            static_cast<float>((*weight)[n * k + i] * affine->scale[n]);
      double b = bias ? (*bias)[n] : 0.0;
      newBias[n] = static_cast<float>(b * affine->scale[n] + affine->shift[n]);
    }
    Location loc = rewriter.getFusedLoc({linear.getLoc(), bn.getLoc()});
    Value w = createConstantF32(rewriter, loc, weightType.getShape(), newWeight,
                                nameOf(linear.getWeight(), ".bnfold"),
                                weightType.getElementType());
    Value b = createConstantF32(rewriter, loc, {features}, newBias,
                                nameOf(linear.getWeight(), ".bnfold_bias"),
                                weightType.getElementType());
    rewriter.replaceOpWithNewOp<LinearOp>(bn, linear.getInput(), w, b);
    rewriter.eraseOp(linear);
    return success();
  }
};

/// batch_norm -> conv2d without padding: scale the filters per input
/// channel; the shift, convolved with the filters, joins the bias.
struct FoldBatchNormConv : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2DOp conv,
                                PatternRewriter &rewriter) const override {
    auto bn = conv.getInput().getDefiningOp<BatchNormOp>();
    if (!bn || !bn->hasOneUse())
      return rewriter.notifyMatchFailure(conv, "input is not a single-use BN");
    if (llvm::any_of(conv.getPads(), [](int64_t p) { return p != 0; })) {
      DLC_DEBUG(llvm::errs() << "not folding " << bn.getLoc()
                             << " into the conv after it: the conv pads its "
                                "input\n");
      return rewriter.notifyMatchFailure(conv, "conv pads its input");
    }
    std::optional<ConstantWeights> weights =
        getConstantWeights(conv.getWeight(), conv.getBias());
    std::optional<Affine> affine = getAffine(bn);
    if (!weights || !affine)
      return rewriter.notifyMatchFailure(conv, "weights are not constants");
    const std::vector<float> *weight = &weights->weight;
    const std::optional<std::vector<float>> &bias = weights->bias;
    auto weightType = cast<ShapedType>(conv.getWeight().getType());
    int64_t m = weightType.getDimSize(0), cg = weightType.getDimSize(1);
    int64_t kernel = weightType.getDimSize(2) * weightType.getDimSize(3);
    int64_t groups = static_cast<int64_t>(conv.getGroups());
    int64_t perGroup = m / groups;
    std::vector<float> newWeight(weight->size()), newBias(m);
    for (int64_t o = 0; o < m; ++o) {
      double b = bias ? (*bias)[o] : 0.0;
      int64_t group = o / perGroup;
      for (int64_t c = 0; c < cg; ++c) {
        int64_t channel = group * cg + c;
        for (int64_t k = 0; k < kernel; ++k) {
          int64_t at = (o * cg + c) * kernel + k;
          newWeight[at] =
              static_cast<float>((*weight)[at] * affine->scale[channel]);
          b += (*weight)[at] * affine->shift[channel];
        }
      }
      newBias[o] = static_cast<float>(b);
    }
    Location loc = rewriter.getFusedLoc({bn.getLoc(), conv.getLoc()});
    Value w = createConstantF32(rewriter, loc, weightType.getShape(), newWeight,
                                nameOf(conv.getWeight(), ".bnfold"),
                                weightType.getElementType());
    Value b = createConstantF32(rewriter, loc, {m}, newBias,
                                nameOf(conv.getWeight(), ".bnfold_bias"),
                                weightType.getElementType());
    auto folded = Conv2DOp::create(
        rewriter, loc, bn.getInput(), w, b, conv.getStridesAttr(),
        conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr());
    rewriter.replaceOp(conv, folded.getResult());
    rewriter.eraseOp(bn);
    return success();
  }
};

/// Any other batch norm: x * scale + shift with per-channel constants shaped
/// to broadcast over dimension 1.
struct BatchNormToScaleShift : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    std::optional<Affine> affine = getAffine(bn);
    if (!affine)
      return rewriter.notifyMatchFailure(bn, "statistics are not constant");
    auto type = cast<ShapedType>(bn.getType());
    SmallVector<int64_t> shape{type.getDimSize(1)};
    shape.append(type.getRank() - 2, 1);
    std::vector<float> scale(affine->scale.begin(), affine->scale.end());
    std::vector<float> shift(affine->shift.begin(), affine->shift.end());
    Location loc = bn.getLoc();
    Value s = createConstantF32(rewriter, loc, shape, scale, "bn_scale",
                                type.getElementType());
    Value t = createConstantF32(rewriter, loc, shape, shift, "bn_shift",
                                type.getElementType());
    auto mul = MulOp::create(rewriter, loc, bn.getInput(), s);
    rewriter.replaceOpWithNewOp<AddOp>(bn, mul.getResult(), t);
    return success();
  }
};

struct FoldBatchNormPass : dlc::impl::FoldBatchNormBase<FoldBatchNormPass> {
  using Base::Base;

  void runOnOperation() override {
    // Folding into neighbours first; what remains becomes scale and shift.
    RewritePatternSet folds(&getContext());
    folds.add<FoldConvBatchNorm, FoldLinearBatchNorm, FoldBatchNormConv>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(folds))))
      return signalPassFailure();
    if (!scaleShift)
      return;
    RewritePatternSet rest(&getContext());
    rest.add<BatchNormToScaleShift>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(rest))))
      return signalPassFailure();
  }
};
} // namespace
