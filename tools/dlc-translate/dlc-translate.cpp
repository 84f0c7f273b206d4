//===- dlc-translate.cpp - translations into and out of dlc IR ------------===//
//
//   dlc-translate --import-onnx model.onnx -o model.mlir
//   dlc-translate --emit-arm model.mlir -o DIR [--arm-target=cortex-a78]
//       [--arm-march=...] [--arm-prefix=model] [--arm-embed-weights]
//       [--arm-harness] [--target-file=FILE] [--function=NAME]
//   dlc-translate --emit-cuda model.mlir -o DIR [--cuda-target=a100|sm_80]
//       [--emit-cuda-runner] [--arm-prefix=...]
//
// Output is written only when the translation succeeds; --emit-arm writes
// a directory of files (C source, header, weights), each replaced whole.
//
//===----------------------------------------------------------------------===//

#include "dlc/InitAllDialects.h"
#include "dlc/Support/CommandLine.h"
#include "dlc/Support/Debug.h"
#include "dlc/Target/ARM/EmitARM.h"
#include "dlc/Target/CUDA/EmitCUDA.h"
#include "dlc/Target/ONNX/ImportONNX.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

/// Writes every file into `dir` (created if missing) through a temporary
/// name, so a failure leaves no partial file behind.
static LogicalResult writeFiles(StringRef dir,
                                const dlc::codegen::EmittedFiles &files) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
    llvm::WithColor::error() << dir << ": " << ec.message() << "\n";
    return failure();
  }
  std::vector<std::string> written;
  auto cleanUp = [&] {
    for (const std::string &path : written)
      llvm::sys::fs::remove(path);
  };
  for (const auto &[name, contents] : files) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name + ".tmp");
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (!ec) {
      written.push_back(path.str().str());
      os << contents;
      os.close();
      ec = os.error();
    }
    if (ec) {
      llvm::WithColor::error() << path << ": " << ec.message() << "\n";
      cleanUp();
      return failure();
    }
  }
  for (const auto &[name, contents] : files) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name);
    if (std::error_code ec = llvm::sys::fs::rename(path + ".tmp", path)) {
      llvm::WithColor::error() << path << ": " << ec.message() << "\n";
      cleanUp();
      return failure();
    }
  }
  return success();
}

static int emitMain(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  static cl::OptionCategory toolOptions("dlc-translate options");
  static cl::opt<bool> emitArm(cl::cat(toolOptions), "emit-arm",
                               cl::desc("Emit AArch64 C with NEON"));
  static cl::opt<bool> emitCuda(cl::cat(toolOptions), "emit-cuda",
                                cl::desc("Emit CUDA C++"));
  static cl::opt<bool> cudaRunner(
      cl::cat(toolOptions), "emit-cuda-runner",
      cl::desc("With --emit-cuda: also write <prefix>_runner.cu"));
  static cl::opt<std::string> cudaPrecision(
      cl::cat(toolOptions), "cuda-precision",
      cl::desc("fp32 layers in fp32 (fp32), on fp16 / bf16 tensor cores "
               "(fp16, bf16) or on tf32 tensor cores (tf32, sm_80+)"),
      cl::init("fp32"));
  static cl::opt<std::string> cudaTarget(
      cl::cat(toolOptions), "cuda-target",
      cl::desc("GPU target of the target file, or its architecture (sm_80, "
               "sm_87, sm_89, sm_90)"),
      cl::init("a100"));
  static cl::opt<std::string> input(cl::cat(toolOptions), cl::Positional,
                                    cl::desc("<model.mlir>"), cl::init("-"));
  static cl::opt<std::string> output(cl::cat(toolOptions), "o",
                                     cl::desc("Output directory"),
                                     cl::value_desc("dir"), cl::Required);
  static cl::opt<std::string> target(
      cl::cat(toolOptions), "arm-target",
      cl::desc("ARM CPU target of the target file"), cl::init("cortex-a78"));
  static cl::opt<std::string> march(
      cl::cat(toolOptions), "arm-march",
      cl::desc("Override the target's -march (e.g. armv8-a)"), cl::init(""));
  static cl::opt<std::string> prefix(
      cl::cat(toolOptions), "prefix",
      cl::desc("File and symbol prefix of the emitted model"),
      cl::init("model"));
  static cl::alias armPrefix(cl::cat(toolOptions), "arm-prefix",
                             cl::desc("Alias for --prefix"),
                             cl::aliasopt(prefix));
  static cl::opt<bool> embed(cl::cat(toolOptions), "arm-embed-weights",
                             cl::desc("Compile the weights into the C source"));
  static cl::opt<bool> harness(
      cl::cat(toolOptions), "arm-harness",
      cl::desc("Also write <prefix>_main.c, which runs the model on .npy"));
  static cl::opt<std::string> targetFile(
      cl::cat(toolOptions), "target-file",
      cl::desc("JSON file of extra or replaced targets"), cl::init(""));
  static cl::opt<std::string> function(
      cl::cat(toolOptions), "function",
      cl::desc("Function to emit (default @main)"), cl::init(""));
  dlc::registerDebugOptions();
  dlc::showOnlyToolOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv, "dlc translation driver\n");

  DialectRegistry registry;
  dlc::registerAllDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  std::string error;
  auto file = openInputFile(input, &error);
  if (!file) {
    llvm::WithColor::error() << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  if (emitArm == emitCuda) {
    llvm::WithColor::error() << "give one of --emit-arm and --emit-cuda\n";
    return 1;
  }
  auto common = [&](dlc::codegen::EmitOptions &options, StringRef name) {
    options.target = name.str();
    options.targetFile = targetFile;
    options.function = function;
    options.prefix = prefix;
  };
  FailureOr<dlc::codegen::EmittedFiles> files = failure();
  if (emitArm) {
    dlc::arm::ARMEmitOptions options;
    common(options, target);
    options.march = march;
    options.embedWeights = embed;
    options.harness = harness;
    files = dlc::arm::emitARM(*module, options);
  } else {
    dlc::cuda::CUDAEmitOptions options;
    common(options, cudaTarget);
    options.runner = cudaRunner;
    options.precision = cudaPrecision;
    files = dlc::cuda::emitCUDA(*module, options);
  }
  if (failed(files) || failed(writeFiles(output, *files)))
    return 1;
  return 0;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (StringRef(argv[i]).ltrim('-') == "emit-arm" ||
        StringRef(argv[i]).ltrim('-') == "emit-cuda")
      return emitMain(argc, argv);
  mlir::dlc::registerImportONNXTranslation();
  // mlirTranslateMain registers its own options after this.
  static cl::OptionCategory dlcOptions("dlc options");
  dlc::registerDebugOptions();
  dlc::showOnlyToolOptions(dlcOptions);
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv,
                              "dlc translation driver\n\n"
                              "  --import-onnx model.onnx -o model.mlir\n"
                              "  --emit-cuda model.mlir -o DIR  (options: "
                              "dlc-translate --emit-cuda --help)\n"
                              "  --emit-arm model.mlir -o DIR   (options: "
                              "dlc-translate --emit-arm --help)\n"));
}
