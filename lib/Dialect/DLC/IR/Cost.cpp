//===- Cost.cpp - CostOpInterface of every dlc op -------------------------===//
//
// Operands defined by dlc.constant are parameters (weights, biases; not
// one-element constants or BN running statistics, which are stored but not
// learned); all other operands are activations read. Views (reshape,
// flatten) move no data. Transcendental activations are counted with the
// handful of FLOPs per element a vectorized implementation spends.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"

using namespace mlir;
using namespace mlir::dlc;

/// Bytes of a statically shaped tensor, or failure.
static FailureOr<int64_t> bytesOf(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return failure();
  Type element = storageElementTypeOf(shaped.getElementType());
  if (!element.isIntOrFloat())
    return failure();
  return (shaped.getNumElements() * element.getIntOrFloatBitWidth() + 7) / 8;
}

static int64_t elementsOf(Type type) {
  return cast<ShapedType>(type).getNumElements();
}

static bool isParameter(Value value) { return isStoredParameter(value); }

/// The memory side of an op's cost: parameters, activations in and out.
static FailureOr<OpCost> memoryCost(Operation *op, CostKind kind) {
  OpCost cost;
  cost.kind = kind;
  for (Value operand : op->getOperands()) {
    FailureOr<int64_t> bytes = bytesOf(operand.getType());
    if (failed(bytes))
      return failure();
    if (isParameter(operand)) {
      // A one-element constant (an attention scale, an epsilon) is a fixed
      // number of the graph, not a learned parameter.
      if (elementsOf(operand.getType()) > 1)
        cost.params += elementsOf(operand.getType());
      // Compressed weights are read compressed, whatever they decode to.
      cost.weightBytes += storedParameterBytes(operand);
    } else {
      cost.bytesRead += *bytes;
    }
  }
  for (Type type : op->getResultTypes()) {
    FailureOr<int64_t> bytes = bytesOf(type);
    if (failed(bytes))
      return failure();
    cost.bytesWritten += *bytes;
  }
  return cost;
}

/// An elementwise op spending `perElement` FLOPs on each output element.
static FailureOr<OpCost>
elementwiseCost(Operation *op, int64_t perElement,
                CostKind kind = CostKind::Elementwise) {
  FailureOr<OpCost> cost = memoryCost(op, kind);
  if (failed(cost))
    return failure();
  int64_t outputs = elementsOf(op->getResult(0).getType());
  cost->flops = cost->exactFlops = perElement * outputs;
  return cost;
}

/// A product of `macs` multiply-accumulates into `outputs` values, each a
/// `terms`-term dot product (plus a bias add when `bias`).
static void setProduct(OpCost &cost, int64_t macs, int64_t outputs, bool bias) {
  cost.macs = macs;
  cost.flops = 2 * macs;
  cost.exactFlops = 2 * macs - outputs + (bias ? outputs : 0);
}

FailureOr<OpCost> ConstantOp::getCost() {
  return memoryCost(*this, CostKind::DataMovement);
}
FailureOr<OpCost> QConstantOp::getCost() {
  return memoryCost(*this, CostKind::DataMovement);
}
FailureOr<OpCost> NF4ConstantOp::getCost() {
  return memoryCost(*this, CostKind::DataMovement);
}

/// A convolution with weight `weightType` producing `resultType`.
static FailureOr<OpCost> convCost(Operation *op, Type weightType,
                                  int64_t groups, Type resultType, bool bias) {
  auto weight = cast<ShapedType>(weightType);
  int64_t perGroup = weight.getDimSize(1);
  bool depthwise = groups > 1 && perGroup <= 4;
  FailureOr<OpCost> cost =
      memoryCost(op, depthwise ? CostKind::Depthwise : CostKind::MatMul);
  if (failed(cost))
    return failure();
  int64_t outputs = elementsOf(resultType);
  int64_t terms = perGroup * weight.getDimSize(2) * weight.getDimSize(3);
  setProduct(*cost, outputs * terms, outputs, bias);
  cost->reductionChannels = perGroup;
  cost->outputChannels = weight.getDimSize(0) / groups;
  return cost;
}

/// A fully connected layer with an `N x K` weight.
static FailureOr<OpCost> linearCost(Operation *op, Type weightType,
                                    Type resultType, bool bias) {
  FailureOr<OpCost> cost = memoryCost(op, CostKind::MatMul);
  if (failed(cost))
    return failure();
  auto weight = cast<ShapedType>(weightType);
  int64_t outputs = elementsOf(resultType);
  setProduct(*cost, outputs * weight.getDimSize(1), outputs, bias);
  cost->reductionChannels = weight.getDimSize(1);
  cost->outputChannels = weight.getDimSize(0);
  return cost;
}

FailureOr<OpCost> Conv2DOp::getCost() {
  return convCost(*this, getWeight().getType(),
                  static_cast<int64_t>(getGroups()), getType(),
                  static_cast<bool>(getBias()));
}
FailureOr<OpCost> QConv2DOp::getCost() {
  return convCost(*this, getWeight().getType(),
                  static_cast<int64_t>(getGroups()), getType(),
                  static_cast<bool>(getBias()));
}
FailureOr<OpCost> LinearOp::getCost() {
  return linearCost(*this, getWeight().getType(), getType(),
                    static_cast<bool>(getBias()));
}
FailureOr<OpCost> QLinearOp::getCost() {
  return linearCost(*this, getWeight().getType(), getType(),
                    static_cast<bool>(getBias()));
}

/// A batched product of `lhs` (... x M x K) into `result` (... x M x N).
static FailureOr<OpCost> matmulCost(Operation *op, Type lhsType,
                                    Type resultType) {
  FailureOr<OpCost> cost = memoryCost(op, CostKind::MatMul);
  if (failed(cost))
    return failure();
  auto lhs = cast<ShapedType>(lhsType);
  auto result = cast<ShapedType>(resultType);
  int64_t k = lhs.getShape().back();
  setProduct(*cost, elementsOf(result) * k, elementsOf(result), false);
  cost->reductionChannels = k;
  cost->outputChannels = result.getShape().back();
  return cost;
}

FailureOr<OpCost> QMatMulOp::getCost() {
  return matmulCost(*this, getLhs().getType(), getType());
}

FailureOr<OpCost> MatMulOp::getCost() {
  return matmulCost(*this, getLhs().getType(), getType());
}

FailureOr<OpCost> BatchNormOp::getCost() {
  FailureOr<OpCost> cost = elementwiseCost(*this, 2);
  if (failed(cost))
    return failure();
  // Running statistics are stored (weight bytes) but not learned: the
  // usual parameter count (PyTorch's, the papers') leaves them out.
  for (Value stat : {getMean(), getVar()})
    if (isParameter(stat))
      cost->params -= elementsOf(stat.getType());
  return cost;
}
FailureOr<OpCost> LayerNormOp::getCost() {
  return elementwiseCost(*this, 8, CostKind::Reduction);
}
FailureOr<OpCost> AddOp::getCost() { return elementwiseCost(*this, 1); }
// Two rescales and an add, in integers.
FailureOr<OpCost> QAddOp::getCost() { return elementwiseCost(*this, 3); }
FailureOr<OpCost> QuantizeOp::getCost() { return elementwiseCost(*this, 2); }
FailureOr<OpCost> DequantizeOp::getCost() { return elementwiseCost(*this, 2); }
FailureOr<OpCost> RequantizeOp::getCost() { return elementwiseCost(*this, 2); }
FailureOr<OpCost> SubOp::getCost() { return elementwiseCost(*this, 1); }
FailureOr<OpCost> MulOp::getCost() { return elementwiseCost(*this, 1); }
FailureOr<OpCost> DivOp::getCost() { return elementwiseCost(*this, 1); }
FailureOr<OpCost> MaxOp::getCost() { return elementwiseCost(*this, 1); }
FailureOr<OpCost> MinOp::getCost() { return elementwiseCost(*this, 1); }
FailureOr<OpCost> ReluOp::getCost() { return elementwiseCost(*this, 1); }
FailureOr<OpCost> ClipOp::getCost() { return elementwiseCost(*this, 2); }
FailureOr<OpCost> SigmoidOp::getCost() { return elementwiseCost(*this, 4); }
FailureOr<OpCost> HardSwishOp::getCost() { return elementwiseCost(*this, 4); }
FailureOr<OpCost> SiluOp::getCost() { return elementwiseCost(*this, 5); }
FailureOr<OpCost> SqrtOp::getCost() { return elementwiseCost(*this, 1); }
FailureOr<OpCost> ExpOp::getCost() { return elementwiseCost(*this, 4); }
FailureOr<OpCost> LogOp::getCost() { return elementwiseCost(*this, 4); }
FailureOr<OpCost> ErfOp::getCost() { return elementwiseCost(*this, 8); }
FailureOr<OpCost> NegOp::getCost() { return elementwiseCost(*this, 1); }
FailureOr<OpCost> AbsOp::getCost() { return elementwiseCost(*this, 1); }
FailureOr<OpCost> ReciprocalOp::getCost() { return elementwiseCost(*this, 1); }
FailureOr<OpCost> LeakyReluOp::getCost() { return elementwiseCost(*this, 2); }
FailureOr<OpCost> EluOp::getCost() { return elementwiseCost(*this, 5); }
FailureOr<OpCost> SoftplusOp::getCost() { return elementwiseCost(*this, 8); }
FailureOr<OpCost> TanhOp::getCost() { return elementwiseCost(*this, 4); }
FailureOr<OpCost> HardSigmoidOp::getCost() { return elementwiseCost(*this, 3); }
FailureOr<OpCost> GeluOp::getCost() { return elementwiseCost(*this, 8); }
FailureOr<OpCost> SoftmaxOp::getCost() {
  return elementwiseCost(*this, 5, CostKind::Reduction);
}
FailureOr<OpCost> LogSoftmaxOp::getCost() {
  return elementwiseCost(*this, 5, CostKind::Reduction);
}

/// Pooling: one operation per window element per output.
static FailureOr<OpCost> poolCost(Operation *op, ArrayRef<int64_t> kernel) {
  int64_t window = 1;
  for (int64_t k : kernel)
    window *= k;
  return elementwiseCost(op, window, CostKind::Reduction);
}

FailureOr<OpCost> MaxPool2DOp::getCost() {
  return poolCost(*this, getKernelShape());
}
FailureOr<OpCost> AvgPool2DOp::getCost() {
  return poolCost(*this, getKernelShape());
}
FailureOr<OpCost> GlobalAvgPoolOp::getCost() {
  auto input = cast<ShapedType>(getInput().getType());
  return poolCost(*this, input.getShape().drop_front(2));
}

FailureOr<OpCost> ExpandOp::getCost() {
  return memoryCost(*this, CostKind::DataMovement);
}

/// Resize: nearest copies; linear and cubic take 2 or 4 taps along each
/// axis (a weighted sum of the taps in each sampled row, then of the rows).
FailureOr<OpCost> ResizeOp::getCost() {
  if (getMode() == ResizeMode::nearest)
    return elementwiseCost(*this, 0, CostKind::DataMovement);
  int64_t taps = getMode() == ResizeMode::linear ? 2 : 4;
  int64_t perRow = 2 * taps - 1;
  return elementwiseCost(*this, (taps + 1) * perRow, CostKind::Reduction);
}

/// A view: no data moves.
static FailureOr<OpCost> viewCost(Operation *op) {
  FailureOr<OpCost> cost = memoryCost(op, CostKind::DataMovement);
  if (failed(cost))
    return failure();
  cost->bytesRead = cost->bytesWritten = 0;
  return cost;
}

FailureOr<OpCost> ReshapeOp::getCost() { return viewCost(*this); }
FailureOr<OpCost> FlattenOp::getCost() { return viewCost(*this); }
FailureOr<OpCost> TransposeOp::getCost() {
  return memoryCost(*this, CostKind::DataMovement);
}
FailureOr<OpCost> ConcatOp::getCost() {
  return memoryCost(*this, CostKind::DataMovement);
}
FailureOr<OpCost> SliceOp::getCost() {
  // Only the selected elements are read.
  FailureOr<OpCost> cost = memoryCost(*this, CostKind::DataMovement);
  if (failed(cost))
    return failure();
  cost->bytesRead = cost->bytesWritten;
  return cost;
}
FailureOr<OpCost> SplitOp::getCost() {
  return memoryCost(*this, CostKind::DataMovement);
}
FailureOr<OpCost> PadOp::getCost() {
  return memoryCost(*this, CostKind::DataMovement);
}
