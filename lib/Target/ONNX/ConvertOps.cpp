//===- ConvertOps.cpp - ONNX nodes to dlc ops -----------------------------===//
//
// One converter per ONNX op type. Each reads the node's inputs and
// attributes with ONNX's defaults for the model's opset, and builds dlc ops
// whose verifiers then check shapes at the node's location.
//
//===----------------------------------------------------------------------===//

#include "ConvertHelpers.h"
#include "KnownTensorOps.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "llvm/ADT/StringSwitch.h"
#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::onnx_import;

FailureOr<Value> mlir::dlc::onnx_import::reshapeTo(Importer &imp, Value input,
                                                   ArrayRef<int64_t> shape) {
  Ints target;
  bool haveInferred = false;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d) || isUnknownValue(d) || d == -1) {
      if (haveInferred)
        return imp.fail("reshape to ", shape.size(),
                        "-D needs more than one inferred dimension");
      haveInferred = true;
      target.push_back(-1);
    } else {
      target.push_back(d);
    }
  }
  FailureOr<ReshapeOp> op = imp.create<ReshapeOp>(input, target);
  if (failed(op))
    return failure();
  return op->getResult();
}

/// Resolves ONNX's auto_pad into explicit [top, left, bottom, right] pads.
static LogicalResult resolvePads(Importer &imp, const NodeAttrs &attrs,
                                 Value input, ArrayRef<int64_t> kernel,
                                 ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> dilations, Ints &pads) {
  std::string autoPad = attrs.getString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    pads = attrs.getInts("pads").value_or(Ints{0, 0, 0, 0});
    return success();
  }
  pads.assign(4, 0);
  if (autoPad == "VALID")
    return success();
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return imp.fail("auto_pad '", autoPad, "' is not supported");
  ArrayRef<int64_t> shape = shapeOf(input);
  for (int i = 0; i < 2; ++i) {
    int64_t size = shape[2 + i];
    if (ShapedType::isDynamic(size))
      return imp.fail("auto_pad needs static spatial dimensions");
    int64_t out = (size + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - size);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + 2] = autoPad == "SAME_UPPER" ? large : small;
  }
  return success();
}

static LogicalResult requireRank4(Importer &imp, Value input) {
  if (rankOf(input) != 4)
    return imp.fail("only 2-D spatial ops (4-D NCHW input) are supported, "
                    "got a rank-",
                    rankOf(input), " input");
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution, normalization, pooling
//===----------------------------------------------------------------------===//

static LogicalResult convertConv(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0), w = imp.getInput(1);
  Value b = imp.hasInput(2) ? imp.getInput(2) : Value();
  if (!x || !w || (imp.hasInput(2) && !b) || failed(requireRank4(imp, x)))
    return failure();
  Ints strides = attrs.getInts("strides").value_or(Ints{1, 1});
  Ints dilations = attrs.getInts("dilations").value_or(Ints{1, 1});
  ArrayRef<int64_t> weightShape = shapeOf(w);
  if (weightShape.size() != 4)
    return imp.fail("expects a 4-D weight, got rank ", weightShape.size());
  Ints pads;
  if (failed(resolvePads(imp, attrs, x, weightShape.drop_front(2), strides,
                         dilations, pads)))
    return failure();
  return setResult(imp, imp.create<Conv2DOp>(x, w, b, strides, pads, dilations,
                                             attrs.getInt("group", 1)));
}

static LogicalResult convertBatchNorm(Importer &imp, const NodeAttrs &attrs) {
  if (attrs.getInt("training_mode", 0) != 0)
    return imp.fail("training_mode = 1 is not supported (inference only)");
  if (failed(requireSingleOutput(imp)))
    return failure();
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 5; ++i) {
    operands.push_back(imp.getInput(i));
    if (!operands.back())
      return failure();
  }
  return setResult(
      imp, imp.create<BatchNormOp>(operands[0], operands[1], operands[2],
                                   operands[3], operands[4],
                                   APFloat(attrs.getFloat("epsilon", 1e-5f))));
}

static LogicalResult convertLayerNorm(Importer &imp, const NodeAttrs &attrs) {
  if (failed(requireSingleOutput(imp)))
    return failure();
  Value x = imp.getInput(0), scale = imp.getInput(1);
  Value bias = imp.hasInput(2) ? imp.getInput(2) : Value();
  if (!x || !scale || (imp.hasInput(2) && !bias))
    return failure();
  return setResult(
      imp, imp.create<LayerNormOp>(x, scale, bias, attrs.getInt("axis", -1),
                                   APFloat(attrs.getFloat("epsilon", 1e-5f))));
}

/// Whether input `index` is known to hold `value` everywhere.
static bool isKnownSplat(Importer &imp, unsigned index, double value) {
  const KnownTensor *known = imp.getKnownInput(index);
  if (!known || !known->isFloat())
    return false;
  std::vector<double> values = readReals(*known);
  return llvm::all_of(values, [&](double v) { return v == value; });
}

/// InstanceNormalization of N x C x spatial: a layer norm over the spatial
/// axes (unit scale: the statistics in double, as the executor's layer
/// norm), then the per-channel scale and bias, left out where they are
/// known ones and zeros (PyTorch's GroupNorm exports as a reshape to N x G
/// x rest, an InstanceNormalization of unit scale and zero bias, a
/// reshape back and its own affine).
static LogicalResult convertInstanceNorm(Importer &imp,
                                         const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  ArrayRef<int64_t> shape = shapeOf(x);
  if (shape.size() < 3)
    return imp.fail("expects an input of rank >= 3 (N x C x spatial), got "
                    "rank ",
                    shape.size());
  Ints spatial(shape.begin() + 2, shape.end());
  int64_t count = 1;
  for (int64_t d : spatial) {
    if (ShapedType::isDynamic(d))
      return imp.fail("needs static spatial dimensions");
    count *= d;
  }
  Value ones = createConstantF32(imp.getBuilder(), imp.getLoc(), spatial,
                                 std::vector<float>(count, 1.0f),
                                 imp.getNode().output(0) + ".unit_scale");
  FailureOr<LayerNormOp> normalized = imp.create<LayerNormOp>(
      x, ones, Value(), int64_t(2), APFloat(attrs.getFloat("epsilon", 1e-5f)));
  if (failed(normalized))
    return failure();
  Value result = normalized->getResult();
  // The per-channel affine, broadcast as C x 1 x ... x 1.
  Ints perChannel(shape.size() - 1, 1);
  perChannel[0] = shape[1];
  for (unsigned index : {1u, 2u}) {
    bool isScale = index == 1;
    if (isKnownSplat(imp, index, isScale ? 1.0 : 0.0))
      continue;
    Value param = imp.getInput(index);
    if (!param)
      return failure();
    FailureOr<Value> column = reshapeTo(imp, param, perChannel);
    if (failed(column))
      return failure();
    if (isScale) {
      FailureOr<MulOp> scaled = imp.create<MulOp>(result, *column);
      if (failed(scaled))
        return failure();
      result = scaled->getResult();
    } else {
      FailureOr<AddOp> shifted = imp.create<AddOp>(result, *column);
      if (failed(shifted))
        return failure();
      result = shifted->getResult();
    }
  }
  imp.setOutput(0, result);
  return success();
}

static LogicalResult convertPool(Importer &imp, const NodeAttrs &attrs) {
  if (failed(requireSingleOutput(imp)))
    return failure();
  Value x = imp.getInput(0);
  if (!x || failed(requireRank4(imp, x)))
    return failure();
  std::optional<Ints> kernel = attrs.getInts("kernel_shape");
  if (!kernel)
    return imp.fail("has no kernel_shape");
  Ints strides = attrs.getInts("strides").value_or(Ints{1, 1});
  Ints dilations = attrs.getInts("dilations").value_or(Ints{1, 1});
  Ints pads;
  if (failed(resolvePads(imp, attrs, x, *kernel, strides, dilations, pads)))
    return failure();
  bool ceilMode = attrs.getInt("ceil_mode", 0) != 0;
  if (imp.getNode().op_type() == "MaxPool") {
    if (attrs.getInt("storage_order", 0) != 0)
      return imp.fail("storage_order = 1 is not supported");
    return setResult(imp, imp.create<MaxPool2DOp>(x, *kernel, strides, pads,
                                                  dilations, ceilMode));
  }
  if (llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    return imp.fail("dilated average pooling is not supported");
  return setResult(
      imp, imp.create<AvgPool2DOp>(x, *kernel, strides, pads, ceilMode,
                                   attrs.getInt("count_include_pad", 0) != 0));
}

/// GlobalMaxPool of an N x C x H x W input: a max pool whose window is the
/// whole image.
static LogicalResult convertGlobalMaxPool(Importer &imp, const NodeAttrs &) {
  Value x = imp.getInput(0);
  if (!x || failed(requireRank4(imp, x)))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(x);
  if (ShapedType::isDynamic(shape[2]) || ShapedType::isDynamic(shape[3]))
    return imp.fail("needs a static image size");
  return setResult(imp, imp.create<MaxPool2DOp>(x, Ints{shape[2], shape[3]},
                                                Ints{1, 1}, Ints{0, 0, 0, 0},
                                                Ints{1, 1}, false));
}

static LogicalResult convertGlobalAvgPool(Importer &imp, const NodeAttrs &) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  return setResult(imp, imp.create<GlobalAvgPoolOp>(x));
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

static LogicalResult convertMatMul(Importer &imp, const NodeAttrs &) {
  // x @ W with a constant K x N weight is a linear layer (PyTorch exports
  // nn.Linear this way): store W transposed, once, as dlc.linear wants it.
  if (const KnownTensor *w = imp.getKnownInput(1);
      w && w->shape.size() == 2 && w->dtype == onnx::TensorProto::FLOAT) {
    Value a = imp.getInput(0);
    if (!a)
      return failure();
    if (rankOf(a) >= 2) {
      int64_t k = w->shape[0], n = w->shape[1];
      // Read f32 payloads in place; only folded values need converting.
      std::vector<float> converted;
      const float *values = reinterpret_cast<const float *>(w->bytes.data());
      if (w->folded || w->bytes.size() != static_cast<size_t>(k * n) * 4) {
        std::vector<double> reals = readReals(*w);
        converted.assign(reals.begin(), reals.end());
        values = converted.data();
      }
      std::vector<float> transposed(k * n);
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < n; ++j)
          transposed[j * k + i] = values[i * n + j];
      Value weight =
          createConstantF32(imp.getBuilder(), imp.getLoc(), {n, k}, transposed,
                            imp.getNode().input(1) + ".T");
      return setResult(imp, imp.create<LinearOp>(a, weight, Value()));
    }
  }
  Value a = imp.getInput(0), b = imp.getInput(1);
  if (!a || !b)
    return failure();
  // numpy promotes 1-D operands to matrices and drops that dimension after.
  bool vectorA = rankOf(a) == 1, vectorB = rankOf(b) == 1;
  if (vectorA) {
    FailureOr<Value> r = reshapeTo(imp, a, {1, shapeOf(a)[0]});
    if (failed(r))
      return failure();
    a = *r;
  }
  if (vectorB) {
    FailureOr<Value> r = reshapeTo(imp, b, {shapeOf(b)[0], 1});
    if (failed(r))
      return failure();
    b = *r;
  }
  FailureOr<MatMulOp> matmul = imp.create<MatMulOp>(a, b);
  if (failed(matmul))
    return failure();
  Value result = matmul->getResult();
  if (vectorA || vectorB) {
    Ints shape(shapeOf(result));
    shape.erase(shape.end() - (vectorB ? 1 : 2));
    if (vectorA && vectorB)
      shape.pop_back();
    FailureOr<Value> r = reshapeTo(imp, result, shape);
    if (failed(r))
      return failure();
    result = *r;
  }
  imp.setOutput(0, result);
  return success();
}

static LogicalResult convertGemm(Importer &imp, const NodeAttrs &attrs) {
  Value a = imp.getInput(0), b = imp.getInput(1);
  Value c = imp.hasInput(2) ? imp.getInput(2) : Value();
  if (!a || !b || (imp.hasInput(2) && !c))
    return failure();
  if (rankOf(a) != 2 || rankOf(b) != 2)
    return imp.fail("expects 2-D A and B");
  float alpha = attrs.getFloat("alpha", 1.0f),
        beta = attrs.getFloat("beta", 1.0f);
  if (attrs.getInt("transA", 0)) {
    FailureOr<TransposeOp> t = imp.create<TransposeOp>(a, Ints{1, 0});
    if (failed(t))
      return failure();
    a = t->getResult();
  }
  // dlc.linear takes the weight as N x K, which is B when transB = 1.
  if (!attrs.getInt("transB", 0)) {
    FailureOr<TransposeOp> t = imp.create<TransposeOp>(b, Ints{1, 0});
    if (failed(t))
      return failure();
    b = t->getResult();
  }
  int64_t outFeatures = shapeOf(b)[0];
  // A bias of N elements (shape [N] or [1, N]) with beta = 1 is linear's.
  Value bias;
  if (c && beta == 1.0f && alpha == 1.0f) {
    ArrayRef<int64_t> cShape = shapeOf(c);
    if ((cShape.size() == 1 && cShape[0] == outFeatures) ||
        (cShape.size() == 2 && cShape[0] == 1 && cShape[1] == outFeatures)) {
      if (cShape.size() == 2) {
        FailureOr<Value> r = reshapeTo(imp, c, {outFeatures});
        if (failed(r))
          return failure();
        c = *r;
      }
      bias = c;
      c = {};
    }
  }
  FailureOr<LinearOp> linear = imp.create<LinearOp>(a, b, bias);
  if (failed(linear))
    return failure();
  Value result = linear->getResult();
  if (alpha != 1.0f) {
    FailureOr<MulOp> scaled =
        imp.create<MulOp>(result, imp.createScalarLike(result, alpha));
    if (failed(scaled))
      return failure();
    result = scaled->getResult();
  }
  if (c) {
    if (beta != 1.0f) {
      FailureOr<MulOp> scaled =
          imp.create<MulOp>(c, imp.createScalarLike(c, beta));
      if (failed(scaled))
        return failure();
      c = scaled->getResult();
    }
    FailureOr<AddOp> sum = imp.create<AddOp>(result, c);
    if (failed(sum))
      return failure();
    result = sum->getResult();
  }
  imp.setOutput(0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise and activations
//===----------------------------------------------------------------------===//

template <typename OpT>
static LogicalResult convertBinary(Importer &imp, const NodeAttrs &) {
  Value lhs = imp.getInput(0), rhs = imp.getInput(1);
  if (!lhs || !rhs)
    return failure();
  return setResult(imp, imp.create<OpT>(lhs, rhs));
}

/// A known tensor as an f32 dlc.constant named after the node's output.
static Value constantOf(Importer &imp, const KnownTensor &tensor,
                        StringRef suffix) {
  std::vector<double> reals = readReals(tensor);
  return createConstantF32(imp.getBuilder(), imp.getLoc(), tensor.shape,
                           std::vector<float>(reals.begin(), reals.end()),
                           imp.getNode().output(0) + suffix.str());
}

/// Where with a known condition (a causal attention mask) picking between
/// a computed tensor and a known one, or two computed ones: arithmetic on
/// constants. A branch known to be +-inf everywhere (masked_fill with -inf)
/// is an added bias, computed + (cond ? inf : 0); otherwise each computed
/// branch is multiplied by its 0 / 1 mask and the known one added where
/// selected. Exact for finite computed values (x * 1 + 0, x * 0 + k).
static LogicalResult convertWhere(Importer &imp, const NodeAttrs &) {
  const KnownTensor *cond = imp.getKnownInput(0);
  if (!cond)
    return imp.fail("needs a constant condition");
  const KnownTensor *known[2] = {imp.getKnownInput(1), imp.getKnownInput(2)};
  KnownTensor one = makeReals({}, {1.0}, onnx::TensorProto::FLOAT);
  KnownTensor zero = makeReals({}, {0.0}, onnx::TensorProto::FLOAT);
  Value result;
  std::optional<KnownTensor> added;
  for (int side = 0; side < 2; ++side) {
    // Side 0 is taken where the condition holds, side 1 elsewhere.
    const KnownTensor &on = side == 0 ? one : zero;
    const KnownTensor &off = side == 0 ? zero : one;
    if (known[side]) {
      if (!known[side]->isFloat())
        return imp.fail("selects a non-float tensor");
      std::optional<KnownTensor> part =
          side == 0 ? foldWhere(*cond, *known[side], zero)
                    : foldWhere(*cond, zero, *known[side]);
      if (!part)
        return imp.fail("condition and inputs do not broadcast");
      added = added ? foldBinary("Add", *added, *part) : part;
      continue;
    }
    Value computed = imp.getInput(1 + side);
    if (!computed)
      return failure();
    const KnownTensor *other = known[1 - side];
    std::vector<double> otherValues =
        other ? readReals(*other) : std::vector<double>();
    bool infiniteOther = other && !otherValues.empty() &&
                         llvm::all_of(otherValues, [&](double v) {
                           return std::isinf(v) && v == otherValues.front();
                         });
    if (!infiniteOther) {
      std::optional<KnownTensor> mask = foldWhere(*cond, on, off);
      if (!mask)
        return failure();
      FailureOr<MulOp> masked =
          imp.create<MulOp>(computed, constantOf(imp, *mask, ".mask"));
      if (failed(masked))
        return failure();
      computed = masked->getResult();
    }
    if (result) {
      FailureOr<AddOp> sum = imp.create<AddOp>(result, computed);
      if (failed(sum))
        return failure();
      computed = sum->getResult();
    }
    result = computed;
  }
  if (!result)
    return imp.fail("has no computed input");
  if (added) {
    FailureOr<AddOp> sum =
        imp.create<AddOp>(result, constantOf(imp, *added, ".selected"));
    if (failed(sum))
      return failure();
    result = sum->getResult();
  }
  imp.setOutput(0, result);
  return success();
}

/// Max and Min of any number of inputs: a chain of binary ops.
template <typename OpT>
static LogicalResult convertVariadic(Importer &imp, const NodeAttrs &) {
  Value result = imp.getInput(0);
  if (!result)
    return failure();
  for (int i = 1; i < imp.getNode().input_size(); ++i) {
    Value next = imp.getInput(i);
    if (!next)
      return failure();
    FailureOr<OpT> op = imp.create<OpT>(result, next);
    if (failed(op))
      return failure();
    result = op->getResult();
  }
  imp.setOutput(0, result);
  return success();
}

template <typename OpT>
static LogicalResult convertUnary(Importer &imp, const NodeAttrs &) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  return setResult(imp, imp.create<OpT>(x));
}

static LogicalResult convertClip(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  double min = -INFINITY, max = INFINITY;
  if (imp.getOpset() < 11) {
    min = attrs.getFloat("min", -INFINITY);
    max = attrs.getFloat("max", INFINITY);
  } else {
    for (unsigned i = 1; i < 3; ++i) {
      if (!imp.hasInput(i))
        continue;
      const KnownTensor *bound = imp.getKnownInput(i);
      if (!bound)
        return imp.fail(i == 1 ? "min" : "max",
                        " must be a constant for dlc.clip");
      (i == 1 ? min : max) = readReals(*bound).front();
    }
  }
  return setResult(imp, imp.create<ClipOp>(x, APFloat(static_cast<float>(min)),
                                           APFloat(static_cast<float>(max))));
}

/// Pow with a constant scalar exponent of 1, 2, 1/2, -1 or -1/2 (squares
/// and square roots in normalizations written out): x, x * x, sqrt(x),
/// 1 / x, 1 / sqrt(x).
static LogicalResult convertPow(Importer &imp, const NodeAttrs &) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  const KnownTensor *exponent = imp.getKnownInput(1);
  if (!exponent || exponent->numElements() != 1)
    return imp.fail("exponent must be a constant scalar");
  double e = readReals(*exponent).front();
  Value result = x;
  if (e == 2.0) {
    FailureOr<MulOp> square = imp.create<MulOp>(x, x);
    if (failed(square))
      return failure();
    result = square->getResult();
  } else if (e == 0.5 || e == -0.5) {
    FailureOr<SqrtOp> root = imp.create<SqrtOp>(x);
    if (failed(root))
      return failure();
    result = root->getResult();
  } else if (e != 1.0 && e != -1.0) {
    return imp.fail("exponent ", shortNumber(e),
                    " is not supported (1, 2, 0.5, -1 and -0.5 are)");
  }
  if (e < 0) {
    FailureOr<ReciprocalOp> inverse = imp.create<ReciprocalOp>(result);
    if (failed(inverse))
      return failure();
    result = inverse->getResult();
  }
  imp.setOutput(0, result);
  return success();
}

/// PRelu(x, slope) = relu(x) - slope * relu(-x): x where x >= 0, slope * x
/// elsewhere, exactly (the slope broadcast as ONNX broadcasts it; per
/// channel in face detectors).
static LogicalResult convertPRelu(Importer &imp, const NodeAttrs &) {
  Value x = imp.getInput(0), slope = imp.getInput(1);
  if (!x || !slope)
    return failure();
  FailureOr<ReluOp> positive = imp.create<ReluOp>(x);
  FailureOr<NegOp> negated = imp.create<NegOp>(x);
  if (failed(positive) || failed(negated))
    return failure();
  FailureOr<ReluOp> negative = imp.create<ReluOp>(negated->getResult());
  if (failed(negative))
    return failure();
  FailureOr<MulOp> scaled = imp.create<MulOp>(negative->getResult(), slope);
  if (failed(scaled))
    return failure();
  return setResult(
      imp, imp.create<SubOp>(positive->getResult(), scaled->getResult()));
}

/// LeakyRelu and Elu: one alpha attribute.
template <typename OpT>
static LogicalResult convertWithAlpha(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  float alpha = attrs.getFloat(
      "alpha", imp.getNode().op_type() == "LeakyRelu" ? 0.01f : 1.0f);
  return setResult(imp, imp.create<OpT>(x, APFloat(alpha)));
}

/// Swish (x * sigmoid(alpha x); the importer writes it for x * Sigmoid(x)):
/// SiLU, alpha 1.
static LogicalResult convertSwish(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  float alpha = attrs.getFloat("alpha", 1.0f);
  if (alpha != 1.0f)
    return imp.fail("alpha ", shortNumber(alpha), " is not supported (1 is)");
  return setResult(imp, imp.create<SiluOp>(x));
}

static LogicalResult convertHardSigmoid(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  return setResult(
      imp, imp.create<HardSigmoidOp>(x, APFloat(attrs.getFloat("alpha", 0.2f)),
                                     APFloat(attrs.getFloat("beta", 0.5f))));
}

static LogicalResult convertGelu(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  std::string approximate = attrs.getString("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return imp.fail("approximate '", approximate, "' is not supported");
  return setResult(imp, imp.create<GeluOp>(x, approximate == "tanh"
                                                  ? GeluApproximation::tanh
                                                  : GeluApproximation::none));
}

/// Softmax or LogSoftmax (`OpT`) along `axis`.
template <typename OpT>
static LogicalResult convertSoftmaxLike(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  if (imp.getOpset() >= 13)
    return setResult(imp, imp.create<OpT>(x, attrs.getInt("axis", -1)));
  // Before opset 13, softmax normalizes over all dimensions from `axis` on.
  int64_t axis = attrs.getInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis == rank - 1)
    return setResult(imp, imp.create<OpT>(x, int64_t(-1)));
  FailureOr<FlattenOp> flat = imp.create<FlattenOp>(x, axis);
  if (failed(flat))
    return failure();
  FailureOr<OpT> softmax = imp.create<OpT>(flat->getResult(), int64_t(1));
  if (failed(softmax))
    return failure();
  return setResult(imp, reshapeTo(imp, softmax->getResult(), shapeOf(x)));
}

/// Cast of a computed tensor to its own type (PyTorch's `x.float()` on a
/// float tensor) is the tensor; casts of constants and shapes are folded
/// before this; any other element type is not modelled.
static LogicalResult convertCast(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  auto to = static_cast<int32_t>(attrs.getInt("to", 0));
  Type target = convertDataType(imp.getContext(), to);
  if (!target || target != cast<ShapedType>(x.getType()).getElementType())
    return imp.fail("casting a computed tensor to another element type (", to,
                    ") is not supported");
  imp.setOutput(0, x);
  return success();
}

static LogicalResult convertPassThrough(Importer &imp, const NodeAttrs &) {
  const onnx::NodeProto &node = imp.getNode();
  if (node.op_type() == "Dropout") {
    if (failed(requireSingleOutput(imp)))
      return failure();
    // Before opset 12 training is the is_test attribute; from 12 an input.
    // A ratio of 0 drops nothing even in training mode (Swin's attention
    // dropout exports as training = true, ratio = 0).
    const KnownTensor *ratio = imp.hasInput(1) ? imp.getKnownInput(1) : nullptr;
    bool dropsNothing =
        ratio && ratio->numElements() == 1 && readReals(*ratio).front() == 0.0;
    if (imp.hasInput(2) && !dropsNothing) {
      const KnownTensor *training = imp.getKnownInput(2);
      if (!training || readInts(*training).front() != 0)
        return imp.fail("training mode is not supported (inference only)");
    }
  }
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  imp.setOutput(0, x);
  return success();
}

//===----------------------------------------------------------------------===//
// Registry
//===----------------------------------------------------------------------===//

ConvertFn mlir::dlc::onnx_import::lookupConverter(llvm::StringRef opType) {
  return llvm::StringSwitch<ConvertFn>(opType)
      .Case("Conv", convertConv)
      .Case("ConvTranspose", convertConvTranspose)
      .Case("Expand", convertExpand)
      .Cases({"DepthToSpace", "SpaceToDepth"}, convertDepthToSpace)
      .Case("BatchNormalization", convertBatchNorm)
      .Case("LayerNormalization", convertLayerNorm)
      .Case("InstanceNormalization", convertInstanceNorm)
      .Cases({"MaxPool", "AveragePool"}, convertPool)
      .Case("GlobalAveragePool", convertGlobalAvgPool)
      .Case("GlobalMaxPool", convertGlobalMaxPool)
      .Cases({"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum",
              "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum",
              "ReduceLogSumExp"},
             convertReduce)
      .Case("MatMul", convertMatMul)
      .Case("Gemm", convertGemm)
      .Case("Add", convertBinary<AddOp>)
      .Case("Sub", convertBinary<SubOp>)
      .Case("Mul", convertBinary<MulOp>)
      .Case("Div", convertBinary<DivOp>)
      .Case("Max", convertVariadic<MaxOp>)
      .Case("Where", convertWhere)
      .Case("Min", convertVariadic<MinOp>)
      .Case("Relu", convertUnary<ReluOp>)
      .Case("Sigmoid", convertUnary<SigmoidOp>)
      .Case("Swish", convertSwish)
      .Case("HardSwish", convertUnary<HardSwishOp>)
      .Case("HardSigmoid", convertHardSigmoid)
      .Case("Pow", convertPow)
      .Case("LeakyRelu", convertWithAlpha<LeakyReluOp>)
      .Case("PRelu", convertPRelu)
      .Cases({"Resize", "Upsample"}, convertResize)
      .Case("Elu", convertWithAlpha<EluOp>)
      .Case("Softplus", convertUnary<SoftplusOp>)
      .Case("Tanh", convertUnary<TanhOp>)
      .Case("Sqrt", convertUnary<SqrtOp>)
      .Case("Exp", convertUnary<ExpOp>)
      .Case("Log", convertUnary<LogOp>)
      .Case("Erf", convertUnary<ErfOp>)
      .Case("Neg", convertUnary<NegOp>)
      .Case("Abs", convertUnary<AbsOp>)
      .Case("Reciprocal", convertUnary<ReciprocalOp>)
      .Case("Clip", convertClip)
      .Case("Gelu", convertGelu)
      .Case("Softmax", convertSoftmaxLike<SoftmaxOp>)
      .Case("LogSoftmax", convertSoftmaxLike<LogSoftmaxOp>)
      .Cases({"Identity", "Dropout"}, convertPassThrough)
      .Case("Cast", convertCast)
      .Case("Reshape", convertReshape)
      .Cases({"Squeeze", "Unsqueeze"}, convertSqueezeLike)
      .Case("Flatten", convertFlatten)
      .Case("Transpose", convertTranspose)
      .Case("Concat", convertConcat)
      .Case("Slice", convertSlice)
      .Case("Split", convertSplit)
      .Case("Gather", convertGather)
      .Case("Einsum", convertEinsum)
      .Case("Pad", convertPad)
      .Default(nullptr);
}
