//===- CostAtBatch.h - cost a function at a given batch size ----*- C++ -*-===//

#ifndef DLC_LIB_DIALECT_DLC_TRANSFORMS_COSTATBATCH_H
#define DLC_LIB_DIALECT_DLC_TRANSFORMS_COSTATBATCH_H

#include "dlc/Analysis/CostModel.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::dlc {

/// The cost of `func` with a dynamic batch given the size `batch` (costed on
/// a copy; the function is not changed), with `perOp` (optional) filled with
/// each costed op of `func` (not of the copy) and its cost.
NetworkCost costAtBatch(func::FuncOp func, const Target &target, int64_t batch,
                        llvm::DenseMap<Operation *, OpCost> *perOp = nullptr);

} // namespace mlir::dlc

#endif // DLC_LIB_DIALECT_DLC_TRANSFORMS_COSTATBATCH_H
