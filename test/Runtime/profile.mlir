// dlc-run --profile-json times every op of every run and reports, in
// program order, the median, mean and minimum over the runs after the first
// (the first pays for first-touch pages and scratch buffers); --profile sums
// the medians per op kind.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %debian_python -c "import numpy; numpy.save('%t/x.npy', numpy.ones((1, 4, 8, 8), numpy.float32))"
// RUN: dlc-run %s --input %t/x.npy --iterations 3 --profile-json %t/p.json --profile | FileCheck %s --check-prefix=TEXT
// TEXT: ms/run over 3 runs
// TEXT-DAG: ms/run  dlc.conv2d
// TEXT-DAG: ms/run  dlc.relu
// TEXT-DAG: ms/run  dlc.add
// RUN: %debian_python -c "import json; ops = json.load(open('%t/p.json')); print([o['op'] for o in ops]); print(sorted(ops[0])); print([o['runs'] for o in ops])" | FileCheck %s --check-prefix=JSON
// JSON: ['dlc.conv2d', 'dlc.relu', 'dlc.add']
// JSON-NEXT: ['mean_ms', 'min_ms', 'ms', 'op', 'runs']
// JSON-NEXT: [3, 3, 3]

// Without --iterations the single run is the one reported.
// RUN: dlc-run %s --input %t/x.npy --profile-json %t/q.json
// RUN: %debian_python -c "import json; print([o['runs'] for o in json.load(open('%t/q.json'))])" | FileCheck %s --check-prefix=ONE
// ONE: [1, 1, 1]

func.func @main(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = dlc.constant dense<0.5> : tensor<4x4x3x3xf32>
  %c = dlc.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %r = dlc.relu %c : tensor<1x4x8x8xf32>
  %a = dlc.add %r, %x : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %a : tensor<1x4x8x8xf32>
}
