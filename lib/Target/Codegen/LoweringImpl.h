//===- LoweringImpl.h - dlc ops to a kernel program ------------*- C++ -*-===//
//
// The state shared by the planning (Lowering.cpp), the lowering of float
// layers (LowerLayers.cpp), other float ops (LowerOps.cpp) and quantized
// ops (LowerQuantized.cpp): where each value lives, fusion groups, the
// weight blob and the scratch the calls need; helpers they all use.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_TARGET_CODEGEN_LOWERINGIMPL_H
#define DLC_LIB_TARGET_CODEGEN_LOWERINGIMPL_H

#include "dlc/Analysis/Target.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Quant/UniformQuant.h"
#include "dlc/Target/Codegen/Lowering.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include <array>

namespace mlir::dlc::codegen {

inline int64_t roundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

inline SmallVector<int64_t> shapeOf(Value v) {
  return SmallVector<int64_t>(cast<ShapedType>(v.getType()).getShape());
}

inline int64_t numElements(Value v) {
  return cast<ShapedType>(v.getType()).getNumElements();
}

/// Row-major element strides of `shape`.
inline SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// `axis` of a rank-`rank` tensor counted from the front (a verified op's
/// negative axis counts from the back).
inline int64_t positiveAxis(int64_t axis, size_t rank) {
  return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
}

/// (outer, channels, inner) element counts around `axis` of `type` (-1:
/// the whole tensor as one channel, as a per-tensor quantization axis).
inline std::array<int64_t, 3> aroundAxis(ShapedType type, int64_t axis) {
  if (axis < 0)
    return {1, 1, type.getNumElements()};
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= type.getDimSize(d);
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= type.getDimSize(d);
  return {outer, type.getDimSize(axis), inner};
}

/// An absent (null pointer) kernel argument.
inline Arg null() { return Arg(); }

inline Arg clampArg(float lo, float hi) {
  return Aggregate{"dlc_clamp", false, {Arg(lo), Arg(hi)}};
}

/// An inference batch norm as y = x * mul[c] + add[c], derived in double
/// as the executor does; nullopt unless its statistics are constants.
std::optional<std::pair<std::vector<float>, std::vector<float>>>
batchNormCoefficients(BatchNormOp bn);

/// Batch count and per-batch stride (0: broadcast) of a matmul operand.
std::optional<std::pair<int64_t, int64_t>>
matmulBatch(ArrayRef<int64_t> operand, ArrayRef<int64_t> result);

/// Whether a float convolution runs on the depthwise kernel rather than a
/// GEMM: one output channel per input channel, constant weights.
bool isDepthwiseKernel(Conv2DOp conv);

/// A float conv or linear layer with what follows it folded in: a residual
/// add (the other operand) and a ReLU or clip.
struct FusedLayer {
  /// The conv or linear op the kernel computes.
  Operation *layer = nullptr;
  /// An inference batch norm on the layer's output (constant statistics),
  /// folded into the epilogue's per-channel scale and bias.
  BatchNormOp batchNorm;
  Value residual;
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  /// The value the fused kernel writes (the last op's result).
  Value result;
  std::string comment;
};

/// The `dlc_conv_geom` of a convolution.
Aggregate convGeometry(ShapedType in, ShapedType weight, ShapedType out,
                       ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                       ArrayRef<int64_t> dilations, int64_t groups);

/// What an int8 product (qconv2d, qlinear) passes its kernel: the input
/// zero point, the SDOT-packed weights, the per-row correction bias -
/// z_x * sum(w), and the requantization parameters.
struct Int8Layer {
  int64_t inputZero = 0;
  BufferRef weights, correction;
  /// 2:4 sparse weights' selectors (LoweringOptions::sparse24Int8):
  /// `weights` then holds the kept values.
  std::optional<BufferRef> sparseMeta;
  Aggregate requant;
};

class Lowering {
public:
  Lowering(func::FuncOp func, const Target &target, Backend backend,
           LoweringOptions options, KernelProgram &program)
      : func(func), target(target), backend(backend), options(options),
        program(program) {}
  LogicalResult run();

private:
  // Planning (Lowering.cpp).
  void findFusions();
  LogicalResult planMemory();
  FailureOr<ElemType> elemTypeOf(Value value, Operation *where);
  Value aliasRoot(Value value) const;
  BufferRef bufferOf(Value value);
  /// The execution context argument of a call that needs `bytes` of
  /// scratch per thread.
  Arg exec(int64_t bytes);
  /// The planned buffer an op needs besides its operands and results (fp8
  /// activations decoded to fp32, packed matmul operands).
  BufferRef temporary(Operation *op, ElemType type);
  /// `args` followed by what an fp32 GEMM call takes last: the CPU's cache
  /// blocking (ARM, from the target's L1/L2) and the execution context with
  /// the GEMM's per-thread scratch.
  std::vector<Arg> gemmArgs(std::vector<Arg> args);
  /// Split-K on CUDA: the slices a conv, linear layer or matrix product's
  /// reduction is cut into (1: none) and the bytes of their partial sums.
  int64_t reductionSplits(Operation *op) const;
  int64_t partialSumBytes(Operation *op) const;
  /// A CUDA GEMM call's split-K arguments: slices, partial sums.
  void appendSplitArgs(Operation *op, std::vector<Arg> &args);
  /// An int8 GEMM call's last arguments: split-K's, then the execution
  /// context with the ARM kernel's scratch for `k4` x `nc` panels.
  void appendS8GemmTail(Operation *op, std::vector<Arg> &args, int64_t k4,
                        int64_t nc);
  std::string describe(Operation *op) const;
  /// "the ARM backend" or "the CUDA backend", for diagnostics.
  std::string backendName() const;
  void call(std::string kernel, std::vector<Arg> args, std::string comment);

  // Dispatch (Lowering.cpp).
  LogicalResult lowerOp(Operation &op);
  // Float layers (LowerLayers.cpp).
  LogicalResult lowerConv(Conv2DOp op, const FusedLayer &fused);
  LogicalResult lowerLinear(LinearOp op, const FusedLayer &fused);
  LogicalResult lowerMatMul(Operation *op, Value lhs, Value rhs, bool int8);
  // Other float ops (LowerOps.cpp).
  LogicalResult lowerBinary(Operation &op, StringRef kind);
  LogicalResult lowerUnary(Operation &op);
  LogicalResult lowerPool(Operation &op);
  LogicalResult lowerResize(ResizeOp op);
  LogicalResult lowerNormalization(Operation &op);
  LogicalResult lowerDataMovement(Operation &op);

  // Quantized ops (LowerQuantized.cpp).
  LogicalResult lowerQuantizedOp(Operation &op, bool &handled);
  LogicalResult lowerQConv(QConv2DOp op);
  LogicalResult lowerQLinear(QLinearOp op);
  /// The weights, correction and requantization of an int8 product with
  /// `groups` groups.
  FailureOr<Int8Layer> int8Layer(Operation *op, Value input, Value weight,
                                 Value bias, int64_t groups);
  /// An fp8 product: its GEMM's element suffix, operands and epilogue (the
  /// scale input_scale * weight_scales[m] per output row, then the bias).
  /// The CUDA backend's tensor cores multiply the fp8 codes (`_fp8`: the
  /// code buffer and its format, the weight source and its format); the
  /// ARM backend decodes the input into a temporary and runs the fp32 GEMM
  /// on it (`_f32`: the decoded input, the weight source).
  struct FP8Product {
    StringRef suffix;
    std::vector<Arg> input, weights;
    Arg epilogue;
  };
  FailureOr<FP8Product> fp8Product(Operation *op, Value input, Value weight,
                                   Value bias, double inputScale,
                                   ArrayRef<double> weightScales,
                                   int64_t groups);
  /// A product's GEMM arguments: `shape` (the layer's dimensions), then the
  /// input, the weights, `output` and the epilogue.
  static std::vector<Arg> fp8Args(std::vector<Arg> shape, const FP8Product &p,
                                  Arg output);
  /// The weight source (a dlc_asource aggregate) of a float layer whose
  /// weight is an fp32 constant or an NF4 constant; fp8 codes with `table`.
  FailureOr<Arg> weightSource(Operation *layer, Value weight, int64_t groups);
  BufferRef fp8Table(Type fp8Type);
  /// Per-channel (or one) int8 scales and zero points in the weight blob.
  std::pair<BufferRef, BufferRef>
  storeScalesAndZeros(ArrayRef<quantization::UniformParams> params);
  Aggregate requantParams(double inputScale,
                          ArrayRef<quantization::UniformParams> weights,
                          Type result);
  /// The epilogue of a layer: per-channel `scales` (fp8) or the fused batch
  /// norm's, the bias (through the batch norm), residual and clamp.
  FailureOr<Arg> epilogue(Value bias, const FusedLayer &fused,
                          std::optional<std::vector<float>> scales = {});

  /// The fp32 values of a constant operand, stored once in the blob.
  FailureOr<BufferRef> constantF32(Value value, Operation *user);
  FailureOr<std::vector<char>> constantBytes(Value value, Operation *user);

  func::FuncOp func;
  const Target &target;
  Backend backend;
  LoweringOptions options;
  KernelProgram &program;

  /// Ops folded into a later op's kernel, and the op whose kernel it is.
  DenseMap<Operation *, Operation *> absorbedInto;
  DenseMap<Operation *, FusedLayer> fusedLayers;
  /// Emission position of each op (its anchor's index in the body).
  DenseMap<Operation *, int64_t> position;
  DenseMap<Value, BufferRef> buffers;
  DenseMap<Value, BufferRef> storedConstants;
  int64_t scratchOffset = 0, scratchBytes = 0;
  DenseMap<Operation *, BufferRef> temporaries;
  /// Set when a diagnostic was emitted where no LogicalResult is returned.
  bool hadError = false;
  /// Function results that need a final copy (an input, a constant, or a
  /// value returned twice): result index -> value.
  std::vector<std::pair<unsigned, Value>> outputCopies;
};

} // namespace mlir::dlc::codegen

#endif // DLC_LIB_TARGET_CODEGEN_LOWERINGIMPL_H
