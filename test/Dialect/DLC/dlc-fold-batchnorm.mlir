// dlc-fold-batchnorm: which batch norms fold where, and that the folded
// functions compute what the originals did (reference executor, random
// inputs, max relative error <= 1e-5).
// RUN: dlc-opt %s --dlc-fold-batchnorm | FileCheck %s
// RUN: dlc-opt %s --dlc-fold-batchnorm=scale-shift=false | FileCheck %s --check-prefix=KEEP
// RUN: dlc-opt %s --dlc-fold-batchnorm -o %t.folded.mlir
// RUN: %debian_python -c "import numpy as n; r = n.random.default_rng(3); \
// RUN:   n.save('%t.x4.npy', r.standard_normal((2, 4, 5, 5)).astype(n.float32)); \
// RUN:   n.save('%t.x2.npy', r.standard_normal((3, 4)).astype(n.float32))"
// RUN: for f in conv_bn_grouped depthwise_bn bn_conv bn_conv_padded shared_conv phases_bn; do \
// RUN:   dlc-run %s --function $f --input %t.x4.npy --output %t.$f.want.npy && \
// RUN:   dlc-run %t.folded.mlir --function $f --input %t.x4.npy --output %t.$f.got.npy && \
// RUN:   %debian_python %S/../../Target/ONNX/Inputs/compare.py %t.$f.got.npy %t.$f.want.npy 1e-5 || exit 1; done
// RUN: dlc-run %s --function linear_bn --input %t.x2.npy --output %t.l.want.npy
// RUN: dlc-run %t.folded.mlir --function linear_bn --input %t.x2.npy --output %t.l.got.npy
// RUN: %debian_python %S/../../Target/ONNX/Inputs/compare.py %t.l.got.npy %t.l.want.npy 1e-5

// A transposed convolution as imported (phases as channels, interleaved,
// cropped) then BN: the BN's channel c scales conv channels c, c + 2, ...
// (k mod 2); the interleave and crop stay, on the folded conv.
// CHECK-LABEL: func.func @phases_bn
// CHECK-NOT: dlc.batch_norm
// CHECK: dlc.conv2d %arg0, %{{.*}}, %{{.*}} : (tensor<2x4x5x5xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>) -> tensor<2x8x5x5xf32>
// CHECK-NEXT: dlc.reshape
// CHECK-NEXT: dlc.transpose
// CHECK-NEXT: dlc.reshape
// CHECK-NEXT: dlc.slice
// CHECK-NEXT: return
func.func @phases_bn(%x: tensor<2x4x5x5xf32>) -> tensor<2x2x9x9xf32> {
  %w = dlc.constant dense<[[[[0.5]], [[-0.2]], [[0.1]], [[0.3]]], [[[0.8]], [[-0.6]], [[0.2]], [[0.1]]],
                           [[[0.4]], [[-0.3]], [[0.2]], [[0.5]]], [[[0.1]], [[-0.7]], [[0.2]], [[0.6]]],
                           [[[0.3]], [[-0.1]], [[0.2]], [[0.4]]], [[[-0.3]], [[0.5]], [[0.1]], [[0.2]]],
                           [[[0.4]], [[-0.2]], [[0.3]], [[0.1]]], [[[0.6]], [[0.3]], [[-0.4]], [[0.2]]]]> : tensor<8x4x1x1xf32>
  %c = dlc.conv2d %x, %w : (tensor<2x4x5x5xf32>, tensor<8x4x1x1xf32>) -> tensor<2x8x5x5xf32>
  %s = dlc.reshape %c {shape = array<i64: 2, 2, 2, 2, 5, 5>} : (tensor<2x8x5x5xf32>) -> tensor<2x2x2x2x5x5xf32>
  %t = dlc.transpose %s {perm = array<i64: 0, 3, 4, 1, 5, 2>} : (tensor<2x2x2x2x5x5xf32>) -> tensor<2x2x5x2x5x2xf32>
  %m = dlc.reshape %t {shape = array<i64: 2, 2, 10, 10>} : (tensor<2x2x5x2x5x2xf32>) -> tensor<2x2x10x10xf32>
  %cut = dlc.slice %m {axes = array<i64: 2, 3>, starts = array<i64: 1, 1>, ends = array<i64: 10, 10>} : (tensor<2x2x10x10xf32>) -> tensor<2x2x9x9xf32>
  %g = dlc.constant dense<[1.2, 0.7]> : tensor<2xf32>
  %be = dlc.constant dense<[0.1, -0.3]> : tensor<2xf32>
  %mu = dlc.constant dense<[0.2, -0.1]> : tensor<2xf32>
  %v = dlc.constant dense<[0.9, 1.4]> : tensor<2xf32>
  %y = dlc.batch_norm %cut, %g, %be, %mu, %v : (tensor<2x2x9x9xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2x9x9xf32>
  return %y : tensor<2x2x9x9xf32>
}

// A slice of the channels between conv and BN: not folded (scale-shift).
// KEEP-LABEL: func.func @channel_slice_bn
// KEEP: dlc.slice
// KEEP-NEXT: dlc.batch_norm
func.func @channel_slice_bn(%x: tensor<2x4x5x5xf32>) -> tensor<2x2x5x5xf32> {
  %w = dlc.constant dense<0.5> : tensor<4x4x1x1xf32>
  %c = dlc.conv2d %x, %w : (tensor<2x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<2x4x5x5xf32>
  %cut = dlc.slice %c {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 2>} : (tensor<2x4x5x5xf32>) -> tensor<2x2x5x5xf32>
  %g = dlc.constant dense<[1.2, 0.7]> : tensor<2xf32>
  %be = dlc.constant dense<[0.1, -0.3]> : tensor<2xf32>
  %mu = dlc.constant dense<[0.2, -0.1]> : tensor<2xf32>
  %v = dlc.constant dense<[0.9, 1.4]> : tensor<2xf32>
  %y = dlc.batch_norm %cut, %g, %be, %mu, %v : (tensor<2x2x5x5xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2x5x5xf32>
  return %y : tensor<2x2x5x5xf32>
}

// Grouped conv with bias, then BN: one conv with new weights and bias.
// CHECK-LABEL: func.func @conv_bn_grouped
// CHECK-NOT: dlc.batch_norm
// CHECK: %[[C:.*]] = dlc.conv2d %{{.*}}, %{{.*}}, %{{.*}} {groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>}
// CHECK-NOT: dlc.batch_norm
// CHECK: return %[[C]]
func.func @conv_bn_grouped(%x: tensor<2x4x5x5xf32>) -> tensor<2x4x5x5xf32> {
  %w = dlc.constant dense<[[[[0.5, -0.2, 0.1], [0.3, 0.8, -0.6], [0.2, 0.1, 0.4]], [[-0.3, 0.2, 0.5], [0.1, -0.7, 0.2], [0.6, 0.3, -0.1]]],
                           [[[0.2, 0.4, -0.3], [0.5, 0.1, 0.2], [-0.4, 0.3, 0.6]], [[0.1, 0.2, 0.3], [-0.2, 0.4, 0.1], [0.3, -0.5, 0.2]]],
                           [[[0.4, -0.1, 0.2], [0.1, 0.3, -0.2], [0.5, 0.2, 0.1]], [[0.2, -0.3, 0.1], [0.4, 0.2, -0.1], [0.1, 0.6, 0.3]]],
                           [[[-0.2, 0.3, 0.4], [0.2, -0.1, 0.5], [0.3, 0.2, -0.4]], [[0.5, 0.1, -0.2], [0.3, 0.4, 0.2], [-0.1, 0.2, 0.6]]]]> : tensor<4x2x3x3xf32>
  %b = dlc.constant dense<[0.1, -0.2, 0.3, 0.05]> : tensor<4xf32>
  %g = dlc.constant dense<[1.2, 0.8, 1.5, 0.6]> : tensor<4xf32>
  %be = dlc.constant dense<[0.1, 0.2, -0.3, 0.4]> : tensor<4xf32>
  %m = dlc.constant dense<[0.05, -0.1, 0.2, 0.3]> : tensor<4xf32>
  %v = dlc.constant dense<[0.9, 1.3, 0.7, 1.1]> : tensor<4xf32>
  %0 = dlc.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, groups = 2 : i64}
      : (tensor<2x4x5x5xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  %1 = dlc.batch_norm %0, %g, %be, %m, %v {epsilon = 1.0e-3 : f32}
      : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  return %1 : tensor<2x4x5x5xf32>
}

// Depthwise conv without bias: the BN shift becomes its bias.
// CHECK-LABEL: func.func @depthwise_bn
// CHECK: dlc.conv2d %{{.*}}, %{{.*}}, %{{.*}} {groups = 4 : i64}
// CHECK-NOT: dlc.batch_norm
func.func @depthwise_bn(%x: tensor<2x4x5x5xf32>) -> tensor<2x4x3x3xf32> {
  %w = dlc.constant dense<[[[[0.5, -0.2, 0.1], [0.3, 0.8, -0.6], [0.2, 0.1, 0.4]]], [[[0.2, 0.4, -0.3], [0.5, 0.1, 0.2], [-0.4, 0.3, 0.6]]],
                           [[[0.4, -0.1, 0.2], [0.1, 0.3, -0.2], [0.5, 0.2, 0.1]]], [[[-0.2, 0.3, 0.4], [0.2, -0.1, 0.5], [0.3, 0.2, -0.4]]]]> : tensor<4x1x3x3xf32>
  %g = dlc.constant dense<[1.2, 0.8, 1.5, 0.6]> : tensor<4xf32>
  %be = dlc.constant dense<[0.1, 0.2, -0.3, 0.4]> : tensor<4xf32>
  %m = dlc.constant dense<[0.05, -0.1, 0.2, 0.3]> : tensor<4xf32>
  %v = dlc.constant dense<[0.9, 1.3, 0.7, 1.1]> : tensor<4xf32>
  %0 = dlc.conv2d %x, %w {groups = 4 : i64} : (tensor<2x4x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<2x4x3x3xf32>
  %1 = dlc.batch_norm %0, %g, %be, %m, %v
      : (tensor<2x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  return %1 : tensor<2x4x3x3xf32>
}

// BatchNorm1d after a linear layer.
// CHECK-LABEL: func.func @linear_bn
// CHECK: dlc.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xf32>)
// CHECK-NOT: dlc.batch_norm
func.func @linear_bn(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %w = dlc.constant dense<[[0.5, -0.2, 0.1, 0.3], [0.8, -0.6, 0.2, 0.1]]> : tensor<2x4xf32>
  %g = dlc.constant dense<[1.2, 0.8]> : tensor<2xf32>
  %be = dlc.constant dense<[0.1, -0.3]> : tensor<2xf32>
  %m = dlc.constant dense<[0.05, 0.2]> : tensor<2xf32>
  %v = dlc.constant dense<[0.9, 1.3]> : tensor<2xf32>
  %0 = dlc.linear %x, %w : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  %1 = dlc.batch_norm %0, %g, %be, %m, %v
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// BN before an unpadded conv folds into the conv's input channels.
// CHECK-LABEL: func.func @bn_conv
// CHECK-NOT: dlc.batch_norm
// CHECK: dlc.conv2d %arg0, %{{.*}}, %{{.*}} :
func.func @bn_conv(%x: tensor<2x4x5x5xf32>) -> tensor<2x2x4x4xf32> {
  %g = dlc.constant dense<[1.2, 0.8, 1.5, 0.6]> : tensor<4xf32>
  %be = dlc.constant dense<[0.1, 0.2, -0.3, 0.4]> : tensor<4xf32>
  %m = dlc.constant dense<[0.05, -0.1, 0.2, 0.3]> : tensor<4xf32>
  %v = dlc.constant dense<[0.9, 1.3, 0.7, 1.1]> : tensor<4xf32>
  %w = dlc.constant dense<[[[[0.5, -0.2], [0.3, 0.8]], [[0.2, 0.1], [-0.3, 0.2]], [[0.1, -0.7], [0.6, 0.3]], [[0.2, 0.4], [-0.3, 0.5]]],
                           [[[0.1, 0.2], [-0.4, 0.3]], [[0.6, 0.1], [0.2, 0.3]], [[-0.2, 0.4], [0.1, 0.3]], [[-0.5, 0.2], [0.4, -0.1]]]]> : tensor<2x4x2x2xf32>
  %0 = dlc.batch_norm %x, %g, %be, %m, %v
      : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  %1 = dlc.conv2d %0, %w : (tensor<2x4x5x5xf32>, tensor<2x4x2x2xf32>) -> tensor<2x2x4x4xf32>
  return %1 : tensor<2x2x4x4xf32>
}

// A padded conv cannot absorb the BN before it: it becomes scale and shift.
// CHECK-LABEL: func.func @bn_conv_padded
// CHECK: %[[S:.*]] = dlc.mul %arg0, %{{.*}} : (tensor<2x4x5x5xf32>, tensor<4x1x1xf32>)
// CHECK: %[[T:.*]] = dlc.add %[[S]], %{{.*}} : (tensor<2x4x5x5xf32>, tensor<4x1x1xf32>)
// CHECK: dlc.conv2d %[[T]]
// KEEP-LABEL: func.func @bn_conv_padded
// KEEP: dlc.batch_norm
func.func @bn_conv_padded(%x: tensor<2x4x5x5xf32>) -> tensor<2x2x6x6xf32> {
  %g = dlc.constant dense<[1.2, 0.8, 1.5, 0.6]> : tensor<4xf32>
  %be = dlc.constant dense<[0.1, 0.2, -0.3, 0.4]> : tensor<4xf32>
  %m = dlc.constant dense<[0.05, -0.1, 0.2, 0.3]> : tensor<4xf32>
  %v = dlc.constant dense<[0.9, 1.3, 0.7, 1.1]> : tensor<4xf32>
  %w = dlc.constant dense<0.25> : tensor<2x4x2x2xf32>
  %0 = dlc.batch_norm %x, %g, %be, %m, %v
      : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  %1 = dlc.conv2d %0, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x4x5x5xf32>, tensor<2x4x2x2xf32>) -> tensor<2x2x6x6xf32>
  return %1 : tensor<2x2x6x6xf32>
}

// A conv whose result is also used elsewhere keeps its weights.
// CHECK-LABEL: func.func @shared_conv
// CHECK: %[[C:.*]] = dlc.conv2d %arg0
// CHECK: dlc.mul %[[C]]
func.func @shared_conv(%x: tensor<2x4x5x5xf32>) -> (tensor<2x2x5x5xf32>, tensor<2x2x5x5xf32>) {
  %w = dlc.constant dense<0.3> : tensor<2x4x1x1xf32>
  %g = dlc.constant dense<[1.2, 0.8]> : tensor<2xf32>
  %be = dlc.constant dense<[0.1, -0.3]> : tensor<2xf32>
  %m = dlc.constant dense<[0.05, 0.2]> : tensor<2xf32>
  %v = dlc.constant dense<[0.9, 1.3]> : tensor<2xf32>
  %0 = dlc.conv2d %x, %w : (tensor<2x4x5x5xf32>, tensor<2x4x1x1xf32>) -> tensor<2x2x5x5xf32>
  %1 = dlc.batch_norm %0, %g, %be, %m, %v
      : (tensor<2x2x5x5xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2x5x5xf32>
  return %0, %1 : tensor<2x2x5x5xf32>, tensor<2x2x5x5xf32>
}
