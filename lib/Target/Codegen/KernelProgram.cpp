//===- KernelProgram.cpp - the C backends' kernel-level form --------------===//

#include "dlc/Target/Codegen/KernelProgram.h"
#include <cstring>

using namespace mlir::dlc::codegen;

const char *mlir::dlc::codegen::cTypeName(ElemType type) {
  switch (type) {
  case ElemType::F32:
    return "float";
  case ElemType::S8:
    return "int8_t";
  case ElemType::U8:
    return "uint8_t";
  case ElemType::S32:
    return "int32_t";
  case ElemType::U16:
    return "uint16_t";
  }
  return "void";
}

int64_t mlir::dlc::codegen::byteWidth(ElemType type) {
  switch (type) {
  case ElemType::F32:
  case ElemType::S32:
    return 4;
  case ElemType::U16:
    return 2;
  case ElemType::S8:
  case ElemType::U8:
    return 1;
  }
  return 1;
}

int64_t TensorDesc::bytes() const {
  int64_t n = byteWidth(type);
  for (int64_t d : shape)
    n *= d;
  return n;
}

BufferRef KernelProgram::addWeights(const void *bytes, int64_t size,
                                    ElemType type) {
  size_t offset = (weights.size() + 63) / 64 * 64;
  weights.resize(offset + size, 0);
  if (size)
    std::memcpy(weights.data() + offset, bytes, size);
  return {BufferRef::Storage::Weights, static_cast<int64_t>(offset), type};
}
