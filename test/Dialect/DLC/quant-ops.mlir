// The quantized ops parse, verify and print back, also through the generic
// form.
// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// RUN: dlc-opt %s --mlir-print-op-generic | dlc-opt | FileCheck %s

// The executor decodes NF4 (codes 0, 15, 7, 7 | 0, 0; absmax 2 | 1) and runs
// fp8 (saturation at 448, round to nearest even, fp32 accumulation).
// RUN: dlc-run %s --function nf4 --output %t.nf4.npy
// RUN: %debian_python -c "import numpy; print(numpy.load('%t.nf4.npy').tolist())" | FileCheck %s --check-prefix=NFDECODE
// NFDECODE: {{\[}}[-2.0, 2.0, 0.0], [0.0, -1.0, -1.0]]
// RUN: %debian_python -c "import numpy; numpy.save('%t.x.npy', numpy.array([[1, 2, 3, 4], [0.01, -100, 60, 1e9], [0, 0, 0, -0.3]], numpy.float32))"
// RUN: dlc-run %s --function fp8 --input %t.x.npy --output %t.y.npy --output %t.d.npy
// RUN: %debian_python -c "import numpy; print(numpy.load('%t.d.npy').tolist()); print(numpy.load('%t.y.npy').astype(float).round(4).tolist())" | FileCheck %s --check-prefix=FPEXEC
// FPEXEC: {{\[}}[1.0, 2.0, 3.0, 4.0], [0.009765625, -56.0, 56.0, 56.0], [0.0, 0.0, 0.0, -0.3125]]
// FPEXEC: {{\[}}[17.955, -35.6], [249.4801, -500.08], [-1.4, 2.8]]

!x8 = !quant.uniform<i8:f32, 0.05:-3>
!y8 = !quant.uniform<i8<-128:127>:f32, 0.1:-128>
!w8 = !quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>

// CHECK-LABEL: @int8
func.func @int8(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2xf32>) {
  // CHECK: dlc.quantize %{{.*}} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %q = dlc.quantize %x : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!x8>
  // CHECK: dlc.qconstant dense<{{.*}}> : tensor<2x2x1x1xi8> : tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {5.000000e-01,2.500000e-01}>>
  %w = dlc.qconstant dense<[[[[1]], [[-2]]], [[[3]], [[4]]]]> : tensor<2x2x1x1xi8> : tensor<2x2x1x1x!w8>
  // CHECK: dlc.qconstant dense<[7, -9]> : tensor<2xi32> : tensor<2xi32>
  %b = dlc.qconstant dense<[7, -9]> : tensor<2xi32> : tensor<2xi32>
  // CHECK: dlc.qconv2d %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>, {{.*}}, tensor<2xi32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e-01:-128>>
  %c = dlc.qconv2d %q, %w, %b : (tensor<1x2x4x4x!x8>, tensor<2x2x1x1x!w8>, tensor<2xi32>) -> tensor<1x2x4x4x!y8>
  // CHECK: dlc.requantize
  %r = dlc.requantize %c : tensor<1x2x4x4x!y8> -> tensor<1x2x4x4x!x8>
  // CHECK: dlc.qadd
  %s = dlc.qadd %r, %q : (tensor<1x2x4x4x!x8>, tensor<1x2x4x4x!x8>) -> tensor<1x2x4x4x!y8>
  // CHECK: dlc.max_pool2d {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e-01:-128>>
  %p = dlc.max_pool2d %s {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4x!y8>) -> tensor<1x2x2x2x!y8>
  // CHECK: dlc.global_avg_pool
  %g = dlc.global_avg_pool %p : (tensor<1x2x2x2x!y8>) -> tensor<1x2x1x1x!y8>
  %f = dlc.flatten %g : (tensor<1x2x1x1x!y8>) -> tensor<1x2x!y8>
  %lw = dlc.qconstant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8> : tensor<2x2x!w8>
  // CHECK: dlc.qlinear
  %l = dlc.qlinear %f, %lw : (tensor<1x2x!y8>, tensor<2x2x!w8>) -> tensor<1x2x!x8>
  // CHECK: dlc.dequantize
  %d = dlc.dequantize %s : tensor<1x2x4x4x!y8> -> tensor<1x2x4x4xf32>
  %e = dlc.dequantize %l : tensor<1x2x!x8> -> tensor<1x2xf32>
  return %d, %e : tensor<1x2x4x4xf32>, tensor<1x2xf32>
}

// CHECK-LABEL: @fp8
func.func @fp8(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x4xf32>) {
  // CHECK: dlc.quantize %{{.*}} {scale = 1.250000e-01 : f64} : tensor<3x4xf32> -> tensor<3x4xf8E4M3FN>
  %q = dlc.quantize %x {scale = 0.125 : f64} : tensor<3x4xf32> -> tensor<3x4xf8E4M3FN>
  %w = dlc.qconstant dense<[[1.0, 2.0, -0.5, 448.0], [0.0, 1.5, 3.0, -448.0]]> : tensor<2x4xf8E4M3FN> : tensor<2x4xf8E4M3FN>
  // CHECK: dlc.qlinear {{.*}} {input_scale = 1.250000e-01 : f64, weight_scales = array<f64: 1.000000e-02, 2.000000e-02>}
  %y = dlc.qlinear %q, %w {input_scale = 0.125 : f64, weight_scales = array<f64: 0.01, 0.02>} : (tensor<3x4xf8E4M3FN>, tensor<2x4xf8E4M3FN>) -> tensor<3x2xf32>
  // CHECK: dlc.dequantize %{{.*}} {scale = 1.250000e-01 : f64} : tensor<3x4xf8E4M3FN> -> tensor<3x4xf32>
  %d = dlc.dequantize %q {scale = 0.125 : f64} : tensor<3x4xf8E4M3FN> -> tensor<3x4xf32>
  return %y, %d : tensor<3x2xf32>, tensor<3x4xf32>
}

// CHECK-LABEL: @nf4
func.func @nf4() -> tensor<2x3xf32> {
  // CHECK: dlc.nf4_constant {block_size = 4 : i64, codes = dense<[15, 119, 0]> : tensor<3xi8>, scales = dense<[2.000000e+00, 1.000000e+00]> : tensor<2xf32>} : tensor<2x3xf32>
  %w = dlc.nf4_constant {block_size = 4 : i64, codes = dense<[15, 119, 0]> : tensor<3xi8>, scales = dense<[2.0, 1.0]> : tensor<2xf32>} : tensor<2x3xf32>
  return %w : tensor<2x3xf32>
}

// An int8 result is written as a numpy int8 array: round half to even of
// x / 0.5, plus the zero point 1, saturated.
// RUN: %debian_python -c "import numpy; numpy.save('%t.q.npy', numpy.array([[0, 1, -1], [100, -100, 0.25]], numpy.float32))"
// RUN: dlc-run %s --function int8_output --input %t.q.npy --output %t.qy.npy
// RUN: %debian_python -c "import numpy; a = numpy.load('%t.qy.npy'); print(a.dtype, a.tolist())" | FileCheck %s --check-prefix=INT8OUT
// INT8OUT: int8 {{\[}}[1, 3, -1], [127, -128, 1]]
// CHECK-LABEL: @int8_output
func.func @int8_output(%x: tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5:1>> {
  %q = dlc.quantize %x : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32, 0.5:1>>
  return %q : tensor<2x3x!quant.uniform<i8:f32, 0.5:1>>
}

// A sub-channel (per-block) weight: one scale per 2 columns of each row.
// RUN: dlc-run %s --function subchannel --output %t.sub.npy
// RUN: %debian_python -c "import numpy; print(numpy.load('%t.sub.npy').tolist())" | FileCheck %s --check-prefix=SUBCHANNEL
// SUBCHANNEL: {{\[}}[1.0, 2.0, 0.5, 1.0], [-3.0, 3.0, 0.0, 4.0]]
// CHECK-LABEL: @subchannel
// CHECK: tensor<2x4x!quant.uniform<i8:f32:{0:1, 1:2}, {{\{}}{1.000000e+00, 5.000000e-01}, {3.000000e+00, 2.000000e+00}}>>
func.func @subchannel() -> tensor<2x4xf32> {
  %w = dlc.qconstant dense<[[1, 2, 1, 2], [-1, 1, 0, 2]]> : tensor<2x4xi8> : tensor<2x4x!quant.uniform<i8:f32:{0:1, 1:2}, {{1.0, 0.5}, {3.0, 2.0}}>>
  %d = dlc.dequantize %w : tensor<2x4x!quant.uniform<i8:f32:{0:1, 1:2}, {{1.0, 0.5}, {3.0, 2.0}}>> -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}
