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
#include <algorithm>
#include <cstdint>
#include <utility>

namespace mlir::dlc::runtime {

/// The scratch slots of the convolution kernels (and resize's rows).
enum ScratchSlot : int {
  kIm2colColumnsSlot = 0,
  kWinogradInputSlot = 1,
  kWinogradProductSlot = 2,
  kDepthwisePlaneSlot = 3,
  kResizeRowsSlot = 4,
};

/// The output columns [first, last) of a window (kernel, stride, left
/// padding, dilation along the width) whose taps all lie inside a
/// `width`-wide input.
inline std::pair<int64_t, int64_t>
interiorColumns(int64_t kernel, int64_t stride, int64_t padLeft,
                int64_t dilation, int64_t width, int64_t outW) {
  int64_t first = std::min<int64_t>((padLeft + stride - 1) / stride, outW);
  int64_t last = first;
  while (last < outW &&
         last * stride - padLeft + (kernel - 1) * dilation < width)
    ++last;
  return {first, last};
}

/// Whether the executor's depthwise convolution copies each input plane
/// into a zero-padded scratch plane (so that every output column takes its
/// taps as whole-row passes): when padding leaves at least an eighth of
/// the output columns at the border.
inline bool depthwisePadsPlane(int64_t kernel, int64_t stride, int64_t padLeft,
                               int64_t padRight, int64_t dilation,
                               int64_t width, int64_t outW) {
  if (padLeft == 0 && padRight == 0)
    return false;
  auto [first, last] =
      interiorColumns(kernel, stride, padLeft, dilation, width, outW);
  return (outW - (last - first)) * 8 >= outW;
}

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
