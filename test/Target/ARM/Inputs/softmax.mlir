// Softmax and log-softmax along the last axis (one row at a time: CUDA's
// warp-per-row kernel) and along a middle axis (strided lines)
// (test/Target/ARM/softmax.test and test/Target/CUDA/softmax.test).
func.func @softmax(%x: tensor<2x5x40xf32>)
    -> (tensor<2x5x40xf32>, tensor<2x5x40xf32>, tensor<2x5x40xf32>,
        tensor<2x5x40xf32>) {
  %0 = dlc.softmax %x {axis = -1 : i64} : tensor<2x5x40xf32>
  %1 = dlc.softmax %x {axis = 1 : i64} : tensor<2x5x40xf32>
  %2 = dlc.log_softmax %x {axis = -1 : i64} : tensor<2x5x40xf32>
  %3 = dlc.log_softmax %x {axis = 1 : i64} : tensor<2x5x40xf32>
  return %0, %1, %2, %3 : tensor<2x5x40xf32>, tensor<2x5x40xf32>,
                          tensor<2x5x40xf32>, tensor<2x5x40xf32>
}
