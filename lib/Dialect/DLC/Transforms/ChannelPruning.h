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

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include <functional>

namespace mlir::dlc {

enum class ChannelScore { L1, L2, BNGamma };

struct ChannelPruneOptions {
  ChannelScore score = ChannelScore::L1;
  /// Fraction of each group's channels to remove.
  double sparsity = 0.3;
  /// Kept counts are rounded up to this multiple.
  int64_t align = 1;
  int64_t minChannels = 1;
  /// Ops whose output group must stay whole.
  std::function<bool(Operation *)> skipped;
};

struct ChannelPruneSummary {
  int64_t groups = 0, prunedGroups = 0;
  int64_t channelsBefore = 0, channelsAfter = 0;
};

/// Prunes the channels of `func` (whose types are then re-inferred).
FailureOr<ChannelPruneSummary>
pruneChannels(func::FuncOp func, const ChannelPruneOptions &options);

} // namespace mlir::dlc

#endif // DLC_LIB_DIALECT_DLC_TRANSFORMS_CHANNELPRUNING_H
