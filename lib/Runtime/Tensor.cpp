//===- Tensor.cpp - host tensors ------------------------------------------===//

#include "dlc/Runtime/Tensor.h"
#include <algorithm>
#include <cassert>
#include <mutex>
#include <unordered_map>
#include <vector>

using namespace mlir::dlc::runtime;

namespace {
/// Recycles large float buffers by size. Fresh large allocations are new
/// pages from the OS, whose faults cost as much as the kernels that fill
/// them; a network allocates the same few activation sizes over and over.
/// The most recently released buffer of a size is handed out first: it is
/// the one most likely still in cache.
class BufferPool {
public:
  static constexpr size_t kMinPooled = 16 * 1024;        // floats
  static constexpr size_t kMaxCached = 64 * 1024 * 1024; // floats

  std::shared_ptr<float[]> get(size_t count) {
    float *buffer = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = freeBuffers.find(count);
      if (it != freeBuffers.end() && !it->second.empty()) {
        buffer = it->second.back();
        it->second.pop_back();
        cached -= count;
      }
    }
    if (!buffer)
      buffer = new float[count];
    return std::shared_ptr<float[]>(buffer,
                                    [this, count](float *p) { put(p, count); });
  }

private:
  void put(float *buffer, size_t count) {
    std::lock_guard<std::mutex> lock(mutex);
    if (cached + count > kMaxCached) {
      delete[] buffer;
      return;
    }
    freeBuffers[count].push_back(buffer);
    cached += count;
  }

  std::mutex mutex;
  std::unordered_map<size_t, std::vector<float *>> freeBuffers;
  size_t cached = 0;
};

/// Never destroyed: buffers may be released during static destruction.
BufferPool &bufferPool() {
  static BufferPool *pool = new BufferPool;
  return *pool;
}
} // namespace

int64_t Tensor::numElements() const {
  int64_t count = 1;
  for (int64_t d : dims)
    count *= d;
  return count;
}

Tensor::Tensor(llvm::ArrayRef<int64_t> shape) : dims(shape) {
  auto buffer = std::make_shared<std::vector<float>>(numElements(), 0.0f);
  ptr = buffer->data();
  storage = std::move(buffer);
}

Tensor::Tensor(llvm::ArrayRef<int64_t> shape, std::vector<float> values)
    : dims(shape) {
  assert(static_cast<int64_t>(values.size()) == numElements() &&
         "value count does not match the shape");
  auto buffer = std::make_shared<std::vector<float>>(std::move(values));
  ptr = buffer->data();
  storage = std::move(buffer);
}

Tensor Tensor::uninitialized(llvm::ArrayRef<int64_t> shape) {
  Tensor tensor;
  tensor.dims.assign(shape.begin(), shape.end());
  // new float[] leaves the elements uninitialized: no memset for outputs
  // that a kernel writes in full.
  auto count = static_cast<size_t>(std::max<int64_t>(tensor.numElements(), 1));
  std::shared_ptr<float[]> buffer =
      count >= BufferPool::kMinPooled
          ? bufferPool().get(count)
          : std::shared_ptr<float[]>(new float[count]);
  tensor.ptr = buffer.get();
  tensor.storage = std::move(buffer);
  return tensor;
}

Tensor Tensor::view(llvm::ArrayRef<int64_t> shape, const float *data,
                    std::shared_ptr<const void> keepAlive) {
  Tensor tensor;
  tensor.dims.assign(shape.begin(), shape.end());
  tensor.ptr = data;
  tensor.storage = std::move(keepAlive);
  return tensor;
}

Tensor Tensor::view(llvm::ArrayRef<int64_t> shape, ElementKind kind,
                    const void *data, std::shared_ptr<const void> keepAlive) {
  Tensor tensor;
  tensor.dims.assign(shape.begin(), shape.end());
  tensor.elementKind = kind;
  tensor.ptr = data;
  tensor.storage = std::move(keepAlive);
  return tensor;
}

template <typename T>
static std::shared_ptr<std::vector<T>> share(std::vector<T> values) {
  return std::make_shared<std::vector<T>>(std::move(values));
}

Tensor::Tensor(llvm::ArrayRef<int64_t> shape, std::vector<int8_t> values)
    : dims(shape), elementKind(ElementKind::I8) {
  assert(static_cast<int64_t>(values.size()) == numElements() &&
         "value count does not match the shape");
  auto buffer = share(std::move(values));
  ptr = buffer->data();
  storage = std::move(buffer);
}

Tensor::Tensor(llvm::ArrayRef<int64_t> shape, std::vector<int32_t> values)
    : dims(shape), elementKind(ElementKind::I32) {
  assert(static_cast<int64_t>(values.size()) == numElements() &&
         "value count does not match the shape");
  auto buffer = share(std::move(values));
  ptr = buffer->data();
  storage = std::move(buffer);
}

Tensor Tensor::uninitialized(llvm::ArrayRef<int64_t> shape, ElementKind kind) {
  if (kind == ElementKind::F32)
    return uninitialized(shape);
  Tensor tensor;
  tensor.dims.assign(shape.begin(), shape.end());
  tensor.elementKind = kind;
  size_t bytes = std::max<int64_t>(tensor.numElements(), 1) *
                 (kind == ElementKind::I32 ? 4 : 1);
  std::shared_ptr<int32_t[]> buffer(new int32_t[(bytes + 3) / 4]);
  tensor.ptr = buffer.get();
  tensor.storage = std::move(buffer);
  return tensor;
}

Tensor Tensor::reshaped(llvm::ArrayRef<int64_t> shape) const {
  Tensor tensor = *this;
  tensor.dims.assign(shape.begin(), shape.end());
  assert(tensor.numElements() == numElements() && "reshape changes size");
  return tensor;
}
