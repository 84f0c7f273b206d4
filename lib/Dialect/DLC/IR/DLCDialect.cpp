//===- DLCDialect.cpp - dlc dialect registration --------------------------===//

#include "dlc/Dialect/DLC/IR/DLCDialect.h"
#include "ShapeInference.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
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

Operation *DLCDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
