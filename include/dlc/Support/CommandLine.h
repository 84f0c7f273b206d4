//===- CommandLine.h - the dlc tools' own options in --help ----*- C++ -*-===//
//
// The tools link LLVM and MLIR, whose libraries register hundreds of
// command-line options of their own (code generation, instrumentation,
// AMDGPU...). A tool puts its options in one category and calls
// showOnlyToolOptions() before parsing, so --help lists what a user of the
// tool can set.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_SUPPORT_COMMANDLINE_H
#define DLC_SUPPORT_COMMANDLINE_H

#include "llvm/Support/CommandLine.h"

namespace mlir::dlc {

/// Hides every registered option outside `toolOptions` (and LLVM's
/// --help/--version) from --help, keeping dlc's -debug/-debug-only
/// (registerDebugOptions) visible. Hidden options still parse.
void showOnlyToolOptions(llvm::cl::OptionCategory &toolOptions);

} // namespace mlir::dlc

#endif // DLC_SUPPORT_COMMANDLINE_H
