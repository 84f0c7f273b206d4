//===- FoldShapes.cpp - evaluate shape computations at import -------------===//
//
// PyTorch's exporter computes shapes at run time: Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape, with Constant, Cast and arithmetic in
// between. With static shapes (and at most a dynamic batch) all of it is
// known at import time, so it is evaluated here on small host tensors and
// never reaches the IR. A dynamic batch flows through as kBatchDim.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "mlir/Dialect/Traits.h"
#include <cmath>

using namespace mlir;
using namespace mlir::dlc::onnx_import;

/// Folding keeps to shape-sized tensors; anything larger is real compute.
static constexpr int64_t kMaxFoldElements = 1 << 16;

static KnownTensor makeInts(SmallVector<int64_t> shape,
                            std::vector<int64_t> values,
                            int32_t dtype = onnx::TensorProto::INT64) {
  KnownTensor tensor;
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.ints = std::move(values);
  tensor.folded = true;
  return tensor;
}

static KnownTensor makeReals(SmallVector<int64_t> shape,
                             std::vector<double> values, int32_t dtype) {
  KnownTensor tensor;
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.reals = std::move(values);
  tensor.folded = true;
  return tensor;
}

/// Row-major strides of `shape`.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Index into a tensor of `shape` for the broadcast position `index` of a
/// result of `outShape`.
static int64_t broadcastIndex(ArrayRef<int64_t> shape,
                              ArrayRef<int64_t> outShape,
                              ArrayRef<int64_t> outIndex) {
  SmallVector<int64_t> strides = stridesOf(shape);
  size_t offset = outShape.size() - shape.size();
  int64_t flat = 0;
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] != 1)
      flat += outIndex[i + offset] * strides[i];
  return flat;
}

template <typename T, typename Fn>
static std::vector<T>
broadcastApply(ArrayRef<int64_t> lhsShape, const std::vector<T> &lhs,
               ArrayRef<int64_t> rhsShape, const std::vector<T> &rhs,
               ArrayRef<int64_t> outShape, Fn fn) {
  int64_t count = 1;
  for (int64_t d : outShape)
    count *= d;
  std::vector<T> out(count);
  SmallVector<int64_t> index(outShape.size(), 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    out[flat] = fn(lhs[broadcastIndex(lhsShape, outShape, index)],
                   rhs[broadcastIndex(rhsShape, outShape, index)]);
    for (int d = static_cast<int>(outShape.size()) - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

/// Integer arithmetic where an unknown (batch) operand gives unknown.
static int64_t intBinary(llvm::StringRef op, int64_t a, int64_t b) {
  if (isUnknownValue(a) || isUnknownValue(b))
    return kUnknownValue;
  if (op == "Equal")
    return a == b;
  if (op == "Add")
    return a + b;
  if (op == "Sub")
    return a - b;
  if (op == "Mul")
    return a * b;
  // Div: ONNX integer division truncates toward zero, as C++ does.
  return b == 0 ? kUnknownValue : a / b;
}

static double realBinary(llvm::StringRef op, double a, double b) {
  if (op == "Add")
    return a + b;
  if (op == "Sub")
    return a - b;
  if (op == "Mul")
    return a * b;
  if (op == "Equal")
    return a == b;
  return a / b;
}

/// Folds Add/Sub/Mul/Div/Equal on known tensors.
static std::optional<KnownTensor>
foldBinary(llvm::StringRef op, const KnownTensor &lhs, const KnownTensor &rhs) {
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhs.shape, rhs.shape, shape))
    return std::nullopt;
  if (lhs.isInteger() && rhs.isInteger()) {
    auto out = broadcastApply<int64_t>(
        lhs.shape, readInts(lhs), rhs.shape, readInts(rhs), shape,
        [&](int64_t a, int64_t b) { return intBinary(op, a, b); });
    return makeInts(shape, std::move(out),
                    op == "Equal" ? onnx::TensorProto::BOOL : lhs.dtype);
  }
  if (llvm::any_of(lhs.ints, isUnknownValue) ||
      llvm::any_of(rhs.ints, isUnknownValue))
    return std::nullopt;
  auto out = broadcastApply<double>(
      lhs.shape, readReals(lhs), rhs.shape, readReals(rhs), shape,
      [&](double a, double b) { return realBinary(op, a, b); });
  if (op == "Equal")
    return makeInts(shape, std::vector<int64_t>(out.begin(), out.end()),
                    onnx::TensorProto::BOOL);
  return makeReals(shape, std::move(out), lhs.dtype);
}

/// The same elements under a new shape.
static KnownTensor reshaped(const KnownTensor &tensor,
                            SmallVector<int64_t> shape) {
  KnownTensor result = tensor;
  result.shape = std::move(shape);
  if (!result.folded) {
    if (result.isInteger())
      result.ints = readInts(tensor);
    else
      result.reals = readReals(tensor);
    result.folded = true;
    result.bytes = {};
    result.owner.reset();
  }
  return result;
}

/// Gathers along `axis` with known indices.
static KnownTensor gather(const KnownTensor &data, const KnownTensor &indices,
                          int64_t axis) {
  ArrayRef<int64_t> dataShape = data.shape;
  SmallVector<int64_t> shape(dataShape.take_front(axis));
  shape.append(indices.shape.begin(), indices.shape.end());
  shape.append(dataShape.begin() + axis + 1, dataShape.end());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= dataShape[i];
  for (size_t i = axis + 1; i < dataShape.size(); ++i)
    inner *= dataShape[i];
  std::vector<int64_t> idx = readInts(indices);
  for (int64_t &i : idx)
    if (i < 0)
      i += dataShape[axis];
  auto pick = [&](auto &&values, auto &out) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i : idx)
        for (int64_t n = 0; n < inner; ++n)
          out.push_back(values[(o * dataShape[axis] + i) * inner + n]);
  };
  if (data.isInteger()) {
    std::vector<int64_t> out;
    pick(readInts(data), out);
    return makeInts(shape, std::move(out), data.dtype);
  }
  std::vector<double> out;
  pick(readReals(data), out);
  return makeReals(shape, std::move(out), data.dtype);
}

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
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
      op == "Equal") {
    std::optional<KnownTensor> result =
        foldBinary(op, first, *importer.getKnownInput(1));
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
    int64_t axis = attrs.getInt("axis", 0);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return importer.fail("axis ", attrs.getInt("axis", 0),
                           " is out of range for rank ", rank);
    importer.setKnownOutput(0, gather(first, *importer.getKnownInput(1), axis));
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
    int64_t axis = attrs.getInt("axis", 0);
    if (first.shape.size() != 1 || (axis != 0 && axis != -1))
      return false; // only shape vectors are concatenated at import
    bool integer = first.isInteger();
    std::vector<int64_t> ints;
    std::vector<double> reals;
    for (int i = 0; i < node.input_size(); ++i) {
      const KnownTensor &input = *importer.getKnownInput(i);
      if (input.shape.size() != 1 || input.isInteger() != integer)
        return false;
      if (integer) {
        std::vector<int64_t> v = readInts(input);
        ints.insert(ints.end(), v.begin(), v.end());
      } else {
        std::vector<double> v = readReals(input);
        reals.insert(reals.end(), v.begin(), v.end());
      }
    }
    auto size = static_cast<int64_t>(integer ? ints.size() : reals.size());
    importer.setKnownOutput(
        0, integer ? makeInts({size}, std::move(ints), first.dtype)
                   : makeReals({size}, std::move(reals), first.dtype));
    return true;
  }
  if (op == "Slice" && first.shape.size() == 1 && importer.getOpset() >= 10) {
    auto size = first.shape[0];
    auto read = [&](unsigned i, int64_t def) {
      const KnownTensor *t = importer.getKnownInput(i);
      return t ? readInts(*t).front() : def;
    };
    int64_t start = read(1, 0), end = read(2, size), step = read(4, 1);
    if (step == 0)
      return importer.fail("step must not be 0");
    auto clampIndex = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v += size;
      return std::clamp(v, lo, hi);
    };
    start =
        step > 0 ? clampIndex(start, 0, size) : clampIndex(start, -1, size - 1);
    end = step > 0 ? clampIndex(end, 0, size) : clampIndex(end, -1, size - 1);
    std::vector<int64_t> idx;
    for (int64_t i = start; step > 0 ? i < end : i > end; i += step)
      idx.push_back(i);
    auto count = static_cast<int64_t>(idx.size());
    KnownTensor indices = makeInts({count}, std::move(idx));
    importer.setKnownOutput(0, gather(first, indices, 0));
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
