//===- DLCBase.td - dlc dialect definition and base classes -*- tablegen -*-===//
//
// The dlc dialect: value-semantic deep-learning ops on ranked tensors, NCHW /
// OIHW like ONNX.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DLC_IR_DLCBASE_TD
#define DLC_DIALECT_DLC_IR_DLCBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def DLC_Dialect : Dialect {
  let name = "dlc";
  let cppNamespace = "::mlir::dlc";
  let summary = "Deep-learning graph dialect of the dlc compiler";
  let description = [{
    The `dlc` dialect models trained networks as they arrive from ONNX or
    PyTorch: value-semantic operations on ranked tensors in NCHW activation
    and OIHW weight layout, with static shapes and an optional dynamic batch
    dimension. Every op infers its result type, so shapes propagate through
    a graph and a mismatch is reported at the op that introduces it.

    Weights are `dlc.constant` ops; large payloads are `dense_resource` blobs
    so that IR stays printable.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  // `dlc.sparsity` on a weight constant: "unstructured", or "2:4" (at most
  // two non-zeros in every four consecutive values of each output row),
  // which the verifier checks.
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    static constexpr ::llvm::StringLiteral kSparsityAttrName = "dlc.sparsity";
  }];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def DLC_FloatTensor : RankedTensorOf<[AnyFloat]>;

// Results admit unranked tensors at the ODS level only so that an op built
// from inconsistent operands (which infers an unranked placeholder) reaches
// its verifier, which names the actual problem; the verifier then requires
// the exact inferred, ranked type.
def DLC_FloatResult : TensorOf<[AnyFloat]>;
def DLC_AnyResult : TensorOf<[AnyType]>;

// Per-tensor `!quant.uniform` values, which pooling keeps in their scale.
def DLC_QuantPerTensor : Type<
    CPred<"::llvm::isa<::mlir::quant::UniformQuantizedType>($_self)">,
    "per-tensor uniform quantized type">;
def DLC_PoolTensor : RankedTensorOf<[AnyFloat, DLC_QuantPerTensor]>;
def DLC_PoolResult : TensorOf<[AnyFloat, DLC_QuantPerTensor]>;

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

class DLC_Op<string mnemonic, list<Trait> traits = []>
    : Op<DLC_Dialect, mnemonic, traits>;

#endif // DLC_DIALECT_DLC_IR_DLCBASE_TD
