// Every elementwise activation and math function the kernels compute,
// each result returned, so each is compared (square root and logarithm of
// |x|), and the binary maximum and minimum (same shapes, and broadcast
// along the innermost axis).
func.func @main(%x: tensor<1x4x9x9xf32>) -> (tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>) {
  %0 = dlc.sigmoid %x : tensor<1x4x9x9xf32>
  %1 = dlc.tanh %x : tensor<1x4x9x9xf32>
  %2 = dlc.hard_sigmoid %x {alpha = 0.25 : f32, beta = 0.375 : f32} : tensor<1x4x9x9xf32>
  %3 = dlc.hard_swish %x : tensor<1x4x9x9xf32>
  %4 = dlc.gelu %x : tensor<1x4x9x9xf32>
  %5 = dlc.gelu %x {approximate = #dlc.gelu_approximation<tanh>} : tensor<1x4x9x9xf32>
  %6 = dlc.clip %x {min = -0.5 : f32, max = 1.5 : f32} : tensor<1x4x9x9xf32>
  %7 = dlc.abs %x : tensor<1x4x9x9xf32>
  %8 = dlc.neg %x : tensor<1x4x9x9xf32>
  %9 = dlc.exp %x : tensor<1x4x9x9xf32>
  %10 = dlc.erf %x : tensor<1x4x9x9xf32>
  %11 = dlc.sqrt %7 : tensor<1x4x9x9xf32>
  %12 = dlc.log %7 : tensor<1x4x9x9xf32>
  %13 = dlc.reciprocal %x : tensor<1x4x9x9xf32>
  %14 = dlc.leaky_relu %x {alpha = 1.000000e-01 : f32} : tensor<1x4x9x9xf32>
  %15 = dlc.elu %x {alpha = 5.000000e-01 : f32} : tensor<1x4x9x9xf32>
  %16 = dlc.softplus %x : tensor<1x4x9x9xf32>
  %17 = dlc.max %x, %1 : (tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32>
  %column = dlc.slice %x {axes = array<i64: 3>, starts = array<i64: 4>, ends = array<i64: 5>} : (tensor<1x4x9x9xf32>) -> tensor<1x4x9x1xf32>
  %18 = dlc.min %x, %column : (tensor<1x4x9x9xf32>, tensor<1x4x9x1xf32>) -> tensor<1x4x9x9xf32>
  %19 = dlc.silu %x : tensor<1x4x9x9xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19 : tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>
}
