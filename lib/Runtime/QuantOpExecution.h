//===- QuantOpExecution.h - running the quantized dlc ops -------*- C++ -*-===//

#ifndef DLC_LIB_RUNTIME_QUANTOPEXECUTION_H
#define DLC_LIB_RUNTIME_QUANTOPEXECUTION_H

#include "dlc/Runtime/Tensor.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::dlc::runtime::detail {

/// Runs `op` when it is a quantized op; returns false for any other op.
bool runQuantizedOp(Operation &op,
                    llvm::function_ref<const Tensor &(Value)> get,
                    llvm::SmallVectorImpl<Tensor> &results);

/// Whether `op` is a pooling or data-movement op over int8 values, which
/// the executor runs through its fp32 kernel on the (exact) integers.
bool movesInt8(Operation &op);
/// The fp32 form of an int8 operand (other tensors unchanged).
Tensor int8Operand(const Tensor &tensor);
/// The int8 result from the fp32 kernel's: averages rounded half to even
/// and clamped to the result's storage range, other values as they are.
Tensor int8Result(Operation &op, Value result, const Tensor &computed);

} // namespace mlir::dlc::runtime::detail

#endif // DLC_LIB_RUNTIME_QUANTOPEXECUTION_H
