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

#endif // DLC_DIALECT_DLC_IR_DLCOPS_H
