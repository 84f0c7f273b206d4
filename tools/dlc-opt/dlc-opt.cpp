//===- dlc-opt.cpp - dlc optimizer driver ---------------------------------===//
//
// Parses dlc IR, runs passes on it and prints the result, like mlir-opt with
// the dlc dialect and passes registered. Unlike mlir-opt, the output file
// may be the input (`dlc-opt m.mlir ... -o m.mlir`): the input is read
// whole before anything is written, and the output appears whole (a
// temporary file renamed over it) or not at all.
//
//===----------------------------------------------------------------------===//

#include "dlc/InitAllDialects.h"
#include "dlc/InitAllPasses.h"
#include "dlc/Support/CommandLine.h"
#include "dlc/Support/Debug.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::dlc::registerAllDialects(registry);
  mlir::dlc::registerAllPasses();
  mlir::dlc::registerDebugOptions();
  // MlirOptMain registers its own options (passes, printing) after this.
  static llvm::cl::OptionCategory dlcOptions("dlc options");
  mlir::dlc::showOnlyToolOptions(dlcOptions);
  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "dlc optimizer driver: dlc dialect passes\n", registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, inputFilename, outputFilename, registry));

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file =
      mlir::openInputFile(inputFilename, &error);
  if (!file) {
    llvm::errs() << error << "\n";
    return 1;
  }
  // A copy, not a mapping of the file, which writing the output may replace.
  std::unique_ptr<llvm::MemoryBuffer> input =
      llvm::MemoryBuffer::getMemBufferCopy(file->getBuffer(),
                                           file->getBufferIdentifier());
  file.reset();
  std::string text;
  llvm::raw_string_ostream os(text);
  if (mlir::failed(mlir::MlirOptMain(os, std::move(input), registry, config)))
    return 1;
  if (llvm::Error e =
          llvm::writeToOutput(outputFilename, [&](llvm::raw_ostream &out) {
            out << text;
            return llvm::Error::success();
          })) {
    llvm::errs() << "dlc-opt: cannot write '" << outputFilename
                 << "': " << llvm::toString(std::move(e)) << "\n";
    return 1;
  }
  return 0;
}
