// Building blocks of the networks the dialect is made for, written by hand:
// each parses, verifies, survives the generic form, and keeps its shapes.
// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// RUN: dlc-opt %s --mlir-print-op-generic | dlc-opt | FileCheck %s
// RUN: dlc-opt %s -dlc-infer-shapes=batch=2 | FileCheck %s --check-prefix=BATCH2

// ResNet bottleneck with a strided 1x1 projection shortcut.
// CHECK-LABEL: func.func @resnet_bottleneck
// CHECK-COUNT-4: dlc.conv2d
// CHECK: dlc.add {{.*}} -> tensor<?x256x28x28xf32>
// BATCH2-LABEL: func.func @resnet_bottleneck
// BATCH2-SAME: -> tensor<2x256x28x28xf32>
func.func @resnet_bottleneck(%x: tensor<?x128x56x56xf32>, %w1: tensor<64x128x1x1xf32>,
                             %w2: tensor<64x64x3x3xf32>, %w3: tensor<256x64x1x1xf32>,
                             %ws: tensor<256x128x1x1xf32>, %c64: tensor<64xf32>,
                             %c256: tensor<256xf32>) -> tensor<?x256x28x28xf32> {
  %0 = dlc.conv2d %x, %w1 : (tensor<?x128x56x56xf32>, tensor<64x128x1x1xf32>) -> tensor<?x64x56x56xf32>
  %1 = dlc.batch_norm %0, %c64, %c64, %c64, %c64
      : (tensor<?x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x56x56xf32>
  %2 = dlc.relu %1 : tensor<?x64x56x56xf32>
  %3 = dlc.conv2d %2, %w2 {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
      : (tensor<?x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x28x28xf32>
  %4 = dlc.relu %3 : tensor<?x64x28x28xf32>
  %5 = dlc.conv2d %4, %w3, %c256 : (tensor<?x64x28x28xf32>, tensor<256x64x1x1xf32>, tensor<256xf32>) -> tensor<?x256x28x28xf32>
  %6 = dlc.conv2d %x, %ws, %c256 {strides = array<i64: 2, 2>}
      : (tensor<?x128x56x56xf32>, tensor<256x128x1x1xf32>, tensor<256xf32>) -> tensor<?x256x28x28xf32>
  %7 = dlc.add %5, %6 : (tensor<?x256x28x28xf32>, tensor<?x256x28x28xf32>) -> tensor<?x256x28x28xf32>
  %8 = dlc.relu %7 : tensor<?x256x28x28xf32>
  return %8 : tensor<?x256x28x28xf32>
}

// MobileNetV2 inverted residual: expand, ReLU6, depthwise, ReLU6, project.
// CHECK-LABEL: func.func @mobilenet_inverted_residual
// CHECK: dlc.clip {{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK: dlc.conv2d {{.*}}groups = 96 : i64
// CHECK: dlc.add {{.*}} -> tensor<1x16x56x56xf32>
func.func @mobilenet_inverted_residual(%x: tensor<1x16x56x56xf32>, %we: tensor<96x16x1x1xf32>,
                                       %wd: tensor<96x1x3x3xf32>, %wp: tensor<16x96x1x1xf32>)
    -> tensor<1x16x56x56xf32> {
  %0 = dlc.conv2d %x, %we : (tensor<1x16x56x56xf32>, tensor<96x16x1x1xf32>) -> tensor<1x96x56x56xf32>
  %1 = dlc.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x96x56x56xf32>
  %2 = dlc.conv2d %1, %wd {pads = array<i64: 1, 1, 1, 1>, groups = 96 : i64}
      : (tensor<1x96x56x56xf32>, tensor<96x1x3x3xf32>) -> tensor<1x96x56x56xf32>
  %3 = dlc.clip %2 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x96x56x56xf32>
  %4 = dlc.conv2d %3, %wp : (tensor<1x96x56x56xf32>, tensor<16x96x1x1xf32>) -> tensor<1x16x56x56xf32>
  %5 = dlc.add %4, %x : (tensor<1x16x56x56xf32>, tensor<1x16x56x56xf32>) -> tensor<1x16x56x56xf32>
  return %5 : tensor<1x16x56x56xf32>
}

// ShuffleNetV2 unit: channel split, one branch transformed, concat, shuffle.
// CHECK-LABEL: func.func @shufflenet_unit
// CHECK: dlc.split {{.*}} -> (tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>)
// CHECK: dlc.concat
// CHECK: dlc.reshape {{.*}} -> tensor<1x2x58x28x28xf32>
// CHECK: dlc.transpose {{.*}} -> tensor<1x58x2x28x28xf32>
// CHECK: dlc.reshape {{.*}} -> tensor<1x116x28x28xf32>
func.func @shufflenet_unit(%x: tensor<1x116x28x28xf32>, %w1: tensor<58x58x1x1xf32>,
                           %wd: tensor<58x1x3x3xf32>) -> tensor<1x116x28x28xf32> {
  %a, %b = dlc.split %x {axis = 1 : i64, sizes = array<i64: 58, 58>}
      : (tensor<1x116x28x28xf32>) -> (tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>)
  %0 = dlc.conv2d %b, %w1 : (tensor<1x58x28x28xf32>, tensor<58x58x1x1xf32>) -> tensor<1x58x28x28xf32>
  %1 = dlc.relu %0 : tensor<1x58x28x28xf32>
  %2 = dlc.conv2d %1, %wd {pads = array<i64: 1, 1, 1, 1>, groups = 58 : i64}
      : (tensor<1x58x28x28xf32>, tensor<58x1x3x3xf32>) -> tensor<1x58x28x28xf32>
  %3 = dlc.concat %a, %2 {axis = 1 : i64}
      : (tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>) -> tensor<1x116x28x28xf32>
  %4 = dlc.reshape %3 {shape = array<i64: 1, 2, 58, 28, 28>} : (tensor<1x116x28x28xf32>) -> tensor<1x2x58x28x28xf32>
  %5 = dlc.transpose %4 {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x58x28x28xf32>) -> tensor<1x58x2x28x28xf32>
  %6 = dlc.reshape %5 {shape = array<i64: 1, 116, 28, 28>} : (tensor<1x58x2x28x28xf32>) -> tensor<1x116x28x28xf32>
  return %6 : tensor<1x116x28x28xf32>
}

// RepVGG training-time block: 3x3+BN, 1x1+BN and identity BN, summed.
// CHECK-LABEL: func.func @repvgg_block
// CHECK-COUNT-3: dlc.batch_norm
// CHECK-COUNT-2: dlc.add
func.func @repvgg_block(%x: tensor<1x64x28x28xf32>, %w3: tensor<64x64x3x3xf32>,
                        %w1: tensor<64x64x1x1xf32>, %c: tensor<64xf32>) -> tensor<1x64x28x28xf32> {
  %0 = dlc.conv2d %x, %w3 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x28x28xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x28x28xf32>
  %1 = dlc.batch_norm %0, %c, %c, %c, %c
      : (tensor<1x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x28x28xf32>
  %2 = dlc.conv2d %x, %w1 : (tensor<1x64x28x28xf32>, tensor<64x64x1x1xf32>) -> tensor<1x64x28x28xf32>
  %3 = dlc.batch_norm %2, %c, %c, %c, %c
      : (tensor<1x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x28x28xf32>
  %4 = dlc.batch_norm %x, %c, %c, %c, %c
      : (tensor<1x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x28x28xf32>
  %5 = dlc.add %1, %3 : (tensor<1x64x28x28xf32>, tensor<1x64x28x28xf32>) -> tensor<1x64x28x28xf32>
  %6 = dlc.add %5, %4 : (tensor<1x64x28x28xf32>, tensor<1x64x28x28xf32>) -> tensor<1x64x28x28xf32>
  %7 = dlc.relu %6 : tensor<1x64x28x28xf32>
  return %7 : tensor<1x64x28x28xf32>
}

// Transformer encoder block (pre-norm, 4 heads of 64, sequence 128).
// CHECK-LABEL: func.func @transformer_encoder_block
// CHECK: dlc.layer_norm
// CHECK: dlc.matmul {{.*}} -> tensor<?x4x128x128xf32>
// CHECK: dlc.softmax {{.*}} : tensor<?x4x128x128xf32>
// CHECK: dlc.gelu
// CHECK: dlc.add {{.*}} -> tensor<?x128x256xf32>
// BATCH2-LABEL: func.func @transformer_encoder_block
// BATCH2: dlc.softmax {{.*}} : tensor<2x4x128x128xf32>
// BATCH2: return {{.*}} : tensor<2x128x256xf32>
func.func @transformer_encoder_block(%x: tensor<?x128x256xf32>, %g: tensor<256xf32>,
    %wqkv: tensor<768x256xf32>, %bqkv: tensor<768xf32>, %wo: tensor<256x256xf32>,
    %w1: tensor<1024x256xf32>, %w2: tensor<256x1024xf32>, %scale: tensor<1xf32>)
    -> tensor<?x128x256xf32> {
  %0 = dlc.layer_norm %x, %g, %g : (tensor<?x128x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<?x128x256xf32>
  %1 = dlc.linear %0, %wqkv, %bqkv : (tensor<?x128x256xf32>, tensor<768x256xf32>, tensor<768xf32>) -> tensor<?x128x768xf32>
  %2 = dlc.reshape %1 {shape = array<i64: -1, 128, 3, 4, 64>} : (tensor<?x128x768xf32>) -> tensor<?x128x3x4x64xf32>
  %3 = dlc.transpose %2 {perm = array<i64: 2, 0, 3, 1, 4>} : (tensor<?x128x3x4x64xf32>) -> tensor<3x?x4x128x64xf32>
  %q, %k, %v = dlc.split %3 {axis = 0 : i64, sizes = array<i64: 1, 1, 1>}
      : (tensor<3x?x4x128x64xf32>) -> (tensor<1x?x4x128x64xf32>, tensor<1x?x4x128x64xf32>, tensor<1x?x4x128x64xf32>)
  %q2 = dlc.reshape %q {shape = array<i64: -1, 4, 128, 64>} : (tensor<1x?x4x128x64xf32>) -> tensor<?x4x128x64xf32>
  %k2 = dlc.reshape %k {shape = array<i64: -1, 4, 128, 64>} : (tensor<1x?x4x128x64xf32>) -> tensor<?x4x128x64xf32>
  %v2 = dlc.reshape %v {shape = array<i64: -1, 4, 128, 64>} : (tensor<1x?x4x128x64xf32>) -> tensor<?x4x128x64xf32>
  %kt = dlc.transpose %k2 {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x4x128x64xf32>) -> tensor<?x4x64x128xf32>
  %4 = dlc.matmul %q2, %kt : (tensor<?x4x128x64xf32>, tensor<?x4x64x128xf32>) -> tensor<?x4x128x128xf32>
  %5 = dlc.mul %4, %scale : (tensor<?x4x128x128xf32>, tensor<1xf32>) -> tensor<?x4x128x128xf32>
  %6 = dlc.softmax %5 : tensor<?x4x128x128xf32>
  %7 = dlc.matmul %6, %v2 : (tensor<?x4x128x128xf32>, tensor<?x4x128x64xf32>) -> tensor<?x4x128x64xf32>
  %8 = dlc.transpose %7 {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x4x128x64xf32>) -> tensor<?x128x4x64xf32>
  %9 = dlc.reshape %8 {shape = array<i64: -1, 128, 256>} : (tensor<?x128x4x64xf32>) -> tensor<?x128x256xf32>
  %10 = dlc.linear %9, %wo : (tensor<?x128x256xf32>, tensor<256x256xf32>) -> tensor<?x128x256xf32>
  %11 = dlc.add %x, %10 : (tensor<?x128x256xf32>, tensor<?x128x256xf32>) -> tensor<?x128x256xf32>
  %12 = dlc.layer_norm %11, %g, %g : (tensor<?x128x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<?x128x256xf32>
  %13 = dlc.linear %12, %w1 : (tensor<?x128x256xf32>, tensor<1024x256xf32>) -> tensor<?x128x1024xf32>
  %14 = dlc.gelu %13 : tensor<?x128x1024xf32>
  %15 = dlc.linear %14, %w2 : (tensor<?x128x1024xf32>, tensor<256x1024xf32>) -> tensor<?x128x256xf32>
  %16 = dlc.add %11, %15 : (tensor<?x128x256xf32>, tensor<?x128x256xf32>) -> tensor<?x128x256xf32>
  return %16 : tensor<?x128x256xf32>
}
