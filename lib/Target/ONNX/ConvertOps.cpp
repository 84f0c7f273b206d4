//===- ConvertOps.cpp - ONNX nodes to dlc ops -----------------------------===//
//
// One converter per ONNX op type. Each reads the node's inputs and
// attributes with ONNX's defaults for the model's opset, and builds dlc ops
// whose verifiers then check shapes at the node's location.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "llvm/ADT/StringSwitch.h"
#include <cmath>

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::onnx_import;

namespace {
using Ints = SmallVector<int64_t>;
} // namespace

/// Records `op`'s single result as output 0.
template <typename OpT>
static LogicalResult setResult(Importer &imp, FailureOr<OpT> op) {
  if (failed(op))
    return failure();
  imp.setOutput(0, (*op)->getResult(0));
  return success();
}

/// The integers of input `index`, which must be known at import time.
static FailureOr<Ints> requireKnownInts(Importer &imp, unsigned index,
                                        llvm::StringRef what) {
  const KnownTensor *tensor = imp.getKnownInput(index);
  if (!tensor)
    return imp.fail(what, " (input #", index,
                    ") must be a constant or computable from shapes");
  std::vector<int64_t> values = readInts(*tensor);
  return Ints(values.begin(), values.end());
}

/// Fails unless only the node's first output is consumed.
static LogicalResult requireSingleOutput(Importer &imp) {
  const onnx::NodeProto &node = imp.getNode();
  for (int i = 1; i < node.output_size(); ++i)
    if (!node.output(i).empty() && imp.isConsumed(node.output(i)))
      return imp.fail("output #", i, " ('", node.output(i),
                      "') is not supported");
  return success();
}

static int64_t rankOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getRank();
}

static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

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

/// ReduceMean: over every spatial axis of an N x C x ... input (global
/// average pooling) directly; over any other axes (a transformer's mean
/// over tokens or features) as a transpose putting the reduced axes last,
/// a reshape to 1 x kept x reduced, the same pooling and a reshape to the
/// result.
static LogicalResult convertReduceMean(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  std::optional<Ints> axes = attrs.getInts("axes");
  if (imp.getOpset() >= 18 && imp.hasInput(1)) {
    FailureOr<Ints> known = requireKnownInts(imp, 1, "axes");
    if (failed(known))
      return failure();
    axes = *known;
  }
  if (!axes || axes->empty()) {
    if (attrs.getInt("noop_with_empty_axes", 0)) {
      imp.setOutput(0, x);
      return success();
    }
    axes = Ints();
    for (int64_t d = 0; d < rank; ++d)
      axes->push_back(d);
  }
  Ints sorted;
  for (int64_t a : *axes) {
    FailureOr<int64_t> axis = imp.positiveAxis(a, rank);
    if (failed(axis))
      return failure();
    if (!llvm::is_contained(sorted, *axis))
      sorted.push_back(*axis);
  }
  llvm::sort(sorted);
  bool keepDims = attrs.getInt("keepdims", 1) != 0;
  ArrayRef<int64_t> shape = shapeOf(x);
  Ints spatial;
  for (int64_t d = 2; d < rank; ++d)
    spatial.push_back(d);
  Value pooled;
  if (rank >= 3 && sorted == spatial) {
    FailureOr<GlobalAvgPoolOp> pool = imp.create<GlobalAvgPoolOp>(x);
    if (failed(pool))
      return failure();
    pooled = pool->getResult();
  } else {
    Ints perm, kept;
    int64_t reduced = 1;
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(sorted, d)) {
        perm.push_back(d);
        kept.push_back(shape[d]);
      }
    for (int64_t d : sorted) {
      perm.push_back(d);
      if (ShapedType::isDynamic(shape[d]))
        return imp.fail("cannot average over the dynamic dimension ", d);
      reduced *= shape[d];
    }
    Value moved = x;
    if (!llvm::equal(perm, llvm::seq<int64_t>(0, rank))) {
      FailureOr<TransposeOp> transpose = imp.create<TransposeOp>(x, perm);
      if (failed(transpose))
        return failure();
      moved = transpose->getResult();
    }
    int64_t keptCount = 1;
    bool dynamic = false;
    for (int64_t d : kept)
      ShapedType::isDynamic(d) ? dynamic = true : keptCount *= d;
    FailureOr<Value> rows = reshapeTo(
        imp, moved, {1, dynamic ? ShapedType::kDynamic : keptCount, reduced});
    if (failed(rows))
      return failure();
    FailureOr<GlobalAvgPoolOp> pool = imp.create<GlobalAvgPoolOp>(*rows);
    if (failed(pool))
      return failure();
    Ints full(shape);
    for (int64_t d : sorted)
      full[d] = 1;
    FailureOr<Value> back = reshapeTo(imp, pool->getResult(), full);
    if (failed(back))
      return failure();
    pooled = *back;
  }
  if (!keepDims) {
    Ints kept;
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(sorted, d))
        kept.push_back(shape[d]);
    FailureOr<Value> flat = reshapeTo(imp, pooled, kept);
    if (failed(flat))
      return failure();
    pooled = *flat;
  }
  imp.setOutput(0, pooled);
  return success();
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
    return imp.fail("exponent ", e,
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

static LogicalResult convertSoftmax(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  if (imp.getOpset() >= 13)
    return setResult(imp, imp.create<SoftmaxOp>(x, attrs.getInt("axis", -1)));
  // Before opset 13, softmax normalizes over all dimensions from `axis` on.
  int64_t axis = attrs.getInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis == rank - 1)
    return setResult(imp, imp.create<SoftmaxOp>(x, int64_t(-1)));
  FailureOr<FlattenOp> flat = imp.create<FlattenOp>(x, axis);
  if (failed(flat))
    return failure();
  FailureOr<SoftmaxOp> softmax =
      imp.create<SoftmaxOp>(flat->getResult(), int64_t(1));
  if (failed(softmax))
    return failure();
  FailureOr<Value> back = reshapeTo(imp, softmax->getResult(), shapeOf(x));
  if (failed(back))
    return failure();
  imp.setOutput(0, *back);
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
// Data movement
//===----------------------------------------------------------------------===//

static LogicalResult convertReshape(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  Ints target;
  if (imp.getOpset() < 5) {
    target = attrs.getInts("shape").value_or(Ints{});
  } else {
    FailureOr<Ints> shape = requireKnownInts(imp, 1, "shape");
    if (failed(shape))
      return failure();
    target = *shape;
  }
  ArrayRef<int64_t> in = shapeOf(x);
  Ints shape;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == 0 && !attrs.getInt("allowzero", 0)) {
      if (i >= in.size())
        return imp.fail("shape entry 0 at index ", i,
                        " has no input dimension to copy");
      d = in[i];
    }
    shape.push_back(d);
  }
  // A target naming the batch and inferring another entry ([N, -1]) is
  // resolved against the input's elements per batch item.
  auto *batchAt = llvm::find(shape, kBatchDim);
  auto *inferAt = llvm::find(shape, -1);
  if (batchAt != shape.end() && inferAt != shape.end()) {
    int64_t perItem = 1;
    int64_t dynamicDims = 0;
    for (int64_t d : in) {
      if (ShapedType::isDynamic(d))
        ++dynamicDims;
      else
        perItem *= d;
    }
    int64_t known = 1;
    for (int64_t d : shape)
      if (d != kBatchDim && d != -1)
        known *= d;
    if (dynamicDims != 1 || llvm::count(shape, kBatchDim) != 1 ||
        llvm::count(shape, -1) != 1 || known == 0 || perItem % known != 0)
      return imp.fail("cannot resolve reshape target with the dynamic batch");
    *inferAt = perItem / known;
  }
  FailureOr<Value> result = reshapeTo(imp, x, shape);
  if (failed(result))
    return failure();
  imp.setOutput(0, *result);
  return success();
}

static LogicalResult convertSqueezeLike(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  bool unsqueeze = imp.getNode().op_type() == "Unsqueeze";
  std::optional<Ints> axes;
  if (imp.getOpset() < 13) {
    axes = attrs.getInts("axes");
  } else if (imp.hasInput(1)) {
    FailureOr<Ints> known = requireKnownInts(imp, 1, "axes");
    if (failed(known))
      return failure();
    axes = *known;
  }
  Ints shape(shapeOf(x));
  if (unsqueeze) {
    if (!axes)
      return imp.fail("has no axes");
    auto rank = static_cast<int64_t>(shape.size() + axes->size());
    Ints sorted;
    for (int64_t a : *axes)
      sorted.push_back(a < 0 ? a + rank : a);
    llvm::sort(sorted);
    for (int64_t a : sorted) {
      if (a < 0 || a > static_cast<int64_t>(shape.size()))
        return imp.fail("axis ", a, " is out of range");
      shape.insert(shape.begin() + a, 1);
    }
  } else {
    auto rank = static_cast<int64_t>(shape.size());
    Ints kept;
    for (int64_t d = 0; d < rank; ++d) {
      bool squeezed = axes ? llvm::any_of(*axes,
                                          [&](int64_t a) {
                                            return (a < 0 ? a + rank : a) == d;
                                          })
                           : shape[d] == 1;
      if (squeezed && shape[d] != 1)
        return imp.fail("cannot squeeze dimension ", d, " of size ", shape[d]);
      if (!squeezed)
        kept.push_back(shape[d]);
    }
    shape = kept;
  }
  FailureOr<Value> result = reshapeTo(imp, x, shape);
  if (failed(result))
    return failure();
  imp.setOutput(0, *result);
  return success();
}

static LogicalResult convertFlatten(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  return setResult(imp, imp.create<FlattenOp>(x, attrs.getInt("axis", 1)));
}

static LogicalResult convertTranspose(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  Ints perm;
  if (std::optional<Ints> given = attrs.getInts("perm"))
    perm = *given;
  else
    for (int64_t d = rankOf(x) - 1; d >= 0; --d)
      perm.push_back(d);
  return setResult(imp, imp.create<TransposeOp>(x, perm));
}

static LogicalResult convertConcat(Importer &imp, const NodeAttrs &attrs) {
  SmallVector<Value> inputs;
  for (int i = 0; i < imp.getNode().input_size(); ++i) {
    Value v = imp.getInput(i);
    if (!v)
      return failure();
    inputs.push_back(v);
  }
  if (!attrs.find("axis"))
    return imp.fail("has no axis");
  return setResult(imp, imp.create<ConcatOp>(inputs, attrs.getInt("axis", 0)));
}

static LogicalResult convertSlice(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  Ints starts, ends, axes, steps;
  if (imp.getOpset() < 10) {
    starts = attrs.getInts("starts").value_or(Ints{});
    ends = attrs.getInts("ends").value_or(Ints{});
    axes = attrs.getInts("axes").value_or(Ints{});
  } else {
    FailureOr<Ints> s = requireKnownInts(imp, 1, "starts");
    FailureOr<Ints> e = requireKnownInts(imp, 2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (imp.hasInput(3)) {
      FailureOr<Ints> a = requireKnownInts(imp, 3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (imp.hasInput(4)) {
      FailureOr<Ints> st = requireKnownInts(imp, 4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return imp.fail("starts, ends, axes and steps differ in length");
  ArrayRef<int64_t> shape = shapeOf(x);
  auto rank = static_cast<int64_t>(shape.size());
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = imp.positiveAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    axes[i] = *axis;
    if (steps[i] < 1)
      return imp.fail("negative or zero steps are not supported");
    int64_t size = shape[axes[i]];
    if (ShapedType::isDynamic(size))
      return imp.fail("cannot slice the dynamic dimension ", axes[i]);
    auto clampIndex = [&](int64_t v) {
      if (v < 0)
        v += size;
      return std::clamp<int64_t>(v, 0, size);
    };
    starts[i] = clampIndex(starts[i]);
    ends[i] = std::max(starts[i], clampIndex(ends[i]));
  }
  return setResult(imp, imp.create<SliceOp>(x, axes, starts, ends, steps));
}

/// Gather with constant indices on computed data (PyTorch's `x[:, 0]` and
/// `unbind`): a slice when the indices step evenly forwards, else a concat
/// of one-element slices; a scalar index then drops the axis.
static LogicalResult convertGather(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  const KnownTensor *known = imp.getKnownInput(1);
  if (!known)
    return imp.fail("indices must be constant (gathering at computed "
                    "positions is not supported)");
  if (known->shape.size() > 1)
    return imp.fail("indices of rank ", known->shape.size(),
                    " are not supported (rank 0 or 1)");
  ArrayRef<int64_t> shape = shapeOf(x);
  auto rank = static_cast<int64_t>(shape.size());
  FailureOr<int64_t> positive = imp.positiveAxis(attrs.getInt("axis", 0), rank);
  if (failed(positive))
    return failure();
  int64_t axis = *positive;
  int64_t size = shape[axis];
  if (ShapedType::isDynamic(size))
    return imp.fail("cannot gather along the dynamic dimension ", axis);
  std::vector<int64_t> indices = readInts(*known);
  if (indices.empty())
    return imp.fail("has no indices");
  for (int64_t &i : indices) {
    if (i < -size || i >= size)
      return imp.fail("index ", i, " is out of range for dimension ", axis,
                      " of size ", size);
    if (i < 0)
      i += size;
  }
  auto sliceFrom = [&](int64_t start, int64_t count, int64_t step) {
    return imp.create<SliceOp>(x, Ints{axis}, Ints{start},
                               Ints{start + (count - 1) * step + 1},
                               Ints{step});
  };
  auto count = static_cast<int64_t>(indices.size());
  int64_t step = count > 1 ? indices[1] - indices[0] : 1;
  bool even = step > 0;
  for (int64_t n = 1; n < count && even; ++n)
    even = indices[n] - indices[n - 1] == step;
  Value result;
  if (even) {
    FailureOr<SliceOp> slice = sliceFrom(indices[0], count, step);
    if (failed(slice))
      return failure();
    result = slice->getResult();
  } else {
    SmallVector<Value> pieces;
    for (int64_t i : indices) {
      FailureOr<SliceOp> slice = sliceFrom(i, 1, 1);
      if (failed(slice))
        return failure();
      pieces.push_back(slice->getResult());
    }
    FailureOr<ConcatOp> concat = imp.create<ConcatOp>(pieces, axis);
    if (failed(concat))
      return failure();
    result = concat->getResult();
  }
  if (known->shape.empty()) {
    Ints kept(shape);
    kept.erase(kept.begin() + axis);
    FailureOr<Value> reshaped = reshapeTo(imp, result, kept);
    if (failed(reshaped))
      return failure();
    result = *reshaped;
  }
  imp.setOutput(0, result);
  return success();
}

static LogicalResult convertSplit(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  int64_t axis = attrs.getInt("axis", 0);
  int64_t rank = rankOf(x);
  int64_t dim = shapeOf(x)[axis < 0 ? axis + rank : axis];
  Ints sizes;
  if (imp.getOpset() < 13) {
    sizes = attrs.getInts("split").value_or(Ints{});
  } else if (imp.hasInput(1)) {
    FailureOr<Ints> known = requireKnownInts(imp, 1, "split");
    if (failed(known))
      return failure();
    sizes = *known;
  }
  if (sizes.empty()) {
    int64_t parts = attrs.getInt("num_outputs", imp.getNode().output_size());
    if (parts < 1 || ShapedType::isDynamic(dim))
      return imp.fail("cannot split dimension of size ", dim, " evenly");
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t left = dim; left > 0; left -= chunk)
      sizes.push_back(std::min(chunk, left));
  }
  FailureOr<SplitOp> split = imp.create<SplitOp>(x, axis, sizes);
  if (failed(split))
    return failure();
  for (auto [i, result] : llvm::enumerate(split->getResults()))
    imp.setOutput(i, result);
  return success();
}

static LogicalResult convertPad(Importer &imp, const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  Ints pads;
  double value = 0.0;
  if (imp.getOpset() < 11) {
    pads = attrs.getInts("pads").value_or(Ints{});
    value = attrs.getFloat("value", 0.0f);
  } else {
    FailureOr<Ints> known = requireKnownInts(imp, 1, "pads");
    if (failed(known))
      return failure();
    pads = *known;
    if (imp.hasInput(2)) {
      const KnownTensor *fill = imp.getKnownInput(2);
      if (!fill)
        return imp.fail("constant_value must be a constant");
      value = readReals(*fill).front();
    }
    if (imp.hasInput(3)) {
      FailureOr<Ints> axes = requireKnownInts(imp, 3, "axes");
      if (failed(axes))
        return failure();
      Ints full(2 * rank, 0);
      for (auto [i, a] : llvm::enumerate(*axes)) {
        int64_t axis = a < 0 ? a + rank : a;
        full[axis] = pads[i];
        full[axis + rank] = pads[i + axes->size()];
      }
      pads = full;
    }
  }
  std::string modeName = attrs.getString("mode", "constant");
  std::optional<PadMode> mode = symbolizePadMode(modeName);
  if (!mode)
    return imp.fail("mode '", modeName, "' is not supported");
  return setResult(imp, imp.create<PadOp>(x, pads, *mode,
                                          APFloat(static_cast<float>(value))));
}

//===----------------------------------------------------------------------===//
// Registry
//===----------------------------------------------------------------------===//

ConvertFn mlir::dlc::onnx_import::lookupConverter(llvm::StringRef opType) {
  return llvm::StringSwitch<ConvertFn>(opType)
      .Case("Conv", convertConv)
      .Case("BatchNormalization", convertBatchNorm)
      .Case("LayerNormalization", convertLayerNorm)
      .Cases({"MaxPool", "AveragePool"}, convertPool)
      .Case("GlobalAveragePool", convertGlobalAvgPool)
      .Case("GlobalMaxPool", convertGlobalMaxPool)
      .Case("ReduceMean", convertReduceMean)
      .Case("MatMul", convertMatMul)
      .Case("Gemm", convertGemm)
      .Case("Add", convertBinary<AddOp>)
      .Case("Sub", convertBinary<SubOp>)
      .Case("Mul", convertBinary<MulOp>)
      .Case("Div", convertBinary<DivOp>)
      .Case("Relu", convertUnary<ReluOp>)
      .Case("Sigmoid", convertUnary<SigmoidOp>)
      .Case("HardSwish", convertUnary<HardSwishOp>)
      .Case("HardSigmoid", convertHardSigmoid)
      .Case("Pow", convertPow)
      .Case("LeakyRelu", convertWithAlpha<LeakyReluOp>)
      .Case("PRelu", convertPRelu)
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
      .Case("Softmax", convertSoftmax)
      .Cases({"Identity", "Dropout"}, convertPassThrough)
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
