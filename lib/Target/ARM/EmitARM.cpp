//===- EmitARM.cpp - AArch64 C with NEON from dlc IR ----------------------===//

#include "dlc/Target/ARM/EmitARM.h"
#include "dlc/Target/Codegen/Lowering.h"
#include "dlc/Target/Codegen/Printing.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::arm;
using namespace mlir::dlc::codegen;

FailureOr<EmittedFiles> mlir::dlc::arm::emitARM(ModuleOp module,
                                                const ARMEmitOptions &options) {
  auto prepared = prepareEmit(
      module, options,
      [](const Target &t) { return !t.gpu && !t.march.empty(); },
      "is not an ARM CPU (it has no \"march\" in the target file)");
  if (failed(prepared))
    return failure();
  auto &[target, func] = *prepared;
  if (!options.march.empty())
    target.march = options.march;
  FailureOr<KernelProgram> program =
      lowerToKernelProgram(func, target, Backend::ARM);
  if (failed(program))
    return failure();
  EmittedFiles files;
  files.emplace_back(options.prefix + ".h",
                     printARMHeader(*program, options.prefix));
  files.emplace_back(
      options.prefix + ".c",
      printARMSource(*program, options.prefix, options.embedWeights));
  if (!options.embedWeights || options.harness)
    files.emplace_back(options.prefix + ".bin", weightFile(*program));
  if (options.harness)
    files.emplace_back(options.prefix + "_main.c",
                       printARMHarness(options.prefix));
  return files;
}
