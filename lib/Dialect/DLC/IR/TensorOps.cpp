//===- TensorOps.cpp - constants and data-movement ops --------------------===//

#include "ShapeInference.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::detail;

/// Product of `dims`, or dynamic when any of them is.
static int64_t productOrDynamic(ArrayRef<int64_t> dims) {
  int64_t product = 1;
  for (int64_t dim : dims) {
    if (ShapedType::isDynamic(dim))
      return ShapedType::kDynamic;
    product *= dim;
  }
  return product;
}

/// Folds an op that only reinterprets a constant's elements in a new shape.
static OpFoldResult reshapeConstant(Attribute input, Type resultType) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(input);
  auto shaped = dyn_cast<ShapedType>(resultType);
  if (!dense || !shaped || !shaped.hasStaticShape())
    return {};
  return dense.reshape(shaped);
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferShape(Adaptor adaptor, const ShapeDiag &,
                                     SmallVectorImpl<Type> &types) {
  // Elements attributes always have a static shape; ODS checks the rest.
  types.push_back(adaptor.getValue().getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                    SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> target = adaptor.getShape();
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (auto [index, dim] : llvm::enumerate(target)) {
    if (dim == -1) {
      if (inferred)
        return diag("expects at most one -1 in shape ", formatShape(target));
      inferred = index;
    } else if (dim < 1) {
      return diag("expects shape entries to be positive or -1, got ",
                  formatShape(target));
    } else {
      known *= dim;
    }
  }
  SmallVector<int64_t> result(target);
  int64_t total = productOrDynamic(inputType.getShape());
  if (ShapedType::isDynamic(total)) {
    if (!inferred)
      return diag("expects a -1 in shape ", formatShape(target),
                  " to take the dynamic dimension of input shape ",
                  formatShape(inputType.getShape()));
    result[*inferred] = ShapedType::kDynamic;
  } else if (inferred ? total % known != 0 : total != known) {
    return diag("cannot reshape input shape ",
                formatShape(inputType.getShape()), " (", total,
                " elements) into ", formatShape(target));
  } else if (inferred) {
    result[*inferred] = total / known;
  }
  types.push_back(RankedTensorType::get(result, inputType.getElementType()));
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (OpFoldResult folded = reshapeConstant(adaptor.getInput(), getType()))
    return folded;
  // Only the final shape matters in a chain of reshapes.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// FlattenOp
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                    SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t rank = inputType.getRank();
  auto axis = static_cast<int64_t>(adaptor.getAxis());
  if (axis < -rank || axis > rank)
    return diag("expects axis (", axis, ") to be in [", -rank, ", ", rank,
                "] for rank ", rank);
  if (axis < 0)
    axis += rank;
  ArrayRef<int64_t> shape = inputType.getShape();
  types.push_back(
      RankedTensorType::get({productOrDynamic(shape.take_front(axis)),
                             productOrDynamic(shape.drop_front(axis))},
                            inputType.getElementType()));
  return success();
}

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return reshapeConstant(adaptor.getInput(), getType());
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                      SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  int64_t rank = inputType.getRank();
  if (static_cast<int64_t>(perm.size()) != rank)
    return diag("expects perm ", formatShape(perm), " to have ", rank,
                " entries, one per input dimension");
  llvm::SmallBitVector seen(rank);
  SmallVector<int64_t> shape;
  for (int64_t dim : perm) {
    if (dim < 0 || dim >= rank || seen.test(dim))
      return diag("expects perm ", formatShape(perm),
                  " to be a permutation of [0, ", rank, ")");
    seen.set(dim);
    shape.push_back(inputType.getDimSize(dim));
  }
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  // transpose(transpose(x, inner), outer) == transpose(x, inner o outer).
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> inner = producer.getPerm();
    SmallVector<int64_t> composed;
    for (int64_t dim : perm)
      composed.push_back(inner[dim]);
    getInputMutable().assign(producer.getInput());
    setPerm(composed);
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                   SmallVectorImpl<Type> &types) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return diag("expects at least one input");
  auto firstType = cast<RankedTensorType>(inputs.front().getType());
  int64_t rank = firstType.getRank();
  FailureOr<int64_t> axis = normalizeAxis(
      diag, "axis", static_cast<int64_t>(adaptor.getAxis()), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(firstType.getShape());
  for (auto [index, input] : llvm::enumerate(inputs.drop_front())) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getElementType() != firstType.getElementType())
      return diag("expects input #", index + 1, " element type ",
                  type.getElementType(), " to match input #0 element type ",
                  firstType.getElementType());
    if (type.getRank() != rank)
      return diag("expects input #", index + 1, " of rank ", rank,
                  ", got rank ", type.getRank());
    for (int64_t dim = 0; dim < rank; ++dim) {
      int64_t size = type.getDimSize(dim);
      if (dim == *axis) {
        shape[dim] =
            ShapedType::isDynamic(shape[dim]) || ShapedType::isDynamic(size)
                ? ShapedType::kDynamic
                : shape[dim] + size;
      } else if (size != shape[dim]) {
        return diag("expects input #", index + 1, " shape ",
                    formatShape(type.getShape()), " to match input #0 shape ",
                    formatShape(firstType.getShape()),
                    " outside the concatenation axis ", *axis);
      }
    }
  }
  types.push_back(RankedTensorType::get(shape, firstType.getElementType()));
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                  SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  ArrayRef<int64_t> starts = adaptor.getStarts();
  ArrayRef<int64_t> ends = adaptor.getEnds();
  ArrayRef<int64_t> steps = adaptor.getSteps();
  if (starts.size() != axes.size() || ends.size() != axes.size() ||
      (!steps.empty() && steps.size() != axes.size()))
    return diag("expects starts, ends and steps to have one entry per axis (",
                axes.size(), ")");
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> shape(inputType.getShape());
  llvm::SmallBitVector seen(rank);
  for (auto [i, rawAxis] : llvm::enumerate(axes)) {
    FailureOr<int64_t> axis = normalizeAxis(diag, "axis", rawAxis, rank);
    if (failed(axis))
      return failure();
    if (seen.test(*axis))
      return diag("expects unique axes, got ", formatShape(axes));
    seen.set(*axis);
    int64_t size = shape[*axis];
    int64_t step = steps.empty() ? 1 : steps[i];
    if (ShapedType::isDynamic(size))
      return diag("expects sliced dimension ", *axis, " to be static");
    if (step < 1)
      return diag("expects positive steps, got ", formatShape(steps));
    if (starts[i] < 0 || starts[i] > ends[i] || ends[i] > size)
      return diag("expects 0 <= start (", starts[i], ") <= end (", ends[i],
                  ") <= size (", size, ") on dimension ", *axis);
    shape[*axis] = llvm::divideCeil(ends[i] - starts[i], step);
  }
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  // Same type means every sliced axis keeps all its elements.
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// SplitOp
//===----------------------------------------------------------------------===//

LogicalResult SplitOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                  SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  FailureOr<int64_t> axis =
      normalizeAxis(diag, "axis", static_cast<int64_t>(adaptor.getAxis()),
                    inputType.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  int64_t size = inputType.getDimSize(*axis);
  if (ShapedType::isDynamic(size))
    return diag("expects split dimension ", *axis, " to be static");
  if (sizes.empty() || llvm::any_of(sizes, [](int64_t s) { return s < 1; }))
    return diag("expects positive sizes, got ", formatShape(sizes));
  int64_t sum = 0;
  for (int64_t s : sizes)
    sum += s;
  if (sum != size)
    return diag("expects sizes ", formatShape(sizes), " to add up to ", size,
                ", the size of dimension ", *axis, "; they add up to ", sum);
  SmallVector<int64_t> shape(inputType.getShape());
  for (int64_t s : sizes) {
    shape[*axis] = s;
    types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  }
  return success();
}

LogicalResult SplitOp::fold(FoldAdaptor,
                            SmallVectorImpl<OpFoldResult> &results) {
  if (getNumResults() != 1 || getInput().getType() != getResult(0).getType())
    return failure();
  results.push_back(getInput());
  return success();
}

//===----------------------------------------------------------------------===//
// ExpandOp
//===----------------------------------------------------------------------===//

LogicalResult ExpandOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                   SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> target = adaptor.getShape();
  bool batchEntry = false;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == -1 && i == 0) {
      batchEntry = true;
      continue;
    }
    if (d < 1)
      return diag("expects positive sizes, and -1 (the batch) only first, "
                  "got ",
                  formatShape(target));
  }
  Value batch = adaptor.getBatch();
  if (batchEntry != static_cast<bool>(batch))
    return diag(batchEntry ? "expects a batch operand for the -1 entry"
                           : "expects a batch operand only with a -1 entry");
  int64_t batchSize = 0;
  if (batch) {
    auto batchType = cast<RankedTensorType>(batch.getType());
    if (batchType.getRank() == 0)
      return diag("expects a batch operand of rank >= 1");
    batchSize = batchType.getDimSize(0);
  }
  ArrayRef<int64_t> in = inputType.getShape();
  // Under the batch entry the input has size 1 (a dynamic size there could
  // differ from the batch operand's at run time).
  int64_t underBatch =
      static_cast<int64_t>(in.size()) - static_cast<int64_t>(target.size());
  if (batchEntry && underBatch >= 0 && in[underBatch] != 1)
    return diag("expects size 1 under the batch entry, got ", formatShape(in));
  int64_t mismatch = 0;
  std::optional<SmallVector<int64_t>> shape =
      broadcastShape(in, target, batchSize, &mismatch);
  if (!shape)
    return diag("cannot broadcast ", formatShape(in), " to ",
                formatShape(target), " (dimension ", mismatch, ")");
  types.push_back(RankedTensorType::get(*shape, inputType.getElementType()));
  return success();
}

std::optional<SmallVector<int64_t>>
ExpandOp::broadcastShape(ArrayRef<int64_t> input, ArrayRef<int64_t> shape,
                         int64_t batch, int64_t *mismatch) {
  auto inRank = static_cast<int64_t>(input.size());
  auto shapeRank = static_cast<int64_t>(shape.size());
  int64_t rank = std::max(inRank, shapeRank);
  SmallVector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t inAt = d - (rank - inRank), shapeAt = d - (rank - shapeRank);
    int64_t a = inAt >= 0 ? input[inAt] : 1;
    int64_t b = shapeAt >= 0 ? shape[shapeAt] : 1;
    if (b == -1)
      b = batch;
    if (a == b || b == 1) {
      result.push_back(a);
    } else if (a == 1) {
      result.push_back(b);
    } else {
      if (mismatch)
        *mismatch = d;
      return std::nullopt;
    }
  }
  return result;
}

OpFoldResult ExpandOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() && !getBatch())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = inputType.getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return diag("expects ", 2 * rank,
                " pads (all begins, then all ends) for rank ", rank, ", got ",
                pads.size());
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return diag("expects non-negative pads, got ", formatShape(pads));
  PadMode mode = adaptor.getMode();
  SmallVector<int64_t> shape(inputType.getShape());
  for (int64_t dim = 0; dim < rank; ++dim) {
    int64_t before = pads[dim], after = pads[dim + rank];
    if (ShapedType::isDynamic(shape[dim])) {
      if (before != 0 || after != 0)
        return diag("expects no padding on dynamic dimension ", dim);
      continue;
    }
    if (mode == PadMode::reflect &&
        (before >= shape[dim] || after >= shape[dim]))
      return diag("expects reflect pads on dimension ", dim,
                  " to be smaller than its size (", shape[dim], ")");
    if (mode == PadMode::edge && shape[dim] == 0 && before + after > 0)
      return diag("expects a non-empty dimension ", dim, " to pad by edge");
    shape[dim] += before + after;
  }
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }))
    return getInput();
  return {};
}
