//===- DLCAttrs.td - dlc dialect attributes ----------------*- tablegen -*-===//

#ifndef DLC_DIALECT_DLC_IR_DLCATTRS_TD
#define DLC_DIALECT_DLC_IR_DLCATTRS_TD

include "dlc/Dialect/DLC/IR/DLCEnums.td"

def DLC_PadModeAttr : EnumAttr<DLC_Dialect, DLC_PadMode, "pad_mode"> {
  let assemblyFormat = "`<` $value `>`";
}
def DLC_GeluApproximationAttr
    : EnumAttr<DLC_Dialect, DLC_GeluApproximation, "gelu_approximation"> {
  let assemblyFormat = "`<` $value `>`";
}
def DLC_ResizeModeAttr : EnumAttr<DLC_Dialect, DLC_ResizeMode, "resize_mode"> {
  let assemblyFormat = "`<` $value `>`";
}
def DLC_ResizeCoordinatesAttr
    : EnumAttr<DLC_Dialect, DLC_ResizeCoordinates, "resize_coordinates"> {
  let assemblyFormat = "`<` $value `>`";
}
def DLC_NearestRoundingAttr
    : EnumAttr<DLC_Dialect, DLC_NearestRounding, "nearest_rounding"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // DLC_DIALECT_DLC_IR_DLCATTRS_TD
