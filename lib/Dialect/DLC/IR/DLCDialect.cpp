//===- DLCDialect.cpp - dlc dialect registration --------------------------===//

#include "dlc/Dialect/DLC/IR/DLCDialect.h"
#include "ShapeInference.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dlc;

#include "dlc/Dialect/DLC/IR/DLCDialect.cpp.inc"
#include "dlc/Dialect/DLC/IR/DLCEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dlc/Dialect/DLC/IR/DLCAttrs.cpp.inc"

#define GET_OP_CLASSES
#include "dlc/Dialect/DLC/IR/DLCOps.cpp.inc"

void DLCDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dlc/Dialect/DLC/IR/DLCAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dlc/Dialect/DLC/IR/DLCOps.cpp.inc"
      >();
}

LogicalResult DLCDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attribute) {
  if (attribute.getName() != kSparsityAttrName)
    return op->emitError("unknown dlc attribute '")
           << attribute.getName().getValue() << "'";
  auto kind = dyn_cast<StringAttr>(attribute.getValue());
  if (!kind || (kind.getValue() != "unstructured" && kind.getValue() != "2:4"))
    return op->emitError("expects dlc.sparsity to be \"unstructured\" or "
                         "\"2:4\"");
  if (!isa<ConstantOp, QConstantOp>(op))
    return op->emitError("expects dlc.sparsity on a dlc.constant or "
                         "dlc.qconstant weight");
  if (kind.getValue() != "2:4")
    return success();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (type.getRank() < 2)
    return op->emitError("expects a 2:4 weight of rank >= 2 (rows x ...)");
  int64_t row = type.getNumElements() / type.getDimSize(0);
  if (row % 4 != 0)
    return op->emitError("expects 2:4 rows whose length (")
           << row << ") is a multiple of 4";
  // Zeros are zero in any storage: f32 values, int8 codes, fp8 codes (0x00
  // and 0x80 are the zeros of both fp8 formats).
  std::optional<std::vector<float>> values;
  if (auto constant = dyn_cast<ConstantOp>(op)) {
    values = getConstantF32(constant);
  } else if (auto stored = storedBytes(cast<QConstantOp>(op).getValue())) {
    if (storageElementTypeOf(type.getElementType()).getIntOrFloatBitWidth() ==
        8) {
      bool fp8 = getFP8Format(type).has_value();
      values.emplace();
      for (char byte : *stored) {
        bool zero = fp8 ? (byte & 0x7f) == 0 : byte == 0;
        values->push_back(zero ? 0.0f : 1.0f);
      }
    }
  }
  if (!values)
    return success(); // elided payload or wide storage: nothing to check
  for (size_t group = 0; group < values->size() / 4; ++group) {
    int nonZero = 0;
    for (size_t i = 0; i < 4; ++i)
      nonZero += (*values)[group * 4 + i] != 0.0f;
    if (nonZero > 2)
      return op->emitError("is marked 2:4 but values ")
             << group * 4 << ".." << group * 4 + 3 << " hold " << nonZero
             << " non-zeros";
  }
  return success();
}

Operation *DLCDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
