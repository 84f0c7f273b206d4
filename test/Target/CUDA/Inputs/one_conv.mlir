// One convolution, no intermediate tensor: the emitted run uses no
// workspace (as the single-op models of the GPU checks' peer comparisons).
func.func @main(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32> {
  %w = dlc.constant dense<0.5> : tensor<8x8x3x3xf32>
  %y = dlc.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}
