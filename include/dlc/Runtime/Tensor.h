//===- Tensor.h - host tensors for the reference executor -------*- C++ -*-===//

#ifndef DLC_RUNTIME_TENSOR_H
#define DLC_RUNTIME_TENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <memory>
#include <vector>

namespace mlir::dlc::runtime {

/// A dense, row-major fp32 tensor on the host. Its storage is shared, so a
/// reshape or a weight view costs no copy.
class Tensor {
public:
  Tensor() = default;
  /// A zero-filled tensor of `shape`.
  explicit Tensor(llvm::ArrayRef<int64_t> shape);
  /// A tensor of `shape` whose elements the caller will all overwrite.
  static Tensor uninitialized(llvm::ArrayRef<int64_t> shape);
  /// A tensor holding `values` (their count must match `shape`).
  Tensor(llvm::ArrayRef<int64_t> shape, std::vector<float> values);
  /// A read-only view of memory that `keepAlive` owns (or that outlives the
  /// tensor when `keepAlive` is null).
  static Tensor view(llvm::ArrayRef<int64_t> shape, const float *data,
                     std::shared_ptr<const void> keepAlive);

  llvm::ArrayRef<int64_t> shape() const { return dims; }
  int64_t rank() const { return static_cast<int64_t>(dims.size()); }
  int64_t dim(int64_t index) const { return dims[index]; }
  int64_t numElements() const;

  const float *data() const { return ptr; }
  /// Mutable data; only for tensors this code allocated.
  float *mutableData() { return const_cast<float *>(ptr); }
  llvm::ArrayRef<float> values() const { return {ptr, size_t(numElements())}; }

  /// The same elements under another shape (no copy).
  Tensor reshaped(llvm::ArrayRef<int64_t> shape) const;

private:
  llvm::SmallVector<int64_t, 4> dims;
  const float *ptr = nullptr;
  std::shared_ptr<const void> storage;
};

} // namespace mlir::dlc::runtime

#endif // DLC_RUNTIME_TENSOR_H
