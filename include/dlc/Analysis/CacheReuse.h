//===- CacheReuse.h - data the reference executor finds cold ----*- C++ -*-===//
//
// The reference executor (dlc-run) takes each op's result buffer from a pool
// of released buffers of the same size, the one released last first, and
// releases a tensor after its last reader (a result nothing reads at once);
// its convolution kernels reuse one scratch area per kind. Replaying that
// over a function gives, for each activation an op reads or writes and each
// scratch byte it touches, its reuse distance: the bytes every op touched
// since that memory was last touched. Data further away than the cache
// holds come from memory: the first layer's input, which the whole previous
// run separates from its last use, a result buffer last used a whole
// network ago, or scratch no convolution of that size used since.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_ANALYSIS_CACHEREUSE_H
#define DLC_ANALYSIS_CACHEREUSE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Block.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::dlc {

/// The lifetimes the reference executor gives a function body's tensors:
/// which value owns each activation's memory (a view, reshape or flatten,
/// shares its source's) and the op that reads each owner last, through any
/// of its views.
class ActivationLifetimes {
public:
  explicit ActivationLifetimes(Block &body);

  /// Whether `op` only views its operand's memory.
  static bool isView(Operation &op);
  /// The value whose memory `value` uses.
  Value owner(Value value) const;
  /// The last op reading `owner`'s memory, or null.
  Operation *lastReader(Value owner) const { return lastReaders.lookup(owner); }

private:
  DenseMap<Value, Value> ownerOf;
  DenseMap<Value, Operation *> lastReaders;
};

/// Bytes of activations (operands and results; not parameters) and kernel
/// scratch each op of `func` touches whose reuse distance exceeds
/// `cacheBytes`, in the steady state of repeated runs by the reference
/// executor: the second of two replayed runs. Within an op, the clock
/// moves over its operands, then its parameters (a Winograd convolution's
/// transformed weights) and scratch, then its results. Views (reshape,
/// flatten) share their source's memory.
llvm::DenseMap<Operation *, int64_t> coldDataBytes(func::FuncOp func,
                                                   int64_t cacheBytes);

} // namespace mlir::dlc

#endif // DLC_ANALYSIS_CACHEREUSE_H
