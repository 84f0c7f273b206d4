// dlc-cost-report: exact counts per layer, roofline bounds, totals, and the
// machine-readable formats. The IR itself is left unchanged.
// RUN: dlc-opt %s --dlc-cost-report="target=h200" -o /dev/null | FileCheck %s
// RUN: dlc-opt %s --dlc-cost-report="target=h200 format=csv" -o /dev/null | FileCheck %s --check-prefix=CSV
// RUN: dlc-opt %s --dlc-cost-report="target=h200 format=json output=%t.json batches=1,8" -o /dev/null
// RUN: %debian_python -c "import json; f = json.load(open('%t.json')); \
// RUN:   c = {x['function']: x for x in f}; \
// RUN:   assert c['conv3x64']['params'] == 1792, c['conv3x64']['params']; \
// RUN:   assert c['linear512x256']['layers'][0]['params'] == 131328; \
// RUN:   assert c['linear512x256']['layers'][0]['macs'] == 131072; \
// RUN:   assert c['depthwise']['layers'][0]['bound'] == 'memory'; \
// RUN:   assert [b['batch'] for b in c['dynamic_batch']['batches']] == [1, 8]; \
// RUN:   assert c['dynamic_batch']['batches'][1]['latency_us'] > c['dynamic_batch']['batches'][0]['latency_us']"
// RUN: dlc-opt %s --dlc-cost-report="target=h200" | FileCheck %s --check-prefix=UNCHANGED

// A 3->64 3x3 conv with bias: 64*3*3*3 + 64 = 1,792 parameters; each of the
// 64*32*32 outputs is a 27-term dot product.
// CHECK: dlc cost report: @conv3x64 on h200
// CHECK: conv                             conv2d           1x64x32x32
// CHECK-SAME: 1,792
// CHECK: total: 1,769,472 MACs, 3,538,944 FLOPs, 1,792 parameters
// CHECK: weights: fp32 7,168 B
// CSV: function,layer,op,output,macs,flops,exact_flops,params
// CSV: conv3x64,"conv",conv2d,1x64x32x32,1769472,3538944,3538944,1792,7168,12288,262144,
// UNCHANGED-LABEL: func.func @conv3x64
// UNCHANGED: dlc.conv2d
func.func @conv3x64(%x: tensor<1x3x32x32xf32>) -> tensor<1x64x32x32xf32> {
  %w = dlc.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = dlc.constant dense<0.2> : tensor<64xf32>
  %0 = dlc.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x3x32x32xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<1x64x32x32xf32> loc("conv")
  return %0 : tensor<1x64x32x32xf32>
}

// A 512->256 linear layer: 512*256 + 256 = 131,328 parameters. Without a
// bias the exact count is 2*K - 1 FLOPs per output.
// CHECK: dlc cost report: @linear512x256 on h200
// CHECK: 131,328
// CHECK: dlc cost report: @linear_nobias
// CSV: linear_nobias,"fc",linear,1x256,131072,262144,261888,131072,
func.func @linear512x256(%x: tensor<1x512xf32>) -> tensor<1x256xf32> {
  %w = dlc.constant dense<0.1> : tensor<256x512xf32>
  %b = dlc.constant dense<0.2> : tensor<256xf32>
  %0 = dlc.linear %x, %w, %b : (tensor<1x512xf32>, tensor<256x512xf32>, tensor<256xf32>) -> tensor<1x256xf32>
  return %0 : tensor<1x256xf32>
}
func.func @linear_nobias(%x: tensor<1x512xf32>) -> tensor<1x256xf32> {
  %w = dlc.constant dense<0.1> : tensor<256x512xf32>
  %0 = dlc.linear %x, %w : (tensor<1x512xf32>, tensor<256x512xf32>) -> tensor<1x256xf32> loc("fc")
  return %0 : tensor<1x256xf32>
}

// A depthwise 3x3 conv does 9 MACs per output: memory-bound on an H200; the
// relu after it is fused.
// CHECK: dlc cost report: @depthwise on h200
// CHECK: dw {{.*}} memory
// CHECK-NEXT: act {{.*}} fused
func.func @depthwise(%x: tensor<1x256x56x56xf32>) -> tensor<1x256x56x56xf32> {
  %w = dlc.constant dense<0.1> : tensor<256x1x3x3xf32>
  %0 = dlc.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>, groups = 256 : i64}
      : (tensor<1x256x56x56xf32>, tensor<256x1x3x3xf32>) -> tensor<1x256x56x56xf32> loc("dw")
  %1 = dlc.relu %0 : tensor<1x256x56x56xf32> loc("act")
  return %1 : tensor<1x256x56x56xf32>
}

// A dynamic batch is costed at batch=1 unless told otherwise.
// CHECK: dlc cost report: @dynamic_batch on h200 ({{.*}}), batch 1
// CHECK: unknown ops: 0
func.func @dynamic_batch(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w = dlc.constant dense<0.1> : tensor<64x64xf32>
  %0 = dlc.linear %x, %w : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// The SVG is well-formed, with labelled axes, one point per costed layer and
// one bar per layer.
// RUN: dlc-opt %s --dlc-cost-report="target=h200 format=svg function=conv3x64 output=%t.svg" -o /dev/null
// RUN: %debian_python -c "import xml.etree.ElementTree as E; r = E.parse('%t.svg').getroot(); \
// RUN:   ns = '{http://www.w3.org/2000/svg}'; \
// RUN:   texts = [t.text for t in r.iter(ns + 'text')]; \
// RUN:   assert 'arithmetic intensity (FLOP/byte)' in texts, texts; \
// RUN:   assert 'attained throughput (FLOP/s)' in texts; \
// RUN:   points = [c for c in r.iter(ns + 'circle') if c.get('class') == 'layer']; \
// RUN:   bars = [b for b in r.iter(ns + 'rect') if b.get('class') == 'bar']; \
// RUN:   assert len(points) == 1 and len(bars) == 1, (len(points), len(bars)); \
// RUN:   print('svg ok')"
