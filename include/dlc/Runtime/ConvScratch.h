//===- ConvScratch.h - convolution kernels and their scratch ----*- C++ -*-===//
//
//
// Which kernel the reference executor runs a convolution with, and the
// per-thread scratch areas (kernels::scratchBuffer slots) each touches.
// Header-only, from shapes alone: the executor's kernels choose by it and
// the cost model's cache replay (lib/Analysis/CacheReuse.cpp) follows it.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_CONVSCRATCH_H
#define DLC_RUNTIME_CONVSCRATCH_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include <cstdint>

namespace mlir::dlc::runtime {

/// The scratch slots of the convolution kernels.
enum ScratchSlot : int {
  kIm2colColumnsSlot = 0,
  kWinogradInputSlot = 1,
  kWinogradProductSlot = 2,
};

/// Whether the executor computes a convolution with a constant weight of
/// `weightShape` (OIHW) as Winograd F(2x2, 3x3): 3x3, stride 1, undilated,
/// ungrouped, at least 8 channels in and out.
inline bool winogradApplies(llvm::ArrayRef<int64_t> weightShape,
                            llvm::ArrayRef<int64_t> strides,
                            llvm::ArrayRef<int64_t> dilations, int64_t groups) {
  return groups == 1 && weightShape[2] == 3 && weightShape[3] == 3 &&
         strides[0] == 1 && strides[1] == 1 && dilations[0] == 1 &&
         dilations[1] == 1 && weightShape[0] >= 8 && weightShape[1] >= 8;
}

/// Winograd F(2x2, 3x3)'s output tiles for an outH x outW output.
inline int64_t winogradTiles(int64_t outH, int64_t outW) {
  return (outH + 1) / 2 * ((outW + 1) / 2);
}

/// Whether a window multiplies the input as it is (1x1, stride 1, no
/// padding), without im2col columns.
inline bool isPointwiseWindow(int64_t kernelH, int64_t kernelW,
                              llvm::ArrayRef<int64_t> strides,
                              llvm::ArrayRef<int64_t> pads) {
  return kernelH == 1 && kernelW == 1 && strides[0] == 1 && strides[1] == 1 &&
         llvm::all_of(pads, [](int64_t p) { return p == 0; });
}

} // namespace mlir::dlc::runtime

#endif // DLC_RUNTIME_CONVSCRATCH_H
