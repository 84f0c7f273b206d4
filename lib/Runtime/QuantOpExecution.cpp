//===- QuantOpExecution.cpp - running the quantized dlc ops ---------------===//
//
// Maps quantize/dequantize/requantize, qconv2d, qlinear and qadd onto the
// integer-exact kernels, reading scales and zero points from the types.
//
//===----------------------------------------------------------------------===//

#include "QuantOpExecution.h"
#include "QuantKernels.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::runtime;
namespace k = mlir::dlc::runtime::kernels;
namespace q = mlir::dlc::quantization;

/// Per-tensor or per-axis parameters of an int8 type.
static k::ChannelParams channelParams(Type type) {
  Int8ChannelParams params = int8ChannelParamsOf(type);
  k::ChannelParams result;
  result.axis = params.axis;
  result.params = std::move(params.params);
  return result;
}

static k::Int8Product int8Product(Value input, Value weight, Type result) {
  k::Int8Product product;
  q::UniformParams in = perTensorParamsOf(input.getType());
  product.inputZeroPoint = in.zeroPoint;
  product.output = perTensorParamsOf(result);
  for (const q::UniformParams &w : channelParams(weight.getType()).params)
    product.multipliers.push_back(
        q::quantizeMultiplier(in.scale * w.scale / product.output.scale));
  return product;
}

static k::FP8Product fp8Product(Value input, Value weight, double inputScale,
                                ArrayRef<double> weightScales) {
  k::FP8Product product;
  product.inputFormat = *getFP8Format(input.getType());
  product.weightFormat = *getFP8Format(weight.getType());
  for (double s : weightScales)
    product.scales.push_back(static_cast<float>(inputScale * s));
  return product;
}

static k::Window2D convWindow(QConv2DOp op) {
  auto weight = cast<ShapedType>(op.getWeight().getType());
  k::Window2D w;
  for (int i = 0; i < 2; ++i) {
    w.kernel[i] = weight.getDimSize(2 + i);
    w.stride[i] = op.getStrides()[i];
    w.dilation[i] = op.getDilations()[i];
  }
  for (int i = 0; i < 4; ++i)
    w.pads[i] = op.getPads()[i];
  return w;
}

bool mlir::dlc::runtime::detail::runQuantizedOp(
    Operation &op, llvm::function_ref<const Tensor &(Value)> get,
    SmallVectorImpl<Tensor> &results) {
  auto opt = [&](Value v) -> const Tensor * { return v ? &get(v) : nullptr; };
  return llvm::TypeSwitch<Operation *, bool>(&op)
      .Case([&](QuantizeOp o) {
        if (std::optional<APFloat> scale = o.getScale())
          results.push_back(k::quantizeFP8(get(o.getInput()),
                                           scale->convertToDouble(),
                                           *getFP8Format(o.getType())));
        else
          results.push_back(
              k::quantizeInt8(get(o.getInput()), channelParams(o.getType())));
        return true;
      })
      .Case([&](DequantizeOp o) {
        Type type = o.getInput().getType();
        if (auto blocks = getInt8SubChannel(type)) {
          SmallVector<double> scales;
          for (APFloat s : blocks.getScales().getValues<APFloat>())
            scales.push_back(s.convertToDouble());
          SmallVector<int64_t> zeros;
          for (APInt z : blocks.getZeroPoints().getValues<APInt>())
            zeros.push_back(z.getSExtValue());
          results.push_back(
              k::dequantizeInt8Blocks(get(o.getInput()), scales, zeros,
                                      blocks.getScales().getType().getShape()));
        } else if (std::optional<APFloat> scale = o.getScale())
          results.push_back(k::dequantizeFP8(get(o.getInput()),
                                             scale->convertToDouble(),
                                             *getFP8Format(type)));
        else
          results.push_back(
              k::dequantizeInt8(get(o.getInput()), channelParams(type)));
        return true;
      })
      .Case([&](RequantizeOp o) {
        results.push_back(k::requantize(
            get(o.getInput()), perTensorParamsOf(o.getInput().getType()),
            perTensorParamsOf(o.getType())));
        return true;
      })
      .Case([&](QConv2DOp o) {
        auto groups = static_cast<int64_t>(o.getGroups());
        if (getFP8Format(o.getInput().getType()))
          results.push_back(
              k::qconv2dFP8(get(o.getInput()), get(o.getWeight()),
                            opt(o.getBias()), convWindow(o), groups,
                            fp8Product(o.getInput(), o.getWeight(),
                                       o.getInputScale()->convertToDouble(),
                                       *o.getWeightScales())));
        else
          results.push_back(k::qconv2dInt8(
              get(o.getInput()), get(o.getWeight()), opt(o.getBias()),
              convWindow(o), groups,
              int8Product(o.getInput(), o.getWeight(), o.getType())));
        return true;
      })
      .Case([&](QLinearOp o) {
        if (getFP8Format(o.getInput().getType()))
          results.push_back(k::qlinearFP8(
              get(o.getInput()), get(o.getWeight()), opt(o.getBias()),
              fp8Product(o.getInput(), o.getWeight(),
                         o.getInputScale()->convertToDouble(),
                         *o.getWeightScales())));
        else
          results.push_back(k::qlinearInt8(
              get(o.getInput()), get(o.getWeight()), opt(o.getBias()),
              int8Product(o.getInput(), o.getWeight(), o.getType())));
        return true;
      })
      .Case([&](QMatMulOp o) {
        results.push_back(k::qmatmulInt8(
            get(o.getLhs()), perTensorParamsOf(o.getLhs().getType()),
            get(o.getRhs()), perTensorParamsOf(o.getRhs().getType()),
            perTensorParamsOf(o.getType())));
        return true;
      })
      .Case([&](QAddOp o) {
        results.push_back(k::qaddInt8(
            get(o.getLhs()), perTensorParamsOf(o.getLhs().getType()),
            get(o.getRhs()), perTensorParamsOf(o.getRhs().getType()),
            perTensorParamsOf(o.getType())));
        return true;
      })
      .Default([](Operation *) { return false; });
}

bool mlir::dlc::runtime::detail::movesInt8(Operation &op) {
  // Reshape and flatten are views of the int8 buffer itself.
  return carriesInt8(&op) && !isa<ReshapeOp, FlattenOp>(op) &&
         op.getNumOperands() > 0 &&
         getInt8PerTensor(op.getOperand(0).getType());
}

Tensor mlir::dlc::runtime::detail::int8Result(Operation &op, Value result,
                                              const Tensor &computed) {
  if (isa<AvgPool2DOp, GlobalAvgPoolOp>(op)) {
    q::UniformParams p = perTensorParamsOf(result.getType());
    return k::roundToInt8(computed, p.qmin, p.qmax);
  }
  return k::floatAsInt8(computed);
}

Tensor mlir::dlc::runtime::detail::int8Operand(const Tensor &tensor) {
  return tensor.kind() == ElementKind::I8 ? k::int8AsFloat(tensor) : tensor;
}
