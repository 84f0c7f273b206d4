// dlc-infer-shapes: a fixed batch flows through every op and into the
// function signature; without a batch, types are re-derived unchanged.
// RUN: dlc-opt %s -dlc-infer-shapes=batch=8 -split-input-file -verify-diagnostics | FileCheck %s
// RUN: dlc-opt %s -dlc-infer-shapes -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=DYN

// CHECK-LABEL: func.func @residual_head
// CHECK-SAME: (%{{.*}}: tensor<8x64x8x8xf32>) -> tensor<8x10xf32>
// CHECK: dlc.conv2d {{.*}} -> tensor<8x64x8x8xf32>
// CHECK: dlc.add {{.*}} -> tensor<8x64x8x8xf32>
// CHECK: dlc.global_avg_pool {{.*}} -> tensor<8x64x1x1xf32>
// CHECK: dlc.reshape {{.*}} -> tensor<8x64xf32>
// CHECK: dlc.linear {{.*}} -> tensor<8x10xf32>
// CHECK: return {{.*}} : tensor<8x10xf32>
// DYN-LABEL: func.func @residual_head
// DYN-SAME: (%{{.*}}: tensor<?x64x8x8xf32>) -> tensor<?x10xf32>
// DYN: dlc.linear {{.*}} -> tensor<?x10xf32>
func.func @residual_head(%x: tensor<?x64x8x8xf32>) -> tensor<?x10xf32> {
  %w = dlc.constant dense<0.01> : tensor<64x64x3x3xf32>
  %fc = dlc.constant dense<0.02> : tensor<10x64xf32>
  %0 = dlc.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<?x64x8x8xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x8x8xf32>
  %1 = dlc.add %0, %x : (tensor<?x64x8x8xf32>, tensor<?x64x8x8xf32>) -> tensor<?x64x8x8xf32>
  %2 = dlc.global_avg_pool %1 : (tensor<?x64x8x8xf32>) -> tensor<?x64x1x1xf32>
  %3 = dlc.reshape %2 {shape = array<i64: -1, 64>} : (tensor<?x64x1x1xf32>) -> tensor<?x64xf32>
  %4 = dlc.linear %3, %fc : (tensor<?x64xf32>, tensor<10x64xf32>) -> tensor<?x10xf32>
  return %4 : tensor<?x10xf32>
}

// -----

// Static arguments are left as they are.
// CHECK-LABEL: func.func @static_input
// CHECK-SAME: (%{{.*}}: tensor<2x4xf32>) -> tensor<2x4xf32>
func.func @static_input(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = dlc.relu %x : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
