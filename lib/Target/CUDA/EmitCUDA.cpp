//===- EmitCUDA.cpp - CUDA C++ from dlc IR --------------------------------===//

#include "dlc/Target/CUDA/EmitCUDA.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "dlc/Target/Codegen/Printing.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::codegen;

FailureOr<EmittedFiles>
mlir::dlc::cuda::emitCUDA(ModuleOp module, const CUDAEmitOptions &options) {
  if (options.precision != "fp32" && options.precision != "fp16" &&
      options.precision != "bf16" && options.precision != "tf32")
    return module.emitError("unknown CUDA precision '")
           << options.precision << "' (fp32, fp16, bf16 or tf32)";
  // A target by name, or the first GPU of an architecture (sm_90 -> h200).
  auto prepared = prepareEmit(
      module, options,
      [](const Target &t) { return t.gpu && !t.cudaArch.empty(); },
      "is not a CUDA GPU (it has no \"cuda\" in the target file)",
      [&](const Target &t) { return t.cudaArch == options.target; });
  if (failed(prepared))
    return failure();
  const auto &[target, func] = *prepared;
  unsigned capability = target.cudaCapability();
  if (options.precision == "tf32" && capability < 80)
    return module.emitError("--cuda-precision=tf32 needs tf32 tensor cores "
                            "(sm_80 or newer); target '")
           << target.name << "' is " << target.cudaArch;
  if (options.precision == "bf16" && capability < 80)
    return module.emitError("--cuda-precision=bf16 needs bf16 tensor cores "
                            "(sm_80 or newer); target '")
           << target.name << "' is " << target.cudaArch;
  // fp16 tensor cores through mma.sync: m16n8k8 from sm_75 (also what
  // fp8 layers run on before sm_89).
  if (options.precision == "fp16" && capability < 75)
    return module.emitError("--cuda-precision=fp16 needs fp16 tensor cores "
                            "with mma.sync (sm_75 or newer); target '")
           << target.name << "' is " << target.cudaArch;
  if (capability < 75) {
    func::FuncOp body = func;
    const Target &gpu = target;
    WalkResult fp8 = body.walk([&](QConstantOp weight) {
      if (!getFP8Format(weight.getType()))
        return WalkResult::advance();
      weight.emitOpError("has fp8 weights, whose layers need tensor cores "
                         "with mma.sync (sm_75 or newer); target '")
          << gpu.name << "' is " << gpu.cudaArch;
      return WalkResult::interrupt();
    });
    if (fp8.wasInterrupted())
      return failure();
  }
  // fp16/bf16 layers with 2:4 sparse weights on sparse tensor cores (sm_80+).
  LoweringOptions lowering;
  bool half = options.precision == "fp16" || options.precision == "bf16";
  lowering.sparse24 = half && capability >= 80;
  // int8 and fp8 layers with 2:4 sparse weights on the 8-bit sparse tensor
  // cores (mma.sp m16n8k64): int8 from sm_80; fp8 on sm_89 only, where
  // the instruction is native (ptxas expands it for sm_90: 176 registers
  // per thread against 79 for sm_89 and the dense fp8 kernel's 75).
  lowering.sparse24Int8 = capability >= 80;
  lowering.sparse24FP8 = capability == 89;
  // Their dense weights already rounded to the tensor cores' type.
  if (half)
    lowering.halfWeights =
        options.precision == "fp16" ? HalfFormat::F16 : HalfFormat::BF16;
  FailureOr<KernelProgram> program =
      lowerToKernelProgram(func, target, Backend::CUDA, lowering);
  if (failed(program))
    return failure();
  EmittedFiles files;
  files.emplace_back(options.prefix + ".h",
                     printCUDAHeader(*program, options.prefix));
  files.emplace_back(
      options.prefix + ".cu",
      printCUDASource(*program, target, options.prefix, options.precision));
  files.emplace_back(options.prefix + ".bin", weightFile(*program));
  if (options.runner)
    files.emplace_back(options.prefix + "_runner.cu",
                       printCUDARunner(options.prefix));
  return files;
}
