//===- DLCOps.td - dlc dialect operations ------------------*- tablegen -*-===//
//
// Every op is Pure, value-semantic and infers its result types; the C++ side
// of each inference (lib/Dialect/DLC/IR) is also its verifier.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DLC_IR_DLCOPS_TD
#define DLC_DIALECT_DLC_IR_DLCOPS_TD

include "dlc/Dialect/DLC/IR/DLCBase.td"
include "dlc/Dialect/DLC/IR/DLCAttrs.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "dlc/Interfaces/CostOpInterface.td"

// An op whose result types are computed from its operands and attributes.
// Each such op implements one C++ function, `inferShape`, which is both its
// type inference and its verifier (see lib/Dialect/DLC/IR/ShapeInference.h).
class DLC_InferredOp<string mnemonic, list<Trait> traits = []>
    : DLC_Op<mnemonic,
             !listconcat([Pure, InferTypeOpAdaptorWithIsCompatible,
                          DeclareOpInterfaceMethods<DLC_CostOpInterface>],
                         traits)> {
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static ::llvm::LogicalResult
    inferShape(Adaptor adaptor, const ::mlir::dlc::detail::ShapeDiag &diag,
               ::llvm::SmallVectorImpl<::mlir::Type> &inferredTypes);
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location>,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::mlir::dlc::detail::inferLeniently(adaptor, types, &inferShape);
    }
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange lhs,
                                            ::mlir::TypeRange rhs) {
      return ::mlir::dlc::detail::isCompatibleInferredTypes(lhs, rhs);
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::dlc::detail::verifyInferred(*this, &inferShape);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def DLC_ConstantOp : DLC_InferredOp<"constant", [ConstantLike]> {
  let summary = "A tensor constant: a weight, a bias, a statistic";
  let description = [{
    Holds a tensor value. Weights imported from a model use
    `dense_resource` payloads, which the printer can elide
    (`--mlir-elide-resource-strings-if-larger`), so large networks stay
    printable; small constants use `dense`.

    Example:

    ```mlir
    %b = dlc.constant dense<[0.1, -0.2]> : tensor<2xf32>
    %w = dlc.constant dense_resource<conv1_weight> : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Convolution, normalization, pooling
//===----------------------------------------------------------------------===//

def DLC_Conv2DOp : DLC_InferredOp<"conv2d"> {
  let summary = "2-D convolution (NCHW input, OIHW weight, grouped)";
  let description = [{
    Computes `output[n, m, y, x] = bias[m] + sum over c, ky, kx of
    input[n, g*C/G + c, y*sh + ky*dh - pt, x*sw + kx*dw - pl] * weight[m, c, ky, kx]`
    with `g = m / (M / groups)`, exactly as ONNX `Conv`. Input is `N x C x H x W`,
    weight `M x C/groups x KH x KW`, optional bias `M`. `pads` is
    `[top, left, bottom, right]` (ONNX's begin-then-end order). Depthwise
    convolution is `groups = C = M` (or `M` a multiple of `C`).

    Output spatial size: `floor((H + pt + pb - dh*(KH-1) - 1) / sh) + 1`.

    Example:

    ```mlir
    %y = dlc.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>)
        -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input, DLC_FloatTensor:$weight,
      Optional<DLC_FloatTensor>:$bias,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs DLC_FloatResult:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def DLC_BatchNormOp : DLC_InferredOp<"batch_norm"> {
  let summary = "Batch normalization in inference form";
  let description = [{
    Normalizes each channel (dimension 1) with running statistics:
    `output = (input - mean) / sqrt(var + epsilon) * scale + bias`, as ONNX
    `BatchNormalization` in inference mode. `scale`, `bias`, `mean` and `var`
    are 1-D tensors of the channel count. The `dlc-fold-batchnorm` pass folds
    it into a neighbouring conv or linear op.

    Example:

    ```mlir
    %y = dlc.batch_norm %x, %gamma, %beta, %mean, %var {epsilon = 1.0e-05 : f32}
        : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>,
           tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input, DLC_FloatTensor:$scale,
      DLC_FloatTensor:$bias, DLC_FloatTensor:$mean, DLC_FloatTensor:$var,
      DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs DLC_FloatResult:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $var attr-dict `:`
    functional-type(operands, results)
  }];
}

def DLC_LayerNormOp : DLC_InferredOp<"layer_norm"> {
  let summary = "Layer normalization over the trailing dimensions";
  let description = [{
    Normalizes over dimensions `axis .. rank-1`, as ONNX
    `LayerNormalization`: `output = (input - mean) / sqrt(variance + epsilon)
    * scale + bias`, where mean and (biased) variance are taken over those
    dimensions. `scale` and the optional `bias` have the normalized shape.

    Example:

    ```mlir
    %y = dlc.layer_norm %x, %gamma, %beta {axis = -1 : i64}
        : (tensor<1x128x256xf32>, tensor<256xf32>, tensor<256xf32>)
        -> tensor<1x128x256xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input, DLC_FloatTensor:$scale,
      Optional<DLC_FloatTensor>:$bias,
      DefaultValuedAttr<I64Attr, "-1">:$axis,
      DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs DLC_FloatResult:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def DLC_MaxPool2DOp : DLC_InferredOp<"max_pool2d"> {
  let summary = "2-D max pooling";
  let description = [{
    Takes the maximum over each `kernel_shape` window of an `N x C x H x W`
    input, as ONNX `MaxPool`; padded positions never win. With
    `ceil_mode`, the output size rounds up, but a window that would start in
    the bottom/right padding is dropped (ONNX and PyTorch agree on this).

    Example:

    ```mlir
    %y = dlc.max_pool2d %x {kernel_shape = array<i64: 3, 3>,
                            strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins DLC_PoolTensor:$input,
      DenseI64ArrayAttr:$kernel_shape,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs DLC_PoolResult:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def DLC_AvgPool2DOp : DLC_InferredOp<"avg_pool2d"> {
  let summary = "2-D average pooling";
  let description = [{
    Averages each `kernel_shape` window of an `N x C x H x W` input, as ONNX
    `AveragePool`. With `count_include_pad` the divisor is the full window
    size (padding counts as zeros); without it, only the positions inside the
    input count. `ceil_mode` rounds the output size up as in `max_pool2d`.

    Example:

    ```mlir
    %y = dlc.avg_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<1x64x56x56xf32>) -> tensor<1x64x28x28xf32>
    ```
  }];
  let arguments = (ins DLC_PoolTensor:$input,
      DenseI64ArrayAttr:$kernel_shape,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
      DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs DLC_PoolResult:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def DLC_GlobalAvgPoolOp : DLC_InferredOp<"global_avg_pool"> {
  let summary = "Average over all spatial positions, keeping them as size 1";
  let description = [{
    Averages an `N x C x D1 x ... x Dk` input over every spatial dimension,
    giving `N x C x 1 x ... x 1`, as ONNX `GlobalAveragePool`.

    Example:

    ```mlir
    %y = dlc.global_avg_pool %x : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
    ```
  }];
  let arguments = (ins DLC_PoolTensor:$input);
  let results = (outs DLC_PoolResult:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def DLC_ResizeOp : DLC_InferredOp<"resize"> {
  let summary = "Resize the image axes of N x C x H x W by interpolation";
  let description = [{
    Gives an `N x C x H x W` input the height and width `sizes`, as ONNX
    `Resize` on the two image axes. Along each axis an output index `o`
    samples the input at a position `x` set by `coordinate_mode`, with
    `scale` the axis's entry of `scales` (output over input size when
    `scales` is empty):

    - `half_pixel`: `x = (o + 0.5) / scale - 0.5`;
    - `pytorch_half_pixel`: the same, but `0` when `len <= 1` (below);
    - `align_corners`: `x = o * (in - 1) / (len - 1)`, `0` when `len <= 1`,
      with `len = in * scale` (the output size when `scales` is empty);
    - `asymmetric`: `x = o / scale`;
    - `tf_half_pixel_for_nn`: `x = (o + 0.5) / scale`.

    `mode = nearest` reads the input at `x` rounded by `nearest_mode`;
    `linear` interpolates the two neighbours of `x` (bilinear, as PyTorch's
    `interpolate(mode="bilinear")`); `cubic` the four around it with
    Keys' cubic kernel of parameter `cubic_coeff_a` (`-0.75`: PyTorch's
    bicubic). Indices past the border read the border (with
    `exclude_outside`, cubic weights outside the input are dropped and the
    rest renormalized). Each output is the weighted sum along the width of
    each sampled row, then the weighted sum of those rows along the height.
    Nearest mode also moves per-tensor int8 values unchanged (a quantized
    network's upsampling stays int8).

    Example:

    ```mlir
    %y = dlc.resize %x {mode = #dlc.resize_mode<linear>,
                        sizes = array<i64: 224, 224>}
        : (tensor<1x21x28x28xf32>) -> tensor<1x21x224x224xf32>
    ```
  }];
  let arguments = (ins DLC_PoolTensor:$input, DenseI64ArrayAttr:$sizes,
      DefaultValuedAttr<DenseF32ArrayAttr, "{}">:$scales,
      DefaultValuedAttr<DLC_ResizeModeAttr, "ResizeMode::nearest">:$mode,
      DefaultValuedAttr<DLC_ResizeCoordinatesAttr,
                        "ResizeCoordinates::half_pixel">:$coordinate_mode,
      DefaultValuedAttr<DLC_NearestRoundingAttr,
                        "NearestRounding::round_prefer_floor">:$nearest_mode,
      DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
      DefaultValuedAttr<BoolAttr, "false">:$exclude_outside);
  let results = (outs DLC_PoolResult:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let extraClassDeclaration = [{
    static ::llvm::LogicalResult
    inferShape(Adaptor adaptor, const ::mlir::dlc::detail::ShapeDiag &diag,
               ::llvm::SmallVectorImpl<::mlir::Type> &inferredTypes);
    /// The coordinate scale of image axis `axis` (0: height, 1: width).
    float getAxisScale(unsigned axis);
    /// The resized length align_corners divides by: the input size times
    /// the scale (the output size when `scales` is empty).
    float getResizedLength(unsigned axis);
  }];
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def DLC_MatMulOp : DLC_InferredOp<"matmul"> {
  let summary = "Batched matrix product with numpy broadcasting";
  let description = [{
    Multiplies the two trailing dimensions, `... x M x K` times `... x K x N`,
    broadcasting the leading (batch) dimensions as numpy's `matmul` and ONNX
    `MatMul` do. Both operands have rank 2 or more.

    Example:

    ```mlir
    %s = dlc.matmul %q, %k : (tensor<1x8x128x32xf32>, tensor<1x8x32x128xf32>)
        -> tensor<1x8x128x128xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$lhs, DLC_FloatTensor:$rhs);
  let results = (outs DLC_FloatResult:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def DLC_LinearOp : DLC_InferredOp<"linear"> {
  let summary = "Fully connected layer: input times transposed weight plus bias";
  let description = [{
    Computes `output = input x weight^T + bias` over the last dimension, as
    PyTorch's `nn.Linear` and ONNX `Gemm` with `transB = 1`: input
    `... x K`, weight `N x K` (one row per output feature), optional bias `N`,
    output `... x N`.

    Example:

    ```mlir
    %y = dlc.linear %x, %w, %b : (tensor<1x512xf32>, tensor<1000x512xf32>,
                                  tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input, DLC_FloatTensor:$weight,
      Optional<DLC_FloatTensor>:$bias);
  let results = (outs DLC_FloatResult:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (numpy broadcasting)
//===----------------------------------------------------------------------===//

class DLC_BinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : DLC_InferredOp<mnemonic, traits> {
  let summary = "Elementwise " # formula # " with numpy broadcasting";
  let description = [{
    Computes `output = lhs }] # formula # [{ rhs` elementwise. Shapes
    broadcast as in numpy and ONNX: aligned from the trailing dimension, each
    pair of sizes equal or one of them 1. Element types must match.

    Example:

    ```mlir
    %y = dlc.}] # mnemonic # [{ %a, %b : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>)
        -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$lhs, DLC_FloatTensor:$rhs);
  let results = (outs DLC_FloatResult:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def DLC_AddOp : DLC_BinaryOp<"add", "+", [Commutative]> {
  // linear(x, W) + b with a constant per-feature b is linear(x, W, b).
  let hasCanonicalizer = 1;
}
def DLC_SubOp : DLC_BinaryOp<"sub", "-">;
def DLC_MulOp : DLC_BinaryOp<"mul", "*", [Commutative]>;
def DLC_DivOp : DLC_BinaryOp<"div", "/">;
def DLC_MaxOp : DLC_BinaryOp<"max", "max", [Commutative]> {
  let summary = "Elementwise maximum with numpy broadcasting";
  let description = [{
    Computes `output = max(lhs, rhs)` elementwise, a NaN on either side
    giving NaN (ONNX `Max` of two inputs). Shapes broadcast as in numpy and
    ONNX.

    Example:

    ```mlir
    %y = dlc.max %a, %b : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>)
        -> tensor<1x64x56x56xf32>
    ```
  }];
}
def DLC_MinOp : DLC_BinaryOp<"min", "min", [Commutative]> {
  let summary = "Elementwise minimum with numpy broadcasting";
  let description = [{
    Computes `output = min(lhs, rhs)` elementwise, a NaN on either side
    giving NaN (ONNX `Min` of two inputs). Shapes broadcast as in numpy and
    ONNX.

    Example:

    ```mlir
    %y = dlc.min %a, %b : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>)
        -> tensor<1x64x56x56xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

// Shape-preserving ops: the result type is the operand's (AllTypesMatch), so
// ODS generates their type inference and the parser needs no attributes to
// find it.
class DLC_UnaryOp<string mnemonic, list<Trait> traits = []>
    : DLC_Op<mnemonic, !listconcat([Pure, AllTypesMatch<["input", "output"]>,
                                    DeclareOpInterfaceMethods<InferTypeOpInterface>,
                                    DeclareOpInterfaceMethods<DLC_CostOpInterface>],
                                   traits)> {
  let arguments = (ins DLC_FloatTensor:$input);
  let results = (outs DLC_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DLC_ReluOp : DLC_UnaryOp<"relu"> {
  let summary = "Rectified linear unit: max(x, 0)";
  let description = [{
    Zeroes negative elements, as ONNX `Relu`. A `relu` of a `relu` folds
    away, and a `clip` with a non-negative lower bound absorbs one.

    Example:

    ```mlir
    %y = dlc.relu %x : tensor<1x64x56x56xf32>
    ```
  }];
  let hasFolder = 1;
}

def DLC_ClipOp : DLC_UnaryOp<"clip"> {
  let summary = "Clamp to [min, max] (ReLU6 is clip 0..6)";
  let description = [{
    Computes `min(max(x, min), max)` elementwise, as ONNX `Clip` with
    constant bounds. MobileNetV2's ReLU6 is `min = 0, max = 6`.

    Example:

    ```mlir
    %y = dlc.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x32x112x112xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input, F32Attr:$min, F32Attr:$max);
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DLC_SigmoidOp : DLC_UnaryOp<"sigmoid"> {
  let summary = "Logistic sigmoid: 1 / (1 + exp(-x))";
  let description = [{
    Elementwise logistic function, as ONNX `Sigmoid` (the gate of
    squeeze-and-excitation blocks).

    Example:

    ```mlir
    %y = dlc.sigmoid %x : tensor<1x96x1x1xf32>
    ```
  }];
}

def DLC_SiluOp : DLC_UnaryOp<"silu"> {
  let summary = "SiLU (swish): x * sigmoid(x)";
  let description = [{
    PyTorch's `nn.SiLU` (YOLOv5/v8, EfficientNet, LLaMA's gated MLP), which
    it exports as `Mul(x, Sigmoid(x))`; the importer rebuilds it (ONNX's
    `Swish` with alpha 1). Computed as `x * (1 / (1 + exp(-x)))`, the
    product of the two ops it replaces.

    Example:

    ```mlir
    %y = dlc.silu %x : tensor<1x32x80x80xf32>
    ```
  }];
}

def DLC_HardSwishOp : DLC_UnaryOp<"hard_swish"> {
  let summary = "Hard swish: x * clip(x / 6 + 1/2, 0, 1)";
  let description = [{
    As ONNX `HardSwish` (alpha = 1/6, beta = 0.5) and PyTorch's
    `nn.Hardswish`.

    Example:

    ```mlir
    %y = dlc.hard_swish %x : tensor<1x16x112x112xf32>
    ```
  }];
}

def DLC_SqrtOp : DLC_UnaryOp<"sqrt"> {
  let summary = "Square root";
  let description = [{
    Elementwise, as ONNX `Sqrt` (in normalizations and activations
    PyTorch writes out: RMSNorm's reciprocal square root, Mish's softplus).

    Example:

    ```mlir
    %y = dlc.sqrt %x : tensor<1x32x64xf32>
    ```
  }];
}

def DLC_ExpOp : DLC_UnaryOp<"exp"> {
  let summary = "Exponential";
  let description = [{
    Elementwise, as ONNX `Exp` (in normalizations and activations
    PyTorch writes out: RMSNorm's reciprocal square root, Mish's softplus).

    Example:

    ```mlir
    %y = dlc.exp %x : tensor<1x32x64xf32>
    ```
  }];
}

def DLC_LogOp : DLC_UnaryOp<"log"> {
  let summary = "Natural logarithm";
  let description = [{
    Elementwise, as ONNX `Log` (in normalizations and activations
    PyTorch writes out: RMSNorm's reciprocal square root, Mish's softplus).

    Example:

    ```mlir
    %y = dlc.log %x : tensor<1x32x64xf32>
    ```
  }];
}

def DLC_ErfOp : DLC_UnaryOp<"erf"> {
  let summary = "Error function";
  let description = [{
    Elementwise, as ONNX `Erf` (in normalizations and activations
    PyTorch writes out: RMSNorm's reciprocal square root, Mish's softplus).

    Example:

    ```mlir
    %y = dlc.erf %x : tensor<1x32x64xf32>
    ```
  }];
}

def DLC_NegOp : DLC_UnaryOp<"neg"> {
  let summary = "Negation";
  let description = [{
    Elementwise, as ONNX `Neg` (in normalizations and activations
    PyTorch writes out: RMSNorm's reciprocal square root, Mish's softplus).

    Example:

    ```mlir
    %y = dlc.neg %x : tensor<1x32x64xf32>
    ```
  }];
}

def DLC_AbsOp : DLC_UnaryOp<"abs"> {
  let summary = "Absolute value";
  let description = [{
    Elementwise, as ONNX `Abs` (in normalizations and activations
    PyTorch writes out: RMSNorm's reciprocal square root, Mish's softplus).

    Example:

    ```mlir
    %y = dlc.abs %x : tensor<1x32x64xf32>
    ```
  }];
}

def DLC_ReciprocalOp : DLC_UnaryOp<"reciprocal"> {
  let summary = "Reciprocal: 1 / x";
  let description = [{
    Elementwise, as ONNX `Reciprocal` (in normalizations and activations
    PyTorch writes out: RMSNorm's reciprocal square root, Mish's softplus).

    Example:

    ```mlir
    %y = dlc.reciprocal %x : tensor<1x32x1xf32>
    ```
  }];
}

def DLC_LeakyReluOp : DLC_UnaryOp<"leaky_relu"> {
  let summary = "Leaky ReLU: x if x >= 0, else alpha * x";
  let description = [{
    As ONNX `LeakyRelu` (default alpha = 0.01; YOLO-style detectors use
    0.1).

    Example:

    ```mlir
    %y = dlc.leaky_relu %x {alpha = 1.000000e-01 : f32} : tensor<1x32x52x52xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input,
      DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
}

def DLC_EluOp : DLC_UnaryOp<"elu"> {
  let summary = "ELU: x if x >= 0, else alpha * (exp(x) - 1)";
  let description = [{
    As ONNX `Elu` (default alpha = 1).

    Example:

    ```mlir
    %y = dlc.elu %x : tensor<1x64xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input,
      DefaultValuedAttr<F32Attr, "1.0f">:$alpha);
}

def DLC_SoftplusOp : DLC_UnaryOp<"softplus"> {
  let summary = "Softplus: log(1 + exp(x))";
  let description = [{
    As ONNX `Softplus`; above 20 the result is x itself (as PyTorch's
    `nn.Softplus`, and where log1p(exp(x)) differs from x by less than
    1e-8 relative; it keeps large inputs from overflowing). Mish is
    `x * tanh(softplus(x))`.

    Example:

    ```mlir
    %y = dlc.softplus %x : tensor<1x32x52x52xf32>
    ```
  }];
}

def DLC_TanhOp : DLC_UnaryOp<"tanh"> {
  let summary = "Hyperbolic tangent";
  let description = [{
    Elementwise `tanh(x)`, as ONNX `Tanh` (MaxViT's classifier).

    Example:

    ```mlir
    %y = dlc.tanh %x : tensor<1x512xf32>
    ```
  }];
}

def DLC_HardSigmoidOp : DLC_UnaryOp<"hard_sigmoid"> {
  let summary = "Hard sigmoid: clip(alpha * x + beta, 0, 1)";
  let description = [{
    As ONNX `HardSigmoid` (defaults alpha = 0.2, beta = 0.5); PyTorch's
    `nn.Hardsigmoid`, the gate of MobileNetV3's squeeze-and-excitation
    blocks, is alpha = 1/6, beta = 0.5.

    Example:

    ```mlir
    %y = dlc.hard_sigmoid %x {alpha = 0.1666667 : f32, beta = 0.5 : f32} : tensor<1x96x1x1xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input,
      DefaultValuedAttr<F32Attr, "0.2f">:$alpha,
      DefaultValuedAttr<F32Attr, "0.5f">:$beta);
}

def DLC_GeluOp : DLC_UnaryOp<"gelu"> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `approximate = none` computes `x / 2 * (1 + erf(x / sqrt(2)))`;
    `approximate = tanh` computes
    `x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))`, as ONNX `Gelu`
    and PyTorch's `nn.GELU`.

    Example:

    ```mlir
    %y = dlc.gelu %x {approximate = #dlc.gelu_approximation<tanh>} : tensor<1x128x1024xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input,
      DefaultValuedAttr<DLC_GeluApproximationAttr,
                        "GeluApproximation::none">:$approximate);
}

def DLC_SoftmaxOp : DLC_UnaryOp<"softmax"> {
  let summary = "Softmax along one axis";
  let description = [{
    Computes `exp(x - max) / sum(exp(x - max))` along `axis` (negative counts
    from the end), as ONNX `Softmax` from opset 13.

    Example:

    ```mlir
    %p = dlc.softmax %s {axis = -1 : i64} : tensor<1x8x128x128xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input,
      DefaultValuedAttr<I64Attr, "-1">:$axis);
  let hasVerifier = 1;
}

def DLC_LogSoftmaxOp : DLC_UnaryOp<"log_softmax"> {
  let summary = "Logarithm of the softmax along one axis";
  let description = [{
    Computes `(x - max) - log(sum(exp(x - max)))` along `axis` (negative
    counts from the end), as ONNX `LogSoftmax` from opset 13: finite where
    `log(softmax(x))` would underflow to `-inf` (a logit 104 below the
    largest).

    Example:

    ```mlir
    %y = dlc.log_softmax %x {axis = -1 : i64} : tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input,
      DefaultValuedAttr<I64Attr, "-1">:$axis);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def DLC_ReshapeOp : DLC_InferredOp<"reshape"> {
  let summary = "Reinterpret a tensor with a new shape";
  let description = [{
    Gives the elements, in row-major order, the shape `shape`. One entry may
    be `-1`: it takes the size that keeps the element count, or stays dynamic
    when the input has a dynamic (batch) dimension. Other entries are
    positive; ONNX's `0` ("copy this dimension") is resolved at import.

    Example:

    ```mlir
    %y = dlc.reshape %x {shape = array<i64: 1, 2, 58, 28, 28>}
        : (tensor<1x116x28x28xf32>) -> tensor<1x2x58x28x28xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs DLC_AnyResult:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def DLC_FlattenOp : DLC_InferredOp<"flatten"> {
  let summary = "Flatten to 2-D around an axis";
  let description = [{
    Reshapes `D0 x ... x Dr-1` into `(D0 * ... * Daxis-1) x (Daxis * ... * Dr-1)`,
    as ONNX `Flatten`.

    Example:

    ```mlir
    %y = dlc.flatten %x {axis = 1 : i64} : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
      DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs DLC_AnyResult:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def DLC_TransposeOp : DLC_InferredOp<"transpose"> {
  let summary = "Permute dimensions";
  let description = [{
    `output` dimension `i` is `input` dimension `perm[i]`, as ONNX
    `Transpose`.

    Example:

    ```mlir
    %y = dlc.transpose %x {perm = array<i64: 0, 2, 1, 3, 4>}
        : (tensor<1x2x58x28x28xf32>) -> tensor<1x58x2x28x28xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs DLC_AnyResult:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def DLC_ConcatOp : DLC_InferredOp<"concat"> {
  let summary = "Join tensors along one axis";
  let description = [{
    Concatenates the inputs along `axis` (negative counts from the end); all
    other dimensions and the element types must agree, as ONNX `Concat`.

    Example:

    ```mlir
    %y = dlc.concat %a, %b {axis = 1 : i64}
        : (tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>) -> tensor<1x116x28x28xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs DLC_AnyResult:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def DLC_SliceOp : DLC_InferredOp<"slice"> {
  let summary = "Take a strided window along some axes";
  let description = [{
    For each `axes[i]`, keeps indices `starts[i], starts[i] + steps[i], ...`
    below `ends[i]`, as ONNX `Slice` after the importer has clamped the bounds
    (`0 <= start <= end <= size`, `step >= 1`). `steps` defaults to all 1.
    Sliced dimensions must be static.

    Example:

    ```mlir
    %y = dlc.slice %x {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 58>}
        : (tensor<1x116x28x28xf32>) -> tensor<1x58x28x28xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes,
      DenseI64ArrayAttr:$starts, DenseI64ArrayAttr:$ends,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$steps);
  let results = (outs DLC_AnyResult:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def DLC_SplitOp : DLC_InferredOp<"split"> {
  let summary = "Cut a tensor into consecutive pieces along one axis";
  let description = [{
    Splits `input` along `axis` into pieces of `sizes`, which must add up to
    that dimension, as ONNX `Split` (ShuffleNetV2's channel split).

    Example:

    ```mlir
    %a, %b = dlc.split %x {axis = 1 : i64, sizes = array<i64: 58, 58>}
        : (tensor<1x116x28x28xf32>) -> (tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>)
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
      DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<DLC_AnyResult>:$outputs);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def DLC_ExpandOp : DLC_InferredOp<"expand"> {
  let summary = "Broadcast a tensor to a shape";
  let description = [{
    Broadcasts `input` with `shape` as numpy and ONNX `Expand` do: aligned
    from the trailing dimension, a 1 on either side takes the other's size.
    An entry `-1` (dimension 0 only) is the dynamic batch: its size is that
    of `batch`'s dimension 0 (PyTorch's class token expanded to the batch
    of a model exported with a dynamic batch).

    Example:

    ```mlir
    %t = dlc.expand %cls, %x {shape = array<i64: -1, 1, 768>}
        : (tensor<1x1x768xf32>, tensor<?x3x224x224xf32>) -> tensor<?x1x768xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input,
      Optional<AnyRankedTensor>:$batch, DenseI64ArrayAttr:$shape);
  let results = (outs DLC_FloatResult:$output);
  let assemblyFormat = [{
    $input (`,` $batch^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let extraClassDeclaration = [{
    static ::llvm::LogicalResult
    inferShape(Adaptor adaptor, const ::mlir::dlc::detail::ShapeDiag &diag,
               ::llvm::SmallVectorImpl<::mlir::Type> &inferredTypes);
    /// `input` broadcast with `shape`, whose -1 entry is `batch` (the
    /// executor's run-time sizes or the types' static ones); nullopt when
    /// dimension `*mismatch` does not broadcast.
    static std::optional<::llvm::SmallVector<int64_t>>
    broadcastShape(::llvm::ArrayRef<int64_t> input,
                   ::llvm::ArrayRef<int64_t> shape, int64_t batch,
                   int64_t *mismatch = nullptr);
  }];
}

def DLC_PadOp : DLC_InferredOp<"pad"> {
  let summary = "Pad a tensor at the start and end of each dimension";
  let description = [{
    `pads` holds `2 * rank` non-negative counts, all begins then all ends
    (ONNX's order). `mode = constant` fills with `value`; `reflect` mirrors
    without repeating the border element (each pad must be smaller than its
    dimension); `edge` repeats the border element.

    Example:

    ```mlir
    %y = dlc.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
        : (tensor<1x3x224x224xf32>) -> tensor<1x3x226x226xf32>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input, DenseI64ArrayAttr:$pads,
      DefaultValuedAttr<DLC_PadModeAttr, "PadMode::constant">:$mode,
      DefaultValuedAttr<F32Attr, "0.0">:$value);
  let results = (outs DLC_FloatResult:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

include "dlc/Dialect/DLC/IR/DLCQuantOps.td"

#endif // DLC_DIALECT_DLC_IR_DLCOPS_TD
