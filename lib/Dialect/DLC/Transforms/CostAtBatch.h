//===- CostAtBatch.h - cost a function at a given batch size ----*- C++ -*-===//

#ifndef DLC_LIB_DIALECT_DLC_TRANSFORMS_COSTATBATCH_H
#define DLC_LIB_DIALECT_DLC_TRANSFORMS_COSTATBATCH_H

#include "dlc/Analysis/CostModel.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::dlc {

/// What one op costs and its predicted time.
struct OpTime {
  OpCost cost;
  double timeUs = 0.0;
};

/// The cost of `func` with a dynamic batch given the size `batch` (costed on
/// a copy; the function is not changed), with `perOp` (optional) filled with
/// each costed op of `func` (not of the copy), its cost and time.
NetworkCost costAtBatch(func::FuncOp func, const Target &target, int64_t batch,
                        llvm::DenseMap<Operation *, OpTime> *perOp = nullptr);

} // namespace mlir::dlc

#endif // DLC_LIB_DIALECT_DLC_TRANSFORMS_COSTATBATCH_H
