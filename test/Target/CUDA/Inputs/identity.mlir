// Passes values in [-2, 2] through (runner-random-input.test).
func.func @main(%x: tensor<2x3x5xf32>) -> tensor<2x3x5xf32> {
  %y = dlc.clip %x {min = -2.0 : f32, max = 2.0 : f32} : tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}
