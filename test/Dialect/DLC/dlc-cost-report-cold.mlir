// The reference executor's buffer recycling, replayed: with a 3 MiB cache,
// the first relu reads %x cold (the previous run touched 5 MiB since), the
// add writes a buffer last used a run ago (4 MiB since), and every other
// activation is warm. Each cold MiB costs 1 MiB / (1 GB/s) = 1048.576 us.
// RUN: echo '{"targets": [{"name": "replay", "peak_tflops": {"fp32": 1}, "memory_gbps": 1e6, "llc_mib": 3, "cold_activation_gbps": 1}]}' > %t.json
// RUN: dlc-opt %s -o /dev/null --dlc-cost-report="target=replay target-file=%t.json fuse=false format=json" | FileCheck %s
// Elementwise ops keep cold_activation_gbps when convolutions have their own.
// RUN: echo '{"targets": [{"name": "replay", "peak_tflops": {"fp32": 1}, "memory_gbps": 1e6, "llc_mib": 3, "cold_activation_gbps": 1, "cold_conv_gbps": 0.5}]}' > %t.conv.json
// RUN: dlc-opt %s -o /dev/null --dlc-cost-report="target=replay target-file=%t.conv.json fuse=false format=json" | FileCheck %s
// RUN: echo '{"targets": [{"name": "replay", "peak_tflops": {"fp32": 1}, "memory_gbps": 1e6, "llc_mib": 3}]}' > %t.off.json
// RUN: dlc-opt %s -o /dev/null --dlc-cost-report="target=replay target-file=%t.off.json fuse=false format=json" | FileCheck %s --check-prefix=OFF
// RUN: echo '{"targets": [{"name": "bad", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cold_activation_gbps": -1}]}' > %t.bad.json
// RUN: not dlc-opt %s -o /dev/null --dlc-cost-report="target-file=%t.bad.json" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: echo '{"targets": [{"name": "bad", "peak_tflops": {"fp32": 1}, "memory_gbps": 1, "cold_activation_gbps": "fast"}]}' > %t.text.json
// RUN: not dlc-opt %s -o /dev/null --dlc-cost-report="target-file=%t.text.json" 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK:      "cold_bytes": 1048576
// CHECK:      "name": "dlc.relu#1"
// CHECK:      "time_us": 1049.10029
// CHECK-NOT:  "cold_bytes"
// CHECK:      "name": "dlc.relu#2"
// CHECK:      "time_us": 0.52428999
// CHECK:      "cold_bytes": 1048576
// CHECK:      "name": "dlc.add#3"
// OFF-NOT:    "cold_bytes"
// BAD: target 'bad': cold_activation_gbps must be a non-negative number
func.func @f(%x: tensor<1x16x128x128xf32>) -> tensor<1x16x128x128xf32> {
  %a = dlc.relu %x : tensor<1x16x128x128xf32>
  %b = dlc.relu %a : tensor<1x16x128x128xf32>
  %c = dlc.add %a, %b : (tensor<1x16x128x128xf32>, tensor<1x16x128x128xf32>) -> tensor<1x16x128x128xf32>
  return %c : tensor<1x16x128x128xf32>
}
