//===- FoldShapes.cpp - evaluate shape computations at import -------------===//
//
// PyTorch's exporter computes shapes at run time: Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape, with Constant, Cast and arithmetic in
// between. With static shapes (and at most a dynamic batch) all of it is
// known at import time, so it is evaluated here on small host tensors and
// never reaches the IR. A dynamic batch flows through as kBatchDim.
//
//===----------------------------------------------------------------------===//

#include "KnownTensorOps.h"
#include "mlir/Dialect/Traits.h"
#include <cmath>

using namespace mlir;
using namespace mlir::dlc::onnx_import;

/// Axes for (Un)Squeeze: an attribute before opset 13, an input from 13.
static std::optional<SmallVector<int64_t>> getAxes(Importer &importer,
                                                   const NodeAttrs &attrs) {
  if (importer.getOpset() < 13)
    return attrs.getInts("axes");
  if (const KnownTensor *axes = importer.getKnownInput(1)) {
    std::vector<int64_t> values = readInts(*axes);
    return SmallVector<int64_t>(values.begin(), values.end());
  }
  return std::nullopt;
}

/// The tensor of a node's tensor attribute. The model is ours to consume:
/// its bytes move into the result.
static FailureOr<KnownTensor> loadAttrTensor(Importer &importer,
                                             const onnx::AttributeProto &attr) {
  std::string error;
  auto &proto = const_cast<onnx::TensorProto &>(attr.t());
  FailureOr<KnownTensor> loaded = loadTensor(proto, "", error);
  if (failed(loaded))
    return importer.fail(attr.name(), " ", error);
  return loaded;
}

FailureOr<bool> mlir::dlc::onnx_import::tryFoldNode(Importer &importer,
                                                    const NodeAttrs &attrs) {
  const onnx::NodeProto &node = importer.getNode();
  llvm::StringRef op = node.op_type();

  if (op == "Constant") {
    KnownTensor tensor;
    if (const onnx::AttributeProto *value = attrs.find("value")) {
      FailureOr<KnownTensor> loaded = loadAttrTensor(importer, *value);
      if (failed(loaded))
        return failure();
      tensor = std::move(*loaded);
    } else if (const onnx::AttributeProto *f = attrs.find("value_float")) {
      tensor = makeReals({}, {f->f()}, onnx::TensorProto::FLOAT);
    } else if (const onnx::AttributeProto *fs = attrs.find("value_floats")) {
      tensor = makeReals({fs->floats_size()},
                         {fs->floats().begin(), fs->floats().end()},
                         onnx::TensorProto::FLOAT);
    } else if (const onnx::AttributeProto *i = attrs.find("value_int")) {
      tensor = makeInts({}, {i->i()});
    } else if (const onnx::AttributeProto *is = attrs.find("value_ints")) {
      tensor =
          makeInts({is->ints_size()}, {is->ints().begin(), is->ints().end()});
    } else {
      return importer.fail("has no supported value attribute");
    }
    importer.setKnownOutput(0, std::move(tensor));
    return true;
  }

  if (op == "Shape" || op == "Size") {
    FailureOr<SmallVector<int64_t>> shape = importer.getInputShape(0);
    if (failed(shape))
      return failure();
    std::vector<int64_t> dims;
    for (int64_t d : *shape)
      dims.push_back(ShapedType::isDynamic(d) ? kBatchDim : d);
    if (op == "Size") {
      int64_t count = 1;
      for (int64_t d : dims)
        count = isUnknownValue(d) || isUnknownValue(count) ? kUnknownValue
                                                           : count * d;
      importer.setKnownOutput(0, makeInts({}, {count}));
      return true;
    }
    auto rank = static_cast<int64_t>(dims.size());
    int64_t start = attrs.getInt("start", 0), end = attrs.getInt("end", rank);
    start = std::clamp(start < 0 ? start + rank : start, int64_t(0), rank);
    end = std::clamp(end < 0 ? end + rank : end, int64_t(0), rank);
    std::vector<int64_t> slice(dims.begin() + start,
                               dims.begin() + std::max(start, end));
    auto size = static_cast<int64_t>(slice.size());
    importer.setKnownOutput(0, makeInts({size}, std::move(slice)));
    return true;
  }

  // Everything else folds only when every input is known and small.
  for (int i = 0; i < node.input_size(); ++i) {
    if (node.input(i).empty())
      continue;
    const KnownTensor *input = importer.getKnownInput(i);
    if (!input || input->numElements() > kMaxFoldElements)
      return false;
  }
  if (node.input_size() == 0)
    return false;
  const KnownTensor &first = *importer.getKnownInput(0);

  if (op == "Identity") {
    importer.setKnownOutput(0, first);
    return true;
  }
  if (isFoldableBinary(op)) {
    if (op == "Mod" && attrs.getInt("fmod", 0) != 0)
      return false; // C's fmod: not seen in shape computations
    std::optional<KnownTensor> result =
        foldBinary(op, first, *importer.getKnownInput(1));
    if (!result)
      return false;
    importer.setKnownOutput(0, std::move(*result));
    return true;
  }
  if (op == "Where") {
    std::optional<KnownTensor> result = foldWhere(
        first, *importer.getKnownInput(1), *importer.getKnownInput(2));
    if (!result)
      return false;
    importer.setKnownOutput(0, std::move(*result));
    return true;
  }
  if (op == "ScatterND") {
    if (attrs.getString("reduction", "none") != "none")
      return false;
    std::optional<KnownTensor> result = scatterND(
        first, *importer.getKnownInput(1), *importer.getKnownInput(2));
    if (!result)
      return importer.fail("indices do not fit the data and updates");
    importer.setKnownOutput(0, std::move(*result));
    return true;
  }
  if (op == "Expand") {
    std::vector<int64_t> target = readInts(*importer.getKnownInput(1));
    SmallVector<int64_t> shape;
    // A shape with the dynamic batch: dlc.expand at run time.
    if (llvm::any_of(target, isUnknownValue))
      return false;
    if (!OpTrait::util::getBroadcastedShape(
            first.shape, SmallVector<int64_t>(target.begin(), target.end()),
            shape))
      return false;
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    if (count > kMaxFoldElements)
      return false;
    // x + zeros of the target shape broadcasts x.
    KnownTensor zeros =
        first.isInteger()
            ? makeInts(shape, std::vector<int64_t>(count), first.dtype)
            : makeReals(shape, std::vector<double>(count), first.dtype);
    std::optional<KnownTensor> result = foldBinary("Add", first, zeros);
    if (!result)
      return false;
    importer.setKnownOutput(0, std::move(*result));
    return true;
  }
  if (op == "Pow" && first.isFloat()) {
    const KnownTensor &exponent = *importer.getKnownInput(1);
    if (exponent.numElements() != 1)
      return false;
    double e = readReals(exponent).front();
    std::vector<double> values = readReals(first);
    for (double &v : values)
      v = std::pow(v, e);
    importer.setKnownOutput(0, makeReals(first.shape, values, first.dtype));
    return true;
  }
  if (op == "Not" && first.dtype == onnx::TensorProto::BOOL) {
    std::vector<int64_t> values = readInts(first);
    for (int64_t &v : values)
      v = !v;
    importer.setKnownOutput(0, makeInts(first.shape, values, first.dtype));
    return true;
  }
  if (op == "Sqrt" || op == "Neg" || op == "Floor" || op == "Ceil") {
    if (llvm::any_of(first.ints, isUnknownValue))
      return false;
    std::vector<double> values = readReals(first);
    for (double &v : values)
      v = op == "Sqrt"    ? std::sqrt(v)
          : op == "Neg"   ? -v
          : op == "Floor" ? std::floor(v)
                          : std::ceil(v);
    if (first.isInteger())
      importer.setKnownOutput(
          0,
          makeInts(first.shape, {values.begin(), values.end()}, first.dtype));
    else
      importer.setKnownOutput(0, makeReals(first.shape, values, first.dtype));
    return true;
  }
  if (op == "Cast") {
    int32_t to = static_cast<int32_t>(attrs.getInt("to", 0));
    KnownTensor probe;
    probe.dtype = to;
    if (probe.isInteger()) {
      std::vector<int64_t> values = readInts(first);
      importer.setKnownOutput(0, makeInts(first.shape, std::move(values), to));
    } else if (probe.isFloat()) {
      if (llvm::any_of(first.ints, isUnknownValue))
        return false;
      importer.setKnownOutput(0, makeReals(first.shape, readReals(first), to));
    } else {
      return false;
    }
    return true;
  }
  if (op == "Gather") {
    auto rank = static_cast<int64_t>(first.shape.size());
    FailureOr<int64_t> axis =
        importer.positiveAxis(attrs.getInt("axis", 0), rank);
    if (failed(axis))
      return failure();
    importer.setKnownOutput(0,
                            gather(first, *importer.getKnownInput(1), *axis));
    return true;
  }
  if (op == "Transpose") {
    SmallVector<int64_t> perm;
    if (std::optional<SmallVector<int64_t>> p = attrs.getInts("perm"))
      perm = *p;
    SmallVector<int64_t> sorted(perm);
    llvm::sort(sorted);
    for (auto [i, d] : llvm::enumerate(sorted))
      if (d != static_cast<int64_t>(i) || sorted.size() != first.shape.size())
        return importer.fail("perm is not a permutation of the ",
                             first.shape.size(), " axes");
    importer.setKnownOutput(0, transposed(first, perm));
    return true;
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    std::optional<SmallVector<int64_t>> axes = getAxes(importer, attrs);
    SmallVector<int64_t> shape(first.shape);
    if (op == "Unsqueeze") {
      if (!axes)
        return false;
      auto rank = static_cast<int64_t>(shape.size() + axes->size());
      SmallVector<int64_t> sorted;
      for (int64_t a : *axes)
        sorted.push_back(a < 0 ? a + rank : a);
      llvm::sort(sorted);
      for (int64_t a : sorted)
        shape.insert(shape.begin() + std::min<int64_t>(a, shape.size()), 1);
    } else {
      SmallVector<int64_t> kept;
      auto rank = static_cast<int64_t>(shape.size());
      for (int64_t d = 0; d < rank; ++d) {
        bool squeezed = axes
                            ? llvm::any_of(*axes,
                                           [&](int64_t a) {
                                             return (a < 0 ? a + rank : a) == d;
                                           })
                            : shape[d] == 1;
        if (!squeezed)
          kept.push_back(shape[d]);
      }
      shape = kept;
    }
    importer.setKnownOutput(0, reshaped(first, shape));
    return true;
  }
  if (op == "Concat") {
    auto rank = static_cast<int64_t>(first.shape.size());
    int64_t axis = attrs.getInt("axis", 0);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return false; // left to the converter's diagnostic
    std::vector<const KnownTensor *> inputs;
    SmallVector<int64_t> shape(first.shape);
    shape[axis] = 0;
    for (int i = 0; i < node.input_size(); ++i) {
      const KnownTensor *input = importer.getKnownInput(i);
      if (input->shape.size() != first.shape.size() ||
          input->isInteger() != first.isInteger())
        return false;
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis && input->shape[d] != first.shape[d])
          return false;
      shape[axis] += input->shape[axis];
      inputs.push_back(input);
    }
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= shape[d];
    // Row by row of the axes before `axis`: each input's block in turn.
    auto join = [&](auto read) {
      std::vector<decltype(read(first))> values;
      for (const KnownTensor *input : inputs)
        values.push_back(read(*input));
      decltype(read(first)) out;
      for (int64_t o = 0; o < outer; ++o)
        for (const auto &v : values) {
          size_t block = v.size() / outer;
          out.insert(out.end(), v.begin() + o * block,
                     v.begin() + (o + 1) * block);
        }
      return out;
    };
    if (first.isInteger())
      importer.setKnownOutput(0, makeInts(shape, join(readInts), first.dtype));
    else
      importer.setKnownOutput(0,
                              makeReals(shape, join(readReals), first.dtype));
    return true;
  }
  if (op == "Slice" && importer.getOpset() >= 10) {
    auto rank = static_cast<int64_t>(first.shape.size());
    auto read = [&](unsigned i) {
      const KnownTensor *t = importer.getKnownInput(i);
      return t ? readInts(*t) : std::vector<int64_t>();
    };
    std::vector<int64_t> starts = read(1), ends = read(2), axes = read(3),
                         steps = read(4);
    if (axes.empty())
      for (int64_t a = 0; a < static_cast<int64_t>(starts.size()); ++a)
        axes.push_back(a);
    if (steps.empty())
      steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size())
      return importer.fail("starts, ends, axes and steps differ in length");
    KnownTensor result = first;
    for (size_t n = 0; n < starts.size(); ++n) {
      FailureOr<int64_t> positive = importer.positiveAxis(axes[n], rank);
      if (failed(positive))
        return failure();
      int64_t axis = *positive;
      int64_t size = first.shape[axis], step = steps[n];
      if (step == 0)
        return importer.fail("step must not be 0");
      auto clampIndex = [&](int64_t v, int64_t lo, int64_t hi) {
        if (v < 0)
          v += size;
        return std::clamp(v, lo, hi);
      };
      int64_t start = step > 0 ? clampIndex(starts[n], 0, size)
                               : clampIndex(starts[n], -1, size - 1);
      int64_t end = step > 0 ? clampIndex(ends[n], 0, size)
                             : clampIndex(ends[n], -1, size - 1);
      std::vector<int64_t> idx;
      for (int64_t i = start; step > 0 ? i < end : i > end; i += step)
        idx.push_back(i);
      auto count = static_cast<int64_t>(idx.size());
      result = gather(result, makeInts({count}, std::move(idx)), axis);
    }
    importer.setKnownOutput(0, std::move(result));
    return true;
  }
  if (op == "ConstantOfShape") {
    std::vector<int64_t> shape = readInts(first);
    if (llvm::any_of(shape, isUnknownValue))
      return false;
    SmallVector<int64_t> outShape(shape.begin(), shape.end());
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    if (count > kMaxFoldElements)
      return false;
    if (const onnx::AttributeProto *value = attrs.find("value")) {
      FailureOr<KnownTensor> fill = loadAttrTensor(importer, *value);
      if (failed(fill))
        return failure();
      if (fill->isInteger())
        importer.setKnownOutput(
            0,
            makeInts(outShape, std::vector<int64_t>(count, readInts(*fill)[0]),
                     fill->dtype));
      else
        importer.setKnownOutput(
            0,
            makeReals(outShape, std::vector<double>(count, readReals(*fill)[0]),
                      fill->dtype));
    } else {
      importer.setKnownOutput(0, makeReals(outShape, std::vector<double>(count),
                                           onnx::TensorProto::FLOAT));
    }
    return true;
  }
  if (op == "Range") {
    std::vector<double> s = readReals(first),
                        l = readReals(*importer.getKnownInput(1)),
                        d = readReals(*importer.getKnownInput(2));
    if (d[0] == 0)
      return importer.fail("delta must not be 0");
    auto count =
        static_cast<int64_t>(std::max(0.0, std::ceil((l[0] - s[0]) / d[0])));
    if (count > kMaxFoldElements)
      return false;
    std::vector<double> values;
    for (int64_t i = 0; i < count; ++i)
      values.push_back(s[0] + i * d[0]);
    if (first.isInteger())
      importer.setKnownOutput(
          0, makeInts({count}, {values.begin(), values.end()}, first.dtype));
    else
      importer.setKnownOutput(0, makeReals({count}, values, first.dtype));
    return true;
  }
  if (op == "Reshape" && node.input_size() == 2) {
    std::vector<int64_t> target = readInts(*importer.getKnownInput(1));
    SmallVector<int64_t> shape;
    int64_t known = 1;
    std::optional<size_t> inferred;
    for (auto [i, d] : llvm::enumerate(target)) {
      if (d == 0 && !attrs.getInt("allowzero", 0))
        d = i < first.shape.size() ? first.shape[i] : 0;
      if (d == -1)
        inferred = i;
      else
        known *= d;
      shape.push_back(d);
    }
    if (inferred && known != 0)
      shape[*inferred] = first.numElements() / known;
    importer.setKnownOutput(0, reshaped(first, shape));
    return true;
  }
  return false;
}
