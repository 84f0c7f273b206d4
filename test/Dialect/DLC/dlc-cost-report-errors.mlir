// Bad options for dlc-cost-report are diagnosed with a non-zero exit.
// RUN: not dlc-opt %s --dlc-cost-report="target=tpu9" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not dlc-opt %s --dlc-cost-report="format=xml" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not dlc-opt %s --dlc-cost-report="function=nope" 2>&1 | FileCheck %s --check-prefix=NOFUNC
// RUN: echo '{"targets": [{"name": "x"}]}' > %t.json
// RUN: not dlc-opt %s --dlc-cost-report="target-file=%t.json" 2>&1 | FileCheck %s --check-prefix=FILE
// RUN: echo '{"targets": [{"name": "tiny", "peak_tflops": {"fp32": 0.001}, "memory_gbps": 1}]}' > %t.good.json
// RUN: dlc-opt %s --dlc-cost-report="target=tiny target-file=%t.good.json" -o /dev/null | FileCheck %s --check-prefix=CUSTOM

// TARGET: error: dlc-cost-report: unknown target 'tpu9' (known: h200, a100, t4, l4, orin, cortex-a78, cortex-a55, host)
// FORMAT: error: dlc-cost-report: format must be table, json, csv or svg, got 'xml'
// FILE: error: dlc-cost-report: {{.*}}.json: target 'x': needs "peak_tflops" with "fp32"
// NOFUNC: error: dlc-cost-report: no function to report
// CUSTOM: dlc cost report: @f on tiny
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dlc.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
