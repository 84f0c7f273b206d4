//===- Lowering.cpp - dlc ops to a kernel program ------------------------===//
//
// Planning (fusion groups, buffer liveness and workspace offsets) and the
// driver. Float layers are lowered in LowerLayers.cpp, the other float ops
// in LowerOps.cpp, quantized ops in LowerQuantized.cpp.
//
//===----------------------------------------------------------------------===//

#include "dlc/Target/Codegen/Lowering.h"
#include "LoweringImpl.h"
#include "WeightPacking.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"
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

static bool isWeightOp(Operation *op) {
  return isa_and_nonnull<ConstantOp, QConstantOp, NF4ConstantOp>(op);
}

static bool isAlias(Operation *op) { return isa<ReshapeOp, FlattenOp>(op); }

static int64_t temporaryBytes(Operation *op, Backend backend);

std::optional<std::pair<std::vector<float>, std::vector<float>>>
mlir::dlc::codegen::batchNormCoefficients(BatchNormOp bn) {
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

std::optional<std::pair<int64_t, int64_t>>
mlir::dlc::codegen::matmulBatch(ArrayRef<int64_t> operand,
                                ArrayRef<int64_t> result) {
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

bool mlir::dlc::codegen::isDepthwiseKernel(Conv2DOp conv) {
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
// Driver
//===----------------------------------------------------------------------===//

LogicalResult Lowering::lowerOp(Operation &op) {
  bool handled = false;
  if (failed(lowerQuantizedOp(op, handled)))
    return failure();
  if (handled)
    return success();
  // Float ops run on fp32 only (int8 pooling and data movement excepted).
  bool int8Capable = carriesInt8(&op);
  for (Value v : llvm::concat<Value>(op.getOperands(), op.getResults())) {
    FailureOr<ElemType> type = elemTypeOf(v, &op);
    if (failed(type))
      return failure();
    if (*type != ElemType::F32 && !(int8Capable && *type == ElemType::S8))
      return op.emitOpError("computes on ")
             << cast<ShapedType>(v.getType()).getElementType() << ", which "
             << backendName() << " runs only in quantized ops";
  }
  if (isElementwiseActivation(&op))
    return lowerUnary(op);
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
      .Case([&](MaxOp) { return lowerBinary(op, "DLC_MAX"); })
      .Case([&](MinOp) { return lowerBinary(op, "DLC_MIN"); })
      .Case<MaxPool2DOp, AvgPool2DOp, GlobalAvgPoolOp>(
          [&](Operation *) { return lowerPool(op); })
      .Case([&](ResizeOp r) { return lowerResize(r); })
      .Case<BatchNormOp, LayerNormOp, SoftmaxOp, LogSoftmaxOp>(
          [&](Operation *) { return lowerNormalization(op); })
      .Case<TransposeOp, ConcatOp, SliceOp, SplitOp, PadOp, ExpandOp>(
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
