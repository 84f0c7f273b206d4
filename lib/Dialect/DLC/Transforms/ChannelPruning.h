//===- ChannelPruning.h - structured channel pruning ------------*- C++ -*-===//
//
// Removes whole channels from a function's IR. A dependency analysis ties
// the channels that must be kept or removed together, across channel-wise
// ops, residual adds, concats, channel slices and shuffles (see
// ChannelPruning.cpp); each tied class is scored and cut as one.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_DIALECT_DLC_TRANSFORMS_CHANNELPRUNING_H
#define DLC_LIB_DIALECT_DLC_TRANSFORMS_CHANNELPRUNING_H

#include "dlc/Dialect/DLC/Transforms/Calibration.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include <functional>

namespace mlir::dlc {

enum class ChannelScore { L1, L2, BNGamma };

struct ChannelPruneOptions {
  ChannelScore score = ChannelScore::L1;
  /// Fraction of each group's channels to remove.
  double sparsity = 0.3;
  /// Per coupled component, in the order pruneChannels finds them (the
  /// order of ChannelPruneSummary::componentProducers), the fraction to
  /// remove instead of `sparsity`; empty: `sparsity` for every component.
  std::vector<double> componentSparsity;
  /// Kept counts are rounded up to this multiple.
  int64_t align = 1;
  int64_t minChannels = 1;
  /// Ops whose output group must stay whole.
  std::function<bool(Operation *)> skipped;
};

struct ChannelPruneSummary {
  int64_t groups = 0, prunedGroups = 0;
  int64_t channelsBefore = 0, channelsAfter = 0;
  /// Per coupled component with prunable channels (`groups` of them): the
  /// first conv or linear layer that produces its channels, and the
  /// channels it had and keeps.
  std::vector<Operation *> componentProducers;
  std::vector<std::pair<int64_t, int64_t>> componentChannels;
};

/// `values` of a tensor laid out [rows, cols, inner] (row-major), with only
/// the rows `keepRows` and the columns `keepCols` kept (each column `inner`
/// consecutive values).
std::vector<float> keepRowsAndColumns(ArrayRef<float> values, int64_t cols,
                                      int64_t inner, ArrayRef<int64_t> keepRows,
                                      ArrayRef<int64_t> keepCols);

/// Prunes the channels of `func` (whose types are then re-inferred).
FailureOr<ChannelPruneSummary>
pruneChannels(func::FuncOp func, const ChannelPruneOptions &options);

/// Sensitivity-driven allocation (PruneAllocation.cpp): the fraction of
/// each component's channels to remove (a multiple of `step`, at most
/// `maxSparsity`) so that `measure` of the pruned function (its FLOPs or
/// latency) falls to `goal` times that of `func`, taking first the steps
/// that add the least output noise on `batches` per unit saved.
FailureOr<std::vector<double>>
allocateBySensitivity(func::FuncOp func, const ChannelPruneOptions &options,
                      ArrayRef<CalibrationBatch> batches,
                      llvm::function_ref<double(func::FuncOp)> measure,
                      double goal, double step = 0.1, double maxSparsity = 0.9);

} // namespace mlir::dlc

#endif // DLC_LIB_DIALECT_DLC_TRANSFORMS_CHANNELPRUNING_H
