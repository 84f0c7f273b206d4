//===- Quantizer.h - rewriting layers into quantized form -------*- C++ -*-===//
//
// The rewriting half of dlc-quantize, shared by the pass, its per-layer
// sensitivity analysis and its mixed-precision search (which quantize
// clones of a function with different layer sets).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_DIALECT_DLC_TRANSFORMS_QUANTIZER_H
#define DLC_LIB_DIALECT_DLC_TRANSFORMS_QUANTIZER_H

#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Quant/Calibration.h"
#include "dlc/Quant/UniformQuant.h"
#include "dlc/Runtime/Tensor.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"
#include <functional>
#include <string>

namespace mlir::dlc {

enum class Precision { Int8, W8A16, FP8E4M3, FP8E5M2, NF4 };

std::optional<Precision> parsePrecision(StringRef name);

struct QuantizerOptions {
  Precision precision = Precision::Int8;
  quantization::CalibrationMethod method =
      quantization::CalibrationMethod::Entropy;
  double percentile = 99.99;
  bool symmetric = false;
  bool perChannel = true;
  /// int8 weights in blocks of `blockSize` input channels per output
  /// channel (a sub-channel `!quant.uniform`; weight-only precisions).
  bool perBlock = false;
  /// NF4 block size, and the int8 per-block size along input channels.
  int64_t blockSize = 64;
  bool doubleQuant = false;
};

/// Whether dlc-quantize rewrites `op` at `precision` (a conv or linear
/// layer with constant weights, or for int8 an add or matmul of two
/// activations).
bool isQuantizableLayer(Operation *op, Precision precision);

/// A layer as quantized, for reports.
struct QuantizedLayer {
  std::string name;
  std::string opName;
  /// SQNR of the stored weights against fp32 (nullopt: no weights).
  std::optional<double> weightSqnr;
  /// The lowest SQNR of any output channel's weights.
  std::optional<double> worstChannelWeightSqnr;
  /// The value now holding the layer's (dequantized) output.
  Value output;
};

/// Rewrites the layers of `func` for which `select(op, index)` holds (index:
/// position among the quantizable layers). `ranges` are the calibrated
/// activation ranges; `tracked` (optional) are tensors keyed by value that
/// follow the values the rewrite replaces (so that fp32 references can be
/// compared with the quantized IR's values).
LogicalResult
quantizeFunction(func::FuncOp func, const QuantizerOptions &options,
                 DenseMap<Value, quantization::RangeObserver> ranges,
                 llvm::function_ref<bool(Operation *, unsigned)> select,
                 DenseMap<Value, runtime::Tensor> *tracked,
                 std::vector<QuantizedLayer> *layers);

/// Erases the weights, quantize and dequantize ops that nothing reads after
/// quantizeFunction (which leaves them so reports can read layer outputs).
void removeDeadConversions(func::FuncOp func);

} // namespace mlir::dlc

#endif // DLC_LIB_DIALECT_DLC_TRANSFORMS_QUANTIZER_H
