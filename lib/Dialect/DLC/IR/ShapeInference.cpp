//===- ShapeInference.cpp - shared result-type inference helpers ----------===//

#include "ShapeInference.h"
#include "mlir/Dialect/Traits.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::dlc::detail {

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::interleave(
      shape,
      [&](int64_t dim) {
        text += ShapedType::isDynamic(dim) ? "?" : std::to_string(dim);
      },
      [&] { text += ", "; });
  return text + "]";
}

FailureOr<int64_t> slidingWindowSize(const ShapeDiag &diag, StringRef dimName,
                                     int64_t input, int64_t kernel,
                                     int64_t stride, int64_t padBegin,
                                     int64_t padEnd, int64_t dilation,
                                     bool ceilMode) {
  if (ShapedType::isDynamic(input))
    return ShapedType::kDynamic;
  int64_t extent = dilatedExtent(kernel, dilation);
  int64_t span = input + padBegin + padEnd - extent;
  if (span < 0)
    return diag("expects the ", dimName, " window (", extent,
                ") to fit the padded input (", input + padBegin + padEnd, ")");
  int64_t size = span / stride + 1;
  if (ceilMode && span % stride != 0) {
    ++size;
    // A last window that would start in the end padding is dropped.
    if ((size - 1) * stride >= input + padBegin)
      --size;
  }
  return size;
}

LogicalResult verifyWindowAttrs(const ShapeDiag &diag, ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations) {
  if (kernel.size() != 2)
    return diag("expects 2 kernel_shape values, got ", kernel.size());
  if (strides.size() != 2)
    return diag("expects 2 strides, got ", strides.size());
  if (dilations.size() != 2)
    return diag("expects 2 dilations, got ", dilations.size());
  if (pads.size() != 4)
    return diag("expects 4 pads [top, left, bottom, right], got ", pads.size());
  for (int64_t k : kernel)
    if (k < 1)
      return diag("expects positive kernel_shape, got ", formatShape(kernel));
  for (int64_t s : strides)
    if (s < 1)
      return diag("expects positive strides, got ", formatShape(strides));
  for (int64_t d : dilations)
    if (d < 1)
      return diag("expects positive dilations, got ", formatShape(dilations));
  for (int64_t p : pads)
    if (p < 0)
      return diag("expects non-negative pads, got ", formatShape(pads));
  return success();
}

FailureOr<int64_t> normalizeAxis(const ShapeDiag &diag, StringRef what,
                                 int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return diag("expects ", what, " (", axis, ") to be in [", -rank, ", ", rank,
                ") for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>> broadcastShapes(const ShapeDiag &diag,
                                                ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs) {
  SmallVector<int64_t> result;
  if (!OpTrait::util::getBroadcastedShape(lhs, rhs, result))
    return diag("cannot broadcast lhs shape ", formatShape(lhs),
                " with rhs shape ", formatShape(rhs));
  return result;
}

bool isCompatibleInferredTypes(TypeRange lhs, TypeRange rhs) {
  auto isPlaceholder = [](Type type) { return isa<UnrankedTensorType>(type); };
  if (llvm::any_of(lhs, isPlaceholder) || llvm::any_of(rhs, isPlaceholder))
    return true;
  return lhs == rhs;
}

} // namespace mlir::dlc::detail
