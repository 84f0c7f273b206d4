//===- EmitARM.h - AArch64 C with NEON from dlc IR --------------*- C++ -*-===//
//
// `dlc-translate --emit-arm model.mlir -o DIR` writes DIR/<prefix>.c,
// <prefix>.h and <prefix>.bin (packed weights): ops are lowered to a
// KernelProgram (which kernel, fusion, tiling, weight layout, workspace
// offsets), then printed with the kernel library of lib/Target/ARM/Kernels.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TARGET_ARM_EMITARM_H
#define DLC_TARGET_ARM_EMITARM_H

#include "dlc/Analysis/Target.h"
#include "dlc/Target/Codegen/Lowering.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include <string>
#include <utility>
#include <vector>

namespace mlir::dlc::arm {

/// `target` names an ARM CPU of the target file (its -march, caches).
struct ARMEmitOptions : codegen::EmitOptions {
  ARMEmitOptions() { target = "cortex-a78"; }
  /// Overrides the target's -march (e.g. armv8-a: no SDOT, scalar int8).
  std::string march;
  /// Weights in the C source instead of <prefix>.bin.
  bool embedWeights = false;
  /// Also write <prefix>_main.c: reads .npy inputs, runs, writes .npy
  /// outputs, optionally times N runs.
  bool harness = false;
};

FailureOr<codegen::EmittedFiles> emitARM(ModuleOp module,
                                         const ARMEmitOptions &options);

/// C text of the header, the source (with the kernel library) and the
/// harness of `program`.
std::string printARMHeader(const codegen::KernelProgram &program,
                           StringRef prefix);
std::string printARMSource(const codegen::KernelProgram &program,
                           StringRef prefix, bool embedWeights);
std::string printARMHarness(StringRef prefix);

} // namespace mlir::dlc::arm

#endif // DLC_TARGET_ARM_EMITARM_H
