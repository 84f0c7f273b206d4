//===- InferShapes.cpp - propagate shapes, optionally fixing the batch ----===//
//
// Implements `dlc-infer-shapes`: re-runs every op's type inference in program
// order so that a change of input types (a dynamic batch made static, an
// edited argument) flows through the whole function.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "dlc/Support/Debug.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#define DEBUG_TYPE "dlc-infer-shapes"

namespace mlir::dlc {
#define GEN_PASS_DEF_INFERSHAPES
#include "dlc/Dialect/DLC/Transforms/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;

/// True when some tensor argument has a dynamic leading (batch) dimension.
static bool hasDynamicBatch(func::FuncOp func) {
  return llvm::any_of(func.getArgumentTypes(), [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && tensor.getRank() > 0 && tensor.isDynamicDim(0);
  });
}

/// Gives a dynamic leading dimension of each tensor argument the size `batch`.
static void specializeBatch(func::FuncOp func, int64_t batch) {
  for (BlockArgument arg : func.front().getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() == 0 || !type.isDynamicDim(0))
      continue;
    SmallVector<int64_t> shape(type.getShape());
    shape[0] = batch;
    arg.setType(type.clone(shape));
  }
}

/// Re-infers the result types of `op`; reports the op on failure.
/// Quantized ops declare their result types (scales cannot be inferred);
/// their leading (batch) dimension follows their first operand's.
static void refineQuantizedBatch(Operation *op) {
  if (!isa<QuantizeOp, DequantizeOp, RequantizeOp, QConv2DOp, QLinearOp,
           QMatMulOp, QAddOp>(op))
    return;
  auto input = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto result = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!input || !result || input.getRank() == 0 || result.getRank() == 0 ||
      !result.isDynamicDim(0) || input.isDynamicDim(0))
    return;
  SmallVector<int64_t> shape(result.getShape());
  shape[0] = input.getDimSize(0);
  op->getResult(0).setType(result.clone(shape));
}

static LogicalResult refineResults(Operation *op) {
  auto infer = dyn_cast<InferTypeOpInterface>(op);
  if (!infer) {
    refineQuantizedBatch(op);
    return success();
  }
  SmallVector<Type> types;
  if (failed(infer.inferReturnTypes(
          op->getContext(), op->getLoc(), op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), types)) ||
      types.size() != op->getNumResults() ||
      llvm::any_of(types, [](Type t) { return isa<UnrankedTensorType>(t); })) {
    // The verifier names what is inconsistent; fall back to a plain message.
    if (succeeded(verify(op, /*verifyRecursively=*/false)))
      op->emitOpError("has operands whose types no longer agree");
    return failure();
  }
  for (auto [result, type] : llvm::zip(op->getResults(), types)) {
    if (result.getType() != type) {
      DLC_DEBUG(llvm::errs() << "refined " << op->getName() << " result "
                             << result.getType() << " -> " << type << "\n");
      result.setType(type);
    }
  }
  return success();
}

LogicalResult mlir::dlc::inferFunctionShapes(func::FuncOp func, int64_t batch) {
  if (batch > 0)
    specializeBatch(func, batch);
  WalkResult walk = func.walk([](Operation *op) {
    return failed(refineResults(op)) ? WalkResult::interrupt()
                                     : WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  // Re-inferred results only differ from the declared ones where the
  // arguments changed, so the returned types are the new signature.
  func.walk([&](func::ReturnOp ret) {
    func.setType(FunctionType::get(func.getContext(),
                                   func.front().getArgumentTypes(),
                                   ret.getOperandTypes()));
  });
  return success();
}

namespace {
struct InferShapesPass : dlc::impl::InferShapesBase<InferShapesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (batch < 0) {
      module.emitError() << "dlc-infer-shapes: expects batch >= 0, got "
                         << static_cast<int64_t>(batch);
      return signalPassFailure();
    }
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isExternal() && failed(runOnFunction(func, module)))
        return signalPassFailure();
    }
  }

  LogicalResult runOnFunction(func::FuncOp func, ModuleOp module) {
    if (batch > 0 && hasDynamicBatch(func) &&
        !SymbolTable::symbolKnownUseEmpty(func, module))
      return func.emitError()
             << "dlc-infer-shapes cannot give @" << func.getSymName()
             << " a static batch: it is called elsewhere in the module";
    return inferFunctionShapes(func, batch);
  }
};
} // namespace
