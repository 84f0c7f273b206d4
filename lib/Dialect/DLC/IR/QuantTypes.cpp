//===- QuantTypes.cpp - element types of quantized dlc values -------------===//

#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace mlir::dlc;

Type mlir::dlc::elementTypeOf(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.getElementType();
  return type;
}

quant::UniformQuantizedType mlir::dlc::getInt8PerTensor(Type type) {
  auto q = dyn_cast<quant::UniformQuantizedType>(elementTypeOf(type));
  if (!q || !q.getStorageType().isInteger(8) || !q.isSigned())
    return {};
  return q;
}

quant::UniformQuantizedPerAxisType mlir::dlc::getInt8PerAxis(Type type) {
  auto q = dyn_cast<quant::UniformQuantizedPerAxisType>(elementTypeOf(type));
  if (!q || !q.getStorageType().isInteger(8) || !q.isSigned())
    return {};
  return q;
}

quant::UniformQuantizedSubChannelType mlir::dlc::getInt8SubChannel(Type type) {
  auto q = dyn_cast<quant::UniformQuantizedSubChannelType>(elementTypeOf(type));
  if (!q || !q.getStorageType().isInteger(8) || !q.isSigned())
    return {};
  return q;
}

bool mlir::dlc::subChannelFits(quant::UniformQuantizedSubChannelType type,
                               ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> scales = type.getScales().getType().getShape();
  if (scales.size() != shape.size())
    return false;
  SmallVector<int64_t> blocks(shape);
  for (auto [dim, size] : type.getBlockSizeInfo())
    if (dim < static_cast<int32_t>(blocks.size()))
      blocks[dim] = size;
  for (auto [extent, block, count] : llvm::zip(shape, blocks, scales))
    if (block <= 0 || extent % block != 0 || extent / block != count)
      return false;
  return true;
}

std::optional<dlc::quantization::FP8Format> mlir::dlc::getFP8Format(Type type) {
  Type element = elementTypeOf(type);
  if (isa<Float8E4M3FNType>(element))
    return dlc::quantization::FP8Format::E4M3FN;
  if (isa<Float8E5M2Type>(element))
    return dlc::quantization::FP8Format::E5M2;
  return std::nullopt;
}

Type mlir::dlc::storageElementTypeOf(Type type) {
  Type element = elementTypeOf(type);
  if (auto q = dyn_cast<quant::QuantizedType>(element))
    return q.getStorageType();
  return element;
}

dlc::quantization::UniformParams
mlir::dlc::paramsOf(quant::UniformQuantizedType type) {
  dlc::quantization::UniformParams params;
  params.scale = type.getScale();
  params.zeroPoint = type.getZeroPoint();
  params.qmin = type.getStorageTypeMin();
  params.qmax = type.getStorageTypeMax();
  return params;
}

quant::UniformQuantizedType
mlir::dlc::makeInt8Type(MLIRContext *context,
                        const dlc::quantization::UniformParams &params) {
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(context, 8),
      Float32Type::get(context), params.scale, params.zeroPoint, params.qmin,
      params.qmax);
}

bool mlir::dlc::keepsFusedClamps(quant::UniformQuantizedType from,
                                 quant::UniformQuantizedType to) {
  dlc::quantization::UniformParams a = paramsOf(from), b = paramsOf(to);
  bool narrowedTop = from.getStorageTypeMax() <
                     quant::QuantizedType::getDefaultMaximumForInteger(
                         from.isSigned(), from.getStorageTypeIntegralWidth());
  return b.dequantize(b.qmin) >= a.dequantize(a.qmin) &&
         (!narrowedTop || b.dequantize(b.qmax) <= a.dequantize(a.qmax));
}

dlc::quantization::UniformParams mlir::dlc::perTensorParamsOf(Type type) {
  quant::UniformQuantizedType perTensor = getInt8PerTensor(type);
  assert(perTensor && "expected a per-tensor int8 type");
  return paramsOf(perTensor);
}

Int8ChannelParams mlir::dlc::int8ChannelParamsOf(Type type) {
  Int8ChannelParams result;
  if (auto perTensor = getInt8PerTensor(type)) {
    result.params.push_back(paramsOf(perTensor));
    return result;
  }
  auto perAxis = getInt8PerAxis(type);
  assert(perAxis && "expected a per-tensor or per-axis int8 type");
  result.axis = perAxis.getQuantizedDimension();
  for (auto [scale, zero] :
       llvm::zip(perAxis.getScales(), perAxis.getZeroPoints())) {
    dlc::quantization::UniformParams p;
    p.scale = scale;
    p.zeroPoint = zero;
    p.qmin = perAxis.getStorageTypeMin();
    p.qmax = perAxis.getStorageTypeMax();
    result.params.push_back(p);
  }
  return result;
}
