//===- EmitCUDA.cpp - CUDA C++ from dlc IR --------------------------------===//

#include "dlc/Target/CUDA/EmitCUDA.h"
#include "dlc/Target/Codegen/Printing.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::codegen;

FailureOr<EmittedFiles>
mlir::dlc::cuda::emitCUDA(ModuleOp module, const CUDAEmitOptions &options) {
  if (!isCIdentifier(options.prefix))
    return module.emitError("prefix '")
           << options.prefix << "' is not a C identifier";
  llvm::Expected<TargetRegistry> registry =
      TargetRegistry::load(options.targetFile);
  if (!registry)
    return module.emitError(llvm::toString(registry.takeError()));
  // A target by name, or the first GPU of an architecture (sm_90 -> h200).
  const Target *target = registry->lookup(options.target);
  if (!target && StringRef(options.target).starts_with("sm_"))
    for (const std::string &name : registry->names())
      if (registry->lookup(name)->cudaArch == options.target) {
        target = registry->lookup(name);
        break;
      }
  if (!target)
    return module.emitError("unknown target '") << options.target << "'";
  if (!target->gpu || target->cudaArch.empty())
    return module.emitError("target '")
           << options.target
           << "' is not a CUDA GPU (it has no \"cuda\" in the target file)";
  if (options.precision != "fp32" && options.precision != "fp16")
    return module.emitError("unknown CUDA precision '")
           << options.precision << "' (fp32 or fp16)";
  FailureOr<func::FuncOp> func = findFunction(module, options.function);
  if (failed(func))
    return failure();
  FailureOr<KernelProgram> program =
      lowerToKernelProgram(*func, *target, Backend::CUDA);
  if (failed(program))
    return failure();
  EmittedFiles files;
  files.emplace_back(options.prefix + ".h",
                     printCUDAHeader(*program, options.prefix));
  files.emplace_back(options.prefix + ".cu",
                     printCUDASource(*program, *target, options.prefix,
                                     options.precision == "fp16"));
  files.emplace_back(options.prefix + ".bin", weightFile(*program));
  if (options.runner)
    files.emplace_back(options.prefix + "_runner.cu",
                       printCUDARunner(options.prefix));
  return files;
}
