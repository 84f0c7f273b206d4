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

#include "llvm/ADT/ArrayRef.h"
#include <cstdint>
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
/// One byte per weight (fp8 codes), panel layout of packPanelsF32.
std::vector<uint8_t> packPanelsBytes(llvm::ArrayRef<uint8_t> codes,
                                     PanelShape shape);
/// NF4 codes (one per weight, 0..15) as nibbles: a panel step's 8 rows in
/// 4 bytes, even rows in the high nibble.
std::vector<uint8_t> packPanelsNF4(llvm::ArrayRef<uint8_t> codes,
                                   PanelShape shape);

} // namespace mlir::dlc::codegen

#endif // DLC_LIB_TARGET_CODEGEN_WEIGHTPACKING_H
