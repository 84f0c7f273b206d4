//===- Debug.cpp - -debug-only explanations in release builds -------------===//

#include "dlc/Support/Debug.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Debug.h"

using namespace llvm;

static cl::list<std::string> *debugOnly = nullptr;
static cl::opt<bool> *debugAll = nullptr;

void mlir::dlc::registerDebugOptions() {
  auto &options = cl::getRegisteredOptions();
  if (!debugOnly && !options.count("debug-only"))
    debugOnly = new cl::list<std::string>(
        "debug-only",
        cl::desc("Explain the decisions of these passes (comma-separated "
                 "pass flags, e.g. dlc-reparameterize)"),
        cl::CommaSeparated, cl::value_desc("pass flags"));
  if (!debugAll && !options.count("debug"))
    debugAll = new cl::opt<bool>(
        "debug", cl::desc("Explain the decisions of every dlc pass"));
}

bool mlir::dlc::isDebugEnabled(StringRef type) {
  if (debugAll && *debugAll)
    return true;
  if (debugOnly)
    return llvm::is_contained(*debugOnly, type);
#ifndef NDEBUG
  // An LLVM with assertions owns -debug-only.
  return DebugFlag && isCurrentDebugType(type.str().c_str());
#else
  return false;
#endif
}
