// Inputs the ARM backend cannot lower give one diagnostic at the op (or
// option) and write nothing.

// RUN: rm -rf %t && mkdir -p %t
// RUN: not dlc-translate --emit-arm %s -o %t/out --function=dynamic 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: not ls %t/out
// RUN: not dlc-translate --emit-arm %s -o %t/out --function=matmul 2>&1 | FileCheck %s --check-prefix=MATMUL
// RUN: not dlc-translate --emit-arm %s -o %t/out --function=f16 2>&1 | FileCheck %s --check-prefix=F16
// RUN: not dlc-translate --emit-arm %s -o %t/out --function=weights 2>&1 | FileCheck %s --check-prefix=WEIGHTS
// RUN: not dlc-translate --emit-arm %s -o %t/out --function=static --arm-target=h200 2>&1 | FileCheck %s --check-prefix=GPU
// RUN: not dlc-translate --emit-arm %s -o %t/out --function=static --arm-target=nope 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not dlc-translate --emit-arm %s -o %t/out --function=static --arm-prefix=1bad 2>&1 | FileCheck %s --check-prefix=PREFIX
// RUN: not dlc-translate --emit-arm %s -o %t/out 2>&1 | FileCheck %s --check-prefix=WHICH
// RUN: not ls %t/out

// A good function writes its files (and only then the directory exists).
// RUN: dlc-translate --emit-arm %s -o %t/out --function=static
// RUN: ls %t/out | FileCheck %s --check-prefix=GOOD
// GOOD: model.bin

// DYNAMIC: error: 'func.func' op has an operand or result of type 'tensor<?x4xf32>', which the ARM backend cannot lower (static shapes only)
func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = dlc.relu %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// MATMUL: error: 'dlc.matmul' op broadcasts batch dimensions partially, which the ARM backend does not lower
func.func @matmul(%a: tensor<2x3x4x5xf32>, %b: tensor<3x5x6xf32>) -> tensor<2x3x4x6xf32> {
  %y = dlc.matmul %a, %b : (tensor<2x3x4x5xf32>, tensor<3x5x6xf32>) -> tensor<2x3x4x6xf32>
  return %y : tensor<2x3x4x6xf32>
}

// F16: error: argument #0 has element type 'f16'; generated models take fp32 inputs
func.func @f16(%x: tensor<1x4xf16>) -> tensor<1x4xf16> {
  %y = dlc.relu %x : tensor<1x4xf16>
  return %y : tensor<1x4xf16>
}

// WEIGHTS: error: 'dlc.linear' op has a weight that is not a constant; the ARM backend packs weights at emit time
func.func @weights(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> {
  %y = dlc.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// GPU: error: target 'h200' is not an ARM CPU (it has no "march" in the target file)
// UNKNOWN: error: unknown target 'nope'
// PREFIX: error: prefix '1bad' is not a C identifier
// WHICH: error: the module has 5 functions and no @main; name one to emit
func.func @static(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = dlc.relu %x : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
