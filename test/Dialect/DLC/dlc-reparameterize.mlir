// dlc-reparameterize: which multi-branch sums merge into one conv, and that
// the merged conv computes the same (reference executor, random input,
// max relative error <= 1e-5).
// RUN: dlc-opt %s --dlc-reparameterize 2>/dev/null | FileCheck %s
// RUN: dlc-opt %s --dlc-reparameterize -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: dlc-opt %s --dlc-reparameterize -o %t.merged.mlir
// RUN: %debian_python -c "import numpy as n; \
// RUN:   n.save('%t.x.npy', n.random.default_rng(5).standard_normal((1, 2, 6, 6)).astype(n.float32))"
// RUN: for f in acnet identity_affine aligned_wide_padding avgpool_branch concat_branches one_then_three; do \
// RUN:   dlc-run %s --function $f --input %t.x.npy --output %t.$f.want.npy && \
// RUN:   dlc-run %t.merged.mlir --function $f --input %t.x.npy --output %t.$f.got.npy && \
// RUN:   %debian_python %S/../../Target/ONNX/Inputs/compare.py %t.$f.got.npy %t.$f.want.npy 1e-5 || exit 1; done

// ACNet: 3x3 + 1x3 + 3x1 branches (centred paddings) and a plain identity,
// added in an arbitrary order, become one 3x3 conv.
// CHECK-LABEL: func.func @acnet
// CHECK: %[[C:.*]] = dlc.conv2d %arg0, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>)
// CHECK-NOT: dlc.add
// CHECK: return %[[C]]
func.func @acnet(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> {
  %k33 = dlc.constant dense<[[[[0.5, -0.2, 0.1], [0.3, 0.8, -0.6], [0.2, 0.1, 0.4]], [[-0.3, 0.2, 0.5], [0.1, -0.7, 0.2], [0.6, 0.3, -0.1]]],
                             [[[0.2, 0.4, -0.3], [0.5, 0.1, 0.2], [-0.4, 0.3, 0.6]], [[0.1, 0.2, 0.3], [-0.2, 0.4, 0.1], [0.3, -0.5, 0.2]]]]> : tensor<2x2x3x3xf32>
  %b33 = dlc.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %k13 = dlc.constant dense<[[[[0.7, -0.1, 0.3]], [[0.2, 0.5, -0.4]]], [[[-0.3, 0.6, 0.1]], [[0.4, -0.2, 0.2]]]]> : tensor<2x2x1x3xf32>
  %k31 = dlc.constant dense<[[[[0.1], [0.9], [-0.2]], [[0.3], [0.2], [0.4]]], [[[-0.5], [0.1], [0.3]], [[0.2], [-0.3], [0.6]]]]> : tensor<2x2x3x1xf32>
  %b31 = dlc.constant dense<[0.05, 0.3]> : tensor<2xf32>
  %0 = dlc.conv2d %x, %k33, %b33 {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  %1 = dlc.conv2d %x, %k13 {pads = array<i64: 0, 1, 0, 1>}
      : (tensor<1x2x6x6xf32>, tensor<2x2x1x3xf32>) -> tensor<1x2x6x6xf32>
  %2 = dlc.conv2d %x, %k31, %b31 {pads = array<i64: 1, 0, 1, 0>}
      : (tensor<1x2x6x6xf32>, tensor<2x2x3x1xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  %3 = dlc.add %1, %x : (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %4 = dlc.add %0, %2 : (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %5 = dlc.add %3, %4 : (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  return %5 : tensor<1x2x6x6xf32>
}

// RepVGG with a folded identity BN (x * s + t per channel) and a 1x1 branch.
// CHECK-LABEL: func.func @identity_affine
// CHECK: dlc.conv2d %arg0, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>}
// CHECK-NOT: dlc.mul
// CHECK-NOT: dlc.add
func.func @identity_affine(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> {
  %k33 = dlc.constant dense<0.25> : tensor<2x2x3x3xf32>
  %k11 = dlc.constant dense<[[[[0.4]], [[-0.3]]], [[[0.2]], [[0.5]]]]> : tensor<2x2x1x1xf32>
  %b11 = dlc.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %s = dlc.constant dense<[[[1.5]], [[0.7]]]> : tensor<2x1x1xf32>
  %t = dlc.constant dense<[[[0.3]], [[-0.1]]]> : tensor<2x1x1xf32>
  %0 = dlc.conv2d %x, %k33 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  %1 = dlc.conv2d %x, %k11, %b11 : (tensor<1x2x6x6xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  %2 = dlc.mul %x, %s : (tensor<1x2x6x6xf32>, tensor<2x1x1xf32>) -> tensor<1x2x6x6xf32>
  %3 = dlc.add %2, %t : (tensor<1x2x6x6xf32>, tensor<2x1x1xf32>) -> tensor<1x2x6x6xf32>
  %4 = dlc.add %0, %1 : (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %5 = dlc.add %4, %3 : (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  return %5 : tensor<1x2x6x6xf32>
}

// Branches whose windows do not line up (a 3x3 padded only at the top and
// left next to an unpadded 1x1) are left alone.
// REMARK: dlc-reparameterize.mlir:[[# @LINE + 9]]:8: remark: multi-branch block not reparameterized: the branches' windows are not aligned (padding differs once kernels are centred)
// CHECK-LABEL: func.func @misaligned
// CHECK-COUNT-2: dlc.conv2d
// CHECK: dlc.add
func.func @misaligned(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> {
  %k33 = dlc.constant dense<0.25> : tensor<2x2x3x3xf32>
  %k11 = dlc.constant dense<0.5> : tensor<2x2x1x1xf32>
  %0 = dlc.conv2d %x, %k33 {pads = array<i64: 2, 2, 0, 0>} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  %1 = dlc.conv2d %x, %k11 : (tensor<1x2x6x6xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x6x6xf32>
  %2 = dlc.add %0, %1 : (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  return %2 : tensor<1x2x6x6xf32>
}

// A larger padding on both branches still lines up: 3x3 padded by 2 and a
// 1x1 padded by 1 merge (an 8x8 output).
// CHECK-LABEL: func.func @aligned_wide_padding
// CHECK: dlc.conv2d %arg0, %{{.*}}, %{{.*}} {pads = array<i64: 2, 2, 2, 2>}
// CHECK-NOT: dlc.add
func.func @aligned_wide_padding(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x8x8xf32> {
  %k33 = dlc.constant dense<0.25> : tensor<2x2x3x3xf32>
  %k11 = dlc.constant dense<0.5> : tensor<2x2x1x1xf32>
  %0 = dlc.conv2d %x, %k33 {pads = array<i64: 2, 2, 2, 2>} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x8x8xf32>
  %1 = dlc.conv2d %x, %k11 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x8x8xf32>
  %2 = dlc.add %0, %1 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  return %2 : tensor<1x2x8x8xf32>
}

// Diverse Branch Block's pooling branch: a 3x3 average (padding counted)
// next to a 3x3 conv and an identity is a box kernel on each channel.
// CHECK-LABEL: func.func @avgpool_branch
// CHECK: dlc.conv2d %arg0, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>}
// CHECK-NOT: dlc.avg_pool2d
// CHECK-NOT: dlc.add
func.func @avgpool_branch(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> {
  %k33 = dlc.constant dense<[[[[0.5, -0.2, 0.1], [0.3, 0.8, -0.6], [0.2, 0.1, 0.4]], [[-0.3, 0.2, 0.5], [0.1, -0.7, 0.2], [0.6, 0.3, -0.1]]],
                             [[[0.2, 0.4, -0.3], [0.5, 0.1, 0.2], [-0.4, 0.3, 0.6]], [[0.1, 0.2, 0.3], [-0.2, 0.4, 0.1], [0.3, -0.5, 0.2]]]]> : tensor<2x2x3x3xf32>
  %0 = dlc.conv2d %x, %k33 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  %1 = dlc.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true}
      : (tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %2 = dlc.add %0, %1 : (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %3 = dlc.add %2, %x : (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  return %3 : tensor<1x2x6x6xf32>
}

// Diverse Branch Block's concatenated branches: a 3x3 and a 1x1 conv of one
// input, concatenated along channels, are one conv with stacked kernels.
// CHECK-LABEL: func.func @concat_branches
// CHECK: dlc.conv2d %arg0, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>)
// CHECK-NOT: dlc.concat
func.func @concat_branches(%x: tensor<1x2x6x6xf32>) -> tensor<1x3x6x6xf32> {
  %k33 = dlc.constant dense<[[[[0.5, -0.2, 0.1], [0.3, 0.8, -0.6], [0.2, 0.1, 0.4]], [[-0.3, 0.2, 0.5], [0.1, -0.7, 0.2], [0.6, 0.3, -0.1]]],
                             [[[0.2, 0.4, -0.3], [0.5, 0.1, 0.2], [-0.4, 0.3, 0.6]], [[0.1, 0.2, 0.3], [-0.2, 0.4, 0.1], [0.3, -0.5, 0.2]]]]> : tensor<2x2x3x3xf32>
  %b33 = dlc.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %k11 = dlc.constant dense<[[[[0.4]], [[-0.3]]]]> : tensor<1x2x1x1xf32>
  %0 = dlc.conv2d %x, %k33, %b33 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  %1 = dlc.conv2d %x, %k11 : (tensor<1x2x6x6xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x6x6xf32>
  %2 = dlc.concat %0, %1 {axis = 1 : i64} : (tensor<1x2x6x6xf32>, tensor<1x1x6x6xf32>) -> tensor<1x3x6x6xf32>
  return %2 : tensor<1x3x6x6xf32>
}

// Diverse Branch Block's 1x1 then 3x3 (the 1x1 with a bias, the 3x3
// unpadded) is one 3x3 conv.
// CHECK-LABEL: func.func @one_then_three
// CHECK: dlc.conv2d %arg0, %{{.*}}, %{{.*}} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NOT: dlc.conv2d
func.func @one_then_three(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x4x4xf32> {
  %k11 = dlc.constant dense<[[[[0.4]], [[-0.3]]], [[[0.2]], [[0.5]]]]> : tensor<2x2x1x1xf32>
  %b11 = dlc.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %k33 = dlc.constant dense<[[[[0.5, -0.2, 0.1], [0.3, 0.8, -0.6], [0.2, 0.1, 0.4]], [[-0.3, 0.2, 0.5], [0.1, -0.7, 0.2], [0.6, 0.3, -0.1]]],
                             [[[0.2, 0.4, -0.3], [0.5, 0.1, 0.2], [-0.4, 0.3, 0.6]], [[0.1, 0.2, 0.3], [-0.2, 0.4, 0.1], [0.3, -0.5, 0.2]]]]> : tensor<2x2x3x3xf32>
  %0 = dlc.conv2d %x, %k11, %b11 : (tensor<1x2x6x6xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  %1 = dlc.conv2d %0, %k33 : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}
