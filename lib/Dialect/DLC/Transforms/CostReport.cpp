//===- CostReport.cpp - per-layer cost report -----------------------------===//
//
// Implements `dlc-cost-report`: an analysis that prints; the IR is unchanged
// (a dynamic batch is fixed on a copy of each function).
//
//===----------------------------------------------------------------------===//

#include "dlc/Analysis/CostModel.h"
#include "dlc/Analysis/Roofline.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/Transforms/Passes.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#define DEBUG_TYPE "dlc-cost-report"

namespace mlir::dlc {
#define GEN_PASS_DEF_COSTREPORT
#include "dlc/Dialect/DLC/Transforms/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;

/// How a layer's time is bounded, for the report.
static StringRef boundOf(const LayerCost &layer) {
  if (layer.fused)
    return "fused";
  if (layer.cost && layer.cost->flops == 0 && layer.cost->totalBytes() == 0)
    return "view";
  return layer.memoryBound ? "memory" : "compute";
}

/// "1,792" style: exact and readable.
static std::string withCommas(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

/// "236.03M" style for large counts.
static std::string scaled(double value) {
  const char *units[] = {"", "K", "M", "G", "T"};
  int unit = 0;
  while (std::abs(value) >= 1000 && unit < 4) {
    value /= 1000;
    ++unit;
  }
  return llvm::formatv("{0:F2}{1}", value, units[unit]).str();
}

static std::string shapeOf(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  auto type = cast<ShapedType>(op->getResult(0).getType());
  llvm::interleave(
      type.getShape(), os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      "x");
  return text;
}

static StringRef shortName(Operation *op) {
  return op->getName().getStringRef().drop_front(
      op->getName().getDialectNamespace().size() + 1);
}

namespace {
struct CostReportPass : dlc::impl::CostReportBase<CostReportPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (format != "table" && format != "json" && format != "csv" &&
        format != "svg") {
      module.emitError() << "dlc-cost-report: format must be table, json, "
                            "csv or svg, got '"
                         << format << "'";
      return signalPassFailure();
    }
    llvm::Expected<TargetRegistry> registry = TargetRegistry::load(targetFile);
    if (!registry) {
      module.emitError() << "dlc-cost-report: "
                         << llvm::toString(registry.takeError());
      return signalPassFailure();
    }
    const Target *hw = registry->lookup(target);
    if (!hw) {
      module.emitError() << "dlc-cost-report: unknown target '" << target
                         << "' (known: " << llvm::join(registry->names(), ", ")
                         << ")";
      return signalPassFailure();
    }
    std::string error;
    auto file = openOutputFile(output, &error);
    if (!file) {
      module.emitError() << "dlc-cost-report: " << error;
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> funcs;
    for (func::FuncOp func : module.getOps<func::FuncOp>())
      if (!func.isExternal() &&
          (function.empty() || func.getSymName() == function))
        funcs.push_back(func);
    if (funcs.empty() || (format == "svg" && funcs.size() != 1)) {
      module.emitError() << "dlc-cost-report: "
                         << (funcs.empty() ? "no function to report"
                                           : "format=svg draws one function; "
                                             "choose it with function=NAME");
      return signalPassFailure();
    }
    llvm::json::Array functions;
    // Costed copies of the functions; layers point into them.
    std::vector<OwningOpRef<ModuleOp>> copies;
    for (func::FuncOp func : funcs) {
      FailureOr<NetworkCost> cost = costAt(func, *hw, batch, copies);
      if (failed(cost))
        return signalPassFailure();
      std::vector<std::pair<int64_t, double>> sweep;
      for (int64_t b : batches) {
        FailureOr<NetworkCost> swept = costAt(func, *hw, b, copies);
        if (failed(swept))
          return signalPassFailure();
        sweep.emplace_back(b, swept->latencyUs);
      }
      if (format == "json")
        functions.push_back(toJSON(func, *hw, *cost, sweep));
      else if (format == "csv")
        printCSV(file->os(), func, *cost);
      else if (format == "svg")
        writeRooflineSVG(file->os(),
                         ("@" + func.getSymName() + " on " + hw->name +
                          ", batch " + std::to_string(cost->batch))
                             .str(),
                         *cost, *hw);
      else
        printTable(file->os(), func, *hw, *cost, sweep);
    }
    if (format == "json")
      file->os() << llvm::formatv("{0:2}",
                                  llvm::json::Value(std::move(functions)))
                 << "\n";
    file->keep();
    markAllAnalysesPreserved();
  }

  /// Costs a copy of `func` with its dynamic batch set to `size`.
  FailureOr<NetworkCost> costAt(func::FuncOp func, const Target &hw,
                                int64_t size,
                                std::vector<OwningOpRef<ModuleOp>> &copies) {
    OpBuilder builder(func.getContext());
    OwningOpRef<ModuleOp> scratch = ModuleOp::create(func.getLoc());
    builder.setInsertionPointToEnd(scratch->getBody());
    auto copy = cast<func::FuncOp>(builder.clone(*func));
    if (failed(inferFunctionShapes(copy, size)))
      return failure();
    NetworkCost cost = costNetwork(copy, hw, fuse);
    cost.batch = size;
    copies.push_back(std::move(scratch));
    return cost;
  }

  void printTable(raw_ostream &os, func::FuncOp func, const Target &hw,
                  const NetworkCost &cost,
                  ArrayRef<std::pair<int64_t, double>> sweep) {
    os << "dlc cost report: @" << func.getSymName() << " on " << hw.name << " ("
       << hw.description << "), batch " << cost.batch << "\n";
    os << llvm::formatv("{0,-32} {1,-16} {2,-18} {3,10} {4,12} {5,10} {6,7} "
                        "{7,-7} {8,10} {9,6}\n",
                        "layer", "op", "output", "FLOPs", "params", "bytes",
                        "AI", "bound", "time(us)", "share");
    for (const LayerCost &layer : cost.layers) {
      if (!layer.cost) {
        os << llvm::formatv("{0,-32} {1,-16} {2,-18} unknown\n", layer.name,
                            shortName(layer.op), shapeOf(layer.op));
        continue;
      }
      const OpCost &c = *layer.cost;
      os << llvm::formatv(
          "{0,-32} {1,-16} {2,-18} {3,10} {4,12} {5,10} {6,7:F1} {7,-7} "
          "{8,10:F2} {9,5:F1}%\n",
          layer.name, shortName(layer.op), shapeOf(layer.op), scaled(c.flops),
          withCommas(c.params), scaled(c.totalBytes()), c.intensity(),
          boundOf(layer), layer.timeUs,
          cost.latencyUs > 0 ? 100.0 * layer.timeUs / cost.latencyUs : 0.0);
    }
    int64_t weights = cost.totalWeightBytes();
    os << "total: " << withCommas(cost.macs) << " MACs, "
       << withCommas(cost.flops) << " FLOPs, " << withCommas(cost.params)
       << " parameters\n";
    os << "weights:";
    for (const auto &[type, bytes] : cost.weightBytes)
      os << " " << type << " " << withCommas(bytes) << " B";
    os << "; peak activations " << withCommas(cost.peakActivationBytes)
       << " B\n";
    os << llvm::formatv(
        "latency: {0:F2} us, throughput {1:F1} samples/s\n", cost.latencyUs,
        cost.latencyUs > 0 ? cost.batch * 1e6 / cost.latencyUs : 0.0);
    for (const auto &[b, us] : sweep)
      os << llvm::formatv("batch {0}: latency {1:F2} us, throughput {2:F1} "
                          "samples/s\n",
                          b, us, us > 0 ? b * 1e6 / us : 0.0);
    os << llvm::formatv("compression: model size {0} B, {1:F2}x smaller than "
                        "fp32, sparsity {2:F2}%\n",
                        withCommas(weights),
                        weights ? 4.0 * cost.params / weights : 1.0,
                        100.0 * cost.sparsity);
    os << "unknown ops: " << cost.unknownOps << "\n";
  }

  void printCSV(raw_ostream &os, func::FuncOp func, const NetworkCost &cost) {
    os << "function,layer,op,output,macs,flops,exact_flops,params,"
          "weight_bytes,bytes_read,bytes_written,intensity,bound,time_us\n";
    for (const LayerCost &layer : cost.layers) {
      os << func.getSymName() << ",\"" << layer.name << "\","
         << shortName(layer.op) << "," << shapeOf(layer.op) << ",";
      if (!layer.cost) {
        os << "unknown,unknown,unknown,unknown,unknown,unknown,unknown,"
              "unknown,unknown,unknown\n";
        continue;
      }
      const OpCost &c = *layer.cost;
      os << c.macs << "," << c.flops << "," << c.exactFlops << "," << c.params
         << "," << c.weightBytes << "," << c.bytesRead << "," << c.bytesWritten
         << "," << llvm::formatv("{0:F3}", c.intensity()) << ","
         << boundOf(layer) << "," << llvm::formatv("{0:F4}", layer.timeUs)
         << "\n";
    }
  }

  llvm::json::Value toJSON(func::FuncOp func, const Target &hw,
                           const NetworkCost &cost,
                           ArrayRef<std::pair<int64_t, double>> sweep) {
    llvm::json::Array layers;
    for (const LayerCost &layer : cost.layers) {
      llvm::json::Object entry{{"name", layer.name},
                               {"op", shortName(layer.op)},
                               {"output", shapeOf(layer.op)}};
      if (!layer.cost) {
        entry["cost"] = "unknown";
      } else {
        const OpCost &c = *layer.cost;
        entry["macs"] = c.macs;
        entry["flops"] = c.flops;
        entry["exact_flops"] = c.exactFlops;
        entry["params"] = c.params;
        entry["weight_bytes"] = c.weightBytes;
        entry["bytes_read"] = c.bytesRead;
        entry["bytes_written"] = c.bytesWritten;
        entry["intensity"] = c.intensity();
        entry["bound"] = boundOf(layer);
        entry["compute_us"] = layer.computeUs;
        entry["memory_us"] = layer.memoryUs;
        entry["time_us"] = layer.timeUs;
        if (layer.coldBytes)
          entry["cold_bytes"] = layer.coldBytes;
      }
      layers.push_back(std::move(entry));
    }
    llvm::json::Object weights;
    for (const auto &[type, bytes] : cost.weightBytes)
      weights[type] = bytes;
    llvm::json::Array batchSweep;
    for (const auto &[b, us] : sweep)
      batchSweep.push_back(llvm::json::Object{
          {"batch", b},
          {"latency_us", us},
          {"throughput_per_s", us > 0 ? b * 1e6 / us : 0.0}});
    int64_t weightTotal = cost.totalWeightBytes();
    return llvm::json::Object{
        {"function", func.getSymName()},
        {"target", hw.name},
        {"batch", cost.batch},
        {"layers", std::move(layers)},
        {"macs", cost.macs},
        {"flops", cost.flops},
        {"params", cost.params},
        {"weight_bytes", std::move(weights)},
        {"peak_activation_bytes", cost.peakActivationBytes},
        {"latency_us", cost.latencyUs},
        {"throughput_per_s",
         cost.latencyUs > 0 ? cost.batch * 1e6 / cost.latencyUs : 0.0},
        {"batches", std::move(batchSweep)},
        {"model_size_bytes", weightTotal},
        {"compression_ratio",
         weightTotal ? 4.0 * cost.params / weightTotal : 1.0},
        {"sparsity", cost.sparsity},
        {"unknown_ops", cost.unknownOps}};
  }
};
} // namespace
