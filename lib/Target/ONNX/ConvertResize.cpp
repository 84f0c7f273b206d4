//===- ConvertResize.cpp - ONNX Resize and Upsample ----------------------===//
//
// Resize (and the older Upsample) of the last two axes of N x C x ... x H x
// W (or the last of N x C x L) is a dlc.resize, between reshapes for ranks
// other than 4: nearest, linear or cubic, in every coordinate mode but
// tf_crop_and_resize.
//
//===----------------------------------------------------------------------===//

#include "ConvertHelpers.h"
#include <cmath>

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::onnx_import;

namespace {
/// The output size of each axis and the scale its coordinates use.
struct ResizeTarget {
  Ints sizes;
  SmallVector<float> scales;
  /// Whether the scales came from the model (else output / input).
  bool givenScales = false;
};
} // namespace

/// Reads the scales (input 2 from opset 11, input 1 or an attribute
/// before) or the sizes (input 3) of a rank-`rank` input, for the axes in
/// `axes` (opset 18; all by default).
static FailureOr<ResizeTarget> readTarget(Importer &imp, const NodeAttrs &attrs,
                                          ArrayRef<int64_t> shape,
                                          bool legacy) {
  auto rank = static_cast<int64_t>(shape.size());
  Ints axes;
  if (std::optional<Ints> given = attrs.getInts("axes")) {
    for (int64_t axis : *given) {
      FailureOr<int64_t> at = imp.positiveAxis(axis, rank);
      if (failed(at))
        return failure();
      axes.push_back(*at);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  ResizeTarget target;
  target.sizes.assign(shape.begin(), shape.end());
  target.scales.assign(rank, 1.0f);
  std::vector<double> scales;
  unsigned scalesAt = legacy ? 1 : 2;
  if (std::optional<SmallVector<float>> attr = attrs.getFloats("scales")) {
    scales.assign(attr->begin(), attr->end());
  } else if (imp.hasInput(scalesAt)) {
    const KnownTensor *known = imp.getKnownInput(scalesAt);
    if (!known)
      return imp.fail("needs constant scales or sizes");
    scales = readReals(*known);
  }
  if (!scales.empty()) {
    if (scales.size() != axes.size())
      return imp.fail("scales has ", scales.size(), " entries for ",
                      axes.size(), " axes");
    target.givenScales = true;
    for (auto [axis, s] : llvm::zip(axes, scales)) {
      auto scale = static_cast<float>(s);
      if (!(scale > 0.0f))
        return imp.fail("scale ", shortNumber(s), " is not positive");
      target.scales[axis] = scale;
      if (!ShapedType::isDynamic(shape[axis]))
        target.sizes[axis] = static_cast<int64_t>(
            std::floor(static_cast<float>(shape[axis]) * scale));
      else if (scale != 1.0f)
        return imp.fail("scales the dynamic axis ", axis);
      if (target.sizes[axis] < 1)
        return imp.fail("scale ", shortNumber(s), " leaves axis ", axis,
                        " empty");
    }
    return target;
  }
  if (!imp.hasInput(3))
    return imp.fail("needs constant scales or sizes");
  const KnownTensor *known = imp.getKnownInput(3);
  if (!known)
    return imp.fail("needs constant scales or sizes");
  std::vector<int64_t> sizes = readInts(*known);
  if (sizes.size() != axes.size())
    return imp.fail("sizes has ", sizes.size(), " entries for ", axes.size(),
                    " axes");
  std::string policy = attrs.getString("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch")
    return imp.fail("keep_aspect_ratio_policy '", policy,
                    "' is not supported (stretch is)");
  for (auto [axis, size] : llvm::zip(axes, sizes)) {
    // A dynamic (batch) axis keeps its size: Shape's symbolic value.
    if (ShapedType::isDynamic(shape[axis])) {
      if (!isUnknownValue(size))
        return imp.fail("resizes the dynamic axis ", axis, " to ", size);
      continue;
    }
    if (size < 1)
      return imp.fail("size ", size, " of axis ", axis, " is not positive");
    target.sizes[axis] = size;
    target.scales[axis] =
        static_cast<float>(size) / static_cast<float>(shape[axis]);
  }
  return target;
}

LogicalResult onnx_import::convertResize(Importer &imp,
                                         const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  // Upsample and Resize-10 sample asymmetrically and round down.
  bool legacy = imp.getNode().op_type() == "Upsample" || imp.getOpset() < 11;
  std::string modeName = attrs.getString("mode", "nearest");
  if (modeName == "bilinear") // Upsample-7's spelling
    modeName = "linear";
  std::optional<ResizeMode> mode = symbolizeResizeMode(modeName);
  if (!mode)
    return imp.fail("mode '", modeName,
                    "' is not supported (nearest, linear and cubic are)");
  std::string coordinatesName =
      legacy ? "asymmetric"
             : attrs.getString("coordinate_transformation_mode", "half_pixel");
  std::optional<ResizeCoordinates> coordinates =
      symbolizeResizeCoordinates(coordinatesName);
  if (!coordinates)
    return imp.fail("coordinate_transformation_mode '", coordinatesName,
                    "' is not supported");
  if (*coordinates == ResizeCoordinates::tf_half_pixel_for_nn &&
      *mode != ResizeMode::nearest)
    return imp.fail("coordinate_transformation_mode 'tf_half_pixel_for_nn' "
                    "applies to nearest mode only");
  std::string roundingName =
      legacy ? "floor" : attrs.getString("nearest_mode", "round_prefer_floor");
  std::optional<NearestRounding> rounding =
      symbolizeNearestRounding(roundingName);
  if (!rounding)
    return imp.fail("nearest_mode '", roundingName, "' is not supported");
  ArrayRef<int64_t> shape = shapeOf(x);
  FailureOr<ResizeTarget> target = readTarget(imp, attrs, shape, legacy);
  if (failed(target))
    return failure();
  bool downsamples = false;
  for (auto [d, size] : llvm::enumerate(shape))
    downsamples |= !ShapedType::isDynamic(size) && target->sizes[d] < size;
  if (attrs.getInt("antialias", 0) && downsamples &&
      *mode != ResizeMode::nearest)
    return imp.fail("antialias when downsampling is not supported");
  // The last two axes (one for rank 3) are the image's; the others keep
  // their size, and those between C and the image fold into C.
  auto rank = static_cast<int64_t>(shape.size());
  if (rank < 3)
    return imp.fail("resizes a rank-", rank,
                    " tensor; the input has a batch, channels and one or "
                    "two image axes (N x C x ... x H x W)");
  int64_t firstImageAxis = std::max<int64_t>(2, rank - 2);
  for (int64_t d = 0; d < firstImageAxis; ++d)
    if (target->sizes[d] != shape[d] || target->scales[d] != 1.0f)
      return imp.fail("resizes axis ", d, " of a rank-", rank,
                      " tensor; only the image axes (the last two, the "
                      "last of N x C x L) are resized");
  int64_t folded = 1;
  for (int64_t d = 1; d < firstImageAxis; ++d)
    folded = ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(folded)
                 ? ShapedType::kDynamic
                 : folded * shape[d];
  Ints image = {rank == 3 ? 1 : shape[rank - 2], shape[rank - 1]};
  Ints sizes = {rank == 3 ? 1 : target->sizes[rank - 2],
                target->sizes[rank - 1]};
  SmallVector<float> axisScales = {rank == 3 ? 1.0f : target->scales[rank - 2],
                                   target->scales[rank - 1]};
  Value input = x;
  if (rank != 4) {
    FailureOr<Value> reshaped =
        reshapeTo(imp, x, Ints{shape[0], folded, image[0], image[1]});
    if (failed(reshaped))
      return failure();
    input = *reshaped;
  }
  // Given scales that the sizes imply (2 for 7 -> 14) are left implicit.
  SmallVector<float> scales;
  for (int axis : {0, 1}) {
    auto in = static_cast<float>(image[axis]);
    auto out = static_cast<float>(sizes[axis]);
    if (axisScales[axis] != out / in || in * axisScales[axis] != out)
      scales = axisScales;
  }
  // Attributes of the other modes keep their defaults (PyTorch writes
  // nearest_mode 'floor' on every Resize).
  bool cubic = *mode == ResizeMode::cubic;
  FailureOr<ResizeOp> resized = imp.create<ResizeOp>(
      input, sizes, scales, *mode, *coordinates,
      *mode == ResizeMode::nearest ? *rounding
                                   : NearestRounding::round_prefer_floor,
      APFloat(cubic ? attrs.getFloat("cubic_coeff_a", -0.75f) : -0.75f),
      cubic && attrs.getInt("exclude_outside", 0) != 0);
  if (failed(resized))
    return failure();
  if (rank == 4)
    return setResult(imp, resized);
  return setResult(imp, reshapeTo(imp, resized->getResult(), target->sizes));
}
