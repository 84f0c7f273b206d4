//===- dlc-run.cpp - run dlc IR on the host -------------------------------===//
//
//   dlc-run model.mlir --input a.npy [--input b.npy] --output out.npy
//
// Parses and verifies the module, runs one function (@main, or the only
// one, or --function) with the reference executor, and writes each result
// to the matching --output file. With --iterations N it also reports the
// mean time per run. Failures are diagnostics and exit 1; no output file is
// written unless every result is.
//
//===----------------------------------------------------------------------===//

#include "dlc/InitAllDialects.h"
#include "dlc/Runtime/Executor.h"
#include "dlc/Runtime/Npy.h"
#include "dlc/Support/CommandLine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include <algorithm>
#include <chrono>

using namespace mlir;
using namespace mlir::dlc;
namespace cl = llvm::cl;

static cl::OptionCategory toolOptions("dlc-run options");
static cl::opt<std::string> inputFile(cl::cat(toolOptions), cl::Positional,
                                      cl::desc("<model.mlir>"), cl::Required);
static cl::list<std::string> inputs(cl::cat(toolOptions), "input",
                                    cl::desc("Input .npy file"),
                                    cl::value_desc("file"));
static cl::list<std::string> outputs(cl::cat(toolOptions), "output",
                                     cl::desc("Output .npy file, per result"),
                                     cl::value_desc("file"));
static cl::opt<std::string> functionName(cl::cat(toolOptions), "function",
                                         cl::desc("Function to run"),
                                         cl::init(""));
static cl::opt<unsigned> threads(cl::cat(toolOptions), "num-threads",
                                 cl::desc("Threads (0: every core)"),
                                 cl::init(0));
static cl::opt<bool>
    winograd(cl::cat(toolOptions), "winograd",
             cl::desc("Winograd F(2x2,3x3) for 3x3 stride-1 convolutions"),
             cl::init(true));
static cl::opt<bool>
    profile(cl::cat(toolOptions), "profile",
            cl::desc("Print the time per op kind (sum of each op's median "
                     "over the timed runs)"),
            cl::init(false));
static cl::opt<std::string> profileJSON(
    cl::cat(toolOptions), "profile-json",
    cl::desc("Write each op's time in program order as JSON: median (ms), "
             "mean and min over the runs after the first"),
    cl::value_desc("file"), cl::init(""));
static cl::opt<unsigned> iterations(cl::cat(toolOptions), "iterations",
                                    cl::desc("Runs to time (reports ms/run)"),
                                    cl::init(0));

/// The runs that --iterations timed: every run but the first (which pays
/// for first-touch pages and scratch buffers), or the only one.
static std::vector<double> timedRuns(const std::vector<double> &ms) {
  if (ms.size() < 2)
    return ms;
  return std::vector<double>(ms.begin() + 1, ms.end());
}

static double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "dlc-run") << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  dlc::showOnlyToolOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv, "dlc reference executor\n");

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile, sourceMgr, &context);
  if (!module)
    return 1;

  func::FuncOp func;
  SmallVector<func::FuncOp> funcs(module->getOps<func::FuncOp>());
  std::string wanted =
      functionName.empty() ? std::string("main") : functionName.getValue();
  for (func::FuncOp f : funcs)
    if (f.getSymName() == wanted)
      func = f;
  if (!func && functionName.empty() && funcs.size() == 1)
    func = funcs.front();
  if (!func)
    return fail("no function named '" + wanted +
                "' (and not exactly one function) in " + inputFile);

  SmallVector<runtime::Tensor> args;
  for (const std::string &path : inputs) {
    llvm::Expected<runtime::Tensor> tensor = runtime::readNpy(path);
    if (!tensor)
      return fail(llvm::toString(tensor.takeError()));
    args.push_back(std::move(*tensor));
  }
  if (outputs.size() > func.getNumResults())
    return fail("@" + func.getSymName() + " has " +
                llvm::Twine(func.getNumResults()) + " results but " +
                llvm::Twine(outputs.size()) + " --output files were given");

  FailureOr<runtime::Executor> executor = runtime::Executor::create(
      func, {threads, winograd, profile || !profileJSON.empty()});
  if (failed(executor))
    return 1;
  llvm::Expected<std::vector<runtime::Tensor>> results = executor->run(args);
  if (!results)
    return fail(llvm::toString(results.takeError()));
  if (iterations > 0) {
    auto start = std::chrono::steady_clock::now();
    for (unsigned i = 0; i < iterations; ++i) {
      auto again = executor->run(args);
      if (!again)
        return fail(llvm::toString(again.takeError()));
    }
    std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - start;
    llvm::outs() << llvm::format("%.3f ms/run over %u runs\n",
                                 elapsed.count() / iterations,
                                 unsigned(iterations));
  }
  if (profile) {
    llvm::StringMap<double> byKind;
    for (const auto &entry : executor->opProfile())
      byKind[entry.op->getName().getStringRef()] += median(timedRuns(entry.ms));
    std::vector<std::pair<double, std::string>> rows;
    for (const auto &entry : byKind)
      rows.emplace_back(entry.getValue(), entry.getKey().str());
    std::sort(rows.rbegin(), rows.rend());
    for (const auto &[ms, name] : rows)
      llvm::outs() << llvm::format("%10.3f ms/run  %s\n", ms, name.c_str());
  }
  if (!profileJSON.empty()) {
    llvm::json::Array ops;
    for (const auto &entry : executor->opProfile()) {
      std::vector<double> runs = timedRuns(entry.ms);
      double sum = 0;
      for (double ms : runs)
        sum += ms;
      ops.push_back(llvm::json::Object{
          {"op", entry.op->getName().getStringRef()},
          {"ms", median(runs)},
          {"mean_ms", sum / runs.size()},
          {"min_ms", *std::min_element(runs.begin(), runs.end())},
          {"runs", static_cast<int64_t>(runs.size())}});
    }
    std::error_code ec;
    llvm::ToolOutputFile file(profileJSON, ec, llvm::sys::fs::OF_None);
    if (ec)
      return fail(profileJSON + ": " + ec.message());
    file.os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(ops)))
              << "\n";
    file.keep();
  }
  for (auto [path, tensor] : llvm::zip(outputs, *results))
    if (llvm::Error error = runtime::writeNpy(path, tensor))
      return fail(llvm::toString(std::move(error)));
  return 0;
}
