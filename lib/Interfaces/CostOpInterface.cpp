//===- CostOpInterface.cpp - what an op costs -----------------------------===//

#include "dlc/Interfaces/CostOpInterface.h"

#include "dlc/Interfaces/CostOpInterface.cpp.inc"
