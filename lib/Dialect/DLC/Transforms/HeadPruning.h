//===- HeadPruning.h - attention head pruning -------------------*- C++ -*-===//
//
// Removes whole attention heads: the query, key and value projections' rows
// of a head, the output projection's columns that read it, and the head
// from every reshape between them (see HeadPruning.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_DIALECT_DLC_TRANSFORMS_HEADPRUNING_H
#define DLC_LIB_DIALECT_DLC_TRANSFORMS_HEADPRUNING_H

#include "dlc/Dialect/DLC/Transforms/Calibration.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"
#include <functional>
#include <string>
#include <vector>

namespace mlir::dlc {

struct HeadPruneOptions {
  /// Fraction of each attention block's heads (of all heads, with
  /// `global`) to remove, rounded down.
  double sparsity = 0.5;
  int64_t minHeads = 1;
  /// Output projections whose block must stay whole.
  std::function<bool(Operation *)> skipped;
  /// Per attention block (in op order) and head, what to rank the heads by
  /// (the highest stay longest); empty: the L1 norm of each head's
  /// projection rows and output-projection columns.
  std::vector<std::vector<double>> scores;
  /// Rank the heads of all blocks together instead of block by block.
  bool global = false;
};

/// One attention block: its output projection, its heads before and after,
/// and the heads kept (in their original numbering).
struct AttentionHeads {
  Operation *output = nullptr;
  int64_t before = 0, after = 0;
  llvm::SmallVector<int64_t> kept;
};

struct HeadPruneSummary {
  std::vector<AttentionHeads> blocks;
  /// Blocks that could not be followed: the output projection, the op
  /// where the walk stopped, and why.
  struct LeftWhole {
    Operation *output;
    Location at;
    std::string why;
  };
  std::vector<LeftWhole> leftWhole;
};

/// Prunes the heads of every attention block of `func` it can follow (whose
/// types are then re-inferred); `blocks` is empty when it finds none.
FailureOr<HeadPruneSummary> pruneHeads(func::FuncOp func,
                                       const HeadPruneOptions &options);

/// The attention blocks pruneHeads would find in `func` (none pruned) and
/// those it would leave whole; `func` is not changed.
HeadPruneSummary surveyHeads(func::FuncOp func,
                             const HeadPruneOptions &options);

/// Per attention block and head (as HeadPruneOptions::scores): the output
/// noise over signal on `batches` when that head alone is removed (its
/// output-projection columns zeroed; each head one run of a copy).
FailureOr<std::vector<std::vector<double>>>
headSensitivity(func::FuncOp func, ArrayRef<CalibrationBatch> batches,
                const HeadPruneOptions &options);

} // namespace mlir::dlc

#endif // DLC_LIB_DIALECT_DLC_TRANSFORMS_HEADPRUNING_H
