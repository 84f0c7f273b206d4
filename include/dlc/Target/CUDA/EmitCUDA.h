//===- EmitCUDA.h - CUDA C++ from dlc IR ------------------------*- C++ -*-===//
//
// `dlc-translate --emit-cuda model.mlir -o DIR` writes DIR/<prefix>.cu,
// <prefix>.h and <prefix>.bin (packed weights): the kernel program of the
// shared lowering (lib/Target/Codegen), printed around the CUDA kernel
// library of lib/Target/CUDA/Kernels.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TARGET_CUDA_EMITCUDA_H
#define DLC_TARGET_CUDA_EMITCUDA_H

#include "dlc/Target/Codegen/Lowering.h"

namespace mlir::dlc::cuda {

/// `target` names a GPU of the target file (its CUDA architecture and
/// block tile) or an architecture (sm_90: the first GPU with it).
struct CUDAEmitOptions : codegen::EmitOptions {
  CUDAEmitOptions() { target = "a100"; }
  /// "fp32": fp32 layers on CUDA cores in fp32; "fp16" / "bf16": on tensor
  /// cores with fp16 / bf16 inputs and fp32 accumulation (bf16: sm_80+).
  std::string precision = "fp32";
  /// Also write <prefix>_runner.cu: reads .npy inputs, runs on the GPU,
  /// writes .npy outputs, times N runs with CUDA events.
  bool runner = false;
};

FailureOr<codegen::EmittedFiles> emitCUDA(ModuleOp module,
                                          const CUDAEmitOptions &options);

std::string printCUDAHeader(const codegen::KernelProgram &program,
                            StringRef prefix);
/// `precision` as in CUDAEmitOptions.
std::string printCUDASource(const codegen::KernelProgram &program,
                            const Target &target, StringRef prefix,
                            StringRef precision);
std::string printCUDARunner(StringRef prefix);

} // namespace mlir::dlc::cuda

#endif // DLC_TARGET_CUDA_EMITCUDA_H
