//===- ImportONNX.h - ONNX model to dlc dialect -----------------*- C++ -*-===//
//
// Imports an ONNX model (protobuf, parsed with libonnx's definitions) into a
// module holding one `func.func @main` of dlc ops. Shape-computing subgraphs
// are folded into static shapes, weights become `dense_resource` blobs that
// take over the parsed bytes without a further copy, and every op is located
// at its ONNX node's name. Problems are reported through the context's
// diagnostic engine, naming the op type and node.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TARGET_ONNX_IMPORTONNX_H
#define DLC_TARGET_ONNX_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/MemoryBuffer.h"

namespace mlir::dlc {

/// Imports the serialized model in `buffer`. External-data tensors are read
/// relative to `modelDir` (normally the model file's directory). Returns null
/// after emitting a diagnostic when the model cannot be imported.
OwningOpRef<ModuleOp> importONNXModel(llvm::MemoryBufferRef buffer,
                                      llvm::StringRef modelDir,
                                      MLIRContext *context);

/// Reads and imports the model file at `path`.
OwningOpRef<ModuleOp> importONNXFile(llvm::StringRef path,
                                     MLIRContext *context);

/// Registers `--import-onnx` with mlir-translate style drivers.
void registerImportONNXTranslation();

} // namespace mlir::dlc

#endif // DLC_TARGET_ONNX_IMPORTONNX_H
