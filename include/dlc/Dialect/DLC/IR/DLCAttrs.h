//===- DLCAttrs.h - dlc dialect attributes and enums ------------*- C++ -*-===//

#ifndef DLC_DIALECT_DLC_IR_DLCATTRS_H
#define DLC_DIALECT_DLC_IR_DLCATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "dlc/Dialect/DLC/IR/DLCEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dlc/Dialect/DLC/IR/DLCAttrs.h.inc"

#endif // DLC_DIALECT_DLC_IR_DLCATTRS_H
