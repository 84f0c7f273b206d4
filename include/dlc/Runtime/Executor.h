//===- Executor.h - reference executor for dlc IR ---------------*- C++ -*-===//
//
// Runs a function of dlc ops on the host in fp32. It is the oracle every
// pass and backend is checked against, so each op follows ONNX's semantics
// exactly (padding, ceil mode, count_include_pad, broadcasting, epsilon).
// Convolutions and matrix products use OpenBLAS's SGEMM; other kernels split
// their work across threads.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_EXECUTOR_H
#define DLC_RUNTIME_EXECUTOR_H

#include "dlc/Runtime/Tensor.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

namespace mlir::dlc::runtime {

struct ExecutorOptions {
  /// Threads for GEMM and the other kernels; 0 uses every core.
  unsigned threads = 0;
  /// Compute 3x3 stride-1 convolutions with Winograd F(2x2, 3x3) (fewer
  /// multiplications, rounding within fp32 reassociation error).
  bool winograd = true;
  /// Time every op of every run (see opProfile()).
  bool profile = false;
};

class Executor {
public:
  /// Prepares `func` (which must outlive the executor): checks that every op
  /// is supported in fp32 and decodes constants (resource blobs are viewed,
  /// not copied). Reports the first unsupported op at its location.
  static FailureOr<Executor> create(func::FuncOp func,
                                    ExecutorOptions options = {});

  /// Runs the function. Input shapes must match the signature (a dynamic
  /// batch takes any size).
  llvm::Expected<std::vector<Tensor>> run(llvm::ArrayRef<Tensor> inputs);
  /// Runs the function, showing `observe` every argument and every op
  /// result as it is computed (calibration, per-layer error reports).
  llvm::Expected<std::vector<Tensor>>
  run(llvm::ArrayRef<Tensor> inputs,
      llvm::function_ref<void(Value, const Tensor &)> observe);

  /// One op's time in each run so far, in milliseconds.
  struct OpTimes {
    Operation *op;
    std::vector<double> ms;
  };
  /// With ExecutorOptions::profile: every op's time per run, in program
  /// order (constants and the return excluded).
  const std::vector<OpTimes> &opProfile() const { return perOp; }

private:
  Executor(func::FuncOp func, ExecutorOptions options)
      : func(func), options(options) {}
  func::FuncOp func;
  ExecutorOptions options;
  std::vector<OpTimes> perOp;
  /// For each op, the index past which each of its results is dead.
  llvm::DenseMap<Value, unsigned> lastUse;
  llvm::DenseMap<Value, Tensor> constants;
  /// Constant conv weights transformed once for Winograd convolution.
  llvm::DenseMap<Operation *, std::shared_ptr<const std::vector<float>>>
      winogradWeights;
};

} // namespace mlir::dlc::runtime

#endif // DLC_RUNTIME_EXECUTOR_H
