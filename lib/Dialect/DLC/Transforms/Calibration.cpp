//===- Calibration.cpp - observe activation ranges with the executor ------===//

#include "dlc/Dialect/DLC/Transforms/Calibration.h"
#include "dlc/Runtime/Executor.h"
#include "dlc/Runtime/Npy.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace mlir::dlc;
using runtime::Tensor;

/// The .npy files `path` names, in name order.
static FailureOr<std::vector<std::string>> npyFiles(Location loc,
                                                    StringRef path) {
  if (!llvm::sys::fs::is_directory(path)) {
    if (!llvm::sys::fs::exists(path))
      return emitError(loc, "calibration input '") << path << "' not found";
    return std::vector<std::string>{path.str()};
  }
  std::vector<std::string> files;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::path::extension(it->path()) == ".npy")
      files.push_back(it->path());
  if (ec)
    return emitError(loc, "cannot read calibration directory '")
           << path << "': " << ec.message();
  if (files.empty())
    return emitError(loc, "calibration directory '")
           << path << "' holds no .npy files";
  llvm::sort(files);
  return files;
}

FailureOr<std::vector<Tensor>>
mlir::dlc::loadCalibrationInputs(func::FuncOp func, StringRef path,
                                 int64_t maxSamples) {
  Location loc = func.getLoc();
  if (func.getNumArguments() != 1)
    return emitError(loc, "calibration supports functions of one argument; @")
           << func.getSymName() << " takes " << func.getNumArguments();
  auto argType = dyn_cast<RankedTensorType>(func.getArgumentTypes()[0]);
  if (!argType || argType.getRank() == 0)
    return emitError(loc, "calibration needs a ranked tensor argument");
  FailureOr<std::vector<std::string>> files = npyFiles(loc, path);
  if (failed(files))
    return failure();
  std::vector<Tensor> batches;
  int64_t samples = 0;
  for (const std::string &file : *files) {
    llvm::Expected<Tensor> tensor = runtime::readNpy(file);
    if (!tensor)
      return emitError(loc, "calibration input: ")
             << llvm::toString(tensor.takeError());
    bool matches = tensor->rank() == argType.getRank();
    for (int64_t d = 1; matches && d < argType.getRank(); ++d)
      matches =
          argType.isDynamicDim(d) || argType.getDimSize(d) == tensor->dim(d);
    if (!matches) {
      InFlightDiagnostic diag = emitError(loc, "calibration input '")
                                << file << "' has shape ";
      llvm::interleave(
          tensor->shape(), [&](int64_t d) { diag << d; }, [&] { diag << "x"; });
      return diag << ", which does not fit the argument type " << argType;
    }
    // Split along the batch dimension into the argument's static batch.
    int64_t total = tensor->dim(0);
    int64_t step = argType.isDynamicDim(0) ? total : argType.getDimSize(0);
    if (step <= 0 || total % step != 0)
      return emitError(loc, "calibration input '")
             << file << "' holds " << total << " samples, not a multiple of "
             << "the batch size " << step;
    int64_t perSample = tensor->numElements() / std::max<int64_t>(total, 1);
    for (int64_t begin = 0; begin < total; begin += step) {
      if (maxSamples > 0 && samples >= maxSamples)
        break;
      int64_t count = step;
      if (maxSamples > 0 && argType.isDynamicDim(0))
        count = std::min(count, maxSamples - samples);
      llvm::SmallVector<int64_t> shape(tensor->shape());
      shape[0] = count;
      std::vector<float> values(tensor->data() + begin * perSample,
                                tensor->data() + (begin + count) * perSample);
      batches.emplace_back(shape, std::move(values));
      samples += count;
    }
  }
  return batches;
}

FailureOr<llvm::DenseMap<Value, quantization::RangeObserver>>
mlir::dlc::observeRanges(func::FuncOp func, ArrayRef<Tensor> batches,
                         bool progress) {
  FailureOr<runtime::Executor> executor = runtime::Executor::create(func);
  if (failed(executor))
    return failure();
  llvm::DenseMap<Value, quantization::RangeObserver> observers;
  int64_t total = 0, done = 0;
  for (const Tensor &batch : batches)
    total += batch.dim(0);
  int64_t reported = 0;
  for (const Tensor &batch : batches) {
    llvm::Expected<std::vector<Tensor>> outputs =
        executor->run(batch, [&](Value value, const Tensor &tensor) {
          if (tensor.kind() == runtime::ElementKind::F32)
            observers[value].observe(tensor.values());
        });
    if (!outputs)
      return emitError(func.getLoc(), "calibration run failed: ")
             << llvm::toString(outputs.takeError());
    done += batch.dim(0);
    // A line per tenth, so logs stay readable.
    if (progress && (done * 10 / total > reported || done == total)) {
      reported = done * 10 / total;
      llvm::errs() << "dlc-quantize: calibrated " << done << "/" << total
                   << " samples\n";
    }
  }
  return observers;
}
