// A function of two inputs calibrates from one .npy file per argument
// (comma-separated), split into batches together; mismatches are errors.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %debian_python -c "import numpy as np; r = np.random.default_rng(0); np.save('%t/a.npy', r.standard_normal((16, 8)).astype(np.float32)); np.save('%t/b.npy', r.standard_normal((16, 8)).astype(np.float32)); np.save('%t/c.npy', r.standard_normal((12, 8)).astype(np.float32))"
// RUN: dlc-opt %s --dlc-quantize="calibration=%t/a.npy,%t/b.npy report=%t/report.txt" -o %t/q.mlir 2>&1 | FileCheck %s --check-prefix=PROGRESS
// PROGRESS: dlc-quantize: calibrated 16/16 samples
// RUN: FileCheck %s --input-file=%t/q.mlir
// CHECK-DAG: dlc.quantize %arg0
// CHECK-DAG: dlc.quantize %arg1
// CHECK: dlc.qadd
// CHECK: dlc.qlinear
// RUN: dlc-run %t/q.mlir --input %t/a.npy --input %t/b.npy --output %t/y.npy
// RUN: FileCheck %s --check-prefix=REPORT --input-file=%t/report.txt
// REPORT: network output SQNR: {{[3-9][0-9]\.[0-9]+}} dB

// RUN: not dlc-opt %s --dlc-quantize="calibration=%t/a.npy" 2>&1 | FileCheck %s --check-prefix=ONE
// ONE: error: @main takes 2 arguments: give one .npy file per argument (calibration=a.npy,b.npy)
// RUN: not dlc-opt %s --dlc-quantize="calibration=%t/a.npy,%t/c.npy" 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: error: calibration inputs hold different numbers of samples (16 and 12)
// RUN: not dlc-opt %s --dlc-quantize="calibration=%t/a.npy,%t/b.npy,%t/c.npy" 2>&1 | FileCheck %s --check-prefix=FILES
// FILES: error: calibration lists 3 files for @main, which takes 2 arguments
func.func @main(%x: tensor<?x8xf32>, %m: tensor<?x8xf32>) -> tensor<?x4xf32> {
  %w = dlc.constant dense<[[0.25, -0.5, 0.75, 1.0, 0.1, 0.2, -0.3, 0.4], [1.0, 0.5, -0.25, 0.0, 0.3, -0.6, 0.9, 0.1], [-1.0, 0.2, 0.4, 0.6, -0.8, 0.1, 0.3, 0.5], [0.05, 0.15, -0.25, 0.35, 0.45, -0.55, 0.65, 0.75]]> : tensor<4x8xf32>
  %s = dlc.add %x, %m : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %y = dlc.linear %s, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
