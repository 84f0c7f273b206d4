//===- dlc-opt.cpp - dlc optimizer driver ---------------------------------===//
//
// Parses dlc IR, runs passes on it and prints the result, like mlir-opt with
// the dlc dialect and passes registered.
//
//===----------------------------------------------------------------------===//

#include "dlc/InitAllDialects.h"
#include "dlc/InitAllPasses.h"
#include "dlc/Support/CommandLine.h"
#include "dlc/Support/Debug.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::dlc::registerAllDialects(registry);
  mlir::dlc::registerAllPasses();
  mlir::dlc::registerDebugOptions();
  // MlirOptMain registers its own options (passes, printing) after this.
  static llvm::cl::OptionCategory dlcOptions("dlc options");
  mlir::dlc::showOnlyToolOptions(dlcOptions);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "dlc optimizer driver: dlc dialect passes\n", registry));
}
