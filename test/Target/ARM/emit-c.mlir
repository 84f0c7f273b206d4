// The ARM backend's output for a small fp32 network: the header's API, the
// kernel calls the lowering chose (fusion, depthwise, pointwise GEMM,
// tiling from the target), deterministic files, embedded weights.

// RUN: rm -rf %t && mkdir -p %t
// RUN: dlc-translate --emit-arm %s -o %t/a --arm-prefix=tiny
// RUN: FileCheck %s --check-prefix=HEADER --input-file=%t/a/tiny.h
// RUN: FileCheck %s --input-file=%t/a/tiny.c
// RUN: ls %t/a | FileCheck %s --check-prefix=FILES

// Emission is deterministic.
// RUN: dlc-translate --emit-arm %s -o %t/b --arm-prefix=tiny
// RUN: cmp %t/a/tiny.c %t/b/tiny.c
// RUN: cmp %t/a/tiny.bin %t/b/tiny.bin

// With the weights compiled in there is no .bin.
// RUN: dlc-translate --emit-arm %s -o %t/embedded --arm-embed-weights
// RUN: ls %t/embedded | FileCheck %s --check-prefix=EMBEDDED
// RUN: FileCheck %s --check-prefix=EMBEDDED-C --input-file=%t/embedded/model.c

// HEADER: #define TINY_NUM_INPUTS 1
// HEADER: #define TINY_NUM_OUTPUTS 1
// HEADER: #define TINY_WORKSPACE_SIZE(threads) ({{[1-9][0-9]*}} + (threads) * {{[1-9][0-9]*}})
// HEADER: int tiny_create(tiny **handle, const char *path);
// HEADER: int tiny_create_from_memory(tiny **handle, const void *data, size_t size);
// HEADER: void tiny_destroy(tiny *handle);
// HEADER: int tiny_set_num_threads(tiny *handle, int threads);
// HEADER: size_t tiny_workspace_size(const tiny *handle);
// HEADER: int tiny_run(const tiny *handle, const void *const *inputs, void *const *outputs,

// FILES: tiny.bin
// FILES-NEXT: tiny.c
// FILES-NEXT: tiny.h
// FILES-NOT: tmp

// EMBEDDED-NOT: model.bin
// EMBEDDED: model.c
// EMBEDDED-C: static const uint8_t model_embedded[] __attribute__((aligned(64))) = {
// EMBEDDED-C: if (!path)
// EMBEDDED-C-NEXT: return model_create_from_memory(handle, model_embedded, sizeof(model_embedded));

// CHECK: #include <arm_neon.h>
// CHECK-LABEL: int tiny_run(
// The 3x3 conv and its ReLU: one call, the clamp in the epilogue; Cortex-A78
// (64 KiB L1, 2 MiB L2) blocks the reduction by 512 and the columns by 512.
// CHECK:      /* dlc.conv2d "stem" + dlc.relu */
// CHECK-NEXT: dlc_conv2d_f32(1, &(dlc_conv_geom){4, 16, 16, 8, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1}, ((const float *)inputs[0]), &(dlc_asource){DLC_A_F32, ((const float *)(w + {{[0-9]+}})), 0, 0, 0, 0, 0, 0}, ((float *)(ws + [[A:[0-9]+]])), &(dlc_epilogue_f32){0, ((const float *)(w + {{[0-9]+}})), 0, {0.0f, INFINITY}}, (dlc_tiling){512, 512}, &ex);
// Depthwise with ReLU6 and a residual add folded in.
// CHECK:      /* dlc.conv2d "dw" + dlc.add + dlc.clip (depthwise) */
// CHECK-NEXT: dlc_depthwise_f32(1, &(dlc_conv_geom){8, 16, 16, 8, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 8}, ((float *)(ws + [[A]])), ((const float *)(w + {{[0-9]+}})), ((float *)(ws + [[B:[0-9]+]])), &(dlc_epilogue_f32){0, 0, ((float *)(ws + [[A]])), {0.0f, 6.0f}}, &ex);
// The pointwise conv writes the caller's output directly.
// CHECK:      /* dlc.conv2d "pw" */
// CHECK-NEXT: dlc_conv2d_f32(1, &(dlc_conv_geom){8, 16, 16, 2, 16, 16, 1, 1, 1, 1, 0, 0, 1, 1, 1}, ((float *)(ws + [[B]])), {{.*}}, ((float *)outputs[0]),
// CHECK-NEXT: return TINY_OK;

func.func @main(%x: tensor<1x4x16x16xf32>) -> tensor<1x2x16x16xf32> {
  %w0 = dlc.constant dense<0.1> : tensor<8x4x3x3xf32>
  %b0 = dlc.constant dense<0.2> : tensor<8xf32>
  %c0 = dlc.conv2d %x, %w0, %b0 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x16x16xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x16x16xf32> loc("stem")
  %r0 = dlc.relu %c0 : tensor<1x8x16x16xf32>
  %w1 = dlc.constant dense<0.3> : tensor<8x1x3x3xf32>
  %c1 = dlc.conv2d %r0, %w1 {groups = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x16x16xf32> loc("dw")
  %a1 = dlc.add %c1, %r0 : (tensor<1x8x16x16xf32>, tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %r1 = dlc.clip %a1 {max = 6.0 : f32, min = 0.0 : f32} : tensor<1x8x16x16xf32>
  %w2 = dlc.constant dense<0.5> : tensor<2x8x1x1xf32>
  %c2 = dlc.conv2d %r1, %w2 : (tensor<1x8x16x16xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x16x16xf32> loc("pw")
  return %c2 : tensor<1x2x16x16xf32>
}
