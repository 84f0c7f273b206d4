//===- Prune.cpp - weight and channel pruning -----------------------------===//
//
// Implements `dlc-prune`: unstructured magnitude and 2:4 pruning here
// (zeroed weights, marked with dlc.sparsity), structured channel pruning in
// ChannelPruning.cpp, attention head pruning in HeadPruning.cpp; a report
// compares parameters, FLOPs and predicted latency before and after.
//
//===----------------------------------------------------------------------===//

#include "ChannelPruning.h"
#include "CostAtBatch.h"
#include "HeadPruning.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ToolOutputFile.h"
#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlir::dlc {
#define GEN_PASS_DEF_PRUNE
#include "dlc/Dialect/DLC/Transforms/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;

/// Non-zero weights of a layer's constant weight operand.
static int64_t nonZeroWeights(Operation *op) {
  if (op->getNumOperands() < 2)
    return 0;
  std::optional<std::vector<float>> values = getConstantF32(op->getOperand(1));
  if (!values)
    return 0;
  return llvm::count_if(*values, [](float v) { return v != 0.0f; });
}

namespace {
struct PrunePass : public dlc::impl::PruneBase<PrunePass> {
  using PruneBase::PruneBase;
  void runOnOperation() override;

private:
  bool skipped(Operation *op) const {
    return skipNames.contains(op->getName().getStringRef()) ||
           skipNames.contains(layerName(op, positions.lookup(op)));
  }
  /// The conv and linear layers with constant weights, unless skipped.
  SmallVector<Operation *> layers(func::FuncOp func) const {
    SmallVector<Operation *> result;
    for (Operation &op : func.front())
      if (isa<Conv2DOp, LinearOp>(op) && !skipped(&op) &&
          getConstantF32(op.getOperand(1)))
        result.push_back(&op);
    return result;
  }
  void replaceWeight(Operation *op, ArrayRef<float> values, StringRef kind);
  void pruneMagnitude(func::FuncOp func);
  void prune2of4(func::FuncOp func);

  llvm::StringSet<> skipNames;
  /// Each op's position in the body before pruning, for layer names.
  DenseMap<Operation *, unsigned> positions;
};
} // namespace

void PrunePass::replaceWeight(Operation *op, ArrayRef<float> values,
                              StringRef kind) {
  OpBuilder builder(op);
  Value weight = op->getOperand(1);
  auto type = cast<RankedTensorType>(weight.getType());
  ConstantOp constant =
      createConstantF32(builder, weight.getLoc(), type.getShape(), values,
                        "pruned_weight", type.getElementType());
  constant->setAttr(DLCDialect::kSparsityAttrName, builder.getStringAttr(kind));
  op->setOperand(1, constant);
}

void PrunePass::pruneMagnitude(func::FuncOp func) {
  SmallVector<Operation *> targets = layers(func);
  std::optional<float> globalThreshold;
  if (scope == "global") {
    std::vector<float> magnitudes;
    for (Operation *op : targets) {
      std::optional<std::vector<float>> values =
          getConstantF32(op->getOperand(1));
      // A layer capped by max-layer-sparsity offers only its prunable part.
      std::vector<float> layer;
      for (float w : *values)
        layer.push_back(std::fabs(w));
      llvm::sort(layer);
      auto cap = static_cast<size_t>(maxLayerSparsity * layer.size());
      magnitudes.insert(magnitudes.end(), layer.begin(),
                        layer.begin() + std::min(cap, layer.size()));
    }
    // The threshold that removes `sparsity` of all weights.
    size_t total = 0;
    for (Operation *op : targets)
      total += cast<ShapedType>(op->getOperand(1).getType()).getNumElements();
    auto count =
        std::min(static_cast<size_t>(sparsity * total), magnitudes.size());
    if (count > 0) {
      std::nth_element(magnitudes.begin(), magnitudes.begin() + count - 1,
                       magnitudes.end());
      globalThreshold = magnitudes[count - 1];
    }
  }
  for (Operation *op : targets) {
    std::vector<float> values = *getConstantF32(op->getOperand(1));
    if (globalThreshold) {
      // At most max-layer-sparsity of this layer, smallest first.
      std::vector<size_t> order(values.size());
      std::iota(order.begin(), order.end(), 0);
      llvm::sort(order, [&](size_t a, size_t b) {
        float x = std::fabs(values[a]), y = std::fabs(values[b]);
        return x < y || (x == y && a < b);
      });
      auto cap = static_cast<size_t>(maxLayerSparsity * values.size());
      for (size_t i = 0; i < std::min(cap, order.size()) &&
                         std::fabs(values[order[i]]) <= *globalThreshold;
           ++i)
        values[order[i]] = 0.0f;
    } else {
      // Exactly floor(sparsity * n) weights, smallest magnitude first.
      std::vector<size_t> order(values.size());
      std::iota(order.begin(), order.end(), 0);
      auto count = static_cast<size_t>(sparsity * values.size());
      // Ties broken by position, so the result is deterministic.
      llvm::sort(order, [&](size_t a, size_t b) {
        float x = std::fabs(values[a]), y = std::fabs(values[b]);
        return x < y || (x == y && a < b);
      });
      for (size_t i = 0; i < count; ++i)
        values[order[i]] = 0.0f;
    }
    replaceWeight(op, values, "unstructured");
  }
}

void PrunePass::prune2of4(func::FuncOp func) {
  for (Operation *op : layers(func)) {
    auto type = cast<RankedTensorType>(op->getOperand(1).getType());
    int64_t row = type.getNumElements() / type.getDimSize(0);
    if (row % 4 != 0) {
      op->emitRemark("dlc-prune: left dense: rows of ")
          << row << " weights do not split into groups of 4";
      continue;
    }
    std::vector<float> values = *getConstantF32(op->getOperand(1));
    for (size_t g = 0; g < values.size(); g += 4) {
      // Keep the two largest magnitudes of the four.
      std::array<size_t, 4> order = {g, g + 1, g + 2, g + 3};
      llvm::sort(order, [&](size_t a, size_t b) {
        float x = std::fabs(values[a]), y = std::fabs(values[b]);
        return x > y || (x == y && a < b);
      });
      values[order[2]] = values[order[3]] = 0.0f;
    }
    replaceWeight(op, values, "2:4");
  }
}

void PrunePass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal())
    return;
  static const char *kMethods[] = {"magnitude", "2:4",      "l1",
                                   "l2",        "bn-gamma", "heads"};
  if (!llvm::is_contained(kMethods, method)) {
    emitError(func.getLoc(), "unknown method '")
        << method << "' (expected magnitude, 2:4, l1, l2, bn-gamma or heads)";
    return signalPassFailure();
  }
  if (!(sparsity >= 0.0 && sparsity < 1.0)) {
    emitError(func.getLoc(), "sparsity must be in [0, 1), got ")
        << static_cast<double>(sparsity);
    return signalPassFailure();
  }
  bool heads = method == "heads";
  bool structured = method != "magnitude" && method != "2:4" && !heads;
  bool bySensitivity = allocation == "sensitivity";
  if (allocation != "uniform" && !bySensitivity) {
    emitError(func.getLoc(), "unknown allocation '")
        << allocation << "' (expected uniform or sensitivity)";
    return signalPassFailure();
  }
  if (bySensitivity && !heads &&
      (!structured || (flopsTarget <= 0.0 && latencyTarget <= 0.0))) {
    emitError(func.getLoc(),
              "allocation=sensitivity needs a structured method (l1, l2, "
              "bn-gamma) and flops-target or latency-target, or "
              "method=heads");
    return signalPassFailure();
  }
  if (bySensitivity && calibration.empty()) {
    emitError(func.getLoc(), "allocation=sensitivity needs calibration "
                             "inputs (calibration=FILE.npy)");
    return signalPassFailure();
  }
  if (scope != "layer" && scope != "global") {
    emitError(func.getLoc(), "unknown scope '")
        << scope << "' (expected layer or global)";
    return signalPassFailure();
  }
  llvm::Expected<TargetRegistry> registry = TargetRegistry::load(targetFile);
  if (!registry) {
    emitError(func.getLoc(), "dlc-prune: ")
        << llvm::toString(registry.takeError());
    return signalPassFailure();
  }
  const Target *hw = registry->lookup(target);
  if (!hw) {
    emitError(func.getLoc(), "dlc-prune: unknown target '")
        << target << "' (known: " << llvm::join(registry->names(), ", ") << ")";
    return signalPassFailure();
  }
  for (const std::string &name : skip)
    skipNames.insert(name);
  for (auto [position, op] : llvm::enumerate(func.front()))
    positions[&op] = position;

  // Per layer before: parameters (non-zero), output channels, FLOPs.
  struct Before {
    int64_t nonZero = 0, channels = 0, flops = 0;
    double timeUs = 0.0;
  };
  DenseMap<Operation *, OpTime> costs;
  NetworkCost before = costAtBatch(func, *hw, 1, &costs);
  llvm::MapVector<Operation *, Before> layersBefore;
  for (Operation &op : func.front())
    if (isa<Conv2DOp, LinearOp>(op))
      layersBefore[&op] = {
          nonZeroWeights(&op),
          cast<ShapedType>(op.getOperand(1).getType()).getDimSize(0),
          costs.count(&op) ? costs[&op].cost.flops : 0,
          costs.count(&op) ? costs[&op].timeUs : 0.0};

  std::optional<ChannelPruneSummary> summary;
  std::optional<HeadPruneSummary> headSummary;
  if (method == "magnitude" || method == "2:4") {
    if (method == "magnitude")
      pruneMagnitude(func);
    else
      prune2of4(func);
    // The dense weights the pruned ones replaced.
    eraseUnusedConstants(func.front());
  } else {
    ChannelPruneOptions options;
    options.score = method == "l2"         ? ChannelScore::L2
                    : method == "bn-gamma" ? ChannelScore::BNGamma
                                           : ChannelScore::L1;
    options.sparsity = sparsity;
    int64_t alignment = align;
    if (alignment == 0 && !target.empty() && target != "host") {
      auto it = hw->align.find("fp32");
      alignment =
          it != hw->align.end() && hw->isNative("fp32") ? it->second : 1;
    }
    options.align = std::max<int64_t>(alignment, 1);
    options.minChannels = minChannels;
    options.skipped = [this](Operation *op) { return skipped(op); };
    HeadPruneOptions headOptions;
    headOptions.sparsity = sparsity;
    headOptions.skipped = options.skipped;
    // Prunes `f` with `fraction` of each group's channels (each block's
    // heads).
    auto pruneAt = [&](func::FuncOp f, double fraction) -> LogicalResult {
      if (heads) {
        HeadPruneOptions trial = headOptions;
        trial.sparsity = fraction;
        return pruneHeads(f, trial);
      }
      ChannelPruneOptions trial = options;
      trial.sparsity = fraction;
      return pruneChannels(f, trial);
    };
    if (heads) {
      HeadPruneSummary found = surveyHeads(func, headOptions);
      if (found.blocks.empty()) {
        InFlightDiagnostic diag = emitError(
            func.getLoc(), "dlc-prune: method=heads found no attention block "
                           "to prune (projections whose features a reshape "
                           "splits into heads, merged back by a reshape into "
                           "an output projection)");
        for (const HeadPruneSummary::LeftWhole &left : found.leftWhole)
          diag.attachNote(left.at)
              << "an attention block was left whole: " << left.why;
        return signalPassFailure();
      }
    }
    bool byFlops = flopsTarget > 0.0;
    double goal = byFlops ? flopsTarget : latencyTarget;
    auto measure = [&](const NetworkCost &cost) {
      return byFlops ? static_cast<double>(cost.flops) : cost.latencyUs;
    };
    StringRef unit = heads ? "head" : "channel";
    std::vector<CalibrationBatch> batches;
    if (bySensitivity) {
      FailureOr<std::vector<CalibrationBatch>> loaded =
          loadCalibrationInputs(func, calibration, maxSamples);
      if (failed(loaded))
        return signalPassFailure();
      batches = std::move(*loaded);
    }
    if (bySensitivity && heads) {
      // Heads ranked across the network by the noise each adds alone.
      FailureOr<std::vector<std::vector<double>>> scores =
          headSensitivity(func, batches, headOptions);
      if (failed(scores))
        return signalPassFailure();
      headOptions.scores = *scores;
      headOptions.global = true;
    } else if (bySensitivity) {
      FailureOr<std::vector<double>> fractions = allocateBySensitivity(
          func, options, batches,
          [&](func::FuncOp f) { return measure(costAtBatch(f, *hw, 1)); },
          goal);
      if (failed(fractions))
        return signalPassFailure();
      options.componentSparsity = *fractions;
    }
    if ((!bySensitivity || heads) &&
        (flopsTarget > 0.0 || latencyTarget > 0.0)) {
      // Bisect the sparsity on copies: the smallest that reaches the target.
      double base = measure(before);
      auto ratioAt = [&](double trialSparsity) {
        func::FuncOp copy = func.clone();
        double ratio = 1.0;
        if (succeeded(pruneAt(copy, trialSparsity)))
          ratio = measure(costAtBatch(copy, *hw, 1)) / base;
        eraseTrialCopy(copy, func);
        return ratio;
      };
      double lo = 0.0, hi = 0.95;
      if (double most = ratioAt(hi); most > goal) {
        emitError(func.getLoc(), "dlc-prune: the ")
            << (byFlops ? "FLOPs" : "latency") << " target of "
            << llvm::formatv("{0:F2}", goal) << " is out of reach: at " << unit
            << " sparsity " << llvm::formatv("{0:F2}", hi)
            << " the network keeps " << llvm::formatv("{0:F3}", most)
            << " of it";
        return signalPassFailure();
      }
      for (int step = 0; step < 12; ++step) {
        double mid = (lo + hi) / 2.0;
        (ratioAt(mid) <= goal ? hi : lo) = mid;
      }
      options.sparsity = headOptions.sparsity = hi;
      emitRemark(func.getLoc(), "dlc-prune: ")
          << unit << " sparsity " << llvm::formatv("{0:F3}", hi)
          << " reaches the " << (byFlops ? "FLOPs" : "latency") << " target of "
          << llvm::formatv("{0:F2}", goal);
    }
    if (heads) {
      FailureOr<HeadPruneSummary> result = pruneHeads(func, headOptions);
      if (failed(result))
        return signalPassFailure();
      headSummary = *result;
      std::string kept;
      llvm::raw_string_ostream os(kept);
      for (auto [i, block] : llvm::enumerate(headSummary->blocks)) {
        os << (i ? "; " : "")
           << layerName(block.output, positions.lookup(block.output)) << " "
           << block.before << " -> " << block.after << " (";
        llvm::interleaveComma(block.kept, os);
        os << ")";
      }
      emitRemark(func.getLoc(), "dlc-prune: attention heads kept: ") << kept;
      for (const HeadPruneSummary::LeftWhole &left : headSummary->leftWhole) {
        InFlightDiagnostic remark = emitRemark(
            left.output->getLoc(), "dlc-prune: attention block left whole: ");
        remark << left.why;
        remark.attachNote(left.at) << "here";
      }
    } else {
      FailureOr<ChannelPruneSummary> result = pruneChannels(func, options);
      if (failed(result))
        return signalPassFailure();
      summary = *result;
      if (bySensitivity) {
        std::string allocated;
        llvm::raw_string_ostream os(allocated);
        for (auto [i, producer] : llvm::enumerate(summary->componentProducers))
          os << (i ? ", " : "")
             << layerName(producer, positions.lookup(producer)) << " "
             << summary->componentChannels[i].first << " -> "
             << summary->componentChannels[i].second;
        emitRemark(func.getLoc(),
                   "dlc-prune: channels kept per group by sensitivity ")
            << "for the " << (byFlops ? "FLOPs" : "latency") << " target of "
            << llvm::formatv("{0:F2}", goal) << ": " << allocated;
      }
    }
  }
  if (report.empty())
    return;

  costs.clear();
  NetworkCost after = costAtBatch(func, *hw, 1, &costs);
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(report, &error);
  if (!file) {
    emitError(func.getLoc(), "dlc-prune: ") << error;
    return signalPassFailure();
  }
  raw_ostream &os = file->os();
  os << "dlc-prune report: @" << func.getSymName() << ", method " << method
     << ", sparsity " << llvm::formatv("{0:F2}", double(sparsity)) << "\n";
  os << llvm::formatv("{0,-28} {1,-7} {2,13} {3,21} {4,25} {5,19}\n", "layer",
                      "op", "channels", "non-zero weights", "FLOPs",
                      "time (us)");
  for (auto &[op, was] : layersBefore) {
    std::string name = layerName(op, positions.lookup(op));
    int64_t channels =
        cast<ShapedType>(op->getOperand(1).getType()).getDimSize(0);
    int64_t flops = costs.count(op) ? costs[op].cost.flops : 0;
    double timeUs = costs.count(op) ? costs[op].timeUs : 0.0;
    os << llvm::formatv(
        "{0,-28} {1,-7} {2,13} {3,21} {4,25} {5,19}\n", name,
        op->getName().getStringRef().drop_front(4),
        llvm::formatv("{0} -> {1}", was.channels, channels),
        llvm::formatv("{0} -> {1}", was.nonZero, nonZeroWeights(op)),
        llvm::formatv("{0} -> {1}", was.flops, flops),
        llvm::formatv("{0:F2} -> {1:F2}", was.timeUs, timeUs));
  }
  if (summary) {
    os << llvm::formatv("channel groups: {0} pruned of {1}; channels {2} -> "
                        "{3}\n",
                        summary->prunedGroups, summary->groups,
                        summary->channelsBefore, summary->channelsAfter);
    for (auto [producer, channels] :
         llvm::zip(summary->componentProducers, summary->componentChannels))
      os << llvm::formatv("  group of {0}: {1} -> {2} channels\n",
                          layerName(producer, positions.lookup(producer)),
                          channels.first, channels.second);
  }
  if (headSummary)
    for (const AttentionHeads &block : headSummary->blocks) {
      os << llvm::formatv(
          "attention heads of {0}: {1} -> {2} (kept ",
          layerName(block.output, positions.lookup(block.output)), block.before,
          block.after);
      llvm::interleaveComma(block.kept, os);
      os << ")\n";
    }
  auto ratio = [](double a, double b) { return b > 0.0 ? a / b : 0.0; };
  os << llvm::formatv("parameters: {0} -> {1}\n", before.params, after.params);
  os << llvm::formatv("FLOPs: {0} -> {1} ({2:F3} of before)\n", before.flops,
                      after.flops, ratio(after.flops, before.flops));
  os << llvm::formatv("weight bytes: {0} -> {1}; sparsity {2:F3} -> {3:F3}\n",
                      before.totalWeightBytes(), after.totalWeightBytes(),
                      before.sparsity, after.sparsity);
  os << llvm::formatv("predicted latency on {0}: {1:F2} us -> {2:F2} us "
                      "({3:F2}x)\n",
                      hw->name, before.latencyUs, after.latencyUs,
                      ratio(before.latencyUs, after.latencyUs));
  file->keep();
}
