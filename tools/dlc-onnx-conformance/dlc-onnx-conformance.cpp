//===- dlc-onnx-conformance.cpp - run ONNX backend node tests -------------===//
//
//   dlc-onnx-conformance DIR... [--markdown table.md] [--filter SUBSTR]
//
// Each DIR holds ONNX backend test cases (model.onnx + test_data_set_0/
// input_*.pb, output_*.pb), as Debian's libonnx-testdata installs them. Each
// case runs in a forked child with a time limit, so a crash or a hang is
// recorded, not fatal: the child imports the model (integer and scalar inputs,
// and float inputs read only as Resize/Upsample scales or ConvTranspose
// weights, are bound as constants, which is what shape and attribute inputs
// and weights are in a deployed model),
// runs it with the reference executor and compares every output with ONNX's
// tolerances (|got - want| <= atol + rtol * |want|, rtol 1e-3, atol 1e-7).
//
// Outcomes: pass; unsupported (a clean diagnostic from the importer or the
// executor); fail (wrong numbers); crash; timeout. The exit code is non-zero
// when any case crashes, times out, or fails.
//
//===----------------------------------------------------------------------===//

#include "dlc/InitAllDialects.h"
#include "dlc/Runtime/Executor.h"
#include "dlc/Support/CommandLine.h"
#include "dlc/Target/ONNX/ImportONNX.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <csignal>
#include <cstring>
#include <map>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;
namespace runtime = mlir::dlc::runtime;
namespace cl = llvm::cl;

static cl::OptionCategory toolOptions("dlc-onnx-conformance options");
static cl::list<std::string> roots(cl::cat(toolOptions), cl::Positional,
                                   cl::desc("<test dirs>"), cl::OneOrMore);
static cl::opt<std::string> markdown(cl::cat(toolOptions), "markdown",
                                     cl::desc("Write the table as markdown"),
                                     cl::init(""));
static cl::opt<std::string> filter(cl::cat(toolOptions), "filter",
                                   cl::desc("Only cases whose name contains"),
                                   cl::init(""));
static cl::opt<unsigned> timeLimit(cl::cat(toolOptions), "time-limit",
                                   cl::desc("Seconds per case"), cl::init(20));
static cl::opt<bool> verbose(cl::cat(toolOptions), "v",
                             cl::desc("Print every case"), cl::init(false));

enum class Outcome { Pass, Unsupported, Fail, Crash, Timeout };

static const char *name(Outcome o) {
  switch (o) {
  case Outcome::Pass:
    return "pass";
  case Outcome::Unsupported:
    return "unsupported";
  case Outcome::Fail:
    return "FAIL";
  case Outcome::Crash:
    return "CRASH";
  case Outcome::Timeout:
    return "TIMEOUT";
  }
  return "?";
}

static bool readProto(const std::string &path, google::protobuf::Message &msg) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  return file && msg.ParseFromArray((*file)->getBufferStart(),
                                    static_cast<int>((*file)->getBufferSize()));
}

/// The values of a float tensor, or nullopt for other element types.
static std::optional<runtime::Tensor> toTensor(const onnx::TensorProto &t) {
  if (t.data_type() != onnx::TensorProto::FLOAT)
    return std::nullopt;
  llvm::SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  std::vector<float> values;
  if (t.has_raw_data()) {
    values.resize(t.raw_data().size() / 4);
    std::memcpy(values.data(), t.raw_data().data(), values.size() * 4);
  } else {
    values.assign(t.float_data().begin(), t.float_data().end());
  }
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  if (static_cast<int64_t>(values.size()) != count)
    return std::nullopt;
  return runtime::Tensor(shape, std::move(values));
}

/// Whether every node reading graph input `name` reads it as an attribute
/// in tensor form (Resize's roi and scales, Upsample's scales) or as the
/// weights a converter rearranges at import (ConvTranspose's), which a
/// deployed model holds as constants.
static bool isParameterInput(const onnx::GraphProto &graph,
                             const std::string &name) {
  bool read = false;
  for (const onnx::NodeProto &node : graph.node())
    for (int i = 0; i < node.input_size(); ++i) {
      if (node.input(i) != name)
        continue;
      bool parameter = (node.op_type() == "Resize" && (i == 1 || i == 2)) ||
                       (node.op_type() == "Upsample" && i == 1) ||
                       (node.op_type() == "ConvTranspose" && i >= 1);
      if (!parameter)
        return false;
      read = true;
    }
  return read;
}

/// Runs one case in this (child) process; writes a one-line reason to `out`.
static Outcome runCase(const std::string &dir, std::string &reason) {
  onnx::ModelProto model;
  if (!readProto(dir + "/model.onnx", model)) {
    reason = "cannot read model.onnx";
    return Outcome::Unsupported;
  }
  std::vector<onnx::TensorProto> inputs, outputs;
  for (int i = 0;; ++i) {
    onnx::TensorProto t;
    if (!readProto(dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb",
                   t))
      break;
    inputs.push_back(std::move(t));
  }
  for (int i = 0;; ++i) {
    onnx::TensorProto t;
    if (!readProto(dir + "/test_data_set_0/output_" + std::to_string(i) + ".pb",
                   t))
      break;
    outputs.push_back(std::move(t));
  }

  // Bind integer and scalar inputs (shapes, axes, bounds) as initializers.
  onnx::GraphProto *graph = model.mutable_graph();
  std::set<std::string> initialized;
  for (const auto &init : graph->initializer())
    initialized.insert(init.name());
  std::vector<runtime::Tensor> runtimeInputs;
  int dataIndex = 0;
  for (const onnx::ValueInfoProto &input : graph->input()) {
    if (initialized.count(input.name()))
      continue;
    if (dataIndex >= static_cast<int>(inputs.size())) {
      reason = "missing test input for '" + input.name() + "'";
      return Outcome::Unsupported;
    }
    onnx::TensorProto &data = inputs[dataIndex++];
    // The test data must fit the declared input (some cases ship data of
    // another shape, or bfloat16 as uint16 bits).
    const auto &declared = input.type().tensor_type();
    if (declared.has_shape()) {
      bool fits = declared.shape().dim_size() == data.dims_size();
      for (int d = 0; fits && d < data.dims_size(); ++d)
        if (declared.shape().dim(d).has_dim_value())
          fits = declared.shape().dim(d).dim_value() == data.dims(d);
      if (!fits) {
        reason = "test data for '" + input.name() +
                 "' does not match its declared shape";
        return Outcome::Unsupported;
      }
    }
    if (declared.elem_type() == onnx::TensorProto::BFLOAT16 &&
        data.data_type() == onnx::TensorProto::UINT16)
      data.set_data_type(onnx::TensorProto::BFLOAT16);
    if (data.data_type() != onnx::TensorProto::FLOAT || data.dims_size() == 0 ||
        isParameterInput(*graph, input.name())) {
      data.set_name(input.name());
      *graph->add_initializer() = data;
      continue;
    }
    std::optional<runtime::Tensor> tensor = toTensor(data);
    if (!tensor) {
      reason = "input '" + input.name() + "' is not readable as f32";
      return Outcome::Unsupported;
    }
    runtimeInputs.push_back(std::move(*tensor));
  }
  std::string bytes;
  model.SerializeToString(&bytes);

  DialectRegistry registry;
  dlc::registerAllDialects(registry);
  MLIRContext context(registry);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    if (diagnostics.empty())
      diagnostics = d.str();
    return success();
  });
  auto buffer = llvm::MemoryBuffer::getMemBuffer(bytes, "model.onnx", false);
  OwningOpRef<ModuleOp> module =
      dlc::importONNXModel(buffer->getMemBufferRef(), dir, &context);
  if (!module) {
    reason = "import: " + diagnostics;
    return Outcome::Unsupported;
  }
  auto func = *module->getOps<func::FuncOp>().begin();
  FailureOr<runtime::Executor> executor = runtime::Executor::create(func);
  if (failed(executor)) {
    reason = "executor: " + diagnostics;
    return Outcome::Unsupported;
  }
  llvm::Expected<std::vector<runtime::Tensor>> results =
      executor->run(runtimeInputs);
  if (!results) {
    reason = "run: " + llvm::toString(results.takeError());
    return Outcome::Fail;
  }
  if (results->size() != outputs.size()) {
    reason = "produced " + std::to_string(results->size()) + " outputs, want " +
             std::to_string(outputs.size());
    return Outcome::Fail;
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::optional<runtime::Tensor> want = toTensor(outputs[i]);
    if (!want) {
      reason = "expected output " + std::to_string(i) + " is not f32";
      return Outcome::Unsupported;
    }
    const runtime::Tensor &got = (*results)[i];
    if (got.shape() != want->shape()) {
      reason = "output " + std::to_string(i) + " has the wrong shape";
      return Outcome::Fail;
    }
    for (int64_t j = 0; j < got.numElements(); ++j) {
      float g = got.data()[j], w = want->data()[j];
      bool ok = g == w || (std::isnan(g) && std::isnan(w)) ||
                std::fabs(g - w) <= 1e-7 + 1e-3 * std::fabs(w);
      if (!ok) {
        reason = "output " + std::to_string(i) + "[" + std::to_string(j) +
                 "] = " + std::to_string(g) + ", want " + std::to_string(w);
        return Outcome::Fail;
      }
    }
  }
  return Outcome::Pass;
}

/// Forks, runs the case in the child with a time limit, and classifies it.
static Outcome runIsolated(const std::string &dir, std::string &reason) {
  int pipeFds[2];
  if (pipe(pipeFds) != 0) {
    reason = "pipe failed";
    return Outcome::Crash;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(pipeFds[0]);
    alarm(timeLimit);
    std::string why;
    Outcome outcome = runCase(dir, why);
    why = std::string(1, static_cast<char>('0' + static_cast<int>(outcome))) +
          why;
    (void)!write(pipeFds[1], why.data(), why.size());
    close(pipeFds[1]);
    _exit(0);
  }
  close(pipeFds[1]);
  std::string message;
  char chunk[4096];
  ssize_t n;
  while ((n = read(pipeFds[0], chunk, sizeof(chunk))) > 0)
    message.append(chunk, n);
  close(pipeFds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    reason = std::string("signal ") + strsignal(WTERMSIG(status));
    return WTERMSIG(status) == SIGALRM ? Outcome::Timeout : Outcome::Crash;
  }
  if (message.empty()) {
    reason = "no result";
    return Outcome::Crash;
  }
  reason = message.substr(1);
  std::replace(reason.begin(), reason.end(), '\n', ' ');
  return static_cast<Outcome>(message[0] - '0');
}

/// The op types a model uses.
static std::set<std::string> opTypesOf(const std::string &dir) {
  onnx::ModelProto model;
  std::set<std::string> ops;
  if (readProto(dir + "/model.onnx", model))
    for (const auto &node : model.graph().node())
      ops.insert(node.op_type());
  return ops;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  dlc::showOnlyToolOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv, "ONNX backend node tests on dlc\n");

  std::vector<std::string> cases;
  for (const std::string &root : roots) {
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(root, ec), end; it != end && !ec;
         it.increment(ec)) {
      if (llvm::sys::fs::exists(it->path() + "/model.onnx") &&
          llvm::StringRef(it->path()).contains(filter))
        cases.push_back(it->path());
    }
  }
  std::sort(cases.begin(), cases.end());

  std::map<Outcome, int> totals;
  std::map<std::string, std::map<Outcome, int>> perOp;
  std::vector<std::string> problems;
  for (const std::string &dir : cases) {
    std::string reason;
    Outcome outcome = runIsolated(dir, reason);
    ++totals[outcome];
    for (const std::string &op : opTypesOf(dir))
      ++perOp[op][outcome];
    std::string caseName = llvm::sys::path::filename(dir).str();
    if (outcome == Outcome::Fail || outcome == Outcome::Crash ||
        outcome == Outcome::Timeout)
      problems.push_back(std::string(name(outcome)) + " " + caseName + ": " +
                         reason);
    if (verbose)
      llvm::outs() << name(outcome) << " " << caseName
                   << (reason.empty() ? "" : ": " + reason) << "\n";
  }

  std::string table;
  llvm::raw_string_ostream os(table);
  os << "| op | pass | unsupported | fail | crash | timeout |\n"
     << "|---|---:|---:|---:|---:|---:|\n";
  for (auto &[op, counts] : perOp)
    os << "| " << op << " | " << counts[Outcome::Pass] << " | "
       << counts[Outcome::Unsupported] << " | " << counts[Outcome::Fail]
       << " | " << counts[Outcome::Crash] << " | " << counts[Outcome::Timeout]
       << " |\n";
  os << "| **all " << cases.size() << " cases** | " << totals[Outcome::Pass]
     << " | " << totals[Outcome::Unsupported] << " | " << totals[Outcome::Fail]
     << " | " << totals[Outcome::Crash] << " | " << totals[Outcome::Timeout]
     << " |\n";
  llvm::outs() << table;
  for (const std::string &p : problems)
    llvm::outs() << p << "\n";
  if (!markdown.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream file(markdown, ec);
    if (ec) {
      llvm::errs() << "cannot write " << markdown << ": " << ec.message()
                   << "\n";
      return 1;
    }
    file << table;
  }
  llvm::outs() << "conformance: " << totals[Outcome::Pass] << " passed, "
               << totals[Outcome::Unsupported] << " unsupported, "
               << totals[Outcome::Fail] << " failed, " << totals[Outcome::Crash]
               << " crashed, " << totals[Outcome::Timeout] << " timed out\n";
  return problems.empty() ? 0 : 1;
}
