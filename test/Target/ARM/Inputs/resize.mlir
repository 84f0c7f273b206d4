// Every resize mode on one 1x3x7x9 input (test/Target/ARM/resize.test and
// test/Target/CUDA/resize.test): nearest with each rounding and
// tf_half_pixel_for_nn, linear in each coordinate mode (a 1 x 1 output for
// pytorch_half_pixel; scales given with a downsample), cubic with
// PyTorch's and ONNX's parameters.
func.func @resize(%x: tensor<1x3x7x9xf32>)
    -> (tensor<1x3x10x12xf32>, tensor<1x3x10x12xf32>, tensor<1x3x4x5xf32>,
        tensor<1x3x14x18xf32>, tensor<1x3x5x20xf32>, tensor<1x3x16x20xf32>,
        tensor<1x3x1x1xf32>, tensor<1x3x16x20xf32>, tensor<1x3x3x4xf32>,
        tensor<1x3x13x17xf32>, tensor<1x3x21x27xf32>) {
  %0 = dlc.resize %x {sizes = array<i64: 10, 12>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x10x12xf32>
  %1 = dlc.resize %x {sizes = array<i64: 10, 12>,
                      coordinate_mode = #dlc.resize_coordinates<align_corners>,
                      nearest_mode = #dlc.nearest_rounding<round_prefer_ceil>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x10x12xf32>
  %2 = dlc.resize %x {sizes = array<i64: 4, 5>,
                      coordinate_mode = #dlc.resize_coordinates<tf_half_pixel_for_nn>,
                      nearest_mode = #dlc.nearest_rounding<ceil>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x4x5xf32>
  %3 = dlc.resize %x {sizes = array<i64: 14, 18>,
                      coordinate_mode = #dlc.resize_coordinates<asymmetric>,
                      nearest_mode = #dlc.nearest_rounding<floor>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x14x18xf32>
  %4 = dlc.resize %x {sizes = array<i64: 5, 20>, mode = #dlc.resize_mode<linear>,
                      coordinate_mode = #dlc.resize_coordinates<asymmetric>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x5x20xf32>
  %5 = dlc.resize %x {sizes = array<i64: 16, 20>, mode = #dlc.resize_mode<linear>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x16x20xf32>
  %6 = dlc.resize %x {sizes = array<i64: 1, 1>, mode = #dlc.resize_mode<linear>,
                      coordinate_mode = #dlc.resize_coordinates<pytorch_half_pixel>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x1x1xf32>
  %7 = dlc.resize %x {sizes = array<i64: 16, 20>, mode = #dlc.resize_mode<linear>,
                      coordinate_mode = #dlc.resize_coordinates<align_corners>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x16x20xf32>
  %8 = dlc.resize %x {sizes = array<i64: 3, 4>, scales = array<f32: 0.5, 0.5>,
                      mode = #dlc.resize_mode<linear>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x3x4xf32>
  %9 = dlc.resize %x {sizes = array<i64: 13, 17>, mode = #dlc.resize_mode<cubic>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x13x17xf32>
  %10 = dlc.resize %x {sizes = array<i64: 21, 27>, mode = #dlc.resize_mode<cubic>,
                       cubic_coeff_a = -0.5 : f32, exclude_outside = true,
                       coordinate_mode = #dlc.resize_coordinates<align_corners>}
      : (tensor<1x3x7x9xf32>) -> tensor<1x3x21x27xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10
      : tensor<1x3x10x12xf32>, tensor<1x3x10x12xf32>, tensor<1x3x4x5xf32>,
        tensor<1x3x14x18xf32>, tensor<1x3x5x20xf32>, tensor<1x3x16x20xf32>,
        tensor<1x3x1x1xf32>, tensor<1x3x16x20xf32>, tensor<1x3x3x4xf32>,
        tensor<1x3x13x17xf32>, tensor<1x3x21x27xf32>
}
