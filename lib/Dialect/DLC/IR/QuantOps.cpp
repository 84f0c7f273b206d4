//===- QuantOps.cpp - quantized storage and compute ops -------------------===//

#include "ShapeInference.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::detail;

static int64_t numElementsOf(Attribute attr) {
  return cast<ElementsAttr>(attr).getNumElements();
}

static Type elementOfAttr(Attribute attr) {
  return cast<ElementsAttr>(attr).getShapedType().getElementType();
}

static std::optional<double> toDouble(std::optional<APFloat> value) {
  if (!value)
    return std::nullopt;
  return value->convertToDouble();
}

/// Whether `type` is an element type a quantized tensor may have.
static bool isQuantizedElement(Type type) {
  return getInt8PerTensor(type) || getInt8PerAxis(type) ||
         getInt8SubChannel(type) || getFP8Format(type).has_value();
}

//===----------------------------------------------------------------------===//
// QConstantOp / NF4ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult QConstantOp::verify() {
  auto type = cast<RankedTensorType>(getType());
  auto valueType = cast<ElementsAttr>(getValue()).getShapedType();
  if (valueType.getShape() != type.getShape())
    return emitOpError("expects value of shape ")
           << formatShape(type.getShape()) << ", got "
           << formatShape(valueType.getShape());
  Type element = type.getElementType();
  if (!isQuantizedElement(element) && !element.isInteger(32))
    return emitOpError("expects an int8 !quant.uniform, fp8 or i32 result, "
                       "got ")
           << element;
  if (auto blocks = getInt8SubChannel(element))
    if (!subChannelFits(blocks, type.getShape()))
      return emitOpError("expects sub-channel scales that tile shape ")
             << formatShape(type.getShape()) << " exactly";
  Type storage = storageElementTypeOf(element);
  if (valueType.getElementType() != storage)
    return emitOpError("expects value elements of the storage type ")
           << storage << ", got " << valueType.getElementType();
  return success();
}

int64_t NF4ConstantOp::getStorageBytes() {
  int64_t bytes = numElementsOf(getCodes());
  bytes += numElementsOf(getScales()) *
           ((elementOfAttr(getScales()).getIntOrFloatBitWidth() + 7) / 8);
  if (std::optional<ElementsAttr> second = getScaleScales())
    bytes += second->getNumElements() * 4 + 4;
  return bytes;
}

LogicalResult NF4ConstantOp::verify() {
  auto type = cast<RankedTensorType>(getType());
  if (!isa<FloatType>(type.getElementType()))
    return emitOpError("expects a float result, got ") << type.getElementType();
  int64_t block = static_cast<int64_t>(getBlockSize());
  if (block < 1)
    return emitOpError("expects a positive block_size, got ") << block;
  int64_t count = type.getNumElements();
  int64_t blocks = (count + block - 1) / block;
  if (!elementOfAttr(getCodes()).isInteger(8))
    return emitOpError("expects 8-bit integer codes (two per byte)");
  if (numElementsOf(getCodes()) != (count + 1) / 2)
    return emitOpError("expects ")
           << (count + 1) / 2 << " code bytes for " << count << " values, got "
           << numElementsOf(getCodes());
  if (numElementsOf(getScales()) != blocks)
    return emitOpError("expects ")
           << blocks << " scales (one per block of " << block << "), got "
           << numElementsOf(getScales());
  Type scaleType = elementOfAttr(getScales());
  if (scaleType.isF32()) {
    if (getScaleScales() || getScaleOffset())
      return emitOpError("takes scale_scales and scale_offset only with "
                         "8-bit (double-quantized) scales");
    return success();
  }
  if (!scaleType.isInteger(8))
    return emitOpError("expects f32 or i8 scales, got ") << scaleType;
  std::optional<ElementsAttr> second = getScaleScales();
  if (!second || !getScaleOffset())
    return emitOpError("expects scale_scales and scale_offset with 8-bit "
                       "(double-quantized) scales");
  int64_t groups = (blocks + 255) / 256;
  if (!second->getShapedType().getElementType().isF32() ||
      second->getNumElements() != groups)
    return emitOpError("expects ")
           << groups << " f32 scale_scales (one per 256 blocks), got "
           << second->getNumElements();
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeOp / DequantizeOp / RequantizeOp
//===----------------------------------------------------------------------===//

/// Checks the quantized side of a quantize/dequantize pair.
static LogicalResult verifyQuantizedSide(Operation *op, RankedTensorType real,
                                         RankedTensorType quantized,
                                         std::optional<double> scale) {
  if (real.getShape() != quantized.getShape())
    return op->emitOpError("expects equal shapes, got ")
           << formatShape(real.getShape()) << " and "
           << formatShape(quantized.getShape());
  if (!real.getElementType().isF32())
    return op->emitOpError("expects f32 real values, got ")
           << real.getElementType();
  Type element = quantized.getElementType();
  if (getFP8Format(element)) {
    if (!scale)
      return op->emitOpError("expects a scale for fp8 values");
    if (!(*scale > 0.0))
      return op->emitOpError("expects a positive scale, got ") << *scale;
    return success();
  }
  if (scale)
    return op->emitOpError("takes a scale only for fp8; !quant.uniform "
                           "types carry their own");
  if (getInt8PerTensor(element))
    return success();
  if (auto blocks = getInt8SubChannel(element)) {
    if (!subChannelFits(blocks, quantized.getShape()))
      return op->emitOpError("expects sub-channel scales that tile shape ")
             << formatShape(quantized.getShape()) << " exactly";
    return success();
  }
  if (auto axis = getInt8PerAxis(element)) {
    int32_t dim = axis.getQuantizedDimension();
    if (dim >= quantized.getRank() ||
        quantized.getDimSize(dim) !=
            static_cast<int64_t>(axis.getScales().size()))
      return op->emitOpError("expects ")
             << axis.getScales().size() << " channels along axis " << dim;
    return success();
  }
  return op->emitOpError("expects an int8 !quant.uniform or fp8 type, got ")
         << element;
}

LogicalResult QuantizeOp::verify() {
  return verifyQuantizedSide(*this, getInput().getType(),
                             cast<RankedTensorType>(getType()),
                             toDouble(getScale()));
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantizedSide(*this, getType(),
                             cast<RankedTensorType>(getInput().getType()),
                             toDouble(getScale()));
}

LogicalResult RequantizeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getType());
  if (!getInt8PerTensor(in) || !getInt8PerTensor(out))
    return emitOpError("expects per-tensor int8 !quant.uniform input and "
                       "result");
  if (in.getShape() != out.getShape())
    return emitOpError("expects equal shapes");
  return success();
}

namespace {
/// quantize(dequantize(x)): x when the types agree, else a requantize.
struct FoldQuantizeOfDequantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto dequantize = op.getInput().getDefiningOp<DequantizeOp>();
    if (!dequantize)
      return failure();
    Value source = dequantize.getInput();
    if (source.getType() == op.getType() &&
        dequantize.getScale() == op.getScale()) {
      rewriter.replaceOp(op, source);
      return success();
    }
    if (getInt8PerTensor(source.getType()) && getInt8PerTensor(op.getType())) {
      rewriter.replaceOpWithNewOp<RequantizeOp>(op, op.getType(), source);
      return success();
    }
    return failure();
  }
};

/// requantize(qconv/qlinear/qadd) with no other use: the producer requantizes
/// anyway, so it produces the new type directly.
struct FoldRequantizeIntoProducer : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    Operation *producer = op.getInput().getDefiningOp();
    if (!producer || !isa<QConv2DOp, QLinearOp, QMatMulOp, QAddOp>(producer) ||
        !op.getInput().hasOneUse())
      return failure();
    auto from = getInt8PerTensor(op.getInput().getType());
    auto to = getInt8PerTensor(op.getType());
    if (!from || !to || !keepsFusedClamps(from, to))
      return failure();
    rewriter.modifyOpInPlace(
        producer, [&] { producer->getResult(0).setType(op.getType()); });
    rewriter.replaceOp(op, producer->getResult(0));
    return success();
  }
};
} // namespace

void QuantizeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                             MLIRContext *context) {
  patterns.add<FoldQuantizeOfDequantize>(context);
}

void RequantizeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                               MLIRContext *context) {
  patterns.add<FoldRequantizeIntoProducer>(context);
}

//===----------------------------------------------------------------------===//
// QConv2DOp / QLinearOp / QAddOp
//===----------------------------------------------------------------------===//

/// Checks the element types of a quantized product (conv or linear) with
/// `outputs` output channels.
static LogicalResult
verifyProductTypes(Operation *op, Value input, Value weight, Value bias,
                   Type resultType, int64_t outputs,
                   std::optional<double> inputScale,
                   std::optional<ArrayRef<double>> scales) {
  Type in = elementTypeOf(input.getType());
  Type w = elementTypeOf(weight.getType());
  Type out = elementTypeOf(resultType);
  if (getInt8PerTensor(in)) {
    if (inputScale || scales)
      return op->emitOpError("takes input_scale and weight_scales only for "
                             "fp8; int8 types carry their scales");
    if (auto perTensor = getInt8PerTensor(w)) {
      if (perTensor.getZeroPoint() != 0)
        return op->emitOpError("expects weight zero point 0 (symmetric)");
    } else if (auto perAxis = getInt8PerAxis(w)) {
      if (perAxis.getQuantizedDimension() != 0)
        return op->emitOpError("expects per-axis weight scales along axis 0 "
                               "(output channels)");
      if (llvm::any_of(perAxis.getZeroPoints(),
                       [](int64_t z) { return z != 0; }))
        return op->emitOpError("expects weight zero points 0 (symmetric)");
    } else {
      return op->emitOpError("expects an int8 !quant.uniform weight with "
                             "int8 input, got ")
             << w;
    }
    if (bias && !elementTypeOf(bias.getType()).isInteger(32))
      return op->emitOpError("expects an i32 bias with int8 input, got ")
             << elementTypeOf(bias.getType());
    if (!getInt8PerTensor(out))
      return op->emitOpError("expects a per-tensor int8 !quant.uniform "
                             "result, got ")
             << out;
    return success();
  }
  if (getFP8Format(in)) {
    if (!getFP8Format(w))
      return op->emitOpError("expects an fp8 weight with fp8 input, got ") << w;
    if (!inputScale || !scales)
      return op->emitOpError("expects input_scale and weight_scales with fp8 "
                             "operands");
    if (scales->size() != 1 && static_cast<int64_t>(scales->size()) != outputs)
      return op->emitOpError("expects 1 or ")
             << outputs << " weight_scales, got " << scales->size();
    if (!(*inputScale > 0.0) ||
        llvm::any_of(*scales, [](double s) { return !(s > 0.0); }))
      return op->emitOpError("expects positive scales");
    if (bias && !elementTypeOf(bias.getType()).isF32())
      return op->emitOpError("expects an f32 bias with fp8 input");
    if (!out.isF32())
      return op->emitOpError("expects an f32 result with fp8 input, got ")
             << out;
    return success();
  }
  return op->emitOpError("expects int8 !quant.uniform or fp8 input, got ")
         << in;
}

LogicalResult QConv2DOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto w = cast<RankedTensorType>(getWeight().getType());
  FailureOr<SmallVector<int64_t>> shape = inferConvShape(
      ShapeDiag(*this), in.getShape(), w.getShape(), getBias(), getStrides(),
      getPads(), getDilations(), static_cast<int64_t>(getGroups()));
  if (failed(shape))
    return failure();
  auto result = cast<RankedTensorType>(getType());
  if (result.getShape() != ArrayRef<int64_t>(*shape))
    return emitOpError("expects result shape ")
           << formatShape(*shape) << ", got " << formatShape(result.getShape());
  return verifyProductTypes(*this, getInput(), getWeight(), getBias(), result,
                            w.getDimSize(0), toDouble(getInputScale()),
                            getWeightScales());
}

LogicalResult QLinearOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto w = cast<RankedTensorType>(getWeight().getType());
  if (in.getRank() < 1 || w.getRank() != 2)
    return emitOpError("expects input of rank >= 1 and weight of rank 2");
  if (in.getShape().back() != w.getDimSize(1))
    return emitOpError("expects input features (")
           << in.getShape().back() << ") to equal weight columns ("
           << w.getDimSize(1) << ")";
  if (Value bias = getBias()) {
    auto b = cast<RankedTensorType>(bias.getType());
    if (b.getRank() != 1 || b.getDimSize(0) != w.getDimSize(0))
      return emitOpError("expects bias of shape [") << w.getDimSize(0) << "]";
  }
  SmallVector<int64_t> shape(in.getShape());
  shape.back() = w.getDimSize(0);
  auto result = cast<RankedTensorType>(getType());
  if (result.getShape() != ArrayRef<int64_t>(shape))
    return emitOpError("expects result shape ")
           << formatShape(shape) << ", got " << formatShape(result.getShape());
  return verifyProductTypes(*this, getInput(), getWeight(), getBias(), result,
                            w.getDimSize(0), toDouble(getInputScale()),
                            getWeightScales());
}

LogicalResult QMatMulOp::verify() {
  for (Type type : {getLhs().getType(), getRhs().getType(), getType()})
    if (!getInt8PerTensor(type))
      return emitOpError("expects per-tensor int8 !quant.uniform operands "
                         "and result, got ")
             << elementTypeOf(type);
  FailureOr<SmallVector<int64_t>> shape = inferMatMulShape(
      ShapeDiag(*this), cast<RankedTensorType>(getLhs().getType()).getShape(),
      cast<RankedTensorType>(getRhs().getType()).getShape());
  if (failed(shape))
    return failure();
  auto result = cast<RankedTensorType>(getType()).getShape();
  if (result != ArrayRef<int64_t>(*shape))
    return emitOpError("expects result shape ")
           << formatShape(*shape) << ", got " << formatShape(result);
  return success();
}

LogicalResult QAddOp::verify() {
  for (Type type : {getLhs().getType(), getRhs().getType(), getType()})
    if (!getInt8PerTensor(type))
      return emitOpError("expects per-tensor int8 !quant.uniform operands "
                         "and result, got ")
             << elementTypeOf(type);
  auto shape = cast<RankedTensorType>(getType()).getShape();
  if (cast<RankedTensorType>(getLhs().getType()).getShape() != shape ||
      cast<RankedTensorType>(getRhs().getType()).getShape() != shape)
    return emitOpError("expects operands and result of one shape");
  return success();
}
