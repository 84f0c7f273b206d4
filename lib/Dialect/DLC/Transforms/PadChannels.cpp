//===- PadChannels.cpp - pad conv channels to the target's alignment ------===//
//
// Implements `dlc-pad-channels`. Padding is introduced as a wider conv
// followed by a channel-prefix `dlc.slice`; the slice then sinks through
// channel-wise ops and disappears into the next conv, whose extra input
// channels get zero weights.
//
//===----------------------------------------------------------------------===//

#include "dlc/Analysis/CostModel.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "dlc/Support/Debug.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/FormatVariadic.h"

#define DEBUG_TYPE "dlc-pad-channels"

namespace mlir::dlc {
#define GEN_PASS_DEF_PADCHANNELS
#include "dlc/Dialect/DLC/Transforms/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;

namespace {
struct PadPolicy {
  const Target *target = nullptr;
  int64_t multiple = 0;

  /// The channel multiple for tensors of `type`, or 0 for none.
  int64_t alignmentFor(Type type) const {
    if (multiple > 0)
      return multiple;
    if (!target)
      return 0;
    std::string key = costTypeKey(type);
    auto it = target->align.find(key);
    return it != target->align.end() && target->isNative(key) ? it->second : 0;
  }
};
} // namespace

static int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

/// `x` when `value` is `x` sliced to its first channels (axis 1).
static Value channelSliceSource(Value value) {
  auto slice = value.getDefiningOp<SliceOp>();
  if (!slice || slice.getAxes() != ArrayRef<int64_t>{1} ||
      slice.getStarts() != ArrayRef<int64_t>{0} ||
      llvm::any_of(slice.getSteps(), [](int64_t s) { return s != 1; }))
    return {};
  return slice.getInput();
}

/// `type` with `channels` channels (dimension 1).
static RankedTensorType withChannels(Type type, int64_t channels) {
  auto ranked = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(ranked.getShape());
  shape[1] = channels;
  return ranked.clone(shape);
}

/// [M, C, K] weights widened to [newM, newC, K] with zeros.
static std::vector<float> padWeights(ArrayRef<float> weight, int64_t m,
                                     int64_t c, int64_t k, int64_t newM,
                                     int64_t newC) {
  std::vector<float> padded(newM * newC * k, 0.0f);
  for (int64_t o = 0; o < m; ++o)
    for (int64_t i = 0; i < c; ++i)
      std::copy_n(weight.begin() + (o * c + i) * k, k,
                  padded.begin() + (o * newC + i) * k);
  return padded;
}

static SliceOp createChannelSlice(OpBuilder &builder, Location loc, Value x,
                                  int64_t channels) {
  return SliceOp::create(builder, loc, x, ArrayRef<int64_t>{1},
                         ArrayRef<int64_t>{0}, ArrayRef<int64_t>{channels},
                         ArrayRef<int64_t>{});
}

/// "input channels 3->8, output channels 50->56", naming what changed.
static std::string describe(int64_t c, int64_t newC, int64_t m, int64_t newM,
                            StringRef noun = "channels") {
  std::string text;
  if (newC != c)
    text += ("input " + noun + " ").str() + std::to_string(c) + "->" +
            std::to_string(newC);
  if (newM != m)
    text += std::string(text.empty() ? "" : ", ") + "output " + noun.str() +
            " " + std::to_string(m) + "->" + std::to_string(newM);
  return text;
}

/// The ungrouped conv with constant weights that reads `value`, directly or
/// through single-use channel-wise ops the padding flows through.
static Conv2DOp consumerConv(Value value) {
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    if (auto conv = dyn_cast<Conv2DOp>(user))
      return conv.getInput() == value && conv.getGroups() == 1 &&
                     getConstantF32(conv.getWeight())
                 ? conv
                 : Conv2DOp();
    if (!isElementwiseActivation(user) &&
        !isa<MaxPool2DOp, AvgPool2DOp, ResizeOp>(user))
      return {};
    value = user->getResult(0);
  }
  return {};
}

/// Predicted time of `consumer` (a conv or linear layer reading a tensor
/// whose dimension 1 would widen to `width`) as it is and widened; only the
/// operand types matter, so zero splat constants stand in for its input and
/// widened weight. `rebuild` creates the widened op from those two.
static std::optional<std::pair<double, double>> consumerTimes(
    Operation *consumer, Value input, Value weight, int64_t width,
    const Target &target,
    llvm::function_ref<Operation *(OpBuilder &, Value, Value)> rebuild) {
  OpBuilder scratch(consumer->getContext());
  auto weightType = cast<RankedTensorType>(weight.getType());
  Type element = weightType.getElementType();
  auto stand = ConstantOp::create(
      scratch, consumer->getLoc(),
      DenseElementsAttr::get(withChannels(input.getType(), width),
                             scratch.getZeroAttr(element)));
  auto wideWeight =
      ConstantOp::create(scratch, consumer->getLoc(),
                         DenseElementsAttr::get(withChannels(weightType, width),
                                                scratch.getZeroAttr(element)));
  Operation *wide = rebuild(scratch, stand, wideWeight);
  std::optional<double> before = predictOpTime(consumer, target);
  std::optional<double> after = predictOpTime(wide, target);
  wide->destroy();
  wideWeight->destroy();
  stand->destroy();
  if (!before || !after)
    return std::nullopt;
  return std::make_pair(*before, *after);
}

namespace {
/// Widens an ungrouped conv's output and/or input channels to the
/// alignment when the cost model predicts the padded form is faster.
struct PadConv : OpRewritePattern<Conv2DOp> {
  PadConv(MLIRContext *context, const PadPolicy &policy)
      : OpRewritePattern(context), policy(policy) {}

  LogicalResult matchAndRewrite(Conv2DOp conv,
                                PatternRewriter &rewriter) const override {
    if (conv.getGroups() != 1)
      return rewriter.notifyMatchFailure(conv, "grouped conv");
    auto weightType = cast<ShapedType>(conv.getWeight().getType());
    int64_t align = policy.alignmentFor(weightType.getElementType());
    if (align <= 1)
      return rewriter.notifyMatchFailure(conv, "no alignment for this type");
    std::optional<ConstantWeights> weights =
        getConstantWeights(conv.getWeight(), conv.getBias());
    if (!weights)
      return rewriter.notifyMatchFailure(conv, "weights are not constant");
    const std::vector<float> *weight = &weights->weight;
    const std::optional<std::vector<float>> &bias = weights->bias;
    Type elementType = weightType.getElementType();
    int64_t m = weightType.getDimSize(0), c = weightType.getDimSize(1);
    int64_t k = weightType.getDimSize(2) * weightType.getDimSize(3);
    // Inputs are widened with a dlc.pad only where they enter the function
    // (the classic 3-channel image); inside, the producer's own padding
    // arrives as a slice that AbsorbSlice removes.
    bool padOut = m % align != 0;
    bool padIn = c % align != 0 && isa<BlockArgument>(conv.getInput());
    if (!padOut && !padIn)
      return rewriter.notifyMatchFailure(conv, "already aligned");
    int64_t newM = padOut ? roundUp(m, align) : m;
    int64_t newC = padIn ? roundUp(c, align) : c;
    std::vector<float> w = padWeights(*weight, m, c, k, newM, newC);
    std::vector<float> b;
    if (bias) {
      b = *bias;
      b.resize(newM, 0.0f);
    }
    auto inType = cast<RankedTensorType>(conv.getInput().getType());
    SmallVector<int64_t> wShape{newM, newC, weightType.getDimSize(2),
                                weightType.getDimSize(3)};
    SmallVector<int64_t> padAmounts(2 * inType.getRank(), 0);
    padAmounts[inType.getRank() + 1] = newC - c;

    if (policy.target && !policy.multiple) {
      // Cost the padded form on detached ops before changing anything.
      OpBuilder scratch(conv.getContext());
      Value input = conv.getInput();
      SmallVector<Operation *> temporaries;
      double padUs = 0;
      if (padIn) {
        auto pad = PadOp::create(scratch, conv.getLoc(), input, padAmounts,
                                 PadMode::constant, APFloat(0.0f));
        temporaries.push_back(pad);
        padUs = predictOpTime(pad, *policy.target).value_or(0);
        input = pad;
      }
      auto wConst = createConstantF32(scratch, conv.getLoc(), wShape, w, "tmp",
                                      elementType);
      temporaries.push_back(wConst);
      Value bValue;
      if (bias) {
        auto bConst = createConstantF32(scratch, conv.getLoc(), {newM}, b,
                                        "tmp", elementType);
        temporaries.push_back(bConst);
        bValue = bConst;
      }
      auto wide = Conv2DOp::create(
          scratch, conv.getLoc(), input, wConst, bValue, conv.getStridesAttr(),
          conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr());
      temporaries.push_back(wide);
      std::optional<double> before = predictOpTime(conv, *policy.target);
      std::optional<double> after = predictOpTime(wide, *policy.target);
      // Widening the output also aligns the next conv's reduction.
      if (Conv2DOp next = padOut ? consumerConv(conv.getResult()) : Conv2DOp();
          next && before && after) {
        if (auto times = consumerTimes(
                next, next.getInput(), next.getWeight(), newM, *policy.target,
                [&](OpBuilder &b, Value in, Value w) -> Operation * {
                  return Conv2DOp::create(
                      b, next.getLoc(), in, w, next.getBias(),
                      next.getStridesAttr(), next.getPadsAttr(),
                      next.getDilationsAttr(), next.getGroupsAttr());
                })) {
          *before += times->first;
          *after += times->second;
        }
      }
      for (Operation *op : llvm::reverse(temporaries))
        op->destroy();
      if (!before || !after || *after + padUs >= *before) {
        DLC_DEBUG(llvm::errs() << "not padding " << conv.getLoc() << ": "
                               << (before ? *before : -1.0) << " us -> "
                               << (after ? *after + padUs : -1.0) << " us\n");
        return rewriter.notifyMatchFailure(conv, "padding does not pay");
      }
      conv.emitRemark() << "padded " << describe(c, newC, m, newM) << " on "
                        << policy.target->name << ": predicted "
                        << llvm::formatv("{0:F2}", *before) << " us -> "
                        << llvm::formatv("{0:F2}", *after + padUs) << " us";
    } else {
      conv.emitRemark() << "padded " << describe(c, newC, m, newM)
                        << " (multiple " << align << ")";
    }

    Location loc = conv.getLoc();
    Value input = conv.getInput();
    if (padIn)
      input = PadOp::create(rewriter, loc, input, padAmounts, PadMode::constant,
                            APFloat(0.0f));
    Value wValue = createConstantF32(rewriter, loc, wShape, w, "padded.weight",
                                     elementType);
    Value bValue = bias ? Value(createConstantF32(rewriter, loc, {newM}, b,
                                                  "padded.bias", elementType))
                        : Value();
    auto wide = Conv2DOp::create(rewriter, loc, input, wValue, bValue,
                                 conv.getStridesAttr(), conv.getPadsAttr(),
                                 conv.getDilationsAttr(), conv.getGroupsAttr());
    Value result = wide;
    if (padOut)
      result = createChannelSlice(rewriter, loc, wide, m);
    rewriter.replaceOp(conv, result);
    return success();
  }

  const PadPolicy &policy;
};

/// conv(slice(x)): read the wide `x` directly with zero weights for the
/// extra channels.
struct AbsorbSlice : OpRewritePattern<Conv2DOp> {
  AbsorbSlice(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(Conv2DOp conv,
                                PatternRewriter &rewriter) const override {
    Value wide = channelSliceSource(conv.getInput());
    if (!wide || conv.getGroups() != 1)
      return failure();
    auto weight = getConstantF32(conv.getWeight());
    if (!weight)
      return failure();
    auto weightType = cast<ShapedType>(conv.getWeight().getType());
    int64_t m = weightType.getDimSize(0), c = weightType.getDimSize(1);
    int64_t k = weightType.getDimSize(2) * weightType.getDimSize(3);
    int64_t newC = cast<ShapedType>(wide.getType()).getDimSize(1);
    std::vector<float> w = padWeights(*weight, m, c, k, m, newC);
    Value wValue = createConstantF32(
        rewriter, conv.getLoc(),
        {m, newC, weightType.getDimSize(2), weightType.getDimSize(3)}, w,
        "padded.weight", weightType.getElementType());
    rewriter.replaceOpWithNewOp<Conv2DOp>(
        conv, wide, wValue, conv.getBias(), conv.getStridesAttr(),
        conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr());
    return success();
  }
};

/// linear(slice(x)) on a 2-D input: read the wide `x` with zero weight
/// columns for the extra features.
struct AbsorbSliceLinear : OpRewritePattern<LinearOp> {
  AbsorbSliceLinear(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(LinearOp linear,
                                PatternRewriter &rewriter) const override {
    Value wide = channelSliceSource(linear.getInput());
    if (!wide || cast<ShapedType>(wide.getType()).getRank() != 2)
      return failure();
    auto weight = getConstantF32(linear.getWeight());
    if (!weight)
      return failure();
    auto weightType = cast<ShapedType>(linear.getWeight().getType());
    int64_t n = weightType.getDimSize(0), k = weightType.getDimSize(1);
    int64_t newK = cast<ShapedType>(wide.getType()).getDimSize(1);
    Value wValue =
        createConstantF32(rewriter, linear.getLoc(), {n, newK},
                          padWeights(*weight, n, k, 1, n, newK),
                          "padded.weight", weightType.getElementType());
    rewriter.replaceOpWithNewOp<LinearOp>(linear, wide, wValue,
                                          linear.getBias());
    return success();
  }
};

/// Widens a 2-D linear layer's output features to the alignment when the
/// cost model predicts a gain (counting a following linear layer whose
/// reduction becomes aligned).
struct PadLinear : OpRewritePattern<LinearOp> {
  PadLinear(MLIRContext *context, const PadPolicy &policy)
      : OpRewritePattern(context), policy(policy) {}

  LogicalResult matchAndRewrite(LinearOp linear,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<ShapedType>(linear.getType());
    auto weightType = cast<ShapedType>(linear.getWeight().getType());
    int64_t align = policy.alignmentFor(weightType.getElementType());
    int64_t n = weightType.getDimSize(0), k = weightType.getDimSize(1);
    if (resultType.getRank() != 2 || align <= 1)
      return failure();
    // As for convs, inputs are widened only where they enter the function.
    bool padOut = n % align != 0;
    bool padIn = k % align != 0 && isa<BlockArgument>(linear.getInput());
    if (!padOut && !padIn)
      return failure();
    std::optional<ConstantWeights> weights =
        getConstantWeights(linear.getWeight(), linear.getBias());
    if (!weights)
      return failure();
    const std::vector<float> *weight = &weights->weight;
    const std::optional<std::vector<float>> &bias = weights->bias;
    int64_t newN = padOut ? roundUp(n, align) : n;
    int64_t newK = padIn ? roundUp(k, align) : k;
    std::vector<float> w = padWeights(*weight, n, k, 1, newN, newK);
    std::vector<float> b = bias ? *bias : std::vector<float>();
    if (bias)
      b.resize(newN, 0.0f);
    Type element = weightType.getElementType();
    SmallVector<int64_t> padAmounts{0, 0, 0, newK - k};
    std::string what = describe(k, newK, n, newN, "features");
    if (policy.target && !policy.multiple) {
      OpBuilder scratch(linear.getContext());
      SmallVector<Operation *> temporaries;
      Value input = linear.getInput();
      double padUs = 0;
      if (padIn) {
        auto pad = PadOp::create(scratch, linear.getLoc(), input, padAmounts,
                                 PadMode::constant, APFloat(0.0f));
        temporaries.push_back(pad);
        padUs = predictOpTime(pad, *policy.target).value_or(0);
        input = pad;
      }
      auto wConst = createConstantF32(scratch, linear.getLoc(), {newN, newK}, w,
                                      "tmp", element);
      auto wide =
          LinearOp::create(scratch, linear.getLoc(), input, wConst, Value());
      temporaries.append({wConst, wide});
      std::optional<double> before = predictOpTime(linear, *policy.target);
      std::optional<double> after = predictOpTime(wide, *policy.target);
      Value next = linear.getResult();
      while (padOut && next.hasOneUse() &&
             isElementwiseActivation(*next.getUsers().begin()))
        next = next.getUsers().begin()->getResult(0);
      if (auto consumer = padOut && next.hasOneUse()
                              ? dyn_cast<LinearOp>(*next.getUsers().begin())
                              : LinearOp();
          consumer && consumer.getInput() == next && before && after) {
        if (auto times = consumerTimes(
                consumer, next, consumer.getWeight(), newN, *policy.target,
                [&](OpBuilder &b, Value in, Value w) -> Operation * {
                  return LinearOp::create(b, consumer.getLoc(), in, w,
                                          consumer.getBias());
                })) {
          *before += times->first;
          *after += times->second;
        }
      }
      for (Operation *op : llvm::reverse(temporaries))
        op->destroy();
      if (!before || !after || *after + padUs >= *before)
        return rewriter.notifyMatchFailure(linear, "padding does not pay");
      linear.emitRemark() << "padded " << what << " on " << policy.target->name
                          << ": predicted " << llvm::formatv("{0:F2}", *before)
                          << " us -> "
                          << llvm::formatv("{0:F2}", *after + padUs) << " us";
    } else {
      linear.emitRemark() << "padded " << what << " (multiple " << align << ")";
    }
    Location loc = linear.getLoc();
    Value input = linear.getInput();
    if (padIn)
      input = PadOp::create(rewriter, loc, input, padAmounts, PadMode::constant,
                            APFloat(0.0f));
    Value wValue = createConstantF32(rewriter, loc, {newN, newK}, w,
                                     "padded.weight", element);
    Value bValue = bias ? Value(createConstantF32(rewriter, loc, {newN}, b,
                                                  "padded.bias", element))
                        : Value();
    auto wide = LinearOp::create(rewriter, loc, input, wValue, bValue);
    Value result = wide;
    if (padOut)
      result = createChannelSlice(rewriter, loc, wide, n);
    rewriter.replaceOp(linear, result);
    return success();
  }

  const PadPolicy &policy;
};

/// op(slice(x)) -> slice(op(x)) for ops that treat channels independently,
/// so the padding flows on to the next conv.
struct SinkSlice : RewritePattern {
  SinkSlice(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    bool unary = isElementwiseActivation(op) || isChannelwiseSpatial(op);
    bool binary = isa<AddOp, SubOp, MulOp, DivOp>(op);
    bool norm = isa<BatchNormOp>(op);
    if (!unary && !binary && !norm)
      return failure();
    Value wide = channelSliceSource(op->getOperand(0));
    if (!wide)
      return failure();
    int64_t channels =
        cast<ShapedType>(op->getResult(0).getType()).getDimSize(1);
    int64_t newC = cast<ShapedType>(wide.getType()).getDimSize(1);
    SmallVector<Value> operands{wide};
    if (binary) {
      Value rhs = op->getOperand(1);
      Value rhsWide = channelSliceSource(rhs);
      auto rhsType = cast<ShapedType>(rhs.getType());
      if (rhsWide &&
          cast<ShapedType>(rhsWide.getType()).getDimSize(1) == newC &&
          rhsType == op->getOperand(0).getType()) {
        operands.push_back(rhsWide);
      } else if (auto values = getConstantF32(rhs);
                 values && rhsType.getNumElements() == channels &&
                 rhsType.getRank() ==
                     cast<ShapedType>(op->getResult(0).getType()).getRank() -
                         1 &&
                 rhsType.getDimSize(0) == channels) {
        // A per-channel constant ([C, 1, 1] for NCHW, [C] for 2-D): padded
        // with the identity of division, zero otherwise (the padded values
        // are never read).
        values->resize(newC, isa<DivOp>(op) ? 1.0f : 0.0f);
        SmallVector<int64_t> shape(rhsType.getShape());
        shape[0] = newC;
        operands.push_back(createConstantF32(rewriter, op->getLoc(), shape,
                                             *values, "padded.channel",
                                             rhsType.getElementType()));
      } else {
        return failure();
      }
    }
    if (norm) {
      // Extra channels normalize with mean 0, variance 1, scale 1, shift 0.
      for (auto [index, fill] :
           llvm::enumerate(ArrayRef<float>{1.0f, 0.0f, 0.0f, 1.0f})) {
        auto values = getConstantF32(op->getOperand(index + 1));
        if (!values)
          return failure();
        values->resize(newC, fill);
        operands.push_back(createConstantF32(
            rewriter, op->getLoc(), {newC}, *values, "padded.bn",
            cast<ShapedType>(op->getOperand(index + 1).getType())
                .getElementType()));
      }
    }
    Operation *wideOp = rewriter.clone(*op);
    wideOp->setOperands(operands);
    wideOp->getResult(0).setType(
        withChannels(op->getResult(0).getType(), newC));
    rewriter.replaceOp(op, createChannelSlice(rewriter, op->getLoc(),
                                              wideOp->getResult(0), channels));
    return success();
  }
};

struct PadChannelsPass : dlc::impl::PadChannelsBase<PadChannelsPass> {
  using Base::Base;

  void runOnOperation() override {
    PadPolicy policy;
    policy.multiple = multiple;
    std::optional<TargetRegistry> registry;
    if (!target.empty()) {
      llvm::Expected<TargetRegistry> loaded = TargetRegistry::load(targetFile);
      if (!loaded) {
        getOperation().emitError()
            << "dlc-pad-channels: " << llvm::toString(loaded.takeError());
        return signalPassFailure();
      }
      registry = std::move(*loaded);
      policy.target = registry->lookup(target);
      if (!policy.target) {
        getOperation().emitError()
            << "dlc-pad-channels: unknown target '" << target << "'";
        return signalPassFailure();
      }
    } else if (multiple <= 0) {
      getOperation().emitError()
          << "dlc-pad-channels: give a target or multiple=N";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<PadConv, PadLinear>(&getContext(), policy);
    patterns.add<AbsorbSlice, AbsorbSliceLinear, SinkSlice>(&getContext());
    // Top-down, so producers are padded before their consumers are seen.
    if (failed(applyPatternsGreedily(
            getOperation(), std::move(patterns),
            GreedyRewriteConfig().setUseTopDownTraversal(true))))
      return signalPassFailure();
  }
};
} // namespace
