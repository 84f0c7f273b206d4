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
  if (!isCIdentifier(options.prefix))
    return module.emitError("prefix '")
           << options.prefix << "' is not a C identifier";
  llvm::Expected<TargetRegistry> registry =
      TargetRegistry::load(options.targetFile);
  if (!registry)
    return module.emitError(llvm::toString(registry.takeError()));
  const Target *target = registry->lookup(options.target);
  if (!target)
    return module.emitError("unknown target '") << options.target << "'";
  if (target->gpu || target->march.empty())
    return module.emitError("target '")
           << options.target
           << "' is not an ARM CPU (it has no \"march\" in the target file)";
  FailureOr<func::FuncOp> func = findFunction(module, options.function);
  if (failed(func))
    return failure();
  Target chosen = *target;
  if (!options.march.empty())
    chosen.march = options.march;
  FailureOr<KernelProgram> program =
      lowerToKernelProgram(*func, chosen, Backend::ARM);
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
                       printARMHarness(*program, options.prefix));
  return files;
}
