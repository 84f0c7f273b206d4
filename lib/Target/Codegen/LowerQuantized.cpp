//===- LowerQuantized.cpp - quantized dlc ops to kernel calls -------------===//
//
// int8 layers become SDOT GEMMs with the input zero point folded into a
// per-row correction (bias - z_x * sum(w), computed here) and the
// executor's fixed-point requantization. fp8 layers on CUDA multiply the
// codes on tensor cores (dlc_conv2d_fp8); on ARM they decode activations
// through an exact fp16 table into fp32 and run the fp32 GEMM on fp8
// weight panels.
//
//===----------------------------------------------------------------------===//

#include "LoweringImpl.h"
#include "WeightPacking.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "dlc/Quant/FP8.h"
#include "dlc/Quant/FixedPoint.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cstring>

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::codegen;
namespace q = mlir::dlc::quantization;

/// Per-tensor or per-axis int8 parameters of `type` and the quantized
/// dimension (-1 per tensor).
static std::pair<std::vector<q::UniformParams>, int64_t> int8Params(Type type) {
  Int8ChannelParams params = int8ChannelParamsOf(type);
  return {std::move(params.params), params.axis};
}

BufferRef Lowering::fp8Table(Type fp8Type) {
  q::FP8Format format = *getFP8Format(fp8Type);
  ArrayRef<float> decoded = q::fp8DecodeTable(format);
  std::vector<uint16_t> table(256);
  for (unsigned code = 0; code < 256; ++code) {
    // Every fp8 value is exact in fp16 (E4M3's and E5M2's ranges and
    // precisions are inside binary16's).
    llvm::APFloat value(decoded[code]);
    bool losesInfo = false;
    value.convert(llvm::APFloat::IEEEhalf(), llvm::APFloat::rmNearestTiesToEven,
                  &losesInfo);
    table[code] = static_cast<uint16_t>(value.bitcastToAPInt().getZExtValue());
  }
  return program.addWeights(table.data(), table.size() * 2, ElemType::U16);
}

/// The requantization parameters of an int8 product whose accumulator is
/// in the scale s_x * s_w[m], into the per-tensor result type `result`;
/// the multipliers and shifts are stored with the weights.
Aggregate Lowering::requantParams(double inputScale,
                                  ArrayRef<q::UniformParams> weights,
                                  Type result) {
  q::UniformParams out = perTensorParamsOf(result);
  std::vector<int32_t> multipliers, shifts;
  for (const q::UniformParams &w : weights) {
    q::QuantizedMultiplier m =
        q::quantizeMultiplier(inputScale * w.scale / out.scale);
    multipliers.push_back(m.multiplier);
    shifts.push_back(m.shift);
  }
  return Aggregate{
      "dlc_requant_params",
      true,
      {program.addWeights(multipliers.data(), multipliers.size() * 4,
                          ElemType::S32),
       program.addWeights(shifts.data(), shifts.size() * 4, ElemType::S32),
       Arg(weights.size() > 1 ? 1 : 0), Arg(out.zeroPoint), Arg(out.qmin),
       Arg(out.qmax)}};
}

FailureOr<Int8Layer> Lowering::int8Layer(Operation *op, Value input,
                                         Value weight, Value bias,
                                         int64_t groups) {
  auto [weightParams, axis] =
      int8Params(cast<ShapedType>(weight.getType()).getElementType());
  if (llvm::any_of(weightParams,
                   [](const q::UniformParams &p) { return p.zeroPoint != 0; }))
    return op->emitOpError("has weights with a non-zero zero point; ")
           << backendName() << " takes symmetric int8 weights";
  q::UniformParams in = perTensorParamsOf(input.getType());
  FailureOr<std::vector<char>> bytes = constantBytes(weight, op);
  if (failed(bytes))
    return failure();
  auto type = cast<ShapedType>(weight.getType());
  int64_t rows = type.getDimSize(0), k = type.getNumElements() / rows;
  ArrayRef<int8_t> w(reinterpret_cast<const int8_t *>(bytes->data()),
                     bytes->size());
  std::vector<int32_t> correction(rows, 0);
  if (bias) {
    FailureOr<std::vector<char>> biasBytes = constantBytes(bias, op);
    if (failed(biasBytes))
      return failure();
    std::memcpy(correction.data(), biasBytes->data(), rows * 4);
  }
  for (int64_t m = 0; m < rows; ++m) {
    int32_t sum = 0;
    for (int64_t i = 0; i < k; ++i)
      sum += w[m * k + i];
    correction[m] -= static_cast<int32_t>(in.zeroPoint) * sum;
  }
  Int8Layer layer;
  layer.inputZero = in.zeroPoint;
  std::optional<Sparse24Rows<int8_t>> sparse;
  if (options.sparse24Int8)
    sparse = compressSparse24(w, rows, k);
  if (sparse) {
    layer.weights = program.addWeights(sparse->values.data(),
                                       sparse->values.size(), ElemType::S8);
    layer.sparseMeta = program.addWeights(
        sparse->metadata.data(), sparse->metadata.size(), ElemType::U8);
  } else {
    std::vector<int8_t> packed = packPanelsS8(w, {groups, rows / groups, k});
    layer.weights =
        program.addWeights(packed.data(), packed.size(), ElemType::S8);
  }
  layer.correction = program.addWeights(correction.data(),
                                        correction.size() * 4, ElemType::S32);
  layer.requant =
      requantParams(in.scale, weightParams, op->getResult(0).getType());
  return layer;
}

FailureOr<Lowering::FP8Product>
Lowering::fp8Product(Operation *op, Value input, Value weight, Value bias,
                     double inputScale, ArrayRef<double> weightScales,
                     int64_t groups) {
  auto in = cast<ShapedType>(input.getType());
  FP8Product product;
  auto formatOf = [](Type type) -> Arg {
    return Constant{*getFP8Format(getElementTypeOrSelf(type)) ==
                            q::FP8Format::E4M3FN
                        ? "DLC_FP8_E4M3"
                        : "DLC_FP8_E5M2"};
  };
  FailureOr<Arg> w = weightSource(op, weight, groups);
  if (failed(w))
    return failure();
  if (backend == Backend::CUDA) {
    product.suffix = "fp8";
    product.input = {bufferOf(input), formatOf(in)};
    product.weights = {*w, formatOf(weight.getType())};
  } else {
    BufferRef decoded = temporary(op, ElemType::F32);
    call("dlc_fp8_to_f32",
         {Arg(in.getNumElements()), bufferOf(input),
          fp8Table(in.getElementType()), Arg(1.0f), decoded},
         describe(op) + " (input to fp32)");
    product.suffix = "f32";
    product.input = {decoded};
    product.weights = {*w};
  }
  int64_t rows = cast<ShapedType>(weight.getType()).getDimSize(0);
  std::vector<float> scales;
  for (int64_t m = 0; m < rows; ++m)
    scales.push_back(static_cast<float>(
        inputScale * weightScales[weightScales.size() == 1 ? 0 : m]));
  FailureOr<Arg> ep = epilogue(bias, FusedLayer(), scales);
  if (failed(ep))
    return failure();
  product.epilogue = *ep;
  return product;
}

std::vector<Arg> Lowering::fp8Args(std::vector<Arg> shape, const FP8Product &p,
                                   Arg output) {
  llvm::append_range(shape, p.input);
  llvm::append_range(shape, p.weights);
  shape.push_back(std::move(output));
  shape.push_back(p.epilogue);
  return shape;
}

/// The weight arguments of an int8 layer's call: the packed panels, or
/// the 2:4 kept values and their selectors.
static void appendInt8Weights(const Int8Layer &layer, std::vector<Arg> &args) {
  args.push_back(layer.weights);
  if (layer.sparseMeta)
    args.push_back(*layer.sparseMeta);
}

LogicalResult Lowering::lowerQConv(QConv2DOp op) {
  auto in = cast<ShapedType>(op.getInput().getType());
  auto weight = cast<ShapedType>(op.getWeight().getType());
  auto out = cast<ShapedType>(op.getType());
  auto groups = static_cast<int64_t>(op.getGroups());
  Aggregate geom = convGeometry(in, weight, out, op.getStrides(), op.getPads(),
                                op.getDilations(), groups);
  if (getFP8Format(in.getElementType())) {
    FailureOr<FP8Product> p = fp8Product(
        op, op.getInput(), op.getWeight(), op.getBias(),
        op.getInputScale()->convertToDouble(), *op.getWeightScales(), groups);
    if (failed(p))
      return failure();
    std::vector<Arg> args =
        fp8Args({Arg(in.getDimSize(0)), geom}, *p, bufferOf(op.getResult()));
    appendSplitArgs(op, args);
    call(("dlc_conv2d_" + p->suffix).str(), gemmArgs(std::move(args)),
         describe(op));
    return success();
  }
  FailureOr<Int8Layer> layer =
      int8Layer(op, op.getInput(), op.getWeight(), op.getBias(), groups);
  if (failed(layer))
    return failure();
  int64_t k4 = roundUp(weight.getNumElements() / weight.getDimSize(0), 4);
  double l2 = (target.l2MiB > 0 ? target.l2MiB : 1) * 1024 * 1024;
  int64_t nc = std::max<int64_t>(8, static_cast<int64_t>(l2 / 2 / k4) / 8 * 8);
  nc = std::min(nc, roundUp(out.getDimSize(2) * out.getDimSize(3), 8));
  std::vector<Arg> args = {Arg(in.getDimSize(0)), geom, bufferOf(op.getInput()),
                           Arg(layer->inputZero)};
  appendInt8Weights(*layer, args);
  llvm::append_range(args,
                     ArrayRef<Arg>{bufferOf(op.getResult()), layer->correction,
                                   layer->requant, Arg(nc)});
  appendS8GemmTail(op, args, k4, nc);
  call(layer->sparseMeta ? "dlc_qconv2d_s8_sparse" : "dlc_qconv2d_s8",
       std::move(args), describe(op));
  return success();
}

LogicalResult Lowering::lowerQLinear(QLinearOp op) {
  auto in = cast<ShapedType>(op.getInput().getType());
  auto weight = cast<ShapedType>(op.getWeight().getType());
  int64_t rows = weight.getDimSize(0), k = weight.getDimSize(1);
  int64_t batchRows = in.getNumElements() / k;
  if (getFP8Format(in.getElementType())) {
    FailureOr<FP8Product> p = fp8Product(
        op, op.getInput(), op.getWeight(), op.getBias(),
        op.getInputScale()->convertToDouble(), *op.getWeightScales(), 1);
    if (failed(p))
      return failure();
    std::vector<Arg> args = fp8Args({Arg(batchRows), Arg(k), Arg(rows)}, *p,
                                    bufferOf(op.getResult()));
    appendSplitArgs(op, args);
    call(("dlc_linear_" + p->suffix).str(), gemmArgs(std::move(args)),
         describe(op));
    return success();
  }
  FailureOr<Int8Layer> layer =
      int8Layer(op, op.getInput(), op.getWeight(), op.getBias(), 1);
  if (failed(layer))
    return failure();
  int64_t k4 = roundUp(k, 4), nc = roundUp(batchRows, 8);
  std::vector<Arg> args = {Arg(batchRows), Arg(k), Arg(rows),
                           bufferOf(op.getInput()), Arg(layer->inputZero)};
  appendInt8Weights(*layer, args);
  llvm::append_range(args,
                     ArrayRef<Arg>{bufferOf(op.getResult()), layer->correction,
                                   layer->requant, Arg(nc)});
  appendS8GemmTail(op, args, k4, nc);
  call(layer->sparseMeta ? "dlc_qlinear_s8_sparse" : "dlc_qlinear_s8",
       std::move(args), describe(op));
  return success();
}

std::pair<BufferRef, BufferRef>
Lowering::storeScalesAndZeros(ArrayRef<q::UniformParams> params) {
  // The executor's fp32 scale and int32 zero point per channel.
  std::vector<float> scales;
  std::vector<int32_t> zeros;
  for (const q::UniformParams &p : params) {
    scales.push_back(static_cast<float>(p.scale));
    zeros.push_back(static_cast<int32_t>(p.zeroPoint));
  }
  return {program.addWeights(scales.data(), scales.size() * 4, ElemType::F32),
          program.addWeights(zeros.data(), zeros.size() * 4, ElemType::S32)};
}

LogicalResult Lowering::lowerQuantizedOp(Operation &op, bool &handled) {
  handled = true;
  return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
      .Case<QConstantOp, NF4ConstantOp>([](Operation *) { return success(); })
      .Case([&](QuantizeOp o) -> LogicalResult {
        auto type = cast<ShapedType>(o.getType());
        if (std::optional<q::FP8Format> format = getFP8Format(type)) {
          float max = q::fp8MaxValue(*format);
          bool e4m3 = *format == q::FP8Format::E4M3FN;
          call("dlc_quantize_fp8",
               {Arg(type.getNumElements()), bufferOf(o.getInput()),
                Arg(static_cast<float>(o.getScale()->convertToDouble())),
                Arg(e4m3 ? 3 : 2), Arg(e4m3 ? 7 : 15), Arg(max),
                Arg(static_cast<int64_t>(q::encodeFP8(max, *format))),
                Arg(static_cast<int64_t>(q::encodeFP8(NAN, *format) & 0x7F)),
                bufferOf(o.getResult())},
               describe(o));
          return success();
        }
        if (getInt8SubChannel(type.getElementType()))
          return o.emitOpError("quantizes to per-block scales, which ")
                 << backendName() << " does not run";
        auto [params, axis] = int8Params(type.getElementType());
        std::array<int64_t, 3> dims = aroundAxis(type, axis);
        auto [scales, zeros] = storeScalesAndZeros(params);
        call("dlc_quantize_s8",
             {Arg(dims[0]), Arg(dims[1]), Arg(dims[2]), bufferOf(o.getInput()),
              scales, zeros, Arg(params[0].qmin), Arg(params[0].qmax),
              bufferOf(o.getResult())},
             describe(o));
        return success();
      })
      .Case([&](DequantizeOp o) -> LogicalResult {
        auto type = cast<ShapedType>(o.getInput().getType());
        if (getFP8Format(type)) {
          call("dlc_fp8_to_f32",
               {Arg(type.getNumElements()), bufferOf(o.getInput()),
                fp8Table(type),
                Arg(static_cast<float>(o.getScale()->convertToDouble())),
                bufferOf(o.getResult())},
               describe(o));
          return success();
        }
        if (getInt8SubChannel(type.getElementType()))
          return o.emitOpError("dequantizes per-block int8 weights, which ")
                 << backendName() << " does not run";
        auto [params, axis] = int8Params(type.getElementType());
        std::array<int64_t, 3> dims = aroundAxis(type, axis);
        auto [scales, zeros] = storeScalesAndZeros(params);
        call("dlc_dequantize_s8",
             {Arg(dims[0]), Arg(dims[1]), Arg(dims[2]), bufferOf(o.getInput()),
              scales, zeros, bufferOf(o.getResult())},
             describe(o));
        return success();
      })
      .Case([&](RequantizeOp o) {
        q::UniformParams in = perTensorParamsOf(o.getInput().getType());
        q::UniformParams out = perTensorParamsOf(o.getType());
        q::QuantizedMultiplier m = q::quantizeMultiplier(in.scale / out.scale);
        call("dlc_requantize_s8",
             {Arg(cast<ShapedType>(o.getType()).getNumElements()),
              bufferOf(o.getInput()), Arg(in.zeroPoint), Arg(m.multiplier),
              Arg(m.shift), Arg(out.zeroPoint), Arg(out.qmin), Arg(out.qmax),
              bufferOf(o.getResult())},
             describe(o));
        return success();
      })
      .Case([&](QConv2DOp o) { return lowerQConv(o); })
      .Case([&](QLinearOp o) { return lowerQLinear(o); })
      .Case([&](QMatMulOp o) {
        return lowerMatMul(o, o.getLhs(), o.getRhs(), true);
      })
      .Case([&](QAddOp o) {
        q::UniformParams a = perTensorParamsOf(o.getLhs().getType());
        q::UniformParams b = perTensorParamsOf(o.getRhs().getType());
        q::UniformParams y = perTensorParamsOf(o.getType());
        // The executor's (TFLite's) rescaling to twice the larger scale.
        constexpr int kLeftShift = 20;
        double twiceMax = 2.0 * std::max(a.scale, b.scale);
        q::QuantizedMultiplier ma = q::quantizeMultiplier(a.scale / twiceMax);
        q::QuantizedMultiplier mb = q::quantizeMultiplier(b.scale / twiceMax);
        q::QuantizedMultiplier mo =
            q::quantizeMultiplier(twiceMax / ((1 << kLeftShift) * y.scale));
        call("dlc_qadd_s8",
             {Arg(cast<ShapedType>(o.getType()).getNumElements()),
              bufferOf(o.getLhs()), Arg(a.zeroPoint), Arg(ma.multiplier),
              Arg(ma.shift), bufferOf(o.getRhs()), Arg(b.zeroPoint),
              Arg(mb.multiplier), Arg(mb.shift), Arg(mo.multiplier),
              Arg(mo.shift), Arg(y.zeroPoint), Arg(y.qmin), Arg(y.qmax),
              bufferOf(o.getResult())},
             describe(o));
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}
