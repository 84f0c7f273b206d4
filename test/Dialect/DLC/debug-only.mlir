// -debug-only=<pass flag> makes a pass explain its decisions on stderr
// (dlc registers the option itself: Debian's LLVM is a release build
// without it); other passes' explanations stay quiet.
// RUN: dlc-opt %S/dlc-reparameterize.mlir --dlc-reparameterize -debug-only=dlc-reparameterize -mlir-disable-threading -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPARAM
// REPARAM: merged 3 branches at
// REPARAM: not reparameterizing the block summed at {{.*}}: the branches' windows are not aligned (padding differs once kernels are centred)
// RUN: dlc-opt %S/dlc-fold-batchnorm.mlir --dlc-fold-batchnorm -debug-only=dlc-fold-batchnorm -mlir-disable-threading -o /dev/null 2>&1 | FileCheck %s --check-prefix=FOLD
// FOLD: not folding loc({{.*}}) into the conv after it: the conv pads its input
// RUN: dlc-opt %S/dlc-fold-batchnorm.mlir --dlc-fold-batchnorm -debug-only=dlc-pad-channels -o /dev/null 2>&1 | FileCheck %s --check-prefix=QUIET --allow-empty
// QUIET-NOT: not folding
// RUN: dlc-opt %s -debug | FileCheck %s --check-prefix=PARSE
// PARSE: func.func @empty
func.func @empty() {
  return
}
