//===- Target.h - hardware descriptions for the cost model ------*- C++ -*-===//
//
// Targets come from a JSON file: the built-in lib/Analysis/targets.json
// (compiled in) plus any file a user gives, whose entries add to or replace
// the built-in ones by name. Each figure cites its source in the file.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_ANALYSIS_TARGET_H
#define DLC_ANALYSIS_TARGET_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace mlir::dlc {

/// The convolution families a ConvTimeModel may describe.
inline constexpr llvm::StringLiteral convFamilies[] = {"conv3x3", "pointwise",
                                                       "depthwise", "conv"};

/// How a convolution kernel lowers its work, which fixes what a
/// ConvTimeModel's terms count.
enum class ConvLowering {
  /// One GEMM per image and group: Cout/g x Cin/g*KH*KW times
  /// Cin/g*KH*KW x OH*OW (im2col columns, or the input itself for 1x1).
  Gemm,
  /// Winograd F(2x2, 3x3): 16 GEMMs, Cout x Cin times Cin x 2x2 output
  /// tiles, between an input and an output transform.
  WinogradF2x3,
  /// A loop over the taps of each output (depthwise convolution).
  Direct,
};

/// A convolution kernel's time as a linear function of its work, fitted to
/// measurements of one implementation (nn-Meter's kernel-level idea, with
/// terms a reader can interpret). Microseconds per:
/// - FLOP of the GEMMs with each dimension rounded up to the microkernel's
///   tile (`tileChannels` output channels x `tilePixels` output pixels or
///   Winograd tiles: a partial tile costs a whole one); for Direct, FLOP of
///   windows inside the input, and `usPerBorderFlop` of windows reaching
///   the padding;
/// - element of the lowered input the kernel writes and packs (GEMM: the
///   im2col columns, Cin*KH*KW*OH*OW; Winograd: the transformed tiles,
///   16*Cin*tiles; Direct: the input);
/// - output element (GEMM and Winograd: of each GEMM);
/// - weight element (in the lowered form: 16 per Winograd kernel pair);
/// - row (GEMM: im2col row, Cin*KH*KW*OH; Winograd: row of the zero-padded
///   input copy, Cin*(tiles high + 1); Direct: output row and tap,
///   Cout*OH*KH*KW);
/// - GEMM call (per image and group; 16 per image for Winograd);
/// plus a fixed time.
struct ConvTimeModel {
  ConvLowering lowering = ConvLowering::Gemm;
  int64_t tileChannels = 1;
  int64_t tilePixels = 1;
  double usPerFlop = 0;
  double usPerBorderFlop = 0;
  double usPerInput = 0;
  double usPerOutput = 0;
  double usPerWeight = 0;
  double usPerRow = 0;
  double usPerCall = 0;
  double fixedUs = 0;
};

struct Target {
  std::string name;
  std::string description;
  bool gpu = false;
  /// Peak dense throughput per element type ("fp32", "fp16", "int8", ...,
  /// and "<type>_sparse" for 2:4 sparsity), in TFLOP/s or TOP/s.
  llvm::StringMap<double> peakTflops;
  double memoryGBps = 0;
  double l2MiB = 0;
  /// Level-1 data cache per core (CPU targets; sizes the ARM backend's
  /// GEMM blocking) and the -march a code generator targets ("" = none).
  double l1dKiB = 0;
  std::string march;
  /// GPU targets: the CUDA architecture (sm_XX) and the CUDA backend's
  /// block tile (rows, columns, reduction steps).
  std::string cudaArch;
  /// The compute capability XY of `cudaArch` (sm_XY, sm_XYa), 0 for none.
  unsigned cudaCapability() const;
  int64_t cudaTileM = 64, cudaTileN = 64, cudaTileK = 16;
  /// Chunks of 16 reduction steps the fp16/bf16 GEMM keeps in flight
  /// (cp.async pipeline depth).
  int64_t cudaStages = 3;
  /// Streaming multiprocessors: the CUDA backend splits the reduction of a
  /// GEMM whose blocks would fill less than half of them (0: never).
  int64_t cudaSms = 0;
  /// Last-level cache: an op whose bytes (read + written + weights) fit in
  /// `llcMiB` moves them at `cacheGBps` instead of memoryGBps (0: no such
  /// distinction).
  double llcMiB = 0;
  double cacheGBps = 0;
  /// Targets that model the reference executor (dlc-run): activation and
  /// scratch bytes an op touches that the executor left out of the
  /// last-level cache (CacheReuse.h) add bytes / coldActivationGBps to its
  /// time (0: not modelled).
  double coldActivationGBps = 0;
  /// The rate at which convolutions other than depthwise ones take their
  /// cold bytes, where it differs (im2col, Winograd and GEMM walk them in
  /// blocks, which the hardware prefetcher follows less well than a stream;
  /// 0: coldActivationGBps).
  double coldConvGBps = 0;
  std::vector<std::string> nativeTypes;
  /// Channel multiples at which products run at full rate, per type.
  llvm::StringMap<int64_t> align;
  double misalignedEfficiency = 1.0;
  double launchOverheadUs = 0;
  /// Fractions of peak the cost model assumes each kind of work reaches:
  /// dense products, depthwise convolution, other vector arithmetic, and
  /// streaming memory. A target file may set them ("efficiency"), e.g.
  /// from a calibration run on the real machine.
  double productEfficiency = 0.7;
  /// Optional refinements for convolution families whose kernels differ
  /// (e.g. Winograd for 3x3 stride 1, a plain GEMM for 1x1); 0 = use
  /// productEfficiency.
  double conv3x3Efficiency = 0;
  double pointwiseEfficiency = 0;
  double depthwiseEfficiency = 0.35;
  /// Depthwise outputs whose window reaches the padding run a slower
  /// (scalar) path in CPU kernels: their efficiency, when set; the layer's
  /// efficiency then blends the two by the share of such outputs.
  double depthwiseBorderEfficiency = 0;
  double vectorEfficiency = 0.5;
  double memoryEfficiency = 0.8;
  /// Per op (its name without "dlc."): the share of the bandwidth its
  /// memory traffic reaches, where it differs from memoryEfficiency (data
  /// movement with strided gathers, pooling windows, batch-1 linear
  /// layers). A calibration on the real machine fills it
  /// ("op_memory_efficiency").
  llvm::StringMap<double> opMemoryEfficiency;
  /// Per op (its name without "dlc."): nanoseconds of setup per channel
  /// (dimension 1 of its input) on top of its memory time, for kernels
  /// that derive per-channel coefficients each run (the reference
  /// executor's batch norm: a square root and a division in double per
  /// channel; "op_channel_ns", fitted by bench/validate_cost_model.py).
  llvm::StringMap<double> opChannelNs;
  /// A fixed time (us) a one-row linear layer (a batch-1 classifier: the
  /// reference executor's GEMV over weights from memory) takes on top of
  /// its memory time ("gemv_fixed_us").
  double gemvFixedUs = 0;
  /// Fitted time models per convolution family ("conv3x3": 3x3 stride 1,
  /// "pointwise": 1x1 stride 1 unpadded, "depthwise", "conv": the rest),
  /// used instead of FLOPs / (peak x efficiency) where present
  /// ("conv_time_model"; bench/validate_cost_model.py fits them).
  llvm::StringMap<ConvTimeModel> convTimeModels;
  /// Independent outputs one kernel needs to occupy the whole machine.
  double saturationOutputs = 1;
  std::vector<std::string> sources;

  bool isNative(llvm::StringRef type) const;
  /// Peak for `type` in FLOP/s, falling back to fp32 where not native.
  double peakFlops(llvm::StringRef type) const;
  /// Peak with 2:4 structured sparsity ("<type>_sparse"), or nullopt where
  /// the hardware has no sparse path for `type`.
  std::optional<double> sparsePeakFlops(llvm::StringRef type) const;
};

class TargetRegistry {
public:
  /// The built-in targets, extended by `extraFile` when not empty.
  static llvm::Expected<TargetRegistry> load(llvm::StringRef extraFile = "");
  /// Parses targets from JSON text into this registry.
  llvm::Error addFromJSON(llvm::StringRef json, llvm::StringRef origin);

  const Target *lookup(llvm::StringRef name) const;
  std::vector<std::string> names() const;

private:
  std::vector<Target> targets;
};

} // namespace mlir::dlc

#endif // DLC_ANALYSIS_TARGET_H
