//===- Roofline.h - SVG roofline and per-layer time charts ------*- C++ -*-===//

#ifndef DLC_ANALYSIS_ROOFLINE_H
#define DLC_ANALYSIS_ROOFLINE_H

#include "dlc/Analysis/CostModel.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::dlc {

/// Writes a standalone SVG document: a log-log roofline chart of `target`
/// (memory slope and compute ceilings) with each costed layer as a point at
/// its arithmetic intensity and predicted attained throughput, and below it
/// a bar chart of predicted time per layer.
void writeRooflineSVG(llvm::raw_ostream &os, llvm::StringRef title,
                      const NetworkCost &cost, const Target &target);

} // namespace mlir::dlc

#endif // DLC_ANALYSIS_ROOFLINE_H
