//===- ConvertEinsum.cpp - ONNX Einsum as a batched matrix product --------===//
//
// Einsum of one operand is a transpose. Of two, where every index is a
// batch index (in both
// operands and the result), a free index of one operand (and the result),
// or a contracted one (in both operands, not the result): attention's
// "bhid,bhjd->bhij" and its kin. Each operand is transposed to
// (batch, free, contracted) order and reshaped to (batch, M, K) /
// (batch, K, N); one dlc.matmul multiplies them; the product is reshaped
// back to (batch, free of the first, free of the second) and transposed to
// the equation's result order. Transposes and reshapes that would change
// nothing are left out.
//
//===----------------------------------------------------------------------===//

#include "ConvertHelpers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::onnx_import;

namespace {
/// A parsed two-operand equation: one letter per axis.
struct Equation {
  std::string lhs, rhs, result;
  int operands = 0;
};
} // namespace

/// Parses "ab,bc->ac" (spaces allowed; without "->" the result is the
/// letters that appear once, in alphabetical order, as numpy does).
static FailureOr<Equation> parseEquation(Importer &imp, StringRef text) {
  std::string compact;
  for (char c : text)
    if (c != ' ')
      compact.push_back(c);
  StringRef rest(compact);
  if (rest.contains("..."))
    return imp.fail("equation '", text, "' uses an ellipsis (not supported)");
  auto [inputs, result] = rest.split("->");
  bool explicitResult = rest.contains("->");
  SmallVector<StringRef> terms;
  inputs.split(terms, ',');
  if (terms.size() != 1 && terms.size() != 2)
    return imp.fail("equation '", text, "' has ", terms.size(),
                    " operands (1 or 2 are supported)");
  Equation eq{terms[0].str(), terms.size() == 2 ? terms[1].str() : "",
              result.str(), static_cast<int>(terms.size())};
  if (!explicitResult) {
    eq.result.clear();
    for (char c = 'A'; c <= 'z'; ++c)
      if (llvm::count(eq.lhs + eq.rhs, c) == 1)
        eq.result.push_back(c);
  }
  for (const std::string *term : {&eq.lhs, &eq.rhs, &eq.result})
    for (char c : *term)
      if (!llvm::isAlpha(c) || llvm::count(*term, c) != 1)
        return imp.fail("equation '", text, "': '", std::string(1, c),
                        "' is not one distinct letter per axis of a term");
  return eq;
}

/// The permutation taking `from`'s letters to the order of `to`.
static SmallVector<int64_t> permutation(StringRef from, StringRef to) {
  SmallVector<int64_t> perm;
  for (char c : to)
    perm.push_back(static_cast<int64_t>(from.find(c)));
  return perm;
}

static bool isIdentity(ArrayRef<int64_t> perm) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (p != static_cast<int64_t>(i))
      return false;
  return true;
}

/// `value` (axes named by `letters`) transposed to `order`.
static FailureOr<Value> transposeTo(Importer &imp, Value value,
                                    StringRef letters, StringRef order) {
  SmallVector<int64_t> perm = permutation(letters, order);
  if (isIdentity(perm))
    return value;
  FailureOr<TransposeOp> op = imp.create<TransposeOp>(value, perm);
  if (failed(op))
    return failure();
  return op->getResult();
}

/// `value` reshaped to `shape` unless it has it already.
static FailureOr<Value> reshapeIfNeeded(Importer &imp, Value value,
                                        ArrayRef<int64_t> shape) {
  if (cast<ShapedType>(value.getType()).getShape() == shape)
    return value;
  return reshapeTo(imp, value, shape);
}

LogicalResult mlir::dlc::onnx_import::convertEinsum(Importer &imp,
                                                    const NodeAttrs &attrs) {
  std::string text = attrs.getString("equation", "");
  FailureOr<Equation> eq = parseEquation(imp, text);
  if (failed(eq))
    return failure();
  if (imp.getNode().input_size() != eq->operands)
    return imp.fail("equation '", text, "' has ", eq->operands,
                    " operands but the node ", imp.getNode().input_size(),
                    " inputs");
  Value a = imp.getInput(0);
  if (!a)
    return failure();
  if (eq->operands == 1) {
    // One operand: a transpose (an axis summed away or taken twice, as a
    // trace, is not modelled).
    if (cast<ShapedType>(a.getType()).getRank() !=
            static_cast<int64_t>(eq->lhs.size()) ||
        eq->result.size() != eq->lhs.size())
      return imp.fail("equation '", text,
                      "' with one operand must permute all its axes");
    return setResult(imp, transposeTo(imp, a, eq->lhs, eq->result));
  }
  Value b = imp.getInput(1);
  if (!b)
    return failure();
  ArrayRef<int64_t> aShape = cast<ShapedType>(a.getType()).getShape();
  ArrayRef<int64_t> bShape = cast<ShapedType>(b.getType()).getShape();
  if (aShape.size() != eq->lhs.size() || bShape.size() != eq->rhs.size())
    return imp.fail("equation '", text, "' names ", eq->lhs.size(), " and ",
                    eq->rhs.size(), " axes for operands of rank ",
                    aShape.size(), " and ", bShape.size());
  // Classify the letters; sizes of shared letters must agree.
  std::string batch, free1, free2, contracted;
  llvm::DenseMap<char, int64_t> size;
  for (auto [term, shape] : {std::pair(StringRef(eq->lhs), aShape),
                             std::pair(StringRef(eq->rhs), bShape)})
    for (auto [c, d] : llvm::zip(term, shape)) {
      auto [it, inserted] = size.try_emplace(c, d);
      if (!inserted && it->second != d)
        return imp.fail("equation '", text, "': axis '", std::string(1, c),
                        "' has sizes ", it->second, " and ", d);
    }
  for (char c : eq->result)
    if (!StringRef(eq->lhs).contains(c) && !StringRef(eq->rhs).contains(c))
      return imp.fail("equation '", text, "': result axis '", std::string(1, c),
                      "' is in no operand");
  for (char c : eq->lhs) {
    bool inB = StringRef(eq->rhs).contains(c);
    bool inResult = StringRef(eq->result).contains(c);
    if (inB)
      (inResult ? batch : contracted).push_back(c);
    else if (inResult)
      free1.push_back(c);
    else
      return imp.fail("equation '", text, "' sums axis '", std::string(1, c),
                      "' of one operand alone (not supported)");
  }
  for (char c : eq->rhs)
    if (!StringRef(eq->lhs).contains(c)) {
      if (!StringRef(eq->result).contains(c))
        return imp.fail("equation '", text, "' sums axis '", std::string(1, c),
                        "' of one operand alone (not supported)");
      free2.push_back(c);
    }
  auto product = [&](StringRef letters) -> std::optional<int64_t> {
    int64_t p = 1;
    for (char c : letters) {
      int64_t d = size.lookup(c);
      if (ShapedType::isDynamic(d))
        return std::nullopt;
      p *= d;
    }
    return p;
  };
  std::optional<int64_t> m = product(free1), n = product(free2),
                         k = product(contracted);
  if (!m || !n || !k)
    return imp.fail("equation '", text,
                    "' has a dynamic non-batch axis (not supported)");
  SmallVector<int64_t> batchShape;
  for (char c : batch)
    batchShape.push_back(size.lookup(c));
  auto withBatch = [&](std::initializer_list<int64_t> dims) {
    SmallVector<int64_t> shape(batchShape);
    shape.append(dims);
    return shape;
  };
  FailureOr<Value> lhs =
      transposeTo(imp, a, eq->lhs, batch + free1 + contracted);
  if (failed(lhs) ||
      failed(lhs = reshapeIfNeeded(imp, *lhs, withBatch({*m, *k}))))
    return failure();
  FailureOr<Value> rhs =
      transposeTo(imp, b, eq->rhs, batch + contracted + free2);
  if (failed(rhs) ||
      failed(rhs = reshapeIfNeeded(imp, *rhs, withBatch({*k, *n}))))
    return failure();
  FailureOr<MatMulOp> matmul = imp.create<MatMulOp>(*lhs, *rhs);
  if (failed(matmul))
    return failure();
  SmallVector<int64_t> unfolded(batchShape);
  for (char c : free1 + free2)
    unfolded.push_back(size.lookup(c));
  FailureOr<Value> result = reshapeIfNeeded(imp, matmul->getResult(), unfolded);
  if (failed(result) ||
      failed(result =
                 transposeTo(imp, *result, batch + free1 + free2, eq->result)))
    return failure();
  imp.setOutput(0, *result);
  return success();
}
