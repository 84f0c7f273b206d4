//===- Passes.h - dlc dialect passes ----------------------------*- C++ -*-===//

#ifndef DLC_DIALECT_DLC_TRANSFORMS_PASSES_H
#define DLC_DIALECT_DLC_TRANSFORMS_PASSES_H

#include "dlc/Dialect/DLC/IR/DLCDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::dlc {

#define GEN_PASS_DECL
#include "dlc/Dialect/DLC/Transforms/Passes.h.inc"

/// Gives a dynamic batch dimension of `func`'s arguments the size `batch`
/// (0 keeps it) and re-infers every result type (what dlc-infer-shapes does
/// to each function; callers must not depend on the old signature).
LogicalResult inferFunctionShapes(func::FuncOp func, int64_t batch);

#define GEN_PASS_REGISTRATION
#include "dlc/Dialect/DLC/Transforms/Passes.h.inc"

} // namespace mlir::dlc

#endif // DLC_DIALECT_DLC_TRANSFORMS_PASSES_H
