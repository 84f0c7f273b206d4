// dlc-run reports bad input with a location or the file at fault, exits
// non-zero and writes no output file.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %debian_python -c "import numpy; numpy.save('%t/x.npy', numpy.zeros((1, 2, 4, 4), numpy.float32)); numpy.save('%t/bad.npy', numpy.zeros((1, 3, 4, 4), numpy.float32))"

// RUN: not dlc-run %s --function fp8_pool --input %t/x.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=FP8
// FP8: error: 'dlc.max_pool2d' op computes on 'f8E4M3FN', which the reference executor does not run here (f32, and per-tensor int8 for pooling, nearest resize and data movement)
// RUN: not ls %t/y.npy

// RUN: not dlc-run %s --function int8_pool --input %t/bad.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: dlc-run: error: input #0 has shape 1x3x4x4, which does not match the argument type tensor<1x2x4x4xf32>
// RUN: not ls %t/y.npy

// RUN: not dlc-run %s --function per_block --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=BLOCK
// BLOCK: error: 'dlc.quantize' op quantizes to per-block scales, which the reference executor does not run (per-block weights are quantized at compile time)

// RUN: not dlc-run %s --function missing --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: dlc-run: error: no function named 'missing'

func.func @fp8_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %q = dlc.quantize %x {scale = 1.0 : f64} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf8E4M3FN>
  %p = dlc.max_pool2d %q {kernel_shape = array<i64: 1, 1>} : (tensor<1x2x4x4xf8E4M3FN>) -> tensor<1x2x4x4xf8E4M3FN>
  %d = dlc.dequantize %p {scale = 1.0 : f64} : tensor<1x2x4x4xf8E4M3FN> -> tensor<1x2x4x4xf32>
  return %d : tensor<1x2x4x4xf32>
}

func.func @int8_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %q = dlc.quantize %x : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>
  %p = dlc.avg_pool2d %q {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1>>
  %d = dlc.dequantize %p : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1>> -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

func.func @per_block(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %q = dlc.quantize %x : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32:{1:1}, {{{{1.0}}, {{2.0}}}}>>
  %d = dlc.dequantize %q : tensor<1x2x4x4x!quant.uniform<i8:f32:{1:1}, {{{{1.0}}, {{2.0}}}}>> -> tensor<1x2x4x4xf32>
  return %d : tensor<1x2x4x4xf32>
}
