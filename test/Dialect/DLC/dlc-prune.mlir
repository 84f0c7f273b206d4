// dlc-prune: 2:4 and magnitude pruning mark and zero weights; structured
// pruning removes channels across batch norms, residual adds and depthwise
// convs and leaves pinned groups whole. Sparsity 0 is an exact identity.
// RUN: dlc-opt %s --dlc-prune="method=2:4" | FileCheck %s --check-prefix=TWO4
// RUN: dlc-opt %s --dlc-prune="method=magnitude sparsity=0.5" | FileCheck %s --check-prefix=MAG
// RUN: dlc-opt %s --dlc-prune="method=l1 sparsity=0.5" | FileCheck %s --check-prefix=L1
// RUN: dlc-opt %s --dlc-prune="method=bn-gamma sparsity=0.5 align=4" | FileCheck %s --check-prefix=GAMMA

// RUN: %debian_python -c "import numpy; numpy.save('%t.x.npy', numpy.random.default_rng(1).standard_normal((2, 3, 6, 6)).astype(numpy.float32))"
// RUN: dlc-opt %s --dlc-prune="method=l1 sparsity=0" -o %t.same.mlir
// RUN: dlc-run %s --function residual --input %t.x.npy --output %t.want.npy
// RUN: dlc-run %t.same.mlir --function residual --input %t.x.npy --output %t.got.npy
// RUN: %debian_python -c "import numpy; assert (numpy.load('%t.got.npy') == numpy.load('%t.want.npy')).all(); print('identical')" | FileCheck %s --check-prefix=SAME
// SAME: identical
// The pruned network still runs.
// RUN: dlc-opt %s --dlc-prune="method=l1 sparsity=0.5" -o %t.pruned.mlir
// RUN: dlc-run %t.pruned.mlir --function residual --input %t.x.npy --output %t.pruned.npy

// RUN: not dlc-opt %s --dlc-prune="method=random" 2>&1 | FileCheck %s --check-prefix=BADMETHOD
// BADMETHOD: error: unknown method 'random' (expected magnitude, 2:4, l1, l2, bn-gamma or heads)
// RUN: not dlc-opt %s --dlc-prune="sparsity=1.5" 2>&1 | FileCheck %s --check-prefix=BADSPARSITY
// BADSPARSITY: error: sparsity must be in [0, 1), got 1.5
// RUN: not dlc-opt %s --dlc-prune="method=l1 allocation=greedy" 2>&1 | FileCheck %s --check-prefix=BADALLOC
// BADALLOC: error: unknown allocation 'greedy' (expected uniform or sensitivity)
// RUN: not dlc-opt %s --dlc-prune="method=magnitude flops-target=0.5 allocation=sensitivity calibration=%t.x.npy" 2>&1 | FileCheck %s --check-prefix=SENSMETHOD
// RUN: not dlc-opt %s --dlc-prune="method=l1 allocation=sensitivity calibration=%t.x.npy" 2>&1 | FileCheck %s --check-prefix=SENSMETHOD
// SENSMETHOD: error: allocation=sensitivity needs a structured method (l1, l2, bn-gamma) and flops-target or latency-target, or method=heads
// RUN: not dlc-opt %s --dlc-prune="method=l1 flops-target=0.5 allocation=sensitivity" 2>&1 | FileCheck %s --check-prefix=SENSDATA
// SENSDATA: error: allocation=sensitivity needs calibration inputs (calibration=FILE.npy)

// TWO4-LABEL: @linear
// TWO4: dlc.constant {dlc.sparsity = "2:4"} dense<{{\[}}[0.000000e+00, -5.000000e+00, 4.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 7.000000e+00, -8.000000e+00], [9.000000e+00, 0.000000e+00, 0.000000e+00, -1.200000e+01, 0.000000e+00, 0.000000e+00, 1.500000e+01, 1.600000e+01]]>
// MAG-LABEL: @linear
// The 8 smallest magnitudes of the 16 (global threshold 3) become zero.
// MAG: dlc.constant {dlc.sparsity = "unstructured"} dense<{{\[}}[0.000000e+00, -5.000000e+00, 4.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 7.000000e+00, -8.000000e+00], [9.000000e+00, 0.000000e+00, 0.000000e+00, -1.200000e+01, 0.000000e+00, 0.000000e+00, 1.500000e+01, 1.600000e+01]]>
func.func @linear(%x: tensor<1x8xf32>) -> tensor<1x2xf32> {
  %w = dlc.constant dense<[[1.0, -5.0, 4.0, 2.0, 3.0, -1.0, 7.0, -8.0], [9.0, 1.0, 2.0, -12.0, 0.5, 1.5, 15.0, 16.0]]> : tensor<2x8xf32>
  %y = dlc.linear %x, %w : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// Two convs feed a residual add: one group of 8 channels, halved in both,
// in the batch norm, and in the consumer's input channels; the consumer's
// own output is the function result, so it stays whole.
// L1-LABEL: @residual
// L1: dlc.conv2d %arg0, {{.*}} -> tensor<?x4x6x6xf32>
// L1: dlc.batch_norm {{.*}} -> tensor<?x4x6x6xf32>
// L1: dlc.conv2d %arg0, {{.*}} -> tensor<?x4x6x6xf32>
// L1: dlc.add {{.*}} -> tensor<?x4x6x6xf32>
// L1: dlc.conv2d {{.*}} : (tensor<?x4x6x6xf32>, tensor<2x4x1x1xf32>) -> tensor<?x2x6x6xf32>
// GAMMA-LABEL: @residual
// GAMMA: dlc.batch_norm {{.*}} -> tensor<?x4x6x6xf32>
func.func @residual(%x: tensor<?x3x6x6xf32>) -> tensor<?x2x6x6xf32> {
  %w1 = dlc.constant dense<[[[[1.0]], [[0.5]], [[0.1]]], [[[2.0]], [[0.1]], [[0.1]]], [[[0.1]], [[0.1]], [[0.1]]], [[[3.0]], [[1.0]], [[1.0]]], [[[0.2]], [[0.2]], [[0.1]]], [[[1.5]], [[1.5]], [[1.5]]], [[[0.1]], [[0.05]], [[0.1]]], [[[0.7]], [[0.9]], [[1.1]]]]> : tensor<8x3x1x1xf32>
  %a = dlc.conv2d %x, %w1 : (tensor<?x3x6x6xf32>, tensor<8x3x1x1xf32>) -> tensor<?x8x6x6xf32>
  %g = dlc.constant dense<[1.0, 0.1, 2.0, 0.2, 3.0, 0.3, 4.0, 0.4]> : tensor<8xf32>
  %be = dlc.constant dense<0.1> : tensor<8xf32>
  %m = dlc.constant dense<0.0> : tensor<8xf32>
  %v = dlc.constant dense<1.0> : tensor<8xf32>
  %n = dlc.batch_norm %a, %g, %be, %m, %v {epsilon = 1.0e-5 : f32} : (tensor<?x8x6x6xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x6x6xf32>
  %w2 = dlc.constant dense<0.25> : tensor<8x3x1x1xf32>
  %b = dlc.conv2d %x, %w2 : (tensor<?x3x6x6xf32>, tensor<8x3x1x1xf32>) -> tensor<?x8x6x6xf32>
  %s = dlc.add %n, %b : (tensor<?x8x6x6xf32>, tensor<?x8x6x6xf32>) -> tensor<?x8x6x6xf32>
  %r = dlc.relu %s : tensor<?x8x6x6xf32>
  %w3 = dlc.constant dense<0.5> : tensor<2x8x1x1xf32>
  %y = dlc.conv2d %r, %w3 : (tensor<?x8x6x6xf32>, tensor<2x8x1x1xf32>) -> tensor<?x2x6x6xf32>
  return %y : tensor<?x2x6x6xf32>
}

// A depthwise conv shrinks with the channels it carries (groups too).
// L1-LABEL: @depthwise
// L1: dlc.conv2d %arg0, {{.*}} -> tensor<1x4x6x6xf32>
// L1: dlc.conv2d {{.*}} {groups = 4 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
// L1: dlc.conv2d {{.*}} : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
func.func @depthwise(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w1 = dlc.constant dense<[[[[1.0]], [[1.0]], [[1.0]], [[1.0]]], [[[0.1]], [[0.1]], [[0.1]], [[0.1]]], [[[2.0]], [[2.0]], [[2.0]], [[2.0]]], [[[0.2]], [[0.2]], [[0.2]], [[0.2]]], [[[3.0]], [[3.0]], [[3.0]], [[3.0]]], [[[0.3]], [[0.3]], [[0.3]], [[0.3]]], [[[4.0]], [[4.0]], [[4.0]], [[4.0]]], [[[0.4]], [[0.4]], [[0.4]], [[0.4]]]]> : tensor<8x4x1x1xf32>
  %e = dlc.conv2d %x, %w1 : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  %w2 = dlc.constant dense<0.5> : tensor<8x1x3x3xf32>
  %d = dlc.conv2d %e, %w2 {groups = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
  %w3 = dlc.constant dense<0.5> : tensor<4x8x1x1xf32>
  %y = dlc.conv2d %d, %w3 : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// A resize carries each channel alone: it shrinks with its producer, and
// the consumer's input channels follow (a segmentation decoder).
// L1-LABEL: @decoder
// L1: dlc.conv2d %arg0, {{.*}} -> tensor<1x4x4x4xf32>
// L1: dlc.resize {{.*}} : (tensor<1x4x4x4xf32>) -> tensor<1x4x8x8xf32>
// L1: dlc.conv2d {{.*}} : (tensor<1x4x8x8xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x8x8xf32>
func.func @decoder(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x8x8xf32> {
  %w1 = dlc.constant dense<[[[[1.0]], [[1.0]], [[1.0]], [[1.0]]], [[[0.1]], [[0.1]], [[0.1]], [[0.1]]], [[[2.0]], [[2.0]], [[2.0]], [[2.0]]], [[[0.2]], [[0.2]], [[0.2]], [[0.2]]], [[[3.0]], [[3.0]], [[3.0]], [[3.0]]], [[[0.3]], [[0.3]], [[0.3]], [[0.3]]], [[[4.0]], [[4.0]], [[4.0]], [[4.0]]], [[[0.4]], [[0.4]], [[0.4]], [[0.4]]]]> : tensor<8x4x1x1xf32>
  %e = dlc.conv2d %x, %w1 : (tensor<1x4x4x4xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x4x4xf32>
  %u = dlc.resize %e {mode = #dlc.resize_mode<linear>, sizes = array<i64: 8, 8>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
  %w2 = dlc.constant dense<0.5> : tensor<2x8x1x1xf32>
  %y = dlc.conv2d %u, %w2 : (tensor<1x8x8x8xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x8x8xf32>
  return %y : tensor<1x2x8x8xf32>
}

// A concat that reaches the function result pins the channels of its parts.
// L1-LABEL: @pinned
// L1: dlc.conv2d %arg0, {{.*}} -> tensor<1x4x6x6xf32>
// L1: dlc.concat {{.*}} -> tensor<1x8x6x6xf32>
func.func @pinned(%x: tensor<1x4x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %w = dlc.constant dense<0.5> : tensor<4x4x1x1xf32>
  %y = dlc.conv2d %x, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %c = dlc.concat %y, %x {axis = 1 : i64} : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x8x6x6xf32>
  return %c : tensor<1x8x6x6xf32>
}

// A concatenation keeps what its parts keep: each producer is pruned by its
// own scores, the concat's batch norm and consumer follow, shifted by each
// part's offset.
// L1-LABEL: @dense_block
// L1: %[[A:.*]] = dlc.conv2d %arg0, {{.*}} -> tensor<1x2x4x4xf32>
// L1: %[[B:.*]] = dlc.conv2d %arg0, {{.*}} -> tensor<1x3x4x4xf32>
// L1: dlc.concat %[[A]], %[[B]] {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
// L1: dlc.batch_norm {{.*}} -> tensor<1x5x4x4xf32>
// L1: dlc.conv2d {{.*}} : (tensor<1x5x4x4xf32>, tensor<2x5x1x1xf32>) -> tensor<1x2x4x4xf32>
func.func @dense_block(%x: tensor<1x3x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %wa = dlc.constant dense<[[[[1.0]], [[1.0]], [[1.0]]], [[[0.1]], [[0.1]], [[0.1]]], [[[2.0]], [[2.0]], [[2.0]]], [[[0.2]], [[0.2]], [[0.2]]]]> : tensor<4x3x1x1xf32>
  %a = dlc.conv2d %x, %wa : (tensor<1x3x4x4xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x4x4xf32>
  %wb = dlc.constant dense<[[[[0.3]], [[0.3]], [[0.3]]], [[[3.0]], [[3.0]], [[3.0]]], [[[0.1]], [[0.1]], [[0.1]]], [[[1.0]], [[1.0]], [[1.0]]], [[[2.0]], [[2.0]], [[2.0]]], [[[0.2]], [[0.2]], [[0.2]]]]> : tensor<6x3x1x1xf32>
  %b = dlc.conv2d %x, %wb : (tensor<1x3x4x4xf32>, tensor<6x3x1x1xf32>) -> tensor<1x6x4x4xf32>
  %c = dlc.concat %a, %b {axis = 1 : i64} : (tensor<1x4x4x4xf32>, tensor<1x6x4x4xf32>) -> tensor<1x10x4x4xf32>
  %g = dlc.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]> : tensor<10xf32>
  %be = dlc.constant dense<0.5> : tensor<10xf32>
  %m = dlc.constant dense<0.0> : tensor<10xf32>
  %v = dlc.constant dense<1.0> : tensor<10xf32>
  %n = dlc.batch_norm %c, %g, %be, %m, %v {epsilon = 1.0e-5 : f32} : (tensor<1x10x4x4xf32>, tensor<10xf32>, tensor<10xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<1x10x4x4xf32>
  %r = dlc.relu %n : tensor<1x10x4x4xf32>
  %wc = dlc.constant dense<[[[[0.0]], [[1.0]], [[2.0]], [[3.0]], [[4.0]], [[5.0]], [[6.0]], [[7.0]], [[8.0]], [[9.0]]], [[[1.0]], [[1.0]], [[1.0]], [[1.0]], [[1.0]], [[1.0]], [[1.0]], [[1.0]], [[1.0]], [[1.0]]]]> : tensor<2x10x1x1xf32>
  %y = dlc.conv2d %r, %wc : (tensor<1x10x4x4xf32>, tensor<2x10x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
// Which channels: a keeps filters 0 and 2, b keeps 1, 3 and 4 (its
// offset is 4), so the batch norm keeps gammas 1, 3, 6, 8, 9 and the
// consumer its columns 0, 2, 5, 7, 8. The pruned block runs.
// RUN: dlc-opt %s --dlc-prune="method=l1 sparsity=0.5" | FileCheck %s --check-prefix=DENSE-VALUES
// RUN: %debian_python -c "import numpy; numpy.save('%t.d.npy', numpy.ones((1, 3, 4, 4), numpy.float32))"
// RUN: dlc-run %t.pruned.mlir --function dense_block --input %t.d.npy --output %t.d.out.npy
// DENSE-VALUES-LABEL: @dense_block
// DENSE-VALUES: dlc.constant dense<{{.*}}1.000000e+00{{.*}}2.000000e+00{{.*}}> : tensor<2x3x1x1xf32>
// DENSE-VALUES: dlc.constant dense<{{.*}}3.000000e+00{{.*}}1.000000e+00{{.*}}2.000000e+00{{.*}}> : tensor<3x3x1x1xf32>
// DENSE-VALUES: dlc.constant dense<[1.000000e+00, 3.000000e+00, 6.000000e+00, 8.000000e+00, 9.000000e+00]> : tensor<5xf32>
// DENSE-VALUES: dlc.constant dense<{{.*}}0.000000e+00{{.*}}2.000000e+00{{.*}}5.000000e+00{{.*}}7.000000e+00{{.*}}8.000000e+00{{.*}} : tensor<2x5x1x1xf32>
