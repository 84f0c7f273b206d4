//===- Calibration.cpp - observe activation ranges with the executor ------===//

#include "dlc/Dialect/DLC/Transforms/Calibration.h"
#include "dlc/Runtime/Executor.h"
#include "dlc/Runtime/Npy.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cmath>
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

/// Reads one .npy file for argument `argType`, checking its sample shape.
static FailureOr<Tensor> readInput(Location loc, const std::string &file,
                                   RankedTensorType argType) {
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
  return *tensor;
}

/// Rows [begin, begin + count) of `tensor` along its first dimension.
static Tensor rowsOf(const Tensor &tensor, int64_t begin, int64_t count) {
  int64_t perSample =
      tensor.numElements() / std::max<int64_t>(tensor.dim(0), 1);
  llvm::SmallVector<int64_t> shape(tensor.shape());
  shape[0] = count;
  return Tensor(
      shape, std::vector<float>(tensor.data() + begin * perSample,
                                tensor.data() + (begin + count) * perSample));
}

FailureOr<std::vector<CalibrationBatch>>
mlir::dlc::loadCalibrationInputs(func::FuncOp func, StringRef spec,
                                 int64_t maxSamples) {
  Location loc = func.getLoc();
  SmallVector<RankedTensorType> argTypes;
  for (Type type : func.getArgumentTypes()) {
    auto ranked = dyn_cast<RankedTensorType>(type);
    if (!ranked || ranked.getRank() == 0)
      return emitError(loc, "calibration needs ranked tensor arguments");
    argTypes.push_back(ranked);
  }
  // The files of each input, in order: one file per argument, or for a
  // one-argument function the file or directory given.
  std::vector<std::vector<std::string>> filesPerArg;
  if (spec.contains(',')) {
    SmallVector<StringRef> paths;
    spec.split(paths, ',');
    if (paths.size() != argTypes.size())
      return emitError(loc, "calibration lists ")
             << paths.size() << " files for @" << func.getSymName()
             << ", which takes " << argTypes.size() << " arguments";
    for (StringRef path : paths) {
      if (!llvm::sys::fs::exists(path))
        return emitError(loc, "calibration input '") << path << "' not found";
      filesPerArg.push_back({path.str()});
    }
  } else {
    if (argTypes.size() != 1)
      return emitError(loc, "@")
             << func.getSymName() << " takes " << argTypes.size()
             << " arguments: give one .npy file per argument "
                "(calibration=a.npy,b.npy)";
    FailureOr<std::vector<std::string>> files = npyFiles(loc, spec);
    if (failed(files))
      return failure();
    filesPerArg.push_back(*files);
  }

  std::vector<CalibrationBatch> batches;
  int64_t samples = 0;
  for (size_t f = 0; f < filesPerArg.front().size(); ++f) {
    std::vector<Tensor> inputs;
    for (auto [files, argType] : llvm::zip(filesPerArg, argTypes)) {
      FailureOr<Tensor> input = readInput(loc, files[f], argType);
      if (failed(input))
        return failure();
      if (!inputs.empty() && input->dim(0) != inputs.front().dim(0))
        return emitError(loc, "calibration inputs hold different numbers of "
                              "samples (")
               << inputs.front().dim(0) << " and " << input->dim(0) << ")";
      inputs.push_back(*input);
    }
    // Split along the batch dimension into the arguments' static batch.
    int64_t total = inputs.front().dim(0);
    RankedTensorType first = argTypes.front();
    int64_t step = first.isDynamicDim(0) ? total : first.getDimSize(0);
    if (step <= 0 || total % step != 0)
      return emitError(loc, "calibration input '")
             << filesPerArg.front()[f] << "' holds " << total
             << " samples, not a multiple of the batch size " << step;
    for (int64_t begin = 0; begin < total; begin += step) {
      if (maxSamples > 0 && samples >= maxSamples)
        break;
      int64_t count = step;
      if (maxSamples > 0 && first.isDynamicDim(0))
        count = std::min(count, maxSamples - samples);
      CalibrationBatch batch;
      for (const Tensor &input : inputs)
        batch.push_back(rowsOf(input, begin, count));
      batches.push_back(std::move(batch));
      samples += count;
    }
  }
  return batches;
}

FailureOr<llvm::DenseMap<Value, quantization::RangeObserver>>
mlir::dlc::observeRanges(func::FuncOp func, ArrayRef<CalibrationBatch> batches,
                         bool progress) {
  FailureOr<runtime::Executor> executor = runtime::Executor::create(func);
  if (failed(executor))
    return failure();
  llvm::DenseMap<Value, quantization::RangeObserver> observers;
  int64_t total = 0, done = 0;
  for (const CalibrationBatch &batch : batches)
    total += batch.front().dim(0);
  int64_t reported = 0;
  for (const CalibrationBatch &batch : batches) {
    llvm::Expected<std::vector<Tensor>> outputs =
        executor->run(batch, [&](Value value, const Tensor &tensor) {
          if (tensor.kind() == runtime::ElementKind::F32)
            observers[value].observe(tensor.values());
        });
    if (!outputs)
      return emitError(func.getLoc(), "calibration run failed: ")
             << llvm::toString(outputs.takeError());
    done += batch.front().dim(0);
    // A line per tenth, so logs stay readable.
    if (progress && (done * 10 / total > reported || done == total)) {
      reported = done * 10 / total;
      llvm::errs() << "dlc-quantize: calibrated " << done << "/" << total
                   << " samples\n";
    }
  }
  return observers;
}

FailureOr<std::vector<runtime::Tensor>>
mlir::dlc::runCalibrationBatches(func::FuncOp func,
                                 ArrayRef<CalibrationBatch> batches) {
  FailureOr<runtime::Executor> executor = runtime::Executor::create(func);
  if (failed(executor))
    return failure();
  std::vector<runtime::Tensor> outputs;
  for (const CalibrationBatch &batch : batches) {
    llvm::Expected<std::vector<runtime::Tensor>> result = executor->run(batch);
    if (!result)
      return emitError(func.getLoc(), "running the function on the "
                                      "calibration inputs failed: ")
             << llvm::toString(result.takeError());
    llvm::append_range(outputs, *result);
  }
  return outputs;
}

double mlir::dlc::outputSqnr(ArrayRef<runtime::Tensor> reference,
                             ArrayRef<runtime::Tensor> outputs) {
  double signal = 0.0, noise = 0.0;
  for (auto [want, got] : llvm::zip(reference, outputs)) {
    if (got.kind() != runtime::ElementKind::F32 ||
        got.numElements() != want.numElements())
      return -INFINITY;
    for (auto [x, y] : llvm::zip(want.values(), got.values())) {
      signal += double(x) * x;
      noise += (double(x) - y) * (double(x) - y);
    }
  }
  return noise == 0.0 ? INFINITY : 10.0 * std::log10(signal / noise);
}
