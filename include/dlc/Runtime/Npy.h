//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes NumPy's .npy format (versions 1 to 3). Reading accepts
// little-endian float32, float64, int64, int32 and uint8/bool arrays in C
// order and converts them to fp32; writing produces float32, or int8 /
// int32 for the executor's quantized tensors.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_NPY_H
#define DLC_RUNTIME_NPY_H

#include "dlc/Runtime/Tensor.h"
#include "llvm/Support/Error.h"

namespace mlir::dlc::runtime {

llvm::Expected<Tensor> readNpy(llvm::StringRef path);
llvm::Expected<Tensor> parseNpy(llvm::StringRef bytes, llvm::StringRef name);

/// Writes atomically: the file appears complete or not at all.
llvm::Error writeNpy(llvm::StringRef path, const Tensor &tensor);

} // namespace mlir::dlc::runtime

#endif // DLC_RUNTIME_NPY_H
