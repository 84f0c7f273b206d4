//===- Kernels.h - fp32 host kernels of the reference executor --*- C++ -*-===//
//
// Each kernel computes one dlc op on host tensors with ONNX's semantics and
// derives its output shape from its inputs (so a dynamic batch just works).
// They know nothing of MLIR; Executor.cpp maps ops onto them.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_RUNTIME_KERNELS_H
#define DLC_LIB_RUNTIME_KERNELS_H

#include "dlc/Runtime/ConvScratch.h"
#include "dlc/Runtime/Tensor.h"
#include <vector>

namespace mlir::dlc::runtime::kernels {

/// A scratch buffer of at least `count` floats, owned by the calling thread
/// and reused by later calls with the same `slot` (contents undefined).
/// Large per-call allocations would be fresh pages from the OS each time,
/// whose page faults cost as much as the arithmetic they feed.
float *scratchBuffer(int slot, size_t count);

/// Sets the threads used by GEMM and the parallel loops.
void setThreadCount(unsigned threads);

/// Runs body(i) for i in [begin, end) across the configured threads.
void parallelFor(int64_t begin, int64_t end,
                 llvm::function_ref<void(int64_t)> body);

/// C = A x op(B) + beta * C (row-major, op = transpose when `transB`),
/// split across the configured threads.
void gemm(bool transB, int64_t m, int64_t n, int64_t k, const float *a,
          int64_t lda, const float *b, int64_t ldb, float beta, float *c,
          int64_t ldc);

/// C = A x B on the calling thread only (for callers that parallelize
/// across many products themselves).
void gemmSingleThread(int64_t m, int64_t n, int64_t k, const float *a,
                      int64_t lda, const float *b, int64_t ldb, float *c,
                      int64_t ldc);

/// A 2-D sliding window, ONNX-style.
struct Window2D {
  int64_t kernel[2] = {1, 1};
  int64_t stride[2] = {1, 1};
  /// top, left, bottom, right
  int64_t pads[4] = {0, 0, 0, 0};
  int64_t dilation[2] = {1, 1};
  bool ceilMode = false;

  /// Output size along spatial dimension `dim` (0: height, 1: width).
  int64_t outputSize(int dim, int64_t input) const;
};

/// With `winogradWeights` (winogradTransformWeights(weight), computed once
/// for a constant weight where winogradApplies) the convolution runs as
/// Winograd F(2x2, 3x3); otherwise as im2col + GEMM or depthwise.
Tensor conv2d(const Tensor &input, const Tensor &weight, const Tensor *bias,
              const Window2D &window, int64_t groups,
              const std::vector<float> *winogradWeights = nullptr);
/// The weights in the Winograd domain: U[k][m][c] = (G g G^T)[k].
std::vector<float> winogradTransformWeights(const Tensor &weight);
Tensor winogradConv2d(const Tensor &input, const Tensor &weight,
                      const std::vector<float> &transformed, const Tensor *bias,
                      const Window2D &window);

Tensor maxPool2d(const Tensor &input, const Window2D &window);
Tensor avgPool2d(const Tensor &input, const Window2D &window,
                 bool countIncludePad);
Tensor globalAvgPool(const Tensor &input);

Tensor batchNorm(const Tensor &input, const Tensor &scale, const Tensor &bias,
                 const Tensor &mean, const Tensor &var, float epsilon);
Tensor layerNorm(const Tensor &input, const Tensor &scale, const Tensor *bias,
                 int64_t axis, float epsilon);

Tensor matmul(const Tensor &lhs, const Tensor &rhs);
/// The output shape of a batched matmul of `lhs` and `rhs` shapes, calling
/// body(batch, lhsMatrix, rhsMatrix) for each output matrix with the index
/// of the (broadcast) operand matrices it multiplies (a null body only
/// computes the shape).
llvm::SmallVector<int64_t>
forEachMatMulBatch(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs,
                   llvm::function_ref<void(int64_t, int64_t, int64_t)> body);
Tensor linear(const Tensor &input, const Tensor &weight, const Tensor *bias);

/// Max and Min propagate NaN (numpy's maximum and minimum).
enum class BinaryKind { Add, Sub, Mul, Div, Max, Min };
Tensor binary(BinaryKind kind, const Tensor &lhs, const Tensor &rhs);

enum class UnaryKind {
  Relu,
  Sigmoid,
  Tanh,
  HardSwish,
  Silu,
  Gelu,
  GeluTanh,
  Sqrt,
  Exp,
  Log,
  Erf,
  Neg,
  Abs,
  Reciprocal,
  Softplus
};
Tensor unary(UnaryKind kind, const Tensor &input);
Tensor clip(const Tensor &input, float min, float max);
/// x if x >= 0, else alpha * x.
Tensor leakyRelu(const Tensor &input, float alpha);
/// x if x >= 0, else alpha * (exp(x) - 1).
Tensor elu(const Tensor &input, float alpha);
/// clip(alpha * x + beta, 0, 1).
Tensor hardSigmoid(const Tensor &input, float alpha, float beta);
/// Softmax along `axis`; with `log`, its logarithm as (x - max) -
/// log(sum(exp(x - max))).
Tensor softmax(const Tensor &input, int64_t axis, bool log = false);

Tensor transpose(const Tensor &input, llvm::ArrayRef<int64_t> perm);
Tensor concat(llvm::ArrayRef<Tensor> inputs, int64_t axis);
Tensor slice(const Tensor &input, llvm::ArrayRef<int64_t> axes,
             llvm::ArrayRef<int64_t> starts, llvm::ArrayRef<int64_t> ends,
             llvm::ArrayRef<int64_t> steps);
std::vector<Tensor> split(const Tensor &input, int64_t axis,
                          llvm::ArrayRef<int64_t> sizes);

/// `input` broadcast to `shape` (numpy's rules; `shape` is the result's).
Tensor expand(const Tensor &input, llvm::ArrayRef<int64_t> shape);

enum class PadKind { Constant, Reflect, Edge };
Tensor pad(const Tensor &input, llvm::ArrayRef<int64_t> pads, PadKind kind,
           float value);

/// How resize samples the image axes (dlc.resize's attributes; the enums
/// keep the dialect's order).
struct ResizeSpec {
  enum class Mode { Nearest, Linear, Cubic } mode = Mode::Nearest;
  enum class Coordinates {
    HalfPixel,
    PyTorchHalfPixel,
    AlignCorners,
    Asymmetric,
    TfHalfPixelForNN
  } coordinates = Coordinates::HalfPixel;
  enum class Rounding {
    RoundPreferFloor,
    RoundPreferCeil,
    Floor,
    Ceil
  } rounding = Rounding::RoundPreferFloor;
  float cubicA = -0.75f;
  bool excludeOutside = false;
  /// Output height and width, their coordinate scales and the resized
  /// lengths align_corners divides by (input size times scale: the output
  /// size unless scales were given).
  int64_t sizes[2] = {1, 1};
  float scales[2] = {1.0f, 1.0f};
  float lengths[2] = {1.0f, 1.0f};
};
Tensor resize(const Tensor &input, const ResizeSpec &spec);

} // namespace mlir::dlc::runtime::kernels

#endif // DLC_LIB_RUNTIME_KERNELS_H
