//===- Quantizer.cpp - rewriting layers into quantized form ---------------===//
//
// One walk in program order rewrites each selected layer into its quantized
// form: int8 layers become qconv2d/qlinear/qadd between dlc.quantize and
// dlc.dequantize, and pooling/reshaping ops whose input is a dequantize move
// below it, so a chain of int8 layers hands int8 values from one to the next
// with no float round trip (a layer quantizing a value that a dequantize
// produced reuses the int8 source directly).
//
//===----------------------------------------------------------------------===//

#include "Quantizer.h"
#include "dlc/Analysis/CostModel.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "dlc/Quant/NF4.h"
#include "dlc/Support/Debug.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "llvm/ADT/StringSwitch.h"
#include <cmath>

#define DEBUG_TYPE "dlc-quantize"

using namespace mlir;
using namespace mlir::dlc;
namespace q = mlir::dlc::quantization;

std::optional<Precision> mlir::dlc::parsePrecision(StringRef name) {
  return llvm::StringSwitch<std::optional<Precision>>(name)
      .Cases({"int8", "w8a8"}, Precision::Int8)
      .Case("w8a16", Precision::W8A16)
      .Case("fp8-e4m3", Precision::FP8E4M3)
      .Case("fp8-e5m2", Precision::FP8E5M2)
      .Cases({"nf4", "w4a16"}, Precision::NF4)
      .Default(std::nullopt);
}

namespace {
/// The activation, weight and (optional) bias of a conv or linear layer.
struct LayerOperands {
  Value input, weight, bias;
};
} // namespace

static std::optional<LayerOperands> layerOperands(Operation *op) {
  if (auto conv = dyn_cast<Conv2DOp>(op))
    return LayerOperands{conv.getInput(), conv.getWeight(), conv.getBias()};
  if (auto linear = dyn_cast<LinearOp>(op))
    return LayerOperands{linear.getInput(), linear.getWeight(),
                         linear.getBias()};
  return std::nullopt;
}

namespace {
/// Per-output-channel (or one) symmetric scales for `weight` laid out with
/// output channels first, for values up to `limit` (127, or an fp8 max).
std::vector<double> weightScales(ArrayRef<float> weight, int64_t channels,
                                 bool perChannel, double limit) {
  int64_t groups = perChannel ? channels : 1;
  int64_t per = static_cast<int64_t>(weight.size()) / groups;
  std::vector<double> scales(groups);
  for (int64_t c = 0; c < groups; ++c) {
    float amax = 0.0f;
    for (int64_t i = c * per; i < (c + 1) * per; ++i)
      amax = std::max(amax, std::fabs(weight[i]));
    scales[c] = amax > 0.0f ? amax / limit : 1.0;
  }
  return scales;
}

} // namespace

namespace {
class Quantizer {
public:
  Quantizer(func::FuncOp func, const QuantizerOptions &options,
            DenseMap<Value, q::RangeObserver> ranges,
            DenseMap<Value, runtime::Tensor> *tracked)
      : builder(func.getContext()), precision(options.precision),
        ranges(std::move(ranges)), method(options.method),
        percentile(options.percentile), symmetric(options.symmetric),
        perChannel(options.perChannel), perBlock(options.perBlock),
        blockSize(options.blockSize), doubleQuant(options.doubleQuant),
        tracked(tracked) {}

  LogicalResult rewriteLayer(Operation *op);
  /// Moves a dequantize below a pooling, flatten, reshape or concat op.
  void sinkDequantize(Operation *op);
  /// Whether a rewrite erased `op` (a layer, or an activation it absorbed).
  bool wasErased(Operation *op) const { return erased.contains(op); }
  /// The value holding `op`'s output after rewriteLayer, and the SQNR of
  /// the weights it stored.
  Value outputOf(Operation *op) const { return outputs.lookup(op); }
  std::optional<double> weightSqnr() const { return lastWeightSqnr; }
  std::optional<double> worstChannelWeightSqnr() const {
    return lastWorstChannelSqnr;
  }

private:
  FailureOr<q::UniformParams> activationParams(Value value, Operation *user);
  Value quantizeInt8(Value value, const q::UniformParams &params);
  FailureOr<Value> quantizeFP8(Value value, Operation *user, double &scale);
  Value int8Weight(Operation *op, ArrayRef<float> weight,
                   ArrayRef<int64_t> shape, std::vector<double> &scales);
  Value fp8Weight(Operation *op, ArrayRef<float> weight,
                  ArrayRef<int64_t> shape, std::vector<double> &scales);
  Value nf4Weight(Operation *op, ArrayRef<float> weight,
                  ArrayRef<int64_t> shape);
  /// The op's output after a ReLU or clip it absorbs, and the storage range
  /// that activation leaves.
  Value fusedOutput(Operation *op, q::UniformParams &params,
                    FailureOr<q::UniformParams> &status);
  LogicalResult rewriteInt8Product(Operation *op, Value input, Value weight,
                                   const ConstantWeights &data);
  /// An add or matmul of two activations, in int8.
  LogicalResult rewriteInt8Binary(Operation *op);
  LogicalResult rewriteFP8Product(Operation *op, Value input, Value weight,
                                  Value bias, const ConstantWeights &data);

  OpBuilder builder;
  Precision precision;
  DenseMap<Value, q::RangeObserver> ranges;
  q::CalibrationMethod method;
  double percentile;
  bool symmetric, perChannel, perBlock;
  int64_t blockSize;
  bool doubleQuant;
  DenseMap<Value, runtime::Tensor> *tracked;
  DenseMap<Value, Value> quantized;
  DenseSet<Operation *> erased;
  DenseMap<Operation *, Value> outputs;
  std::optional<double> lastWeightSqnr, lastWorstChannelSqnr;

  /// Records the SQNR of stored weights (output channels first), overall
  /// and of the worst channel.
  void recordWeightError(ArrayRef<float> weight, ArrayRef<float> stored,
                         int64_t channels) {
    lastWeightSqnr = q::sqnrDecibels(weight, stored);
    lastWorstChannelSqnr =
        q::worstChannelSqnr(weight, stored, 1, channels,
                            static_cast<int64_t>(weight.size()) / channels);
  }

  /// Replaces `out` (the layer's output, or its fused activation's) with
  /// `replacement` and erases the float ops it replaces.
  void replaceLayer(Operation *op, Value out, Value replacement);
  /// Quantization keeps zeros zero, so a pruned weight's dlc.sparsity mark
  /// carries over to its quantized form.
  static void keepSparsity(Value weight, Value quantized) {
    if (Operation *source = weight.getDefiningOp())
      if (Attribute mark = source->getAttr(DLCDialect::kSparsityAttrName))
        quantized.getDefiningOp()->setAttr(DLCDialect::kSparsityAttrName, mark);
  }
  /// Moves what is known of `from` (its calibrated range, a tracked
  /// tensor) to `to`, which replaces it.
  void forwardRange(Value from, Value to) {
    forward(ranges, from, to);
    if (tracked)
      forward(*tracked, from, to);
  }
  /// Forgets the results of an op about to be erased, whose addresses a
  /// new value may reuse.
  void forget(Operation *op) {
    for (Value result : op->getResults()) {
      ranges.erase(result);
      if (tracked)
        tracked->erase(result);
    }
  }
  template <typename T>
  static void forward(DenseMap<Value, T> &map, Value from, Value to) {
    auto it = map.find(from);
    if (it == map.end())
      return;
    T value = std::move(it->second); // moved out: insertion may rehash
    map.erase(from);
    map[to] = std::move(value);
  }
};
} // namespace

FailureOr<q::UniformParams> Quantizer::activationParams(Value value,
                                                        Operation *user) {
  auto it = ranges.find(value);
  if (it == ranges.end() || it->second.empty())
    return user->emitOpError("has an operand the calibration never observed");
  // A non-negative tensor in an asymmetric range spends all 256 levels on
  // [0, t], as many as a signed one spends on [-t, t]: choose t for that.
  const q::RangeObserver &observed = it->second;
  int levelBits = !symmetric && observed.min() >= 0.0f ? 9 : 8;
  // A network output keeps its full range: clipping it (the logits' largest
  // values, which decide the answer) is never the better trade.
  bool isOutput = llvm::any_of(value.getUsers(), [](Operation *user) {
    return isa<func::ReturnOp>(user);
  });
  auto [lo, hi] = observed.range(
      isOutput ? q::CalibrationMethod::MinMax : method, percentile, levelBits);
  return q::chooseUniformParams(lo, hi, 8, symmetric);
}

Value Quantizer::quantizeInt8(Value value, const q::UniformParams &params) {
  // A value that a dequantize produced is quantized already.
  if (auto dequantize = value.getDefiningOp<DequantizeOp>())
    if (getInt8PerTensor(dequantize.getInput().getType()))
      return dequantize.getInput();
  if (Value cached = quantized.lookup(value))
    return cached;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointAfterValue(value);
  auto type = cast<RankedTensorType>(value.getType());
  Value result = QuantizeOp::create(
      builder, value.getLoc(),
      type.clone(makeInt8Type(builder.getContext(), params)), value, nullptr);
  quantized[value] = result;
  return result;
}

FailureOr<Value> Quantizer::quantizeFP8(Value value, Operation *user,
                                        double &scale) {
  auto it = ranges.find(value);
  if (it == ranges.end() || it->second.empty())
    return user->emitOpError("has an operand the calibration never observed");
  q::FP8Format format = precision == Precision::FP8E4M3 ? q::FP8Format::E4M3FN
                                                        : q::FP8Format::E5M2;
  // amax scaling: the largest observed magnitude maps to the format's max.
  float amax = it->second.absMax();
  scale = amax > 0.0f ? amax / q::fp8MaxValue(format) : 1.0;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointAfterValue(value);
  Type element = format == q::FP8Format::E4M3FN
                     ? Type(builder.getType<Float8E4M3FNType>())
                     : Type(builder.getType<Float8E5M2Type>());
  auto type = cast<RankedTensorType>(value.getType());
  return QuantizeOp::create(builder, value.getLoc(), type.clone(element), value,
                            builder.getF64FloatAttr(scale))
      .getResult();
}

Value Quantizer::int8Weight(Operation *op, ArrayRef<float> weight,
                            ArrayRef<int64_t> shape,
                            std::vector<double> &scales) {
  // Scale groups: the whole tensor, each output channel, or (per block)
  // each run of `block` input channels of each output channel.
  int64_t outChannels = shape[0];
  int64_t inChannels = shape.size() > 1 ? shape[1] : 1;
  int64_t inner = static_cast<int64_t>(weight.size()) /
                  std::max<int64_t>(outChannels * inChannels, 1);
  int64_t block = 0;
  if (perBlock && shape.size() >= 2) {
    block = std::min(blockSize, inChannels);
    if (inChannels % block != 0)
      block = 0; // blocks must tile the channels: per channel instead
  }
  auto groupOf = [&](size_t i) -> int64_t {
    int64_t o = static_cast<int64_t>(i) / (inChannels * inner);
    if (block) {
      int64_t c = (static_cast<int64_t>(i) / inner) % inChannels;
      return o * (inChannels / block) + c / block;
    }
    return perChannel || perBlock ? o : 0;
  };
  int64_t groups = block ? outChannels * (inChannels / block)
                         : (perChannel || perBlock ? outChannels : 1);
  scales.assign(groups, 0.0);
  for (size_t i = 0; i < weight.size(); ++i)
    scales[groupOf(i)] =
        std::max<double>(scales[groupOf(i)], std::fabs(weight[i]));
  for (double &s : scales)
    s = s > 0.0 ? s / 127.0 : 1.0;
  std::vector<char> codes(weight.size());
  std::vector<float> reconstructed(weight.size());
  for (size_t i = 0; i < weight.size(); ++i) {
    double scale = scales[groupOf(i)];
    float scaled = weight[i] / static_cast<float>(scale);
    codes[i] =
        static_cast<char>(std::clamp(std::nearbyint(scaled), -127.0f, 127.0f));
    reconstructed[i] =
        static_cast<float>(scale * static_cast<signed char>(codes[i]));
  }
  recordWeightError(weight, reconstructed, shape[0]);
  Type element;
  if (block) {
    SmallVector<int64_t> scaleShape(shape.size(), 1);
    scaleShape[0] = outChannels;
    scaleShape[1] = inChannels / block;
    std::vector<float> scaleValues(scales.begin(), scales.end());
    auto scalesAttr = DenseElementsAttr::get(
        RankedTensorType::get(scaleShape, builder.getF32Type()),
        ArrayRef<float>(scaleValues));
    auto zerosAttr = DenseElementsAttr::get(
        RankedTensorType::get(scaleShape, builder.getI8Type()),
        builder.getI8IntegerAttr(0));
    element = quant::UniformQuantizedSubChannelType::get(
        quant::QuantizationFlags::Signed, builder.getI8Type(),
        builder.getF32Type(), scalesAttr, zerosAttr, {0, 1}, {1, block}, -127,
        127);
  } else if (scales.size() == 1)
    element = quant::UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, builder.getI8Type(),
        builder.getF32Type(), scales[0], 0, -127, 127);
  else
    element = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, builder.getI8Type(),
        builder.getF32Type(), scales, std::vector<int64_t>(scales.size(), 0), 0,
        -127, 127);
  auto storage = RankedTensorType::get(shape, builder.getI8Type());
  return QConstantOp::create(builder, op->getLoc(),
                             RankedTensorType::get(shape, element),
                             createStorageAttr(storage, codes, "qweight"));
}

Value Quantizer::fp8Weight(Operation *op, ArrayRef<float> weight,
                           ArrayRef<int64_t> shape,
                           std::vector<double> &scales) {
  q::FP8Format format = precision == Precision::FP8E4M3 ? q::FP8Format::E4M3FN
                                                        : q::FP8Format::E5M2;
  scales = weightScales(weight, shape[0], perChannel, q::fp8MaxValue(format));
  int64_t per = static_cast<int64_t>(weight.size()) / scales.size();
  std::vector<char> codes(weight.size());
  std::vector<float> reconstructed(weight.size());
  for (size_t i = 0; i < weight.size(); ++i) {
    uint8_t code =
        q::encodeFP8(weight[i] / static_cast<float>(scales[i / per]), format);
    codes[i] = static_cast<char>(code);
    reconstructed[i] =
        static_cast<float>(q::decodeFP8(code, format) * scales[i / per]);
  }
  recordWeightError(weight, reconstructed, shape[0]);
  Type element = format == q::FP8Format::E4M3FN
                     ? Type(builder.getType<Float8E4M3FNType>())
                     : Type(builder.getType<Float8E5M2Type>());
  auto type = RankedTensorType::get(shape, element);
  return QConstantOp::create(builder, op->getLoc(), type,
                             createStorageAttr(type, codes, "fp8weight"));
}

Value Quantizer::nf4Weight(Operation *op, ArrayRef<float> weight,
                           ArrayRef<int64_t> shape) {
  q::NF4Weights nf4 = q::quantizeNF4(weight, blockSize, doubleQuant);
  recordWeightError(weight, q::dequantizeNF4(nf4), shape[0]);
  auto bytes = [](const auto &vector) {
    const char *data = reinterpret_cast<const char *>(vector.data());
    return ArrayRef<char>(data, vector.size() * sizeof(vector[0]));
  };
  auto codesType = RankedTensorType::get(
      {static_cast<int64_t>(nf4.packedCodes.size())}, builder.getI8Type());
  ElementsAttr codes =
      createStorageAttr(codesType, bytes(nf4.packedCodes), "nf4codes");
  ElementsAttr scales, scaleScales;
  FloatAttr offset;
  int64_t blocks = nf4.numBlocks();
  if (nf4.doubleQuantized()) {
    scales =
        createStorageAttr(RankedTensorType::get({blocks}, builder.getI8Type()),
                          bytes(nf4.scaleCodes), "nf4scales");
    scaleScales = createStorageAttr(
        RankedTensorType::get({static_cast<int64_t>(nf4.scaleScales.size())},
                              builder.getF32Type()),
        bytes(nf4.scaleScales), "nf4scalescales");
    offset = builder.getF32FloatAttr(nf4.scaleOffset);
  } else {
    scales =
        createStorageAttr(RankedTensorType::get({blocks}, builder.getF32Type()),
                          bytes(nf4.absmax), "nf4scales");
  }
  return NF4ConstantOp::create(
      builder, op->getLoc(), RankedTensorType::get(shape, builder.getF32Type()),
      codes, scales, scaleScales, offset, builder.getI64IntegerAttr(blockSize));
}

Value Quantizer::fusedOutput(Operation *op, q::UniformParams &params,
                             FailureOr<q::UniformParams> &status) {
  Value out = op->getResult(0);
  Operation *activation = nullptr;
  if (out.hasOneUse() && isa<ReluOp, ClipOp>(*out.getUsers().begin()))
    activation = *out.getUsers().begin();
  if (activation)
    out = activation->getResult(0);
  status = activationParams(out, op);
  if (failed(status))
    return {};
  params = *status;
  if (isa_and_nonnull<ReluOp>(activation)) {
    params.qmin = std::max(params.qmin, params.zeroPoint);
  } else if (auto clip = dyn_cast_or_null<ClipOp>(activation)) {
    params.qmin =
        std::max(params.qmin, params.quantize(clip.getMin().convertToFloat()));
    params.qmax =
        std::min(params.qmax, params.quantize(clip.getMax().convertToFloat()));
  }
  return out;
}

void Quantizer::replaceLayer(Operation *op, Value out, Value replacement) {
  Operation *activation =
      out.getDefiningOp() == op ? nullptr : out.getDefiningOp();
  forwardRange(out, replacement);
  out.replaceAllUsesWith(replacement);
  outputs[op] = replacement;
  if (activation) {
    erased.insert(activation);
    forget(activation);
    activation->erase();
  }
  erased.insert(op);
  forget(op);
  op->erase();
}

LogicalResult Quantizer::rewriteInt8Product(Operation *op, Value input,
                                            Value weight,
                                            const ConstantWeights &data) {
  FailureOr<q::UniformParams> inParams = activationParams(input, op);
  if (failed(inParams))
    return failure();
  q::UniformParams outParams;
  FailureOr<q::UniformParams> status = failure();
  Value out = fusedOutput(op, outParams, status);
  if (failed(status))
    return failure();
  builder.setInsertionPoint(op);
  Value qInput = quantizeInt8(input, *inParams);
  // The input may already be int8 in its producer's scale.
  q::UniformParams actualIn = perTensorParamsOf(qInput.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  std::vector<double> scales;
  Value qWeight = int8Weight(op, data.weight, weightType.getShape(), scales);
  keepSparsity(weight, qWeight);
  Value qBias;
  if (data.bias) {
    std::vector<int32_t> bias(data.bias->size());
    for (size_t m = 0; m < bias.size(); ++m) {
      double scale = actualIn.scale * scales[scales.size() == 1 ? 0 : m];
      bias[m] = static_cast<int32_t>(std::clamp<double>(
          std::nearbyint((*data.bias)[m] / scale), INT32_MIN, INT32_MAX));
    }
    auto type = RankedTensorType::get({static_cast<int64_t>(bias.size())},
                                      builder.getI32Type());
    qBias = QConstantOp::create(
        builder, op->getLoc(), type,
        createStorageAttr(type,
                          ArrayRef<char>(reinterpret_cast<char *>(bias.data()),
                                         bias.size() * 4),
                          "qbias"));
  }
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType())
                        .clone(makeInt8Type(builder.getContext(), outParams));
  DLC_DEBUG(llvm::errs() << "int8 " << op->getName() << " at " << op->getLoc()
                         << ": input scale " << actualIn.scale << " zero "
                         << actualIn.zeroPoint << ", output scale "
                         << outParams.scale << " zero " << outParams.zeroPoint
                         << " range [" << outParams.qmin << ", "
                         << outParams.qmax << "]\n");
  Value result;
  if (auto conv = dyn_cast<Conv2DOp>(op))
    result = QConv2DOp::create(builder, op->getLoc(), resultType, qInput,
                               qWeight, qBias, conv.getStridesAttr(),
                               conv.getPadsAttr(), conv.getDilationsAttr(),
                               conv.getGroupsAttr(), nullptr, nullptr);
  else
    result = QLinearOp::create(builder, op->getLoc(), resultType, qInput,
                               qWeight, qBias, nullptr, nullptr);
  Value dequantized = DequantizeOp::create(
      builder, op->getLoc(), cast<RankedTensorType>(out.getType()), result,
      nullptr);
  replaceLayer(op, out, dequantized);
  return success();
}

LogicalResult Quantizer::rewriteInt8Binary(Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Value lhsValue = op->getOperand(0), rhsValue = op->getOperand(1);
  FailureOr<q::UniformParams> lhs = activationParams(lhsValue, op);
  FailureOr<q::UniformParams> rhs = activationParams(rhsValue, op);
  if (failed(lhs) || failed(rhs))
    return failure();
  q::UniformParams outParams;
  FailureOr<q::UniformParams> status = failure();
  Value out = fusedOutput(op, outParams, status);
  if (failed(status))
    return failure();
  builder.setInsertionPoint(op);
  Value a = quantizeInt8(lhsValue, *lhs);
  Value b = quantizeInt8(rhsValue, *rhs);
  auto resultType = type.clone(makeInt8Type(builder.getContext(), outParams));
  Value result =
      isa<AddOp>(op)
          ? QAddOp::create(builder, op->getLoc(), resultType, a, b).getResult()
          : QMatMulOp::create(builder, op->getLoc(), resultType, a, b)
                .getResult();
  Value dequantized = DequantizeOp::create(
      builder, op->getLoc(), cast<RankedTensorType>(out.getType()), result,
      nullptr);
  replaceLayer(op, out, dequantized);
  return success();
}

LogicalResult Quantizer::rewriteFP8Product(Operation *op, Value input,
                                           Value weight, Value bias,
                                           const ConstantWeights &data) {
  builder.setInsertionPoint(op);
  double inputScale = 1.0;
  FailureOr<Value> qInput = quantizeFP8(input, op, inputScale);
  if (failed(qInput))
    return failure();
  std::vector<double> scales;
  Value qWeight =
      fp8Weight(op, data.weight,
                cast<RankedTensorType>(weight.getType()).getShape(), scales);
  keepSparsity(weight, qWeight);
  Value result;
  auto scaleAttr = builder.getF64FloatAttr(inputScale);
  auto scalesAttr = builder.getDenseF64ArrayAttr(scales);
  Type resultType = op->getResult(0).getType();
  if (auto conv = dyn_cast<Conv2DOp>(op))
    result = QConv2DOp::create(builder, op->getLoc(), resultType, *qInput,
                               qWeight, bias, conv.getStridesAttr(),
                               conv.getPadsAttr(), conv.getDilationsAttr(),
                               conv.getGroupsAttr(), scaleAttr, scalesAttr);
  else
    result = QLinearOp::create(builder, op->getLoc(), resultType, *qInput,
                               qWeight, bias, scaleAttr, scalesAttr);
  replaceLayer(op, op->getResult(0), result);
  return success();
}

LogicalResult Quantizer::rewriteLayer(Operation *op) {
  lastWeightSqnr.reset();
  lastWorstChannelSqnr.reset();
  if (isa<AddOp, MatMulOp>(op))
    return precision == Precision::Int8 ? rewriteInt8Binary(op) : success();
  std::optional<LayerOperands> operands = layerOperands(op);
  if (!operands)
    return success();
  auto [input, weight, bias] = *operands;
  if (!cast<ShapedType>(input.getType()).getElementType().isF32())
    return success();
  std::optional<ConstantWeights> data = getConstantWeights(weight, bias);
  if (!data)
    return success(); // weights computed at run time stay fp32
  auto shape = cast<RankedTensorType>(weight.getType()).getShape();
  switch (precision) {
  case Precision::Int8:
    return rewriteInt8Product(op, input, weight, *data);
  case Precision::FP8E4M3:
  case Precision::FP8E5M2:
    return rewriteFP8Product(op, input, weight, bias, *data);
  case Precision::W8A16: {
    builder.setInsertionPoint(op);
    std::vector<double> scales;
    Value q = int8Weight(op, data->weight, shape, scales);
    op->setOperand(1, DequantizeOp::create(builder, op->getLoc(),
                                           weight.getType(), q, nullptr));
    outputs[op] = op->getResult(0);
    return success();
  }
  case Precision::NF4:
    builder.setInsertionPoint(op);
    op->setOperand(1, nf4Weight(op, data->weight, shape));
    outputs[op] = op->getResult(0);
    return success();
  }
  return success();
}

void Quantizer::sinkDequantize(Operation *op) {
  if (!carriesInt8(op))
    return;
  SmallVector<DequantizeOp> sources;
  for (Value operand : op->getOperands()) {
    auto dequantize = operand.getDefiningOp<DequantizeOp>();
    if (!dequantize || !getInt8PerTensor(dequantize.getInput().getType()))
      return;
    sources.push_back(dequantize);
  }
  builder.setInsertionPoint(op);
  Type element = getInt8PerTensor(sources[0].getInput().getType());
  if (isa<ConcatOp>(op)) {
    // All inputs move to the scale calibrated for the concatenation.
    FailureOr<q::UniformParams> params = activationParams(op->getResult(0), op);
    if (failed(params))
      return;
    element = makeInt8Type(builder.getContext(), *params);
  }
  SmallVector<Value> inputs;
  for (DequantizeOp source : sources) {
    Value input = source.getInput();
    auto type = cast<RankedTensorType>(input.getType()).clone(element);
    if (input.getType() != type) {
      // A product that requantizes anyway can produce the concatenation's
      // scale directly, when only dequantize ops (which follow the type)
      // read it and the new range clamps at least as high as the old one
      // did (a folded ReLU's clamp at zero must survive); anything else
      // gets an explicit requantize.
      Operation *producer = input.getDefiningOp();
      bool retype =
          isa_and_nonnull<QConv2DOp, QLinearOp, QMatMulOp, QAddOp>(producer) &&
          keepsFusedClamps(getInt8PerTensor(input.getType()),
                           getInt8PerTensor(type)) &&
          llvm::all_of(input.getUsers(),
                       [](Operation *user) { return isa<DequantizeOp>(user); });
      if (retype)
        input.setType(type);
      else
        input = RequantizeOp::create(builder, op->getLoc(), type, input);
    }
    inputs.push_back(input);
  }
  Operation *clone = builder.clone(*op);
  clone->setOperands(inputs);
  for (auto [result, original] :
       llvm::zip(clone->getResults(), op->getResults()))
    result.setType(cast<RankedTensorType>(original.getType()).clone(element));
  for (auto [result, original] :
       llvm::zip(clone->getResults(), op->getResults())) {
    Value dequantized = DequantizeOp::create(
        builder, op->getLoc(), cast<RankedTensorType>(original.getType()),
        result, nullptr);
    forwardRange(original, dequantized);
    original.replaceAllUsesWith(dequantized);
  }
  erased.insert(op);
  forget(op);
  op->erase();
  // The dequantize ops left without users stay until
  // removeDeadConversions, so that reports can still read the layers'
  // outputs in fp32.
}

bool mlir::dlc::isQuantizableLayer(Operation *op, Precision precision) {
  if (auto matmul = dyn_cast<MatMulOp>(op))
    return precision == Precision::Int8 &&
           !matmul.getLhs().getDefiningOp<ConstantOp>() &&
           !matmul.getRhs().getDefiningOp<ConstantOp>() &&
           matmul.getType().getElementType().isF32();
  if (auto add = dyn_cast<AddOp>(op))
    return precision == Precision::Int8 &&
           add.getLhs().getType() == add.getType() &&
           add.getRhs().getType() == add.getType() &&
           !add.getLhs().getDefiningOp<ConstantOp>() &&
           !add.getRhs().getDefiningOp<ConstantOp>();
  std::optional<LayerOperands> operands = layerOperands(op);
  if (!operands)
    return false;
  auto [input, weight, bias] = *operands;
  return cast<ShapedType>(input.getType()).getElementType().isF32() &&
         weight.getDefiningOp<ConstantOp>() &&
         (!bias || bias.getDefiningOp<ConstantOp>());
}

LogicalResult mlir::dlc::quantizeFunction(
    func::FuncOp func, const QuantizerOptions &options,
    DenseMap<Value, q::RangeObserver> ranges,
    llvm::function_ref<bool(Operation *, unsigned)> select,
    DenseMap<Value, runtime::Tensor> *tracked,
    std::vector<QuantizedLayer> *layers) {
  Quantizer quantizer(func, options, std::move(ranges), tracked);
  SmallVector<Operation *> ops;
  for (Operation &op : func.front())
    ops.push_back(&op);
  unsigned layerIndex = 0;
  for (auto [position, op] : llvm::enumerate(ops)) {
    if (quantizer.wasErased(op))
      continue;
    if (isQuantizableLayer(op, options.precision)) {
      unsigned index = layerIndex++;
      if (select(op, index)) {
        std::string name = layerName(op, position);
        std::string opName = op->getName().getStringRef().str();
        if (failed(quantizer.rewriteLayer(op)))
          return failure();
        if (layers)
          layers->push_back({name, opName, quantizer.weightSqnr(),
                             quantizer.worstChannelWeightSqnr(),
                             quantizer.outputOf(op)});
      }
    }
    if (options.precision == Precision::Int8 && !quantizer.wasErased(op))
      quantizer.sinkDequantize(op);
  }
  return success();
}

void mlir::dlc::removeDeadConversions(func::FuncOp func) {
  for (Operation &op :
       llvm::make_early_inc_range(llvm::reverse(func.front().getOperations())))
    if (isa<ConstantOp, QuantizeOp, DequantizeOp>(op) && op.use_empty())
      op.erase();
}
