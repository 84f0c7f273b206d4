//===- KnownTensorOps.h - ONNX ops on tensors known at import ---*- C++ -*-===//
//
// What the import-time folding (FoldShapes.cpp) computes with: ONNX's
// elementwise, comparison and data-movement semantics on KnownTensors.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_TARGET_ONNX_KNOWNTENSOROPS_H
#define DLC_LIB_TARGET_ONNX_KNOWNTENSOROPS_H

#include "Importer.h"

namespace mlir::dlc::onnx_import {

/// Folding keeps to tensors of at most a million elements (held as
/// doubles): shapes, and constants PyTorch computes in the graph (Swin's
/// shifted-window attention masks, 64 x 49 x 49 at 224 x 224); a larger
/// one (weights reshaped or transposed) stays an op in the IR.
inline constexpr int64_t kMaxFoldElements = 1 << 20;

KnownTensor makeInts(SmallVector<int64_t> shape, std::vector<int64_t> values,
                     int32_t dtype = onnx::TensorProto::INT64);
KnownTensor makeReals(SmallVector<int64_t> shape, std::vector<double> values,
                      int32_t dtype);

/// Whether foldBinary evaluates `op` (Add, Sub, Mul, Div, Mod with the
/// divisor's sign, Min, Max, Equal, Less, Greater).
bool isFoldableBinary(llvm::StringRef op);
/// `op` on two known tensors, broadcast (comparisons give BOOL); nullopt
/// when the shapes do not broadcast or a float operand is unknown.
std::optional<KnownTensor>
foldBinary(llvm::StringRef op, const KnownTensor &lhs, const KnownTensor &rhs);
/// Where(cond, x, y), broadcast together.
std::optional<KnownTensor>
foldWhere(const KnownTensor &cond, const KnownTensor &x, const KnownTensor &y);
/// The same elements under a new shape.
KnownTensor reshaped(const KnownTensor &tensor, SmallVector<int64_t> shape);
/// The transpose by `perm` (empty: the axes reversed; a permutation).
KnownTensor transposed(const KnownTensor &tensor, SmallVector<int64_t> perm);
/// ScatterND without reduction; nullopt for indices that do not fit.
std::optional<KnownTensor> scatterND(const KnownTensor &data,
                                     const KnownTensor &indices,
                                     const KnownTensor &updates);
/// Gathers along `axis` with known indices (negative ones count back).
KnownTensor gather(const KnownTensor &data, const KnownTensor &indices,
                   int64_t axis);

} // namespace mlir::dlc::onnx_import

#endif // DLC_LIB_TARGET_ONNX_KNOWNTENSOROPS_H
