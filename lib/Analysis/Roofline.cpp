//===- Roofline.cpp - SVG roofline and per-layer time charts --------------===//

#include "dlc/Analysis/Roofline.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::dlc;

/// Escapes text for SVG content and attributes.
static std::string escape(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

namespace {
/// A log10 axis mapping [lo, hi] onto pixel range [from, to].
struct LogAxis {
  double lo, hi, from, to;
  double operator()(double v) const {
    double t = (std::log10(std::max(v, lo)) - std::log10(lo)) /
               (std::log10(hi) - std::log10(lo));
    return from + t * (to - from);
  }
};
} // namespace

static std::string powerLabel(double value, llvm::StringRef unit) {
  return llvm::formatv("{0}{1}", value, unit).str();
}

void mlir::dlc::writeRooflineSVG(llvm::raw_ostream &os, llvm::StringRef title,
                                 const NetworkCost &cost,
                                 const Target &target) {
  const double width = 900, plotLeft = 90, plotRight = 860, plotTop = 60,
               plotBottom = 460;
  // Fused layers run inside their producer: no point or bar of their own.
  // Data movement takes time (a bar) but does no arithmetic (no point).
  std::vector<const LayerCost *> layers, bars;
  for (const LayerCost &layer : cost.layers) {
    if (!layer.cost || layer.fused || layer.timeUs <= 0)
      continue;
    bars.push_back(&layer);
    if (layer.cost->flops > 0 && layer.cost->totalBytes() > 0)
      layers.push_back(&layer);
  }
  const double barTop = plotBottom + 90, barHeight = 14;
  const double height =
      barTop + barHeight * std::max<size_t>(bars.size(), 1) + 40;

  double peak = 0;
  for (const auto &entry : target.peakTflops)
    if (!llvm::StringRef(entry.getKey()).ends_with("_sparse"))
      peak = std::max(peak, target.peakFlops(entry.getKey()));
  double bandwidth = target.memoryGBps * 1e9;
  // Decades that hold the ridge points and every layer.
  double loAI = 1e-2, hiAI = 1e4;
  double hiPerf = std::pow(10, std::ceil(std::log10(peak)));
  double loPerf = hiPerf / 1e6;
  LogAxis x{loAI, hiAI, plotLeft, plotRight};
  LogAxis y{loPerf, hiPerf, plotBottom, plotTop};

  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
                      "height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                      "font-family=\"sans-serif\" font-size=\"12\">\n",
                      width, height);
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << llvm::formatv("<text x=\"{0}\" y=\"30\" font-size=\"16\" "
                      "font-weight=\"bold\">{1}</text>\n",
                      plotLeft, escape(title));

  // Grid and tick labels, one per decade.
  for (double v = loAI; v <= hiAI * 1.001; v *= 10) {
    os << llvm::formatv(
        "<line x1=\"{0:F1}\" y1=\"{1}\" x2=\"{0:F1}\" y2=\"{2}\" "
        "stroke=\"#ddd\"/>\n",
        x(v), plotTop, plotBottom);
    os << llvm::formatv("<text x=\"{0:F1}\" y=\"{1}\" text-anchor=\"middle\">"
                        "{2}</text>\n",
                        x(v), plotBottom + 18, powerLabel(v, ""));
  }
  for (double v = loPerf; v <= hiPerf * 1.001; v *= 10) {
    os << llvm::formatv(
        "<line x1=\"{0}\" y1=\"{1:F1}\" x2=\"{2}\" y2=\"{1:F1}\" "
        "stroke=\"#ddd\"/>\n",
        plotLeft, y(v), plotRight);
    os << llvm::formatv("<text x=\"{0}\" y=\"{1:F1}\" text-anchor=\"end\">"
                        "{2:E0}</text>\n",
                        plotLeft - 6, y(v) + 4, v);
  }
  os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{3}\" "
                      "fill=\"none\" stroke=\"black\"/>\n",
                      plotLeft, plotTop, plotRight - plotLeft,
                      plotBottom - plotTop);
  os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">"
                      "arithmetic intensity (FLOP/byte)</text>\n",
                      (plotLeft + plotRight) / 2, plotBottom + 40);
  os << llvm::formatv("<text x=\"20\" y=\"{0}\" text-anchor=\"middle\" "
                      "transform=\"rotate(-90 20 {0})\">attained "
                      "throughput (FLOP/s)</text>\n",
                      (plotTop + plotBottom) / 2);

  // Roofs: the memory slope, then one ceiling per element type.
  double ridgeAI = peak / bandwidth;
  os << llvm::formatv(
      "<polyline fill=\"none\" stroke=\"#c33\" stroke-width=\"2\" "
      "points=\"{0:F1},{1:F1} {2:F1},{3:F1} {4:F1},{3:F1}\"/>\n",
      x(loAI), y(bandwidth * loAI), x(ridgeAI), y(peak), x(hiAI));
  os << llvm::formatv("<text x=\"{0:F1}\" y=\"{1:F1}\" fill=\"#c33\">"
                      "memory {2} GB/s</text>\n",
                      x(loAI) + 8, y(bandwidth * loAI * 3) - 6,
                      target.memoryGBps);
  // Ceilings, highest first, labels pushed apart so none overlap.
  std::vector<std::pair<double, std::string>> ceilings;
  for (const auto &entry : target.peakTflops) {
    llvm::StringRef type = entry.getKey();
    if (!type.ends_with("_sparse") && target.isNative(type))
      ceilings.emplace_back(target.peakFlops(type), type.str());
  }
  llvm::sort(ceilings, [](auto &a, auto &b) { return a.first > b.first; });
  double lastLabel = -1e9;
  for (const auto &[ceiling, type] : ceilings) {
    os << llvm::formatv(
        "<line x1=\"{0:F1}\" y1=\"{1:F1}\" x2=\"{2}\" "
        "y2=\"{1:F1}\" stroke=\"#36c\" stroke-dasharray=\"4 3\"/>\n",
        x(ceiling / bandwidth), y(ceiling), plotRight);
    double labelY = std::max(y(ceiling) - 4, lastLabel + 13);
    lastLabel = labelY;
    os << llvm::formatv("<text x=\"{0}\" y=\"{1:F1}\" text-anchor=\"end\" "
                        "fill=\"#36c\">{2} {3} TFLOP/s</text>\n",
                        plotRight - 4, labelY, escape(type), ceiling / 1e12);
  }

  // Layers: attained throughput = FLOPs / predicted time.
  for (const LayerCost *layer : layers) {
    double ai = layer->cost->intensity();
    double attained = layer->cost->flops / (layer->timeUs * 1e-6);
    const char *color = layer->memoryBound ? "#e67e22" : "#27ae60";
    os << llvm::formatv("<circle class=\"layer\" cx=\"{0:F1}\" cy=\"{1:F1}\" "
                        "r=\"4\" fill=\"{2}\"><title>{3}: {4:F2} FLOP/B, "
                        "{5:E2} FLOP/s, {6:F2} us</title></circle>\n",
                        x(ai), y(attained), color, escape(layer->name), ai,
                        attained, layer->timeUs);
  }
  os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" fill=\"#27ae60\">"
                      "compute-bound</text><text x=\"{2}\" y=\"{1}\" "
                      "fill=\"#e67e22\">memory-bound</text><text x=\"{3}\" "
                      "y=\"{1}\" fill=\"#999\">(fused layers count with their "
                      "producer)</text>\n",
                      plotLeft, plotTop - 8, plotLeft + 110, plotLeft + 215);

  // Per-layer predicted time.
  double maxTime = 0;
  for (const LayerCost *layer : bars)
    maxTime = std::max(maxTime, layer->timeUs);
  os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" font-size=\"14\" "
                      "font-weight=\"bold\">predicted time per layer (us), "
                      "total {2:F1} us</text>\n",
                      plotLeft, barTop - 16, cost.latencyUs);
  double labelWidth = 220, barLeft = plotLeft + labelWidth;
  for (auto [index, layer] : llvm::enumerate(bars)) {
    double top = barTop + index * barHeight;
    double w =
        maxTime > 0 ? (plotRight - barLeft) * layer->timeUs / maxTime : 0;
    os << llvm::formatv("<text x=\"{0}\" y=\"{1:F1}\" text-anchor=\"end\" "
                        "font-size=\"10\">{2}</text>\n",
                        barLeft - 6, top + 10,
                        escape(llvm::StringRef(layer->name).take_back(36)));
    os << llvm::formatv("<rect class=\"bar\" x=\"{0}\" y=\"{1:F1}\" "
                        "width=\"{2:F1}\" height=\"{3}\" fill=\"#36c\">"
                        "<title>{4}: {5:F2} us</title></rect>\n",
                        barLeft, top + 2, std::max(w, 0.5), barHeight - 3,
                        escape(layer->name), layer->timeUs);
  }
  os << "</svg>\n";
}
