//===- Npy.cpp - NumPy .npy files -----------------------------------------===//

#include "dlc/Runtime/Npy.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include <cstring>

using namespace llvm;
using namespace mlir::dlc::runtime;

static Error npyError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(), name + ": " + message);
}

/// The value of `'key': value` in a .npy header dictionary.
static StringRef headerField(StringRef header, StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == StringRef::npos)
    return {};
  StringRef rest = header.drop_front(at + key.size() + 2).ltrim(" :");
  if (rest.starts_with("(")) // a shape tuple
    return rest.take_until([](char c) { return c == ')'; }).drop_front();
  return rest.take_until([](char c) { return c == ','; }).trim(" '\"");
}

Expected<Tensor> mlir::dlc::runtime::parseNpy(StringRef bytes, StringRef name) {
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return npyError(name, "not a .npy file");
  uint8_t major = bytes[6];
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength =
        support::endian::read<uint16_t, endianness::little>(bytes.data() + 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated header");
    headerLength =
        support::endian::read<uint32_t, endianness::little>(bytes.data() + 8);
    headerStart = 12;
  } else {
    return npyError(name, "unsupported .npy version " + Twine(major));
  }
  if (headerStart + headerLength > bytes.size())
    return npyError(name, "truncated header");
  StringRef header = bytes.substr(headerStart, headerLength);
  StringRef descr = headerField(header, "descr");
  if (headerField(header, "fortran_order") == "True")
    return npyError(name, "Fortran-order arrays are not supported");

  SmallVector<int64_t> shape;
  SmallVector<StringRef> dims;
  headerField(header, "shape").split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef dim : dims) {
    int64_t value;
    if (dim.trim().getAsInteger(10, value) || value < 0)
      return npyError(name, "bad shape in header '" + header + "'");
    shape.push_back(value);
  }
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;

  size_t elementSize;
  if (descr == "<f4" || descr == "<i4")
    elementSize = 4;
  else if (descr == "<f8" || descr == "<i8")
    elementSize = 8;
  else if (descr == "|u1" || descr == "|b1" || descr == "|i1")
    elementSize = 1;
  else
    return npyError(name, "unsupported element type '" + descr +
                              "' (expected little-endian f4, f8, i8, i4, "
                              "u1, i1 or b1)");
  StringRef data = bytes.drop_front(headerStart + headerLength);
  if (data.size() != static_cast<size_t>(count) * elementSize)
    return npyError(name, "holds " + Twine(data.size()) + " data bytes, " +
                              "expected " + Twine(count * elementSize));
  std::vector<float> values(count);
  const char *p = data.data();
  using namespace support::endian;
  for (int64_t i = 0; i < count; ++i) {
    if (descr == "<f4") {
      uint32_t bits = read<uint32_t, endianness::little>(p + 4 * i);
      std::memcpy(&values[i], &bits, 4);
    } else if (descr == "<f8") {
      uint64_t bits = read<uint64_t, endianness::little>(p + 8 * i);
      double v;
      std::memcpy(&v, &bits, 8);
      values[i] = static_cast<float>(v);
    } else if (descr == "<i8") {
      values[i] =
          static_cast<float>(read<int64_t, endianness::little>(p + 8 * i));
    } else if (descr == "<i4") {
      values[i] =
          static_cast<float>(read<int32_t, endianness::little>(p + 4 * i));
    } else if (descr == "|i1") {
      values[i] = static_cast<int8_t>(p[i]);
    } else {
      values[i] = static_cast<uint8_t>(p[i]);
    }
  }
  return Tensor(shape, std::move(values));
}

Expected<Tensor> mlir::dlc::runtime::readNpy(StringRef path) {
  auto file = MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!file)
    return npyError(path, file.getError().message());
  return parseNpy((*file)->getBuffer(), path);
}

Error mlir::dlc::runtime::writeNpy(StringRef path, const Tensor &tensor) {
  // Python tuple syntax: "()", "(5,)", "(2, 3)".
  std::string shape = "(";
  for (auto [i, d] : llvm::enumerate(tensor.shape()))
    shape += (i ? ", " : "") + std::to_string(d);
  shape += tensor.rank() == 1 ? ",)" : ")";
  // int8 tensors (quantized storage values, fp8 codes) are written as
  // numpy int8, int32 ones as int32, fp32 as float32.
  const char *descr = tensor.kind() == ElementKind::I8    ? "|i1"
                      : tensor.kind() == ElementKind::I32 ? "<i4"
                                                          : "<f4";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts on a 64-byte boundary, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::error_code ec;
  ToolOutputFile out(path, ec, sys::fs::OF_None);
  if (ec)
    return npyError(path, ec.message());
  raw_ostream &os = out.os();
  os << "\x93NUMPY" << char(1) << char(0);
  char length[2];
  support::endian::write<uint16_t, endianness::little>(length, header.size());
  os.write(length, 2);
  os << header;
  int64_t count = tensor.numElements();
  if (tensor.kind() == ElementKind::I8) {
    os.write(reinterpret_cast<const char *>(tensor.int8Data()), count);
  } else {
    // fp32 and int32 share the 4-byte little-endian layout.
    const char *data = tensor.kind() == ElementKind::I32
                           ? reinterpret_cast<const char *>(tensor.int32Data())
                           : reinterpret_cast<const char *>(tensor.data());
    for (int64_t i = 0; i < count; ++i) {
      uint32_t bits;
      std::memcpy(&bits, data + 4 * i, 4);
      char bytes[4];
      support::endian::write<uint32_t, endianness::little>(bytes, bits);
      os.write(bytes, 4);
    }
  }
  out.keep();
  return Error::success();
}
