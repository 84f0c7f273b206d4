//===- ConvertDataMovement.cpp - ONNX reshapes, slices, resizes ----------===//
//
// Converters of the ONNX ops that move data without arithmetic (Reshape,
// Squeeze, Unsqueeze, Flatten, Transpose, Concat, Slice, Gather, Split,
// Pad).
//
//===----------------------------------------------------------------------===//

#include "ConvertHelpers.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::onnx_import;

LogicalResult onnx_import::convertReshape(Importer &imp,
                                          const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  Ints target;
  if (imp.getOpset() < 5) {
    target = attrs.getInts("shape").value_or(Ints{});
  } else {
    FailureOr<Ints> shape = requireKnownInts(imp, 1, "shape");
    if (failed(shape))
      return failure();
    target = *shape;
  }
  ArrayRef<int64_t> in = shapeOf(x);
  Ints shape;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == 0 && !attrs.getInt("allowzero", 0)) {
      if (i >= in.size())
        return imp.fail("shape entry 0 at index ", i,
                        " has no input dimension to copy");
      d = in[i];
    }
    shape.push_back(d);
  }
  // A target naming the batch and inferring another entry ([N, -1]) is
  // resolved against the input's elements per batch item.
  auto *batchAt = llvm::find(shape, kBatchDim);
  auto *inferAt = llvm::find(shape, -1);
  if (batchAt != shape.end() && inferAt != shape.end()) {
    int64_t perItem = 1;
    int64_t dynamicDims = 0;
    for (int64_t d : in) {
      if (ShapedType::isDynamic(d))
        ++dynamicDims;
      else
        perItem *= d;
    }
    int64_t known = 1;
    for (int64_t d : shape)
      if (d != kBatchDim && d != -1)
        known *= d;
    if (dynamicDims != 1 || llvm::count(shape, kBatchDim) != 1 ||
        llvm::count(shape, -1) != 1 || known == 0 || perItem % known != 0)
      return imp.fail("cannot resolve reshape target with the dynamic batch");
    *inferAt = perItem / known;
  }
  return setResult(imp, reshapeTo(imp, x, shape));
}

LogicalResult onnx_import::convertSqueezeLike(Importer &imp,
                                              const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  bool unsqueeze = imp.getNode().op_type() == "Unsqueeze";
  std::optional<Ints> axes;
  if (imp.getOpset() < 13) {
    axes = attrs.getInts("axes");
  } else if (imp.hasInput(1)) {
    FailureOr<Ints> known = requireKnownInts(imp, 1, "axes");
    if (failed(known))
      return failure();
    axes = *known;
  }
  Ints shape(shapeOf(x));
  if (unsqueeze) {
    if (!axes)
      return imp.fail("has no axes");
    auto rank = static_cast<int64_t>(shape.size() + axes->size());
    Ints sorted;
    for (int64_t a : *axes)
      sorted.push_back(a < 0 ? a + rank : a);
    llvm::sort(sorted);
    for (int64_t a : sorted) {
      if (a < 0 || a > static_cast<int64_t>(shape.size()))
        return imp.fail("axis ", a, " is out of range");
      shape.insert(shape.begin() + a, 1);
    }
  } else {
    auto rank = static_cast<int64_t>(shape.size());
    Ints kept;
    for (int64_t d = 0; d < rank; ++d) {
      bool squeezed = axes ? llvm::any_of(*axes,
                                          [&](int64_t a) {
                                            return (a < 0 ? a + rank : a) == d;
                                          })
                           : shape[d] == 1;
      if (squeezed && shape[d] != 1)
        return imp.fail("cannot squeeze dimension ", d, " of size ", shape[d]);
      if (!squeezed)
        kept.push_back(shape[d]);
    }
    shape = kept;
  }
  return setResult(imp, reshapeTo(imp, x, shape));
}

LogicalResult onnx_import::convertFlatten(Importer &imp,
                                          const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  return setResult(imp, imp.create<FlattenOp>(x, attrs.getInt("axis", 1)));
}

LogicalResult onnx_import::convertTranspose(Importer &imp,
                                            const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  Ints perm;
  if (std::optional<Ints> given = attrs.getInts("perm"))
    perm = *given;
  else
    for (int64_t d = rankOf(x) - 1; d >= 0; --d)
      perm.push_back(d);
  return setResult(imp, imp.create<TransposeOp>(x, perm));
}

LogicalResult onnx_import::convertConcat(Importer &imp,
                                         const NodeAttrs &attrs) {
  SmallVector<Value> inputs;
  for (int i = 0; i < imp.getNode().input_size(); ++i) {
    Value v = imp.getInput(i);
    if (!v)
      return failure();
    inputs.push_back(v);
  }
  if (!attrs.find("axis"))
    return imp.fail("has no axis");
  return setResult(imp, imp.create<ConcatOp>(inputs, attrs.getInt("axis", 0)));
}

LogicalResult onnx_import::convertSlice(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  Ints starts, ends, axes, steps;
  if (imp.getOpset() < 10) {
    starts = attrs.getInts("starts").value_or(Ints{});
    ends = attrs.getInts("ends").value_or(Ints{});
    axes = attrs.getInts("axes").value_or(Ints{});
  } else {
    FailureOr<Ints> s = requireKnownInts(imp, 1, "starts");
    FailureOr<Ints> e = requireKnownInts(imp, 2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (imp.hasInput(3)) {
      FailureOr<Ints> a = requireKnownInts(imp, 3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (imp.hasInput(4)) {
      FailureOr<Ints> st = requireKnownInts(imp, 4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return imp.fail("starts, ends, axes and steps differ in length");
  ArrayRef<int64_t> shape = shapeOf(x);
  auto rank = static_cast<int64_t>(shape.size());
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = imp.positiveAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    axes[i] = *axis;
    if (steps[i] < 1)
      return imp.fail("negative or zero steps are not supported");
    int64_t size = shape[axes[i]];
    if (ShapedType::isDynamic(size))
      return imp.fail("cannot slice the dynamic dimension ", axes[i]);
    auto clampIndex = [&](int64_t v) {
      if (v < 0)
        v += size;
      return std::clamp<int64_t>(v, 0, size);
    };
    starts[i] = clampIndex(starts[i]);
    ends[i] = std::max(starts[i], clampIndex(ends[i]));
  }
  return setResult(imp, imp.create<SliceOp>(x, axes, starts, ends, steps));
}

/// Gather with constant indices on computed data (PyTorch's `x[:, 0]` and
/// `unbind`): a slice when the indices step evenly forwards, else a concat
/// of one-element slices; a scalar index then drops the axis.
LogicalResult onnx_import::convertGather(Importer &imp,
                                         const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  const KnownTensor *known = imp.getKnownInput(1);
  if (!known)
    return imp.fail("indices must be constant (gathering at computed "
                    "positions is not supported)");
  if (known->shape.size() > 1)
    return imp.fail("indices of rank ", known->shape.size(),
                    " are not supported (rank 0 or 1)");
  ArrayRef<int64_t> shape = shapeOf(x);
  auto rank = static_cast<int64_t>(shape.size());
  FailureOr<int64_t> positive = imp.positiveAxis(attrs.getInt("axis", 0), rank);
  if (failed(positive))
    return failure();
  int64_t axis = *positive;
  int64_t size = shape[axis];
  if (ShapedType::isDynamic(size))
    return imp.fail("cannot gather along the dynamic dimension ", axis);
  std::vector<int64_t> indices = readInts(*known);
  if (indices.empty())
    return imp.fail("has no indices");
  for (int64_t &i : indices) {
    if (i < -size || i >= size)
      return imp.fail("index ", i, " is out of range for dimension ", axis,
                      " of size ", size);
    if (i < 0)
      i += size;
  }
  auto sliceFrom = [&](int64_t start, int64_t count, int64_t step) {
    return imp.create<SliceOp>(x, Ints{axis}, Ints{start},
                               Ints{start + (count - 1) * step + 1},
                               Ints{step});
  };
  auto count = static_cast<int64_t>(indices.size());
  int64_t step = count > 1 ? indices[1] - indices[0] : 1;
  bool even = step > 0;
  for (int64_t n = 1; n < count && even; ++n)
    even = indices[n] - indices[n - 1] == step;
  Value result;
  if (even) {
    FailureOr<SliceOp> slice = sliceFrom(indices[0], count, step);
    if (failed(slice))
      return failure();
    result = slice->getResult();
  } else {
    SmallVector<Value> pieces;
    for (int64_t i : indices) {
      FailureOr<SliceOp> slice = sliceFrom(i, 1, 1);
      if (failed(slice))
        return failure();
      pieces.push_back(slice->getResult());
    }
    FailureOr<ConcatOp> concat = imp.create<ConcatOp>(pieces, axis);
    if (failed(concat))
      return failure();
    result = concat->getResult();
  }
  if (known->shape.empty()) {
    Ints kept(shape);
    kept.erase(kept.begin() + axis);
    FailureOr<Value> reshaped = reshapeTo(imp, result, kept);
    if (failed(reshaped))
      return failure();
    result = *reshaped;
  }
  imp.setOutput(0, result);
  return success();
}

LogicalResult onnx_import::convertSplit(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  int64_t axis = attrs.getInt("axis", 0);
  int64_t rank = rankOf(x);
  int64_t dim = shapeOf(x)[axis < 0 ? axis + rank : axis];
  Ints sizes;
  if (imp.getOpset() < 13) {
    sizes = attrs.getInts("split").value_or(Ints{});
  } else if (imp.hasInput(1)) {
    FailureOr<Ints> known = requireKnownInts(imp, 1, "split");
    if (failed(known))
      return failure();
    sizes = *known;
  }
  if (sizes.empty()) {
    int64_t parts = attrs.getInt("num_outputs", imp.getNode().output_size());
    if (parts < 1 || ShapedType::isDynamic(dim))
      return imp.fail("cannot split dimension of size ", dim, " evenly");
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t left = dim; left > 0; left -= chunk)
      sizes.push_back(std::min(chunk, left));
  }
  FailureOr<SplitOp> split = imp.create<SplitOp>(x, axis, sizes);
  if (failed(split))
    return failure();
  for (auto [i, result] : llvm::enumerate(split->getResults()))
    imp.setOutput(i, result);
  return success();
}

/// Expand: numpy broadcasting to a known shape, whose first entry may be
/// the dynamic batch (PyTorch's class token expanded to the batch).
LogicalResult onnx_import::convertExpand(Importer &imp,
                                         const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  FailureOr<Ints> target = requireKnownInts(imp, 1, "shape");
  if (failed(target))
    return failure();
  ArrayRef<int64_t> in = shapeOf(x);
  Ints shape;
  Value batch;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == kUnknownValue || (d == kBatchDim && i != 0))
      return imp.fail("expands to a shape computed from the batch size at ",
                      "dimension ", i,
                      " (only the batch itself, first, is "
                      "supported)");
    if (d != kBatchDim) {
      shape.push_back(d);
      continue;
    }
    // The batch: already the input's own (dynamic) dimension, else taken
    // at run time from a graph input that has it.
    int64_t inAt = static_cast<int64_t>(i + in.size()) -
                   static_cast<int64_t>(target->size());
    if (inAt >= 0 && ShapedType::isDynamic(in[inAt])) {
      shape.push_back(1);
      continue;
    }
    batch = imp.getBatchSource();
    if (!batch)
      return imp.fail("expands to the dynamic batch, which no graph input "
                      "has");
    shape.push_back(-1);
  }
  return setResult(imp, imp.create<ExpandOp>(x, batch, shape));
}

LogicalResult onnx_import::convertPad(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  Ints pads;
  double value = 0.0;
  if (imp.getOpset() < 11) {
    pads = attrs.getInts("pads").value_or(Ints{});
    value = attrs.getFloat("value", 0.0f);
  } else {
    FailureOr<Ints> known = requireKnownInts(imp, 1, "pads");
    if (failed(known))
      return failure();
    pads = *known;
    if (imp.hasInput(2)) {
      const KnownTensor *fill = imp.getKnownInput(2);
      if (!fill)
        return imp.fail("constant_value must be a constant");
      value = readReals(*fill).front();
    }
    if (imp.hasInput(3)) {
      FailureOr<Ints> axes = requireKnownInts(imp, 3, "axes");
      if (failed(axes))
        return failure();
      Ints full(2 * rank, 0);
      for (auto [i, a] : llvm::enumerate(*axes)) {
        int64_t axis = a < 0 ? a + rank : a;
        full[axis] = pads[i];
        full[axis + rank] = pads[i + axes->size()];
      }
      pads = full;
    }
  }
  std::string modeName = attrs.getString("mode", "constant");
  std::optional<PadMode> mode = symbolizePadMode(modeName);
  if (!mode)
    return imp.fail("mode '", modeName, "' is not supported");
  return setResult(imp, imp.create<PadOp>(x, pads, *mode,
                                          APFloat(static_cast<float>(value))));
}
