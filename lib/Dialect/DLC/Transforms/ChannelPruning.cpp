//===- ChannelPruning.cpp - structured channel pruning --------------------===//
//
// The analysis works on single channels: a node per (tensor, channel) of
// every tensor with a channel dimension (rank 4 NCHW, rank 2 N x F, or the
// features of rank 3 N x T x F, a transformer's tokens), and a
// union-find that ties the nodes that must be kept or removed together:
// the same channel before and after a channel-wise op (batch norm,
// activation, pooling, depthwise conv) and across a residual add; a concat
// input's channel and its place in the output; a channel slice or split's
// output and its place in the input; a channel shuffle (reshape to
// N x g x C/g x ..., transpose of the two, reshape back) maps channel
// j*(C/g) + i to i*g + j and ties channel i of every shuffle group, so that
// the groups keep equal counts. Each class is scored by the filters of the
// convs and linear layers that produce its channels (or the gammas of its
// batch norms); within each coupled component the lowest-scoring classes
// are removed. A class reaching a function argument or result, or an op the
// analysis does not model, is pinned.
//
//===----------------------------------------------------------------------===//

#include "ChannelPruning.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "dlc/Support/Debug.h"
#include "llvm/ADT/MapVector.h"
#include <cmath>
#include <numeric>

#define DEBUG_TYPE "dlc-prune"

using namespace mlir;
using namespace mlir::dlc;

namespace {
/// A layer's channels to keep: rows (output channels) and columns (input
/// channels, each `columnBlock` consecutive input features wide).
struct Cut {
  std::optional<std::vector<int64_t>> rows, columns;
  int64_t columnBlock = 1;
};

/// A channel shuffle: reshape -> transpose -> reshape.
struct Shuffle {
  ReshapeOp split;
  ReshapeOp merge;
  int64_t groups;
};

class Analysis {
public:
  explicit Analysis(const ChannelPruneOptions &options) : options(options) {}
  void run(func::FuncOp func);

  /// The channel axis of a tensor of `rank` 2, 3 or 4: the features of
  /// N x F and N x T x F, the channels of NCHW.
  static int64_t channelAxis(int64_t rank) { return rank == 3 ? 2 : 1; }
  /// Whether `v` is a tensor with a channel dimension (rank 2, 3 or 4).
  static bool hasChannels(Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && type.getRank() >= 2 && type.getRank() <= 4 &&
           !type.isDynamicDim(channelAxis(type.getRank())) &&
           type.getElementType().isF32();
  }
  static int64_t channelsOf(Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    return type.getDimSize(channelAxis(type.getRank()));
  }
  /// Whether `axis` (negative counts from the end) is the channel axis of
  /// `v`, which has channels.
  static bool isChannelAxis(Value v, int64_t axis) {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    return (axis < 0 ? axis + rank : axis) == channelAxis(rank);
  }
  /// Whether `v` is NCHW or N x C (the layout of batch norms and convs).
  static bool channelsFirst(Value v) {
    return cast<RankedTensorType>(v.getType()).getRank() != 3;
  }
  /// The node of channel `c` of `v` (created on first use).
  int64_t node(Value v, int64_t c) {
    auto [it, inserted] = base.try_emplace(v, parent.size());
    if (inserted) {
      values.push_back(v);
      for (int64_t i = 0; i < channelsOf(v); ++i)
        parent.push_back(static_cast<int64_t>(parent.size()));
    }
    return it->second + c;
  }
  int64_t find(int64_t x) {
    while (parent[x] != x)
      x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(int64_t a, int64_t b) {
    a = find(a);
    b = find(b);
    if (a != b)
      parent[a] = b;
  }
  /// Ties channel c of `a` to channel c of `b` for every c.
  void uniteAll(Value a, Value b) {
    if (!hasChannels(a) || !hasChannels(b) || channelsOf(a) != channelsOf(b)) {
      pin(a);
      pin(b);
      return;
    }
    for (int64_t c = 0; c < channelsOf(a); ++c)
      unite(node(a, c), node(b, c));
  }
  void pin(Value v) {
    if (!hasChannels(v))
      return;
    // Its nodes exist before pruneChannels sizes its tables by them.
    node(v, 0);
    pinnedValues.push_back(v);
  }

  const ChannelPruneOptions &options;
  DenseMap<Value, int64_t> base;
  SmallVector<Value> values;
  std::vector<int64_t> parent;
  SmallVector<Value> pinnedValues;
  SmallVector<std::pair<Operation *, Value>> producers;
  SmallVector<std::tuple<Operation *, Value, int64_t>> consumers;
  SmallVector<std::pair<Operation *, Value>> channelOps;
  SmallVector<SliceOp> slices;
  SmallVector<SplitOp> splits;
  SmallVector<Shuffle> shuffles;
  DenseMap<Operation *, int64_t> flattenBlocks; // flatten -> H*W
  DenseSet<Operation *> shuffleParts;

private:
  void analyze(Operation &op);
  bool matchShuffle(ReshapeOp first);
};
} // namespace

/// reshape [N, C, H, W] -> [N, g, C/g, H, W], transpose (0 2 1 3 4),
/// reshape -> [N, C, H, W]: out[i*g + j] = in[j*(C/g) + i].
bool Analysis::matchShuffle(ReshapeOp first) {
  auto in = cast<RankedTensorType>(first.getInput().getType());
  auto mid = dyn_cast<RankedTensorType>(first.getType());
  if (!hasChannels(first.getInput()) || in.getRank() != 4 || !mid ||
      mid.getRank() != 5 || !first->hasOneUse())
    return false;
  int64_t c = in.getDimSize(1), g = mid.getDimSize(1);
  if (mid.getDimSize(2) * g != c || mid.getDimSize(3) != in.getDimSize(2) ||
      mid.getDimSize(4) != in.getDimSize(3))
    return false;
  auto transpose = dyn_cast<TransposeOp>(*first->getUsers().begin());
  if (!transpose || transpose.getPerm() != ArrayRef<int64_t>{0, 2, 1, 3, 4} ||
      !transpose->hasOneUse())
    return false;
  auto merge = dyn_cast<ReshapeOp>(*transpose->getUsers().begin());
  if (!merge || merge.getType() != in)
    return false;
  int64_t per = c / g;
  for (int64_t j = 0; j < g; ++j)
    for (int64_t i = 0; i < per; ++i) {
      unite(node(first.getInput(), j * per + i),
            node(merge.getResult(), i * g + j));
      // Every shuffle group keeps the same indices i.
      unite(node(first.getInput(), j * per + i), node(first.getInput(), i));
    }
  shuffles.push_back({first, merge, g});
  shuffleParts.insert(transpose);
  shuffleParts.insert(merge);
  return true;
}

void Analysis::analyze(Operation &op) {
  auto pinAll = [&] {
    for (Value v : op.getOperands())
      pin(v);
    for (Value v : op.getResults())
      pin(v);
  };
  if (isa<ConstantOp>(op) || shuffleParts.contains(&op))
    return;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    auto groups = static_cast<int64_t>(conv.getGroups());
    auto weight = cast<RankedTensorType>(conv.getWeight().getType());
    bool constant =
        getConstantWeights(conv.getWeight(), conv.getBias()).has_value();
    if (!constant || !hasChannels(conv.getInput()) ||
        !hasChannels(conv.getResult()))
      return pinAll();
    int64_t in = channelsOf(conv.getInput());
    if (groups == 1) {
      consumers.emplace_back(&op, conv.getInput(), 1);
      producers.emplace_back(&op, conv.getResult());
      for (int64_t c = 0; c < channelsOf(conv.getResult()); ++c)
        node(conv.getResult(), c);
      for (int64_t c = 0; c < in; ++c)
        node(conv.getInput(), c);
    } else if (groups == in && weight.getDimSize(0) == in) {
      uniteAll(conv.getInput(), conv.getResult());
      channelOps.emplace_back(&op, conv.getResult());
    } else {
      return pinAll();
    }
    if (options.skipped && options.skipped(&op))
      pin(conv.getResult());
    return;
  }
  if (auto linear = dyn_cast<LinearOp>(op)) {
    if (!getConstantWeights(linear.getWeight(), linear.getBias()) ||
        !hasChannels(linear.getResult()))
      return pinAll();
    Value input = linear.getInput();
    auto flatten = input.getDefiningOp<FlattenOp>();
    if (flatten && flattenBlocks.count(flatten)) {
      consumers.emplace_back(&op, flatten.getInput(), flattenBlocks[flatten]);
    } else if (hasChannels(input)) {
      consumers.emplace_back(&op, input, 1);
      node(input, 0);
    } else {
      pin(input);
    }
    producers.emplace_back(&op, linear.getResult());
    node(linear.getResult(), 0);
    if (options.skipped && options.skipped(&op))
      pin(linear.getResult());
    return;
  }
  if (auto flatten = dyn_cast<FlattenOp>(op)) {
    auto in = cast<RankedTensorType>(flatten.getInput().getType());
    bool onlyLinear = llvm::all_of(flatten->getUses(), [](OpOperand &use) {
      return isa<LinearOp>(use.getOwner()) && use.getOperandNumber() == 0;
    });
    if (in.getRank() == 4 && flatten.getAxis() == 1 && onlyLinear &&
        hasChannels(flatten.getInput()) && !in.isDynamicDim(2) &&
        !in.isDynamicDim(3)) {
      flattenBlocks[&op] = in.getDimSize(2) * in.getDimSize(3);
      node(flatten.getInput(), 0);
      return;
    }
    return pinAll();
  }
  if (auto bn = dyn_cast<BatchNormOp>(op)) {
    if (!hasChannels(bn.getInput()) || !channelsFirst(bn.getInput()))
      return pinAll();
    uniteAll(bn.getInput(), bn.getResult());
    channelOps.emplace_back(&op, bn.getResult());
    return;
  }
  if (isElementwiseActivation(&op) || isChannelwiseSpatial(&op)) {
    uniteAll(op.getOperand(0), op.getResult(0));
    return;
  }
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    if (llvm::all_of(concat.getInputs(), hasChannels) &&
        hasChannels(concat.getResult()) &&
        isChannelAxis(concat.getResult(),
                      static_cast<int64_t>(concat.getAxis()))) {
      int64_t offset = 0;
      for (Value input : concat.getInputs()) {
        for (int64_t c = 0; c < channelsOf(input); ++c)
          unite(node(input, c), node(concat.getResult(), offset + c));
        offset += channelsOf(input);
      }
      return;
    }
    return pinAll();
  }
  if (auto slice = dyn_cast<SliceOp>(op)) {
    if (slice.getAxes().size() == 1 &&
        slice.getSteps() == ArrayRef<int64_t>{1} &&
        hasChannels(slice.getInput()) && hasChannels(slice.getResult()) &&
        isChannelAxis(slice.getInput(), slice.getAxes()[0])) {
      int64_t start = slice.getStarts()[0];
      for (int64_t c = 0; c < channelsOf(slice.getResult()); ++c)
        unite(node(slice.getResult(), c), node(slice.getInput(), start + c));
      slices.push_back(slice);
      return;
    }
    return pinAll();
  }
  if (auto split = dyn_cast<SplitOp>(op)) {
    if (hasChannels(split.getInput()) &&
        llvm::all_of(split.getResults(), hasChannels) &&
        isChannelAxis(split.getInput(),
                      static_cast<int64_t>(split.getAxis()))) {
      int64_t offset = 0;
      for (Value out : split.getResults()) {
        for (int64_t c = 0; c < channelsOf(out); ++c)
          unite(node(out, c), node(split.getInput(), offset + c));
        offset += channelsOf(out);
      }
      splits.push_back(split);
      return;
    }
    return pinAll();
  }
  if (auto reshape = dyn_cast<ReshapeOp>(op))
    if (matchShuffle(reshape))
      return;
  if (isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp>(op)) {
    Value lhs = op.getOperand(0), rhs = op.getOperand(1), out = op.getResult(0);
    auto scalar = [](Value v) {
      return v.getDefiningOp<ConstantOp>() &&
             cast<ShapedType>(v.getType()).getNumElements() == 1;
    };
    if (lhs.getType() == out.getType() && rhs.getType() == out.getType() &&
        !lhs.getDefiningOp<ConstantOp>() && !rhs.getDefiningOp<ConstantOp>()) {
      uniteAll(lhs, out);
      uniteAll(rhs, out);
    } else if (lhs.getType() == out.getType() && scalar(rhs)) {
      uniteAll(lhs, out);
    } else if (rhs.getType() == out.getType() && scalar(lhs)) {
      uniteAll(rhs, out);
    } else {
      pinAll();
    }
    return;
  }
  pinAll();
}

void Analysis::run(func::FuncOp func) {
  for (BlockArgument arg : func.getArguments())
    pin(arg);
  for (Operation &op : func.front())
    analyze(op);
}

std::vector<float> mlir::dlc::keepRowsAndColumns(ArrayRef<float> values,
                                                 int64_t cols, int64_t inner,
                                                 ArrayRef<int64_t> keepRows,
                                                 ArrayRef<int64_t> keepCols) {
  std::vector<float> out;
  out.reserve(keepRows.size() * keepCols.size() * inner);
  for (int64_t r : keepRows)
    for (int64_t c : keepCols)
      for (int64_t i = 0; i < inner; ++i)
        out.push_back(values[(r * cols + c) * inner + i]);
  return out;
}

static std::vector<int64_t> allIndices(int64_t n) {
  std::vector<int64_t> indices(n);
  std::iota(indices.begin(), indices.end(), 0);
  return indices;
}

/// Rebuilds the weight (and bias) of a conv or linear layer after `cut`.
static void applyCut(Operation *op, const Cut &cut) {
  OpBuilder builder(op);
  Value weight = op->getOperand(1);
  Value bias = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
  std::optional<ConstantWeights> data = getConstantWeights(weight, bias);
  auto type = cast<RankedTensorType>(weight.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t rows = shape[0];
  int64_t block = cut.columnBlock;
  int64_t cols = shape[1] / block;
  int64_t inner = type.getNumElements() / (rows * cols);
  std::vector<int64_t> keepRows = cut.rows ? *cut.rows : allIndices(rows);
  std::vector<int64_t> keepCols = cut.columns ? *cut.columns : allIndices(cols);
  std::vector<float> values =
      keepRowsAndColumns(data->weight, cols, inner, keepRows, keepCols);
  shape[0] = static_cast<int64_t>(keepRows.size());
  shape[1] = static_cast<int64_t>(keepCols.size()) * block;
  op->setOperand(1, createConstantF32(builder, weight.getLoc(), shape, values,
                                      "pruned_weight", type.getElementType()));
  if (bias && cut.rows) {
    std::vector<float> b;
    for (int64_t r : keepRows)
      b.push_back((*data->bias)[r]);
    op->setOperand(2, createConstantF32(
                          builder, bias.getLoc(),
                          {static_cast<int64_t>(b.size())}, b, "pruned_bias",
                          cast<ShapedType>(bias.getType()).getElementType()));
  }
}

/// Keeps `keep` of a batch norm's per-channel operands or a depthwise conv's
/// filters (and its groups).
static void applyChannelCut(Operation *op, ArrayRef<int64_t> keep) {
  OpBuilder builder(op);
  auto keepOperand = [&](unsigned index) {
    Value v = op->getOperand(index);
    std::optional<std::vector<float>> values = getConstantF32(v);
    if (!values)
      return;
    auto type = cast<RankedTensorType>(v.getType());
    int64_t per = type.getNumElements() / type.getDimSize(0);
    std::vector<float> kept;
    for (int64_t c : keep)
      kept.insert(kept.end(), values->begin() + c * per,
                  values->begin() + (c + 1) * per);
    SmallVector<int64_t> shape(type.getShape());
    shape[0] = static_cast<int64_t>(keep.size());
    op->setOperand(index,
                   createConstantF32(builder, v.getLoc(), shape, kept,
                                     "pruned_channels", type.getElementType()));
  };
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    keepOperand(1);
    if (conv.getBias())
      keepOperand(2);
    conv.setGroups(static_cast<int64_t>(keep.size()));
    return;
  }
  for (unsigned i = 1; i < op->getNumOperands(); ++i)
    keepOperand(i);
}

FailureOr<ChannelPruneSummary>
mlir::dlc::pruneChannels(func::FuncOp func,
                         const ChannelPruneOptions &options) {
  Analysis a(options);
  a.run(func);
  int64_t nodes = static_cast<int64_t>(a.parent.size());
  std::vector<int64_t> classOf(nodes);
  for (int64_t n = 0; n < nodes; ++n)
    classOf[n] = a.find(n);

  // Pinned classes; class scores from their producers' filters.
  std::vector<char> pinned(nodes, 0);
  for (Value v : a.pinnedValues)
    for (int64_t c = 0; c < Analysis::channelsOf(v); ++c)
      pinned[classOf[a.node(v, c)]] = 1;
  std::vector<double> score(nodes, 0.0);
  std::vector<char> produced(nodes, 0);
  for (auto [op, value] : a.producers) {
    std::optional<ConstantWeights> data =
        getConstantWeights(op->getOperand(1), Value());
    int64_t channels = Analysis::channelsOf(value);
    int64_t per = static_cast<int64_t>(data->weight.size()) / channels;
    std::vector<double> norms(channels, 0.0);
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = c * per; i < (c + 1) * per; ++i) {
        double w = data->weight[i];
        norms[c] += options.score == ChannelScore::L2 ? w * w : std::fabs(w);
      }
    double mean = std::accumulate(norms.begin(), norms.end(), 0.0) /
                  static_cast<double>(channels);
    for (int64_t c = 0; c < channels; ++c) {
      int64_t k = classOf[a.node(value, c)];
      produced[k] = 1;
      if (options.score != ChannelScore::BNGamma)
        score[k] += mean > 0.0 ? norms[c] / mean : 0.0;
    }
  }
  if (options.score == ChannelScore::BNGamma) {
    for (auto [op, value] : a.channelOps)
      if (auto bn = dyn_cast<BatchNormOp>(op))
        if (auto gamma = getConstantF32(bn.getScale()))
          for (int64_t c = 0; c < Analysis::channelsOf(value); ++c)
            score[classOf[a.node(value, c)]] += std::fabs((*gamma)[c]);
  }

  // Components: tensors tied by any channel relation. Within each, the
  // prunable classes (produced by a layer, not pinned) lose `sparsity` of
  // their number, lowest scores first.
  std::vector<int64_t> component(nodes);
  std::iota(component.begin(), component.end(), 0);
  std::function<int64_t(int64_t)> root = [&](int64_t x) {
    while (component[x] != x)
      x = component[x] = component[component[x]];
    return x;
  };
  for (Value v : a.values) {
    int64_t first = a.node(v, 0);
    for (int64_t c = 0; c < Analysis::channelsOf(v); ++c) {
      int64_t x = root(classOf[a.node(v, c)]), y = root(classOf[first]);
      if (x != y)
        component[x] = y;
    }
  }
  llvm::MapVector<int64_t, SmallVector<int64_t>> classesOf;
  for (int64_t n = 0; n < nodes; ++n)
    if (classOf[n] == n && produced[n] && !pinned[n])
      classesOf[root(n)].push_back(n);
  DenseMap<int64_t, Operation *> firstProducer;
  for (auto [op, value] : a.producers)
    firstProducer.try_emplace(root(classOf[a.node(value, 0)]), op);
  std::vector<char> dropped(nodes, 0);
  ChannelPruneSummary summary;
  for (auto &[comp, classes] : classesOf) {
    size_t index = summary.componentProducers.size();
    double fraction = index < options.componentSparsity.size()
                          ? options.componentSparsity[index]
                          : options.sparsity;
    summary.componentProducers.push_back(firstProducer.lookup(comp));
    ++summary.groups;
    auto total = static_cast<int64_t>(classes.size());
    summary.channelsBefore += total;
    int64_t keep =
        total -
        static_cast<int64_t>(std::floor(fraction * static_cast<double>(total)));
    int64_t align = std::max<int64_t>(options.align, 1);
    keep = std::clamp((keep + align - 1) / align * align,
                      std::min(options.minChannels, total), total);
    summary.channelsAfter += keep;
    summary.componentChannels.emplace_back(total, keep);
    DLC_DEBUG(llvm::errs() << "channel component of " << total
                           << " prunable channels: keeping " << keep << "\n");
    if (keep == total)
      continue;
    ++summary.prunedGroups;
    llvm::sort(classes, [&](int64_t x, int64_t y) {
      return score[x] < score[y] || (score[x] == score[y] && x < y);
    });
    for (int64_t i = 0; i < total - keep; ++i)
      dropped[classes[i]] = 1;
  }

  // The channels each tensor keeps.
  auto keptOf = [&](Value v) {
    std::vector<int64_t> keep;
    for (int64_t c = 0; c < Analysis::channelsOf(v); ++c)
      if (!dropped[classOf[a.node(v, c)]])
        keep.push_back(c);
    return keep;
  };
  DenseMap<Operation *, Cut> cuts;
  for (auto [op, value] : a.producers) {
    std::vector<int64_t> keep = keptOf(value);
    if (static_cast<int64_t>(keep.size()) != Analysis::channelsOf(value))
      cuts[op].rows = keep;
  }
  for (auto [op, value, block] : a.consumers) {
    std::vector<int64_t> keep = keptOf(value);
    if (static_cast<int64_t>(keep.size()) != Analysis::channelsOf(value)) {
      cuts[op].columns = keep;
      cuts[op].columnBlock = block;
    }
  }
  SmallVector<std::pair<Operation *, std::vector<int64_t>>> channelCuts;
  for (auto [op, value] : a.channelOps) {
    std::vector<int64_t> keep = keptOf(value);
    if (static_cast<int64_t>(keep.size()) != Analysis::channelsOf(value))
      channelCuts.emplace_back(op, keep);
  }
  // Slices, splits and shuffles get the sizes of what they now carry
  // (computed before any type changes).
  auto keptBelow = [&](Value v, int64_t limit) {
    std::vector<int64_t> keep = keptOf(v);
    return static_cast<int64_t>(
        llvm::count_if(keep, [&](int64_t c) { return c < limit; }));
  };
  SmallVector<std::pair<SliceOp, std::pair<int64_t, int64_t>>> newSlices;
  for (SliceOp slice : a.slices)
    newSlices.push_back(
        {slice,
         {keptBelow(slice.getInput(), slice.getStarts()[0]),
          keptBelow(slice.getInput(),
                    std::min(slice.getEnds()[0],
                             Analysis::channelsOf(slice.getInput())))}});
  SmallVector<std::pair<SplitOp, SmallVector<int64_t>>> newSplits;
  for (SplitOp split : a.splits) {
    SmallVector<int64_t> sizes;
    for (Value out : split.getResults())
      sizes.push_back(static_cast<int64_t>(keptOf(out).size()));
    newSplits.push_back({split, sizes});
  }
  SmallVector<std::tuple<Shuffle, int64_t>> newShuffles;
  for (Shuffle shuffle : a.shuffles) {
    auto kept = static_cast<int64_t>(keptOf(shuffle.split.getInput()).size());
    if (kept % shuffle.groups != 0)
      return shuffle.split.emitOpError(
          "dlc-prune: a channel shuffle would get unequal groups");
    newShuffles.emplace_back(shuffle, kept);
  }

  for (auto &[op, cut] : cuts)
    applyCut(op, cut);
  for (auto &[op, keep] : channelCuts)
    applyChannelCut(op, keep);
  for (auto &[slice, range] : newSlices) {
    slice.setStarts(ArrayRef<int64_t>{range.first});
    slice.setEnds(ArrayRef<int64_t>{range.second});
  }
  for (auto &[split, sizes] : newSplits)
    split.setSizes(sizes);
  for (auto &[shuffle, kept] : newShuffles) {
    SmallVector<int64_t> first(shuffle.split.getShape());
    first[2] = kept / shuffle.groups;
    shuffle.split.setShape(first);
    SmallVector<int64_t> last(shuffle.merge.getShape());
    if (last[1] != -1)
      last[1] = kept;
    shuffle.merge.setShape(last);
  }
  eraseUnusedConstants(func.front());
  if (failed(inferFunctionShapes(func, 0)))
    return failure();
  return summary;
}
