//===- DLCEnums.td - dlc dialect enumerations --------------*- tablegen -*-===//

#ifndef DLC_DIALECT_DLC_IR_DLCENUMS_TD
#define DLC_DIALECT_DLC_IR_DLCENUMS_TD

include "mlir/IR/EnumAttr.td"
include "dlc/Dialect/DLC/IR/DLCBase.td"

def DLC_PadMode : I32EnumAttr<"PadMode", "how dlc.pad fills the border", [
    I32EnumAttrCase<"constant", 0>,
    I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::dlc";
}

def DLC_GeluApproximation
    : I32EnumAttr<"GeluApproximation", "how dlc.gelu evaluates the GELU", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"tanh", 1>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::dlc";
}

#endif // DLC_DIALECT_DLC_IR_DLCENUMS_TD
