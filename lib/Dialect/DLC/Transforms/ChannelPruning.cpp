//===- ChannelPruning.cpp - structured channel pruning --------------------===//
//
// The analysis unions tensors (rank 4 NCHW or rank 2 N x F) whose channel
// dimension must stay equal: the input and output of channel-wise ops
// (batch norm, activations, pooling, depthwise convs) and the operands and
// result of a residual add. A group's channels are produced by the convs
// and linear layers that write its tensors and read by the convs and
// linear layers (possibly behind a flatten) that take them as input. A group
// touching a function argument or result, or an op the analysis does not
// model (concat, reshape, transpose, grouped convs, quantized ops, ...), is
// pinned: its channels stay.
//
//===----------------------------------------------------------------------===//

#include "ChannelPruning.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "llvm/ADT/MapVector.h"
#include <cmath>
#include <functional>
#include <numeric>

using namespace mlir;
using namespace mlir::dlc;

namespace {
/// A layer's channels to keep: rows (output channels) and columns (input
/// channels, each `columnBlock` consecutive input features wide).
struct Cut {
  std::optional<std::vector<int64_t>> rows, columns;
  int64_t columnBlock = 1;
};

struct Group {
  bool pinned = false;
  int64_t channels = -1;
  /// For the output of a channel concat: the groups of its inputs, in
  /// order. Its channels are theirs, so it is not pruned by itself: it
  /// keeps what its parts keep.
  SmallVector<Value> parts;
  SmallVector<Operation *> producers; // conv / linear outputs
  SmallVector<std::pair<Operation *, int64_t>> consumers; // op, feature block
  SmallVector<Operation *> channelOps;                    // BN, depthwise conv
};

class Analysis {
public:
  explicit Analysis(const ChannelPruneOptions &options) : options(options) {}

  void run(func::FuncOp func);
  llvm::MapVector<Value, Group> groups();

private:
  /// Whether `v` is a tensor with a channel dimension (rank 2 or 4).
  static bool hasChannels(Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && (type.getRank() == 2 || type.getRank() == 4) &&
           !type.isDynamicDim(1) && type.getElementType().isF32();
  }
  Value find(Value v) {
    auto it = parent.find(v);
    if (it == parent.end()) {
      parent[v] = v;
      return v;
    }
    if (it->second == v)
      return v;
    Value root = find(it->second);
    parent[v] = root;
    return root;
  }
  void unite(Value a, Value b) {
    if (!hasChannels(a) || !hasChannels(b)) {
      pin(a);
      pin(b);
      return;
    }
    Value ra = find(a), rb = find(b);
    if (ra != rb)
      parent[ra] = rb;
  }
  void pin(Value v) {
    if (isa<RankedTensorType>(v.getType()))
      pinned.push_back(v);
  }
  void analyze(Operation &op);

  const ChannelPruneOptions &options;
  DenseMap<Value, Value> parent;
  SmallVector<Value> pinned;
  SmallVector<std::pair<Operation *, Value>> producers;
  SmallVector<std::tuple<Operation *, Value, int64_t>> consumers;
  SmallVector<std::pair<Operation *, Value>> channelOps;
  SmallVector<ConcatOp> concats;
  DenseMap<Operation *, int64_t> flattenBlocks; // flatten -> H*W

public:
  Value rootOf(Value v) { return find(v); }
};
} // namespace

void Analysis::analyze(Operation &op) {
  auto pinAll = [&] {
    for (Value v : op.getOperands())
      pin(v);
    for (Value v : op.getResults())
      pin(v);
  };
  if (isa<ConstantOp>(op))
    return;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    auto groups = static_cast<int64_t>(conv.getGroups());
    auto weight = cast<RankedTensorType>(conv.getWeight().getType());
    int64_t in =
        cast<RankedTensorType>(conv.getInput().getType()).getDimSize(1);
    bool constant =
        getConstantWeights(conv.getWeight(), conv.getBias()).has_value();
    if (!constant || !hasChannels(conv.getInput()))
      return pinAll();
    if (groups == 1) {
      consumers.emplace_back(&op, conv.getInput(), 1);
      producers.emplace_back(&op, conv.getResult());
    } else if (groups == in && weight.getDimSize(0) == in) {
      unite(conv.getInput(), conv.getResult());
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
    if (flatten && flattenBlocks.count(flatten))
      consumers.emplace_back(&op, flatten.getInput(), flattenBlocks[flatten]);
    else if (hasChannels(input))
      consumers.emplace_back(&op, input, 1);
    else
      pin(input);
    producers.emplace_back(&op, linear.getResult());
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
      return;
    }
    return pinAll();
  }
  if (auto bn = dyn_cast<BatchNormOp>(op)) {
    unite(bn.getInput(), bn.getResult());
    channelOps.emplace_back(&op, bn.getResult());
    return;
  }
  if (isa<ReluOp, ClipOp, SigmoidOp, HardSwishOp, GeluOp, MaxPool2DOp,
          AvgPool2DOp, GlobalAvgPoolOp>(op)) {
    unite(op.getOperand(0), op.getResult(0));
    return;
  }
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    int64_t rank = cast<RankedTensorType>(concat.getType()).getRank();
    auto axis = static_cast<int64_t>(concat.getAxis());
    if ((axis == 1 || axis == 1 - rank) &&
        llvm::all_of(concat.getInputs(), hasChannels) &&
        hasChannels(concat.getResult())) {
      concats.push_back(concat);
      return;
    }
    return pinAll();
  }
  if (isa<AddOp, SubOp, MulOp, DivOp>(op)) {
    Value lhs = op.getOperand(0), rhs = op.getOperand(1), out = op.getResult(0);
    auto scalar = [](Value v) {
      return v.getDefiningOp<ConstantOp>() &&
             cast<ShapedType>(v.getType()).getNumElements() == 1;
    };
    if (lhs.getType() == out.getType() && rhs.getType() == out.getType() &&
        !lhs.getDefiningOp<ConstantOp>() && !rhs.getDefiningOp<ConstantOp>()) {
      unite(lhs, out);
      unite(rhs, out);
    } else if (lhs.getType() == out.getType() && scalar(rhs)) {
      unite(lhs, out);
    } else if (rhs.getType() == out.getType() && scalar(lhs)) {
      unite(rhs, out);
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

llvm::MapVector<Value, Group> Analysis::groups() {
  llvm::MapVector<Value, Group> result;
  auto groupOf = [&](Value v) -> Group & {
    Group &g = result[find(v)];
    if (g.channels < 0)
      g.channels = cast<RankedTensorType>(v.getType()).getDimSize(1);
    return g;
  };
  for (auto [op, value] : producers)
    groupOf(value).producers.push_back(op);
  for (auto [op, value, block] : consumers)
    groupOf(value).consumers.emplace_back(op, block);
  for (auto [op, value] : channelOps)
    groupOf(value).channelOps.push_back(op);
  for (Value v : pinned)
    if (hasChannels(v))
      groupOf(v).pinned = true;
  for (ConcatOp concat : concats) {
    Group &derived = groupOf(concat.getResult());
    for (Value input : concat.getInputs()) {
      groupOf(input); // every part has an entry
      result[find(concat.getResult())].parts.push_back(find(input));
    }
    (void)derived;
  }
  // A concatenation whose channels also come from elsewhere (a producer, a
  // second concat, an add with another tensor) or that is pinned pins its
  // parts: to a fixpoint, as parts may be concatenations themselves.
  for (bool changed = true; changed;) {
    changed = false;
    for (auto &[root, group] : result) {
      if (group.parts.empty())
        continue;
      int64_t sum = 0;
      for (Value part : group.parts)
        sum += result[part].channels;
      bool whole =
          group.pinned || !group.producers.empty() || sum != group.channels;
      for (Value part : group.parts)
        if (whole && !result[part].pinned) {
          result[part].pinned = true;
          changed = true;
        }
      if (whole && !group.pinned) {
        group.pinned = true;
        changed = true;
      }
    }
  }
  return result;
}

/// Per-channel importance of a group: filter norms of its producers (each
/// producer's norms divided by their mean, so layers count alike), or the
/// |gamma| of its batch norms.
static std::vector<double> scoreGroup(const Group &group, ChannelScore score) {
  std::vector<double> scores(group.channels, 0.0);
  if (score == ChannelScore::BNGamma) {
    bool any = false;
    for (Operation *op : group.channelOps)
      if (auto bn = dyn_cast<BatchNormOp>(op))
        if (auto gamma = getConstantF32(bn.getScale())) {
          any = true;
          for (int64_t c = 0; c < group.channels; ++c)
            scores[c] += std::fabs((*gamma)[c]);
        }
    if (any)
      return scores;
  }
  for (Operation *op : group.producers) {
    std::optional<ConstantWeights> data =
        getConstantWeights(op->getOperand(1), Value());
    int64_t per = static_cast<int64_t>(data->weight.size()) / group.channels;
    std::vector<double> norms(group.channels, 0.0);
    for (int64_t c = 0; c < group.channels; ++c)
      for (int64_t i = c * per; i < (c + 1) * per; ++i) {
        double w = data->weight[i];
        norms[c] += score == ChannelScore::L2 ? w * w : std::fabs(w);
      }
    double mean = std::accumulate(norms.begin(), norms.end(), 0.0) /
                  static_cast<double>(group.channels);
    for (int64_t c = 0; c < group.channels; ++c)
      scores[c] += mean > 0.0 ? norms[c] / mean : 0.0;
  }
  return scores;
}

/// `values` of a tensor laid out [rows, cols * block, inner...], with the
/// given rows and column channels kept.
static std::vector<float> slice(ArrayRef<float> values, int64_t rows,
                                int64_t cols, int64_t inner,
                                ArrayRef<int64_t> keepRows,
                                ArrayRef<int64_t> keepCols) {
  std::vector<float> out;
  out.reserve(keepRows.size() * keepCols.size() * inner);
  for (int64_t r : keepRows)
    for (int64_t c : keepCols)
      for (int64_t i = 0; i < inner; ++i)
        out.push_back(values[(r * cols + c) * inner + i]);
  (void)rows;
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
      slice(data->weight, rows, cols, inner, keepRows, keepCols);
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
  Analysis analysis(options);
  analysis.run(func);
  llvm::MapVector<Value, Group> groups = analysis.groups();
  ChannelPruneSummary summary;
  DenseMap<Operation *, Cut> cuts;
  SmallVector<std::pair<Operation *, std::vector<int64_t>>> channelCuts;
  DenseMap<Value, std::vector<int64_t>> kept; // group -> its kept channels
  for (auto &[root, group] : groups) {
    if (group.producers.empty() || !group.parts.empty())
      continue;
    ++summary.groups;
    summary.channelsBefore += group.channels;
    int64_t keepCount = group.channels;
    if (!group.pinned) {
      auto removed = static_cast<int64_t>(
          std::floor(options.sparsity * static_cast<double>(group.channels)));
      keepCount = group.channels - removed;
      int64_t align = std::max<int64_t>(options.align, 1);
      keepCount = (keepCount + align - 1) / align * align;
      keepCount =
          std::clamp(keepCount, std::min(options.minChannels, group.channels),
                     group.channels);
    }
    summary.channelsAfter += keepCount;
    if (keepCount == group.channels) {
      kept[root] = allIndices(group.channels);
      continue;
    }
    ++summary.prunedGroups;
    std::vector<double> scores = scoreGroup(group, options.score);
    std::vector<int64_t> order = allIndices(group.channels);
    llvm::sort(order, [&](int64_t a, int64_t b) {
      return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
    });
    std::vector<int64_t> keep(order.begin(), order.begin() + keepCount);
    llvm::sort(keep);
    kept[root] = keep;
    for (Operation *op : group.producers)
      cuts[op].rows = keep;
    for (auto [op, block] : group.consumers) {
      cuts[op].columns = keep;
      cuts[op].columnBlock = block;
    }
    for (Operation *op : group.channelOps)
      channelCuts.emplace_back(op, keep);
  }
  // Concatenations keep their parts' channels, shifted by each part's
  // offset; their consumers and channel-wise ops follow.
  std::function<std::vector<int64_t>(Value)> keptOf =
      [&](Value root) -> std::vector<int64_t> {
    auto it = kept.find(root);
    if (it != kept.end())
      return it->second;
    Group &group = groups[root];
    std::vector<int64_t> keep;
    if (group.parts.empty()) {
      keep = allIndices(group.channels);
    } else {
      int64_t offset = 0;
      for (Value part : group.parts) {
        for (int64_t c : keptOf(part))
          keep.push_back(offset + c);
        offset += groups[part].channels;
      }
    }
    kept[root] = keep;
    return keep;
  };
  for (auto &[root, group] : groups) {
    if (group.parts.empty() || group.pinned)
      continue;
    std::vector<int64_t> keep = keptOf(root);
    if (static_cast<int64_t>(keep.size()) == group.channels)
      continue;
    for (auto [op, block] : group.consumers) {
      cuts[op].columns = keep;
      cuts[op].columnBlock = block;
    }
    for (Operation *op : group.channelOps)
      channelCuts.emplace_back(op, keep);
  }
  for (auto &[op, cut] : cuts)
    applyCut(op, cut);
  for (auto &[op, keep] : channelCuts)
    applyChannelCut(op, keep);
  // Weights nothing reads any more.
  for (Operation &op :
       llvm::make_early_inc_range(llvm::reverse(func.front().getOperations())))
    if (isa<ConstantOp>(op) && op.use_empty())
      op.erase();
  if (failed(inferFunctionShapes(func, 0)))
    return failure();
  return summary;
}
