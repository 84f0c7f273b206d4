// Every verifier message of the dlc dialect, each with its location.
// RUN: dlc-opt %s -split-input-file -verify-diagnostics

// Conv input must be 4-D.
func.func @case0(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects input of rank 4 (N x C x H x W), got rank 3}}
  %0 = dlc.conv2d %x, %w : (tensor<1x3x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Conv weight must be 4-D.
func.func @case1(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{expects weight of rank 4 (M x C/groups x KH x KW), got rank 3}}
  %0 = dlc.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Conv operands share an element type.
func.func @case2(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+1 {{expects weight element type 'f16' to match input element type 'f32'}}
  %0 = dlc.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Only the batch of a conv input may be dynamic.
func.func @case3(%x: tensor<1x3x?x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects static channel and spatial input dimensions, got [1, 3, ?, 8]}}
  %0 = dlc.conv2d %x, %w : (tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x6xf32>
  return
}

// -----

// Conv weights are static.
func.func @case4(%x: tensor<1x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) {
  // expected-error @+1 {{expects a static weight shape, got [?, 3, 3, 3]}}
  %0 = dlc.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<?x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Groups must be positive.
func.func @case5(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error @+1 {{expects groups (0) to be positive}}
  %0 = dlc.conv2d %x, %w {groups = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Input channels must match weight channels * groups.
func.func @case6(%x: tensor<1x64x8x8xf32>, %w: tensor<32x32x3x3xf32>) {
  // expected-error @+1 {{expects input channels (64) to equal weight channels * groups (32)}}
  %0 = dlc.conv2d %x, %w : (tensor<1x64x8x8xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x6x6xf32>
  return
}

// -----

// Bad group count: output channels not divisible.
func.func @case7(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+1 {{expects output channels (6) to be divisible by groups (4)}}
  %0 = dlc.conv2d %x, %w {groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

// Conv bias has one entry per output channel.
func.func @case8(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{expects bias of shape [4], got [3]}}
  %0 = dlc.conv2d %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Two strides.
func.func @case9(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects 2 strides, got 1}}
  %0 = dlc.conv2d %x, %w {strides = array<i64: 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Two dilations.
func.func @case10(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects 2 dilations, got 3}}
  %0 = dlc.conv2d %x, %w {dilations = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Four pads.
func.func @case11(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects 4 pads [top, left, bottom, right], got 2}}
  %0 = dlc.conv2d %x, %w {pads = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Strides are positive.
func.func @case12(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects positive strides, got [0, 1]}}
  %0 = dlc.conv2d %x, %w {strides = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Dilations are positive.
func.func @case13(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects positive dilations, got [1, -1]}}
  %0 = dlc.conv2d %x, %w {dilations = array<i64: 1, -1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Pads are non-negative.
func.func @case14(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects non-negative pads, got [0, 0, -1, 0]}}
  %0 = dlc.conv2d %x, %w {pads = array<i64: 0, 0, -1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// The kernel must fit the padded input.
func.func @case15(%x: tensor<1x3x2x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects the height window (3) to fit the padded input (2)}}
  %0 = dlc.conv2d %x, %w : (tensor<1x3x2x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x6xf32>
  return
}

// -----

// Declared result type must be the inferred one.
func.func @case16(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{result #0 has type 'tensor<1x4x8x8xf32>' but its operands and attributes give 'tensor<1x4x6x6xf32>'}}
  %0 = dlc.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Batch_norm needs a channel dimension.
func.func @case17(%x: tensor<64xf32>, %c: tensor<64xf32>) {
  // expected-error @+1 {{expects input of rank >= 2 (N x C x ...), got rank 1}}
  %0 = dlc.batch_norm %x, %c, %c, %c, %c : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return
}

// -----

// Batch_norm channels are static.
func.func @case18(%x: tensor<1x?x4x4xf32>, %c: tensor<64xf32>) {
  // expected-error @+1 {{expects a static channel dimension, got [1, ?, 4, 4]}}
  %0 = dlc.batch_norm %x, %c, %c, %c, %c : (tensor<1x?x4x4xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x?x4x4xf32>
  return
}

// -----

// Batch_norm statistics share the input element type.
func.func @case19(%x: tensor<1x64x4x4xf32>, %c: tensor<64xf32>, %h: tensor<64xf16>) {
  // expected-error @+1 {{expects mean element type 'f16' to match input element type 'f32'}}
  %0 = dlc.batch_norm %x, %c, %c, %h, %c : (tensor<1x64x4x4xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf16>, tensor<64xf32>) -> tensor<1x64x4x4xf32>
  return
}

// -----

// Batch_norm scale has one entry per channel.
func.func @case20(%x: tensor<1x64x4x4xf32>, %c: tensor<64xf32>, %d: tensor<32xf32>) {
  // expected-error @+1 {{expects scale of shape [64], got [32]}}
  %0 = dlc.batch_norm %x, %d, %c, %c, %c : (tensor<1x64x4x4xf32>, tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x4x4xf32>
  return
}

// -----

// Batch_norm bias has one entry per channel.
func.func @case21(%x: tensor<1x64x4x4xf32>, %c: tensor<64xf32>, %d: tensor<32xf32>) {
  // expected-error @+1 {{expects bias of shape [64], got [32]}}
  %0 = dlc.batch_norm %x, %c, %d, %c, %c : (tensor<1x64x4x4xf32>, tensor<64xf32>, tensor<32xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x4x4xf32>
  return
}

// -----

// Batch_norm mean has one entry per channel.
func.func @case22(%x: tensor<1x64x4x4xf32>, %c: tensor<64xf32>, %d: tensor<32xf32>) {
  // expected-error @+1 {{expects mean of shape [64], got [32]}}
  %0 = dlc.batch_norm %x, %c, %c, %d, %c : (tensor<1x64x4x4xf32>, tensor<64xf32>, tensor<64xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<1x64x4x4xf32>
  return
}

// -----

// Batch_norm var has one entry per channel.
func.func @case23(%x: tensor<1x64x4x4xf32>, %c: tensor<64xf32>, %d: tensor<32xf32>) {
  // expected-error @+1 {{expects var of shape [64], got [32]}}
  %0 = dlc.batch_norm %x, %c, %c, %c, %d : (tensor<1x64x4x4xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<32xf32>) -> tensor<1x64x4x4xf32>
  return
}

// -----

// Batch_norm epsilon is non-negative.
func.func @case24(%x: tensor<1x64x4x4xf32>, %c: tensor<64xf32>) {
  // expected-error @+1 {{expects non-negative epsilon}}
  %0 = dlc.batch_norm %x, %c, %c, %c, %c {epsilon = -1.0 : f32} : (tensor<1x64x4x4xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x4x4xf32>
  return
}

// -----

// Layer_norm axis in range.
func.func @case25(%x: tensor<1x8x16xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{expects axis (3) to be in [-3, 3) for rank 3}}
  %0 = dlc.layer_norm %x, %g {axis = 3 : i64} : (tensor<1x8x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

// Layer_norm scale shares the input element type.
func.func @case26(%x: tensor<1x8x16xf32>, %g: tensor<16xf16>) {
  // expected-error @+1 {{expects scale element type 'f16' to match input element type 'f32'}}
  %0 = dlc.layer_norm %x, %g : (tensor<1x8x16xf32>, tensor<16xf16>) -> tensor<1x8x16xf32>
  return
}

// -----

// Layer_norm normalized dimensions are static.
func.func @case27(%x: tensor<1x8x?xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{expects static normalized dimensions, got [?]}}
  %0 = dlc.layer_norm %x, %g : (tensor<1x8x?xf32>, tensor<16xf32>) -> tensor<1x8x?xf32>
  return
}

// -----

// Layer_norm scale has the normalized shape.
func.func @case28(%x: tensor<1x8x16xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{expects scale of the normalized shape [8, 16], got [16]}}
  %0 = dlc.layer_norm %x, %g {axis = 1 : i64} : (tensor<1x8x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

// Layer_norm bias has the normalized shape.
func.func @case29(%x: tensor<1x8x16xf32>, %g: tensor<16xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects bias of the normalized shape [16], got [8]}}
  %0 = dlc.layer_norm %x, %g, %b : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<8xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

// Layer_norm epsilon is non-negative.
func.func @case30(%x: tensor<1x8x16xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{expects non-negative epsilon}}
  %0 = dlc.layer_norm %x, %g {epsilon = -1.0e-5 : f32} : (tensor<1x8x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

// Pool input is 4-D.
func.func @case31(%x: tensor<1x8x8xf32>) {
  // expected-error @+1 {{expects input of rank 4 (N x C x H x W), got rank 3}}
  %0 = dlc.max_pool2d %x {kernel_shape = array<i64: 2, 2>} : (tensor<1x8x8xf32>) -> tensor<1x8x7xf32>
  return
}

// -----

// Two kernel sizes.
func.func @case32(%x: tensor<1x8x8x8xf32>) {
  // expected-error @+1 {{expects 2 kernel_shape values, got 1}}
  %0 = dlc.avg_pool2d %x {kernel_shape = array<i64: 2>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x7x7xf32>
  return
}

// -----

// Kernel sizes are positive.
func.func @case33(%x: tensor<1x8x8x8xf32>) {
  // expected-error @+1 {{expects positive kernel_shape, got [0, 2]}}
  %0 = dlc.max_pool2d %x {kernel_shape = array<i64: 0, 2>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x7xf32>
  return
}

// -----

// A pooling window never lies entirely in padding.
func.func @case34(%x: tensor<1x8x8x8xf32>) {
  // expected-error @+1 {{expects pads [2, 0, 0, 0] to be smaller than the kernel window [2, 2]}}
  %0 = dlc.max_pool2d %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x9x7xf32>
  return
}

// -----

// Pooling window must fit.
func.func @case35(%x: tensor<1x8x8x2xf32>) {
  // expected-error @+1 {{expects the width window (3) to fit the padded input (2)}}
  %0 = dlc.avg_pool2d %x {kernel_shape = array<i64: 3, 3>} : (tensor<1x8x8x2xf32>) -> tensor<1x8x6x1xf32>
  return
}

// -----

// Global_avg_pool needs spatial dimensions.
func.func @case36(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{expects input of rank >= 3 (N x C x spatial...), got rank 2}}
  %0 = dlc.global_avg_pool %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
  return
}

// -----

// Matmul operands are at least 2-D.
func.func @case37(%a: tensor<8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+1 {{expects operands of rank >= 2, got ranks 1 and 2}}
  %0 = dlc.matmul %a, %b : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<4xf32>
  return
}

// -----

// Matmul operands share an element type.
func.func @case38(%a: tensor<2x8xf32>, %b: tensor<8x4xbf16>) {
  // expected-error @+1 {{expects rhs element type 'bf16' to match lhs element type 'f32'}}
  %0 = dlc.matmul %a, %b : (tensor<2x8xf32>, tensor<8x4xbf16>) -> tensor<2x4xf32>
  return
}

// -----

// Matmul inner dimensions agree.
func.func @case39(%a: tensor<2x8xf32>, %b: tensor<6x4xf32>) {
  // expected-error @+1 {{expects lhs columns (8) to equal rhs rows (6)}}
  %0 = dlc.matmul %a, %b : (tensor<2x8xf32>, tensor<6x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Matmul batch dimensions broadcast.
func.func @case40(%a: tensor<3x2x8xf32>, %b: tensor<2x8x4xf32>) {
  // expected-error @+1 {{cannot broadcast lhs shape [3] with rhs shape [2]}}
  %0 = dlc.matmul %a, %b : (tensor<3x2x8xf32>, tensor<2x8x4xf32>) -> tensor<3x2x4xf32>
  return
}

// -----

// Linear input has a feature dimension.
func.func @case41(%x: tensor<f32>, %w: tensor<4x1xf32>) {
  // expected-error @+1 {{expects input of rank >= 1}}
  %0 = dlc.linear %x, %w : (tensor<f32>, tensor<4x1xf32>) -> tensor<4xf32>
  return
}

// -----

// Linear weight is 2-D.
func.func @case42(%x: tensor<1x8xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{expects weight of rank 2 (N x K), got rank 1}}
  %0 = dlc.linear %x, %w : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  return
}

// -----

// Linear operands share an element type.
func.func @case43(%x: tensor<1x8xf32>, %w: tensor<4x8xf16>) {
  // expected-error @+1 {{expects weight element type 'f16' to match input element type 'f32'}}
  %0 = dlc.linear %x, %w : (tensor<1x8xf32>, tensor<4x8xf16>) -> tensor<1x4xf32>
  return
}

// -----

// Linear features are static.
func.func @case44(%x: tensor<1x?xf32>, %w: tensor<4x8xf32>) {
  // expected-error @+1 {{expects static input features and weight shape}}
  %0 = dlc.linear %x, %w : (tensor<1x?xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return
}

// -----

// Linear input features match the weight.
func.func @case45(%x: tensor<1x512xf32>, %w: tensor<1000x256xf32>) {
  // expected-error @+1 {{expects input features (512) to equal weight columns (256)}}
  %0 = dlc.linear %x, %w : (tensor<1x512xf32>, tensor<1000x256xf32>) -> tensor<1x1000xf32>
  return
}

// -----

// Linear bias shares the element type.
func.func @case46(%x: tensor<1x8xf32>, %w: tensor<4x8xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{expects bias element type 'f16' to match input element type 'f32'}}
  %0 = dlc.linear %x, %w, %b : (tensor<1x8xf32>, tensor<4x8xf32>, tensor<4xf16>) -> tensor<1x4xf32>
  return
}

// -----

// Linear bias has one entry per output feature.
func.func @case47(%x: tensor<1x8xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects bias of shape [4], got [8]}}
  %0 = dlc.linear %x, %w, %b : (tensor<1x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<1x4xf32>
  return
}

// -----

// Mismatched broadcast.
func.func @case48(%a: tensor<1x64x56x56xf32>, %b: tensor<32x1x1xf32>) {
  // expected-error @+1 {{cannot broadcast lhs shape [1, 64, 56, 56] with rhs shape [32, 1, 1]}}
  %0 = dlc.add %a, %b : (tensor<1x64x56x56xf32>, tensor<32x1x1xf32>) -> tensor<1x64x56x56xf32>
  return
}

// -----

// Elementwise operands share an element type.
func.func @case49(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{expects rhs element type 'f16' to match lhs element type 'f32'}}
  %0 = dlc.mul %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

// Clip bounds are ordered.
func.func @case50(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects min (6.000000e+00) <= max (0.000000e+00)}}
  %0 = dlc.clip %x {min = 6.0 : f32, max = 0.0 : f32} : tensor<4xf32>
  return
}

// -----

// Softmax axis in range.
func.func @case51(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{expects axis (-3) to be in [-2, 2) for rank 2}}
  %0 = dlc.softmax %x {axis = -3 : i64} : tensor<2x4xf32>
  return
}

// -----

// Log-softmax axis in range.
func.func @log_softmax_axis(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{expects axis (2) to be in [-2, 2) for rank 2}}
  %0 = dlc.log_softmax %x {axis = 2 : i64} : tensor<2x4xf32>
  return
}

// -----

// One -1 at most.
func.func @case52(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{expects at most one -1 in shape [-1, -1]}}
  %0 = dlc.reshape %x {shape = array<i64: -1, -1>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Reshape entries are positive or -1.
func.func @case53(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{expects shape entries to be positive or -1, got [0, 8]}}
  %0 = dlc.reshape %x {shape = array<i64: 0, 8>} : (tensor<2x4xf32>) -> tensor<1x8xf32>
  return
}

// -----

// Reshape keeps the element count.
func.func @case54(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{cannot reshape input shape [2, 4] (8 elements) into [3, -1]}}
  %0 = dlc.reshape %x {shape = array<i64: 3, -1>} : (tensor<2x4xf32>) -> tensor<3x3xf32>
  return
}

// -----

// A dynamic batch needs a -1 to land in.
func.func @case55(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{expects a -1 in shape [2, 2] to take the dynamic dimension of input shape [?, 4]}}
  %0 = dlc.reshape %x {shape = array<i64: 2, 2>} : (tensor<?x4xf32>) -> tensor<2x2xf32>
  return
}

// -----

// Flatten axis in range.
func.func @case56(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{expects axis (3) to be in [-2, 2] for rank 2}}
  %0 = dlc.flatten %x {axis = 3 : i64} : (tensor<2x4xf32>) -> tensor<8x1xf32>
  return
}

// -----

// Wrong rank: perm has one entry per dimension.
func.func @case57(%x: tensor<2x4x8xf32>) {
  // expected-error @+1 {{expects perm [1, 0] to have 3 entries, one per input dimension}}
  %0 = dlc.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x4x8xf32>) -> tensor<4x2x8xf32>
  return
}

// -----

// Perm is a permutation.
func.func @case58(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{expects perm [1, 1] to be a permutation of [0, 2)}}
  %0 = dlc.transpose %x {perm = array<i64: 1, 1>} : (tensor<2x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

// Concat needs an input.
func.func @case59() {
  // expected-error @+1 {{expects at least one input}}
  %0 = dlc.concat {axis = 0 : i64} : () -> tensor<1xf32>
  return
}

// -----

// Concat axis in range.
func.func @case60(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{expects axis (2) to be in [-2, 2) for rank 2}}
  %0 = dlc.concat %a, %a {axis = 2 : i64} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return
}

// -----

// Concat inputs share an element type.
func.func @case61(%a: tensor<2x4xf32>, %b: tensor<2x4xf16>) {
  // expected-error @+1 {{expects input #1 element type 'f16' to match input #0 element type 'f32'}}
  %0 = dlc.concat %a, %b {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x4xf16>) -> tensor<2x8xf32>
  return
}

// -----

// Wrong rank: concat inputs share a rank.
func.func @case62(%a: tensor<2x4xf32>, %b: tensor<2x4x1xf32>) {
  // expected-error @+1 {{expects input #1 of rank 2, got rank 3}}
  %0 = dlc.concat %a, %b {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x4x1xf32>) -> tensor<2x8xf32>
  return
}

// -----

// Concat inputs agree off the axis.
func.func @case63(%a: tensor<1x58x28x28xf32>, %b: tensor<1x58x14x14xf32>) {
  // expected-error @+1 {{expects input #1 shape [1, 58, 14, 14] to match input #0 shape [1, 58, 28, 28] outside the concatenation axis 1}}
  %0 = dlc.concat %a, %b {axis = 1 : i64} : (tensor<1x58x28x28xf32>, tensor<1x58x14x14xf32>) -> tensor<1x116x28x28xf32>
  return
}

// -----

// Slice lists have one entry per axis.
func.func @case64(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects starts, ends and steps to have one entry per axis (1)}}
  %0 = dlc.slice %x {axes = array<i64: 0>, starts = array<i64: 0, 0>, ends = array<i64: 4>} : (tensor<8x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Slice axis in range.
func.func @case65(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects axis (2) to be in [-2, 2) for rank 2}}
  %0 = dlc.slice %x {axes = array<i64: 2>, starts = array<i64: 0>, ends = array<i64: 4>} : (tensor<8x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Slice axes are unique.
func.func @case66(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects unique axes, got [0, -2]}}
  %0 = dlc.slice %x {axes = array<i64: 0, -2>, starts = array<i64: 0, 0>, ends = array<i64: 4, 4>} : (tensor<8x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Sliced dimensions are static.
func.func @case67(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{expects sliced dimension 0 to be static}}
  %0 = dlc.slice %x {axes = array<i64: 0>, starts = array<i64: 0>, ends = array<i64: 4>} : (tensor<?x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Slice steps are positive.
func.func @case68(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects positive steps, got [0]}}
  %0 = dlc.slice %x {axes = array<i64: 0>, starts = array<i64: 0>, ends = array<i64: 4>, steps = array<i64: 0>} : (tensor<8x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Slice bounds are clamped and ordered.
func.func @case69(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects 0 <= start (2) <= end (9) <= size (8) on dimension 1}}
  %0 = dlc.slice %x {axes = array<i64: 1>, starts = array<i64: 2>, ends = array<i64: 9>} : (tensor<8x8xf32>) -> tensor<8x7xf32>
  return
}

// -----

// Split axis in range.
func.func @case70(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects axis (2) to be in [-2, 2) for rank 2}}
  %0:2 = dlc.split %x {axis = 2 : i64, sizes = array<i64: 4, 4>} : (tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>)
  return
}

// -----

// Split dimension is static.
func.func @case71(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{expects split dimension 0 to be static}}
  %0:2 = dlc.split %x {axis = 0 : i64, sizes = array<i64: 4, 4>} : (tensor<?x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>)
  return
}

// -----

// Split sizes are positive.
func.func @case72(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects positive sizes, got [8, 0]}}
  %0:2 = dlc.split %x {axis = 0 : i64, sizes = array<i64: 8, 0>} : (tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<0x8xf32>)
  return
}

// -----

// Split sizes cover the dimension.
func.func @case73(%x: tensor<1x116x28x28xf32>) {
  // expected-error @+1 {{expects sizes [58, 57] to add up to 116, the size of dimension 1; they add up to 115}}
  %0:2 = dlc.split %x {axis = 1 : i64, sizes = array<i64: 58, 57>} : (tensor<1x116x28x28xf32>) -> (tensor<1x58x28x28xf32>, tensor<1x57x28x28xf32>)
  return
}

// -----

// Pad has two entries per dimension.
func.func @case74(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{expects 4 pads (all begins, then all ends) for rank 2, got 2}}
  %0 = dlc.pad %x {pads = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<5x5xf32>
  return
}

// -----

// Pads are non-negative.
func.func @case75(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{expects non-negative pads, got [0, -1, 0, 0]}}
  %0 = dlc.pad %x {pads = array<i64: 0, -1, 0, 0>} : (tensor<4x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

// A dynamic dimension is not padded.
func.func @case76(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{expects no padding on dynamic dimension 0}}
  %0 = dlc.pad %x {pads = array<i64: 1, 0, 0, 0>} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

// Reflect pads stay inside the dimension.
func.func @case77(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{expects reflect pads on dimension 1 to be smaller than its size (4)}}
  %0 = dlc.pad %x {pads = array<i64: 0, 4, 0, 0>, mode = #dlc.pad_mode<reflect>} : (tensor<4x4xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Edge padding needs an element to repeat.
func.func @case78(%x: tensor<0x4xf32>) {
  // expected-error @+1 {{expects a non-empty dimension 0 to pad by edge}}
  %0 = dlc.pad %x {pads = array<i64: 1, 0, 0, 0>, mode = #dlc.pad_mode<edge>} : (tensor<0x4xf32>) -> tensor<1x4xf32>
  return
}

// -----

// A weight marked 2:4 must hold at most two non-zeros in every four.
func.func @sparsity_two_of_four() {
  // expected-error @+1 {{is marked 2:4 but values 4..7 hold 3 non-zeros}}
  %w = dlc.constant {dlc.sparsity = "2:4"} dense<[[1.0, 0.0, 2.0, 0.0, 1.0, 1.0, 0.0, 1.0]]> : tensor<1x8xf32>
  return
}

// -----

func.func @sparsity_row_length() {
  // expected-error @+1 {{expects 2:4 rows whose length (6) is a multiple of 4}}
  %w = dlc.constant {dlc.sparsity = "2:4"} dense<0.0> : tensor<2x6xf32>
  return
}

// -----

func.func @sparsity_kind() {
  // expected-error @+1 {{expects dlc.sparsity to be "unstructured" or "2:4"}}
  %w = dlc.constant {dlc.sparsity = "1:4"} dense<0.0> : tensor<2x8xf32>
  return
}

// -----

// The 2:4 check reads int8 codes of a quantized weight too.
func.func @sparsity_int8() {
  // expected-error @+1 {{is marked 2:4 but values 0..3 hold 3 non-zeros}}
  %w = dlc.qconstant dense<[[1, 0, 2, 3]]> : tensor<1x4xi8> {dlc.sparsity = "2:4"} : tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Resize scales the image axes of N x C x H x W.
func.func @resize_rank(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{expects input of rank 4 (N x C x H x W), got rank 2}}
  %0 = dlc.resize %x {sizes = array<i64: 8, 8>} : (tensor<4x4xf32>) -> tensor<8x8xf32>
  return
}

// -----

// Resize sizes are the output height and width.
func.func @resize_sizes(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{expects sizes of two positive entries (height, width), got [8, 0]}}
  %0 = dlc.resize %x {sizes = array<i64: 8, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x0xf32>
  return
}

// -----

// Resize scales are positive.
func.func @resize_scales(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{expects scales empty or of two positive entries, got 2 entries}}
  %0 = dlc.resize %x {sizes = array<i64: 8, 8>, scales = array<f32: 2.0, -2.0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  return
}

// -----

// Resize's output shape follows sizes.
func.func @resize_result(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{result #0 has type 'tensor<1x3x8x9xf32>' but its operands and attributes give 'tensor<1x3x8x8xf32>'}}
  %0 = dlc.resize %x {sizes = array<i64: 8, 8>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x9xf32>
  return
}

// -----

// tf_half_pixel_for_nn rounds to a neighbour: nearest mode only.
func.func @resize_tf_linear(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{expects coordinate mode tf_half_pixel_for_nn only with nearest mode}}
  %0 = dlc.resize %x {sizes = array<i64: 8, 8>, mode = #dlc.resize_mode<linear>, coordinate_mode = #dlc.resize_coordinates<tf_half_pixel_for_nn>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  return
}

// -----

// Expand broadcasts: each pair of sizes equal or one of them 1.
func.func @expand_incompatible(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{cannot broadcast [3, 4] to [2, 5] (dimension 0)}}
  %0 = dlc.expand %x {shape = array<i64: 2, 5>} : (tensor<3x4xf32>) -> tensor<3x5xf32>
  return
}

// -----

// Expand's -1 (the batch) needs the operand that carries it.
func.func @expand_batch(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{expects a batch operand for the -1 entry}}
  %0 = dlc.expand %x {shape = array<i64: -1, 4>} : (tensor<1x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

// Only nearest resize moves int8 codes.
func.func @resize_linear_int8(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{expects a float input in linear mode (nearest moves int8 as well)}}
  %0 = dlc.resize %x {mode = #dlc.resize_mode<linear>, sizes = array<i64: 8, 8>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x8x8x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Under Expand's batch entry the input has size 1.
func.func @expand_under_batch(%x: tensor<?x4xf32>, %b: tensor<?x3xf32>) {
  // expected-error @+1 {{expects size 1 under the batch entry, got [?, 4]}}
  %0 = dlc.expand %x, %b {shape = array<i64: -1, 4>} : (tensor<?x4xf32>, tensor<?x3xf32>) -> tensor<?x4xf32>
  return
}
