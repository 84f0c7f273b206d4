//===- DLCQuantOps.td - quantized storage and compute ------*- tablegen -*-===//
//
// INT8 tensors use upstream `!quant.uniform` types (per-tensor activations,
// per-axis or per-tensor weights); FP8 tensors use the builtin
// `f8E4M3FN` / `f8E5M2` types with their scales as attributes; NF4 weights
// are packed codes with block scales. The arithmetic of every op here is
// integer-exact (or, for FP8, fp32 accumulation in reduction order) and is
// implemented once in lib/Quant, which the executor and the backends share.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DLC_IR_DLCQUANTOPS_TD
#define DLC_DIALECT_DLC_IR_DLCQUANTOPS_TD

include "dlc/Dialect/DLC/IR/DLCBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "dlc/Interfaces/CostOpInterface.td"

class DLC_QuantOp<string mnemonic, list<Trait> traits = []>
    : DLC_Op<mnemonic, !listconcat([Pure,
        DeclareOpInterfaceMethods<DLC_CostOpInterface>], traits)> {
  let hasVerifier = 1;
}

def DLC_QConstantOp : DLC_QuantOp<"qconstant"> {
  let summary = "A quantized tensor constant: int8/fp8 weights, int32 biases";
  let description = [{
    Holds the stored values of a quantized weight: `value`'s element type is
    the storage type of the result (`i8` for `!quant.uniform<i8:...>`, the
    fp8 type itself, `i32` for a bias in accumulator scale), its shape the
    result's.

    Example:

    ```mlir
    %w = dlc.qconstant dense<[[1, -2], [3, 4]]> : tensor<2x2xi8>
        : tensor<2x2x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "$value attr-dict `:` type($output)";
}

def DLC_NF4ConstantOp : DLC_QuantOp<"nf4_constant"> {
  let summary = "An NF4-compressed weight, dequantized for fp compute";
  let description = [{
    A weight stored as 4-bit NormalFloat codes (two per byte, high nibble
    first, row-major order) with one absmax scale per `block_size`
    consecutive values; the result is `code_value[code] * absmax[block]` in
    the result's float type (weight-only quantization: the consumer computes
    in fp32/fp16). `scales` holds the absmax values as f32, or, with double
    quantization, as `i8` codes with `absmax = scale_offset + code *
    scale_scales[block / 256]`. The 16 code values are bitsandbytes'.

    Example:

    ```mlir
    %w = dlc.nf4_constant {block_size = 64 : i64,
        codes = dense_resource<w_codes> : tensor<2048xui8>,
        scales = dense_resource<w_scales> : tensor<64xf32>} : tensor<64x64xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$codes, ElementsAttr:$scales,
      OptionalAttr<ElementsAttr>:$scale_scales,
      OptionalAttr<F32Attr>:$scale_offset, I64Attr:$block_size);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "attr-dict `:` type($output)";
  let extraClassDeclaration = [{
    /// Bytes the compressed weight occupies: codes plus scales.
    int64_t getStorageBytes();
  }];
}

def DLC_QuantizeOp : DLC_QuantOp<"quantize"> {
  let summary = "Quantize fp32 values to int8 or fp8";
  let description = [{
    For a `!quant.uniform` result (per-tensor or per-axis):
    `q = clamp(round_half_even(x / scale) + zero_point, storage_min,
    storage_max)`, with the division in fp32. For an `f8E4M3FN` / `f8E5M2`
    result: `q = fp8(x / scale)` rounded to nearest even, saturating at the
    format's largest finite value (448 / 57344), NaN kept; `scale` is then
    required.

    Example:

    ```mlir
    %q = dlc.quantize %x : tensor<1x8xf32> -> tensor<1x8x!quant.uniform<i8:f32, 0.05:-3>>
    %f = dlc.quantize %x {scale = 0.01 : f64} : tensor<1x8xf32> -> tensor<1x8xf8E4M3FN>
    ```
  }];
  let arguments = (ins DLC_FloatTensor:$input, OptionalAttr<F64Attr>:$scale);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasCanonicalizer = 1;
}

def DLC_DequantizeOp : DLC_QuantOp<"dequantize"> {
  let summary = "Convert int8 or fp8 values back to fp32";
  let description = [{
    `x = scale * (q - zero_point)` in fp32 for `!quant.uniform` input (per
    axis: the scale and zero point of the element's channel); `x = scale *
    fp8_value(q)` for fp8 input, `scale` then required.

    Example:

    ```mlir
    %x = dlc.dequantize %q : tensor<1x8x!quant.uniform<i8:f32, 0.05:-3>> -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, OptionalAttr<F64Attr>:$scale);
  let results = (outs DLC_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def DLC_RequantizeOp : DLC_QuantOp<"requantize"> {
  let summary = "Change the scale and zero point of int8 values";
  let description = [{
    `q_out = clamp(z_out + M(q_in - z_in))` with `M = s_in / s_out` applied
    as a fixed-point multiplier and shift (integer only). Input and output
    are per-tensor `!quant.uniform` of the same shape.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasCanonicalizer = 1;
}

def DLC_QConv2DOp : DLC_QuantOp<"qconv2d"> {
  let summary = "Quantized 2-D convolution: int8 or fp8 inputs";
  let description = [{
    The convolution of `dlc.conv2d` (same layout and attributes) over
    quantized operands.

    INT8: input per-tensor `!quant.uniform<i8:f32, s_x:z_x>`, weight
    `!quant.uniform<i8:f32:0, {s_w...}>` per output channel (or per-tensor)
    with zero point 0, optional bias `i32` in the scale `s_x * s_w[m]`,
    result per-tensor `!quant.uniform<i8<lo:hi>:f32, s_y:z_y>`:
    `acc = bias[m] + sum (x - z_x) * w` in int32 (padding contributes 0),
    `y = clamp(z_y + multiplyByQuantizedMultiplier(acc, s_x * s_w[m] / s_y),
    lo, hi)`. A fused ReLU or clip is the result's storage range `lo:hi`.

    FP8: input and weight `f8E4M3FN` or `f8E5M2` with scales `input_scale`
    and `weight_scales` (one, or one per output channel), optional bias
    `f32`, result `f32`: `acc = sum x * w` in fp32 in reduction order
    (c, ky, kx), `y = acc * (input_scale * weight_scales[m]) + bias[m]`.

    Example:

    ```mlir
    %y = dlc.qconv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x8x8x8x!quant.uniform<i8:f32, 0.02:-128>>,
           tensor<16x8x3x3x!quant.uniform<i8:f32:0, {...}>>, tensor<16xi32>)
        -> tensor<1x16x8x8x!quant.uniform<i8<-128:127>:f32, 0.04:-128>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
      Optional<AnyRankedTensor>:$bias,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "1">:$groups,
      OptionalAttr<F64Attr>:$input_scale,
      OptionalAttr<DenseF64ArrayAttr>:$weight_scales);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def DLC_QLinearOp : DLC_QuantOp<"qlinear"> {
  let summary = "Quantized fully connected layer: int8 or fp8 inputs";
  let description = [{
    `dlc.linear` (input `... x K`, weight `N x K`) over quantized operands,
    with the arithmetic of `dlc.qconv2d`: per-output-feature weight scales,
    int32 accumulation and fixed-point requantization for INT8, fp32
    accumulation scaled by `input_scale * weight_scales[n]` for FP8.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
      Optional<AnyRankedTensor>:$bias,
      OptionalAttr<F64Attr>:$input_scale,
      OptionalAttr<DenseF64ArrayAttr>:$weight_scales);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def DLC_QMatMulOp : DLC_QuantOp<"qmatmul"> {
  let summary = "Quantized batched matrix product of two int8 activations";
  let description = [{
    `dlc.matmul` (numpy broadcasting of the batch dimensions) over
    per-tensor int8 operands, as attention's query-key and score-value
    products need: `acc = sum (a - z_a) * (b - z_b)` in int32, then
    `y = clamp(z_y + multiplyByQuantizedMultiplier(acc, s_a * s_b / s_y))`
    within the result's storage range.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def DLC_QAddOp : DLC_QuantOp<"qadd"> {
  let summary = "Quantized elementwise addition (int8, equal shapes)";
  let description = [{
    Adds two per-tensor int8 tensors of one shape into a third scale, in
    integers as TFLite does: each input, less its zero point, is shifted
    left by 20 bits and rescaled by `s_i / (2 max(s_a, s_b))`; the sum is
    rescaled by `2 max(s_a, s_b) / (2^20 s_y)`, offset by `z_y` and clamped to
    the result's storage range (which carries a fused ReLU).
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

#endif // DLC_DIALECT_DLC_IR_DLCQUANTOPS_TD
