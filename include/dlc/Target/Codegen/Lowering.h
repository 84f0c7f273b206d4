//===- Lowering.h - dlc functions to kernel programs ------------*- C++ -*-===//
//
// The lowering shared by the C-family backends (ARM C with NEON, CUDA):
// fusion, a liveness-planned workspace, weights packed for the kernels and
// typed kernel calls. A backend's library implements the calls.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TARGET_CODEGEN_LOWERING_H
#define DLC_TARGET_CODEGEN_LOWERING_H

#include "dlc/Analysis/Target.h"
#include "dlc/Target/Codegen/KernelProgram.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlir::dlc::codegen {

/// What a backend's kernels can do beyond the common calls.
struct LoweringOptions {
  /// Float conv and linear layers whose weights have 2:4 structured
  /// sparsity get them compressed (DLC_A_SP24: the kept half, rounded to
  /// `halfWeights`' type, and 4-bit selectors) for sparse tensor cores;
  /// dense layers are packed as usual. Needs `halfWeights`.
  bool sparse24 = false;
  /// Dense float conv and linear weights packed as fp16 / bf16 pairs
  /// (DLC_A_TC16, packPanelsHalf) for the tensor cores that round their
  /// inputs to that type anyway; unset, as fp32 panels.
  std::optional<HalfFormat> halfWeights;
  /// int8 and fp8 conv and linear layers whose weights have 2:4 structured
  /// sparsity get them compressed the same way (their own codes, K padded
  /// to 64) for the 8-bit sparse tensor cores (mma.sp m16n8k64): int8 on
  /// sm_80 and newer, fp8 on sm_89.
  bool sparse24Int8 = false, sparse24FP8 = false;
};

/// Lowers `func` for `target`; diagnostics name the op that cannot be
/// lowered.
FailureOr<KernelProgram> lowerToKernelProgram(func::FuncOp func,
                                              const Target &target,
                                              Backend backend,
                                              LoweringOptions options = {});

/// @main, the function named `name`, or the module's only function.
FailureOr<func::FuncOp> findFunction(ModuleOp module, StringRef name);

/// Whether `name` can prefix C identifiers.
bool isCIdentifier(StringRef name);

/// What every emitter takes.
struct EmitOptions {
  /// A target of the cost model's target file (plus `targetFile`).
  std::string target;
  std::string targetFile;
  /// The function to emit ("" = @main or the only function).
  std::string function;
  /// File and symbol prefix.
  std::string prefix = "model";
};

/// Checks the prefix, loads the targets, finds `options.target` (or, when
/// no target has that name, the first one `byOther` accepts) and the
/// function; the target must satisfy `suits`, else `unsuitable` (e.g. "is
/// not an ARM CPU") is the diagnostic. Diagnostics go to `module`.
FailureOr<std::pair<Target, func::FuncOp>>
prepareEmit(ModuleOp module, const EmitOptions &options,
            llvm::function_ref<bool(const Target &)> suits,
            StringRef unsuitable,
            llvm::function_ref<bool(const Target &)> byOther = nullptr);

/// The files of an emitted model: (file name, contents).
using EmittedFiles = std::vector<std::pair<std::string, std::string>>;

} // namespace mlir::dlc::codegen

#endif // DLC_TARGET_CODEGEN_LOWERING_H
