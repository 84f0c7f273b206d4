// Peak activation memory from tensor lifetimes: the 1 MiB input dies after
// its last reader, a view keeps its source alive until the view's last
// reader, so at most three 1 MiB tensors live at once (x, a, b; then a, b,
// c; then a, c, s).
// RUN: dlc-opt %s -o /dev/null --dlc-cost-report="target=host" | FileCheck %s
// RUN: dlc-opt %s -o /dev/null --dlc-cost-report="target=host format=json" | FileCheck %s --check-prefix=JSON

// CHECK: peak activations 3,145,728 B
// JSON: "peak_activation_bytes": 3145728
func.func @f(%x: tensor<1x16x128x128xf32>) -> tensor<1x16x16384xf32> {
  %a = dlc.relu %x : tensor<1x16x128x128xf32>
  %v = dlc.reshape %a {shape = array<i64: 1, 16, 16384>} : (tensor<1x16x128x128xf32>) -> tensor<1x16x16384xf32>
  %b = dlc.relu %x : tensor<1x16x128x128xf32>
  %c = dlc.relu %b : tensor<1x16x128x128xf32>
  %w = dlc.reshape %c {shape = array<i64: 1, 16, 16384>} : (tensor<1x16x128x128xf32>) -> tensor<1x16x16384xf32>
  %s = dlc.add %v, %w : (tensor<1x16x16384xf32>, tensor<1x16x16384xf32>) -> tensor<1x16x16384xf32>
  return %s : tensor<1x16x16384xf32>
}
