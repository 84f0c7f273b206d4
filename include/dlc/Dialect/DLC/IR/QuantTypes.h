//===- QuantTypes.h - element types of quantized dlc values -----*- C++ -*-===//
//
// Queries over the element types quantized dlc ops accept: int8
// `!quant.uniform` (per-tensor or per-axis) and the builtin fp8 types.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DLC_IR_QUANTTYPES_H
#define DLC_DIALECT_DLC_IR_QUANTTYPES_H

#include "dlc/Quant/FP8.h"
#include "dlc/Quant/UniformQuant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include <optional>
#include <vector>

namespace mlir::dlc {

/// The element type of a shaped type, or the type itself.
Type elementTypeOf(Type type);

/// A per-tensor `!quant.uniform` with 8-bit signed storage.
quant::UniformQuantizedType getInt8PerTensor(Type type);
/// A per-axis `!quant.uniform` with 8-bit signed storage.
quant::UniformQuantizedPerAxisType getInt8PerAxis(Type type);
/// A sub-channel (per-block) `!quant.uniform` with 8-bit signed storage.
quant::UniformQuantizedSubChannelType getInt8SubChannel(Type type);
/// Checks that a sub-channel type's scales tile `shape` exactly.
bool subChannelFits(quant::UniformQuantizedSubChannelType type,
                    ArrayRef<int64_t> shape);

/// The FP8 format of an `f8E4M3FN` / `f8E5M2` element type.
std::optional<dlc::quantization::FP8Format> getFP8Format(Type type);

/// The storage element type (i8 for `!quant.uniform<i8:...>`), else the
/// element type itself.
Type storageElementTypeOf(Type type);

/// Scale, zero point and clamp range of a per-tensor type.
dlc::quantization::UniformParams paramsOf(quant::UniformQuantizedType type);
/// The same for a tensor (or element) type that is per-tensor int8.
dlc::quantization::UniformParams perTensorParamsOf(Type type);

/// The parameters of a per-tensor (one entry, axis -1) or per-axis (one
/// per channel along `axis`) int8 type.
struct Int8ChannelParams {
  int64_t axis = -1;
  std::vector<dlc::quantization::UniformParams> params;
};
Int8ChannelParams int8ChannelParamsOf(Type type);

/// Whether a quantized op whose result has per-tensor type `from` may
/// compute straight into `to` (folding a requantize) without losing a clamp:
/// `to` must not reach below `from`'s lowest value (a fused ReLU clamps at
/// zero there), nor above `from`'s highest where `from`'s storage range is
/// narrowed (a fused clip).
bool keepsFusedClamps(quant::UniformQuantizedType from,
                      quant::UniformQuantizedType to);

/// A per-tensor i8 type over f32 covering [qmin, qmax] of storage.
quant::UniformQuantizedType
makeInt8Type(MLIRContext *context,
             const dlc::quantization::UniformParams &params);

} // namespace mlir::dlc

#endif // DLC_DIALECT_DLC_IR_QUANTTYPES_H
