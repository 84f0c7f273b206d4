//===- Debug.h - -debug-only explanations in release builds -----*- C++ -*-===//
//
// LLVM_DEBUG and -debug-only exist only in LLVM builds with assertions;
// Debian's LLVM is a release build. dlc's passes explain their decisions
// with DLC_DEBUG instead, which is always compiled in and prints to stderr
// when the tool was run with -debug-only=<pass flag> (or -debug), options
// that registerDebugOptions() adds where LLVM does not provide them.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_SUPPORT_DEBUG_H
#define DLC_SUPPORT_DEBUG_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::dlc {

/// Registers -debug and -debug-only=<types> unless LLVM already has them.
/// Call before the command line is parsed.
void registerDebugOptions();

/// Whether explanations of `type` (a pass's flag) were asked for.
bool isDebugEnabled(llvm::StringRef type);

} // namespace mlir::dlc

/// Runs X (which writes to llvm::errs()) when -debug-only names DEBUG_TYPE.
#define DLC_DEBUG(X)                                                           \
  do {                                                                         \
    if (::mlir::dlc::isDebugEnabled(DEBUG_TYPE)) {                             \
      X;                                                                       \
    }                                                                          \
  } while (false)

#endif // DLC_SUPPORT_DEBUG_H
