// Verifier messages of the quantized ops.
// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @qconstant_storage() {
  // expected-error @+1 {{expects value elements of the storage type 'i8', got 'i32'}}
  %w = dlc.qconstant dense<[1, 2]> : tensor<2xi32> : tensor<2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @qconstant_shape() {
  // expected-error @+1 {{expects value of shape [3], got [2]}}
  %w = dlc.qconstant dense<[1, 2]> : tensor<2xi8> : tensor<3x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @quantize_fp8_needs_scale(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects a scale for fp8 values}}
  %q = dlc.quantize %x : tensor<4xf32> -> tensor<4xf8E4M3FN>
  return
}

// -----

func.func @quantize_int8_no_scale(%x: tensor<4xf32>) {
  // expected-error @+1 {{takes a scale only for fp8; !quant.uniform types carry their own}}
  %q = dlc.quantize %x {scale = 1.0 : f64} : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @quantize_axis(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{expects 3 channels along axis 0}}
  %q = dlc.quantize %x : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i8:f32:0, {0.5, 0.25, 0.1}>>
  return
}

// -----

func.func @quantize_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects an int8 !quant.uniform or fp8 type, got 'i8'}}
  %q = dlc.quantize %x : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

!x = !quant.uniform<i8:f32, 0.05>
func.func @qconv_weight_zero_point(%x: tensor<1x2x4x4x!x>, %w: tensor<2x2x1x1x!quant.uniform<i8:f32, 0.5:3>>) {
  // expected-error @+1 {{expects weight zero point 0 (symmetric)}}
  %y = dlc.qconv2d %x, %w : (tensor<1x2x4x4x!x>, tensor<2x2x1x1x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x2x4x4x!x>
  return
}

// -----

!x = !quant.uniform<i8:f32, 0.05>
func.func @qconv_bias_type(%x: tensor<1x2x4x4x!x>, %w: tensor<2x2x1x1x!quant.uniform<i8:f32, 0.5>>, %b: tensor<2xf32>) {
  // expected-error @+1 {{expects an i32 bias with int8 input, got 'f32'}}
  %y = dlc.qconv2d %x, %w, %b : (tensor<1x2x4x4x!x>, tensor<2x2x1x1x!quant.uniform<i8:f32, 0.5>>, tensor<2xf32>) -> tensor<1x2x4x4x!x>
  return
}

// -----

!x = !quant.uniform<i8:f32, 0.05>
func.func @qconv_shape(%x: tensor<1x2x4x4x!x>, %w: tensor<2x2x3x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{expects result shape [1, 2, 2, 2], got [1, 2, 4, 4]}}
  %y = dlc.qconv2d %x, %w : (tensor<1x2x4x4x!x>, tensor<2x2x3x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x4x4x!x>
  return
}

// -----

!x = !quant.uniform<i8:f32, 0.05>
func.func @qconv_channels(%x: tensor<1x3x4x4x!x>, %w: tensor<2x2x1x1x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{expects input channels (3) to equal weight channels * groups (2)}}
  %y = dlc.qconv2d %x, %w : (tensor<1x3x4x4x!x>, tensor<2x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x4x4x!x>
  return
}

// -----

func.func @qlinear_fp8_scales(%x: tensor<3x4xf8E4M3FN>, %w: tensor<2x4xf8E4M3FN>) {
  // expected-error @+1 {{expects input_scale and weight_scales with fp8 operands}}
  %y = dlc.qlinear %x, %w : (tensor<3x4xf8E4M3FN>, tensor<2x4xf8E4M3FN>) -> tensor<3x2xf32>
  return
}

// -----

func.func @qlinear_fp8_scale_count(%x: tensor<3x4xf8E4M3FN>, %w: tensor<2x4xf8E4M3FN>) {
  // expected-error @+1 {{expects 1 or 2 weight_scales, got 3}}
  %y = dlc.qlinear %x, %w {input_scale = 1.0 : f64, weight_scales = array<f64: 1.0, 1.0, 1.0>} : (tensor<3x4xf8E4M3FN>, tensor<2x4xf8E4M3FN>) -> tensor<3x2xf32>
  return
}

// -----

func.func @qlinear_fp8_result(%x: tensor<3x4xf8E4M3FN>, %w: tensor<2x4xf8E4M3FN>) {
  // expected-error @+1 {{expects an f32 result with fp8 input, got 'f8E4M3FN'}}
  %y = dlc.qlinear %x, %w {input_scale = 1.0 : f64, weight_scales = array<f64: 1.0>} : (tensor<3x4xf8E4M3FN>, tensor<2x4xf8E4M3FN>) -> tensor<3x2xf8E4M3FN>
  return
}

// -----

func.func @qlinear_float(%x: tensor<3x4xf32>, %w: tensor<2x4xf32>) {
  // expected-error @+1 {{expects int8 !quant.uniform or fp8 input, got 'f32'}}
  %y = dlc.qlinear %x, %w : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return
}

// -----

!x = !quant.uniform<i8:f32, 0.05>
func.func @qadd_shapes(%a: tensor<4x!x>, %b: tensor<1x!x>) {
  // expected-error @+1 {{expects operands and result of one shape}}
  %y = dlc.qadd %a, %b : (tensor<4x!x>, tensor<1x!x>) -> tensor<4x!x>
  return
}

// -----

func.func @nf4_codes() {
  // expected-error @+1 {{expects 3 code bytes for 6 values, got 2}}
  %w = dlc.nf4_constant {block_size = 4 : i64, codes = dense<[15, 119]> : tensor<2xi8>, scales = dense<[2.0, 1.0]> : tensor<2xf32>} : tensor<2x3xf32>
  return
}

// -----

func.func @nf4_scales() {
  // expected-error @+1 {{expects 2 scales (one per block of 4), got 1}}
  %w = dlc.nf4_constant {block_size = 4 : i64, codes = dense<[15, 119, 0]> : tensor<3xi8>, scales = dense<[2.0]> : tensor<1xf32>} : tensor<2x3xf32>
  return
}

// -----

func.func @nf4_double() {
  // expected-error @+1 {{expects scale_scales and scale_offset with 8-bit (double-quantized) scales}}
  %w = dlc.nf4_constant {block_size = 4 : i64, codes = dense<[15, 119, 0]> : tensor<3xi8>, scales = dense<[2, 1]> : tensor<2xi8>} : tensor<2x3xf32>
  return
}

// -----

func.func @subchannel_tiling() {
  // expected-error @+1 {{expects sub-channel scales that tile shape [2, 6] exactly}}
  %w = dlc.qconstant dense<1> : tensor<2x6xi8> : tensor<2x6x!quant.uniform<i8:f32:{0:1, 1:2}, {{1.0, 0.5}, {3.0, 2.0}}>>
  return
}
