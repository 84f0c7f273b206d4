//===- CostOpInterface.h - what an op costs ---------------------*- C++ -*-===//

#ifndef DLC_INTERFACES_COSTOPINTERFACE_H
#define DLC_INTERFACES_COSTOPINTERFACE_H

#include "mlir/IR/OpDefinition.h"
#include <cstdint>

namespace mlir::dlc {

/// How an op uses the hardware, which decides the efficiency the latency
/// model applies to it.
enum class CostKind {
  /// Dense products (conv, matmul, linear): tensor cores / dot-product units.
  MatMul,
  /// Grouped convolution with few channels per group, incl. depthwise.
  Depthwise,
  /// Elementwise arithmetic (fusable into a producer).
  Elementwise,
  /// Reductions and normalizations (softmax, layer norm, pooling).
  Reduction,
  /// Pure data movement (transpose, concat, slice, pad, reshape).
  DataMovement,
};

struct OpCost {
  CostKind kind = CostKind::Elementwise;
  /// Multiply-accumulates of the products (0 for non-product ops).
  int64_t macs = 0;
  /// FLOPs with a multiply-add counted as 2 (so 2 * macs for products).
  int64_t flops = 0;
  /// FLOPs counted exactly: a bias-less K-term dot product is K
  /// multiplications and K - 1 additions (H*W*M*(2*C*K*K - 1) for a conv).
  int64_t exactFlops = 0;
  /// Learned parameters (weights, biases, norm scales; not batch-norm
  /// running statistics) and the bytes of every constant operand.
  int64_t params = 0;
  int64_t weightBytes = 0;
  /// Activation bytes read (non-parameter operands) and written (results).
  int64_t bytesRead = 0;
  int64_t bytesWritten = 0;
  /// Channel counts the hardware wants aligned (reduction and output
  /// channels of a product); empty for other ops.
  int64_t reductionChannels = 0;
  int64_t outputChannels = 0;

  int64_t totalBytes() const { return bytesRead + bytesWritten + weightBytes; }
  /// FLOPs per byte moved.
  double intensity() const {
    return totalBytes() ? static_cast<double>(flops) / totalBytes() : 0.0;
  }
};

} // namespace mlir::dlc

#include "dlc/Interfaces/CostOpInterface.h.inc"

#endif // DLC_INTERFACES_COSTOPINTERFACE_H
