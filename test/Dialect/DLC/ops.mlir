// Every dlc op parses, verifies and prints back in custom form, and survives
// a trip through the generic form.
// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// RUN: dlc-opt %s --mlir-print-op-generic | dlc-opt | FileCheck %s

// CHECK-LABEL: @constant
func.func @constant() -> (tensor<2xf32>, tensor<2x2xi8>) {
  // CHECK: dlc.constant dense<[1.000000e-01, -2.000000e-01]> : tensor<2xf32>
  %0 = dlc.constant dense<[0.1, -0.2]> : tensor<2xf32>
  // CHECK: dlc.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi8>
  %1 = dlc.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  return %0, %1 : tensor<2xf32>, tensor<2x2xi8>
}

// CHECK-LABEL: @constant_resource
func.func @constant_resource() -> tensor<2xf32> {
  // CHECK: dlc.constant dense_resource<two_floats> : tensor<2xf32>
  %0 = dlc.constant dense_resource<two_floats> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// CHECK-LABEL: @conv2d
func.func @conv2d(%x: tensor<?x3x224x224xf32>, %w: tensor<64x3x7x7xf32>,
                  %b: tensor<64xf32>) -> tensor<?x64x112x112xf32> {
  // CHECK: dlc.conv2d %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>}
  // CHECK-SAME: -> tensor<?x64x112x112xf32>
  %0 = dlc.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>}
      : (tensor<?x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<?x64x112x112xf32>
  return %0 : tensor<?x64x112x112xf32>
}

// CHECK-LABEL: @conv2d_depthwise_dilated
func.func @conv2d_depthwise_dilated(%x: tensor<1x32x56x56xf32>, %w: tensor<32x1x3x3xf32>)
    -> tensor<1x32x56x56xf32> {
  // CHECK: dlc.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, groups = 32 : i64, pads = array<i64: 2, 2, 2, 2>}
  // CHECK-SAME: -> tensor<1x32x56x56xf32>
  %0 = dlc.conv2d %x, %w {pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>, groups = 32 : i64}
      : (tensor<1x32x56x56xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32>
  return %0 : tensor<1x32x56x56xf32>
}

// CHECK-LABEL: @batch_norm
func.func @batch_norm(%x: tensor<?x64x56x56xf32>, %c: tensor<64xf32>) -> tensor<?x64x56x56xf32> {
  // CHECK: dlc.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32}
  %0 = dlc.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-3 : f32}
      : (tensor<?x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
      -> tensor<?x64x56x56xf32>
  return %0 : tensor<?x64x56x56xf32>
}

// CHECK-LABEL: @layer_norm
func.func @layer_norm(%x: tensor<1x128x256xf32>, %g: tensor<256xf32>, %b: tensor<256xf32>)
    -> (tensor<1x128x256xf32>, tensor<1x128x256xf32>) {
  // CHECK: dlc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} : (
  %0 = dlc.layer_norm %x, %g, %b
      : (tensor<1x128x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<1x128x256xf32>
  // CHECK: dlc.layer_norm %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 9.99999997E-7 : f32}
  %1 = dlc.layer_norm %x, %g {axis = 2 : i64, epsilon = 1.0e-6 : f32}
      : (tensor<1x128x256xf32>, tensor<256xf32>) -> tensor<1x128x256xf32>
  return %0, %1 : tensor<1x128x256xf32>, tensor<1x128x256xf32>
}

// CHECK-LABEL: @pooling
func.func @pooling(%x: tensor<1x64x112x112xf32>)
    -> (tensor<1x64x56x56xf32>, tensor<1x64x57x57xf32>, tensor<1x64x1x1xf32>) {
  // CHECK: dlc.max_pool2d %{{.*}} {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  // CHECK-SAME: -> tensor<1x64x56x56xf32>
  %0 = dlc.max_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  // CHECK: dlc.avg_pool2d %{{.*}} {ceil_mode = true, count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %1 = dlc.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                          ceil_mode = true, count_include_pad = true}
      : (tensor<1x64x112x112xf32>) -> tensor<1x64x57x57xf32>
  // CHECK: dlc.global_avg_pool %{{.*}} : (tensor<1x64x112x112xf32>) -> tensor<1x64x1x1xf32>
  %2 = dlc.global_avg_pool %x : (tensor<1x64x112x112xf32>) -> tensor<1x64x1x1xf32>
  return %0, %1, %2 : tensor<1x64x56x56xf32>, tensor<1x64x57x57xf32>, tensor<1x64x1x1xf32>
}

// CHECK-LABEL: @matmul_linear
func.func @matmul_linear(%q: tensor<1x8x128x32xf32>, %k: tensor<1x8x32x128xf32>,
                         %x: tensor<?x512xf32>, %w: tensor<1000x512xf32>, %b: tensor<1000xf32>)
    -> (tensor<1x8x128x128xf32>, tensor<?x1000xf32>, tensor<?x1000xf32>) {
  // CHECK: dlc.matmul %{{.*}}, %{{.*}} : (tensor<1x8x128x32xf32>, tensor<1x8x32x128xf32>) -> tensor<1x8x128x128xf32>
  %0 = dlc.matmul %q, %k : (tensor<1x8x128x32xf32>, tensor<1x8x32x128xf32>) -> tensor<1x8x128x128xf32>
  // CHECK: dlc.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<?x1000xf32>
  %1 = dlc.linear %x, %w, %b : (tensor<?x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<?x1000xf32>
  // CHECK: dlc.linear %{{.*}}, %{{.*}} : (tensor<?x512xf32>, tensor<1000x512xf32>) -> tensor<?x1000xf32>
  %2 = dlc.linear %x, %w : (tensor<?x512xf32>, tensor<1000x512xf32>) -> tensor<?x1000xf32>
  return %0, %1, %2 : tensor<1x8x128x128xf32>, tensor<?x1000xf32>, tensor<?x1000xf32>
}

// CHECK-LABEL: @elementwise
func.func @elementwise(%a: tensor<?x64x56x56xf32>, %b: tensor<64x1x1xf32>) -> tensor<?x64x56x56xf32> {
  // CHECK: dlc.add %{{.*}}, %{{.*}} : (tensor<?x64x56x56xf32>, tensor<64x1x1xf32>) -> tensor<?x64x56x56xf32>
  %0 = dlc.add %a, %b : (tensor<?x64x56x56xf32>, tensor<64x1x1xf32>) -> tensor<?x64x56x56xf32>
  // CHECK: dlc.sub
  %1 = dlc.sub %0, %b : (tensor<?x64x56x56xf32>, tensor<64x1x1xf32>) -> tensor<?x64x56x56xf32>
  // CHECK: dlc.mul
  %2 = dlc.mul %b, %1 : (tensor<64x1x1xf32>, tensor<?x64x56x56xf32>) -> tensor<?x64x56x56xf32>
  // CHECK: dlc.div
  %3 = dlc.div %2, %a : (tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>) -> tensor<?x64x56x56xf32>
  return %3 : tensor<?x64x56x56xf32>
}

// CHECK-LABEL: @activations
func.func @activations(%x: tensor<1x16x8x8xf16>) -> tensor<1x16x8x8xf16> {
  // CHECK: dlc.relu %{{.*}} : tensor<1x16x8x8xf16>
  %0 = dlc.relu %x : tensor<1x16x8x8xf16>
  // CHECK: dlc.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<1x16x8x8xf16>
  %1 = dlc.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x16x8x8xf16>
  // CHECK: dlc.sigmoid
  %2 = dlc.sigmoid %1 : tensor<1x16x8x8xf16>
  // CHECK: dlc.hard_swish
  %3 = dlc.hard_swish %2 : tensor<1x16x8x8xf16>
  // CHECK: dlc.gelu %{{.*}} : tensor<1x16x8x8xf16>
  %4 = dlc.gelu %3 : tensor<1x16x8x8xf16>
  // CHECK: dlc.gelu %{{.*}} {approximate = #dlc.gelu_approximation<tanh>}
  %5 = dlc.gelu %4 {approximate = #dlc.gelu_approximation<tanh>} : tensor<1x16x8x8xf16>
  // CHECK: dlc.softmax %{{.*}} {axis = 1 : i64}
  %6 = dlc.softmax %5 {axis = 1 : i64} : tensor<1x16x8x8xf16>
  // CHECK: dlc.log_softmax %{{.*}} : tensor<1x16x8x8xf16>
  %7 = dlc.log_softmax %6 {axis = -1 : i64} : tensor<1x16x8x8xf16>
  return %7 : tensor<1x16x8x8xf16>
}

// CHECK-LABEL: @reshape_flatten
func.func @reshape_flatten(%x: tensor<?x512x1x1xf32>, %y: tensor<1x116x28x28xf32>)
    -> (tensor<?x512xf32>, tensor<1x2x58x28x28xf32>, tensor<?x512xf32>) {
  // CHECK: dlc.reshape %{{.*}} {shape = array<i64: -1, 512>} : (tensor<?x512x1x1xf32>) -> tensor<?x512xf32>
  %0 = dlc.reshape %x {shape = array<i64: -1, 512>} : (tensor<?x512x1x1xf32>) -> tensor<?x512xf32>
  // CHECK: dlc.reshape %{{.*}} {shape = array<i64: 1, 2, 58, 28, 28>}
  %1 = dlc.reshape %y {shape = array<i64: 1, 2, 58, 28, 28>} : (tensor<1x116x28x28xf32>) -> tensor<1x2x58x28x28xf32>
  // CHECK: dlc.flatten %{{.*}} : (tensor<?x512x1x1xf32>) -> tensor<?x512xf32>
  %2 = dlc.flatten %x : (tensor<?x512x1x1xf32>) -> tensor<?x512xf32>
  return %0, %1, %2 : tensor<?x512xf32>, tensor<1x2x58x28x28xf32>, tensor<?x512xf32>
}

// CHECK-LABEL: @channel_shuffle
func.func @channel_shuffle(%x: tensor<1x2x58x28x28xf32>) -> tensor<1x58x2x28x28xf32> {
  // CHECK: dlc.transpose %{{.*}} {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x58x28x28xf32>) -> tensor<1x58x2x28x28xf32>
  %0 = dlc.transpose %x {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x58x28x28xf32>) -> tensor<1x58x2x28x28xf32>
  return %0 : tensor<1x58x2x28x28xf32>
}

// CHECK-LABEL: @concat_slice_split
func.func @concat_slice_split(%a: tensor<?x58x28x28xf32>, %b: tensor<?x58x28x28xf32>)
    -> (tensor<?x116x28x28xf32>, tensor<?x29x14x28xf32>, tensor<?x58x28x28xf32>) {
  // CHECK: dlc.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x58x28x28xf32>, tensor<?x58x28x28xf32>) -> tensor<?x116x28x28xf32>
  %0 = dlc.concat %a, %b {axis = 1 : i64} : (tensor<?x58x28x28xf32>, tensor<?x58x28x28xf32>) -> tensor<?x116x28x28xf32>
  // CHECK: dlc.slice %{{.*}} {axes = array<i64: 1, 2>, ends = array<i64: 58, 28>, starts = array<i64: 0, 1>, steps = array<i64: 2, 2>}
  %1 = dlc.slice %0 {axes = array<i64: 1, 2>, starts = array<i64: 0, 1>, ends = array<i64: 58, 28>, steps = array<i64: 2, 2>}
      : (tensor<?x116x28x28xf32>) -> tensor<?x29x14x28xf32>
  // CHECK: %{{.*}}:2 = dlc.split %{{.*}} {axis = 1 : i64, sizes = array<i64: 58, 58>}
  %2:2 = dlc.split %0 {axis = 1 : i64, sizes = array<i64: 58, 58>}
      : (tensor<?x116x28x28xf32>) -> (tensor<?x58x28x28xf32>, tensor<?x58x28x28xf32>)
  return %0, %1, %2#1 : tensor<?x116x28x28xf32>, tensor<?x29x14x28xf32>, tensor<?x58x28x28xf32>
}

// CHECK-LABEL: @pad
func.func @pad(%x: tensor<1x3x224x224xf32>) -> (tensor<1x3x226x226xf32>, tensor<1x3x225x226xf32>) {
  // CHECK: dlc.pad %{{.*}} {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = -1.000000e+00 : f32}
  %0 = dlc.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = -1.0 : f32}
      : (tensor<1x3x224x224xf32>) -> tensor<1x3x226x226xf32>
  // CHECK: dlc.pad %{{.*}} {mode = #dlc.pad_mode<reflect>, pads = array<i64: 0, 0, 0, 1, 0, 0, 1, 1>}
  %1 = dlc.pad %x {pads = array<i64: 0, 0, 0, 1, 0, 0, 1, 1>, mode = #dlc.pad_mode<reflect>}
      : (tensor<1x3x224x224xf32>) -> tensor<1x3x225x226xf32>
  return %0, %1 : tensor<1x3x226x226xf32>, tensor<1x3x225x226xf32>
}

// CHECK-LABEL: @expand
func.func @expand(%cls: tensor<1x1x8xf32>, %x: tensor<?x3x4x4xf32>, %r: tensor<4x1xf32>)
    -> (tensor<?x1x8xf32>, tensor<2x4x6xf32>) {
  // CHECK: dlc.expand %{{.*}}, %{{.*}} {shape = array<i64: -1, 1, 8>} : (tensor<1x1x8xf32>, tensor<?x3x4x4xf32>) -> tensor<?x1x8xf32>
  %0 = dlc.expand %cls, %x {shape = array<i64: -1, 1, 8>}
      : (tensor<1x1x8xf32>, tensor<?x3x4x4xf32>) -> tensor<?x1x8xf32>
  // CHECK: dlc.expand %{{.*}} {shape = array<i64: 2, 1, 6>} : (tensor<4x1xf32>) -> tensor<2x4x6xf32>
  %1 = dlc.expand %r {shape = array<i64: 2, 1, 6>} : (tensor<4x1xf32>) -> tensor<2x4x6xf32>
  return %0, %1 : tensor<?x1x8xf32>, tensor<2x4x6xf32>
}

// CHECK-LABEL: @resize
func.func @resize(%x: tensor<?x21x28x28xf32>) -> (tensor<?x21x224x224xf32>, tensor<?x21x42x14xf32>) {
  // CHECK: dlc.resize %{{.*}} {mode = #dlc.resize_mode<linear>, sizes = array<i64: 224, 224>} : (tensor<?x21x28x28xf32>) -> tensor<?x21x224x224xf32>
  %0 = dlc.resize %x {mode = #dlc.resize_mode<linear>, sizes = array<i64: 224, 224>}
      : (tensor<?x21x28x28xf32>) -> tensor<?x21x224x224xf32>
  // CHECK: dlc.resize %{{.*}} {coordinate_mode = #dlc.resize_coordinates<align_corners>, cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = true, mode = #dlc.resize_mode<cubic>, scales = array<f32: 1.500000e+00, 5.000000e-01>, sizes = array<i64: 42, 14>}
  %1 = dlc.resize %x {mode = #dlc.resize_mode<cubic>, sizes = array<i64: 42, 14>,
                      scales = array<f32: 1.5, 0.5>, cubic_coeff_a = -0.5 : f32,
                      exclude_outside = true,
                      coordinate_mode = #dlc.resize_coordinates<align_corners>}
      : (tensor<?x21x28x28xf32>) -> tensor<?x21x42x14xf32>
  return %0, %1 : tensor<?x21x224x224xf32>, tensor<?x21x42x14xf32>
}

{-#
  dialect_resources: {
    builtin: {
      two_floats: "0x04000000CDCCCC3DCDCC4CBE"
    }
  }
#-}
