//===- LayoutKernels.cpp - transpose, concat, slice, split, pad -----------===//

#include "Kernels.h"
#include <algorithm>

using namespace mlir::dlc::runtime;
using namespace mlir::dlc::runtime::kernels;

static llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Copies an N-d strided view of `src` into a dense `out` of `shape`:
/// element `index` of the output is src[base + sum(index[d] * strides[d])].
static void gatherStrided(const float *src, int64_t base,
                          llvm::ArrayRef<int64_t> viewShape,
                          llvm::ArrayRef<int64_t> viewStrides, float *out) {
  int64_t count = 1;
  for (int64_t d : viewShape)
    count *= d;
  if (count == 0)
    return;
  // Merge each dimension into the one after it where the source is
  // contiguous across both (a transpose that keeps H and W together copies
  // rows of H*W, not of W): fewer, longer rows.
  llvm::SmallVector<int64_t> shape, strides;
  for (size_t d = 0; d < viewShape.size(); ++d) {
    if (viewShape[d] == 1)
      continue;
    if (!shape.empty() && strides.back() == viewStrides[d] * viewShape[d]) {
      shape.back() *= viewShape[d];
      strides.back() = viewStrides[d];
      continue;
    }
    shape.push_back(viewShape[d]);
    strides.push_back(viewStrides[d]);
  }
  int64_t inner = shape.empty() ? 1 : shape.back();
  int64_t innerStride = shape.empty() ? 0 : strides.back();
  int64_t rows = count / inner;
  size_t rank = shape.size();
  parallelFor(0, rows, [&](int64_t row) {
    int64_t offset = base, rest = row;
    for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
      offset += (rest % shape[d]) * strides[d];
      rest /= shape[d];
    }
    float *dst = out + row * inner;
    if (innerStride == 1) {
      std::copy(src + offset, src + offset + inner, dst);
      return;
    }
    for (int64_t i = 0; i < inner; ++i)
      dst[i] = src[offset + i * innerStride];
  });
}

Tensor kernels::transpose(const Tensor &input, llvm::ArrayRef<int64_t> perm) {
  llvm::SmallVector<int64_t> inStrides = stridesOf(input.shape());
  llvm::SmallVector<int64_t> shape, strides;
  for (int64_t p : perm) {
    shape.push_back(input.dim(p));
    strides.push_back(inStrides[p]);
  }
  Tensor output = Tensor::uninitialized(shape);
  gatherStrided(input.data(), 0, shape, strides, output.mutableData());
  return output;
}

Tensor kernels::expand(const Tensor &input, llvm::ArrayRef<int64_t> shape) {
  // Broadcast dimensions read the same element again: stride 0.
  llvm::SmallVector<int64_t> inStrides = stridesOf(input.shape());
  llvm::SmallVector<int64_t> strides(shape.size(), 0);
  int64_t offset = static_cast<int64_t>(shape.size()) - input.rank();
  for (int64_t d = 0; d < input.rank(); ++d)
    if (input.dim(d) == shape[offset + d])
      strides[offset + d] = inStrides[d];
  Tensor output = Tensor::uninitialized(shape);
  gatherStrided(input.data(), 0, shape, strides, output.mutableData());
  return output;
}

Tensor kernels::slice(const Tensor &input, llvm::ArrayRef<int64_t> axes,
                      llvm::ArrayRef<int64_t> starts,
                      llvm::ArrayRef<int64_t> ends,
                      llvm::ArrayRef<int64_t> steps) {
  llvm::SmallVector<int64_t> inStrides = stridesOf(input.shape());
  llvm::SmallVector<int64_t> shape(input.shape()), strides(inStrides);
  int64_t base = 0;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i] < 0 ? axes[i] + input.rank() : axes[i];
    int64_t step = steps.empty() ? 1 : steps[i];
    shape[axis] = (ends[i] - starts[i] + step - 1) / step;
    strides[axis] = inStrides[axis] * step;
    base += starts[i] * inStrides[axis];
  }
  Tensor output = Tensor::uninitialized(shape);
  gatherStrided(input.data(), base, shape, strides, output.mutableData());
  return output;
}

std::vector<Tensor> kernels::split(const Tensor &input, int64_t axis,
                                   llvm::ArrayRef<int64_t> sizes) {
  if (axis < 0)
    axis += input.rank();
  std::vector<Tensor> outputs;
  int64_t start = 0;
  for (int64_t size : sizes) {
    outputs.push_back(slice(input, {axis}, {start}, {start + size}, {}));
    start += size;
  }
  return outputs;
}

Tensor kernels::concat(llvm::ArrayRef<Tensor> inputs, int64_t axis) {
  const Tensor &first = inputs.front();
  if (axis < 0)
    axis += first.rank();
  llvm::SmallVector<int64_t> shape(first.shape());
  shape[axis] = 0;
  for (const Tensor &t : inputs)
    shape[axis] += t.dim(axis);
  Tensor output = Tensor::uninitialized(shape);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  int64_t outRow = shape[axis] * inner;
  int64_t offset = 0;
  for (const Tensor &t : inputs) {
    int64_t row = t.dim(axis) * inner;
    parallelFor(0, outer, [&](int64_t o) {
      std::copy(t.data() + o * row, t.data() + (o + 1) * row,
                output.mutableData() + o * outRow + offset);
    });
    offset += row;
  }
  return output;
}

Tensor kernels::pad(const Tensor &input, llvm::ArrayRef<int64_t> pads,
                    PadKind kind, float value) {
  int64_t rank = input.rank();
  llvm::SmallVector<int64_t> shape(input.shape());
  for (int64_t d = 0; d < rank; ++d)
    shape[d] += pads[d] + pads[d + rank];
  Tensor output = Tensor::uninitialized(shape);
  llvm::SmallVector<int64_t> inStrides = stridesOf(input.shape());
  int64_t inner = shape.empty() ? 1 : shape.back();
  int64_t rows = output.numElements() / std::max<int64_t>(inner, 1);
  // Maps an output coordinate to an input one, or -1 for the constant.
  auto source = [&](int64_t d, int64_t i) -> int64_t {
    int64_t size = input.dim(d);
    int64_t j = i - pads[d];
    if (j >= 0 && j < size)
      return j;
    switch (kind) {
    case PadKind::Constant:
      return -1;
    case PadKind::Edge:
      return std::clamp<int64_t>(j, 0, size - 1);
    case PadKind::Reflect:
      return j < 0 ? -j : 2 * (size - 1) - j;
    }
    return -1;
  };
  parallelFor(0, rows, [&](int64_t row) {
    int64_t offset = 0, rest = row;
    bool outside = false;
    for (int64_t d = rank - 2; d >= 0; --d) {
      int64_t j = source(d, rest % shape[d]);
      rest /= shape[d];
      if (j < 0)
        outside = true;
      else
        offset += j * inStrides[d];
    }
    float *dst = output.mutableData() + row * inner;
    for (int64_t i = 0; i < inner; ++i) {
      int64_t j = rank ? source(rank - 1, i) : 0;
      dst[i] = outside || j < 0 ? value : input.data()[offset + j];
    }
  });
  return output;
}
