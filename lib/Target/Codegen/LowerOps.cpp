//===- LowerOps.cpp - other float ops to kernel calls ---------------------===//
//
// Elementwise ops, pooling, normalization and data movement (transpose,
// concat, slice, split, pad): one kernel call each, with the shapes and
// strides the kernels index by.
//
//===----------------------------------------------------------------------===//

#include "LoweringImpl.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::codegen;

//===----------------------------------------------------------------------===//
// Elementwise, pooling, normalization, data movement
//===----------------------------------------------------------------------===//

LogicalResult Lowering::lowerBinary(Operation &op, StringRef kind) {
  SmallVector<int64_t> out = shapeOf(op.getResult(0));
  if (out.empty())
    out.push_back(1);
  if (out.size() > 6)
    return op.emitOpError("has rank ") << out.size() << "; " << backendName()
                                       << "'s elementwise kernels take 6";
  auto stridesFor = [&](Value operand) {
    SmallVector<int64_t> shape = shapeOf(operand);
    SmallVector<int64_t> aligned(out.size() - shape.size(), 1);
    aligned.append(shape.begin(), shape.end());
    SmallVector<int64_t> strides = stridesOf(aligned);
    for (size_t d = 0; d < out.size(); ++d)
      if (aligned[d] == 1 && out[d] != 1)
        strides[d] = 0;
    return strides;
  };
  SmallVector<int64_t> as = stridesFor(op.getOperand(0)),
                       bs = stridesFor(op.getOperand(1));
  float inf = std::numeric_limits<float>::infinity();
  call("dlc_binary_f32",
       {Constant{kind.str()}, Arg(static_cast<int64_t>(out.size())),
        IntArray{"int64_t", {out.begin(), out.end()}},
        bufferOf(op.getOperand(0)), IntArray{"int64_t", {as.begin(), as.end()}},
        bufferOf(op.getOperand(1)), IntArray{"int64_t", {bs.begin(), bs.end()}},
        bufferOf(op.getResult(0)), clampArg(-inf, inf)},
       describe(&op));
  return success();
}

LogicalResult Lowering::lowerUnary(Operation &op) {
  float lo = 0, hi = 0;
  StringRef kind = llvm::TypeSwitch<Operation *, StringRef>(&op)
                       .Case([](ReluOp) { return "DLC_RELU"; })
                       .Case([&](ClipOp c) {
                         lo = c.getMin().convertToFloat();
                         hi = c.getMax().convertToFloat();
                         return "DLC_CLIP";
                       })
                       .Case([](SigmoidOp) { return "DLC_SIGMOID"; })
                       .Case([](SqrtOp) { return "DLC_SQRT"; })
                       .Case([](ExpOp) { return "DLC_EXP"; })
                       .Case([](LogOp) { return "DLC_LOG"; })
                       .Case([](ErfOp) { return "DLC_ERF"; })
                       .Case([](NegOp) { return "DLC_NEG"; })
                       .Case([](AbsOp) { return "DLC_ABS"; })
                       .Case([](ReciprocalOp) { return "DLC_RECIPROCAL"; })
                       .Case([](TanhOp) { return "DLC_TANH"; })
                       .Case([](SoftplusOp) { return "DLC_SOFTPLUS"; })
                       .Case([&](LeakyReluOp l) {
                         lo = l.getAlpha().convertToFloat();
                         return "DLC_LEAKY_RELU";
                       })
                       .Case([&](EluOp e) {
                         lo = e.getAlpha().convertToFloat();
                         return "DLC_ELU";
                       })
                       .Case([](HardSwishOp) { return "DLC_HARD_SWISH"; })
                       .Case([](SiluOp) { return "DLC_SILU"; })
                       .Case([&](HardSigmoidOp h) {
                         lo = h.getAlpha().convertToFloat();
                         hi = h.getBeta().convertToFloat();
                         return "DLC_HARD_SIGMOID";
                       })
                       .Case([](GeluOp g) {
                         return g.getApproximate() == GeluApproximation::tanh
                                    ? "DLC_GELU_TANH"
                                    : "DLC_GELU";
                       });
  call("dlc_unary_f32",
       {Constant{kind.str()}, Arg(numElements(op.getOperand(0))),
        bufferOf(op.getOperand(0)), bufferOf(op.getResult(0)), Arg(lo),
        Arg(hi)},
       describe(&op));
  return success();
}

LogicalResult Lowering::lowerPool(Operation &op) {
  Value input = op.getOperand(0), result = op.getResult(0);
  bool int8 =
      getInt8PerTensor(cast<ShapedType>(input.getType()).getElementType()) !=
      nullptr;
  auto in = cast<ShapedType>(input.getType());
  auto out = cast<ShapedType>(result.getType());
  int64_t lo = -128, hi = 127;
  if (int8) {
    auto p = perTensorParamsOf(out.getElementType());
    lo = p.qmin;
    hi = p.qmax;
  }
  if (isa<GlobalAvgPoolOp>(op)) {
    int64_t planes = in.getDimSize(0) * in.getDimSize(1);
    std::vector<Arg> args = {Arg(planes), Arg(in.getNumElements() / planes),
                             bufferOf(input), bufferOf(result)};
    if (int8) {
      args.push_back(Arg(lo));
      args.push_back(Arg(hi));
    }
    call(int8 ? "dlc_global_avgpool_s8" : "dlc_global_avgpool_f32", args,
         describe(&op));
    return success();
  }
  ArrayRef<int64_t> kernel, strides, pads;
  SmallVector<int64_t> dilations = {1, 1};
  bool includePad = false;
  if (auto max = dyn_cast<MaxPool2DOp>(op)) {
    kernel = max.getKernelShape();
    strides = max.getStrides();
    pads = max.getPads();
    dilations.assign(max.getDilations().begin(), max.getDilations().end());
  } else {
    auto avg = cast<AvgPool2DOp>(op);
    kernel = avg.getKernelShape();
    strides = avg.getStrides();
    pads = avg.getPads();
    includePad = avg.getCountIncludePad();
  }
  Aggregate geom{"dlc_pool_geom",
                 true,
                 {Arg(in.getDimSize(1)), Arg(in.getDimSize(2)),
                  Arg(in.getDimSize(3)), Arg(out.getDimSize(2)),
                  Arg(out.getDimSize(3)), Arg(kernel[0]), Arg(kernel[1]),
                  Arg(strides[0]), Arg(strides[1]), Arg(pads[0]), Arg(pads[1]),
                  Arg(pads[2]), Arg(pads[3]), Arg(dilations[0]),
                  Arg(dilations[1])}};
  std::vector<Arg> args = {Arg(in.getDimSize(0)), geom, bufferOf(input),
                           bufferOf(result)};
  std::string kernelName;
  if (isa<MaxPool2DOp>(op)) {
    kernelName = int8 ? "dlc_maxpool_s8" : "dlc_maxpool_f32";
  } else {
    kernelName = int8 ? "dlc_avgpool_s8" : "dlc_avgpool_f32";
    args.push_back(Arg(includePad ? 1 : 0));
    if (int8) {
      args.push_back(Arg(lo));
      args.push_back(Arg(hi));
    }
  }
  call(kernelName, args, describe(&op));
  return success();
}

LogicalResult Lowering::lowerResize(ResizeOp op) {
  auto in = cast<ShapedType>(op.getInput().getType());
  auto out = cast<ShapedType>(op.getType());
  // The library's enumerators spell the dialect's enums.
  auto named = [](StringRef prefix, StringRef value) {
    return Constant{(prefix + value.upper()).str()};
  };
  Aggregate geom{"dlc_resize_geom",
                 true,
                 {Arg(in.getDimSize(2)), Arg(in.getDimSize(3)),
                  Arg(out.getDimSize(2)), Arg(out.getDimSize(3)),
                  named("DLC_RESIZE_", stringifyEnum(op.getMode())),
                  named("DLC_RESIZE_", stringifyEnum(op.getCoordinateMode())),
                  named("DLC_NEAREST_", stringifyEnum(op.getNearestMode())),
                  Arg(op.getExcludeOutside() ? 1 : 0),
                  Arg(op.getCubicCoeffA().convertToFloat()),
                  Arg(op.getAxisScale(0)), Arg(op.getAxisScale(1)),
                  Arg(op.getResizedLength(0)), Arg(op.getResizedLength(1))}};
  // Nearest mode copies int8 codes (the scale is the input's).
  bool int8 = getInt8PerTensor(in.getElementType()) != nullptr;
  call(int8 ? "dlc_resize_s8" : "dlc_resize_f32",
       {Arg(in.getDimSize(0) * in.getDimSize(1)), geom, bufferOf(op.getInput()),
        bufferOf(op.getResult())},
       describe(op));
  return success();
}

LogicalResult Lowering::lowerNormalization(Operation &op) {
  if (auto bn = dyn_cast<BatchNormOp>(op)) {
    auto coefficients = batchNormCoefficients(bn);
    if (!coefficients)
      return op.emitOpError("has statistics that are not constants; ")
             << backendName() << " folds them at emit time";
    auto &[mul, add] = *coefficients;
    auto in = cast<ShapedType>(bn.getInput().getType());
    int64_t n = in.getDimSize(0), channels = in.getDimSize(1);
    call("dlc_channel_affine_f32",
         {Arg(n), Arg(channels), Arg(in.getNumElements() / (n * channels)),
          bufferOf(bn.getInput()),
          program.addWeights(mul.data(), mul.size() * 4, ElemType::F32),
          program.addWeights(add.data(), add.size() * 4, ElemType::F32),
          bufferOf(bn.getResult())},
         describe(&op));
    return success();
  }
  if (auto ln = dyn_cast<LayerNormOp>(op)) {
    auto type = cast<ShapedType>(ln.getInput().getType());
    auto [rows, channels, inner] =
        aroundAxis(type, positiveAxis(ln.getAxis(), type.getRank()));
    call("dlc_layernorm_f32",
         {Arg(rows), Arg(channels * inner), bufferOf(ln.getInput()),
          bufferOf(ln.getScale()),
          ln.getBias() ? Arg(bufferOf(ln.getBias())) : null(),
          Arg(ln.getEpsilon().convertToFloat()), bufferOf(ln.getResult())},
         describe(&op));
    return success();
  }
  // Softmax or log-softmax: one kernel, a flag.
  bool log = isa<LogSoftmaxOp>(op);
  int64_t axis = log ? cast<LogSoftmaxOp>(op).getAxis()
                     : static_cast<int64_t>(cast<SoftmaxOp>(op).getAxis());
  auto type = cast<ShapedType>(op.getOperand(0).getType());
  auto [outer, size, inner] =
      aroundAxis(type, positiveAxis(axis, type.getRank()));
  call("dlc_softmax_f32",
       {Arg(outer), Arg(size), Arg(inner), bufferOf(op.getOperand(0)),
        bufferOf(op.getResult(0)), Arg(log ? 1 : 0)},
       describe(&op));
  return success();
}

LogicalResult Lowering::lowerDataMovement(Operation &op) {
  FailureOr<ElemType> type = elemTypeOf(op.getOperand(0), &op);
  if (failed(type))
    return failure();
  int64_t size = byteWidth(*type);
  auto copy = [&](ArrayRef<int64_t> shape, Value src, int64_t srcOffset,
                  ArrayRef<int64_t> srcStrides, Value dst, int64_t dstOffset,
                  ArrayRef<int64_t> dstStrides) {
    SmallVector<int64_t> s(shape), ss(srcStrides), ds(dstStrides);
    if (s.empty()) {
      s = {1};
      ss = {1};
      ds = {1};
    }
    call("dlc_copy_strided",
         {Arg(static_cast<int64_t>(s.size())),
          IntArray{"int64_t", {s.begin(), s.end()}}, bufferOf(src),
          Arg(srcOffset), IntArray{"int64_t", {ss.begin(), ss.end()}},
          bufferOf(dst), Arg(dstOffset),
          IntArray{"int64_t", {ds.begin(), ds.end()}}, Arg(size)},
         describe(&op));
  };
  SmallVector<int64_t> inShape = shapeOf(op.getOperand(0));
  if (inShape.size() > 6)
    return op.emitOpError("has rank ")
           << inShape.size() << "; " << backendName() << "'s copies take 6";
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  if (auto t = dyn_cast<TransposeOp>(op)) {
    SmallVector<int64_t> outShape = shapeOf(t.getResult()), src;
    for (int64_t p : t.getPerm())
      src.push_back(inStrides[p]);
    copy(outShape, t.getInput(), 0, src, t.getResult(), 0, stridesOf(outShape));
    return success();
  }
  if (auto c = dyn_cast<ConcatOp>(op)) {
    SmallVector<int64_t> outShape = shapeOf(c.getResult());
    int64_t axis = positiveAxis(c.getAxis(), outShape.size());
    SmallVector<int64_t> outStrides = stridesOf(outShape);
    int64_t offset = 0;
    for (Value in : c.getInputs()) {
      SmallVector<int64_t> shape = shapeOf(in);
      copy(shape, in, 0, stridesOf(shape), c.getResult(),
           offset * outStrides[axis], outStrides);
      offset += shape[axis];
    }
    return success();
  }
  if (auto s = dyn_cast<SliceOp>(op)) {
    SmallVector<int64_t> strides(inStrides);
    int64_t base = 0;
    for (auto [i, axis] : llvm::enumerate(s.getAxes())) {
      int64_t a = axis < 0 ? axis + inShape.size() : axis;
      int64_t step = s.getSteps().empty() ? 1 : s.getSteps()[i];
      strides[a] = inStrides[a] * step;
      base += s.getStarts()[i] * inStrides[a];
    }
    SmallVector<int64_t> outShape = shapeOf(s.getResult());
    copy(outShape, s.getInput(), base, strides, s.getResult(), 0,
         stridesOf(outShape));
    return success();
  }
  if (auto e = dyn_cast<ExpandOp>(op)) {
    // Broadcast dimensions read the same element again: stride 0.
    SmallVector<int64_t> outShape = shapeOf(e.getResult());
    if (outShape.size() > 6)
      return op.emitOpError("has rank ")
             << outShape.size() << "; " << backendName() << "'s copies take 6";
    SmallVector<int64_t> strides(outShape.size(), 0);
    size_t offset = outShape.size() - inShape.size();
    for (size_t d = 0; d < inShape.size(); ++d)
      if (inShape[d] == outShape[offset + d])
        strides[offset + d] = inStrides[d];
    copy(outShape, e.getInput(), 0, strides, e.getResult(), 0,
         stridesOf(outShape));
    return success();
  }
  if (auto s = dyn_cast<SplitOp>(op)) {
    int64_t axis = positiveAxis(s.getAxis(), inShape.size());
    int64_t start = 0;
    for (Value out : s.getResults()) {
      SmallVector<int64_t> outShape = shapeOf(out);
      copy(outShape, s.getInput(), start * inStrides[axis], inStrides, out, 0,
           stridesOf(outShape));
      start += outShape[axis];
    }
    return success();
  }
  auto pad = cast<PadOp>(op);
  SmallVector<int64_t> outShape = shapeOf(pad.getResult());
  StringRef mode = pad.getMode() == PadMode::reflect ? "DLC_PAD_REFLECT"
                   : pad.getMode() == PadMode::edge  ? "DLC_PAD_EDGE"
                                                     : "DLC_PAD_CONSTANT";
  ArrayRef<int64_t> pads = pad.getPads();
  call("dlc_pad_f32",
       {Arg(static_cast<int64_t>(inShape.size())),
        IntArray{"int64_t", {inShape.begin(), inShape.end()}},
        IntArray{"int64_t", {outShape.begin(), outShape.end()}},
        IntArray{"int64_t", {pads.begin(), pads.begin() + inShape.size()}},
        Constant{mode.str()}, Arg(pad.getValue().convertToFloat()),
        bufferOf(pad.getInput()), bufferOf(pad.getResult())},
       describe(&op));
  return success();
}
