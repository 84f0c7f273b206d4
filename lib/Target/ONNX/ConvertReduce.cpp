//===- ConvertReduce.cpp - ONNX reductions -------------------------------===//
//
// ReduceMean, ReduceMax and ReduceMin by pooling (a global average pool, or
// a transpose and reshapes around an average or max pool), and the sums
// built on the mean: ReduceSum, ReduceSumSquare, ReduceL1, ReduceL2,
// ReduceLogSum, ReduceLogSumExp.
//
//===----------------------------------------------------------------------===//

#include "ConvertHelpers.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::onnx_import;

namespace {
/// What a reduction pools with.
enum class PoolKind { Mean, Max, Min };
} // namespace

/// The reduction of `x` over the sorted axes `axes` by pooling, keeping
/// them as size 1. A mean over every spatial axis of an N x C x ... input
/// is a global average pool; any other reduction (a transformer's mean
/// over tokens or features, a channel max) a transpose putting the reduced
/// axes last, a reshape to 1 x kept x reduced, the pooling (average; max
/// over a reduced x 1 window; min as the negated max of the negation,
/// exact) and a reshape back.
static FailureOr<Value> poolAxes(Importer &imp, Value x, ArrayRef<int64_t> axes,
                                 PoolKind kind) {
  int64_t rank = rankOf(x);
  ArrayRef<int64_t> shape = shapeOf(x);
  if (kind == PoolKind::Mean && rank >= 3 &&
      llvm::equal(axes, llvm::seq<int64_t>(2, rank))) {
    FailureOr<GlobalAvgPoolOp> pool = imp.create<GlobalAvgPoolOp>(x);
    if (failed(pool))
      return failure();
    return pool->getResult();
  }
  Ints perm, kept;
  int64_t reduced = 1;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d)) {
      perm.push_back(d);
      kept.push_back(shape[d]);
    }
  for (int64_t d : axes) {
    perm.push_back(d);
    if (ShapedType::isDynamic(shape[d]))
      return imp.fail("cannot reduce over the dynamic dimension ", d);
    reduced *= shape[d];
  }
  Value moved = x;
  if (!llvm::equal(perm, llvm::seq<int64_t>(0, rank))) {
    FailureOr<TransposeOp> transpose = imp.create<TransposeOp>(x, perm);
    if (failed(transpose))
      return failure();
    moved = transpose->getResult();
  }
  int64_t keptCount = 1;
  bool dynamic = false;
  for (int64_t d : kept)
    ShapedType::isDynamic(d) ? dynamic = true : keptCount *= d;
  int64_t rowsDim = dynamic ? ShapedType::kDynamic : keptCount;
  FailureOr<Value> rows = kind == PoolKind::Mean
                              ? reshapeTo(imp, moved, {1, rowsDim, reduced})
                              : reshapeTo(imp, moved, {1, rowsDim, reduced, 1});
  if (failed(rows))
    return failure();
  Value pooled;
  if (kind == PoolKind::Mean) {
    FailureOr<GlobalAvgPoolOp> mean = imp.create<GlobalAvgPoolOp>(*rows);
    if (failed(mean))
      return failure();
    pooled = mean->getResult();
  } else {
    Value input = *rows;
    if (kind == PoolKind::Min) {
      FailureOr<NegOp> negated = imp.create<NegOp>(input);
      if (failed(negated))
        return failure();
      input = negated->getResult();
    }
    FailureOr<MaxPool2DOp> max =
        imp.create<MaxPool2DOp>(input, Ints{reduced, 1}, Ints{1, 1},
                                Ints{0, 0, 0, 0}, Ints{1, 1}, false);
    if (failed(max))
      return failure();
    pooled = max->getResult();
    if (kind == PoolKind::Min) {
      FailureOr<NegOp> restored = imp.create<NegOp>(pooled);
      if (failed(restored))
        return failure();
      pooled = restored->getResult();
    }
  }
  Ints full(shape);
  for (int64_t d : axes)
    full[d] = 1;
  return reshapeTo(imp, pooled, full);
}

/// The reductions: ReduceMean, ReduceMax, ReduceMin by pooling; ReduceSum
/// as the mean times the count (the mean sums in double: the sum to within
/// a rounding of the product); ReduceSumSquare, ReduceL1 and ReduceL2 (a
/// square, an absolute value or a square root around the sum);
/// ReduceLogSum; ReduceLogSumExp as max + log(sum(exp(x - max))), finite
/// where exp(x) would overflow.
LogicalResult onnx_import::convertReduce(Importer &imp,
                                         const NodeAttrs &attrs) {
  StringRef opType = imp.getNode().op_type();
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  std::optional<Ints> axes = attrs.getInts("axes");
  // Axes are an input from opset 13 for ReduceSum, from 18 for the others.
  int64_t axesInputOpset = opType == "ReduceSum" ? 13 : 18;
  if (imp.getOpset() >= axesInputOpset && imp.hasInput(1)) {
    FailureOr<Ints> known = requireKnownInts(imp, 1, "axes");
    if (failed(known))
      return failure();
    axes = *known;
  }
  if (!axes || axes->empty()) {
    if (attrs.getInt("noop_with_empty_axes", 0)) {
      imp.setOutput(0, x);
      return success();
    }
    axes = Ints();
    for (int64_t d = 0; d < rank; ++d)
      axes->push_back(d);
  }
  Ints sorted;
  for (int64_t a : *axes) {
    FailureOr<int64_t> axis = imp.positiveAxis(a, rank);
    if (failed(axis))
      return failure();
    if (!llvm::is_contained(sorted, *axis))
      sorted.push_back(*axis);
  }
  llvm::sort(sorted);
  ArrayRef<int64_t> shape = shapeOf(x);
  Value pooled;
  if (opType == "ReduceMax" || opType == "ReduceMin") {
    FailureOr<Value> extreme = poolAxes(
        imp, x, sorted, opType == "ReduceMax" ? PoolKind::Max : PoolKind::Min);
    if (failed(extreme))
      return failure();
    pooled = *extreme;
  } else {
    // What is summed (or averaged): x, its square, absolute value, or
    // exp(x - max).
    Value summed = x, max;
    if (opType == "ReduceSumSquare" || opType == "ReduceL2") {
      FailureOr<MulOp> square = imp.create<MulOp>(x, x);
      if (failed(square))
        return failure();
      summed = square->getResult();
    } else if (opType == "ReduceL1") {
      FailureOr<AbsOp> abs = imp.create<AbsOp>(x);
      if (failed(abs))
        return failure();
      summed = abs->getResult();
    } else if (opType == "ReduceLogSumExp") {
      FailureOr<Value> largest = poolAxes(imp, x, sorted, PoolKind::Max);
      if (failed(largest))
        return failure();
      max = *largest;
      FailureOr<SubOp> shifted = imp.create<SubOp>(x, max);
      if (failed(shifted))
        return failure();
      FailureOr<ExpOp> exp = imp.create<ExpOp>(shifted->getResult());
      if (failed(exp))
        return failure();
      summed = exp->getResult();
    }
    FailureOr<Value> mean = poolAxes(imp, summed, sorted, PoolKind::Mean);
    if (failed(mean))
      return failure();
    pooled = *mean;
    if (opType != "ReduceMean") {
      int64_t count = 1;
      for (int64_t d : sorted)
        count *= shape[d];
      if (count != 1) {
        FailureOr<MulOp> sum = imp.create<MulOp>(
            pooled, imp.createScalarLike(pooled, static_cast<double>(count)));
        if (failed(sum))
          return failure();
        pooled = sum->getResult();
      }
    }
    FailureOr<Value> finished = pooled;
    if (opType == "ReduceL2") {
      FailureOr<SqrtOp> root = imp.create<SqrtOp>(pooled);
      finished = failed(root) ? FailureOr<Value>() : root->getResult();
    } else if (opType == "ReduceLogSum" || opType == "ReduceLogSumExp") {
      FailureOr<LogOp> log = imp.create<LogOp>(pooled);
      finished = failed(log) ? FailureOr<Value>() : log->getResult();
      if (succeeded(finished) && max) {
        FailureOr<AddOp> restored = imp.create<AddOp>(*finished, max);
        finished =
            failed(restored) ? FailureOr<Value>() : restored->getResult();
      }
    }
    if (failed(finished))
      return failure();
    pooled = *finished;
  }
  if (attrs.getInt("keepdims", 1) == 0) {
    Ints kept;
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(sorted, d))
        kept.push_back(shape[d]);
    FailureOr<Value> flat = reshapeTo(imp, pooled, kept);
    if (failed(flat))
      return failure();
    pooled = *flat;
  }
  imp.setOutput(0, pooled);
  return success();
}
