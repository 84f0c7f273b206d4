//===- Printing.h - spelling kernel programs in C and CUDA C++ --*- C++ -*-===//
//
// What the ARM (C) and CUDA (C++) printers share: argument and call
// syntax, tensor descriptors, and the weight file with its check.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TARGET_CODEGEN_PRINTING_H
#define DLC_TARGET_CODEGEN_PRINTING_H

#include "dlc/Target/Codegen/KernelProgram.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::dlc::codegen {

/// The 8-byte magic at the start of a weight file.
constexpr char kWeightMagic[] = "DLCWGT01";

/// FNV-1a of the weight blob.
uint64_t weightHash(const KernelProgram &program);

/// The weight file: a 64-byte header (magic, size, FNV-1a checksum) and
/// the blob.
std::string weightFile(const KernelProgram &program);

std::string printFloat(float value);
std::string printInt(int64_t value);

/// C passes aggregates and arrays as compound literals; C++ (CUDA) has
/// none, so each call gets a block with named constants.
enum class CallStyle { C, CXX };

/// One kernel call with its comment, indented for a function body.
void printCall(llvm::raw_ostream &os, const KernelCall &call, CallStyle style);

/// `static const P_tensor_desc P_<which>_descs[]` for `tensors`.
void printDescs(llvm::raw_ostream &os, llvm::StringRef prefix,
                llvm::StringRef which, const std::vector<TensorDesc> &tensors);

/// `static int P_check(const uint8_t *file, size_t size)`: the magic, size
/// and checksum of a weight file (P_OK or P_ERROR_WEIGHTS), and the
/// P_WEIGHT_BYTES / P_WEIGHT_HASH macros it compares with.
void printWeightCheck(llvm::raw_ostream &os, llvm::StringRef prefix,
                      const KernelProgram &program);

} // namespace mlir::dlc::codegen

#endif // DLC_TARGET_CODEGEN_PRINTING_H
