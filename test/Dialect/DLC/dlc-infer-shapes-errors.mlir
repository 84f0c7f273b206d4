// dlc-infer-shapes refuses what it cannot do, with a diagnostic and a
// non-zero exit, and never leaves a module half-rewritten.
// RUN: dlc-opt %s -dlc-infer-shapes=batch=8 -split-input-file -verify-diagnostics
// RUN: not dlc-opt %s -dlc-infer-shapes=batch=-2 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not dlc-opt %s -dlc-infer-shapes=batch=eight 2>&1 | FileCheck %s --check-prefix=NOT-A-NUMBER

// NEGATIVE: error: dlc-infer-shapes: expects batch >= 0, got -2
// NOT-A-NUMBER: 'eight' value invalid

// A callee whose signature would change is reported, not silently broken.
// expected-error @+1 {{dlc-infer-shapes cannot give @callee a static batch: it is called elsewhere in the module}}
func.func @callee(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = dlc.relu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
func.func @caller(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = func.call @callee(%x) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A reshape that is fine for a dynamic batch but not for batch 8 is reported
// at the reshape.
func.func @batch_conflict(%x: tensor<?x4xf32>) -> tensor<5x?xf32> {
  // expected-error @+1 {{cannot reshape input shape [8, 4] (32 elements) into [5, -1]}}
  %0 = dlc.reshape %x {shape = array<i64: 5, -1>} : (tensor<?x4xf32>) -> tensor<5x?xf32>
  return %0 : tensor<5x?xf32>
}
