//===- Pipelines.cpp - dlc's pass pipelines -------------------------------===//

#include "dlc/Dialect/DLC/Transforms/Pipelines.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::dlc;

void mlir::dlc::buildDeployPipeline(OpPassManager &pm,
                                    const DeployPipelineOptions &options) {
  pm.addPass(createInferShapes(InferShapesOptions{options.batch}));
  pm.addPass(createCanonicalizerPass());
  OpPassManager &funcs = pm.nest<func::FuncOp>();
  funcs.addPass(createFoldBatchNorm());
  funcs.addPass(createReparameterize());
  if (!options.target.empty()) {
    PadChannelsOptions pad;
    pad.target = options.target;
    funcs.addPass(createPadChannels(pad));
  }
  pm.addPass(createCanonicalizerPass());
}

void mlir::dlc::registerDLCPipelines() {
  PassPipelineRegistration<DeployPipelineOptions>(
      "dlc-deploy",
      "Prepare a network for deployment: static batch, batch-norm folding, "
      "branch merging and (with target=) channel padding",
      buildDeployPipeline);
}
