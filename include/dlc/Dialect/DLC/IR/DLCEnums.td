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

def DLC_ResizeMode
    : I32EnumAttr<"ResizeMode", "how dlc.resize interpolates", [
    I32EnumAttrCase<"nearest", 0>,
    I32EnumAttrCase<"linear", 1>,
    I32EnumAttrCase<"cubic", 2>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::dlc";
}

def DLC_ResizeCoordinates : I32EnumAttr<"ResizeCoordinates",
    "where dlc.resize samples the input for an output index", [
    I32EnumAttrCase<"half_pixel", 0>,
    I32EnumAttrCase<"pytorch_half_pixel", 1>,
    I32EnumAttrCase<"align_corners", 2>,
    I32EnumAttrCase<"asymmetric", 3>,
    I32EnumAttrCase<"tf_half_pixel_for_nn", 4>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::dlc";
}

def DLC_NearestRounding : I32EnumAttr<"NearestRounding",
    "how dlc.resize's nearest mode rounds a sampling position", [
    I32EnumAttrCase<"round_prefer_floor", 0>,
    I32EnumAttrCase<"round_prefer_ceil", 1>,
    I32EnumAttrCase<"floor", 2>,
    I32EnumAttrCase<"ceil", 3>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::dlc";
}

#endif // DLC_DIALECT_DLC_IR_DLCENUMS_TD
