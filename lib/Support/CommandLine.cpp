//===- CommandLine.cpp - the dlc tools' own options in --help -------------===//

#include "dlc/Support/CommandLine.h"

using namespace llvm;

void mlir::dlc::showOnlyToolOptions(cl::OptionCategory &toolOptions) {
  auto &options = cl::getRegisteredOptions();
  for (StringRef name : {"debug", "debug-only"})
    if (cl::Option *option = options.lookup(name))
      option->addCategory(toolOptions);
  cl::HideUnrelatedOptions(toolOptions);
}
