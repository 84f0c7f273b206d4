// Every dlc folder, and the cases each one must leave alone.
// RUN: dlc-opt %s -canonicalize -split-input-file | FileCheck %s

// x + 0, x - 0, x * 1 and x / 1 are x.
// CHECK-LABEL: @identity_elements
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: dlc.
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identity_elements(%x: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %zero = dlc.constant dense<0.0> : tensor<3xf32>
  %one = dlc.constant dense<1.0> : tensor<1xf32>
  %0 = dlc.add %x, %zero : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = dlc.sub %x, %zero : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = dlc.mul %one, %x : (tensor<1xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = dlc.div %x, %one : (tensor<2x3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Adding zero that broadcasts the result to a larger shape is not identity.
// CHECK-LABEL: @broadcasting_zero_kept
// CHECK: dlc.add
func.func @broadcasting_zero_kept(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %zero = dlc.constant dense<0.0> : tensor<2x3xf32>
  %0 = dlc.add %x, %zero : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Elementwise ops on constants of the result type fold to a constant.
// CHECK-LABEL: @constant_folding
// CHECK: %[[C:.*]] = dlc.constant dense<[5.500000e+00, -1.500000e+00]> : tensor<2xf32>
// CHECK-NOT: dlc.add
// CHECK-NOT: dlc.mul
// CHECK: return %[[C]]
func.func @constant_folding() -> tensor<2xf32> {
  %a = dlc.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = dlc.constant dense<[3.0, 0.5]> : tensor<2xf32>
  %c = dlc.constant dense<[2.0, 0.5]> : tensor<2xf32>
  // ((a + b) * b - a) / c
  %0 = dlc.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = dlc.mul %0, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = dlc.sub %1, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %3 = dlc.div %2, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %3 : tensor<2xf32>
}

// -----

// relu is idempotent; a clip with a non-negative floor absorbs a relu; an
// unbounded clip is the identity; a clip with a negative floor keeps the relu.
// CHECK-LABEL: @activations
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[R:.*]] = dlc.relu %[[X]]
// CHECK-NOT: dlc.relu
// CHECK: %[[C6:.*]] = dlc.clip %[[X]] {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK: %[[CN:.*]] = dlc.clip %[[R]] {max = 6.000000e+00 : f32, min = -1.000000e+00 : f32}
// CHECK: return %[[R]], %[[C6]], %[[CN]], %[[X]]
func.func @activations(%x: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = dlc.relu %x : tensor<4xf32>
  %1 = dlc.relu %0 : tensor<4xf32>
  %2 = dlc.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  %3 = dlc.clip %0 {min = -1.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  %4 = dlc.clip %x {min = 0xFF800000 : f32, max = 0x7F800000 : f32} : tensor<4xf32>
  return %1, %2, %3, %4 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// A reshape to the same type is gone, a chain keeps only its last shape, and
// a reshaped or flattened dense constant is a new constant.
// CHECK-LABEL: @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[C:.*]] = dlc.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]]> : tensor<1x4xf32>
// CHECK-DAG: %[[F:.*]] = dlc.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[R:.*]] = dlc.reshape %[[X]] {shape = array<i64: 4, -1>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK: return %[[X]], %[[R]], %[[C]], %[[F]], %[[X]]
func.func @reshape(%x: tensor<2x3x4xf32>)
    -> (tensor<2x3x4xf32>, tensor<4x6xf32>, tensor<1x4xf32>, tensor<2x2xf32>, tensor<2x3x4xf32>) {
  %0 = dlc.reshape %x {shape = array<i64: 2, 3, 4>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %1 = dlc.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %2 = dlc.reshape %1 {shape = array<i64: 24>} : (tensor<6x4xf32>) -> tensor<24xf32>
  %3 = dlc.reshape %2 {shape = array<i64: 4, -1>} : (tensor<24xf32>) -> tensor<4x6xf32>
  %c = dlc.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %4 = dlc.reshape %c {shape = array<i64: 1, 4>} : (tensor<4xf32>) -> tensor<1x4xf32>
  %c2 = dlc.constant dense<[[[1.0, 2.0]], [[3.0, 4.0]]]> : tensor<2x1x2xf32>
  %5 = dlc.flatten %c2 : (tensor<2x1x2xf32>) -> tensor<2x2xf32>
  %6 = dlc.reshape %1 {shape = array<i64: 2, 3, 4>} : (tensor<6x4xf32>) -> tensor<2x3x4xf32>
  return %0, %3, %4, %5, %6 : tensor<2x3x4xf32>, tensor<4x6xf32>, tensor<1x4xf32>, tensor<2x2xf32>, tensor<2x3x4xf32>
}

// -----

// Flattening a 2-D tensor at axis 1 is the identity.
// CHECK-LABEL: @flatten_identity
// CHECK-SAME: (%[[X:.*]]: tensor<?x512xf32>)
// CHECK-NEXT: return %[[X]]
func.func @flatten_identity(%x: tensor<?x512xf32>) -> tensor<?x512xf32> {
  %0 = dlc.flatten %x : (tensor<?x512xf32>) -> tensor<?x512xf32>
  return %0 : tensor<?x512xf32>
}

// -----

// An identity permutation is gone; two transposes compose into one, or into
// nothing when they cancel (ShuffleNet's shuffle undone).
// CHECK-LABEL: @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[T:.*]] = dlc.transpose %[[X]] {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
// CHECK-NOT: dlc.transpose
// CHECK: return %[[X]], %[[T]], %[[X]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<3x4x2xf32>, tensor<2x3x4xf32>) {
  %0 = dlc.transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %1 = dlc.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  %2 = dlc.transpose %1 {perm = array<i64: 0, 2, 1>} : (tensor<3x2x4xf32>) -> tensor<3x4x2xf32>
  %3 = dlc.transpose %1 {perm = array<i64: 1, 0, 2>} : (tensor<3x2x4xf32>) -> tensor<2x3x4xf32>
  return %0, %2, %3 : tensor<2x3x4xf32>, tensor<3x4x2xf32>, tensor<2x3x4xf32>
}

// -----

// Concatenating, slicing or splitting to the whole tensor is the identity;
// so are zero padding and 1x1 unit-stride pooling windows.
// CHECK-LABEL: @whole_tensor_views
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x4x4xf32>)
// CHECK-NOT: dlc.
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @whole_tensor_views(%x: tensor<1x8x4x4xf32>)
    -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>,
        tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %0 = dlc.concat %x {axis = 1 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %1 = dlc.slice %x {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 8>}
      : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %2 = dlc.split %x {axis = 1 : i64, sizes = array<i64: 8>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %3 = dlc.pad %x {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %4 = dlc.max_pool2d %x {kernel_shape = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %5 = dlc.avg_pool2d %x {kernel_shape = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>,
                                  tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// Views that do change the tensor stay.
// CHECK-LABEL: @real_views_kept
// CHECK: dlc.slice
// CHECK: dlc.pad
// CHECK: dlc.max_pool2d
func.func @real_views_kept(%x: tensor<1x8x4x4xf32>)
    -> (tensor<1x4x4x4xf32>, tensor<1x8x6x6xf32>, tensor<1x8x2x2xf32>) {
  %0 = dlc.slice %x {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 8>, steps = array<i64: 2>}
      : (tensor<1x8x4x4xf32>) -> tensor<1x4x4x4xf32>
  %1 = dlc.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x6x6xf32>
  %2 = dlc.max_pool2d %x {kernel_shape = array<i64: 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
  return %0, %1, %2 : tensor<1x4x4x4xf32>, tensor<1x8x6x6xf32>, tensor<1x8x2x2xf32>
}

// -----

// Global average pooling of a 1x1 map is the identity.
// CHECK-LABEL: @global_pool_of_one
// CHECK-SAME: (%[[X:.*]]: tensor<1x512x1x1xf32>, %[[Y:.*]]: tensor<1x512x7x7xf32>)
// CHECK: %[[P:.*]] = dlc.global_avg_pool %[[Y]]
// CHECK: return %[[X]], %[[P]]
func.func @global_pool_of_one(%x: tensor<1x512x1x1xf32>, %y: tensor<1x512x7x7xf32>)
    -> (tensor<1x512x1x1xf32>, tensor<1x512x1x1xf32>) {
  %0 = dlc.global_avg_pool %x : (tensor<1x512x1x1xf32>) -> tensor<1x512x1x1xf32>
  %1 = dlc.global_avg_pool %y : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
  return %0, %1 : tensor<1x512x1x1xf32>, tensor<1x512x1x1xf32>
}

// -----

// max(x, -inf) and min(x, inf) are x; max and min of constants fold, NaN
// winning as in the kernels.
// CHECK-LABEL: @max_min
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-DAG: %[[MAX:.*]] = dlc.constant dense<[2.000000e+00, 0x7FC00000, 3.000000e+00]>
// CHECK-DAG: %[[MIN:.*]] = dlc.constant dense<[1.000000e+00, 0x7FC00000, -4.000000e+00]>
// CHECK: return %[[X]], %[[X]], %[[MAX]], %[[MIN]]
func.func @max_min(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %low = dlc.constant dense<0xFF800000> : tensor<3xf32>
  %high = dlc.constant dense<0x7F800000> : tensor<3xf32>
  %a = dlc.constant dense<[1.0, 0x7FC00000, 3.0]> : tensor<3xf32>
  %b = dlc.constant dense<[2.0, 5.0, -4.0]> : tensor<3xf32>
  %0 = dlc.max %x, %low : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = dlc.min %x, %high : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %2 = dlc.max %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %3 = dlc.min %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// A resize to the input's size is the identity in every mode but
// tf_half_pixel_for_nn (which samples half a pixel over); unit scales
// given keep it so, others do not.
// CHECK-LABEL: @resize_to_same_size
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>)
// CHECK: %[[TF:.*]] = dlc.resize %[[X]] {coordinate_mode = #dlc.resize_coordinates<tf_half_pixel_for_nn>
// CHECK: %[[SCALED:.*]] = dlc.resize %[[X]] {mode = #dlc.resize_mode<linear>, scales = array<f32: 2.000000e+00, 2.000000e+00>
// CHECK: return %[[X]], %[[X]], %[[TF]], %[[SCALED]]
func.func @resize_to_same_size(%x: tensor<1x3x8x8xf32>)
    -> (tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>) {
  %0 = dlc.resize %x {mode = #dlc.resize_mode<cubic>, sizes = array<i64: 8, 8>}
      : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  %1 = dlc.resize %x {sizes = array<i64: 8, 8>, scales = array<f32: 1.0, 1.0>,
                      coordinate_mode = #dlc.resize_coordinates<align_corners>}
      : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  %2 = dlc.resize %x {sizes = array<i64: 8, 8>,
                      coordinate_mode = #dlc.resize_coordinates<tf_half_pixel_for_nn>}
      : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  %3 = dlc.resize %x {mode = #dlc.resize_mode<linear>, sizes = array<i64: 8, 8>,
                      scales = array<f32: 2.0, 2.0>}
      : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  return %0, %1, %2, %3 : tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>
}

// -----

// A per-feature constant added to a bias-less linear layer is its bias
// (PyTorch exports nn.Linear as MatMul + Add); other adds stay.
// CHECK-LABEL: @bias_into_linear
// CHECK: %[[L:.*]] = dlc.linear %arg0, %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<3x2xf32>
// CHECK-NOT: dlc.add
// CHECK: %[[K:.*]] = dlc.linear %arg0, %{{.*}} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
// CHECK: dlc.add %[[K]], %arg1
// CHECK: return %[[L]]
func.func @bias_into_linear(%x: tensor<3x4xf32>, %y: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = dlc.constant dense<[[0.5, -0.2, 0.1, 0.3], [0.8, -0.6, 0.2, 0.1]]> : tensor<2x4xf32>
  %b = dlc.constant dense<[[0.1, -0.3]]> : tensor<1x2xf32>
  %0 = dlc.linear %x, %w : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  %1 = dlc.add %b, %0 : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  %2 = dlc.linear %x, %w : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  %3 = dlc.add %2, %y : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %1, %3 : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// A requantize folds into the int8 product that feeds it (the product
// computes in the new scale directly) only when no clamp is lost: here the
// producer's range starts at 0 (z = -128, a fused ReLU) and the new one
// reaches -6.25, so the requantize stays; into [0, 51] it folds.
!relu8 = !quant.uniform<i8:f32, 0.1:-128>
!wide8 = !quant.uniform<i8:f32, 0.05:-3>
!coarse8 = !quant.uniform<i8:f32, 0.2:-128>
!wq8 = !quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>
// CHECK-LABEL: @requantize_fold
func.func @requantize_fold(%x: tensor<1x2x4x4x!wide8>) -> (tensor<1x2x4x4x!wide8>, tensor<1x2x4x4x!coarse8>) {
  %w = dlc.qconstant dense<[[[[1]], [[-2]]], [[[3]], [[4]]]]> : tensor<2x2x1x1xi8> : tensor<2x2x1x1x!wq8>
  // CHECK: %[[KEEP:.*]] = dlc.qconv2d {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e-01:-128>>
  // CHECK: dlc.requantize %[[KEEP]]
  %a = dlc.qconv2d %x, %w : (tensor<1x2x4x4x!wide8>, tensor<2x2x1x1x!wq8>) -> tensor<1x2x4x4x!relu8>
  %ra = dlc.requantize %a : tensor<1x2x4x4x!relu8> -> tensor<1x2x4x4x!wide8>
  // CHECK: %[[FOLD:.*]] = dlc.qconv2d {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 2.000000e-01:-128>>
  // CHECK-NOT: dlc.requantize
  // CHECK: return {{.*}}, %[[FOLD]]
  %b = dlc.qconv2d %x, %w : (tensor<1x2x4x4x!wide8>, tensor<2x2x1x1x!wq8>) -> tensor<1x2x4x4x!relu8>
  %rb = dlc.requantize %b : tensor<1x2x4x4x!relu8> -> tensor<1x2x4x4x!coarse8>
  return %ra, %rb : tensor<1x2x4x4x!wide8>, tensor<1x2x4x4x!coarse8>
}
