// Invalid IR is a diagnostic at the op's location and a clean non-zero exit
// (`not` fails on a crash), and no output file is left behind.
// RUN: rm -f %t.out
// RUN: not dlc-opt %s -o %t.out 2>&1 | FileCheck %s
// RUN: not ls %t.out

func.func @wrong_channels(%x: tensor<1x64x8x8xf32>, %w: tensor<32x32x3x3xf32>) -> tensor<1x32x6x6xf32> {
  // CHECK: invalid-exit.mlir:[[@LINE+1]]:8: error: 'dlc.conv2d' op expects input channels (64) to equal weight channels * groups (32)
  %0 = dlc.conv2d %x, %w : (tensor<1x64x8x8xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x6x6xf32>
  return %0 : tensor<1x32x6x6xf32>
}
