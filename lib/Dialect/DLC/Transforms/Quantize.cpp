//===- Quantize.cpp - post-training quantization pass ---------------------===//
//
// Implements `dlc-quantize`: calibrates activation ranges with the
// executor, picks the layers to quantize (all but the skip list, or for
// precision=auto the set the error budget allows), rewrites them
// (Quantizer.cpp) and reports what the quantization cost in accuracy and
// gained in size and predicted latency.
//
//===----------------------------------------------------------------------===//

#include "CostAtBatch.h"
#include "Quantizer.h"
#include "dlc/Analysis/CostModel.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "dlc/Dialect/DLC/Transforms/Calibration.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "dlc/Runtime/Executor.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ToolOutputFile.h"
#include <cmath>

namespace mlir::dlc {
#define GEN_PASS_DEF_QUANTIZE
#include "dlc/Dialect/DLC/Transforms/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;
namespace q = mlir::dlc::quantization;
using runtime::Tensor;

namespace {
/// What the fp32 function computes on one batch: every f32 value.
using ValueTensors = DenseMap<Value, Tensor>;

FailureOr<ValueTensors> runAndCapture(func::FuncOp func,
                                      const CalibrationBatch &batch,
                                      std::vector<Tensor> *outputs = nullptr) {
  FailureOr<runtime::Executor> executor = runtime::Executor::create(func);
  if (failed(executor))
    return failure();
  ValueTensors values;
  llvm::Expected<std::vector<Tensor>> results =
      executor->run(batch, [&](Value value, const Tensor &tensor) {
        if (tensor.kind() == runtime::ElementKind::F32)
          values[value] = tensor;
      });
  if (!results)
    return emitError(func.getLoc(), "executing the function failed: ")
           << llvm::toString(results.takeError());
  if (outputs)
    *outputs = std::move(*results);
  return values;
}

std::string formatDb(std::optional<double> db) {
  if (!db)
    return "-";
  if (std::isinf(*db))
    return *db > 0 ? "exact" : "-inf";
  return llvm::formatv("{0:F2} dB", *db).str();
}

struct QuantizePass : public dlc::impl::QuantizeBase<QuantizePass> {
  using QuantizeBase::QuantizeBase;

  void runOnOperation() override;

private:
  LogicalResult parseOptions(func::FuncOp func);
  bool skipped(Operation *op, unsigned index) const {
    return skipNames.contains(op->getName().getStringRef()) ||
           skipNames.contains(layerName(op, index));
  }
  /// Quantizes a copy of the function (at the reference batch size) with
  /// the layers `select` picks and returns its output SQNR against fp32 on
  /// the reference batch; with `timing`, also the predicted latencies.
  /// Predicted latency of the whole network at batch 1, fp32 and with the
  /// trial's layers quantized.
  struct TrialTiming {
    double networkFp32Us = 0.0, networkQuantizedUs = 0.0;
  };
  FailureOr<double> trial(func::FuncOp func,
                          llvm::function_ref<bool(unsigned)> select,
                          TrialTiming *timing = nullptr);
  FailureOr<std::vector<bool>> chooseMixedPrecision(func::FuncOp func,
                                                    raw_ostream *log);

  QuantizerOptions options;
  bool autoPrecision = false;
  const Target *hw = nullptr;
  std::optional<TargetRegistry> registry;
  llvm::StringSet<> skipNames;
  DenseMap<Value, q::RangeObserver> ranges;
  std::vector<CalibrationBatch> batches;
  std::vector<Tensor> referenceOutputs;
  /// Per-layer results of the sensitivity analysis, in layer order.
  std::vector<std::pair<std::string, double>> sensitivities;
};
} // namespace

LogicalResult QuantizePass::parseOptions(func::FuncOp func) {
  autoPrecision = precision == "auto";
  std::optional<Precision> kind =
      autoPrecision ? Precision::Int8 : parsePrecision(precision);
  if (!kind)
    return emitError(func.getLoc(), "unknown precision '")
           << precision
           << "' (expected int8, w8a8, w8a16, fp8-e4m3, fp8-e5m2, nf4, w4a16, "
              "auto)";
  std::optional<q::CalibrationMethod> calibrationMethod =
      q::parseCalibrationMethod(method);
  if (!calibrationMethod)
    return emitError(func.getLoc(), "unknown calibration-method '")
           << method << "' (expected minmax, percentile, entropy or mse)";
  if (granularity != "per-channel" && granularity != "per-tensor" &&
      granularity != "per-block")
    return emitError(func.getLoc(), "unknown granularity '")
           << granularity
           << "' (expected per-channel, per-tensor or per-block)";
  if (granularity == "per-block" && *kind != Precision::W8A16 &&
      *kind != Precision::NF4)
    return emitError(func.getLoc(), "granularity=per-block needs a "
                                    "weight-only precision (w8a16 or nf4): "
                                    "int8 and fp8 products factor one weight "
                                    "scale per output channel out of the sum");
  if (blockSize < 1 || !(percentile > 0.0 && percentile <= 100.0))
    return emitError(func.getLoc(),
                     "block-size must be positive and percentile in (0, 100]");
  llvm::Expected<TargetRegistry> loaded = TargetRegistry::load(targetFile);
  if (!loaded)
    return emitError(func.getLoc(), "dlc-quantize: ")
           << llvm::toString(loaded.takeError());
  registry = std::move(*loaded);
  hw = registry->lookup(target);
  if (!hw)
    return emitError(func.getLoc(), "dlc-quantize: unknown target '")
           << target << "' (known: " << llvm::join(registry->names(), ", ")
           << ")";
  options.precision = *kind;
  options.method = *calibrationMethod;
  options.percentile = percentile;
  options.symmetric = symmetric;
  options.perChannel = granularity == "per-channel";
  options.perBlock = granularity == "per-block";
  options.blockSize = blockSize;
  options.doubleQuant = doubleQuant;
  for (const std::string &name : skip)
    skipNames.insert(name);
  return success();
}

FailureOr<double> QuantizePass::trial(func::FuncOp func,
                                      llvm::function_ref<bool(unsigned)> select,
                                      TrialTiming *timing) {
  IRMapping mapping;
  func::FuncOp copy = func.clone(mapping);
  llvm::scope_exit cleanup([&] { eraseTrialCopy(copy, func); });
  DenseMap<Value, q::RangeObserver> copyRanges;
  for (const auto &[value, range] : ranges)
    if (Value mapped = mapping.lookupOrNull(value))
      copyRanges[mapped] = range;
  if (timing)
    timing->networkFp32Us = costAtBatch(copy, *hw, 1).latencyUs;
  if (failed(quantizeFunction(
          copy, options, std::move(copyRanges),
          [&](Operation *, unsigned index) { return select(index); }, nullptr,
          nullptr)))
    return failure();
  removeDeadConversions(copy);
  if (timing)
    timing->networkQuantizedUs = costAtBatch(copy, *hw, 1).latencyUs;
  if (failed(inferFunctionShapes(copy, batches.front().front().dim(0))))
    return failure();
  std::vector<Tensor> outputs;
  if (failed(runAndCapture(copy, batches.front(), &outputs)))
    return failure();
  return outputSqnr(referenceOutputs, outputs);
}

FailureOr<std::vector<bool>>
QuantizePass::chooseMixedPrecision(func::FuncOp func, raw_ostream *log) {
  // The candidates and, for each, the output noise it causes alone and the
  // time int8 saves on it.
  struct Candidate {
    unsigned index;
    std::string name;
    double noise = 0.0;
    double savingUs = 0.0;
  };
  std::vector<Candidate> candidates;
  unsigned index = 0, position = 0;
  for (Operation &op : func.front()) {
    if (isQuantizableLayer(&op, options.precision)) {
      unsigned layer = index++;
      if (!skipped(&op, position)) {
        Candidate c{layer, layerName(&op, position)};
        TrialTiming timing;
        FailureOr<double> sqnr =
            trial(func, [&](unsigned i) { return i == layer; }, &timing);
        if (failed(sqnr))
          return failure();
        sensitivities.emplace_back(c.name, *sqnr);
        c.noise = std::pow(10.0, -*sqnr / 10.0);
        // What quantizing this layer alone saves, conversions at its edges
        // included (they vanish between int8 neighbours, so this is a
        // lower bound); no gain counts as a tiny one, so that the noisiest
        // of those layers go first.
        c.savingUs =
            std::max(timing.networkFp32Us - timing.networkQuantizedUs, 1e-3);
        candidates.push_back(c);
      }
    }
    ++position;
  }
  std::vector<bool> selected(index, false);
  for (const Candidate &c : candidates)
    selected[c.index] = true;
  if (!autoPrecision)
    return selected;
  // Where int8 does not make the network faster at all, fp32 is the
  // cheapest assignment that meets any budget.
  TrialTiming all;
  FailureOr<double> allSqnr =
      trial(func, [&](unsigned i) { return selected[i]; }, &all);
  if (failed(allSqnr))
    return failure();
  auto noGain = [&](const TrialTiming &timing) {
    if (log)
      *log << llvm::formatv("mixed precision: 0 of {0} layers in int8: the "
                            "int8 assignment predicts {1:F2} us against "
                            "fp32's {2:F2} us on {3}\n",
                            candidates.size(), timing.networkQuantizedUs,
                            timing.networkFp32Us, hw->name);
    return std::vector<bool>(index, false);
  };
  if (all.networkQuantizedUs >= all.networkFp32Us)
    return noGain(all);
  // Return layers to fp32, worst noise per microsecond saved first, until
  // the output meets the budget.
  llvm::sort(candidates, [](const Candidate &a, const Candidate &b) {
    return a.noise / a.savingUs > b.noise / b.savingUs;
  });
  // Phase 1: return layers to fp32 until the budget holds.
  TrialTiming timing;
  double sqnr = *allSqnr;
  timing = all;
  std::vector<size_t> removed;
  for (size_t next = 0; sqnr < errorBudget && next < candidates.size();
       ++next) {
    selected[candidates[next].index] = false;
    removed.push_back(next);
    FailureOr<double> trialSqnr =
        trial(func, [&](unsigned i) { return selected[i]; }, &timing);
    if (failed(trialSqnr))
      return failure();
    sqnr = *trialSqnr;
  }
  // Phase 2: the greedy order may have returned more than needed; put back
  // every layer (most useful first) that keeps the budget and makes the
  // network faster.
  for (size_t r : llvm::reverse(removed)) {
    selected[candidates[r].index] = true;
    TrialTiming again;
    FailureOr<double> trialSqnr =
        trial(func, [&](unsigned i) { return selected[i]; }, &again);
    if (failed(trialSqnr))
      return failure();
    if (*trialSqnr >= errorBudget &&
        again.networkQuantizedUs < timing.networkQuantizedUs) {
      sqnr = *trialSqnr;
      timing = again;
    } else {
      selected[candidates[r].index] = false;
    }
  }
  // A mix that is no faster than fp32 is not worth its error.
  if (timing.networkQuantizedUs >= timing.networkFp32Us)
    return noGain(timing);
  if (log) {
    std::vector<std::string> kept;
    for (const Candidate &c : candidates)
      if (!selected[c.index])
        kept.push_back(c.name);
    *log << llvm::formatv("mixed precision: {0} of {1} layers in int8, "
                          "output SQNR {2} (budget {3:F2} dB)",
                          candidates.size() - kept.size(), candidates.size(),
                          formatDb(sqnr), double(errorBudget));
    if (!kept.empty())
      *log << "; kept in fp32: " << llvm::join(kept, ", ");
    *log << "\n";
  }
  return selected;
}

void QuantizePass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal() || failed(parseOptions(func)))
    return func.isExternal() ? void() : signalPassFailure();
  bool needsActivations = options.precision == Precision::Int8 ||
                          options.precision == Precision::FP8E4M3 ||
                          options.precision == Precision::FP8E5M2;
  bool needsReference = !report.empty() || sensitivity || autoPrecision;
  if (needsActivations && calibration.empty()) {
    emitError(func.getLoc(), "precision=")
        << precision
        << " quantizes activations and needs calibration inputs "
           "(calibration=FILE.npy or a directory of .npy files)";
    return signalPassFailure();
  }
  if ((sensitivity || autoPrecision) && calibration.empty()) {
    emitError(func.getLoc(), "sensitivity analysis and precision=auto need "
                             "calibration inputs (calibration=...)");
    return signalPassFailure();
  }
  if (!calibration.empty()) {
    FailureOr<std::vector<CalibrationBatch>> inputs =
        loadCalibrationInputs(func, calibration, maxSamples);
    if (failed(inputs))
      return signalPassFailure();
    batches = std::move(*inputs);
  }
  if (needsActivations) {
    FailureOr<DenseMap<Value, q::RangeObserver>> observed =
        observeRanges(func, batches, progress);
    if (failed(observed))
      return signalPassFailure();
    ranges = std::move(*observed);
  }

  // fp32 references on the first batch: every value, and the outputs.
  ValueTensors reference;
  if (needsReference && !batches.empty()) {
    FailureOr<ValueTensors> captured =
        runAndCapture(func, batches.front(), &referenceOutputs);
    if (failed(captured))
      return signalPassFailure();
    reference = std::move(*captured);
  }
  NetworkCost before;
  if (!report.empty())
    before = costAtBatch(func, *hw, 1);

  std::string log;
  llvm::raw_string_ostream logStream(log);
  std::vector<bool> selected;
  if (sensitivity || autoPrecision) {
    FailureOr<std::vector<bool>> chosen =
        chooseMixedPrecision(func, &logStream);
    if (failed(chosen))
      return signalPassFailure();
    selected = std::move(*chosen);
  }
  std::vector<QuantizedLayer> layers;
  unsigned position = 0;
  DenseMap<Operation *, unsigned> positions;
  for (Operation &op : func.front())
    positions[&op] = position++;
  if (failed(quantizeFunction(
          func, options, std::move(ranges),
          [&](Operation *op, unsigned index) {
            if (!selected.empty())
              return static_cast<bool>(selected[index]);
            return !skipped(op, positions.lookup(op));
          },
          reference.empty() ? nullptr : &reference, &layers)))
    return signalPassFailure();
  if (report.empty())
    return removeDeadConversions(func);

  // The quantized function's values on the same batch (the layers' outputs
  // in fp32 still exist as dequantize ops that nothing reads).
  ValueTensors quantized;
  std::vector<Tensor> quantizedOutputs;
  if (!batches.empty()) {
    FailureOr<ValueTensors> captured =
        runAndCapture(func, batches.front(), &quantizedOutputs);
    if (failed(captured))
      return signalPassFailure();
    quantized = std::move(*captured);
  }
  // Per layer: output SQNR overall and of its worst channel (axis 1).
  std::vector<std::pair<std::optional<double>, std::optional<double>>>
      outputDbs;
  for (const QuantizedLayer &layer : layers) {
    auto want = reference.find(layer.output);
    auto got = quantized.find(layer.output);
    if (!layer.output || want == reference.end() || got == quantized.end()) {
      outputDbs.emplace_back();
      continue;
    }
    const Tensor &ref = want->second;
    int64_t channels = ref.rank() >= 2 ? ref.dim(1) : 1;
    int64_t outer = ref.rank() >= 1 ? ref.dim(0) : 1;
    int64_t inner = ref.numElements() / std::max<int64_t>(outer * channels, 1);
    outputDbs.emplace_back(q::sqnrDecibels(ref.values(), got->second.values()),
                           q::worstChannelSqnr(ref.values(),
                                               got->second.values(), outer,
                                               channels, inner));
  }
  removeDeadConversions(func);
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(report, &error);
  if (!file) {
    emitError(func.getLoc(), "dlc-quantize: ") << error;
    return signalPassFailure();
  }
  raw_ostream &os = file->os();
  os << "dlc-quantize report: @" << func.getSymName() << ", precision "
     << precision;
  if (needsActivations)
    os << ", " << method << " calibration on " << batches.size()
       << " batch(es)";
  os << "\n";
  os << "SQNR against fp32; 'worst' is the worst output channel's\n";
  os << llvm::formatv("{0,-32} {1,-10} {2,11} {3,11} {4,11} {5,11}\n", "layer",
                      "op", "weights", "worst", "output", "worst");
  for (auto [layer, outputDb] : llvm::zip(layers, outputDbs))
    os << llvm::formatv("{0,-32} {1,-10} {2,11} {3,11} {4,11} {5,11}\n",
                        layer.name, StringRef(layer.opName).drop_front(4),
                        formatDb(layer.weightSqnr),
                        formatDb(layer.worstChannelWeightSqnr),
                        formatDb(outputDb.first), formatDb(outputDb.second));
  if (!sensitivities.empty()) {
    os << "sensitivity (output SQNR with only this layer quantized, most "
          "sensitive first):\n";
    auto ranked = sensitivities;
    // Ties (equal SQNR) keep layer order.
    llvm::sort(ranked, [](const auto &a, const auto &b) {
      return a.second < b.second || (a.second == b.second && a.first < b.first);
    });
    for (const auto &[name, db] : ranked)
      os << llvm::formatv("  {0,-32} {1,14}\n", name, formatDb(db));
  }
  os << log;
  if (!referenceOutputs.empty())
    os << "network output SQNR: "
       << formatDb(outputSqnr(referenceOutputs, quantizedOutputs)) << "\n";
  NetworkCost after = costAtBatch(func, *hw, 1);
  // Bits per stored weight, with its scales (fp32 each, as a backend keeps
  // them; int32 biases are not weights).
  int64_t quantBytes = 0, quantValues = 0;
  for (Operation &op : func.front()) {
    if (auto weight = dyn_cast<NF4ConstantOp>(op)) {
      quantBytes += weight.getStorageBytes();
      quantValues += cast<ShapedType>(weight.getType()).getNumElements();
    } else if (auto constant = dyn_cast<QConstantOp>(op)) {
      auto type = cast<ShapedType>(constant.getType());
      Type element = type.getElementType();
      if (element.isInteger(32))
        continue;
      int64_t scales = 1;
      if (auto perAxis = getInt8PerAxis(element))
        scales = perAxis.getScales().size();
      else if (auto blocks = getInt8SubChannel(element))
        scales = blocks.getScales().getNumElements();
      else if (getFP8Format(element))
        scales = 0; // counted with the op's weight_scales below
      quantBytes += type.getNumElements() + 4 * scales;
      quantValues += type.getNumElements();
    } else if (auto conv = dyn_cast<QConv2DOp>(op)) {
      if (std::optional<ArrayRef<double>> scales = conv.getWeightScales())
        quantBytes += 4 * scales->size();
    } else if (auto linear = dyn_cast<QLinearOp>(op)) {
      if (std::optional<ArrayRef<double>> scales = linear.getWeightScales())
        quantBytes += 4 * scales->size();
    }
  }
  int64_t sizeBefore = before.totalWeightBytes();
  int64_t sizeAfter = after.totalWeightBytes();
  os << llvm::formatv("model size: {0} B -> {1} B ({2:F2}x smaller)\n",
                      sizeBefore, sizeAfter,
                      sizeAfter ? double(sizeBefore) / sizeAfter : 0.0);
  if (quantValues)
    os << llvm::formatv("quantized weights: {0} values at {1:F3} bits each "
                        "(scales included)\n",
                        quantValues, 8.0 * quantBytes / quantValues);
  os << llvm::formatv("predicted latency on {0}: {1:F2} us -> {2:F2} us "
                      "({3:F2}x)\n",
                      hw->name, before.latencyUs, after.latencyUs,
                      after.latencyUs > 0 ? before.latencyUs / after.latencyUs
                                          : 0.0);
  file->keep();
}
