//===- DLCOps.h - dlc dialect operations ------------------------*- C++ -*-===//

#ifndef DLC_DIALECT_DLC_IR_DLCOPS_H
#define DLC_DIALECT_DLC_IR_DLCOPS_H

#include "dlc/Dialect/DLC/IR/DLCAttrs.h"
#include "dlc/Dialect/DLC/IR/DLCDialect.h"
#include "dlc/Interfaces/CostOpInterface.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::dlc::detail {
class ShapeDiag;
} // namespace mlir::dlc::detail

#define GET_OP_CLASSES
#include "dlc/Dialect/DLC/IR/DLCOps.h.inc"

namespace mlir::dlc {
/// The elementwise activations and math functions: one float operand,
/// each result element a function of the same input element alone.
inline bool isElementwiseActivation(Operation *op) {
  return isa<ReluOp, ClipOp, SigmoidOp, SiluOp, TanhOp, HardSwishOp,
             HardSigmoidOp, GeluOp, SqrtOp, ExpOp, LogOp, ErfOp, NegOp, AbsOp,
             ReciprocalOp, LeakyReluOp, EluOp, SoftplusOp>(op);
}

/// The spatial ops that compute each channel of an N x C x H x W result from
/// the same input channel alone (pooling, resize).
inline bool isChannelwiseSpatial(Operation *op) {
  return isa<MaxPool2DOp, AvgPool2DOp, GlobalAvgPoolOp, ResizeOp>(op);
}

/// The ops that carry per-tensor int8 values in their input's scale:
/// pooling (averages rounded back), nearest resize and data movement.
inline bool carriesInt8(Operation *op) {
  if (auto resize = dyn_cast<ResizeOp>(op))
    return resize.getMode() == ResizeMode::nearest;
  return isa<MaxPool2DOp, AvgPool2DOp, GlobalAvgPoolOp, ConcatOp, TransposeOp,
             SliceOp, SplitOp, ReshapeOp, FlattenOp>(op);
}
} // namespace mlir::dlc

#endif // DLC_DIALECT_DLC_IR_DLCOPS_H
