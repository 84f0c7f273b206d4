//===- Calibration.h - observe activation ranges with the executor -*- C++
//-*-===//
//
// Post-training quantization needs the range each activation takes on real
// inputs. These helpers load calibration inputs from .npy files and run the
// reference executor over them, feeding every intermediate tensor to a
// histogram (quantization::RangeObserver).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DLC_TRANSFORMS_CALIBRATION_H
#define DLC_DIALECT_DLC_TRANSFORMS_CALIBRATION_H

#include "dlc/Quant/Calibration.h"
#include "dlc/Runtime/Tensor.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::dlc {

/// One input tensor per function argument.
using CalibrationBatch = std::vector<runtime::Tensor>;

/// Reads calibration inputs for `func`, split into batches of the
/// arguments' static batch size (or kept whole for a dynamic batch), at most
/// `maxSamples` samples (0: all). `spec` is a .npy file or a directory whose
/// .npy files are read in name order (a function of one argument), or a
/// comma-separated list of .npy files, one per argument, holding the same
/// number of samples.
FailureOr<std::vector<CalibrationBatch>>
loadCalibrationInputs(func::FuncOp func, StringRef spec, int64_t maxSamples);

/// Runs `func` on every batch and observes the values of its arguments and
/// of every op result. With `progress`, reports on stderr as it goes.
FailureOr<llvm::DenseMap<Value, quantization::RangeObserver>>
observeRanges(func::FuncOp func, ArrayRef<CalibrationBatch> batches,
              bool progress);

/// The outputs of `func` on every batch, one after the other; an error at
/// `func` when the executor cannot run it.
FailureOr<std::vector<runtime::Tensor>>
runCalibrationBatches(func::FuncOp func, ArrayRef<CalibrationBatch> batches);

/// Signal-to-quantization-noise ratio (dB) of `outputs` against
/// `reference` (the fp32 function's), all outputs together: +inf when
/// identical, -inf when they do not match in kind or size.
double outputSqnr(ArrayRef<runtime::Tensor> reference,
                  ArrayRef<runtime::Tensor> outputs);

} // namespace mlir::dlc

#endif // DLC_DIALECT_DLC_TRANSFORMS_CALIBRATION_H
