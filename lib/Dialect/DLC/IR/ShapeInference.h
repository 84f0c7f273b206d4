//===- ShapeInference.h - shared result-type inference helpers --*- C++ -*-===//
//
// Each dlc op has one function that both infers its result types and checks
// its operands. It runs twice with different diagnostics:
//  - from InferTypeOpInterface (builders, the parser, dlc-infer-shapes) it is
//    silent, and an inconsistent op gets an unranked placeholder result;
//  - from the op's verifier it reports the precise problem, once.
// This keeps "failed to infer returned types" noise out of diagnostics while
// every message still comes from the same code that computes the shape.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_DIALECT_DLC_IR_SHAPEINFERENCE_H
#define DLC_LIB_DIALECT_DLC_IR_SHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <string>

namespace mlir::dlc::detail {

/// Reports a shape error on an op when verifying, or nothing when inferring.
class ShapeDiag {
public:
  explicit ShapeDiag(Operation *op = nullptr) : op(op) {}

  template <typename... Args>
  LogicalResult operator()(const Args &...args) const {
    if (op) {
      InFlightDiagnostic diag = op->emitOpError();
      (diag << ... << args);
    }
    return failure();
  }

private:
  Operation *op;
};

/// Formats a shape as "[1, 64, ?, 7]".
std::string formatShape(ArrayRef<int64_t> shape);

/// Size of the window an output element reads along one spatial dimension.
inline int64_t dilatedExtent(int64_t kernel, int64_t dilation) {
  return dilation * (kernel - 1) + 1;
}

/// Output size of a sliding window (convolution or pooling) along one
/// dimension, following ONNX; dynamic input gives dynamic output. Returns
/// failure (through `diag`) when the window does not fit the padded input.
FailureOr<int64_t> slidingWindowSize(const ShapeDiag &diag, StringRef dimName,
                                     int64_t input, int64_t kernel,
                                     int64_t stride, int64_t padBegin,
                                     int64_t padEnd, int64_t dilation,
                                     bool ceilMode);

/// Checks the 2-D window attributes shared by conv2d and the pooling ops.
LogicalResult verifyWindowAttrs(const ShapeDiag &diag, ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations);

/// Output shape [N, M, OH, OW] of a convolution of an `in` (N x C x H x W)
/// input with an `weight` (M x C/groups x KH x KW) weight, checking the
/// channels, groups, per-channel bias and window attributes.
FailureOr<SmallVector<int64_t>>
inferConvShape(const ShapeDiag &diag, ArrayRef<int64_t> in,
               ArrayRef<int64_t> weight, Value bias, ArrayRef<int64_t> strides,
               ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
               int64_t groups);

/// Result shape of a batched matrix product (numpy `matmul` broadcasting).
FailureOr<SmallVector<int64_t>> inferMatMulShape(const ShapeDiag &diag,
                                                 ArrayRef<int64_t> lhs,
                                                 ArrayRef<int64_t> rhs);

/// Maps a possibly negative axis into [0, rank); fails when out of range.
FailureOr<int64_t> normalizeAxis(const ShapeDiag &diag, StringRef what,
                                 int64_t axis, int64_t rank);

/// Numpy broadcast of two shapes; fails naming both when incompatible.
FailureOr<SmallVector<int64_t>> broadcastShapes(const ShapeDiag &diag,
                                                ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs);

/// Runs `infer` silently for InferTypeOpInterface: an op whose operands are
/// inconsistent gets an unranked placeholder result, which the verifier then
/// rejects with the precise message.
template <typename AdaptorT, typename InferFn>
LogicalResult inferLeniently(AdaptorT adaptor, SmallVectorImpl<Type> &types,
                             InferFn infer) {
  if (succeeded(infer(adaptor, ShapeDiag(), types)))
    return success();
  types.clear();
  ValueRange operands = adaptor.getOperands();
  Type elementType =
      operands.empty()
          ? Type()
          : cast<ShapedType>(operands.front().getType()).getElementType();
  if (!elementType)
    return failure();
  types.push_back(UnrankedTensorType::get(elementType));
  return success();
}

/// Runs `infer` for the op's verifier, reporting the first problem, and
/// checks the declared result types against the inferred ones.
template <typename OpT, typename InferFn>
LogicalResult verifyInferred(OpT op, InferFn infer) {
  SmallVector<Type> inferred;
  if (failed(infer(typename OpT::Adaptor(op), ShapeDiag(op), inferred)))
    return failure();
  for (auto [index, actual, expected] :
       llvm::enumerate(op->getResultTypes(), inferred)) {
    if (actual != expected)
      return op->emitOpError()
             << "result #" << index << " has type " << actual
             << " but its operands and attributes give " << expected;
  }
  return success();
}

/// Types match exactly, or one side is the placeholder of a failed inference
/// (the verifier reports those).
bool isCompatibleInferredTypes(TypeRange lhs, TypeRange rhs);

} // namespace mlir::dlc::detail

#endif // DLC_LIB_DIALECT_DLC_IR_SHAPEINFERENCE_H
