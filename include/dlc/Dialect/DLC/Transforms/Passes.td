//===- Passes.td - dlc dialect passes ----------------------*- tablegen -*-===//

#ifndef DLC_DIALECT_DLC_TRANSFORMS_PASSES_TD
#define DLC_DIALECT_DLC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def InferShapes : Pass<"dlc-infer-shapes", "::mlir::ModuleOp"> {
  let summary = "Propagate shapes through dlc ops, optionally fixing the batch";
  let description = [{
    Recomputes the result type of every op that infers its types, in program
    order, and updates each function's result types to match what it
    returns. With `batch=N`, a dynamic leading (batch) dimension of each
    function argument first becomes `N`, so a dynamic-batch network is
    specialized to a static one (what the cost model and the backends want
    for a fixed deployment batch).

    Numerics: the computation is unchanged; only types are refined. A shape
    conflict discovered on the way is reported at the op that causes it and
    the pass fails. A function called from elsewhere in the module cannot
    be given a static batch (its call sites would disagree): the pass
    reports it and fails without rewriting anything.

    Example: `dlc-opt --dlc-infer-shapes=batch=8 model.mlir`.
  }];
  let options = [
    Option<"batch", "batch", "int64_t", /*default=*/"0",
           "Static size for dynamic batch dimensions of function arguments "
           "(0 keeps them dynamic)">
  ];
}

#endif // DLC_DIALECT_DLC_TRANSFORMS_PASSES_TD
