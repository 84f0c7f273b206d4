//===- KnownTensorOps.cpp - ONNX ops on tensors known at import ----------===//
//
// The arithmetic, comparisons and data movement FoldShapes.cpp evaluates
// on small host tensors (int64 or double elements, broadcast as numpy
// does); an unknown (dynamic batch) integer makes what it touches unknown.
//
//===----------------------------------------------------------------------===//

#include "KnownTensorOps.h"
#include "mlir/Dialect/Traits.h"
#include <cmath>
#include <type_traits>

using namespace mlir;

namespace mlir::dlc::onnx_import {

KnownTensor makeInts(SmallVector<int64_t> shape, std::vector<int64_t> values,
                     int32_t dtype) {
  KnownTensor tensor;
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.ints = std::move(values);
  tensor.folded = true;
  return tensor;
}

KnownTensor makeReals(SmallVector<int64_t> shape, std::vector<double> values,
                      int32_t dtype) {
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

/// fn(index) for each position of a tensor of `shape`, in row-major order.
template <typename Fn>
static void forEachIndex(ArrayRef<int64_t> shape, Fn fn) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    fn(ArrayRef<int64_t>(index));
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

template <typename T, typename Fn>
static std::vector<T>
broadcastApply(ArrayRef<int64_t> lhsShape, const std::vector<T> &lhs,
               ArrayRef<int64_t> rhsShape, const std::vector<T> &rhs,
               ArrayRef<int64_t> outShape, Fn fn) {
  std::vector<T> out;
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    out.push_back(fn(lhs[broadcastIndex(lhsShape, outShape, index)],
                     rhs[broadcastIndex(rhsShape, outShape, index)]));
  });
  return out;
}

/// The ops foldBinary evaluates.
bool isFoldableBinary(llvm::StringRef op) {
  return llvm::is_contained({"Add", "Sub", "Mul", "Div", "Mod", "Equal", "Less",
                             "Greater", "Min", "Max"},
                            op);
}

static bool isComparison(llvm::StringRef op) {
  return op == "Equal" || op == "Less" || op == "Greater";
}

/// a mod b with the sign of b (ONNX Mod with fmod = 0, Python's %).
static double floorMod(double a, double b) {
  double r = std::fmod(a, b);
  return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
}

/// `op` (isFoldableBinary's) on two values; comparisons give 0 or 1.
template <typename T> static T arithmetic(llvm::StringRef op, T a, T b) {
  if (op == "Add")
    return a + b;
  if (op == "Sub")
    return a - b;
  if (op == "Mul")
    return a * b;
  if (op == "Equal")
    return a == b;
  if (op == "Less")
    return a < b;
  if (op == "Greater")
    return a > b;
  if (op == "Min")
    return std::min(a, b);
  if (op == "Max")
    return std::max(a, b);
  if (op == "Mod") {
    if constexpr (std::is_integral_v<T>)
      return (a % b + b) % b; // the sign of b
    else
      return floorMod(a, b);
  }
  // Div: ONNX integer division truncates toward zero, as C++ does.
  return a / b;
}

/// Integer arithmetic where an unknown (batch) operand gives unknown.
static int64_t intBinary(llvm::StringRef op, int64_t a, int64_t b) {
  // The batch size is at least 1: never equal to -1 (the "keep this
  // dimension" of Reshape and Expand shapes PyTorch compares it with), and
  // unchanged by a product with 1.
  if (op == "Equal" && (a == kBatchDim) != (b == kBatchDim) &&
      !isUnknownValue(a == kBatchDim ? b : a) && (a == kBatchDim ? b : a) < 1)
    return 0;
  if (op == "Mul" && ((a == kBatchDim && b == 1) || (b == kBatchDim && a == 1)))
    return kBatchDim;
  if (isUnknownValue(a) || isUnknownValue(b) ||
      ((op == "Mod" || op == "Div") && b == 0))
    return kUnknownValue;
  return arithmetic(op, a, b);
}

/// Folds the binary ops of isFoldableBinary on known tensors (comparisons
/// give BOOL).
std::optional<KnownTensor>
foldBinary(llvm::StringRef op, const KnownTensor &lhs, const KnownTensor &rhs) {
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhs.shape, rhs.shape, shape))
    return std::nullopt;
  if (lhs.isInteger() && rhs.isInteger()) {
    auto out = broadcastApply<int64_t>(
        lhs.shape, readInts(lhs), rhs.shape, readInts(rhs), shape,
        [&](int64_t a, int64_t b) { return intBinary(op, a, b); });
    return makeInts(shape, std::move(out),
                    isComparison(op) ? onnx::TensorProto::BOOL : lhs.dtype);
  }
  if (llvm::any_of(lhs.ints, isUnknownValue) ||
      llvm::any_of(rhs.ints, isUnknownValue))
    return std::nullopt;
  auto out = broadcastApply<double>(
      lhs.shape, readReals(lhs), rhs.shape, readReals(rhs), shape,
      [&](double a, double b) { return arithmetic(op, a, b); });
  if (isComparison(op))
    return makeInts(shape, std::vector<int64_t>(out.begin(), out.end()),
                    onnx::TensorProto::BOOL);
  return makeReals(shape, std::move(out), lhs.dtype);
}

/// Where(cond, x, y) on known tensors, broadcast together.
std::optional<KnownTensor>
foldWhere(const KnownTensor &cond, const KnownTensor &x, const KnownTensor &y) {
  SmallVector<int64_t> xy, shape;
  if (!OpTrait::util::getBroadcastedShape(x.shape, y.shape, xy) ||
      !OpTrait::util::getBroadcastedShape(cond.shape, xy, shape) ||
      x.isInteger() != y.isInteger())
    return std::nullopt;
  std::vector<int64_t> c = readInts(cond);
  if (llvm::any_of(c, isUnknownValue))
    return std::nullopt;
  auto pick = [&](const auto &xs, const auto &ys) {
    std::decay_t<decltype(xs)> out;
    forEachIndex(shape, [&](ArrayRef<int64_t> index) {
      out.push_back(c[broadcastIndex(cond.shape, shape, index)]
                        ? xs[broadcastIndex(x.shape, shape, index)]
                        : ys[broadcastIndex(y.shape, shape, index)]);
    });
    return out;
  };
  if (x.isInteger())
    return makeInts(shape, pick(readInts(x), readInts(y)), x.dtype);
  return makeReals(shape, pick(readReals(x), readReals(y)), x.dtype);
}

/// The same elements under a new shape.
KnownTensor reshaped(const KnownTensor &tensor, SmallVector<int64_t> shape) {
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

/// The transpose of a known tensor (`perm` empty: the axes reversed).
KnownTensor transposed(const KnownTensor &tensor, SmallVector<int64_t> perm) {
  auto rank = static_cast<int64_t>(tensor.shape.size());
  if (perm.empty())
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  SmallVector<int64_t> shape, strides = stridesOf(tensor.shape);
  for (int64_t d : perm)
    shape.push_back(tensor.shape[d]);
  auto permute = [&](const auto &values) {
    std::decay_t<decltype(values)> out;
    forEachIndex(shape, [&](ArrayRef<int64_t> index) {
      int64_t at = 0;
      for (int64_t d = 0; d < rank; ++d)
        at += index[d] * strides[perm[d]];
      out.push_back(values[at]);
    });
    return out;
  };
  if (tensor.isInteger())
    return makeInts(shape, permute(readInts(tensor)), tensor.dtype);
  return makeReals(shape, permute(readReals(tensor)), tensor.dtype);
}

/// ScatterND(data, indices, updates) on known tensors (reduction none):
/// each index tuple of the last axis of `indices` replaces one element or
/// slice of `data`; nullopt for out-of-range indices.
std::optional<KnownTensor> scatterND(const KnownTensor &data,
                                     const KnownTensor &indices,
                                     const KnownTensor &updates) {
  if (indices.shape.empty() || data.isInteger() != updates.isInteger())
    return std::nullopt;
  auto k = static_cast<size_t>(indices.shape.back());
  if (k > data.shape.size())
    return std::nullopt;
  int64_t sliceSize = 1;
  for (size_t d = k; d < data.shape.size(); ++d)
    sliceSize *= data.shape[d];
  SmallVector<int64_t> strides = stridesOf(data.shape);
  std::vector<int64_t> idx = readInts(indices);
  int64_t tuples = k ? static_cast<int64_t>(idx.size() / k) : 1;
  if (updates.numElements() != tuples * sliceSize)
    return std::nullopt;
  auto scatter = [&](auto values, const auto &with) {
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t at = 0;
      for (size_t d = 0; d < k; ++d) {
        int64_t i = idx[t * k + d];
        if (i < 0)
          i += data.shape[d];
        if (i < 0 || i >= data.shape[d])
          return std::optional<decltype(values)>();
        at += i * strides[d];
      }
      for (int64_t n = 0; n < sliceSize; ++n)
        values[at + n] = with[t * sliceSize + n];
    }
    return std::optional<decltype(values)>(std::move(values));
  };
  if (data.isInteger()) {
    auto values = scatter(readInts(data), readInts(updates));
    if (!values)
      return std::nullopt;
    return makeInts(data.shape, std::move(*values), data.dtype);
  }
  auto values = scatter(readReals(data), readReals(updates));
  if (!values)
    return std::nullopt;
  return makeReals(data.shape, std::move(*values), data.dtype);
}

/// Gathers along `axis` with known indices.
KnownTensor gather(const KnownTensor &data, const KnownTensor &indices,
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

} // namespace mlir::dlc::onnx_import
