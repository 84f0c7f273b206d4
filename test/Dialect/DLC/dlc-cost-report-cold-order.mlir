// Within an op the replay moves the clock over its operands first, then its
// parameters and scratch, then its results, as a convolution kernel does
// (Winograd here: input transforms, then the transformed weights, 16/9 of
// 256 x 256 x 3 x 3 x 4 B = 4 MiB, then the output). With a 1 MiB cache,
// in the steady state:
// - the first ReLU reads the argument %x cold (a whole run since): 65536 B
//   at 1 GB/s = 65.536 us on top of its 0.03 us;
// - the convolution finds its input warm (just written) and its scratch
//   too (last touched after the weights a run ago, under 1 MiB since);
// - the second ReLU writes into the buffer the convolution released, %a's:
//   read before the 4 MiB of weights streamed, so cold (it would be warm
//   if the whole op touched it at its end).
// RUN: echo '{"targets": [{"name": "replay", "peak_tflops": {"fp32": 1}, "memory_gbps": 1e6, "llc_mib": 1, "cold_activation_gbps": 1}]}' > %t.json
// RUN: dlc-opt %s -o /dev/null --dlc-cost-report="target=replay target-file=%t.json fuse=false format=json" | FileCheck %s

// CHECK:      "cold_bytes": 65536
// CHECK:      "name": "dlc.relu#3"
// CHECK:      "time_us": 65.56877
// CHECK-NOT:  "cold_bytes"
// CHECK:      "name": "dlc.conv2d#4"
// CHECK:      "time_us": 107.860114
// CHECK:      "cold_bytes": 65536
// CHECK:      "name": "dlc.relu#5"
func.func @f(%x: tensor<1x256x8x8xf32>) -> tensor<1x256x8x8xf32> {
  %w = dlc.constant dense<0.5> : tensor<256x256x3x3xf32>
  %b = dlc.constant dense<0.5> : tensor<256xf32>
  %a = dlc.relu %x : tensor<1x256x8x8xf32>
  %c = dlc.conv2d %a, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x256x8x8xf32>, tensor<256x256x3x3xf32>, tensor<256xf32>) -> tensor<1x256x8x8xf32>
  %r = dlc.relu %c : tensor<1x256x8x8xf32>
  return %r : tensor<1x256x8x8xf32>
}
