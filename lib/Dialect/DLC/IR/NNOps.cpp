//===- NNOps.cpp - convolution, normalization and pooling ops -------------===//

#include "ShapeInference.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::detail;

/// Checks that `value` is the 1-D per-channel tensor of `channels` entries.
static LogicalResult verifyPerChannel(const ShapeDiag &diag, StringRef name,
                                      Value value, int64_t channels) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() != 1 || type.getDimSize(0) != channels)
    return diag("expects ", name, " of shape [", channels, "], got ",
                formatShape(type.getShape()));
  return success();
}

static LogicalResult verifySameElementType(const ShapeDiag &diag,
                                           ValueRange values,
                                           ArrayRef<StringRef> names) {
  Type expected = cast<ShapedType>(values.front().getType()).getElementType();
  for (auto [value, name] : llvm::zip(values, names)) {
    Type actual = cast<ShapedType>(value.getType()).getElementType();
    if (actual != expected)
      return diag("expects ", name, " element type ", actual, " to match ",
                  names.front(), " element type ", expected);
  }
  return success();
}

static bool hasStaticDims(ArrayRef<int64_t> shape) {
  return llvm::none_of(shape, ShapedType::isDynamic);
}

/// The output type of a 2-D pooling op, or failure.
static LogicalResult inferPool2D(const ShapeDiag &diag, Value input,
                                 ArrayRef<int64_t> kernel,
                                 ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> pads,
                                 ArrayRef<int64_t> dilations, bool ceilMode,
                                 SmallVectorImpl<Type> &types) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() != 4)
    return diag("expects input of rank 4 (N x C x H x W), got rank ",
                type.getRank());
  if (failed(verifyWindowAttrs(diag, kernel, strides, pads, dilations)))
    return failure();
  for (int i = 0; i < 2; ++i) {
    int64_t extent = dilatedExtent(kernel[i], dilations[i]);
    if (pads[i] >= extent || pads[i + 2] >= extent)
      return diag("expects pads ", formatShape(pads),
                  " to be smaller than the kernel window ",
                  formatShape(kernel));
  }
  ArrayRef<int64_t> shape = type.getShape();
  FailureOr<int64_t> height =
      slidingWindowSize(diag, "height", shape[2], kernel[0], strides[0],
                        pads[0], pads[2], dilations[0], ceilMode);
  if (failed(height))
    return failure();
  FailureOr<int64_t> width =
      slidingWindowSize(diag, "width", shape[3], kernel[1], strides[1], pads[1],
                        pads[3], dilations[1], ceilMode);
  if (failed(width))
    return failure();
  types.push_back(RankedTensorType::get({shape[0], shape[1], *height, *width},
                                        type.getElementType()));
  return success();
}

/// A 1x1 window with unit stride and no padding returns its input.
static bool isIdentityWindow(ArrayRef<int64_t> kernel,
                             ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> pads) {
  auto isOne = [](int64_t v) { return v == 1; };
  return llvm::all_of(kernel, isOne) && llvm::all_of(strides, isOne) &&
         llvm::all_of(pads, [](int64_t p) { return p == 0; });
}

FailureOr<SmallVector<int64_t>> mlir::dlc::detail::inferConvShape(
    const ShapeDiag &diag, ArrayRef<int64_t> in, ArrayRef<int64_t> weight,
    Value bias, ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
    ArrayRef<int64_t> dilations, int64_t groups) {
  if (in.size() != 4)
    return diag("expects input of rank 4 (N x C x H x W), got rank ",
                in.size());
  if (weight.size() != 4)
    return diag("expects weight of rank 4 (M x C/groups x KH x KW), got rank ",
                weight.size());
  if (!hasStaticDims(in.drop_front()))
    return diag("expects static channel and spatial input dimensions, got ",
                formatShape(in));
  if (!hasStaticDims(weight))
    return diag("expects a static weight shape, got ", formatShape(weight));

  if (groups < 1)
    return diag("expects groups (", groups, ") to be positive");
  int64_t outChannels = weight[0];
  if (in[1] != weight[1] * groups)
    return diag("expects input channels (", in[1],
                ") to equal weight channels * groups (", weight[1] * groups,
                ")");
  if (outChannels % groups != 0)
    return diag("expects output channels (", outChannels,
                ") to be divisible by groups (", groups, ")");
  if (bias)
    if (failed(verifyPerChannel(diag, "bias", bias, outChannels)))
      return failure();

  if (failed(verifyWindowAttrs(diag, weight.drop_front(2), strides, pads,
                               dilations)))
    return failure();
  FailureOr<int64_t> height =
      slidingWindowSize(diag, "height", in[2], weight[2], strides[0], pads[0],
                        pads[2], dilations[0], /*ceilMode=*/false);
  if (failed(height))
    return failure();
  FailureOr<int64_t> width =
      slidingWindowSize(diag, "width", in[3], weight[3], strides[1], pads[1],
                        pads[3], dilations[1], /*ceilMode=*/false);
  if (failed(width))
    return failure();
  return SmallVector<int64_t>{in[0], outChannels, *height, *width};
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                   SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weightType = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (inputType.getRank() != 4)
    return diag("expects input of rank 4 (N x C x H x W), got rank ",
                inputType.getRank());
  if (weightType.getRank() != 4)
    return diag("expects weight of rank 4 (M x C/groups x KH x KW), got rank ",
                weightType.getRank());
  if (failed(verifySameElementType(diag, adaptor.getOperands(),
                                   {"input", "weight", "bias"})))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = inferConvShape(
      diag, inputType.getShape(), weightType.getShape(), adaptor.getBias(),
      adaptor.getStrides(), adaptor.getPads(), adaptor.getDilations(),
      static_cast<int64_t>(adaptor.getGroups()));
  if (failed(shape))
    return failure();
  types.push_back(RankedTensorType::get(*shape, inputType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                      SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  if (inputType.getRank() < 2)
    return diag("expects input of rank >= 2 (N x C x ...), got rank ",
                inputType.getRank());
  if (failed(verifySameElementType(diag, adaptor.getOperands(),
                                   {"input", "scale", "bias", "mean", "var"})))
    return failure();
  int64_t channels = inputType.getDimSize(1);
  if (ShapedType::isDynamic(channels))
    return diag("expects a static channel dimension, got ",
                formatShape(inputType.getShape()));
  if (failed(verifyPerChannel(diag, "scale", adaptor.getScale(), channels)) ||
      failed(verifyPerChannel(diag, "bias", adaptor.getBias(), channels)) ||
      failed(verifyPerChannel(diag, "mean", adaptor.getMean(), channels)) ||
      failed(verifyPerChannel(diag, "var", adaptor.getVar(), channels)))
    return failure();
  if (adaptor.getEpsilon().isNegative())
    return diag("expects non-negative epsilon");
  types.push_back(inputType);
  return success();
}

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                      SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  FailureOr<int64_t> axis =
      normalizeAxis(diag, "axis", static_cast<int64_t>(adaptor.getAxis()),
                    inputType.getRank());
  if (failed(axis))
    return failure();
  if (failed(verifySameElementType(diag, adaptor.getOperands(),
                                   {"input", "scale", "bias"})))
    return failure();
  ArrayRef<int64_t> normalized = inputType.getShape().drop_front(*axis);
  if (!hasStaticDims(normalized))
    return diag("expects static normalized dimensions, got ",
                formatShape(normalized));
  auto checkAffine = [&](StringRef name, Value value) -> LogicalResult {
    auto type = cast<RankedTensorType>(value.getType());
    if (type.getShape() != normalized)
      return diag("expects ", name, " of the normalized shape ",
                  formatShape(normalized), ", got ",
                  formatShape(type.getShape()));
    return success();
  };
  if (failed(checkAffine("scale", adaptor.getScale())))
    return failure();
  if (Value bias = adaptor.getBias())
    if (failed(checkAffine("bias", bias)))
      return failure();
  if (adaptor.getEpsilon().isNegative())
    return diag("expects non-negative epsilon");
  types.push_back(inputType);
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPool2DOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                      SmallVectorImpl<Type> &types) {
  return inferPool2D(diag, adaptor.getInput(), adaptor.getKernelShape(),
                     adaptor.getStrides(), adaptor.getPads(),
                     adaptor.getDilations(), adaptor.getCeilMode(), types);
}

OpFoldResult MaxPool2DOp::fold(FoldAdaptor) {
  if (isIdentityWindow(getKernelShape(), getStrides(), getPads()) &&
      getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult AvgPool2DOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                      SmallVectorImpl<Type> &types) {
  return inferPool2D(diag, adaptor.getInput(), adaptor.getKernelShape(),
                     adaptor.getStrides(), adaptor.getPads(),
                     /*dilations=*/{1, 1}, adaptor.getCeilMode(), types);
}

OpFoldResult AvgPool2DOp::fold(FoldAdaptor) {
  if (isIdentityWindow(getKernelShape(), getStrides(), getPads()) &&
      getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult GlobalAvgPoolOp::inferShape(Adaptor adaptor,
                                          const ShapeDiag &diag,
                                          SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  if (inputType.getRank() < 3)
    return diag("expects input of rank >= 3 (N x C x spatial...), got rank ",
                inputType.getRank());
  SmallVector<int64_t> shape(inputType.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

OpFoldResult GlobalAvgPoolOp::fold(FoldAdaptor) {
  // Averaging over a single position is the identity.
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

LogicalResult ResizeOp::inferShape(Adaptor adaptor, const ShapeDiag &diag,
                                   SmallVectorImpl<Type> &types) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  if (type.getRank() != 4)
    return diag("expects input of rank 4 (N x C x H x W), got rank ",
                type.getRank());
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  if (sizes.size() != 2 || llvm::any_of(sizes, [](int64_t s) { return s < 1; }))
    return diag("expects sizes of two positive entries (height, width), got ",
                formatShape(sizes));
  ArrayRef<float> scales = adaptor.getScales();
  if (!scales.empty() &&
      (scales.size() != 2 ||
       llvm::any_of(scales, [](float s) { return !(s > 0.0f); })))
    return diag("expects scales empty or of two positive entries, got ",
                scales.size(), " entries");
  if (ShapedType::isDynamic(type.getDimSize(2)) ||
      ShapedType::isDynamic(type.getDimSize(3)))
    return diag("expects static height and width, got ",
                formatShape(type.getShape()));
  if (adaptor.getMode() != ResizeMode::nearest &&
      !isa<FloatType>(type.getElementType()))
    return diag("expects a float input in ", stringifyEnum(adaptor.getMode()),
                " mode (nearest moves int8 as well)");
  if (adaptor.getMode() != ResizeMode::nearest &&
      adaptor.getCoordinateMode() == ResizeCoordinates::tf_half_pixel_for_nn)
    return diag("expects coordinate mode tf_half_pixel_for_nn only with "
                "nearest mode");
  SmallVector<int64_t> shape(type.getShape());
  shape[2] = sizes[0];
  shape[3] = sizes[1];
  types.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

float ResizeOp::getAxisScale(unsigned axis) {
  ArrayRef<float> scales = getScales();
  if (!scales.empty())
    return scales[axis];
  auto type = cast<RankedTensorType>(getInput().getType());
  return static_cast<float>(getSizes()[axis]) /
         static_cast<float>(type.getDimSize(2 + axis));
}

float ResizeOp::getResizedLength(unsigned axis) {
  if (getScales().empty())
    return static_cast<float>(getSizes()[axis]);
  auto type = cast<RankedTensorType>(getInput().getType());
  return static_cast<float>(type.getDimSize(2 + axis)) * getScales()[axis];
}

OpFoldResult ResizeOp::fold(FoldAdaptor) {
  // Same sizes and unit scales: every mode but tf_half_pixel_for_nn
  // samples each input position exactly.
  if (getInput().getType() == getType() &&
      getCoordinateMode() != ResizeCoordinates::tf_half_pixel_for_nn &&
      llvm::all_of(getScales(), [](float s) { return s == 1.0f; }))
    return getInput();
  return {};
}
