//===- Executor.cpp - reference executor for dlc IR -----------------------===//
//
// Interprets a function's ops in order over host tensors, freeing each
// intermediate after its last use. Weights in dense_resource blobs are used
// in place.
//
//===----------------------------------------------------------------------===//

#include "dlc/Runtime/Executor.h"
#include "Kernels.h"
#include "QuantOpExecution.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "dlc/Quant/NF4.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/TypeSwitch.h"
#include <chrono>
#include <cstring>

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::runtime;
namespace k = mlir::dlc::runtime::kernels;

static bool isF32Tensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType().isF32();
}

static bool isSupported(Operation *op) {
  return isa<ConstantOp, Conv2DOp, BatchNormOp, LayerNormOp, MaxPool2DOp,
             AvgPool2DOp, GlobalAvgPoolOp, MatMulOp, LinearOp, AddOp, SubOp,
             MulOp, DivOp, MaxOp, MinOp, SoftmaxOp, LogSoftmaxOp, ReshapeOp,
             FlattenOp, TransposeOp, ConcatOp, SliceOp, SplitOp, PadOp,
             ResizeOp, ExpandOp, QConstantOp, NF4ConstantOp, QuantizeOp,
             DequantizeOp, RequantizeOp, QConv2DOp, QLinearOp, QMatMulOp,
             QAddOp, func::ReturnOp>(op) ||
         isElementwiseActivation(op);
}

/// The fp32 contents of a constant, viewing resource blobs in place.
/// dlc.resize's attributes as the kernel takes them (the enums in the same
/// order).
static k::ResizeSpec resizeSpecOf(ResizeOp op) {
  static_assert(
      static_cast<int>(ResizeMode::cubic) ==
          static_cast<int>(k::ResizeSpec::Mode::Cubic) &&
      static_cast<int>(ResizeCoordinates::tf_half_pixel_for_nn) ==
          static_cast<int>(k::ResizeSpec::Coordinates::TfHalfPixelForNN) &&
      static_cast<int>(NearestRounding::ceil) ==
          static_cast<int>(k::ResizeSpec::Rounding::Ceil));
  k::ResizeSpec spec;
  spec.mode = static_cast<k::ResizeSpec::Mode>(op.getMode());
  spec.coordinates =
      static_cast<k::ResizeSpec::Coordinates>(op.getCoordinateMode());
  spec.rounding = static_cast<k::ResizeSpec::Rounding>(op.getNearestMode());
  spec.cubicA = op.getCubicCoeffA().convertToFloat();
  spec.excludeOutside = op.getExcludeOutside();
  for (unsigned axis = 0; axis < 2; ++axis) {
    spec.sizes[axis] = op.getSizes()[axis];
    spec.scales[axis] = op.getAxisScale(axis);
    spec.lengths[axis] = op.getResizedLength(axis);
  }
  return spec;
}

/// The kernel of an activation without parameters.
static std::optional<k::UnaryKind> unaryKindOf(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<k::UnaryKind>>(op)
      .Case([](ReluOp) { return k::UnaryKind::Relu; })
      .Case([](SigmoidOp) { return k::UnaryKind::Sigmoid; })
      .Case([](TanhOp) { return k::UnaryKind::Tanh; })
      .Case([](HardSwishOp) { return k::UnaryKind::HardSwish; })
      .Case([](SiluOp) { return k::UnaryKind::Silu; })
      .Case([](SqrtOp) { return k::UnaryKind::Sqrt; })
      .Case([](ExpOp) { return k::UnaryKind::Exp; })
      .Case([](LogOp) { return k::UnaryKind::Log; })
      .Case([](ErfOp) { return k::UnaryKind::Erf; })
      .Case([](NegOp) { return k::UnaryKind::Neg; })
      .Case([](AbsOp) { return k::UnaryKind::Abs; })
      .Case([](ReciprocalOp) { return k::UnaryKind::Reciprocal; })
      .Case([](SoftplusOp) { return k::UnaryKind::Softplus; })
      .Case([](GeluOp g) {
        return g.getApproximate() == GeluApproximation::tanh
                   ? k::UnaryKind::GeluTanh
                   : k::UnaryKind::Gelu;
      })
      .Default([](Operation *) { return std::nullopt; });
}

static FailureOr<Tensor> decodeConstant(ConstantOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  if (!type.getElementType().isF32())
    return op.emitOpError("holds ")
           << type.getElementType()
           << " values; the reference executor runs f32 only";
  Attribute value = op.getValue();
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(value)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return op.emitOpError("refers to resource blob '")
             << resource.getRawHandle().getKey()
             << "', which holds no data (was it elided?)";
    return Tensor::view(type.getShape(), data->data(), nullptr);
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    auto values = dense.getValues<float>();
    return Tensor(type.getShape(),
                  std::vector<float>(values.begin(), values.end()));
  }
  return op.emitOpError("has a value the executor cannot read");
}

/// Float ops run on f32; pooling and data movement also on per-tensor int8;
/// the quantized ops on what their verifiers allow.
static LogicalResult checkElementTypes(Operation &op) {
  if (auto quantize = dyn_cast<QuantizeOp>(op))
    if (getInt8SubChannel(quantize.getType()))
      return op.emitOpError("quantizes to per-block scales, which the "
                            "reference executor does not run (per-block "
                            "weights are quantized at compile time)");
  if (isa<QConstantOp, NF4ConstantOp, QuantizeOp, DequantizeOp, RequantizeOp,
          QConv2DOp, QLinearOp, QMatMulOp, QAddOp, ConstantOp, func::ReturnOp>(
          op))
    return success();
  bool int8Capable = carriesInt8(&op);
  for (Type type :
       llvm::concat<const Type>(op.getOperandTypes(), op.getResultTypes())) {
    Type element = elementTypeOf(type);
    if (element.isF32() || (int8Capable && getInt8PerTensor(element)))
      continue;
    return op.emitOpError("computes on ")
           << element << ", which the reference executor does not run here "
           << "(f32, and per-tensor int8 for pooling, nearest resize and data "
              "movement)";
  }
  return success();
}

/// The bytes of an integer or fp8 elements attribute (a splat expanded).
static FailureOr<std::vector<char>> rawBytes(Operation *op, Attribute attr) {
  if (std::optional<std::vector<char>> bytes = storedBytes(attr))
    return std::move(*bytes);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return op->emitOpError("refers to resource blob '")
           << resource.getRawHandle().getKey()
           << "', which holds no data or the wrong number of bytes";
  return op->emitOpError("has a value the executor cannot read");
}

/// The stored values of a quantized constant: int8 codes, fp8 codes or
/// int32 biases.
static FailureOr<Tensor> decodeQuantizedConstant(QConstantOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  FailureOr<std::vector<char>> bytes = rawBytes(op, op.getValue());
  if (failed(bytes))
    return failure();
  if (storageElementTypeOf(type).isInteger(32)) {
    std::vector<int32_t> values(type.getNumElements());
    std::memcpy(values.data(), bytes->data(), values.size() * 4);
    return Tensor(type.getShape(), std::move(values));
  }
  std::vector<int8_t> values(bytes->begin(), bytes->end());
  return Tensor(type.getShape(), std::move(values));
}

/// The fp32 weight an NF4 constant decodes to.
static FailureOr<Tensor> decodeNF4(NF4ConstantOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  if (!type.getElementType().isF32())
    return op.emitOpError("decodes to ")
           << type.getElementType() << "; the executor runs f32";
  FailureOr<quantization::NF4Weights> weights = getNF4Weights(op);
  if (failed(weights))
    return failure();
  return Tensor(type.getShape(), quantization::dequantizeNF4(*weights));
}

FailureOr<Executor> Executor::create(func::FuncOp func,
                                     ExecutorOptions options) {
  k::setThreadCount(options.threads);
  if (func.isExternal())
    return func.emitError("cannot execute an external function");
  Executor executor(func, options);
  for (Type type : func.getArgumentTypes())
    if (!isF32Tensor(type))
      return func.emitError("argument type ")
             << type << " is not supported; the executor runs f32 tensors";
  Block &body = func.front();
  unsigned index = 0;
  for (Operation &op : body) {
    if (!isSupported(&op))
      return op.emitOpError("is not supported by the reference executor");
    if (failed(checkElementTypes(op)))
      return failure();
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      FailureOr<Tensor> tensor = decodeConstant(constant);
      if (failed(tensor))
        return failure();
      executor.constants[constant.getResult()] = *tensor;
    }
    if (auto constant = dyn_cast<QConstantOp>(op)) {
      FailureOr<Tensor> tensor = decodeQuantizedConstant(constant);
      if (failed(tensor))
        return failure();
      executor.constants[constant.getResult()] = *tensor;
    }
    if (auto constant = dyn_cast<NF4ConstantOp>(op)) {
      FailureOr<Tensor> tensor = decodeNF4(constant);
      if (failed(tensor))
        return failure();
      executor.constants[constant.getResult()] = *tensor;
    }
    if (auto conv = dyn_cast<Conv2DOp>(op)) {
      auto it = executor.constants.find(conv.getWeight());
      if (options.winograd && it != executor.constants.end() &&
          winogradApplies(it->second.shape(), conv.getStrides(),
                          conv.getDilations(),
                          static_cast<int64_t>(conv.getGroups())))
        executor.winogradWeights[&op] =
            std::make_shared<const std::vector<float>>(
                k::winogradTransformWeights(it->second));
    }
    for (Value operand : op.getOperands())
      executor.lastUse[operand] = index;
    ++index;
  }
  return executor;
}

static k::Window2D windowOf(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                            bool ceilMode) {
  k::Window2D w;
  for (int i = 0; i < 2; ++i) {
    w.kernel[i] = kernel.empty() ? 1 : kernel[i];
    w.stride[i] = strides[i];
    w.dilation[i] = dilations[i];
  }
  for (int i = 0; i < 4; ++i)
    w.pads[i] = pads[i];
  w.ceilMode = ceilMode;
  return w;
}

/// Resolves a reshape target against the runtime element count.
static SmallVector<int64_t> resolveShape(ArrayRef<int64_t> target,
                                         int64_t count) {
  SmallVector<int64_t> shape(target);
  int64_t known = 1;
  int64_t inferred = -1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == -1 || ShapedType::isDynamic(d))
      inferred = static_cast<int64_t>(i);
    else
      known *= d;
  }
  if (inferred >= 0)
    shape[inferred] = known ? count / known : 0;
  return shape;
}

llvm::Expected<std::vector<Tensor>> Executor::run(ArrayRef<Tensor> inputs) {
  return run(inputs, nullptr);
}

llvm::Expected<std::vector<Tensor>>
Executor::run(ArrayRef<Tensor> inputs,
              llvm::function_ref<void(Value, const Tensor &)> observe) {
  Block &body = func.front();
  if (inputs.size() != body.getNumArguments())
    return llvm::createStringError("@" + func.getSymName().str() + " takes " +
                                   std::to_string(body.getNumArguments()) +
                                   " inputs, got " +
                                   std::to_string(inputs.size()));
  DenseMap<Value, Tensor> env;
  std::optional<int64_t> batch;
  for (auto [i, arg, input] : llvm::enumerate(body.getArguments(), inputs)) {
    auto type = cast<RankedTensorType>(arg.getType());
    bool ok = type.getRank() == input.rank();
    for (int64_t d = 0; ok && d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        ok = type.getDimSize(d) == input.dim(d);
      else if (batch && *batch != input.dim(d))
        ok = false;
      else
        batch = input.dim(d);
    }
    if (!ok) {
      std::string message;
      llvm::raw_string_ostream os(message);
      os << "input #" << i << " has shape ";
      llvm::interleave(input.shape(), os, "x");
      os << ", which does not match the argument type " << type
         << " (every dynamic batch dimension takes one size)";
      return llvm::createStringError(message);
    }
    env[arg] = input;
    if (observe)
      observe(arg, input);
  }

  // fp32 copies of int8 operands of pooling and data-movement ops.
  DenseMap<Value, Tensor> asFloat;
  auto get = [&](Value v) -> const Tensor & {
    auto converted = asFloat.find(v);
    if (converted != asFloat.end())
      return converted->second;
    auto it = constants.find(v);
    return it != constants.end() ? it->second : env.find(v)->second;
  };
  auto opt = [&](Value v) -> const Tensor * { return v ? &get(v) : nullptr; };

  unsigned index = 0;
  size_t profiledOps = 0;
  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<Tensor> results;
      for (Value v : ret.getOperands())
        results.push_back(get(v));
      return results;
    }
    SmallVector<Tensor> results;
    auto start = std::chrono::steady_clock::now();
    bool int8 = detail::movesInt8(op);
    asFloat.clear();
    if (int8)
      for (Value operand : op.getOperands())
        asFloat[operand] = detail::int8Operand(get(operand));
    bool quantized = detail::runQuantizedOp(op, get, results);
    std::optional<k::UnaryKind> unaryKind =
        quantized ? std::nullopt : unaryKindOf(&op);
    if (unaryKind)
      results.push_back(k::unary(*unaryKind, get(op.getOperand(0))));
    else if (!quantized)
      llvm::TypeSwitch<Operation *>(&op)
          .Case([&](ConstantOp) {})
          .Case([&](Conv2DOp c) {
            auto transformed = winogradWeights.find(c);
            results.push_back(k::conv2d(
                get(c.getInput()), get(c.getWeight()), opt(c.getBias()),
                windowOf({}, c.getStrides(), c.getPads(), c.getDilations(),
                         false),
                static_cast<int64_t>(c.getGroups()),
                transformed == winogradWeights.end()
                    ? nullptr
                    : transformed->second.get()));
          })
          .Case([&](BatchNormOp b) {
            results.push_back(k::batchNorm(get(b.getInput()), get(b.getScale()),
                                           get(b.getBias()), get(b.getMean()),
                                           get(b.getVar()),
                                           b.getEpsilon().convertToFloat()));
          })
          .Case([&](LayerNormOp l) {
            results.push_back(k::layerNorm(get(l.getInput()), get(l.getScale()),
                                           opt(l.getBias()),
                                           static_cast<int64_t>(l.getAxis()),
                                           l.getEpsilon().convertToFloat()));
          })
          .Case([&](MaxPool2DOp p) {
            results.push_back(k::maxPool2d(
                get(p.getInput()),
                windowOf(p.getKernelShape(), p.getStrides(), p.getPads(),
                         p.getDilations(), p.getCeilMode())));
          })
          .Case([&](AvgPool2DOp p) {
            results.push_back(
                k::avgPool2d(get(p.getInput()),
                             windowOf(p.getKernelShape(), p.getStrides(),
                                      p.getPads(), {1, 1}, p.getCeilMode()),
                             p.getCountIncludePad()));
          })
          .Case([&](GlobalAvgPoolOp p) {
            results.push_back(k::globalAvgPool(get(p.getInput())));
          })
          .Case([&](ExpandOp e) {
            // The result's shape at run time: the batch entry from the
            // batch operand (the verifier saw size 1 under it, so the
            // shapes broadcast).
            const Tensor &in = get(e.getInput());
            int64_t batch = e.getBatch() ? get(e.getBatch()).dim(0) : 0;
            results.push_back(
                k::expand(in, *ExpandOp::broadcastShape(in.shape(),
                                                        e.getShape(), batch)));
          })
          .Case([&](ResizeOp r) {
            results.push_back(k::resize(get(r.getInput()), resizeSpecOf(r)));
          })
          .Case([&](MatMulOp m) {
            results.push_back(k::matmul(get(m.getLhs()), get(m.getRhs())));
          })
          .Case([&](LinearOp l) {
            results.push_back(k::linear(get(l.getInput()), get(l.getWeight()),
                                        opt(l.getBias())));
          })
          .Case([&](MaxOp o) {
            results.push_back(k::binary(k::BinaryKind::Max, get(o.getLhs()),
                                        get(o.getRhs())));
          })
          .Case([&](MinOp o) {
            results.push_back(k::binary(k::BinaryKind::Min, get(o.getLhs()),
                                        get(o.getRhs())));
          })
          .Case([&](AddOp o) {
            results.push_back(k::binary(k::BinaryKind::Add, get(o.getLhs()),
                                        get(o.getRhs())));
          })
          .Case([&](SubOp o) {
            results.push_back(k::binary(k::BinaryKind::Sub, get(o.getLhs()),
                                        get(o.getRhs())));
          })
          .Case([&](MulOp o) {
            results.push_back(k::binary(k::BinaryKind::Mul, get(o.getLhs()),
                                        get(o.getRhs())));
          })
          .Case([&](DivOp o) {
            results.push_back(k::binary(k::BinaryKind::Div, get(o.getLhs()),
                                        get(o.getRhs())));
          })
          .Case([&](LeakyReluOp o) {
            results.push_back(
                k::leakyRelu(get(o.getInput()), o.getAlpha().convertToFloat()));
          })
          .Case([&](EluOp o) {
            results.push_back(
                k::elu(get(o.getInput()), o.getAlpha().convertToFloat()));
          })
          .Case([&](HardSigmoidOp o) {
            results.push_back(k::hardSigmoid(get(o.getInput()),
                                             o.getAlpha().convertToFloat(),
                                             o.getBeta().convertToFloat()));
          })
          .Case([&](ClipOp o) {
            results.push_back(k::clip(get(o.getInput()),
                                      o.getMin().convertToFloat(),
                                      o.getMax().convertToFloat()));
          })
          .Case([&](SoftmaxOp o) {
            results.push_back(k::softmax(get(o.getInput()),
                                         static_cast<int64_t>(o.getAxis())));
          })
          .Case([&](LogSoftmaxOp o) {
            results.push_back(k::softmax(get(o.getInput()),
                                         static_cast<int64_t>(o.getAxis()),
                                         /*log=*/true));
          })
          .Case([&](ReshapeOp o) {
            const Tensor &in = get(o.getInput());
            results.push_back(
                in.reshaped(resolveShape(o.getShape(), in.numElements())));
          })
          .Case([&](FlattenOp o) {
            const Tensor &in = get(o.getInput());
            int64_t axis = static_cast<int64_t>(o.getAxis());
            if (axis < 0)
              axis += in.rank();
            int64_t outer = 1;
            for (int64_t d = 0; d < axis; ++d)
              outer *= in.dim(d);
            results.push_back(
                in.reshaped({outer, outer ? in.numElements() / outer : 0}));
          })
          .Case([&](TransposeOp o) {
            results.push_back(k::transpose(get(o.getInput()), o.getPerm()));
          })
          .Case([&](ConcatOp o) {
            SmallVector<Tensor> ins;
            for (Value v : o.getInputs())
              ins.push_back(get(v));
            results.push_back(
                k::concat(ins, static_cast<int64_t>(o.getAxis())));
          })
          .Case([&](SliceOp o) {
            results.push_back(k::slice(get(o.getInput()), o.getAxes(),
                                       o.getStarts(), o.getEnds(),
                                       o.getSteps()));
          })
          .Case([&](SplitOp o) {
            for (Tensor &t :
                 k::split(get(o.getInput()), static_cast<int64_t>(o.getAxis()),
                          o.getSizes()))
              results.push_back(std::move(t));
          })
          .Case([&](PadOp o) {
            k::PadKind kind =
                o.getMode() == PadMode::reflect ? k::PadKind::Reflect
                : o.getMode() == PadMode::edge  ? k::PadKind::Edge
                                                : k::PadKind::Constant;
            results.push_back(k::pad(get(o.getInput()), o.getPads(), kind,
                                     o.getValue().convertToFloat()));
          });
    if (int8)
      for (auto [result, tensor] : llvm::zip(op.getResults(), results))
        tensor = detail::int8Result(op, result, tensor);
    if (options.profile && !isa<ConstantOp>(op)) {
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
      if (profiledOps == perOp.size())
        perOp.push_back({&op, {}});
      perOp[profiledOps++].ms.push_back(ms);
    }
    for (auto [result, tensor] : llvm::zip(op.getResults(), results)) {
      if (observe)
        observe(result, tensor);
      // A result nothing reads is released at once, so its buffer is
      // recycled while still in cache.
      if (!result.use_empty())
        env[result] = std::move(tensor);
    }
    // Free what this op was the last to read.
    for (Value operand : op.getOperands()) {
      auto it = lastUse.find(operand);
      if (it != lastUse.end() && it->second == index &&
          !constants.count(operand))
        env.erase(operand);
    }
    ++index;
  }
  return llvm::createStringError("@" + func.getSymName().str() +
                                 " has no return");
}
