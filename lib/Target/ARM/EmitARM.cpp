//===- EmitARM.cpp - AArch64 C with NEON from dlc IR ----------------------===//

#include "dlc/Target/ARM/EmitARM.h"
#include "Lowering.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::arm;

FailureOr<KernelProgram>
mlir::dlc::arm::lowerToKernelProgram(func::FuncOp func, const Target &target) {
  KernelProgram program;
  program.targetName = target.name;
  program.march = target.march;
  Lowering lowering(func, target, program);
  if (failed(lowering.run()))
    return failure();
  return program;
}

/// @main, the function named `name`, or the module's only function.
static FailureOr<func::FuncOp> findFunction(ModuleOp module, StringRef name) {
  if (!name.empty()) {
    if (auto func = module.lookupSymbol<func::FuncOp>(name))
      return func;
    return module.emitError("no function named @") << name;
  }
  if (auto main = module.lookupSymbol<func::FuncOp>("main"))
    return main;
  auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
  if (funcs.size() == 1)
    return funcs.front();
  return module.emitError("the module has ")
         << funcs.size() << " functions and no @main; name one to emit";
}

static bool isIdentifier(StringRef name) {
  if (name.empty() ||
      !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return llvm::all_of(name, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

FailureOr<EmittedFiles> mlir::dlc::arm::emitARM(ModuleOp module,
                                                const ARMEmitOptions &options) {
  if (!isIdentifier(options.prefix))
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
  FailureOr<KernelProgram> program = lowerToKernelProgram(*func, chosen);
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
