//===- CostAtBatch.cpp - cost a function at a given batch size ------------===//

#include "CostAtBatch.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::dlc;

NetworkCost mlir::dlc::costAtBatch(func::FuncOp func, const Target &target,
                                   int64_t batch,
                                   llvm::DenseMap<Operation *, OpTime> *perOp) {
  func::FuncOp copy = func.clone();
  NetworkCost cost;
  if (succeeded(inferFunctionShapes(copy, batch))) {
    cost = costNetwork(copy, target, /*fuse=*/true);
    if (perOp) {
      // The copy's ops are in the same order as the original's.
      llvm::DenseMap<Operation *, Operation *> original;
      for (auto [ours, theirs] : llvm::zip(func.front().getOperations(),
                                           copy.front().getOperations()))
        original[&theirs] = &ours;
      for (const LayerCost &layer : cost.layers)
        if (layer.cost)
          (*perOp)[original.lookup(layer.op)] = {*layer.cost, layer.timeUs};
    }
  }
  copy.erase();
  return cost;
}
