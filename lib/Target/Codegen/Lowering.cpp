//===- Lowering.cpp - dlc ops to a kernel program ------------------------===//
//
// Planning (fusion groups, buffer liveness and workspace offsets) and the
// lowering of float ops. Quantized ops are in LowerQuantized.cpp.
//
//===----------------------------------------------------------------------===//

#include "dlc/Target/Codegen/Lowering.h"
#include "LoweringImpl.h"
#include "WeightPacking.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
#include "dlc/Quant/FixedPoint.h"
#include "dlc/Support/Debug.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cmath>
#include <map>

#define DEBUG_TYPE "dlc-emit-arm"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::codegen;

static int64_t roundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

static SmallVector<int64_t> shapeOf(Value v) {
  return SmallVector<int64_t>(cast<ShapedType>(v.getType()).getShape());
}

static int64_t numElements(Value v) {
  return cast<ShapedType>(v.getType()).getNumElements();
}

/// Row-major element strides of `shape`.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

static Arg null() { return Arg(); }

static Arg clampArg(float lo, float hi) {
  return Aggregate{"dlc_clamp", false, {Arg(lo), Arg(hi)}};
}

static bool isWeightOp(Operation *op) {
  return isa_and_nonnull<ConstantOp, QConstantOp, NF4ConstantOp>(op);
}

static bool isAlias(Operation *op) { return isa<ReshapeOp, FlattenOp>(op); }

static int64_t temporaryBytes(Operation *op, Backend backend);

/// An inference batch norm as y = x * mul[c] + add[c], derived in double
/// as the executor does; nullopt unless its statistics are constants.
static std::optional<std::pair<std::vector<float>, std::vector<float>>>
batchNormCoefficients(BatchNormOp bn) {
  std::optional<std::vector<float>> scale = getConstantF32(bn.getScale()),
                                    bias = getConstantF32(bn.getBias()),
                                    mean = getConstantF32(bn.getMean()),
                                    var = getConstantF32(bn.getVar());
  if (!scale || !bias || !mean || !var)
    return std::nullopt;
  size_t c = scale->size();
  std::vector<float> mul(c), add(c);
  float eps = bn.getEpsilon().convertToFloat();
  for (size_t i = 0; i < c; ++i) {
    double inv = 1.0 / std::sqrt(static_cast<double>((*var)[i]) + eps);
    mul[i] = static_cast<float>((*scale)[i] * inv);
    add[i] = static_cast<float>((*bias)[i] - (*mean)[i] * (*scale)[i] * inv);
  }
  return std::make_pair(std::move(mul), std::move(add));
}

//===----------------------------------------------------------------------===//
// Planning
//===----------------------------------------------------------------------===//

std::string Lowering::backendName() const {
  return backend == Backend::ARM ? "the ARM backend" : "the CUDA backend";
}

std::string Lowering::describe(Operation *op) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName().getStringRef();
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    os << " \"" << name.getName().strref() << "\"";
  return text;
}

void Lowering::call(std::string kernel, std::vector<Arg> args,
                    std::string comment) {
  // Every kernel runs on the execution context: the CPU's thread pool, or
  // the stream a CUDA launch goes to.
  if (llvm::none_of(args, [](const Arg &arg) {
        return std::holds_alternative<ExecArg>(arg.value);
      }))
    args.push_back(ExecArg{});
  program.calls.push_back(
      {std::move(kernel), std::move(args), std::move(comment)});
}

FailureOr<ElemType> Lowering::elemTypeOf(Value value, Operation *where) {
  auto shaped = dyn_cast<RankedTensorType>(value.getType());
  if (!shaped || !shaped.hasStaticShape())
    return where->emitOpError("has an operand or result of type ")
           << value.getType() << ", which " << backendName()
           << " cannot lower (static shapes only)";
  Type element = shaped.getElementType();
  if (element.isF32())
    return ElemType::F32;
  if (getInt8PerTensor(element) || getInt8PerAxis(element))
    return ElemType::S8;
  if (getFP8Format(element))
    return ElemType::U8;
  if (element.isInteger(32))
    return ElemType::S32;
  return where->emitOpError("computes on ")
         << element << ", which " << backendName() << " does not support";
}

void Lowering::findFusions() {
  auto soleUser = [](Value v) -> Operation * {
    return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
  };
  for (Operation &op : func.front()) {
    if (!isa<Conv2DOp, LinearOp>(op))
      continue;
    FusedLayer fused;
    fused.layer = &op;
    Value current = op.getResult(0);
    Operation *last = &op;
    SmallVector<Operation *> absorbed;
    auto bn = dyn_cast_or_null<BatchNormOp>(soleUser(current));
    Value layerBias = isa<Conv2DOp>(op) ? cast<Conv2DOp>(op).getBias()
                                        : cast<LinearOp>(op).getBias();
    bool biasKnown = !layerBias || getConstantF32(layerBias);
    if (bn && biasKnown && batchNormCoefficients(bn) &&
        (isa<Conv2DOp>(op) ||
         cast<ShapedType>(current.getType()).getRank() == 2)) {
      fused.batchNorm = bn;
      absorbed.push_back(last);
      last = bn;
      current = bn.getResult();
    }
    if (auto add = dyn_cast_or_null<AddOp>(soleUser(current))) {
      // (Both operands may be layers; the first in program order takes it.)
      if (!absorbedInto.count(add) && !fusedLayers.count(add) &&
          add.getLhs().getType() == add.getRhs().getType() &&
          add.getLhs() != add.getRhs()) {
        fused.residual = add.getLhs() == current ? add.getRhs() : add.getLhs();
        absorbed.push_back(last);
        last = add;
        current = add.getResult();
      }
    }
    Operation *user = soleUser(current);
    if (auto relu = dyn_cast_or_null<ReluOp>(user)) {
      fused.lo = 0.0f;
      absorbed.push_back(last);
      last = relu;
      current = relu.getResult();
    } else if (auto clip = dyn_cast_or_null<ClipOp>(user)) {
      fused.lo = clip.getMin().convertToFloat();
      fused.hi = clip.getMax().convertToFloat();
      absorbed.push_back(last);
      last = clip;
      current = clip.getResult();
    }
    if (last == &op)
      continue;
    fused.result = current;
    for (Operation *a : absorbed)
      absorbedInto[a] = last;
    std::string text = describe(&op);
    for (Operation *a : llvm::drop_begin(absorbed))
      text += " + " + a->getName().getStringRef().str();
    fused.comment = text + " + " + last->getName().getStringRef().str();
    fusedLayers[last] = fused;
    DLC_DEBUG(llvm::dbgs() << "dlc-emit-arm: fused " << fused.comment << "\n");
  }
}

Value Lowering::aliasRoot(Value value) const {
  while (Operation *def = value.getDefiningOp()) {
    if (!isAlias(def))
      break;
    value = def->getOperand(0);
  }
  return value;
}

LogicalResult Lowering::planMemory() {
  Block &body = func.front();
  int64_t index = 0;
  for (Operation &op : body)
    position[&op] = index++;
  for (auto [op, anchor] : absorbedInto)
    position[op] = position[anchor];
  int64_t end = index;

  // Each stored value (a root) lives from its producer's position to its
  // last reader's, readers of its aliases included.
  struct Interval {
    Value value;
    int64_t def, last, bytes;
    Operation *temporary = nullptr;
  };
  std::map<int64_t, SmallVector<Interval>> byDef;
  llvm::MapVector<Value, Interval> intervals;
  for (Operation &op : body) {
    if (absorbedInto.count(&op) || isAlias(&op) || isWeightOp(&op) ||
        isa<func::ReturnOp>(op))
      continue;
    for (Value result : op.getResults()) {
      FailureOr<ElemType> type = elemTypeOf(result, &op);
      if (failed(type))
        return failure();
      intervals[result] = {result, position[&op], position[&op],
                           roundUp(numElements(result) * byteWidth(*type), 64)};
    }
  }
  for (Operation &op : body)
    for (Value operand : op.getOperands()) {
      auto it = intervals.find(aliasRoot(operand));
      if (it != intervals.end())
        it->second.last = std::max(
            it->second.last, isa<func::ReturnOp>(op) ? end : position[&op]);
    }

  // Results written straight into the caller's output buffers.
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    Value root = aliasRoot(v);
    if (intervals.count(root) && !buffers.count(root)) {
      FailureOr<ElemType> type = elemTypeOf(root, ret);
      if (failed(type))
        return failure();
      buffers[root] = {BufferRef::Storage::Output, static_cast<int64_t>(i),
                       *type};
      intervals.erase(root);
    } else {
      outputCopies.emplace_back(i, v);
    }
  }

  // First fit over offsets; a buffer is free after its last reader (not
  // at it: no kernel writes over its own input).
  std::vector<Interval> order;
  for (auto &[v, interval] : intervals)
    order.push_back(interval);
  for (Operation &op : body)
    if (int64_t bytes =
            roundUp(temporaryBytes(&op, backend), 64) + partialSumBytes(&op))
      order.push_back(
          {Value(), position[&op], position[&op], roundUp(bytes, 64), &op});
  llvm::sort(order, [](const Interval &a, const Interval &b) {
    return a.def != b.def
               ? a.def < b.def
               : a.value.getAsOpaquePointer() < b.value.getAsOpaquePointer();
  });
  struct Live {
    int64_t offset, bytes, last;
  };
  std::vector<Live> live;
  int64_t peak = 0;
  for (const Interval &in : order) {
    llvm::erase_if(live, [&](const Live &l) { return l.last < in.def; });
    llvm::sort(
        live, [](const Live &a, const Live &b) { return a.offset < b.offset; });
    int64_t offset = 0;
    for (const Live &l : live) {
      if (l.offset - offset >= in.bytes)
        break;
      offset = std::max(offset, l.offset + l.bytes);
    }
    live.push_back({offset, in.bytes, in.last});
    peak = std::max(peak, offset + in.bytes);
    if (in.temporary) {
      temporaries[in.temporary] = {BufferRef::Storage::Workspace, offset,
                                   ElemType::F32};
      continue;
    }
    FailureOr<ElemType> type = elemTypeOf(in.value, func);
    buffers[in.value] = {BufferRef::Storage::Workspace, offset, *type};
  }
  scratchOffset = peak;
  DLC_DEBUG(llvm::dbgs() << "dlc-emit-arm: " << order.size()
                         << " workspace buffers in " << peak << " bytes\n");
  return success();
}

BufferRef Lowering::bufferOf(Value value) {
  Value root = aliasRoot(value);
  if (auto arg = dyn_cast<BlockArgument>(root))
    return {BufferRef::Storage::Input, arg.getArgNumber(),
            *elemTypeOf(root, func)};
  auto it = buffers.find(root);
  if (it != buffers.end())
    return it->second;
  FailureOr<BufferRef> stored = constantF32(root, root.getDefiningOp());
  if (failed(stored)) {
    hadError = true;
    return BufferRef{};
  }
  return *stored;
}

Arg Lowering::exec(int64_t bytes) {
  // Per-thread packing scratch is the CPU kernels' (CUDA kernels stage
  // through shared memory).
  if (backend == Backend::ARM)
    scratchBytes = std::max(scratchBytes, roundUp(bytes, 64));
  return ExecArg{};
}

BufferRef Lowering::temporary(Operation *op, ElemType type) {
  BufferRef ref = temporaries.lookup(op);
  ref.type = type;
  return ref;
}

/// Batch count and per-batch stride (0: broadcast) of a matmul operand.
static std::optional<std::pair<int64_t, int64_t>>
matmulBatch(ArrayRef<int64_t> operand, ArrayRef<int64_t> result) {
  int64_t batch = 1, resultBatch = 1;
  for (size_t d = 0; d + 2 < operand.size(); ++d)
    batch *= operand[d];
  for (size_t d = 0; d + 2 < result.size(); ++d)
    resultBatch *= result[d];
  int64_t matrix = operand[operand.size() - 2] * operand.back();
  if (batch == 1)
    return std::make_pair(resultBatch, int64_t(0));
  if (batch == resultBatch &&
      operand.drop_back(2) ==
          result.drop_back(2).take_back(operand.size() - 2) &&
      llvm::all_of(result.drop_back(2).drop_back(operand.size() - 2),
                   [](int64_t d) { return d == 1; }))
    return std::make_pair(resultBatch, matrix);
  return std::nullopt;
}

/// Bytes of the temporary buffer `op` needs (0: none): the fp32 copy of
/// an fp8 layer's input on ARM (CUDA multiplies the codes), packed matrix
/// product operands (ARM packs one batch at a time; CUDA runs every batch
/// in one launch, so it packs each batch's lhs, unless one serves all,
/// and keeps each batch's int8 corrections). Split-K's partial sums follow
/// (partialSumBytes).
static int64_t temporaryBytes(Operation *op, Backend backend) {
  if (isa<QConv2DOp, QLinearOp>(op) &&
      getFP8Format(cast<ShapedType>(op->getOperand(0).getType())))
    return backend == Backend::ARM ? numElements(op->getOperand(0)) * 4 : 0;
  if (!isa<MatMulOp, QMatMulOp>(op))
    return 0;
  SmallVector<int64_t> a = shapeOf(op->getOperand(0)),
                       b = shapeOf(op->getOperand(1)),
                       c = shapeOf(op->getResult(0));
  auto lhsBatch = matmulBatch(a, c);
  if (a.size() < 2 || b.size() < 2 || !lhsBatch)
    return 0;
  int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
  int64_t batch = 1, packs = 1;
  if (backend == Backend::CUDA) {
    batch = lhsBatch->first;
    packs = lhsBatch->second ? batch : 1;
  }
  if (isa<MatMulOp>(op))
    return packs * roundUp(m, 8) * k * 4;
  return roundUp(packs * roundUp(m, 8) * roundUp(k, 4), 64) +
         4 * roundUp(batch * m, 16) + 4 * roundUp(batch * n, 16);
}

std::vector<Arg> Lowering::gemmArgs(std::vector<Arg> args) {
  // Reduction block: an A and a B panel of kc steps fill half of L1; column
  // block: a kc x nc slab of B fills half of L2. (CUDA kernels take their
  // block tiles from the library, set per architecture by the printer.)
  double l1 = (target.l1dKiB > 0 ? target.l1dKiB : 32) * 1024;
  double l2 = (target.l2MiB > 0 ? target.l2MiB : 1) * 1024 * 1024;
  int64_t kc = std::max<int64_t>(
      64, static_cast<int64_t>(l1 / 2 / (2 * kPanelRows * 4)) / 8 * 8);
  int64_t nc =
      std::max<int64_t>(8, static_cast<int64_t>(l2 / 2 / (kc * 4)) / 8 * 8);
  if (backend == Backend::ARM)
    args.push_back(Aggregate{"dlc_tiling", false, {Arg(kc), Arg(nc)}});
  // Per-thread scratch: a packed B block, a decoded A panel and the tile.
  args.push_back(exec((kc * roundUp(nc, 8) + kc * kPanelRows + 64) * 4));
  return args;
}

/// A GEMM's rows, columns, reduction steps and (image x group) count.
struct GemmShape {
  int64_t m, n, k, batches;
};

/// Whether a float convolution runs on the depthwise kernel rather than a
/// GEMM: one output channel per input channel, constant weights.
static bool isDepthwiseKernel(Conv2DOp conv) {
  int64_t channels = cast<ShapedType>(conv.getInput().getType()).getDimSize(1);
  return static_cast<int64_t>(conv.getGroups()) == channels &&
         cast<ShapedType>(conv.getWeight().getType()).getDimSize(0) ==
             channels &&
         conv.getWeight().getDefiningOp<ConstantOp>();
}

/// The GEMM a conv (not a depthwise one on its own kernel), linear layer
/// or matrix product runs on, float or quantized (operands: input, weight;
/// lhs, rhs), if `op` is one.
static std::optional<GemmShape> gemmShapeOf(Operation *op) {
  if (isa<MatMulOp, QMatMulOp>(op)) {
    SmallVector<int64_t> a = shapeOf(op->getOperand(0)),
                         b = shapeOf(op->getOperand(1));
    auto batch = matmulBatch(a, shapeOf(op->getResult(0)));
    if (a.size() < 2 || b.size() < 2 || !batch)
      return std::nullopt;
    return GemmShape{a[a.size() - 2], b.back(), a.back(), batch->first};
  }
  if (!isa<Conv2DOp, QConv2DOp, LinearOp, QLinearOp>(op))
    return std::nullopt;
  auto in = cast<ShapedType>(op->getOperand(0).getType());
  auto weight = cast<ShapedType>(op->getOperand(1).getType());
  int64_t rows = weight.getDimSize(0), k = weight.getNumElements() / rows;
  if (isa<LinearOp, QLinearOp>(op))
    return GemmShape{rows, in.getNumElements() / k, k, 1};
  int64_t groups;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    if (isDepthwiseKernel(conv))
      return std::nullopt;
    groups = static_cast<int64_t>(conv.getGroups());
  } else {
    groups = static_cast<int64_t>(cast<QConv2DOp>(op).getGroups());
  }
  auto out = cast<ShapedType>(op->getResult(0).getType());
  return GemmShape{rows / groups, out.getDimSize(2) * out.getDimSize(3), k,
                   in.getDimSize(0) * groups};
}

int64_t Lowering::reductionSplits(Operation *op) const {
  std::optional<GemmShape> gemm = gemmShapeOf(op);
  if (backend != Backend::CUDA || target.cudaSms <= 0 || !gemm)
    return 1;
  // Blocks of the target's tile; a grid of at least half the SMs runs
  // whole. Otherwise enough slices to reach one block per SM, each of at
  // least 256 steps (its partial sums, written and read once, stay small
  // beside its share of the weights), at most 16.
  int64_t blocks = (gemm->n + target.cudaTileN - 1) / target.cudaTileN *
                   ((gemm->m + target.cudaTileM - 1) / target.cudaTileM) *
                   gemm->batches;
  if (2 * blocks >= target.cudaSms)
    return 1;
  int64_t wanted = (target.cudaSms + blocks - 1) / blocks;
  return std::max<int64_t>(1, std::min({wanted, gemm->k / 256, int64_t(16)}));
}

int64_t Lowering::partialSumBytes(Operation *op) const {
  int64_t splits = reductionSplits(op);
  if (splits <= 1)
    return 0;
  GemmShape gemm = *gemmShapeOf(op);
  return splits * gemm.batches * gemm.m * gemm.n * 4;
}

void Lowering::appendSplitArgs(Operation *op, std::vector<Arg> &args) {
  if (backend != Backend::CUDA)
    return;
  int64_t splits = reductionSplits(op);
  args.push_back(Arg(splits));
  if (splits <= 1) {
    args.push_back(null());
    return;
  }
  // After the op's own temporary (a matmul's packed lhs).
  BufferRef partial = temporary(op, ElemType::F32);
  partial.indexOrOffset += roundUp(temporaryBytes(op, backend), 64);
  args.push_back(partial);
}

void Lowering::appendS8GemmTail(Operation *op, std::vector<Arg> &args,
                                int64_t k4, int64_t nc) {
  appendSplitArgs(op, args);
  args.push_back(exec(roundUp(k4 * nc, 64) + 64 * 4 + 64));
}

FailureOr<BufferRef> Lowering::constantF32(Value value, Operation *user) {
  auto it = storedConstants.find(value);
  if (it != storedConstants.end())
    return it->second;
  std::optional<std::vector<float>> values = getConstantF32(value);
  if (!values)
    return user->emitOpError("reads ")
           << value.getType()
           << " that is neither an fp32 constant nor a computed value "
           << backendName() << " can place";
  BufferRef ref =
      program.addWeights(values->data(), values->size() * 4, ElemType::F32);
  storedConstants[value] = ref;
  return ref;
}

FailureOr<std::vector<char>> Lowering::constantBytes(Value value,
                                                     Operation *user) {
  auto constant = value.getDefiningOp<QConstantOp>();
  std::optional<std::vector<char>> bytes;
  if (constant)
    bytes = storedBytes(constant.getValue());
  if (!bytes)
    return user->emitOpError("needs a quantized constant with its data "
                             "for this operand");
  return std::move(*bytes);
}

//===----------------------------------------------------------------------===//
// Float layers
//===----------------------------------------------------------------------===//

Aggregate mlir::dlc::codegen::convGeometry(
    ShapedType in, ShapedType weight, ShapedType out, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations, int64_t groups) {
  return Aggregate{
      "dlc_conv_geom",
      true,
      {Arg(in.getDimSize(1)), Arg(in.getDimSize(2)), Arg(in.getDimSize(3)),
       Arg(out.getDimSize(1)), Arg(out.getDimSize(2)), Arg(out.getDimSize(3)),
       Arg(weight.getDimSize(2)), Arg(weight.getDimSize(3)), Arg(strides[0]),
       Arg(strides[1]), Arg(pads[0]), Arg(pads[1]), Arg(dilations[0]),
       Arg(dilations[1]), Arg(groups)}};
}

FailureOr<Arg> Lowering::epilogue(Value bias, const FusedLayer &fused,
                                  std::optional<std::vector<float>> scales) {
  Arg biasArg = bias ? Arg(bufferOf(bias)) : null();
  if (fused.batchNorm) {
    // (acc + b) * mul + add = acc * mul + (b * mul + add).
    auto [mul, add] = *batchNormCoefficients(fused.batchNorm);
    if (bias) {
      std::optional<std::vector<float>> b = getConstantF32(bias);
      if (!b)
        return fused.layer->emitOpError(
            "has a bias that is not a constant, which a folded batch norm "
            "needs");
      for (size_t i = 0; i < add.size(); ++i)
        add[i] = (*b)[i] * mul[i] + add[i];
    }
    scales = std::move(mul);
    biasArg = program.addWeights(add.data(), add.size() * 4, ElemType::F32);
  }
  Arg scaleArg = null();
  if (scales)
    scaleArg =
        program.addWeights(scales->data(), scales->size() * 4, ElemType::F32);
  return Arg(Aggregate{"dlc_epilogue_f32",
                       true,
                       {scaleArg, biasArg,
                        fused.residual ? Arg(bufferOf(fused.residual)) : null(),
                        clampArg(fused.lo, fused.hi)}});
}

FailureOr<Arg> Lowering::weightSource(Operation *layer, Value weight,
                                      int64_t groups) {
  auto type = cast<ShapedType>(weight.getType());
  PanelShape shape{groups, type.getDimSize(0) / groups,
                   type.getNumElements() / type.getDimSize(0)};
  auto source = [&](StringRef kind, BufferRef data, Arg scales, int64_t block,
                    Arg table, Arg codebook, Arg meta = null()) -> Arg {
    return Aggregate{"dlc_asource",
                     true,
                     {Constant{kind.str()}, data, scales, Arg(block),
                      Arg(int64_t(0)), table, codebook, meta}};
  };
  if (auto nf4 = weight.getDefiningOp<NF4ConstantOp>()) {
    FailureOr<quantization::NF4Weights> weights = getNF4Weights(nf4);
    if (failed(weights))
      return failure();
    std::vector<uint8_t> codes(weights->numElements);
    for (int64_t i = 0; i < weights->numElements; ++i) {
      uint8_t byte = weights->packedCodes[i / 2];
      codes[i] = i % 2 == 0 ? byte >> 4 : byte & 0xF;
    }
    // CUDA's tensor cores copy a row's 8 steps as one word and decode a
    // 16-step chunk with one block scale: every chunk must lie in one block.
    bool words = backend == Backend::CUDA && options.halfWeights &&
                 shape.k % 16 == 0 && weights->blockSize % 16 == 0;
    std::vector<uint8_t> packed = packPanelsNF4(codes, shape, words ? 8 : 1);
    std::vector<float> scales(weights->numBlocks());
    for (int64_t b = 0; b < weights->numBlocks(); ++b)
      scales[b] = weights->blockScale(b);
    ArrayRef<float> book = quantization::nf4Codebook();
    return source(
        words ? "DLC_A_NF4_TC" : "DLC_A_NF4",
        program.addWeights(packed.data(), packed.size(), ElemType::U8),
        program.addWeights(scales.data(), scales.size() * 4, ElemType::F32),
        weights->blockSize, null(),
        program.addWeights(book.data(), book.size() * 4, ElemType::F32));
  }
  if (auto q = weight.getDefiningOp<QConstantOp>()) {
    if (!getFP8Format(q.getType()))
      return layer->emitOpError("has int8 weights outside an int8 layer; ")
             << backendName() << " runs them in qconv2d/qlinear";
    FailureOr<std::vector<char>> bytes = constantBytes(weight, layer);
    if (failed(bytes))
      return failure();
    // CUDA's fp8 kernel copies a row's 4 steps as one operand register.
    std::vector<uint8_t> packed = packPanelsBytes(
        ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(bytes->data()),
                          bytes->size()),
        shape, backend == Backend::CUDA ? 4 : 1);
    return source(
        "DLC_A_FP8",
        program.addWeights(packed.data(), packed.size(), ElemType::U8), null(),
        0,
        // The ARM kernels decode through the table; CUDA's multiply codes.
        backend == Backend::ARM ? Arg(fp8Table(q.getType())) : null(), null());
  }
  std::optional<std::vector<float>> values = getConstantF32(weight);
  if (!values)
    return layer->emitOpError("has a weight that is not a constant; ")
           << backendName() << " packs weights at emit time";
  if (options.sparse24 && options.halfWeights)
    if (std::optional<Sparse24Rows> sparse =
            compressSparse24(*values, type.getDimSize(0), shape.k)) {
      std::vector<uint16_t> kept =
          roundToHalf(sparse->values, *options.halfWeights);
      return source(
          "DLC_A_SP24",
          program.addWeights(kept.data(), kept.size() * 2, ElemType::U16),
          null(), 0, null(), null(),
          program.addWeights(sparse->metadata.data(), sparse->metadata.size(),
                             ElemType::U8));
    }
  if (options.halfWeights) {
    std::vector<uint16_t> packed =
        packPanelsHalf(*values, shape, *options.halfWeights);
    return source(
        "DLC_A_TC16",
        program.addWeights(packed.data(), packed.size() * 2, ElemType::U16),
        null(), 0, null(), null());
  }
  std::vector<float> packed = packPanelsF32(*values, shape);
  return source(
      "DLC_A_F32",
      program.addWeights(packed.data(), packed.size() * 4, ElemType::F32),
      null(), 0, null(), null());
}

LogicalResult Lowering::lowerConv(Conv2DOp op, const FusedLayer &fused) {
  auto in = cast<ShapedType>(op.getInput().getType());
  auto weight = cast<ShapedType>(op.getWeight().getType());
  auto out = cast<ShapedType>(fused.result.getType());
  auto groups = static_cast<int64_t>(op.getGroups());
  Aggregate geom = convGeometry(in, weight, out, op.getStrides(), op.getPads(),
                                op.getDilations(), groups);
  FailureOr<Arg> ep = epilogue(op.getBias(), fused);
  if (failed(ep))
    return failure();
  if (isDepthwiseKernel(op)) {
    FailureOr<BufferRef> w = constantF32(op.getWeight(), op);
    if (failed(w))
      return failure();
    call("dlc_depthwise_f32",
         {Arg(in.getDimSize(0)), geom, bufferOf(op.getInput()), *w,
          bufferOf(fused.result), *ep, exec(0)},
         fused.comment + " (depthwise)");
    return success();
  }
  FailureOr<Arg> w = weightSource(op, op.getWeight(), groups);
  if (failed(w))
    return failure();
  std::vector<Arg> args = {Arg(in.getDimSize(0)),   geom,
                           bufferOf(op.getInput()), *w,
                           bufferOf(fused.result),  *ep};
  appendSplitArgs(op, args);
  call("dlc_conv2d_f32", gemmArgs(std::move(args)), fused.comment);
  return success();
}

LogicalResult Lowering::lowerLinear(LinearOp op, const FusedLayer &fused) {
  auto weight = cast<ShapedType>(op.getWeight().getType());
  int64_t m = weight.getDimSize(0), k = weight.getDimSize(1);
  FailureOr<Arg> w = weightSource(op, op.getWeight(), 1);
  FailureOr<Arg> ep = epilogue(op.getBias(), fused);
  if (failed(w) || failed(ep))
    return failure();
  std::vector<Arg> args = {Arg(numElements(op.getInput()) / k),
                           Arg(k),
                           Arg(m),
                           bufferOf(op.getInput()),
                           *w,
                           bufferOf(fused.result),
                           *ep};
  appendSplitArgs(op, args);
  call("dlc_linear_f32", gemmArgs(std::move(args)), fused.comment);
  return success();
}

LogicalResult Lowering::lowerMatMul(Operation *op, Value lhs, Value rhs,
                                    bool int8) {
  SmallVector<int64_t> a = shapeOf(lhs), b = shapeOf(rhs),
                       c = shapeOf(op->getResult(0));
  if (a.size() < 2 || b.size() < 2)
    return op->emitOpError("has a vector operand; ")
           << backendName() << " lowers matrix products of rank 2 and more";
  auto lb = matmulBatch(a, c), rb = matmulBatch(b, c);
  if (!lb || !rb)
    return op->emitOpError("broadcasts batch dimensions partially, which ")
           << backendName() << " does not lower";
  int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
  std::vector<Arg> args = {Arg(lb->first), Arg(m),        Arg(n),
                           Arg(k),         bufferOf(lhs), Arg(lb->second)};
  if (!int8) {
    llvm::append_values(args, bufferOf(rhs), Arg(rb->second),
                        bufferOf(op->getResult(0)),
                        temporary(op, ElemType::F32));
    appendSplitArgs(op, args);
    call("dlc_matmul_f32", gemmArgs(std::move(args)), describe(op));
    return success();
  }
  auto qa = perTensorParamsOf(lhs.getType());
  auto qb = perTensorParamsOf(rhs.getType());
  int64_t k4 = roundUp(k, 4);
  int64_t nc = roundUp(n, 8);
  quantization::UniformParams rhsScale;
  rhsScale.scale = qb.scale;
  Aggregate rq =
      requantParams(qa.scale, {rhsScale}, op->getResult(0).getType());
  llvm::append_values(args, Arg(qa.zeroPoint), bufferOf(rhs), Arg(rb->second),
                      Arg(qb.zeroPoint), bufferOf(op->getResult(0)), rq,
                      Arg(nc), temporary(op, ElemType::S8));
  appendS8GemmTail(op, args, k4, nc);
  call("dlc_qmatmul_s8", std::move(args), describe(op));
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise, pooling, normalization, data movement
//===----------------------------------------------------------------------===//

LogicalResult Lowering::lowerBinary(Operation &op, StringRef kind) {
  SmallVector<int64_t> out = shapeOf(op.getResult(0));
  if (out.empty())
    out.push_back(1);
  if (out.size() > 6)
    return op.emitOpError("has rank ") << out.size() << "; " << backendName()
                                       << "'s elementwise kernels take 6";
  auto stridesFor = [&](Value operand) {
    SmallVector<int64_t> shape = shapeOf(operand);
    SmallVector<int64_t> aligned(out.size() - shape.size(), 1);
    aligned.append(shape.begin(), shape.end());
    SmallVector<int64_t> strides = stridesOf(aligned);
    for (size_t d = 0; d < out.size(); ++d)
      if (aligned[d] == 1 && out[d] != 1)
        strides[d] = 0;
    return strides;
  };
  SmallVector<int64_t> as = stridesFor(op.getOperand(0)),
                       bs = stridesFor(op.getOperand(1));
  float inf = std::numeric_limits<float>::infinity();
  call("dlc_binary_f32",
       {Constant{kind.str()}, Arg(static_cast<int64_t>(out.size())),
        IntArray{"int64_t", {out.begin(), out.end()}},
        bufferOf(op.getOperand(0)), IntArray{"int64_t", {as.begin(), as.end()}},
        bufferOf(op.getOperand(1)), IntArray{"int64_t", {bs.begin(), bs.end()}},
        bufferOf(op.getResult(0)), clampArg(-inf, inf)},
       describe(&op));
  return success();
}

LogicalResult Lowering::lowerUnary(Operation &op) {
  float lo = 0, hi = 0;
  StringRef kind = llvm::TypeSwitch<Operation *, StringRef>(&op)
                       .Case([](ReluOp) { return "DLC_RELU"; })
                       .Case([&](ClipOp c) {
                         lo = c.getMin().convertToFloat();
                         hi = c.getMax().convertToFloat();
                         return "DLC_CLIP";
                       })
                       .Case([](SigmoidOp) { return "DLC_SIGMOID"; })
                       .Case([](HardSwishOp) { return "DLC_HARD_SWISH"; })
                       .Case([](GeluOp g) {
                         return g.getApproximate() == GeluApproximation::tanh
                                    ? "DLC_GELU_TANH"
                                    : "DLC_GELU";
                       });
  call("dlc_unary_f32",
       {Constant{kind.str()}, Arg(numElements(op.getOperand(0))),
        bufferOf(op.getOperand(0)), bufferOf(op.getResult(0)), Arg(lo),
        Arg(hi)},
       describe(&op));
  return success();
}

LogicalResult Lowering::lowerPool(Operation &op) {
  Value input = op.getOperand(0), result = op.getResult(0);
  bool int8 =
      getInt8PerTensor(cast<ShapedType>(input.getType()).getElementType()) !=
      nullptr;
  auto in = cast<ShapedType>(input.getType());
  auto out = cast<ShapedType>(result.getType());
  int64_t lo = -128, hi = 127;
  if (int8) {
    auto p = perTensorParamsOf(out.getElementType());
    lo = p.qmin;
    hi = p.qmax;
  }
  if (isa<GlobalAvgPoolOp>(op)) {
    int64_t planes = in.getDimSize(0) * in.getDimSize(1);
    std::vector<Arg> args = {Arg(planes), Arg(in.getNumElements() / planes),
                             bufferOf(input), bufferOf(result)};
    if (int8) {
      args.push_back(Arg(lo));
      args.push_back(Arg(hi));
    }
    call(int8 ? "dlc_global_avgpool_s8" : "dlc_global_avgpool_f32", args,
         describe(&op));
    return success();
  }
  ArrayRef<int64_t> kernel, strides, pads;
  SmallVector<int64_t> dilations = {1, 1};
  bool includePad = false;
  if (auto max = dyn_cast<MaxPool2DOp>(op)) {
    kernel = max.getKernelShape();
    strides = max.getStrides();
    pads = max.getPads();
    dilations.assign(max.getDilations().begin(), max.getDilations().end());
  } else {
    auto avg = cast<AvgPool2DOp>(op);
    kernel = avg.getKernelShape();
    strides = avg.getStrides();
    pads = avg.getPads();
    includePad = avg.getCountIncludePad();
  }
  Aggregate geom{"dlc_pool_geom",
                 true,
                 {Arg(in.getDimSize(1)), Arg(in.getDimSize(2)),
                  Arg(in.getDimSize(3)), Arg(out.getDimSize(2)),
                  Arg(out.getDimSize(3)), Arg(kernel[0]), Arg(kernel[1]),
                  Arg(strides[0]), Arg(strides[1]), Arg(pads[0]), Arg(pads[1]),
                  Arg(pads[2]), Arg(pads[3]), Arg(dilations[0]),
                  Arg(dilations[1])}};
  std::vector<Arg> args = {Arg(in.getDimSize(0)), geom, bufferOf(input),
                           bufferOf(result)};
  std::string kernelName;
  if (isa<MaxPool2DOp>(op)) {
    kernelName = int8 ? "dlc_maxpool_s8" : "dlc_maxpool_f32";
  } else {
    kernelName = int8 ? "dlc_avgpool_s8" : "dlc_avgpool_f32";
    args.push_back(Arg(includePad ? 1 : 0));
    if (int8) {
      args.push_back(Arg(lo));
      args.push_back(Arg(hi));
    }
  }
  call(kernelName, args, describe(&op));
  return success();
}

LogicalResult Lowering::lowerNormalization(Operation &op) {
  if (auto bn = dyn_cast<BatchNormOp>(op)) {
    auto coefficients = batchNormCoefficients(bn);
    if (!coefficients)
      return op.emitOpError("has statistics that are not constants; ")
             << backendName() << " folds them at emit time";
    auto &[mul, add] = *coefficients;
    auto in = cast<ShapedType>(bn.getInput().getType());
    int64_t n = in.getDimSize(0), channels = in.getDimSize(1);
    call("dlc_channel_affine_f32",
         {Arg(n), Arg(channels), Arg(in.getNumElements() / (n * channels)),
          bufferOf(bn.getInput()),
          program.addWeights(mul.data(), mul.size() * 4, ElemType::F32),
          program.addWeights(add.data(), add.size() * 4, ElemType::F32),
          bufferOf(bn.getResult())},
         describe(&op));
    return success();
  }
  if (auto ln = dyn_cast<LayerNormOp>(op)) {
    SmallVector<int64_t> shape = shapeOf(ln.getInput());
    auto axis = static_cast<int64_t>(ln.getAxis());
    if (axis < 0)
      axis += shape.size();
    int64_t size = 1;
    for (size_t d = axis; d < shape.size(); ++d)
      size *= shape[d];
    call("dlc_layernorm_f32",
         {Arg(numElements(ln.getInput()) / size), Arg(size),
          bufferOf(ln.getInput()), bufferOf(ln.getScale()),
          ln.getBias() ? Arg(bufferOf(ln.getBias())) : null(),
          Arg(ln.getEpsilon().convertToFloat()), bufferOf(ln.getResult())},
         describe(&op));
    return success();
  }
  auto sm = cast<SoftmaxOp>(op);
  SmallVector<int64_t> shape = shapeOf(sm.getInput());
  auto axis = static_cast<int64_t>(sm.getAxis());
  if (axis < 0)
    axis += shape.size();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  call("dlc_softmax_f32",
       {Arg(outer), Arg(shape[axis]), Arg(inner), bufferOf(sm.getInput()),
        bufferOf(sm.getResult())},
       describe(&op));
  return success();
}

LogicalResult Lowering::lowerDataMovement(Operation &op) {
  FailureOr<ElemType> type = elemTypeOf(op.getOperand(0), &op);
  if (failed(type))
    return failure();
  int64_t size = byteWidth(*type);
  auto copy = [&](ArrayRef<int64_t> shape, Value src, int64_t srcOffset,
                  ArrayRef<int64_t> srcStrides, Value dst, int64_t dstOffset,
                  ArrayRef<int64_t> dstStrides) {
    SmallVector<int64_t> s(shape), ss(srcStrides), ds(dstStrides);
    if (s.empty()) {
      s = {1};
      ss = {1};
      ds = {1};
    }
    call("dlc_copy_strided",
         {Arg(static_cast<int64_t>(s.size())),
          IntArray{"int64_t", {s.begin(), s.end()}}, bufferOf(src),
          Arg(srcOffset), IntArray{"int64_t", {ss.begin(), ss.end()}},
          bufferOf(dst), Arg(dstOffset),
          IntArray{"int64_t", {ds.begin(), ds.end()}}, Arg(size)},
         describe(&op));
  };
  SmallVector<int64_t> inShape = shapeOf(op.getOperand(0));
  if (inShape.size() > 6)
    return op.emitOpError("has rank ")
           << inShape.size() << "; " << backendName() << "'s copies take 6";
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  if (auto t = dyn_cast<TransposeOp>(op)) {
    SmallVector<int64_t> outShape = shapeOf(t.getResult()), src;
    for (int64_t p : t.getPerm())
      src.push_back(inStrides[p]);
    copy(outShape, t.getInput(), 0, src, t.getResult(), 0, stridesOf(outShape));
    return success();
  }
  if (auto c = dyn_cast<ConcatOp>(op)) {
    SmallVector<int64_t> outShape = shapeOf(c.getResult());
    auto axis = static_cast<int64_t>(c.getAxis());
    if (axis < 0)
      axis += outShape.size();
    SmallVector<int64_t> outStrides = stridesOf(outShape);
    int64_t offset = 0;
    for (Value in : c.getInputs()) {
      SmallVector<int64_t> shape = shapeOf(in);
      copy(shape, in, 0, stridesOf(shape), c.getResult(),
           offset * outStrides[axis], outStrides);
      offset += shape[axis];
    }
    return success();
  }
  if (auto s = dyn_cast<SliceOp>(op)) {
    SmallVector<int64_t> strides(inStrides);
    int64_t base = 0;
    for (auto [i, axis] : llvm::enumerate(s.getAxes())) {
      int64_t a = axis < 0 ? axis + inShape.size() : axis;
      int64_t step = s.getSteps().empty() ? 1 : s.getSteps()[i];
      strides[a] = inStrides[a] * step;
      base += s.getStarts()[i] * inStrides[a];
    }
    SmallVector<int64_t> outShape = shapeOf(s.getResult());
    copy(outShape, s.getInput(), base, strides, s.getResult(), 0,
         stridesOf(outShape));
    return success();
  }
  if (auto s = dyn_cast<SplitOp>(op)) {
    auto axis = static_cast<int64_t>(s.getAxis());
    if (axis < 0)
      axis += inShape.size();
    int64_t start = 0;
    for (Value out : s.getResults()) {
      SmallVector<int64_t> outShape = shapeOf(out);
      copy(outShape, s.getInput(), start * inStrides[axis], inStrides, out, 0,
           stridesOf(outShape));
      start += outShape[axis];
    }
    return success();
  }
  auto pad = cast<PadOp>(op);
  SmallVector<int64_t> outShape = shapeOf(pad.getResult());
  StringRef mode = pad.getMode() == PadMode::reflect ? "DLC_PAD_REFLECT"
                   : pad.getMode() == PadMode::edge  ? "DLC_PAD_EDGE"
                                                     : "DLC_PAD_CONSTANT";
  ArrayRef<int64_t> pads = pad.getPads();
  call("dlc_pad_f32",
       {Arg(static_cast<int64_t>(inShape.size())),
        IntArray{"int64_t", {inShape.begin(), inShape.end()}},
        IntArray{"int64_t", {outShape.begin(), outShape.end()}},
        IntArray{"int64_t", {pads.begin(), pads.begin() + inShape.size()}},
        Constant{mode.str()}, Arg(pad.getValue().convertToFloat()),
        bufferOf(pad.getInput()), bufferOf(pad.getResult())},
       describe(&op));
  return success();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

LogicalResult Lowering::lowerOp(Operation &op) {
  bool handled = false;
  if (failed(lowerQuantizedOp(op, handled)))
    return failure();
  if (handled)
    return success();
  // Float ops run on fp32 only (int8 pooling and data movement excepted).
  bool int8Capable =
      isa<MaxPool2DOp, AvgPool2DOp, GlobalAvgPoolOp, ConcatOp, TransposeOp,
          SliceOp, SplitOp, ReshapeOp, FlattenOp>(op);
  for (Value v : llvm::concat<Value>(op.getOperands(), op.getResults())) {
    FailureOr<ElemType> type = elemTypeOf(v, &op);
    if (failed(type))
      return failure();
    if (*type != ElemType::F32 && !(int8Capable && *type == ElemType::S8))
      return op.emitOpError("computes on ")
             << cast<ShapedType>(v.getType()).getElementType() << ", which "
             << backendName() << " runs only in quantized ops";
  }
  return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
      .Case([&](ConstantOp) { return success(); })
      .Case([&](ReshapeOp) { return success(); })
      .Case([&](FlattenOp) { return success(); })
      .Case([&](Conv2DOp c) {
        FusedLayer f;
        f.result = c.getResult();
        f.comment = describe(c);
        return lowerConv(c, f);
      })
      .Case([&](LinearOp l) {
        FusedLayer f;
        f.result = l.getResult();
        f.comment = describe(l);
        return lowerLinear(l, f);
      })
      .Case([&](MatMulOp m) {
        return lowerMatMul(m, m.getLhs(), m.getRhs(), false);
      })
      .Case([&](AddOp) { return lowerBinary(op, "DLC_ADD"); })
      .Case([&](SubOp) { return lowerBinary(op, "DLC_SUB"); })
      .Case([&](MulOp) { return lowerBinary(op, "DLC_MUL"); })
      .Case([&](DivOp) { return lowerBinary(op, "DLC_DIV"); })
      .Case<ReluOp, ClipOp, SigmoidOp, HardSwishOp, GeluOp>(
          [&](Operation *) { return lowerUnary(op); })
      .Case<MaxPool2DOp, AvgPool2DOp, GlobalAvgPoolOp>(
          [&](Operation *) { return lowerPool(op); })
      .Case<BatchNormOp, LayerNormOp, SoftmaxOp>(
          [&](Operation *) { return lowerNormalization(op); })
      .Case<TransposeOp, ConcatOp, SliceOp, SplitOp, PadOp>(
          [&](Operation *) { return lowerDataMovement(op); })
      .Default([&](Operation *) {
        return op.emitOpError("is not supported by ") << backendName();
      });
}

LogicalResult Lowering::run() {
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError()
           << backendName() << " lowers a function with one block";
  for (BlockArgument arg : func.getArguments()) {
    auto shaped = dyn_cast<ShapedType>(arg.getType());
    if (shaped && !shaped.getElementType().isF32())
      return func.emitError("argument #")
             << arg.getArgNumber() << " has element type "
             << shaped.getElementType()
             << "; generated models take fp32 inputs";
    FailureOr<ElemType> type = elemTypeOf(arg, func);
    if (failed(type))
      return failure();
    program.inputs.push_back(
        {"input" + std::to_string(arg.getArgNumber()), *type, shapeOf(arg)});
  }
  auto ret = cast<func::ReturnOp>(func.front().getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    FailureOr<ElemType> type = elemTypeOf(v, ret);
    if (failed(type))
      return failure();
    program.outputs.push_back(
        {"output" + std::to_string(i), *type, shapeOf(v)});
  }
  findFusions();
  if (failed(planMemory()))
    return failure();
  for (Operation &op : func.front()) {
    if (isa<func::ReturnOp>(op) || absorbedInto.count(&op))
      continue;
    auto fused = fusedLayers.find(&op);
    if (fused != fusedLayers.end()) {
      Operation *layer = fused->second.layer;
      LogicalResult done =
          isa<Conv2DOp>(layer)
              ? lowerConv(cast<Conv2DOp>(layer), fused->second)
              : lowerLinear(cast<LinearOp>(layer), fused->second);
      if (failed(done))
        return failure();
      continue;
    }
    if (failed(lowerOp(op)))
      return failure();
  }
  for (auto [index, value] : outputCopies) {
    BufferRef out{BufferRef::Storage::Output, index,
                  program.outputs[index].type};
    int64_t bytes = program.outputs[index].bytes();
    call("dlc_copy_strided",
         {Arg(1), IntArray{"int64_t", {bytes}}, bufferOf(value), Arg(0),
          IntArray{"int64_t", {1}}, out, Arg(0), IntArray{"int64_t", {1}},
          Arg(1)},
         "result #" + std::to_string(index) + " (a copy)");
  }
  program.scratchOffset = scratchOffset;
  program.scratchPerThread = scratchBytes;
  return failure(hadError);
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

FailureOr<KernelProgram>
mlir::dlc::codegen::lowerToKernelProgram(func::FuncOp func,
                                         const Target &target, Backend backend,
                                         LoweringOptions options) {
  KernelProgram program;
  program.targetName = target.name;
  program.march = target.march;
  Lowering lowering(func, target, backend, options, program);
  if (failed(lowering.run()))
    return failure();
  return program;
}

FailureOr<func::FuncOp> mlir::dlc::codegen::findFunction(ModuleOp module,
                                                         StringRef name) {
  if (!name.empty()) {
    if (auto func = module.lookupSymbol<func::FuncOp>(name))
      return func;
    return module.emitError("no function named @") << name;
  }
  if (auto main = module.lookupSymbol<func::FuncOp>("main"))
    return main;
  auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
  if (funcs.size() == 1)
    return funcs.front();
  return module.emitError("the module has ")
         << funcs.size() << " functions and no @main; name one to emit";
}

bool mlir::dlc::codegen::isCIdentifier(StringRef name) {
  if (name.empty() ||
      !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return llvm::all_of(name, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

FailureOr<std::pair<Target, func::FuncOp>> mlir::dlc::codegen::prepareEmit(
    ModuleOp module, const EmitOptions &options,
    llvm::function_ref<bool(const Target &)> suits, StringRef unsuitable,
    llvm::function_ref<bool(const Target &)> byOther) {
  if (!isCIdentifier(options.prefix))
    return module.emitError("prefix '")
           << options.prefix << "' is not a C identifier";
  llvm::Expected<TargetRegistry> registry =
      TargetRegistry::load(options.targetFile);
  if (!registry)
    return module.emitError(llvm::toString(registry.takeError()));
  const Target *target = registry->lookup(options.target);
  if (!target && byOther)
    for (const std::string &name : registry->names())
      if (byOther(*registry->lookup(name))) {
        target = registry->lookup(name);
        break;
      }
  if (!target)
    return module.emitError("unknown target '") << options.target << "'";
  if (!suits(*target))
    return module.emitError("target '") << options.target << "' " << unsuitable;
  FailureOr<func::FuncOp> func = findFunction(module, options.function);
  if (failed(func))
    return failure();
  return std::make_pair(*target, *func);
}
