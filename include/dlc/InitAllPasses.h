//===- InitAllPasses.h - every pass dlc tools offer -------------*- C++ -*-===//

#ifndef DLC_INITALLPASSES_H
#define DLC_INITALLPASSES_H

#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "dlc/Dialect/DLC/Transforms/Pipelines.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::dlc {

/// Registers dlc's passes and the generic upstream ones (canonicalize, cse,
/// inline, ...) that dlc pipelines use.
inline void registerAllPasses() {
  registerDLCPasses();
  registerDLCPipelines();
  mlir::registerTransformsPasses();
}

} // namespace mlir::dlc

#endif // DLC_INITALLPASSES_H
