//===- ConstantData.cpp - read and make f32 weight constants --------------===//

#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include <cstring>

using namespace mlir;
using namespace mlir::dlc;

std::optional<std::vector<float>> mlir::dlc::getConstantF32(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<ShapedType>(constant.getType());
  if (!isa<FloatType>(type.getElementType()))
    return std::nullopt;
  Attribute attr = constant.getValue();
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    return std::vector<float>(data->begin(), data->end());
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    // Other float types (f16, bf16, f64): decode each element's bits.
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    auto floatType = cast<FloatType>(type.getElementType());
    unsigned bits = floatType.getWidth();
    if (!blob || bits % 8 != 0 ||
        blob->getData().size() !=
            static_cast<size_t>(type.getNumElements()) * (bits / 8))
      return std::nullopt;
    const char *bytes = blob->getData().data();
    std::vector<float> values;
    values.reserve(type.getNumElements());
    for (int64_t i = 0; i < type.getNumElements(); ++i) {
      uint64_t word = 0;
      std::memcpy(&word, bytes + i * (bits / 8), bits / 8); // little-endian
      APFloat v(floatType.getFloatSemantics(), APInt(bits, word));
      bool lost;
      v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v.convertToFloat());
    }
    return values;
  }
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    std::vector<float> values;
    values.reserve(dense.getNumElements());
    for (APFloat v : dense.getValues<APFloat>()) {
      bool lost;
      v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v.convertToFloat());
    }
    return values;
  }
  return std::nullopt;
}

bool mlir::dlc::hasConstantF32(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return false;
  auto type = cast<ShapedType>(constant.getType());
  auto floatType = dyn_cast<FloatType>(type.getElementType());
  if (!floatType)
    return false;
  Attribute attr = constant.getValue();
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr))
    return resource.tryGetAsArrayRef().has_value();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    unsigned bits = floatType.getWidth();
    return blob && bits % 8 == 0 &&
           blob->getData().size() ==
               static_cast<size_t>(type.getNumElements()) * (bits / 8);
  }
  return isa<DenseFPElementsAttr>(attr);
}

std::optional<ConstantWeights> mlir::dlc::getConstantWeights(Value weight,
                                                             Value bias) {
  std::optional<std::vector<float>> w = getConstantF32(weight);
  if (!w)
    return std::nullopt;
  ConstantWeights result{std::move(*w), std::nullopt};
  if (bias) {
    result.bias = getConstantF32(bias);
    if (!result.bias)
      return std::nullopt;
  }
  return result;
}

ConstantOp mlir::dlc::createConstantF32(OpBuilder &builder, Location loc,
                                        ArrayRef<int64_t> shape,
                                        ArrayRef<float> values, StringRef name,
                                        Type elementType) {
  if (!elementType)
    elementType = builder.getF32Type();
  auto type = RankedTensorType::get(shape, elementType);
  ElementsAttr attr;
  if (elementType.isF32() && values.size() > 16) {
    attr = DenseResourceElementsAttr::get(
        type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  } else if (elementType.isF32()) {
    attr = DenseElementsAttr::get(type, values);
  } else {
    const llvm::fltSemantics &semantics =
        cast<FloatType>(elementType).getFloatSemantics();
    SmallVector<APFloat> rounded;
    for (float v : values) {
      APFloat f(v);
      bool lost;
      f.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
      rounded.push_back(f);
    }
    attr = DenseElementsAttr::get(type, rounded);
  }
  return ConstantOp::create(builder, loc, attr);
}

std::optional<std::vector<char>> mlir::dlc::storedBytes(Attribute value) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements)
    return std::nullopt;
  unsigned bits = elements.getShapedType().getElementTypeBitWidth();
  if (bits % 8 != 0)
    return std::nullopt;
  size_t width = bits / 8;
  auto count = static_cast<size_t>(elements.getNumElements());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != count * width)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    return std::vector<char>(data.begin(), data.end());
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    ArrayRef<char> data = dense.getRawData();
    if (!dense.isSplat())
      return std::vector<char>(data.begin(), data.end());
    std::vector<char> bytes;
    bytes.reserve(count * width);
    for (size_t i = 0; i < count; ++i)
      bytes.insert(bytes.end(), data.begin(), data.begin() + width);
    return bytes;
  }
  return std::nullopt;
}

bool mlir::dlc::isStoredParameter(Value value) {
  if (auto dequantize = value.getDefiningOp<DequantizeOp>())
    return static_cast<bool>(
        dequantize.getInput().getDefiningOp<QConstantOp>());
  return value.getDefiningOp<ConstantOp>() ||
         value.getDefiningOp<QConstantOp>() ||
         value.getDefiningOp<NF4ConstantOp>();
}

int64_t mlir::dlc::storedParameterBytes(Value value) {
  if (auto nf4 = value.getDefiningOp<NF4ConstantOp>())
    return nf4.getStorageBytes();
  if (auto dequantize = value.getDefiningOp<DequantizeOp>())
    value = dequantize.getInput();
  auto type = cast<ShapedType>(value.getType());
  Type element = storageElementTypeOf(type.getElementType());
  if (!type.hasStaticShape() || !element.isIntOrFloat())
    return 0;
  return (type.getNumElements() * element.getIntOrFloatBitWidth() + 7) / 8;
}

ElementsAttr mlir::dlc::createStorageAttr(RankedTensorType type,
                                          ArrayRef<char> bytes,
                                          StringRef name) {
  if (type.getNumElements() > 16)
    return DenseResourceElementsAttr::get(
        type, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 8));
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}

FailureOr<quantization::NF4Weights> mlir::dlc::getNF4Weights(NF4ConstantOp op) {
  auto bytesOf = [&](Attribute attr) -> std::optional<std::vector<char>> {
    std::optional<std::vector<char>> bytes = storedBytes(attr);
    if (!bytes)
      op.emitOpError("has an NF4 payload that holds no data (was it elided?)");
    return bytes;
  };
  quantization::NF4Weights weights;
  weights.numElements = cast<ShapedType>(op.getType()).getNumElements();
  weights.blockSize = static_cast<int64_t>(op.getBlockSize());
  std::optional<std::vector<char>> codes = bytesOf(op.getCodes());
  std::optional<std::vector<char>> scales;
  if (codes)
    scales = bytesOf(op.getScales());
  if (!codes || !scales)
    return failure();
  weights.packedCodes.assign(codes->begin(), codes->end());
  if (std::optional<ElementsAttr> second = op.getScaleScales()) {
    std::optional<std::vector<char>> secondBytes = bytesOf(*second);
    if (!secondBytes)
      return failure();
    weights.scaleCodes.assign(scales->begin(), scales->end());
    weights.scaleScales.resize(second->getNumElements());
    std::memcpy(weights.scaleScales.data(), secondBytes->data(),
                secondBytes->size());
    weights.scaleOffset = op.getScaleOffset()->convertToFloat();
  } else {
    weights.absmax.resize(scales->size() / 4);
    std::memcpy(weights.absmax.data(), scales->data(), scales->size());
  }
  return weights;
}

/// The resource blob `attr` refers to, when it is a dense_resource
/// attribute.
static std::optional<DenseResourceElementsHandle>
resourceHandle(Attribute attr) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return resource.getRawHandle();
  if (auto typed = dyn_cast<DenseF32ResourceElementsAttr>(attr))
    return typed.getRawHandle();
  return std::nullopt;
}

void mlir::dlc::eraseUnusedConstants(Block &block) {
  for (Operation &op :
       llvm::make_early_inc_range(llvm::reverse(block.getOperations())))
    if (isa<ConstantOp>(op) && op.use_empty())
      op.erase();
}

void mlir::dlc::eraseTrialCopy(Operation *copy, Operation *original) {
  Operation *scope = original;
  while (Operation *parent = scope->getParentOp())
    scope = parent;
  llvm::DenseSet<StringRef> kept;
  scope->walk([&](Operation *op) {
    for (NamedAttribute attr : op->getAttrs())
      if (std::optional<DenseResourceElementsHandle> handle =
              resourceHandle(attr.getValue()))
        kept.insert(handle->getKey());
  });
  copy->walk([&](Operation *op) {
    for (NamedAttribute attr : op->getAttrs())
      if (std::optional<DenseResourceElementsHandle> handle =
              resourceHandle(attr.getValue()))
        if (!kept.contains(handle->getKey()))
          handle->getResource()->setBlob(AsmResourceBlob());
  });
  copy->erase();
}
