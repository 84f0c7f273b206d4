//===- CostModel.cpp - latency and memory of a network on a target --------===//

#include "dlc/Analysis/CostModel.h"
#include "dlc/Analysis/CacheReuse.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseSet.h"
#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::dlc;

int64_t NetworkCost::totalWeightBytes() const {
  int64_t total = 0;
  for (const auto &[type, bytes] : weightBytes)
    total += bytes;
  return total;
}

std::string mlir::dlc::costTypeKey(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  if (auto quantized = dyn_cast<quant::QuantizedType>(type))
    type = quantized.getStorageType();
  if (type.isF32())
    return "fp32";
  if (type.isF16())
    return "fp16";
  if (type.isBF16())
    return "bf16";
  if (isa<Float8E4M3FNType, Float8E5M2Type>(type))
    return "fp8";
  if (type.isInteger(8))
    return "int8";
  if (type.isInteger(32))
    return "int32";
  if (type.isF64())
    return "fp64";
  return "fp32";
}

int64_t mlir::dlc::storageBytes(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return 0;
  Type element = shaped.getElementType();
  if (auto quantized = dyn_cast<quant::QuantizedType>(element))
    element = quantized.getStorageType();
  if (!element.isIntOrFloat())
    return 0;
  return (shaped.getNumElements() * element.getIntOrFloatBitWidth() + 7) / 8;
}

/// Whether `op` stores parameters rather than computing.
static bool isParameterOp(Operation &op) {
  return op.getNumResults() == 1 && isStoredParameter(op.getResult(0));
}

/// The element type an op computes in: a quantized product's input type
/// (an fp8 conv produces f32), otherwise its result's.
static std::string computeTypeKey(Operation *op) {
  if (isa<QConv2DOp, QLinearOp>(op))
    return costTypeKey(op->getOperand(0).getType());
  return costTypeKey(op->getResult(0).getType());
}

std::string mlir::dlc::layerName(Operation *op, unsigned index) {
  Location loc = op->getLoc();
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto name = dyn_cast<NameLoc>(inner))
        return name.getName().str();
  return op->getName().getStringRef().str() + "#" + std::to_string(index);
}

/// Time of one op on `target` from its cost, in microseconds.
static void timeLayer(LayerCost &layer, const Target &target);

std::optional<double> mlir::dlc::predictOpTime(Operation *op,
                                               const Target &target) {
  auto costed = dyn_cast<CostOpInterface>(op);
  if (!costed || op->getNumResults() == 0)
    return std::nullopt;
  FailureOr<OpCost> cost = costed.getCost();
  if (failed(cost))
    return std::nullopt;
  LayerCost layer;
  layer.op = op;
  layer.type = computeTypeKey(op);
  layer.cost = *cost;
  timeLayer(layer, target);
  return layer.timeUs;
}

/// The share of a convolution's outputs whose window reaches the padding
/// (the rows and columns a CPU kernel computes on its bounds-checked path).
static double depthwiseBorderShare(Conv2DOp conv) {
  auto in = cast<ShapedType>(conv.getInput().getType());
  auto w = cast<ShapedType>(conv.getWeight().getType());
  auto out = cast<ShapedType>(conv.getType());
  if (!in.hasStaticShape() || !out.hasStaticShape())
    return 0.0;
  ArrayRef<int64_t> strides = conv.getStrides(), pads = conv.getPads(),
                    dilations = conv.getDilations();
  int64_t inner[2];
  for (int d = 0; d < 2; ++d) {
    int64_t size = in.getDimSize(2 + d), o = out.getDimSize(2 + d);
    int64_t reach = (w.getDimSize(2 + d) - 1) * dilations[d];
    // Outputs o with o*s - pad >= 0 and o*s - pad + reach < size.
    int64_t first = (pads[d] + strides[d] - 1) / strides[d];
    int64_t last = size - 1 - reach + pads[d] >= 0
                       ? (size - 1 - reach + pads[d]) / strides[d]
                       : -1;
    inner[d] = std::max<int64_t>(0, std::min(last, o - 1) - first + 1);
  }
  double total = static_cast<double>(out.getDimSize(2) * out.getDimSize(3));
  return total > 0 ? 1.0 - inner[0] * inner[1] / total : 0.0;
}

/// The family of kernels that runs `conv` (see Target::convTimeModels).
static StringRef convFamily(Conv2DOp conv, const OpCost &cost) {
  if (cost.kind == CostKind::Depthwise)
    return "depthwise";
  auto w = cast<ShapedType>(conv.getWeight().getType());
  auto ones = [](ArrayRef<int64_t> values) {
    return llvm::all_of(values, [](int64_t v) { return v == 1; });
  };
  bool unitStride = ones(conv.getStrides()) && ones(conv.getDilations());
  if (w.getDimSize(2) == 3 && w.getDimSize(3) == 3 && unitStride &&
      conv.getGroups() == 1)
    return "conv3x3";
  if (w.getDimSize(2) == 1 && w.getDimSize(3) == 1 && unitStride &&
      llvm::all_of(conv.getPads(), [](int64_t p) { return p == 0; }))
    return "pointwise";
  return "conv";
}

/// `count` rounded up to a multiple of `tile`.
static double roundUp(int64_t count, int64_t tile) {
  return static_cast<double>((count + tile - 1) / tile * tile);
}

/// `conv`'s time from a fitted kernel model, in microseconds: the work of
/// the model's lowering, term by term (ConvTimeModel).
static double fittedConvTime(Conv2DOp conv, const OpCost &cost,
                             const ConvTimeModel &model) {
  // Costed ops have static shapes.
  auto w = cast<ShapedType>(conv.getWeight().getType());
  auto in = cast<ShapedType>(conv.getInput().getType());
  auto out = cast<ShapedType>(conv.getType());
  int64_t images = out.getDimSize(0), outH = out.getDimSize(2),
          outW = out.getDimSize(3), kernelH = w.getDimSize(2),
          kernelW = w.getDimSize(3);
  int64_t groups = static_cast<int64_t>(conv.getGroups());
  double flops = static_cast<double>(cost.flops), border = 0;
  double input = 0, output = static_cast<double>(out.getNumElements()),
         weights = static_cast<double>(w.getNumElements()), rows = 0, calls = 0;
  // One GEMM of m x k times k x n, `count` times.
  auto gemm = [&](int64_t m, int64_t n, int64_t k, int64_t count) {
    flops = 2.0 * count * roundUp(m, model.tileChannels) *
            roundUp(n, model.tilePixels) * static_cast<double>(k);
    input = static_cast<double>(count) * k * n;
    output = static_cast<double>(count) * m * n;
    calls = static_cast<double>(count);
  };
  switch (model.lowering) {
  case ConvLowering::Gemm: {
    int64_t k = w.getDimSize(1) * kernelH * kernelW;
    gemm(w.getDimSize(0) / groups, outH * outW, k, images * groups);
    rows = static_cast<double>(images * groups) * k * outH;
    break;
  }
  case ConvLowering::WinogradF2x3: {
    int64_t tilesH = (outH + 1) / 2, tilesW = (outW + 1) / 2;
    gemm(w.getDimSize(0), tilesH * tilesW, in.getDimSize(1), 16 * images);
    weights = 16.0 * w.getDimSize(0) * in.getDimSize(1);
    rows = static_cast<double>(images) * in.getDimSize(1) * (tilesH + 1);
    break;
  }
  case ConvLowering::Direct:
    border = cost.kind == CostKind::Depthwise ? depthwiseBorderShare(conv) : 0;
    input = static_cast<double>(in.getNumElements());
    rows = static_cast<double>(images) * w.getDimSize(0) * outH * kernelH *
           kernelW;
    calls = static_cast<double>(images);
    break;
  }
  return model.usPerFlop * flops * (1 - border) +
         model.usPerBorderFlop * flops * border + model.usPerInput * input +
         model.usPerOutput * output + model.usPerWeight * weights +
         model.usPerRow * rows + model.usPerCall * calls + model.fixedUs;
}

/// Whether an op's bytes (read + written + weights) exceed the last-level
/// cache, so that its activations stream from memory.
static bool exceedsCache(const OpCost &cost, const Target &target) {
  return static_cast<double>(cost.totalBytes()) > target.llcMiB * 1024 * 1024;
}

static void timeLayer(LayerCost &layer, const Target &target) {
  const OpCost &cost = *layer.cost;
  auto conv = dyn_cast<Conv2DOp>(layer.op);
  StringRef family = conv ? convFamily(conv, cost) : "";
  double peak = target.peakFlops("fp32");
  double efficiency = target.vectorEfficiency;
  // Too few independent outputs leave cores idle: the arithmetic slows,
  // while the memory system can still be kept busy.
  double outputs = static_cast<double>(cost.bytesWritten);
  if (auto shaped = dyn_cast<ShapedType>(layer.op->getResult(0).getType()))
    outputs = shaped.getNumElements();
  double occupancy = outputs / (outputs + target.saturationOutputs);
  switch (cost.kind) {
  case CostKind::MatMul: {
    peak = target.peakFlops(layer.type);
    // 2:4 weights run on sparse tensor cores where the target has them.
    if (layer.op->getNumOperands() > 1)
      if (Operation *weight = layer.op->getOperand(1).getDefiningOp())
        if (auto kind = weight->getAttrOfType<StringAttr>(
                DLCDialect::kSparsityAttrName);
            kind && kind.getValue() == "2:4")
          if (std::optional<double> sparse = target.sparsePeakFlops(layer.type))
            peak = *sparse;
    efficiency = target.productEfficiency;
    if (family == "conv3x3" && target.conv3x3Efficiency > 0)
      efficiency = target.conv3x3Efficiency;
    else if (family == "pointwise" && target.pointwiseEfficiency > 0)
      efficiency = target.pointwiseEfficiency;
    auto align = target.align.find(layer.type);
    if (align != target.align.end() && target.isNative(layer.type) &&
        (cost.reductionChannels % align->second != 0 ||
         cost.outputChannels % align->second != 0))
      efficiency *= target.misalignedEfficiency;
    break;
  }
  case CostKind::Depthwise:
    // No tensor-core / dot-product path: the plain vector units.
    efficiency = target.depthwiseEfficiency;
    if (conv && target.depthwiseBorderEfficiency > 0) {
      double border = depthwiseBorderShare(conv);
      efficiency = 1.0 / ((1.0 - border) / target.depthwiseEfficiency +
                          border / target.depthwiseBorderEfficiency);
    }
    break;
  case CostKind::Elementwise:
  case CostKind::Reduction:
  case CostKind::DataMovement:
    break;
  }
  layer.computeUs = cost.flops > 0 && peak > 0
                        ? cost.flops / (peak * efficiency * occupancy) * 1e6
                        : 0;
  // A fitted kernel model, where the target has one for this family.
  if (auto model = target.convTimeModels.find(family);
      conv && model != target.convTimeModels.end())
    layer.computeUs = fittedConvTime(conv, cost, model->second);
  // Activations whose working set fits in the last-level cache move at
  // cache speed; weights, read once per run after every other layer has
  // passed through the cache, come from memory.
  double activations = static_cast<double>(cost.bytesRead + cost.bytesWritten);
  double activationBandwidth =
      target.cacheGBps > 0 && !exceedsCache(cost, target) ? target.cacheGBps
                                                          : target.memoryGBps;
  double memoryEfficiency = target.memoryEfficiency;
  StringRef opName = layer.op->getName().getStringRef().drop_front(4);
  auto perOp = target.opMemoryEfficiency.find(opName);
  if (perOp != target.opMemoryEfficiency.end())
    memoryEfficiency = perOp->second;
  layer.memoryUs = (activations / activationBandwidth +
                    static_cast<double>(cost.weightBytes) / target.memoryGBps) /
                   (1e9 * memoryEfficiency) * 1e6;
  layer.memoryBound = layer.memoryUs > layer.computeUs;
  bool moves = cost.flops > 0 || cost.totalBytes() > 0;
  layer.timeUs = std::max(layer.computeUs, layer.memoryUs) +
                 (moves ? target.launchOverheadUs : 0.0);
  if (auto perChannel = target.opChannelNs.find(opName);
      perChannel != target.opChannelNs.end() && layer.op->getNumOperands())
    if (auto in = dyn_cast<ShapedType>(layer.op->getOperand(0).getType());
        in && in.hasStaticShape() && in.getRank() >= 2)
      layer.timeUs +=
          static_cast<double>(in.getDimSize(1)) * perChannel->second * 1e-3;
  if (auto linear = dyn_cast<LinearOp>(layer.op)) {
    auto in = dyn_cast<ShapedType>(linear.getInput().getType());
    if (in && in.hasStaticShape() &&
        in.getNumElements() == in.getShape().back())
      layer.timeUs += target.gemvFixedUs;
  }
}

/// Marks elementwise ops fused into a single-use producer, which then
/// neither write nor re-read the intermediate, nor launch.
static void applyFusion(std::vector<LayerCost> &layers, const Target &target) {
  DenseMap<Operation *, LayerCost *> byOp;
  for (LayerCost &layer : layers)
    byOp[layer.op] = &layer;
  for (LayerCost &layer : layers) {
    if (!layer.cost || layer.cost->kind != CostKind::Elementwise ||
        layer.op->getNumOperands() == 0)
      continue;
    Value input = layer.op->getOperand(0);
    Operation *producer = input.getDefiningOp();
    auto it = producer ? byOp.find(producer) : byOp.end();
    if (it == byOp.end() || !it->second->cost || !input.hasOneUse() ||
        it->second->cost->kind == CostKind::DataMovement ||
        it->second->cost->kind == CostKind::Reduction)
      continue;
    // Only the other operands (a residual, BN statistics) still load.
    int64_t extra = layer.cost->weightBytes;
    for (Value operand : layer.op->getOperands().drop_front())
      if (!operand.getDefiningOp() || !isParameterOp(*operand.getDefiningOp()))
        extra += storageBytes(operand.getType());
    layer.fused = true;
    layer.coldBytes = 0; // its buffers are the producer's registers
    layer.computeUs = 0;
    layer.memoryUs =
        extra / (target.memoryGBps * 1e9 * target.memoryEfficiency) * 1e6;
    layer.timeUs = layer.memoryUs;
    layer.memoryBound = true;
  }
}

/// The time the reference executor's cache state adds to each layer
/// (targets with cold_activation_gbps): its cold activation and scratch
/// bytes at the cold rate. An op whose working set exceeds the cache
/// already moves its activations at memory speed.
static void addColdData(std::vector<LayerCost> &layers, func::FuncOp func,
                        const Target &target) {
  DenseMap<Operation *, int64_t> cold =
      coldDataBytes(func, static_cast<int64_t>(target.llcMiB * 1024 * 1024));
  for (LayerCost &layer : layers) {
    if (!layer.cost || exceedsCache(*layer.cost, target))
      continue;
    layer.coldBytes = cold.lookup(layer.op);
    bool blockedWalk =
        isa<Conv2DOp>(layer.op) && layer.cost->kind != CostKind::Depthwise;
    double gbps = blockedWalk && target.coldConvGBps > 0
                      ? target.coldConvGBps
                      : target.coldActivationGBps;
    layer.timeUs += static_cast<double>(layer.coldBytes) / (gbps * 1e3);
  }
}

/// Zero and total element counts of f32 constants, for sparsity.
static std::pair<int64_t, int64_t> countZeros(ConstantOp constant) {
  Attribute value = constant.getValue();
  int64_t zeros = 0, total = 0;
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(value)) {
    if (std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef()) {
      total = data->size();
      zeros = llvm::count(*data, 0.0f);
    }
  } else if (auto dense = dyn_cast<DenseFPElementsAttr>(value)) {
    total = dense.getNumElements();
    for (const APFloat &v : dense.getValues<APFloat>())
      zeros += v.isZero();
  }
  return {zeros, total};
}

/// The most activation bytes alive at once, walking ops in order. Views
/// alias their source, which then lives as long as the view.
static int64_t peakActivation(func::FuncOp func) {
  Block &body = func.front();
  ActivationLifetimes lifetimes(body);
  auto bytes = [](Value v) -> int64_t { return storageBytes(v.getType()); };
  int64_t live = 0;
  for (BlockArgument arg : body.getArguments())
    live += bytes(arg);
  int64_t peak = live;
  DenseSet<Value> freed;
  for (Operation &op : body) {
    if (!isParameterOp(op) && !ActivationLifetimes::isView(op))
      for (Value result : op.getResults())
        live += bytes(result);
    peak = std::max(peak, live);
    if (isa<func::ReturnOp>(op))
      continue;
    for (Value operand : op.getOperands()) {
      Value owner = lifetimes.owner(operand);
      if (lifetimes.lastReader(owner) == &op && !isStoredParameter(owner) &&
          freed.insert(owner).second)
        live -= bytes(owner);
    }
  }
  return peak;
}

NetworkCost mlir::dlc::costNetwork(func::FuncOp func, const Target &target,
                                   bool fuse) {
  NetworkCost network;
  int64_t zeros = 0, constElements = 0;
  unsigned index = 0;
  for (Operation &op : func.front()) {
    ++index;
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      auto [z, total] = countZeros(constant);
      zeros += z;
      constElements += total;
      continue;
    }
    if (isParameterOp(op))
      continue;
    auto costed = dyn_cast<CostOpInterface>(op);
    if (!costed)
      continue;
    LayerCost layer;
    layer.op = &op;
    layer.name = layerName(&op, index);
    layer.type = computeTypeKey(&op);
    FailureOr<OpCost> cost = costed.getCost();
    if (failed(cost)) {
      ++network.unknownOps;
      network.layers.push_back(std::move(layer));
      continue;
    }
    layer.cost = *cost;
    timeLayer(layer, target);
    network.macs += cost->macs;
    network.flops += cost->flops;
    network.params += cost->params;
    network.layers.push_back(std::move(layer));
  }
  // Parameters once per constant, in their own element type.
  for (Operation &op : func.front()) {
    if (auto nf4 = dyn_cast<NF4ConstantOp>(op))
      network.weightBytes["nf4"] += nf4.getStorageBytes();
    else if (isParameterOp(op) && !isa<DequantizeOp>(op)) // counted as int8
      network.weightBytes[costTypeKey(op.getResult(0).getType())] +=
          storageBytes(op.getResult(0).getType());
  }
  if (target.coldActivationGBps > 0 && target.llcMiB > 0)
    addColdData(network.layers, func, target);
  if (fuse)
    applyFusion(network.layers, target);
  for (const LayerCost &layer : network.layers)
    network.latencyUs += layer.timeUs;
  network.peakActivationBytes = peakActivation(func);
  network.sparsity =
      constElements ? static_cast<double>(zeros) / constElements : 0.0;
  return network;
}
