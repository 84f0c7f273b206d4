//===- dlc-translate.cpp - translations into and out of dlc IR ------------===//
//
// `dlc-translate --import-onnx model.onnx -o model.mlir`. Output is written
// only when the translation succeeds.
//
//===----------------------------------------------------------------------===//

#include "dlc/Target/ONNX/ImportONNX.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::dlc::registerImportONNXTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "dlc translation driver\n"));
}
