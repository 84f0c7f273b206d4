// A program without inputs, for running the tools with extra options.
func.func @main() -> tensor<2xf32> {
  %0 = dlc.constant dense<1.5> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
