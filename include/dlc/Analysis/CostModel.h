//===- CostModel.h - latency and memory of a network on a target -*- C++
//-*-===//
//
// A roofline-style model: each op takes max(compute time, memory time) plus
// the target's kernel launch overhead, where compute time divides the op's
// FLOPs by the target's peak for its element type scaled by efficiency
// factors (channel alignment, depthwise, small work), and memory time its
// bytes by the memory bandwidth. Elementwise ops that directly consume a
// single-use producer are costed as fused into it. The model also derives
// peak activation memory from tensor liveness and weight memory per type.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_ANALYSIS_COSTMODEL_H
#define DLC_ANALYSIS_COSTMODEL_H

#include "dlc/Analysis/Target.h"
#include "dlc/Interfaces/CostOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include <map>
#include <optional>

namespace mlir::dlc {

struct LayerCost {
  Operation *op = nullptr;
  /// The op's location name (ONNX node name), or "<op>#<index>".
  std::string name;
  /// Empty when the op's cost is unknown.
  std::optional<OpCost> cost;
  /// Element type key the op computes in ("fp32", "fp16", "int8", ...).
  std::string type;
  double computeUs = 0, memoryUs = 0, timeUs = 0;
  bool memoryBound = false;
  /// Fused into its producer: no launch, no round trip through memory.
  bool fused = false;
  /// Activation and scratch bytes the reference executor finds out of
  /// cache (targets with cold_activation_gbps), included in timeUs.
  int64_t coldBytes = 0;
};

struct NetworkCost {
  std::vector<LayerCost> layers;
  int64_t macs = 0, flops = 0, params = 0;
  /// Parameter bytes per element type key.
  std::map<std::string, int64_t> weightBytes;
  int64_t peakActivationBytes = 0;
  /// Fraction of parameter elements that are zero (constants only).
  double sparsity = 0;
  double latencyUs = 0;
  int64_t unknownOps = 0;
  int64_t batch = 1;

  int64_t totalWeightBytes() const;
};

/// The element type key of `type` ("fp32", "fp16", "bf16", "fp8", "int8").
std::string costTypeKey(Type type);

/// Bytes of a static tensor in its storage type (int8 for !quant.uniform),
/// 0 when unknown.
int64_t storageBytes(Type type);

/// The name of a layer: its location's name (the ONNX node), else
/// "<op name>#<index>", `index` being its position in the function body.
std::string layerName(Operation *op, unsigned index);

/// Costs every op of `func` (static shapes expected; ops with dynamic
/// shapes are counted as unknown) on `target`.
/// Predicted time of one op on `target` as its own kernel (microseconds),
/// or nullopt when its cost is unknown. Rewrites ask this to decide.
std::optional<double> predictOpTime(Operation *op, const Target &target);

/// With `fuse`, elementwise ops consuming a single-use producer are costed
/// as fused into it.
NetworkCost costNetwork(func::FuncOp func, const Target &target,
                        bool fuse = true);

} // namespace mlir::dlc

#endif // DLC_ANALYSIS_COSTMODEL_H
