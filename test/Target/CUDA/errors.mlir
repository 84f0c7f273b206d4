// Bad input to the CUDA backend: one diagnostic, no files.

// RUN: rm -rf %t && mkdir -p %t
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=dynamic 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=cortex-a78 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=sm_70 2>&1 | FileCheck %s --check-prefix=ARCH
// RUN: not dlc-translate --emit-cuda --emit-arm %s -o %t/out --function=static 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=t4 --cuda-precision=bf16 2>&1 | FileCheck %s --check-prefix=BF16
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-precision=tf32 2>&1 | FileCheck %s --check-prefix=PRECISION
// RUN: echo '{"targets": [{"name": "g", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "tile_m": 128, "tile_n": 64, "stages": 6}}]}' > %t/deep.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/deep.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=STAGES
// STAGES: error: {{.*}}deep.json: target 'g': cuda.stages: 6 stages of a 128x64 tile exceed 48 KB of shared memory
// RUN: echo '{"targets": [{"name": "g", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "tile_m": 48}}]}' > %t/narrow.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/narrow.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=TILE
// TILE: error: {{.*}}narrow.json: target 'g': cuda.tile_m must be a multiple of 32 up to 256
// RUN: echo '{"targets": [{"name": "g", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "tile_m": 128, "tile_n": 64, "tile_k": 32}}]}' > %t/longk.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/longk.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=TILEK
// TILEK: error: {{.*}}longk.json: target 'g': cuda.tile_k: two stages of 32 steps of a 128x64 tile exceed 48 KB of shared memory
// RUN: echo '{"targets": [{"name": "g", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "stages": 1}}]}' > %t/shallow.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/shallow.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=STAGES1
// STAGES1: error: {{.*}}shallow.json: target 'g': cuda.stages must be an integer from 2 to 8
// RUN: not ls %t/out

// Architectures name their first target: sm_90 is the H200's.
// RUN: dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=sm_90
// RUN: FileCheck %s --check-prefix=SM90 --input-file=%t/out/model.cu
// SM90: (target h200, sm_90)
// SM90: #define DLC_BM 128
// SM90: #define DLC_STAGES 3

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
