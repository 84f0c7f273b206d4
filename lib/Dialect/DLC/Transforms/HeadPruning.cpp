//===- HeadPruning.cpp - attention head pruning ---------------------------===//
//
// An attention block, as ONNX exporters write it: linear projections whose
// features a reshape splits into (parts, heads, features per head) (one
// fused query-key-value projection with 3 parts, or one projection per
// part), transposes, splits and reshapes that move the heads to a batch
// axis, the two matrix products with a scale and a softmax between them,
// a transpose and a reshape that merge the heads back into features, and
// the output projection (torch.nn.MultiheadAttention slices its fused
// projection's features into query, key and value before splitting their
// heads). Walking back from a reshape that merges its last
// two axes into an output projection's input, the analysis tracks the head
// axis through every op on the way (transpose: the permuted axis; reshape:
// an axis that keeps the head dimension whole; matmul, softmax and
// elementwise ops: a batch axis) to the reshapes that split projections.
// The block is prunable when every op on the way is one of these, every
// value on the way is read only by ops on the way, and each projection
// feeds only its split. Removing head h then removes its rows of every
// projection (and bias), its columns of the output projection, and one
// entry of the head axis of every reshape on the way; the output equals
// the original block's with the output projection's columns of h zeroed.
//
//===----------------------------------------------------------------------===//

#include "HeadPruning.h"
#include "ChannelPruning.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "dlc/Runtime/Tensor.h"
#include "llvm/ADT/SetVector.h"
#include <array>
#include <cmath>
#include <numeric>

using namespace mlir;
using namespace mlir::dlc;

namespace {
/// A projection whose output features are (outer, heads, inner), row-major.
struct Projection {
  LinearOp linear;
  int64_t outer = 1, inner = 1;
};

struct AttentionBlock {
  int64_t heads = 0, headDim = 0;
  ReshapeOp merge;
  LinearOp output;
  SmallVector<Projection> projections;
  /// Reshapes whose result has the head axis, and that axis.
  SmallVector<std::pair<ReshapeOp, int64_t>> reshapes;
  /// Equal parts of a projection's features sliced apart before their
  /// heads are split (torch.nn.MultiheadAttention's query, key and value),
  /// and the part size.
  std::vector<std::pair<SliceOp, int64_t>> parts;
  /// Constant operands with one entry per head along an axis: the op,
  /// the operand's position and the axis.
  struct PerHeadConstant {
    Operation *user;
    unsigned operand;
    int64_t axis;
  };
  std::vector<PerHeadConstant> perHead;
};

/// The number of elements of `dims`: the product of the static ones and
/// how many are dynamic (a dynamic batch), compared as a pair.
static std::pair<int64_t, int64_t> extent(ArrayRef<int64_t> dims) {
  std::pair<int64_t, int64_t> e{1, 0};
  for (int64_t d : dims)
    ShapedType::isDynamic(d) ? ++e.second : e.first *= d;
  return e;
}

/// The product of `dims` if they are all static.
static std::optional<int64_t> product(ArrayRef<int64_t> dims) {
  auto [known, dynamic] = extent(dims);
  if (dynamic)
    return std::nullopt;
  return known;
}

static std::optional<ArrayRef<int64_t>> shapeOf(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type)
    return std::nullopt;
  return type.getShape();
}

/// Follows one block back from its output projection.
class BlockFinder {
public:
  /// The block whose output projection is `output`, if `output` reads
  /// merged heads and the block can be followed; otherwise `whyNot` says
  /// why (empty when what `output` reads is no attention: the walk met no
  /// matrix product of activations).
  std::optional<AttentionBlock> find(LinearOp output);
  std::string whyNot;
  std::optional<Location> whyNotAt;

private:
  bool visit(Value v, int64_t axis);
  bool visitReshape(ReshapeOp reshape, int64_t axis);
  /// How many equal parts of `size` features the users of `linear` slice
  /// its features into (each exactly once, in unit steps along the last
  /// axis), if they do.
  std::optional<int64_t> equalParts(LinearOp linear, int64_t size);
  /// Whether `operand` of an op whose result has the head axis at `axis`
  /// (of `rank`) has it too (numpy broadcasting aligns trailing axes).
  std::optional<int64_t> alignedAxis(Value operand, int64_t axis,
                                     int64_t rank) const;
  /// Records the first reason the walk stops; false.
  bool fail(Operation *op, const Twine &why) {
    if (whyNot.empty()) {
      whyNot = ("'" + op->getName().getStringRef() + "' " + why).str();
      whyNotAt = op->getLoc();
    }
    return false;
  }

  AttentionBlock block;
  bool sawMatMul = false;
  DenseMap<Value, int64_t> axes;
  llvm::SetVector<Operation *> ops;
};
} // namespace

std::optional<int64_t> BlockFinder::alignedAxis(Value operand, int64_t axis,
                                                int64_t rank) const {
  std::optional<ArrayRef<int64_t>> shape = shapeOf(operand);
  if (!shape)
    return std::nullopt;
  int64_t at = axis - (rank - static_cast<int64_t>(shape->size()));
  if (at < 0 || (*shape)[at] != block.heads)
    return std::nullopt;
  return at;
}

bool BlockFinder::visit(Value v, int64_t axis) {
  auto [it, inserted] = axes.try_emplace(v, axis);
  Operation *def = v.getDefiningOp();
  if (!def)
    return fail(v.getParentBlock()->getParentOp(),
                "passes the heads in as an argument");
  if (!inserted)
    return it->second == axis ||
           fail(def, "has the heads on two different axes");
  std::optional<ArrayRef<int64_t>> shape = shapeOf(v);
  if (!shape)
    return fail(def, "has an unranked result");
  ops.insert(def);
  auto rank = static_cast<int64_t>(shape->size());
  if (auto transpose = dyn_cast<TransposeOp>(def))
    return visit(transpose.getInput(), transpose.getPerm()[axis]);
  if (auto reshape = dyn_cast<ReshapeOp>(def))
    return visitReshape(reshape, axis);
  if (auto split = dyn_cast<SplitOp>(def)) {
    int64_t splitAxis = static_cast<int64_t>(split.getAxis());
    if ((splitAxis < 0 ? splitAxis + rank : splitAxis) == axis)
      return fail(def, "splits the heads");
    return visit(split.getInput(), axis);
  }
  if (auto slice = dyn_cast<SliceOp>(def)) {
    // Taking one of query, key and value (PyTorch's `qkv[0]`).
    for (int64_t a : slice.getAxes())
      if ((a < 0 ? a + rank : a) == axis)
        return fail(def, "slices the heads");
    return visit(slice.getInput(), axis);
  }
  if (auto softmax = dyn_cast<SoftmaxOp>(def)) {
    int64_t along = softmax.getAxis();
    if ((along < 0 ? along + rank : along) == axis)
      return fail(def, "normalizes across the heads");
    return visit(softmax.getInput(), axis);
  }
  sawMatMul |= isa<MatMulOp>(def);
  if (isa<MatMulOp>(def) && axis >= rank - 2)
    return fail(def, "multiplies along the heads (they must be a batch axis)");
  if (isa<MatMulOp, AddOp, SubOp, MulOp, DivOp>(def)) {
    // Operands broadcast along the head axis stay as they are; a constant
    // with one entry per head (Swin's relative position bias) loses the
    // removed heads' entries.
    for (OpOperand &operand : def->getOpOperands()) {
      std::optional<int64_t> at = alignedAxis(operand.get(), axis, rank);
      if (!at)
        continue;
      if (isa<MatMulOp>(def) || !hasConstantF32(operand.get())) {
        if (!visit(operand.get(), *at))
          return false;
        continue;
      }
      block.perHead.push_back({def, operand.getOperandNumber(), *at});
    }
    return true;
  }
  return fail(def, "is on the heads' way, and head pruning does not follow it");
}

bool BlockFinder::visitReshape(ReshapeOp reshape, int64_t axis) {
  std::optional<ArrayRef<int64_t>> in = shapeOf(reshape.getInput());
  if (!in)
    return fail(reshape, "has an unranked input");
  ArrayRef<int64_t> out = *shapeOf(reshape.getResult());
  std::pair<int64_t, int64_t> before = extent(out.take_front(axis));
  std::pair<int64_t, int64_t> after = extent(out.drop_front(axis + 1));
  // The head axis moved whole (unit axes added or dropped, leading axes
  // merged or split).
  for (auto [j, dim] : llvm::enumerate(*in))
    if (dim == block.heads && extent(in->take_front(j)) == before &&
        extent(in->drop_front(j + 1)) == after) {
      block.reshapes.push_back({reshape, axis});
      return visit(reshape.getInput(), static_cast<int64_t>(j));
    }
  // A projection's features split into (outer, heads, inner), or one of
  // its equal parts sliced apart first.
  Value features = reshape.getInput();
  auto part = features.getDefiningOp<SliceOp>();
  if (part)
    features = part.getInput();
  auto linear = features.getDefiningOp<LinearOp>();
  if (!linear)
    return fail(reshape, "splits the heads out of something other than a "
                         "linear projection");
  int64_t parts = 1;
  if (part) {
    std::optional<int64_t> count = equalParts(linear, in->back());
    if (!count)
      return fail(part, "is not one of equal slices of a projection's "
                        "features");
    parts = *count;
    ops.insert(part);
    block.parts.push_back({part, in->back()});
  } else if (!linear->hasOneUse()) {
    return fail(linear, "projects features that are also read elsewhere");
  }
  if (!hasConstantF32(linear.getWeight()) ||
      (linear.getBias() && !hasConstantF32(linear.getBias())))
    return fail(linear, "has no constant float weight and bias");
  std::pair<int64_t, int64_t> rows = extent(in->drop_back());
  std::optional<int64_t> inner = product(out.drop_front(axis + 1));
  for (int64_t k = 0; k <= axis && inner; ++k) {
    std::optional<int64_t> outer = product(out.slice(k, axis - k));
    if (outer && extent(out.take_front(k)) == rows &&
        *outer * block.heads * *inner == in->back()) {
      // The parts of one projection are one projection of parts x outer.
      if (!llvm::any_of(block.projections, [&](const Projection &p) {
            return p.linear == linear;
          }))
        block.projections.push_back({linear, parts * *outer, *inner});
      block.reshapes.push_back({reshape, axis});
      return true;
    }
  }
  return fail(reshape, "mixes the heads with the projection's other axes");
}

std::optional<int64_t> BlockFinder::equalParts(LinearOp linear, int64_t size) {
  std::optional<ArrayRef<int64_t>> shape = shapeOf(linear.getResult());
  if (!shape || size <= 0 || ShapedType::isDynamic(shape->back()) ||
      shape->back() % size != 0)
    return std::nullopt;
  auto rank = static_cast<int64_t>(shape->size());
  int64_t count = shape->back() / size;
  SmallVector<int64_t> starts;
  for (Operation *user : linear->getUsers()) {
    auto slice = dyn_cast<SliceOp>(user);
    if (!slice || slice.getAxes().size() != 1)
      return std::nullopt;
    int64_t axis = slice.getAxes()[0];
    int64_t start = slice.getStarts()[0], end = slice.getEnds()[0];
    bool unitStep = slice.getSteps().empty() || slice.getSteps()[0] == 1;
    if ((axis < 0 ? axis + rank : axis) != rank - 1 || !unitStep ||
        end - start != size || start % size != 0)
      return std::nullopt;
    starts.push_back(start);
  }
  llvm::sort(starts);
  for (auto [i, start] : llvm::enumerate(starts))
    if (start != static_cast<int64_t>(i) * size)
      return std::nullopt;
  if (static_cast<int64_t>(starts.size()) != count)
    return std::nullopt;
  return count;
}

std::optional<AttentionBlock> BlockFinder::find(LinearOp output) {
  auto merge = output.getInput().getDefiningOp<ReshapeOp>();
  if (!merge || !merge->hasOneUse())
    return std::nullopt;
  std::optional<ArrayRef<int64_t>> in = shapeOf(merge.getInput());
  std::optional<ArrayRef<int64_t>> out = shapeOf(merge.getResult());
  if (!in || !out || in->size() < 3)
    return std::nullopt;
  block.heads = (*in)[in->size() - 2];
  block.headDim = in->back();
  if (block.heads < 2 || ShapedType::isDynamic(block.headDim) ||
      out->back() != block.heads * block.headDim ||
      extent(in->drop_back(2)) != extent(out->drop_back()))
    return std::nullopt;
  if (!hasConstantF32(output.getWeight())) {
    fail(output, "has no constant float weight");
    return std::nullopt;
  }
  block.merge = merge;
  block.output = output;
  if (!visit(merge.getInput(), static_cast<int64_t>(in->size()) - 2)) {
    if (!sawMatMul)
      whyNot.clear();
    return std::nullopt;
  }
  if (block.projections.empty()) {
    fail(merge, "merges heads that no projection splits");
    return std::nullopt;
  }
  // Nothing outside the block reads a value with the head axis.
  for (auto &[value, axis] : axes)
    for (Operation *user : value.getUsers())
      if (!ops.contains(user) && user != merge.getOperation()) {
        fail(user, "outside the block reads a value that has the heads");
        return std::nullopt;
      }
  return block;
}

/// Per head, the L1 norm of its projection rows and output columns.
static std::vector<double> headScores(const AttentionBlock &block) {
  std::vector<double> scores(block.heads, 0.0);
  for (const Projection &p : block.projections) {
    LinearOp linear = p.linear;
    std::vector<float> w = *getConstantF32(linear.getWeight());
    int64_t k = cast<ShapedType>(linear.getWeight().getType()).getDimSize(1);
    for (int64_t o = 0; o < p.outer; ++o)
      for (int64_t h = 0; h < block.heads; ++h)
        for (int64_t i = 0; i < p.inner; ++i) {
          int64_t row = (o * block.heads + h) * p.inner + i;
          for (int64_t c = 0; c < k; ++c)
            scores[h] += std::fabs(w[row * k + c]);
        }
  }
  LinearOp output = block.output;
  std::vector<float> w = *getConstantF32(output.getWeight());
  int64_t k = block.heads * block.headDim;
  for (size_t at = 0; at < w.size(); ++at)
    scores[at % k / block.headDim] += std::fabs(w[at]);
  return scores;
}

/// (outer, size, inner) element counts around `axis` of `shape`.
static std::array<int64_t, 3> aroundAxis(ArrayRef<int64_t> shape,
                                         int64_t axis) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  return {outer, shape[axis], inner};
}

static SmallVector<int64_t> iota(int64_t n) {
  SmallVector<int64_t> indices(n);
  std::iota(indices.begin(), indices.end(), 0);
  return indices;
}

/// Rewrites `block` to keep the heads `kept`.
static void applyHeads(const AttentionBlock &block, ArrayRef<int64_t> kept) {
  auto heads = static_cast<int64_t>(kept.size());
  auto replace = [](Operation *op, unsigned index, ArrayRef<int64_t> shape,
                    ArrayRef<float> values) {
    OpBuilder builder(op);
    Value old = op->getOperand(index);
    op->setOperand(
        index,
        createConstantF32(builder, old.getLoc(), shape, values, "pruned_heads",
                          cast<ShapedType>(old.getType()).getElementType()));
  };
  for (const Projection &p : block.projections) {
    SmallVector<int64_t> rows;
    for (int64_t o = 0; o < p.outer; ++o)
      for (int64_t h : kept)
        for (int64_t i = 0; i < p.inner; ++i)
          rows.push_back((o * block.heads + h) * p.inner + i);
    LinearOp linear = p.linear;
    int64_t k = cast<ShapedType>(linear.getWeight().getType()).getDimSize(1);
    replace(linear, 1, {static_cast<int64_t>(rows.size()), k},
            keepRowsAndColumns(*getConstantF32(linear.getWeight()), k, 1, rows,
                               iota(k)));
    if (Value bias = linear.getBias())
      replace(linear, 2, {static_cast<int64_t>(rows.size())},
              keepRowsAndColumns(*getConstantF32(bias), 1, 1, rows, {0}));
  }
  SmallVector<int64_t> cols;
  for (int64_t h : kept)
    for (int64_t d = 0; d < block.headDim; ++d)
      cols.push_back(h * block.headDim + d);
  LinearOp output = block.output;
  int64_t n = cast<ShapedType>(output.getWeight().getType()).getDimSize(0);
  replace(output, 1, {n, static_cast<int64_t>(cols.size())},
          keepRowsAndColumns(*getConstantF32(output.getWeight()),
                             block.heads * block.headDim, 1, iota(n), cols));
  for (auto [reshape, axis] : block.reshapes) {
    SmallVector<int64_t> shape(reshape.getShape());
    if (shape[axis] == block.heads)
      shape[axis] = heads;
    reshape.setShape(shape);
  }
  for (const AttentionBlock::PerHeadConstant &c : block.perHead) {
    Value value = c.user->getOperand(c.operand);
    auto type = cast<ShapedType>(value.getType());
    auto [outer, count, inner] = aroundAxis(type.getShape(), c.axis);
    SmallVector<int64_t> shape(type.getShape());
    shape[c.axis] = heads;
    replace(c.user, c.operand, shape,
            keepRowsAndColumns(*getConstantF32(value), count, inner,
                               iota(outer), kept));
  }
  for (auto [part, size] : block.parts) {
    int64_t kept = size / block.heads * heads;
    int64_t index = part.getStarts()[0] / size;
    part.setStarts({index * kept});
    part.setEnds({(index + 1) * kept});
  }
  ReshapeOp merge = block.merge;
  SmallVector<int64_t> merged(merge.getShape());
  if (merged.back() == block.heads * block.headDim)
    merged.back() = heads * block.headDim;
  merge.setShape(merged);
}

/// The attention blocks of `func` that can lose heads, in op order (the
/// ones that cannot, with why, in `leftWhole`).
static SmallVector<AttentionBlock>
findBlocks(func::FuncOp func, const HeadPruneOptions &options,
           std::vector<HeadPruneSummary::LeftWhole> *leftWhole) {
  SmallVector<AttentionBlock> blocks;
  auto skipped = [&](Operation *op) {
    return options.skipped && options.skipped(op);
  };
  for (LinearOp output : func.getOps<LinearOp>()) {
    if (skipped(output))
      continue;
    BlockFinder finder;
    std::optional<AttentionBlock> block = finder.find(output);
    if (!block) {
      if (!finder.whyNot.empty() && leftWhole)
        leftWhole->push_back({output, *finder.whyNotAt, finder.whyNot});
      continue;
    }
    if (!llvm::any_of(block->projections,
                      [&](const Projection &p) { return skipped(p.linear); }))
      blocks.push_back(std::move(*block));
  }
  return blocks;
}

/// The heads each block keeps: per block the same fraction, the lowest
/// scores removed; or (`options.global`) that fraction of all heads, the
/// lowest scores of the network first. At least `minHeads` stay per block.
static std::vector<SmallVector<int64_t>>
chooseHeads(ArrayRef<AttentionBlock> blocks,
            ArrayRef<std::vector<double>> scores,
            const HeadPruneOptions &options) {
  // Every head, lowest score first; ties by block and position, so the
  // result is deterministic.
  struct Head {
    double score;
    int64_t block, head;
  };
  std::vector<Head> heads;
  int64_t total = 0;
  for (auto [b, block] : llvm::enumerate(blocks)) {
    total += block.heads;
    for (int64_t h = 0; h < block.heads; ++h)
      heads.push_back({scores[b][h], static_cast<int64_t>(b), h});
  }
  llvm::sort(heads, [](const Head &x, const Head &y) {
    return std::tie(x.score, x.block, x.head) <
           std::tie(y.score, y.block, y.head);
  });
  std::vector<int64_t> removable;
  for (const AttentionBlock &block : blocks) {
    int64_t floor = std::min(options.minHeads, block.heads);
    removable.push_back(
        options.global
            ? block.heads - floor
            : std::min(block.heads - floor,
                       static_cast<int64_t>(options.sparsity * block.heads)));
  }
  auto budget = static_cast<int64_t>(options.sparsity * total);
  std::vector<std::vector<char>> removed;
  for (const AttentionBlock &block : blocks)
    removed.emplace_back(block.heads, 0);
  for (const Head &head : heads) {
    if (options.global && budget == 0)
      break;
    if (removable[head.block] == 0)
      continue;
    removed[head.block][head.head] = 1;
    --removable[head.block];
    --budget;
  }
  std::vector<SmallVector<int64_t>> kept;
  for (auto [b, block] : llvm::enumerate(blocks)) {
    kept.emplace_back();
    for (int64_t h = 0; h < block.heads; ++h)
      if (!removed[b][h])
        kept.back().push_back(h);
  }
  return kept;
}

HeadPruneSummary mlir::dlc::surveyHeads(func::FuncOp func,
                                        const HeadPruneOptions &options) {
  HeadPruneSummary summary;
  for (const AttentionBlock &block :
       findBlocks(func, options, &summary.leftWhole))
    summary.blocks.push_back(
        {block.output, block.heads, block.heads, iota(block.heads)});
  return summary;
}

FailureOr<HeadPruneSummary>
mlir::dlc::pruneHeads(func::FuncOp func, const HeadPruneOptions &options) {
  HeadPruneSummary summary;
  SmallVector<AttentionBlock> blocks =
      findBlocks(func, options, &summary.leftWhole);
  std::vector<std::vector<double>> scores;
  if (!options.scores.empty()) {
    if (options.scores.size() != blocks.size())
      return func.emitError("dlc-prune: ")
             << options.scores.size() << " blocks of head scores for "
             << blocks.size() << " attention blocks";
    scores.assign(options.scores.begin(), options.scores.end());
  } else {
    for (const AttentionBlock &block : blocks)
      scores.push_back(headScores(block));
  }
  std::vector<SmallVector<int64_t>> kept = chooseHeads(blocks, scores, options);
  for (auto [block, heads] : llvm::zip(blocks, kept)) {
    summary.blocks.push_back(
        {block.output, block.heads, static_cast<int64_t>(heads.size()), heads});
    if (static_cast<int64_t>(heads.size()) < block.heads)
      applyHeads(block, heads);
  }
  eraseUnusedConstants(func.front());
  if (failed(inferFunctionShapes(func, 0)))
    return failure();
  return summary;
}

FailureOr<std::vector<std::vector<double>>>
mlir::dlc::headSensitivity(func::FuncOp func,
                           ArrayRef<CalibrationBatch> batches,
                           const HeadPruneOptions &options) {
  FailureOr<std::vector<runtime::Tensor>> reference =
      runCalibrationBatches(func, batches);
  if (failed(reference))
    return failure();
  SmallVector<AttentionBlock> blocks = findBlocks(func, options, nullptr);
  // A copy's ops sit at the same positions as the original's.
  auto positionOf = [&](Operation *op) {
    return std::distance(func.front().begin(), op->getIterator());
  };
  std::vector<std::vector<double>> scores;
  for (const AttentionBlock &block : blocks) {
    scores.emplace_back();
    LinearOp output = block.output;
    std::vector<float> weight = *getConstantF32(output.getWeight());
    int64_t width = block.heads * block.headDim;
    for (int64_t h = 0; h < block.heads; ++h) {
      // Head h removed alone: its output-projection columns zeroed.
      std::vector<float> zeroed = weight;
      for (size_t at = 0; at < zeroed.size(); ++at)
        if (static_cast<int64_t>(at) % width / block.headDim == h)
          zeroed[at] = 0.0f;
      func::FuncOp copy = func.clone();
      auto linear =
          cast<LinearOp>(*std::next(copy.front().begin(), positionOf(output)));
      OpBuilder builder(linear);
      auto type = cast<RankedTensorType>(linear.getWeight().getType());
      linear->setOperand(
          1, createConstantF32(builder, linear.getLoc(), type.getShape(),
                               zeroed, "head_removed", type.getElementType()));
      FailureOr<std::vector<runtime::Tensor>> outputs =
          runCalibrationBatches(copy, batches);
      eraseTrialCopy(copy, func);
      if (failed(outputs))
        return failure();
      // The output's noise over signal when the head is gone: the less,
      // the sooner it goes.
      scores.back().push_back(
          std::pow(10.0, -outputSqnr(*reference, *outputs) / 10.0));
    }
  }
  return scores;
}
