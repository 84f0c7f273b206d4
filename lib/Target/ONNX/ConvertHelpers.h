//===- ConvertHelpers.h - what the ONNX op converters share ----*- C++ -*-===//
//
// Helpers of the converters (ConvertOps.cpp and the files it is split
// into) and the converters defined outside ConvertOps.cpp, which holds
// the registry.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_TARGET_ONNX_CONVERTHELPERS_H
#define DLC_LIB_TARGET_ONNX_CONVERTHELPERS_H

#include "Importer.h"
#include <cstdio>
#include <string>

namespace mlir::dlc::onnx_import {

using Ints = SmallVector<int64_t>;

/// Records `op`'s single result as output 0.
template <typename OpT>
LogicalResult setResult(Importer &imp, FailureOr<OpT> op) {
  if (failed(op))
    return failure();
  imp.setOutput(0, (*op)->getResult(0));
  return success();
}

/// Records `value` as output 0.
inline LogicalResult setResult(Importer &imp, FailureOr<Value> value) {
  if (failed(value))
    return failure();
  imp.setOutput(0, *value);
  return success();
}

/// The integers of input `index`, which must be known at import time.
inline FailureOr<Ints> requireKnownInts(Importer &imp, unsigned index,
                                        llvm::StringRef what) {
  const KnownTensor *tensor = imp.getKnownInput(index);
  if (!tensor)
    return imp.fail(what, " (input #", index,
                    ") must be a constant or computable from shapes");
  std::vector<int64_t> values = readInts(*tensor);
  return Ints(values.begin(), values.end());
}

/// Fails unless only the node's first output is consumed.
inline LogicalResult requireSingleOutput(Importer &imp) {
  const onnx::NodeProto &node = imp.getNode();
  for (int i = 1; i < node.output_size(); ++i)
    if (!node.output(i).empty() && imp.isConsumed(node.output(i)))
      return imp.fail("output #", i, " ('", node.output(i),
                      "') is not supported");
  return success();
}

inline int64_t rankOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getRank();
}

inline ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// `value` as %g prints it (1.5, not 1.500000e+00), for diagnostics.
inline std::string shortNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

/// A dlc.reshape of `input` to `shape` at the node, where dynamic dims
/// become the single -1.
FailureOr<Value> reshapeTo(Importer &imp, Value input, ArrayRef<int64_t> shape);

/// Transposed convolution and depth/space rearrangements
/// (ConvertConvTranspose.cpp).
LogicalResult convertConvTranspose(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertDepthToSpace(Importer &imp, const NodeAttrs &attrs);

/// Reductions (ConvertReduce.cpp).
LogicalResult convertReduce(Importer &imp, const NodeAttrs &attrs);

/// Einsum of one or two operands (ConvertEinsum.cpp).
LogicalResult convertEinsum(Importer &imp, const NodeAttrs &attrs);

/// Data movement (ConvertDataMovement.cpp).
LogicalResult convertReshape(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertSqueezeLike(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertFlatten(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertTranspose(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertConcat(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertSlice(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertGather(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertSplit(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertPad(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertExpand(Importer &imp, const NodeAttrs &attrs);
LogicalResult convertResize(Importer &imp, const NodeAttrs &attrs);

} // namespace mlir::dlc::onnx_import

#endif // DLC_LIB_TARGET_ONNX_CONVERTHELPERS_H
