// Every pooling form the ARM backend emits: max with padding and with
// dilation, average with and without count_include_pad and with the
// ceil-mode overhang, and int8 max and average (rounded as the executor
// rounds), summed into one output.
!q = !quant.uniform<i8:f32, 0.05>
func.func @main(%x: tensor<1x8x65x65xf32>) -> tensor<1x8x33x33xf32> {
  %m1 = dlc.max_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x65x65xf32>) -> tensor<1x8x33x33xf32>
  %m2 = dlc.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 2, 2>} : (tensor<1x8x65x65xf32>) -> tensor<1x8x33x33xf32>
  %a1 = dlc.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x8x65x65xf32>) -> tensor<1x8x33x33xf32>
  %a2 = dlc.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x65x65xf32>) -> tensor<1x8x33x33xf32>
  %a3 = dlc.avg_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x8x65x65xf32>) -> tensor<1x8x33x33xf32>
  %q = dlc.quantize %x : tensor<1x8x65x65xf32> -> tensor<1x8x65x65x!q>
  %qm = dlc.max_pool2d %q {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x65x65x!q>) -> tensor<1x8x33x33x!q>
  %qa = dlc.avg_pool2d %q {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x65x65x!q>) -> tensor<1x8x33x33x!q>
  %dm = dlc.dequantize %qm : tensor<1x8x33x33x!q> -> tensor<1x8x33x33xf32>
  %da = dlc.dequantize %qa : tensor<1x8x33x33x!q> -> tensor<1x8x33x33xf32>
  %s1 = dlc.add %m1, %m2 : (tensor<1x8x33x33xf32>, tensor<1x8x33x33xf32>) -> tensor<1x8x33x33xf32>
  %s2 = dlc.add %s1, %a1 : (tensor<1x8x33x33xf32>, tensor<1x8x33x33xf32>) -> tensor<1x8x33x33xf32>
  %s3 = dlc.add %s2, %a2 : (tensor<1x8x33x33xf32>, tensor<1x8x33x33xf32>) -> tensor<1x8x33x33xf32>
  %s4 = dlc.add %s3, %a3 : (tensor<1x8x33x33xf32>, tensor<1x8x33x33xf32>) -> tensor<1x8x33x33xf32>
  %s5 = dlc.add %s4, %dm : (tensor<1x8x33x33xf32>, tensor<1x8x33x33xf32>) -> tensor<1x8x33x33xf32>
  %s6 = dlc.add %s5, %da : (tensor<1x8x33x33xf32>, tensor<1x8x33x33xf32>) -> tensor<1x8x33x33xf32>
  return %s6 : tensor<1x8x33x33xf32>
}
