//===- CostOpInterface.td - what an op costs ---------------*- tablegen -*-===//

#ifndef DLC_INTERFACES_COSTOPINTERFACE_TD
#define DLC_INTERFACES_COSTOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def DLC_CostOpInterface : OpInterface<"CostOpInterface"> {
  let cppNamespace = "::mlir::dlc";
  let description = [{
    The work an op does and the memory it touches, from its static types:
    multiply-accumulates and FLOPs (a multiply-add counts 2), parameters and
    their bytes in the op's element types, and activation bytes read and
    written (memory-access cost). The cost model turns these into time on a
    target. An op whose cost cannot be known (a dynamic dimension) returns
    failure and is reported as "unknown", never as zero.
  }];
  let methods = [
    InterfaceMethod<
      "The op's cost, or failure when it is unknown.",
      "::mlir::FailureOr<::mlir::dlc::OpCost>", "getCost", (ins)>
  ];
}

#endif // DLC_INTERFACES_COSTOPINTERFACE_TD
