// Kernel scratch in the replay (lib/Runtime reuses one scratch area per
// kind: im2col columns, Winograd input transforms and products). With a
// 1 MiB cache, in the steady state:
// - %c1 (Winograd: 16 x 8 channels x 256 tiles x 4 B = 131072 B each for
//   transforms and products) finds both cold, last used by %c2 a whole run
//   (and the 4 MiB ReLU) ago, and its 32768 B input %x cold too;
// - %c2 finds them warm;
// - %s1 (im2col, 8 x 3 x 3 x 16 x 16 x 4 B = 73728 B) finds the first 8192 B
//   warm (%s2 touched them at the end of the previous run) and the rest
//   cold (only %s1 itself reached that far, a run ago);
// - the ReLU touches 4 MiB, but everything else a run touches between its
//   uses of the same memory fits in the cache: warm;
// - %s2 (a strided 1x1: im2col, 8192 B) finds its scratch cold behind the
//   ReLU, and so its input %c2 (32768 B).
// RUN: echo '{"targets": [{"name": "replay", "peak_tflops": {"fp32": 1}, "memory_gbps": 1e6, "llc_mib": 1, "cold_activation_gbps": 1}]}' > %t.json
// RUN: dlc-opt %s -o /dev/null --dlc-cost-report="target=replay target-file=%t.json fuse=false format=json" | FileCheck %s
// cold_conv_gbps prices a convolution's cold bytes on its own: at 0.5 GB/s
// %c1's 294912 cold bytes take 589.824 us instead of 294.912.
// RUN: echo '{"targets": [{"name": "replay", "peak_tflops": {"fp32": 1}, "memory_gbps": 1e6, "llc_mib": 1, "cold_activation_gbps": 1, "cold_conv_gbps": 0.5}]}' > %t.conv.json
// RUN: dlc-opt %s -o /dev/null --dlc-cost-report="target=replay target-file=%t.conv.json fuse=false format=json" | FileCheck %s --check-prefix=CONV
// RUN: echo '{"targets": [{"name": "bad", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cold_conv_gbps": -1}]}' > %t.bad.json
// RUN: not dlc-opt %s -o /dev/null --dlc-cost-report="target-file=%t.bad.json" 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK:      "cold_bytes": 294912
// CHECK:      "name": "dlc.conv2d#2"
// CHECK:      "time_us": 296.597417
// CHECK-NOT:  "cold_bytes"
// CHECK:      "name": "dlc.conv2d#3"
// CHECK:      "cold_bytes": 65536
// CHECK:      "name": "dlc.conv2d#5"
// CHECK-NOT:  "cold_bytes"
// CHECK:      "name": "dlc.relu#6"
// CHECK:      "cold_bytes": 40960
// CHECK:      "name": "dlc.conv2d#8"
// CONV:       "name": "dlc.conv2d#2"
// CONV:       "time_us": 591.509417
// BAD: target 'bad': cold_conv_gbps must be a non-negative number
func.func @f(%x: tensor<1x8x32x32xf32>, %big: tensor<1x8x256x256xf32>)
    -> (tensor<1x8x16x16xf32>, tensor<1x8x256x256xf32>, tensor<1x8x16x16xf32>) {
  %w1 = dlc.constant dense<0.5> : tensor<8x8x3x3xf32>
  %c1 = dlc.conv2d %x, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x32x32xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x32x32xf32>
  %c2 = dlc.conv2d %c1, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x32x32xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x32x32xf32>
  %w2 = dlc.constant dense<0.5> : tensor<8x8x3x3xf32>
  %s1 = dlc.conv2d %c2, %w2 {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x32x32xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
  %r = dlc.relu %big : tensor<1x8x256x256xf32>
  %w3 = dlc.constant dense<0.5> : tensor<8x8x1x1xf32>
  %s2 = dlc.conv2d %c2, %w3 {strides = array<i64: 2, 2>} : (tensor<1x8x32x32xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x16x16xf32>
  return %s1, %r, %s2 : tensor<1x8x16x16xf32>, tensor<1x8x256x256xf32>, tensor<1x8x16x16xf32>
}
