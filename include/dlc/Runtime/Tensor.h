//===- Tensor.h - host tensors for the reference executor -------*- C++ -*-===//

#ifndef DLC_RUNTIME_TENSOR_H
#define DLC_RUNTIME_TENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <memory>
#include <vector>

namespace mlir::dlc::runtime {

/// What a tensor's elements are. Quantized values are stored as their
/// storage integers: int8 codes (I8), fp8 codes and packed NF4 nibbles (the
/// same bytes, read as uint8), int32 accumulator-scale biases (I32).
enum class ElementKind { F32, I8, I32 };

/// A dense, row-major tensor on the host, fp32 unless made otherwise. Its
/// storage is shared, so a reshape or a weight view costs no copy.
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
  static Tensor view(llvm::ArrayRef<int64_t> shape, ElementKind kind,
                     const void *data, std::shared_ptr<const void> keepAlive);
  /// Integer tensors.
  Tensor(llvm::ArrayRef<int64_t> shape, std::vector<int8_t> values);
  Tensor(llvm::ArrayRef<int64_t> shape, std::vector<int32_t> values);
  static Tensor uninitialized(llvm::ArrayRef<int64_t> shape, ElementKind kind);

  ElementKind kind() const { return elementKind; }
  const int8_t *int8Data() const { return static_cast<const int8_t *>(ptr); }
  int8_t *mutableInt8Data() {
    return static_cast<int8_t *>(const_cast<void *>(ptr));
  }
  const uint8_t *byteData() const { return static_cast<const uint8_t *>(ptr); }
  const int32_t *int32Data() const { return static_cast<const int32_t *>(ptr); }

  llvm::ArrayRef<int64_t> shape() const { return dims; }
  int64_t rank() const { return static_cast<int64_t>(dims.size()); }
  int64_t dim(int64_t index) const { return dims[index]; }
  int64_t numElements() const;

  /// fp32 elements (kind() must be F32).
  const float *data() const { return static_cast<const float *>(ptr); }
  /// Mutable data; only for tensors this code allocated.
  float *mutableData() { return static_cast<float *>(const_cast<void *>(ptr)); }
  llvm::ArrayRef<float> values() const {
    return {data(), size_t(numElements())};
  }

  /// The same elements under another shape (no copy).
  Tensor reshaped(llvm::ArrayRef<int64_t> shape) const;

private:
  llvm::SmallVector<int64_t, 4> dims;
  ElementKind elementKind = ElementKind::F32;
  const void *ptr = nullptr;
  std::shared_ptr<const void> storage;
};

} // namespace mlir::dlc::runtime

#endif // DLC_RUNTIME_TENSOR_H
