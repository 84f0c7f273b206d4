//===- WeightPacking.h - weights in the layouts the kernels read -*- C++
//-*-===//
//
// Emit-time packing for the GEMM kernels of lib/Target/ARM/Kernels: rows
// (output channels) in panels of 8, stored reduction-step-major; int8 in
// groups of 4 steps for SDOT; NF4 as nibbles, fp8 as codes.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_TARGET_CODEGEN_WEIGHTPACKING_H
#define DLC_LIB_TARGET_CODEGEN_WEIGHTPACKING_H

#include "dlc/Target/Codegen/KernelProgram.h"
#include "llvm/ADT/ArrayRef.h"
#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::dlc::codegen {

/// Rows and columns of one GEMM operand of `groups` groups of `rows` rows
/// each (row-major source: group g's row r starts at ((g*rows)+r)*k).
struct PanelShape {
  int64_t groups = 1, rows = 0, k = 0;
};

constexpr int64_t kPanelRows = 8;

std::vector<float> packPanelsF32(llvm::ArrayRef<float> weights,
                                 PanelShape shape);
/// int8: panels of 8 rows by groups of 4 steps (K padded with zeros).
std::vector<int8_t> packPanelsS8(llvm::ArrayRef<int8_t> weights,
                                 PanelShape shape);
/// One byte per weight (fp8 codes): the panel layout of packPanelsF32
/// (`stepGroup` 1, the ARM kernels'), or of packPanelsS8 (4, the CUDA
/// tensor-core kernels', whose operand registers hold 4 steps of a row).
std::vector<uint8_t> packPanelsBytes(llvm::ArrayRef<uint8_t> codes,
                                     PanelShape shape, int64_t stepGroup = 1);
/// fp32 weights rounded to nearest even to `format` (as __float2half_rn /
/// __float2bfloat16_rn), in panels of 8 rows by pairs of steps (K padded
/// with zeros): a row's two steps are one 32-bit mma.sync operand
/// register, the lower step in the low half.
std::vector<uint16_t> packPanelsHalf(llvm::ArrayRef<float> weights,
                                     PanelShape shape, HalfFormat format);
/// `values` rounded to nearest even to `format`, in the same order (the
/// 2:4 kernel's kept values: a group's two are one operand register).
std::vector<uint16_t> roundToHalf(llvm::ArrayRef<float> values,
                                  HalfFormat format);
/// NF4 codes (one per weight, 0..15) as nibbles, in the panel layout of
/// `stepGroup` steps, two slots per byte, the first in the high nibble:
/// with 1, a panel step's 8 rows in 4 bytes (the ARM kernels' and CUDA's
/// fp32 layout); with 8, a row's 8 consecutive steps in one 32-bit word
/// (the CUDA tensor cores', copied as they are into shared memory: byte t
/// of a word holds steps 2t, high nibble, and 2t + 1).
std::vector<uint8_t> packPanelsNF4(llvm::ArrayRef<uint8_t> codes,
                                   PanelShape shape, int64_t stepGroup = 1);

/// Rows whose every 4 consecutive steps hold at most 2 non-zero weights
/// (2:4 structured sparsity, dlc-prune method=2:4), compressed for sparse
/// tensor cores (mma.sp): per row, the 2 kept values of each group of 4
/// steps (K padded with zero groups to a multiple of the kernel's chunk:
/// 32 steps for fp16 / bf16, 64 for int8 and fp8) and a 4-bit selector per
/// group, the two kept steps' indices in increasing order (bits 1:0 the
/// first, 3:2 the second; groups without 2 non-zeros keep their zeros at
/// the lowest free indices). Byte j of a row's metadata holds groups 2j
/// (low nibble) and 2j+1.
template <typename T> struct Sparse24Rows {
  int64_t paddedK = 0;
  std::vector<T> values;         // rows x paddedK/2
  std::vector<uint8_t> metadata; // rows x paddedK/8
};
constexpr int64_t kSparse24StepChunk = 32;
constexpr int64_t kSparse24ByteStepChunk = 64;
/// The compressed form of the `rows` x `k` row-major `weights`, or nothing
/// when some group of 4 steps has more than 2 non-zeros (or k % 4 != 0).
std::optional<Sparse24Rows<float>>
compressSparse24(llvm::ArrayRef<float> weights, int64_t rows, int64_t k);
/// The same for int8 weights (mma.sp m16n8k64), K padded to 64 steps.
std::optional<Sparse24Rows<int8_t>>
compressSparse24(llvm::ArrayRef<int8_t> weights, int64_t rows, int64_t k);
/// The same for fp8 codes (both +0 and -0 are zeros), K padded to 64.
std::optional<Sparse24Rows<uint8_t>>
compressSparse24FP8(llvm::ArrayRef<uint8_t> codes, int64_t rows, int64_t k);

} // namespace mlir::dlc::codegen

#endif // DLC_LIB_TARGET_CODEGEN_WEIGHTPACKING_H
