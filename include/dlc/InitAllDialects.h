//===- InitAllDialects.h - every dialect dlc tools load ---------*- C++ -*-===//

#ifndef DLC_INITALLDIALECTS_H
#define DLC_INITALLDIALECTS_H

#include "dlc/Dialect/DLC/IR/DLCDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"

namespace mlir::dlc {

/// Adds the dlc dialect and the upstream dialects dlc IR is written with.
inline void registerAllDialects(DialectRegistry &registry) {
  registry.insert<DLCDialect, arith::ArithDialect, func::FuncDialect,
                  quant::QuantDialect, tensor::TensorDialect>();
}

} // namespace mlir::dlc

#endif // DLC_INITALLDIALECTS_H
