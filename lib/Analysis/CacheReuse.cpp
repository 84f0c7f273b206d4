//===- CacheReuse.cpp - data the reference executor finds cold ------------===//

#include "dlc/Analysis/CacheReuse.h"
#include "dlc/Analysis/CostModel.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Runtime/ConvScratch.h"
#include <limits>
#include <map>
#include <vector>

using namespace mlir;
using namespace mlir::dlc;

ActivationLifetimes::ActivationLifetimes(Block &body) {
  for (Operation &op : body) {
    if (isView(op))
      ownerOf[op.getResult(0)] = owner(op.getOperand(0));
    for (Value operand : op.getOperands())
      lastReaders[owner(operand)] = &op;
  }
}

bool ActivationLifetimes::isView(Operation &op) {
  return isa<ReshapeOp, FlattenOp>(op);
}

Value ActivationLifetimes::owner(Value value) const {
  auto it = ownerOf.find(value);
  return it == ownerOf.end() ? value : it->second;
}

namespace {
/// A kernel scratch area of the reference executor
/// (kernels::scratchBuffer): a per-thread slot, reused by every call, of
/// which a call touches the first `bytes`.
struct ScratchUse {
  int slot;
  int64_t bytes;
};

/// Whether the reference executor runs `conv` as Winograd F(2x2, 3x3): its
/// rule (dlc/Runtime/ConvScratch.h) on constant weights.
bool runsWinograd(Conv2DOp conv) {
  auto w = dyn_cast<RankedTensorType>(conv.getWeight().getType());
  return w && w.hasStaticShape() && isStoredParameter(conv.getWeight()) &&
         runtime::winogradApplies(w.getShape(), conv.getStrides(),
                                  conv.getDilations(),
                                  static_cast<int64_t>(conv.getGroups()));
}

/// The scratch a convolution's kernel in lib/Runtime touches (by the
/// executor's own rules, dlc/Runtime/ConvScratch.h): Winograd F(2x2, 3x3)
/// (constant weights) its input transforms and products; im2col + GEMM its
/// columns, which a pointwise window and a depthwise convolution do
/// without.
SmallVector<ScratchUse, 2> convScratch(Conv2DOp conv) {
  using namespace runtime;
  auto w = dyn_cast<RankedTensorType>(conv.getWeight().getType());
  auto in = dyn_cast<RankedTensorType>(conv.getInput().getType());
  auto out = dyn_cast<RankedTensorType>(conv.getType());
  if (!w || !in || !out || !w.hasStaticShape() || !in.hasStaticShape() ||
      !out.hasStaticShape())
    return {};
  int64_t groups = static_cast<int64_t>(conv.getGroups());
  int64_t m = w.getDimSize(0), cg = w.getDimSize(1), kh = w.getDimSize(2),
          kw = w.getDimSize(3), outH = out.getDimSize(2),
          outW = out.getDimSize(3);
  constexpr int64_t kFloat = 4;
  if (cg == 1 && groups == in.getDimSize(1)) {
    ArrayRef<int64_t> pads = conv.getPads();
    int64_t h = in.getDimSize(2), wd = in.getDimSize(3);
    if (!depthwisePadsPlane(kw, conv.getStrides()[1], pads[1], pads[3],
                            conv.getDilations()[1], wd, outW))
      return {};
    return {{kDepthwisePlaneSlot,
             (h + pads[0] + pads[2]) * (wd + pads[1] + pads[3]) * kFloat}};
  }
  if (runsWinograd(conv)) {
    int64_t tiles = winogradTiles(outH, outW);
    return {{kWinogradInputSlot, 16 * cg * tiles * kFloat},
            {kWinogradProductSlot, 16 * m * tiles * kFloat}};
  }
  if (isPointwiseWindow(kh, kw, conv.getStrides(), conv.getPads()))
    return {};
  return {{kIm2colColumnsSlot, cg * kh * kw * outH * outW * kFloat}};
}

/// The parameter bytes a convolution's kernel streams: Winograd F(2x2, 3x3)
/// keeps its weights transformed, 16 values per 3x3 window.
int64_t streamedWeightBytes(Conv2DOp conv) {
  int64_t bytes = storedParameterBytes(conv.getWeight());
  return runsWinograd(conv) ? bytes * 16 / 9 : bytes;
}

/// Replays the reference executor's buffer recycling (lib/Runtime/Tensor.cpp,
/// BufferPool; lib/Runtime/Executor.cpp, Executor::run) over runs of one
/// function, counting bytes touched as a clock.
class BufferReplay {
public:
  explicit BufferReplay(int64_t cacheBytes) : cacheBytes(cacheBytes) {}

  /// One run of `func`; adds each op's cold activations and scratch to
  /// `cold`.
  void run(func::FuncOp func, DenseMap<Operation *, int64_t> &cold);

private:
  /// The executor pools buffers of at least 16 Ki floats; smaller ones come
  /// from malloc, which recycles them while they are still in cache.
  static constexpr int64_t kMinPooledBytes = 16 * 1024 * 4;
  static constexpr int64_t kNeverTouched = std::numeric_limits<int64_t>::min();

  struct Buffer {
    int64_t bytes;
    int64_t lastTouch;
  };

  int64_t allocate(int64_t bytes);
  /// Touches the first `bytes` of scratch slot `slot`, moving the clock on;
  /// returns how many of them were cold when the clock read `start`.
  int64_t touchScratch(int slot, int64_t bytes, int64_t start);
  bool isCold(int64_t id) const {
    return buffers[id].lastTouch == kNeverTouched ||
           clock - buffers[id].lastTouch > cacheBytes;
  }

  int64_t cacheBytes;
  int64_t clock = 0;
  std::vector<Buffer> buffers;
  /// Each scratch slot's uses, newest first, each touching a prefix longer
  /// than every newer one's: (extent, clock).
  DenseMap<int, SmallVector<std::pair<int64_t, int64_t>>> scratchSlots;
  /// Released buffers by size, the last released at the back.
  std::map<int64_t, std::vector<int64_t>> pool;
  /// The buffer holding each activation (function arguments keep theirs
  /// across runs).
  DenseMap<Value, int64_t> bufferOf;
};
} // namespace

int64_t BufferReplay::allocate(int64_t bytes) {
  std::vector<int64_t> &released = pool[bytes];
  if (bytes >= kMinPooledBytes && !released.empty()) {
    int64_t id = released.back();
    released.pop_back();
    return id;
  }
  buffers.push_back({bytes, bytes >= kMinPooledBytes ? kNeverTouched : clock});
  return static_cast<int64_t>(buffers.size()) - 1;
}

int64_t BufferReplay::touchScratch(int slot, int64_t bytes, int64_t start) {
  SmallVector<std::pair<int64_t, int64_t>> &uses = scratchSlots[slot];
  int64_t cold = 0, covered = 0;
  for (auto [extent, touched] : uses) {
    int64_t span = std::min(extent, bytes) - covered;
    if (span <= 0)
      break;
    if (start - touched > cacheBytes)
      cold += span;
    covered += span;
  }
  cold += bytes - covered; // never touched before
  llvm::erase_if(uses, [&](auto use) { return use.first <= bytes; });
  clock += bytes;
  uses.insert(uses.begin(), {bytes, clock});
  return cold;
}

void BufferReplay::run(func::FuncOp func,
                       DenseMap<Operation *, int64_t> &cold) {
  Block &body = func.front();
  // Views share their source's buffer, which lives as long as any view.
  ActivationLifetimes lifetimes(body);
  auto owner = [&](Value v) { return lifetimes.owner(v); };
  for (BlockArgument arg : body.getArguments())
    if (!bufferOf.count(arg))
      bufferOf[arg] = allocate(storageBytes(arg.getType()));

  auto release = [&](Value v) {
    auto it = bufferOf.find(v);
    if (it == bufferOf.end() || isa<BlockArgument>(v))
      return;
    pool[buffers[it->second].bytes].push_back(it->second);
    bufferOf.erase(it);
  };
  SmallVector<Value> returned;
  for (Operation &op : body) {
    if (op.getNumResults() == 1 && isStoredParameter(op.getResult(0)))
      continue;
    if (isa<func::ReturnOp>(op)) {
      returned.assign(op.operand_begin(), op.operand_end());
      break;
    }
    // What the op touches: its activation operands, its parameters and
    // scratch, and its results. Whether each is cold counts from the op's
    // start; the clock then moves over them in the order a kernel touches
    // them (a convolution transforms or unrolls its input before it streams
    // the weights, and writes its output last), so the buffers it read
    // first are as far behind as the weights and scratch it streamed.
    SmallVector<int64_t> inputs, outputs;
    int64_t parameterBytes = 0;
    for (Value operand : op.getOperands()) {
      if (isStoredParameter(operand)) {
        auto conv = dyn_cast<Conv2DOp>(op);
        parameterBytes += conv && operand == conv.getWeight()
                              ? streamedWeightBytes(conv)
                              : storedParameterBytes(operand);
      } else if (auto it = bufferOf.find(owner(operand));
                 it != bufferOf.end() &&
                 !llvm::is_contained(inputs, it->second)) {
        inputs.push_back(it->second);
      }
    }
    if (!ActivationLifetimes::isView(op))
      for (Value result : op.getResults()) {
        int64_t id = allocate(storageBytes(result.getType()));
        bufferOf[result] = id;
        outputs.push_back(id);
      }
    int64_t &opCold = cold[&op];
    for (int64_t id : llvm::concat<int64_t>(inputs, outputs))
      if (isCold(id))
        opCold += buffers[id].bytes;
    int64_t start = clock;
    for (int64_t id : inputs) {
      clock += buffers[id].bytes;
      buffers[id].lastTouch = clock;
    }
    clock += parameterBytes;
    // Kernel scratch: cold where its last use is far away, and beyond the
    // extent that use touched.
    if (auto conv = dyn_cast<Conv2DOp>(op))
      for (ScratchUse use : convScratch(conv))
        opCold += touchScratch(use.slot, use.bytes, start);
    for (int64_t id : outputs) {
      clock += buffers[id].bytes;
      buffers[id].lastTouch = clock;
    }
    // Release what this op read last, and results nothing reads.
    for (Value operand : llvm::to_vector(op.getOperands()))
      if (lifetimes.lastReader(owner(operand)) == &op)
        release(owner(operand));
    for (Value result : op.getResults())
      if (result.use_empty())
        release(owner(result));
  }
  // The caller drops the outputs before the next run.
  for (Value value : returned)
    release(owner(value));
}

DenseMap<Operation *, int64_t> mlir::dlc::coldDataBytes(func::FuncOp func,
                                                        int64_t cacheBytes) {
  BufferReplay replay(cacheBytes);
  DenseMap<Operation *, int64_t> warmUp, steady;
  replay.run(func, warmUp);
  replay.run(func, steady);
  return steady;
}
