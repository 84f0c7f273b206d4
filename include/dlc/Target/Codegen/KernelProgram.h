//===- KernelProgram.h - the C backends' kernel-level form ------*- C++ -*-===//
//
// What the ARM and CUDA backends lower a function to before printing: buffers
// (function inputs and outputs, offsets into the caller's workspace or the
// packed-weight blob) and an ordered list of kernel calls whose arguments
// are typed values (buffers, integers, floats, aggregates of them). Every
// decision (which kernel, which fusion, which tiling, which weight layout,
// where each tensor lives) is made by the lowering; the printer only
// spells the program in C or CUDA.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TARGET_CODEGEN_KERNELPROGRAM_H
#define DLC_TARGET_CODEGEN_KERNELPROGRAM_H

#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace mlir::dlc::codegen {

enum class Backend {
  /// AArch64 C: serial kernels take no execution context; GEMMs and
  /// depthwise convolutions take the thread pool and per-thread scratch,
  /// and are blocked for the CPU's caches.
  ARM,
  /// CUDA: every kernel launches on the context's stream; block tiles are
  /// the library's.
  CUDA,
};

/// Element types the kernels read and write.
enum class ElemType { F32, S8, U8, S32, U16 };

/// The 16-bit float formats of tensor-core operands.
enum class HalfFormat { F16, BF16 };

const char *cTypeName(ElemType type);
int64_t byteWidth(ElemType type);

/// Where a buffer lives: a function input or output (by position), an
/// offset into the workspace, or an offset into the weight blob.
struct BufferRef {
  enum class Storage { Input, Output, Workspace, Weights } storage;
  int64_t indexOrOffset = 0;
  ElemType type = ElemType::F32;
};

struct Arg;
/// A C aggregate (`type` names the struct), passed by value or by address.
struct Aggregate {
  std::string type;
  bool byAddress = true;
  std::vector<Arg> fields;
};
/// A constant array of integers (`elementType` int64_t or int32_t).
struct IntArray {
  std::string elementType;
  std::vector<int64_t> values;
};
/// A named constant of the kernel library (an enumerator such as DLC_GELU
/// in lib/Target/Codegen/Kernels/shared.h), printed by name.
struct Constant {
  std::string name;
};
struct NullArg {};
/// The call's execution context (thread pool and per-thread scratch).
struct ExecArg {};

struct Arg {
  std::variant<NullArg, ExecArg, BufferRef, int64_t, float, Aggregate, IntArray,
               Constant>
      value;
  Arg() = default;
  Arg(ExecArg e) : value(e) {}
  Arg(BufferRef b) : value(b) {}
  Arg(int64_t i) : value(i) {}
  Arg(int i) : value(static_cast<int64_t>(i)) {}
  Arg(float f) : value(f) {}
  Arg(Aggregate a) : value(std::move(a)) {}
  Arg(IntArray a) : value(std::move(a)) {}
  Arg(Constant c) : value(std::move(c)) {}
};

/// One call of a kernel of the library (lib/Target/ARM/Kernels).
struct KernelCall {
  std::string kernel;
  std::vector<Arg> args;
  /// What the call computes, for the reader of the C (ops and location).
  std::string comment;
};

struct TensorDesc {
  std::string name;
  ElemType type = ElemType::F32;
  llvm::SmallVector<int64_t> shape;
  int64_t bytes() const;
};

struct KernelProgram {
  std::vector<TensorDesc> inputs, outputs;
  std::vector<KernelCall> calls;
  /// Packed weights, biases and requantization parameters (64-byte
  /// aligned entries).
  std::vector<char> weights;
  /// The workspace: planned tensors in [0, scratchOffset), then one
  /// scratch area of scratchPerThread bytes per thread.
  int64_t scratchOffset = 0, scratchPerThread = 0;
  /// The -march the code needs (from the target description).
  std::string march;
  std::string targetName;

  /// Appends `bytes` to the weight blob (64-byte aligned) and returns a
  /// reference of `type` to them.
  BufferRef addWeights(const void *bytes, int64_t size, ElemType type);
};

} // namespace mlir::dlc::codegen

#endif // DLC_TARGET_CODEGEN_KERNELPROGRAM_H
