//===- TensorData.cpp - ONNX tensor payloads ------------------------------===//
//
// Reads ONNX TensorProto payloads (raw bytes, typed repeated fields or
// external files) without copying raw bytes: they move out of the parsed
// protobuf and, for weights, on into a dense_resource blob.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <cstring>

using namespace mlir;
using namespace mlir::dlc::onnx_import;

/// Bytes per element of an ONNX data type, or 0 when not a plain number.
static size_t elementSize(int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return 1;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return 2;
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::FLOAT:
    return 4;
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::DOUBLE:
    return 8;
  default:
    return 0;
  }
}

int64_t KnownTensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

bool KnownTensor::isFloat() const {
  return dtype == onnx::TensorProto::FLOAT ||
         dtype == onnx::TensorProto::DOUBLE ||
         dtype == onnx::TensorProto::FLOAT16 ||
         dtype == onnx::TensorProto::BFLOAT16;
}

bool KnownTensor::isInteger() const {
  return !isFloat() && elementSize(dtype) != 0;
}

Type mlir::dlc::onnx_import::convertDataType(MLIRContext *context,
                                             int32_t dtype) {
  Builder b(context);
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  default:
    return {};
  }
}

/// Packs a typed repeated field into little-endian bytes of `size` each.
template <typename Range, typename Convert>
static std::string packField(const Range &values, size_t size,
                             Convert convert) {
  std::string bytes(values.size() * size, '\0');
  char *out = bytes.data();
  for (auto value : values) {
    auto converted = convert(value);
    std::memcpy(out, &converted, size);
    out += size;
  }
  return bytes;
}

/// The payload of a tensor stored in its typed repeated fields.
static std::string packTypedFields(const onnx::TensorProto &tensor) {
  size_t size = elementSize(tensor.data_type());
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    return packField(tensor.float_data(), 4, [](float v) { return v; });
  case onnx::TensorProto::DOUBLE:
    return packField(tensor.double_data(), 8, [](double v) { return v; });
  case onnx::TensorProto::INT64:
    return packField(tensor.int64_data(), 8, [](int64_t v) { return v; });
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return packField(tensor.uint64_data(), size, [](uint64_t v) { return v; });
  default:
    // int32_data carries every narrower integer type, bool, and the bit
    // patterns of float16 / bfloat16.
    return packField(tensor.int32_data(), size, [](int32_t v) { return v; });
  }
}

FailureOr<KnownTensor> mlir::dlc::onnx_import::loadTensor(
    onnx::TensorProto &tensor, llvm::StringRef modelDir, std::string &error) {
  KnownTensor result;
  result.dtype = tensor.data_type();
  for (int64_t dim : tensor.dims()) {
    if (dim < 0) {
      error = "has a negative dimension";
      return failure();
    }
    result.shape.push_back(dim);
  }
  size_t size = elementSize(result.dtype);
  if (size == 0) {
    error = "has unsupported element type " +
            onnx::TensorProto::DataType_Name(
                static_cast<onnx::TensorProto::DataType>(result.dtype));
    return failure();
  }

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    uint64_t offset = 0;
    int64_t length = -1;
    for (const auto &entry : tensor.external_data()) {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset")
        offset = std::stoull(entry.value());
      else if (entry.key() == "length")
        length = std::stoll(entry.value());
    }
    llvm::SmallString<256> path(modelDir);
    llvm::sys::path::append(path, location);
    if (location.empty() || llvm::sys::path::is_absolute(location) ||
        llvm::StringRef(location).contains("..")) {
      error = "has an invalid external data location '" + location + "'";
      return failure();
    }
    auto expected = static_cast<int64_t>(result.numElements() * size);
    if (length < 0)
      length = expected;
    auto file = llvm::MemoryBuffer::getFileSlice(path, length, offset);
    if (!file) {
      error = "cannot read external data '" + std::string(path) +
              "': " + file.getError().message();
      return failure();
    }
    result.owner = std::make_shared<std::string>((*file)->getBuffer().str());
  } else if (tensor.has_raw_data()) {
    // Moving the string hands over its heap buffer: no copy of the bytes.
    result.owner =
        std::make_shared<std::string>(std::move(*tensor.mutable_raw_data()));
  } else {
    result.owner = std::make_shared<std::string>(packTypedFields(tensor));
  }
  result.bytes = ArrayRef<char>(result.owner->data(), result.owner->size());
  auto expected = static_cast<size_t>(result.numElements()) * size;
  if (result.bytes.size() != expected) {
    error = "holds " + std::to_string(result.bytes.size()) +
            " bytes of data, expected " + std::to_string(expected);
    return failure();
  }
  return result;
}

/// Element `i` of a little-endian array of T.
template <typename T> static T readLE(const char *data, int64_t i) {
  return llvm::support::endian::read<T, llvm::endianness::little>(
      data + sizeof(T) * i);
}

std::vector<int64_t>
mlir::dlc::onnx_import::readInts(const KnownTensor &tensor) {
  if (tensor.folded) {
    if (!tensor.reals.empty())
      return std::vector<int64_t>(tensor.reals.begin(), tensor.reals.end());
    return tensor.ints;
  }
  std::vector<int64_t> values;
  const char *data = tensor.bytes.data();
  int64_t count = tensor.numElements();
  values.reserve(count);
  using namespace llvm::support;
  for (int64_t i = 0; i < count; ++i) {
    switch (tensor.dtype) {
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
      values.push_back(readLE<int64_t>(data, i));
      break;
    case onnx::TensorProto::INT32:
      values.push_back(readLE<int32_t>(data, i));
      break;
    case onnx::TensorProto::UINT32:
      values.push_back(readLE<uint32_t>(data, i));
      break;
    case onnx::TensorProto::INT16:
      values.push_back(readLE<int16_t>(data, i));
      break;
    case onnx::TensorProto::UINT16:
      values.push_back(readLE<uint16_t>(data, i));
      break;
    case onnx::TensorProto::INT8:
      values.push_back(static_cast<int8_t>(data[i]));
      break;
    default: // UINT8, BOOL
      values.push_back(static_cast<uint8_t>(data[i]));
      break;
    }
  }
  return values;
}

std::vector<double>
mlir::dlc::onnx_import::readReals(const KnownTensor &tensor) {
  if (tensor.folded) {
    if (!tensor.ints.empty())
      return std::vector<double>(tensor.ints.begin(), tensor.ints.end());
    return tensor.reals;
  }
  if (tensor.isInteger()) {
    std::vector<int64_t> ints = readInts(tensor);
    return std::vector<double>(ints.begin(), ints.end());
  }
  std::vector<double> values;
  const char *data = tensor.bytes.data();
  int64_t count = tensor.numElements();
  values.reserve(count);
  using namespace llvm::support;
  for (int64_t i = 0; i < count; ++i) {
    switch (tensor.dtype) {
    case onnx::TensorProto::FLOAT: {
      uint32_t bits = readLE<uint32_t>(data, i);
      float value;
      std::memcpy(&value, &bits, 4);
      values.push_back(value);
      break;
    }
    case onnx::TensorProto::DOUBLE: {
      uint64_t bits = readLE<uint64_t>(data, i);
      double value;
      std::memcpy(&value, &bits, 8);
      values.push_back(value);
      break;
    }
    default: { // FLOAT16, BFLOAT16
      uint16_t bits = readLE<uint16_t>(data, i);
      const llvm::fltSemantics &semantics =
          tensor.dtype == onnx::TensorProto::FLOAT16 ? llvm::APFloat::IEEEhalf()
                                                     : llvm::APFloat::BFloat();
      llvm::APFloat value(semantics, llvm::APInt(16, bits));
      values.push_back(value.convertToDouble());
      break;
    }
    }
  }
  return values;
}
