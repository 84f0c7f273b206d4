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

/// A per-tensor i8 type over f32 covering [qmin, qmax] of storage.
quant::UniformQuantizedType
makeInt8Type(MLIRContext *context,
             const dlc::quantization::UniformParams &params);

} // namespace mlir::dlc

#endif // DLC_DIALECT_DLC_IR_QUANTTYPES_H
