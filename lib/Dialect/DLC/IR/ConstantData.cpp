//===- ConstantData.cpp - read and make f32 weight constants --------------===//

#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace mlir::dlc;

std::optional<std::vector<float>> mlir::dlc::getConstantF32(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<ShapedType>(constant.getType());
  if (!type.getElementType().isF32())
    return std::nullopt;
  Attribute attr = constant.getValue();
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    return std::vector<float>(data->begin(), data->end());
  }
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  return std::nullopt;
}

ConstantOp mlir::dlc::createConstantF32(OpBuilder &builder, Location loc,
                                        ArrayRef<int64_t> shape,
                                        ArrayRef<float> values,
                                        StringRef name) {
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  ElementsAttr attr;
  if (values.size() > 16)
    attr = DenseResourceElementsAttr::get(
        type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  else
    attr = DenseElementsAttr::get(type, values);
  return ConstantOp::create(builder, loc, attr);
}
