// Bad input to the CUDA backend: one diagnostic, no files.

// RUN: rm -rf %t && mkdir -p %t
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=dynamic 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=cortex-a78 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=sm_70 2>&1 | FileCheck %s --check-prefix=ARCH
// RUN: not dlc-translate --emit-cuda --emit-arm %s -o %t/out --function=static 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=t4 --cuda-precision=bf16 2>&1 | FileCheck %s --check-prefix=BF16
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-precision=tf32 2>&1 | FileCheck %s --check-prefix=PRECISION
// RUN: not ls %t/out

// Architectures name their first target: sm_90 is the H200's.
// RUN: dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=sm_90
// RUN: FileCheck %s --check-prefix=SM90 --input-file=%t/out/model.cu
// SM90: (target h200, sm_90)
// SM90: #define DLC_BM 128

// DYNAMIC: error: 'func.func' op has an operand or result of type 'tensor<?x4xf32>', which the CUDA backend cannot lower (static shapes only)
func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = dlc.relu %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// CPU: error: target 'cortex-a78' is not a CUDA GPU (it has no "cuda" in the target file)
// ARCH: error: unknown target 'sm_70'
// BOTH: error: give one of --emit-arm and --emit-cuda
// BF16: error: --cuda-precision=bf16 needs bf16 tensor cores (sm_80 or newer); target 't4' is sm_75
// PRECISION: error: unknown CUDA precision 'tf32' (fp32, fp16 or bf16)
func.func @static(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = dlc.relu %x : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
