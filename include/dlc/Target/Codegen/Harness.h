//===- Harness.h - shared text of generated model runners -------*- C++ -*-===//
//
// The runners the ARM and CUDA backends can emit read fp32 .npy inputs and
// write .npy outputs with the same C helpers; templates spell the model's
// symbols with PREFIX, replaced here.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TARGET_CODEGEN_HARNESS_H
#define DLC_TARGET_CODEGEN_HARNESS_H

#include "llvm/ADT/StringRef.h"
#include <string>

namespace mlir::dlc::codegen {

/// C functions over PREFIX_tensor_desc: fail(), read_npy() (little-endian
/// fp32, C order, the descriptor's shape), write_npy() (<f4 or |i1) and
/// bytes_of().
std::string npyHelpers();

/// `text` with PREFIX spelled as `prefix`, upper-cased where it starts a
/// macro name (PREFIX_OK, PREFIX_NUM_INPUTS, ...).
std::string substitutePrefix(llvm::StringRef text, llvm::StringRef prefix);

} // namespace mlir::dlc::codegen

#endif // DLC_TARGET_CODEGEN_HARNESS_H
