// Split-K: a conv, linear layer or matrix product whose grid of block
// tiles would fill less than half of the target's SMs ("sms" in its "cuda"
// entry) has its reduction cut into slices (enough to reach one block per
// SM, each of at least 256 steps, at most 16), whose partial sums go to a
// workspace buffer; the launcher adds them in slice order and applies the
// epilogue (emulated.test runs ResNet-18, odd_shapes and
// odd_attention_wide so). Other layers pass 1 and no buffer.

// RUN: rm -rf %t && mkdir -p %t
// RUN: dlc-translate --emit-cuda %s -o %t/h200 --cuda-target=h200
// RUN: FileCheck %s --check-prefix=H200 --input-file=%t/h200/model.cu
// RUN: dlc-translate --emit-cuda %s -o %t/t4 --cuda-target=t4 --cuda-precision=fp16
// RUN: FileCheck %s --check-prefix=T4 --input-file=%t/t4/model.cu
// RUN: echo '{"targets": [{"name": "g", "kind": "gpu", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "tile_m": 128, "tile_n": 64}}]}' > %t/nosms.json
// RUN: dlc-translate --emit-cuda %s -o %t/nosms --target-file=%t/nosms.json --cuda-target=g
// RUN: FileCheck %s --check-prefix=NOSMS --input-file=%t/nosms/model.cu
// RUN: echo '{"targets": [{"name": "g", "kind": "gpu", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cuda": {"arch": "sm_80", "sms": 0}}]}' > %t/badsms.json
// RUN: not dlc-translate --emit-cuda %s -o %t/bad --target-file=%t/badsms.json --cuda-target=g 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: {{.*}}badsms.json: target 'g': cuda.sms must be an integer from 1 to 1024

// ResNet-18's layer-4 convolution at batch 1: 512 rows x 49 pixels, 4,608
// steps. On an H200 (132 SMs, 128 x 64 tiles) 4 blocks: 16 slices of 288
// steps. On a T4 (40 SMs, 64 x 64) 8 blocks: 5 slices.
// H200-LABEL: int model_run(
// H200: dlc_conv2d_f32(1, {{.*}}, 16, ((float *)(ws + {{[0-9]+}})), &ex);
// T4-LABEL: int model_run(
// T4: dlc_conv2d_f32(1, {{.*}}, 5, ((float *)(ws + {{[0-9]+}})), &ex);
// A map of 112 x 112 fills the machine as it is (196 blocks on the H200).
// H200: dlc_conv2d_f32(1, {{.*}}, 1, 0, &ex);
// T4: dlc_conv2d_f32(1, {{.*}}, 1, 0, &ex);
// A batch-1 classifier, 1000 x 512: 8 blocks on the H200, 2 slices of 256.
// H200: dlc_linear_f32(1, 512, 1000, {{.*}}, 2, ((float *)(ws + {{[0-9]+}})), &ex);
// T4: dlc_linear_f32(1, 512, 1000, {{.*}}, 2, ((float *)(ws + {{[0-9]+}})), &ex);
// A batched matrix product of two activations, 8 x (64 x 1024 times 1024
// x 64): one launch of 8 blocks, 4 slices of 256 steps on either GPU; its
// partial sums follow the 8 packed lhs panels (2,097,152 bytes) in its
// workspace.
// H200: dlc_matmul_f32(8, 64, 64, 1024, {{.*}}, ((float *)(ws + [[#PACK:]])), 4,
// H200-SAME: ((float *)(ws + [[#PACK+2097152]])), &ex);
// T4: dlc_matmul_f32(8, 64, 64, 1024, {{.*}}, ((float *)(ws + [[#PACK:]])), 4,
// T4-SAME: ((float *)(ws + [[#PACK+2097152]])), &ex);
// A target without "sms" never splits.
// NOSMS-LABEL: int model_run(
// NOSMS-COUNT-2: dlc_conv2d_f32(1, {{.*}}, 1, 0, &ex);
// NOSMS: dlc_linear_f32(1, 512, 1000, {{.*}}, 1, 0, &ex);
// NOSMS: dlc_matmul_f32(8, 64, 64, 1024, {{.*}}, 1, 0, &ex);
func.func @main(%x: tensor<1x512x7x7xf32>, %m: tensor<1x64x112x112xf32>, %v: tensor<1x512xf32>, %a: tensor<8x64x1024xf32>, %b: tensor<8x1024x64xf32>) -> (tensor<1x512x7x7xf32>, tensor<1x64x112x112xf32>, tensor<1x1000xf32>, tensor<8x64x64xf32>) {
  %w = dlc.constant dense<0.01> : tensor<512x512x3x3xf32>
  %y = dlc.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>) -> tensor<1x512x7x7xf32>
  %w2 = dlc.constant dense<0.02> : tensor<64x64x3x3xf32>
  %z = dlc.conv2d %m, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x112x112xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x112x112xf32>
  %w3 = dlc.constant dense<0.03> : tensor<1000x512xf32>
  %c = dlc.linear %v, %w3 : (tensor<1x512xf32>, tensor<1000x512xf32>) -> tensor<1x1000xf32>
  %p = dlc.matmul %a, %b : (tensor<8x64x1024xf32>, tensor<8x1024x64xf32>) -> tensor<8x64x64xf32>
  return %y, %z, %c, %p : tensor<1x512x7x7xf32>, tensor<1x64x112x112xf32>, tensor<1x1000xf32>, tensor<8x64x64xf32>
}
