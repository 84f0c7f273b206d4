//===- Reparameterize.cpp - merge multi-branch conv blocks ----------------===//
//
// Implements `dlc-reparameterize` (RepVGG / ACNet structural
// reparameterization). Convolution is linear in its kernel, so a sum of
// convolutions of one input with aligned windows is one convolution with
// the summed kernels; an identity is the convolution with a unit kernel.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "dlc/Support/Debug.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dlc-reparameterize"

namespace mlir::dlc {
#define GEN_PASS_DEF_REPARAMETERIZE
#include "dlc/Dialect/DLC/Transforms/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;

namespace {
/// One term of the sum, as a convolution of the block input.
struct Branch {
  Operation *root = nullptr;
  /// Conv branch: its op; identity branches have none.
  Conv2DOp conv;
  /// Average-pool branch (Diverse Branch Block): a per-channel box filter.
  AvgPool2DOp pool;
  /// Identity branch: per-channel scale and shift (1 and 0 for plain x).
  std::vector<float> scale, shift;
};
} // namespace

/// The leaves of a tree of single-use adds rooted at `add`.
static void collectTerms(Value value, SmallVectorImpl<Value> &terms,
                         bool root) {
  auto add = value.getDefiningOp<AddOp>();
  if (add && (root || add->hasOneUse()) &&
      add.getLhs().getType() == add.getType() &&
      add.getRhs().getType() == add.getType()) {
    collectTerms(add.getLhs(), terms, false);
    collectTerms(add.getRhs(), terms, false);
    return;
  }
  terms.push_back(value);
}

/// x * s + t with per-channel [C, 1, 1] constants: the value of `x`'s
/// channels, or nullopt.
static std::optional<std::pair<std::vector<float>, std::vector<float>>>
matchAffine(Value term, Value &x) {
  auto add = term.getDefiningOp<AddOp>();
  if (!add)
    return std::nullopt;
  auto mul = add.getLhs().getDefiningOp<MulOp>();
  if (!mul || !mul->hasOneUse())
    return std::nullopt;
  auto scale = getConstantF32(mul.getRhs());
  auto shift = getConstantF32(add.getRhs());
  auto type = cast<ShapedType>(mul.getLhs().getType());
  if (!scale || !shift || type.getRank() != 4 ||
      static_cast<int64_t>(scale->size()) != type.getDimSize(1) ||
      shift->size() != scale->size() ||
      cast<ShapedType>(mul.getRhs().getType()).getRank() != 3 ||
      cast<ShapedType>(add.getRhs().getType()).getRank() != 3)
    return std::nullopt;
  x = mul.getLhs();
  return std::make_pair(*scale, *shift);
}

/// Centres a [M, C, bh, bw] kernel in [M, C, kh, kw] with zeros.
static std::vector<float> centreKernel(ArrayRef<float> w, int64_t m, int64_t c,
                                       int64_t bh, int64_t bw, int64_t kh,
                                       int64_t kw) {
  std::vector<float> out(m * c * kh * kw, 0.0f);
  int64_t dy = (kh - bh) / 2, dx = (kw - bw) / 2;
  for (int64_t i = 0; i < m * c; ++i)
    for (int64_t y = 0; y < bh; ++y)
      for (int64_t xx = 0; xx < bw; ++xx)
        out[(i * kh + y + dy) * kw + xx + dx] = w[(i * bh + y) * bw + xx];
  return out;
}

namespace {
struct MergeBranches : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  /// Says once, as a remark at the sum, why a block of conv branches of one
  /// input stays as it is.
  LogicalResult leaveAlone(AddOp root, PatternRewriter &rewriter,
                           StringRef why) const {
    if (explained.insert(root).second) {
      root.emitRemark() << "multi-branch block not reparameterized: " << why;
      DLC_DEBUG(llvm::errs() << "not reparameterizing the block summed at "
                             << root.getLoc() << ": " << why << "\n");
    }
    return rewriter.notifyMatchFailure(root, why);
  }

  mutable llvm::DenseSet<Operation *> explained;

  LogicalResult matchAndRewrite(AddOp root,
                                PatternRewriter &rewriter) const override {
    // Only whole sums: an add feeding another add is part of a bigger one.
    for (Operation *user : root->getUsers())
      if (isa<AddOp>(user))
        return rewriter.notifyMatchFailure(root, "not the root of the sum");
    SmallVector<Value> terms;
    collectTerms(root.getResult(), terms, /*root=*/true);
    if (terms.size() < 2)
      return failure();

    // The block input is the input of any conv term.
    Value x;
    for (Value term : terms)
      if (auto conv = term.getDefiningOp<Conv2DOp>())
        x = conv.getInput();
    if (!x)
      return rewriter.notifyMatchFailure(root, "no conv branch");
    auto xType = cast<ShapedType>(x.getType());
    auto outType = cast<ShapedType>(root.getType());
    int64_t channels = xType.getDimSize(1), outChannels = outType.getDimSize(1);

    SmallVector<Branch> branches;
    for (Value term : terms) {
      Branch branch;
      branch.root = term.getDefiningOp();
      if (auto conv = term.getDefiningOp<Conv2DOp>()) {
        if (conv.getInput() != x || !conv->hasOneUse())
          return rewriter.notifyMatchFailure(root,
                                             "a conv reads another input");
        branch.conv = conv;
      } else if (auto pool = term.getDefiningOp<AvgPool2DOp>();
                 pool && pool.getInput() == x && pool->hasOneUse() &&
                 !pool.getCeilMode() &&
                 (pool.getCountIncludePad() ||
                  llvm::all_of(pool.getPads(),
                               [](int64_t p) { return p == 0; }))) {
        // Averaging over padding counts the zeros, as a conv does.
        branch.pool = pool;
      } else if (term == x) {
        branch.scale.assign(channels, 1.0f);
        branch.shift.assign(channels, 0.0f);
      } else {
        Value input;
        auto affine = matchAffine(term, input);
        if (!affine || input != x || !term.hasOneUse())
          return rewriter.notifyMatchFailure(root, "a term is not a branch");
        branch.scale = affine->first;
        branch.shift = affine->second;
      }
      branches.push_back(std::move(branch));
    }

    // Agree on stride, groups and dilation; find the merged kernel size.
    Conv2DOp first;
    int64_t kh = 1, kw = 1;
    for (Branch &b : branches) {
      if (b.pool) {
        kh = std::max(kh, b.pool.getKernelShape()[0]);
        kw = std::max(kw, b.pool.getKernelShape()[1]);
        continue;
      }
      if (!b.conv)
        continue;
      if (!first)
        first = b.conv;
      if (b.conv.getStrides() != first.getStrides() ||
          b.conv.getGroups() != first.getGroups() ||
          llvm::any_of(b.conv.getDilations(),
                       [](int64_t d) { return d != 1; })) {
        return leaveAlone(root, rewriter,
                          "branches differ in stride, groups or dilation");
      }
      auto w = cast<ShapedType>(b.conv.getWeight().getType());
      kh = std::max(kh, w.getDimSize(2));
      kw = std::max(kw, w.getDimSize(3));
    }
    auto groups = static_cast<int64_t>(first.getGroups());
    bool hasIdentity =
        llvm::any_of(branches, [](const Branch &b) { return !b.conv; });
    if (kh % 2 == 0 || kw % 2 == 0 ||
        (hasIdentity && (channels != outChannels ||
                         llvm::any_of(first.getStrides(),
                                      [](int64_t s) { return s != 1; })))) {
      return leaveAlone(root, rewriter,
                        "an even kernel, or an identity branch next to a "
                        "stride or a channel change");
    }
    // Every branch, centred in kh x kw, must pad the same.
    std::optional<SmallVector<int64_t>> pads;
    for (Branch &b : branches) {
      SmallVector<int64_t> centred;
      if (b.pool) {
        ArrayRef<int64_t> k = b.pool.getKernelShape(), p = b.pool.getPads();
        int64_t dy = (kh - k[0]) / 2, dx = (kw - k[1]) / 2;
        centred = {p[0] + dy, p[1] + dx, p[2] + dy, p[3] + dx};
      } else if (b.conv) {
        auto w = cast<ShapedType>(b.conv.getWeight().getType());
        int64_t dy = (kh - w.getDimSize(2)) / 2,
                dx = (kw - w.getDimSize(3)) / 2;
        ArrayRef<int64_t> p = b.conv.getPads();
        centred = {p[0] + dy, p[1] + dx, p[2] + dy, p[3] + dx};
      } else {
        centred = {kh / 2, kw / 2, kh / 2, kw / 2};
      }
      if (pads && *pads != centred) {
        return leaveAlone(root, rewriter,
                          "the branches' windows are not aligned (padding "
                          "differs once kernels are centred)");
      }
      pads = centred;
    }

    // Sum the kernels and biases in double.
    int64_t cg = channels / groups;
    std::vector<double> kernel(outChannels * cg * kh * kw, 0.0),
        bias(outChannels, 0.0);
    auto at = [&](int64_t m, int64_t c, int64_t y, int64_t xx) {
      return ((m * cg + c) * kh + y) * kw + xx;
    };
    for (Branch &b : branches) {
      if (b.pool) {
        // A box filter over each channel's own window.
        ArrayRef<int64_t> k = b.pool.getKernelShape();
        int64_t dy = (kh - k[0]) / 2, dx = (kw - k[1]) / 2;
        double weight = 1.0 / static_cast<double>(k[0] * k[1]);
        for (int64_t m = 0; m < outChannels; ++m)
          for (int64_t y = 0; y < k[0]; ++y)
            for (int64_t xx = 0; xx < k[1]; ++xx)
              kernel[at(m, m % cg, y + dy, xx + dx)] += weight;
        continue;
      }
      if (!b.conv) {
        // Output channel m reads input channel m: index m % cg in its group.
        for (int64_t m = 0; m < outChannels; ++m) {
          kernel[at(m, m % cg, kh / 2, kw / 2)] += b.scale[m];
          bias[m] += b.shift[m];
        }
        continue;
      }
      std::optional<ConstantWeights> cw =
          getConstantWeights(b.conv.getWeight(), b.conv.getBias());
      if (!cw)
        return rewriter.notifyMatchFailure(root, "weights are not constant");
      const std::vector<float> *w = &cw->weight;
      const std::optional<std::vector<float>> &wb = cw->bias;
      auto type = cast<ShapedType>(b.conv.getWeight().getType());
      int64_t bh = type.getDimSize(2), bw = type.getDimSize(3);
      int64_t dy = (kh - bh) / 2, dx = (kw - bw) / 2;
      if (type.getDimSize(1) != cg)
        return rewriter.notifyMatchFailure(root, "channel mismatch");
      for (int64_t m = 0; m < outChannels; ++m) {
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t y = 0; y < bh; ++y)
            for (int64_t xx = 0; xx < bw; ++xx)
              kernel[at(m, c, y + dy, xx + dx)] +=
                  (*w)[((m * cg + c) * bh + y) * bw + xx];
        if (wb)
          bias[m] += (*wb)[m];
      }
    }
    std::vector<float> kernel32(kernel.begin(), kernel.end()),
        bias32(bias.begin(), bias.end());
    SmallVector<Location> locs;
    for (Branch &b : branches)
      if (b.root)
        locs.push_back(b.root->getLoc());
    locs.push_back(root.getLoc());
    Location loc = rewriter.getFusedLoc(locs);
    Value w =
        createConstantF32(rewriter, loc, {outChannels, cg, kh, kw}, kernel32,
                          "reparam.weight", xType.getElementType());
    Value b = createConstantF32(rewriter, loc, {outChannels}, bias32,
                                "reparam.bias", xType.getElementType());
    auto merged =
        Conv2DOp::create(rewriter, loc, x, w, b, first.getStridesAttr(),
                         rewriter.getDenseI64ArrayAttr(*pads),
                         first.getDilationsAttr(), first.getGroupsAttr());
    if (merged.getType() != root.getType()) {
      // Unreachable when the window checks above hold; undo, do not break.
      rewriter.eraseOp(merged);
      rewriter.eraseOp(w.getDefiningOp());
      rewriter.eraseOp(b.getDefiningOp());
      return rewriter.notifyMatchFailure(root, "merged conv changes shape");
    }
    rewriter.replaceOp(root, merged.getResult());
    DLC_DEBUG(llvm::errs() << "merged " << branches.size() << " branches at "
                           << loc << "\n");
    return success();
  }
};

/// Diverse Branch Block's depth concatenation: convs of one input, with
/// aligned windows, concatenated along channels, are one conv with the
/// kernels stacked.
struct MergeConcatBranches : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConcatOp concat,
                                PatternRewriter &rewriter) const override {
    auto type = cast<ShapedType>(concat.getType());
    if (type.getRank() != 4 ||
        static_cast<int64_t>(concat.getAxis()) % 4 != 1 ||
        concat.getInputs().size() < 2)
      return failure();
    SmallVector<Conv2DOp> convs;
    int64_t kh = 1, kw = 1;
    for (Value input : concat.getInputs()) {
      auto conv = input.getDefiningOp<Conv2DOp>();
      if (!conv || !conv->hasOneUse() || conv.getGroups() != 1 ||
          (!convs.empty() &&
           (conv.getInput() != convs.front().getInput() ||
            conv.getStrides() != convs.front().getStrides() ||
            conv.getDilations() != convs.front().getDilations())))
        return failure();
      auto w = cast<ShapedType>(conv.getWeight().getType());
      kh = std::max(kh, w.getDimSize(2));
      kw = std::max(kw, w.getDimSize(3));
      convs.push_back(conv);
    }
    if (kh % 2 == 0 || kw % 2 == 0 ||
        llvm::any_of(convs.front().getDilations(),
                     [](int64_t d) { return d != 1; }))
      return failure();
    std::optional<SmallVector<int64_t>> pads;
    std::vector<float> weights, biases;
    int64_t c =
        cast<ShapedType>(convs.front().getWeight().getType()).getDimSize(1);
    for (Conv2DOp conv : convs) {
      auto wt = cast<ShapedType>(conv.getWeight().getType());
      int64_t dy = (kh - wt.getDimSize(2)) / 2,
              dx = (kw - wt.getDimSize(3)) / 2;
      ArrayRef<int64_t> p = conv.getPads();
      SmallVector<int64_t> centred{p[0] + dy, p[1] + dx, p[2] + dy, p[3] + dx};
      if (pads && *pads != centred)
        return rewriter.notifyMatchFailure(concat, "misaligned windows");
      pads = centred;
      std::optional<ConstantWeights> cw =
          getConstantWeights(conv.getWeight(), conv.getBias());
      if (!cw)
        return failure();
      const std::vector<float> *w = &cw->weight;
      const std::optional<std::vector<float>> &b = cw->bias;
      std::vector<float> centredW = centreKernel(
          *w, wt.getDimSize(0), c, wt.getDimSize(2), wt.getDimSize(3), kh, kw);
      weights.insert(weights.end(), centredW.begin(), centredW.end());
      if (b)
        biases.insert(biases.end(), b->begin(), b->end());
      else
        biases.insert(biases.end(), wt.getDimSize(0), 0.0f);
    }
    int64_t m = type.getDimSize(1);
    Type element = type.getElementType();
    Location loc = concat.getLoc();
    Value w = createConstantF32(rewriter, loc, {m, c, kh, kw}, weights,
                                "reparam.weight", element);
    Value b =
        createConstantF32(rewriter, loc, {m}, biases, "reparam.bias", element);
    Conv2DOp first = convs.front();
    auto merged = Conv2DOp::create(
        rewriter, loc, first.getInput(), w, b, first.getStridesAttr(),
        rewriter.getDenseI64ArrayAttr(*pads), first.getDilationsAttr(),
        first.getGroupsAttr());
    if (merged.getType() != concat.getType()) {
      rewriter.eraseOp(merged);
      rewriter.eraseOp(w.getDefiningOp());
      rewriter.eraseOp(b.getDefiningOp());
      return rewriter.notifyMatchFailure(concat, "merged conv changes shape");
    }
    rewriter.replaceOp(concat, merged.getResult());
    return success();
  }
};

/// Diverse Branch Block's 1x1-then-kxk: conv_k(conv_1x1(x)) is one kxk conv
/// of x when the kxk conv pads nothing or the 1x1 has no bias (its padded
/// border is then zero either way), and when merging saves work.
struct MergeSequential1x1 : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2DOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<Conv2DOp>();
    if (!inner || !inner->hasOneUse() || inner.getGroups() != 1 ||
        outer.getGroups() != 1)
      return failure();
    auto wi = cast<ShapedType>(inner.getWeight().getType());
    auto wo = cast<ShapedType>(outer.getWeight().getType());
    bool pointwise =
        wi.getDimSize(2) == 1 && wi.getDimSize(3) == 1 &&
        llvm::all_of(inner.getStrides(), [](int64_t s) { return s == 1; }) &&
        llvm::all_of(inner.getPads(), [](int64_t p) { return p == 0; });
    bool outerPads =
        llvm::any_of(outer.getPads(), [](int64_t p) { return p != 0; });
    if (!pointwise || (outerPads && inner.getBias()))
      return failure();
    std::optional<ConstantWeights> innerWeights =
        getConstantWeights(inner.getWeight(), inner.getBias());
    std::optional<ConstantWeights> outerWeights =
        getConstantWeights(outer.getWeight(), outer.getBias());
    if (!innerWeights || !outerWeights)
      return failure();
    const std::vector<float> *w1 = &innerWeights->weight;
    const std::vector<float> *wk = &outerWeights->weight;
    const std::optional<std::vector<float>> &b1 = innerWeights->bias;
    const std::optional<std::vector<float>> &bk = outerWeights->bias;
    int64_t m = wo.getDimSize(0), j = wo.getDimSize(1), c = wi.getDimSize(1);
    int64_t k = wo.getDimSize(2) * wo.getDimSize(3);
    // Merging must not cost more: a narrow 1x1 bottleneck between wide
    // layers (MobileNet's projection) stays as it is.
    if (c * m * k > c * j + j * m * k)
      return rewriter.notifyMatchFailure(outer, "merging adds work");
    std::vector<double> merged(m * c * k, 0.0), bias(m, 0.0);
    for (int64_t o = 0; o < m; ++o) {
      if (bk)
        bias[o] = (*bk)[o];
      for (int64_t t = 0; t < j; ++t)
        for (int64_t s = 0; s < k; ++s) {
          double wv = (*wk)[(o * j + t) * k + s];
          for (int64_t i = 0; i < c; ++i)
            merged[(o * c + i) * k + s] += wv * (*w1)[t * c + i];
          if (b1)
            bias[o] += wv * (*b1)[t];
        }
    }
    std::vector<float> w32(merged.begin(), merged.end()),
        b32(bias.begin(), bias.end());
    Type element = wo.getElementType();
    Location loc = rewriter.getFusedLoc({inner.getLoc(), outer.getLoc()});
    Value w = createConstantF32(rewriter, loc,
                                {m, c, wo.getDimSize(2), wo.getDimSize(3)}, w32,
                                "reparam.weight", element);
    Value b =
        createConstantF32(rewriter, loc, {m}, b32, "reparam.bias", element);
    rewriter.replaceOpWithNewOp<Conv2DOp>(
        outer, inner.getInput(), w, b, outer.getStridesAttr(),
        outer.getPadsAttr(), outer.getDilationsAttr(), outer.getGroupsAttr());
    rewriter.eraseOp(inner);
    return success();
  }
};

struct ReparameterizePass : dlc::impl::ReparameterizeBase<ReparameterizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeBranches, MergeConcatBranches, MergeSequential1x1>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
