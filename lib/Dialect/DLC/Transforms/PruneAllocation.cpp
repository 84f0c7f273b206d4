//===- PruneAllocation.cpp - per-group channel sparsity -------------------===//
//
// Sensitivity-driven allocation for structured pruning: how much of each
// coupled channel component to remove so that the network reaches a FLOPs
// or latency target with the least damage to its output. Each component
// is pruned alone at every level of a grid on a copy, run by the reference
// executor on calibration inputs (the output noise it adds) and costed
// (what it saves); then, starting from nothing pruned, the step that adds
// the least noise per unit saved is taken until the target holds, the
// noises of the components taken as additive (NetAdapt / AMC-style
// allocation without the fine-tuning).
//
//===----------------------------------------------------------------------===//

#include "ChannelPruning.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FormatVariadic.h"
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::dlc;
using runtime::Tensor;

FailureOr<std::vector<double>> mlir::dlc::allocateBySensitivity(
    func::FuncOp func, const ChannelPruneOptions &options,
    ArrayRef<CalibrationBatch> batches,
    llvm::function_ref<double(func::FuncOp)> measure, double goal, double step,
    double maxSparsity) {
  FailureOr<std::vector<Tensor>> reference =
      runCalibrationBatches(func, batches);
  if (failed(reference))
    return failure();
  // Prunes a copy with `fractions` per component: its measure, and with
  // `noise` the output noise it adds (over the signal).
  auto trial = [&](ArrayRef<double> fractions,
                   double *noise) -> FailureOr<double> {
    func::FuncOp copy = func.clone();
    llvm::scope_exit erase([&] { eraseTrialCopy(copy, func); });
    ChannelPruneOptions trialOptions = options;
    trialOptions.componentSparsity.assign(fractions.begin(), fractions.end());
    if (failed(pruneChannels(copy, trialOptions)))
      return failure();
    if (noise) {
      FailureOr<std::vector<Tensor>> outputs =
          runCalibrationBatches(copy, batches);
      if (failed(outputs))
        return failure();
      // Noise over signal, linear, so that the groups' noises add.
      *noise = std::pow(10.0, -outputSqnr(*reference, *outputs) / 10.0);
    }
    return measure(copy);
  };

  ChannelPruneOptions none = options;
  none.sparsity = 0.0;
  none.componentSparsity.clear();
  func::FuncOp probe = func.clone();
  FailureOr<ChannelPruneSummary> summary = pruneChannels(probe, none);
  eraseTrialCopy(probe, func);
  if (failed(summary))
    return failure();
  auto components = static_cast<size_t>(summary->groups);
  int levels = static_cast<int>(std::floor(maxSparsity / step + 1e-9));
  double base = measure(func);
  // Each component alone at each level: [component][level] (level 0:
  // unpruned).
  std::vector<std::vector<double>> noise(components,
                                         std::vector<double>(levels + 1, 0.0));
  std::vector<std::vector<double>> alone(components,
                                         std::vector<double>(levels + 1, base));
  for (size_t k = 0; k < components; ++k)
    for (int l = 1; l <= levels; ++l) {
      std::vector<double> fractions(components, 0.0);
      fractions[k] = l * step;
      FailureOr<double> cost = trial(fractions, &noise[k][l]);
      if (failed(cost))
        return failure();
      alone[k][l] = *cost;
    }

  // Greedy: the cheapest noise per unit saved first.
  std::vector<int> level(components, 0);
  std::vector<double> fractions(components, 0.0);
  double current = base;
  while (current > goal * base) {
    std::optional<size_t> best;
    int bestLevel = 0;
    double bestRate = std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < components; ++k) {
      // The next level that saves anything (alignment rounding can make a
      // step save nothing).
      int next = level[k] + 1;
      while (next <= levels && alone[k][next] >= alone[k][level[k]])
        ++next;
      if (next > levels)
        continue;
      double saved = alone[k][level[k]] - alone[k][next];
      double added = std::max(0.0, noise[k][next] - noise[k][level[k]]);
      double rate = added / saved;
      if (!best || rate < bestRate) {
        best = k;
        bestLevel = next;
        bestRate = rate;
      }
    }
    if (!best)
      return emitError(func.getLoc(), "dlc-prune: sensitivity allocation "
                                      "cannot reach the target with at most ")
             << llvm::formatv("{0:F2}", maxSparsity)
             << " of each channel group removed";
    level[*best] = bestLevel;
    fractions[*best] = bestLevel * step;
    FailureOr<double> cost = trial(fractions, nullptr);
    if (failed(cost))
      return failure();
    current = *cost;
  }
  // The last step can overshoot: take back, one level at a time, the steps
  // the target does without, the noisiest first.
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<size_t> order;
    for (size_t k = 0; k < components; ++k)
      if (level[k] > 0)
        order.push_back(k);
    auto added = [&](size_t k) {
      return noise[k][level[k]] - noise[k][level[k] - 1];
    };
    llvm::sort(order, [&](size_t x, size_t y) {
      return added(x) > added(y) || (added(x) == added(y) && x < y);
    });
    for (size_t k : order) {
      std::vector<double> fewer = fractions;
      fewer[k] = (level[k] - 1) * step;
      FailureOr<double> cost = trial(fewer, nullptr);
      if (failed(cost))
        return failure();
      if (*cost <= goal * base) {
        --level[k];
        fractions = std::move(fewer);
        changed = true;
        break;
      }
    }
  }
  return fractions;
}
