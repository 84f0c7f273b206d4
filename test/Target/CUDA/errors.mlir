// Bad input to the CUDA backend: one diagnostic, no files.

// RUN: rm -rf %t && mkdir -p %t
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=dynamic 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=cortex-a78 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=sm_70 2>&1 | FileCheck %s --check-prefix=ARCH
// RUN: not dlc-translate --emit-cuda --emit-arm %s -o %t/out --function=static 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-target=t4 --cuda-precision=bf16 2>&1 | FileCheck %s --check-prefix=BF16
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --cuda-precision=fp64 2>&1 | FileCheck %s --check-prefix=PRECISION
// RUN: echo '{"targets": [{"name": "g", "kind": "gpu", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "tile_m": 128, "tile_n": 64, "stages": 6}}]}' > %t/deep.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/deep.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=STAGES
// STAGES: error: {{.*}}deep.json: target 'g': cuda.stages: 6 stages of a 128x64 tile exceed 48 KB of shared memory
// RUN: echo '{"targets": [{"name": "g", "kind": "gpu", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "tile_m": 48}}]}' > %t/narrow.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/narrow.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=TILE
// TILE: error: {{.*}}narrow.json: target 'g': cuda.tile_m must be a multiple of 32 up to 256
// RUN: echo '{"targets": [{"name": "g", "kind": "gpu", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "tile_m": 128, "tile_n": 64, "tile_k": 32}}]}' > %t/longk.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/longk.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=TILEK
// TILEK: error: {{.*}}longk.json: target 'g': cuda.tile_k: two stages of 32 steps of a 128x64 tile exceed 48 KB of shared memory
// RUN: echo '{"targets": [{"name": "g", "kind": "gpu", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "stages": 1}}]}' > %t/shallow.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/shallow.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=STAGES1
// STAGES1: error: {{.*}}shallow.json: target 'g': cuda.stages must be an integer from 2 to 8
// Without "stages", the default 3 must fit too.
// RUN: echo '{"targets": [{"name": "g", "kind": "gpu", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "tile_m": 128, "tile_n": 192}}]}' > %t/wide.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/wide.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=STAGES3
// STAGES3: error: {{.*}}wide.json: target 'g': cuda.stages: 3 stages of a 128x192 tile exceed 48 KB of shared memory
// sm_80+ runs 2:4 layers with 32-step chunks: two must fit.
// RUN: echo '{"targets": [{"name": "g", "kind": "gpu", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "tile_m": 256, "tile_n": 96, "stages": 2}}]}' > %t/tall.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/tall.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=SPARSE
// SPARSE: error: {{.*}}tall.json: target 'g': cuda.tile_m/tile_n: two stages of the 2:4 sparse kernel's 256x96 tile exceed 48 KB of shared memory
// An architecture is a compute capability; below sm_75 there are no
// mma.sync tensor cores for fp16 (or for fp8 layers, which run on them
// before sm_89).
// RUN: echo '{"targets": [{"name": "g", "kind": "gpu", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "gfx90a"}}]}' > %t/amd.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/amd.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=NOT-SM
// NOT-SM: error: {{.*}}amd.json: target 'g': cuda.arch must be a compute capability as sm_90 or sm_90a, not 'gfx90a'
// RUN: echo '{"targets": [{"name": "g", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80"}}]}' > %t/cpu.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/cpu.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=NOT-GPU
// NOT-GPU: error: {{.*}}cpu.json: target 'g': has "cuda" but is not of "kind": "gpu"
// RUN: echo '{"targets": [{"name": "v100", "kind": "gpu", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_70"}}]}' > %t/volta.json
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=static --target-file=%t/volta.json --cuda-target=v100 --cuda-precision=fp16 2>&1 | FileCheck %s --check-prefix=FP16-OLD
// FP16-OLD: error: --cuda-precision=fp16 needs fp16 tensor cores with mma.sync (sm_75 or newer); target 'v100' is sm_70
// RUN: not dlc-translate --emit-cuda %s -o %t/out --function=fp8 --target-file=%t/volta.json --cuda-target=v100 2>&1 | FileCheck %s --check-prefix=FP8-OLD
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
// PRECISION: error: unknown CUDA precision 'fp64' (fp32, fp16, bf16 or tf32)
func.func @static(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = dlc.relu %x : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// FP8-OLD: :[[@LINE+3]]:8: error: 'dlc.qconstant' op has fp8 weights, whose layers need tensor cores with mma.sync (sm_75 or newer); target 'v100' is sm_70
func.func @fp8(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %q = dlc.quantize %x {scale = 0.125 : f64} : tensor<3x4xf32> -> tensor<3x4xf8E4M3FN>
  %w = dlc.qconstant dense<[[1.0, 2.0, -0.5, 448.0], [0.0, 1.5, 3.0, -448.0]]> : tensor<2x4xf8E4M3FN> : tensor<2x4xf8E4M3FN>
  %y = dlc.qlinear %q, %w {input_scale = 0.125 : f64, weight_scales = array<f64: 0.01, 0.02>} : (tensor<3x4xf8E4M3FN>, tensor<2x4xf8E4M3FN>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
