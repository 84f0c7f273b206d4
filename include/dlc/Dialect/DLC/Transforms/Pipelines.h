//===- Pipelines.h - dlc's pass pipelines ----------------------*- C++ -*-===//
//
// Pipelines are C++ builder functions (for the library and the Python
// package) that dlc-opt also registers by name.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DLC_TRANSFORMS_PIPELINES_H
#define DLC_DIALECT_DLC_TRANSFORMS_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::dlc {

struct DeployPipelineOptions
    : public PassPipelineOptions<DeployPipelineOptions> {
  Option<int64_t> batch{*this, "batch",
                        llvm::cl::desc("Static size for a dynamic batch "
                                       "(0 keeps it dynamic)"),
                        llvm::cl::init(1)};
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("Target whose channel alignment padding follows (empty: "
                     "no padding)"),
      llvm::cl::init("")};
};

/// The deployment pipeline: fix the batch and propagate shapes,
/// canonicalize, fold batch norms, merge multi-branch blocks, pad channels
/// for `target` where the cost model says it pays, canonicalize again.
/// Every step is exact (max relative error 1e-5 against the original).
void buildDeployPipeline(OpPassManager &pm,
                         const DeployPipelineOptions &options);

/// Registers `dlc-deploy` with the pass pipeline registry.
void registerDLCPipelines();

} // namespace mlir::dlc

#endif // DLC_DIALECT_DLC_TRANSFORMS_PIPELINES_H
