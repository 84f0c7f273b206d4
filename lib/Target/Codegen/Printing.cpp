//===- Printing.cpp - spelling kernel programs in C and CUDA C++ ----------===//

#include "dlc/Target/Codegen/Printing.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include <cmath>
#include <cstring>

using namespace mlir::dlc::codegen;

uint64_t mlir::dlc::codegen::weightHash(const KernelProgram &program) {
  uint64_t hash = 1469598103934665603ULL;
  for (char c : program.weights) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string mlir::dlc::codegen::weightFile(const KernelProgram &program) {
  std::string file(64, '\0');
  std::memcpy(file.data(), kWeightMagic, 8);
  uint64_t size = program.weights.size();
  uint64_t hash = weightHash(program);
  std::memcpy(file.data() + 8, &size, 8);
  std::memcpy(file.data() + 16, &hash, 8);
  file.append(program.weights.begin(), program.weights.end());
  return file;
}

std::string mlir::dlc::codegen::printFloat(float value) {
  if (std::isnan(value))
    return "NAN";
  if (std::isinf(value))
    return value > 0 ? "INFINITY" : "-INFINITY";
  std::string text = llvm::formatv("{0}", llvm::format("%.9g", value)).str();
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text + "f";
}

std::string mlir::dlc::codegen::printInt(int64_t value) {
  if (value >= INT32_MIN && value <= INT32_MAX)
    return std::to_string(value);
  return "INT64_C(" + std::to_string(value) + ")";
}

static void printBuffer(llvm::raw_ostream &os, const BufferRef &ref) {
  const char *type = cTypeName(ref.type);
  switch (ref.storage) {
  case BufferRef::Storage::Input:
    os << "((const " << type << " *)inputs[" << ref.indexOrOffset << "])";
    return;
  case BufferRef::Storage::Output:
    os << "((" << type << " *)outputs[" << ref.indexOrOffset << "])";
    return;
  case BufferRef::Storage::Workspace:
    os << "((" << type << " *)(ws + " << ref.indexOrOffset << "))";
    return;
  case BufferRef::Storage::Weights:
    os << "((const " << type << " *)(w + " << ref.indexOrOffset << "))";
    return;
  }
}

namespace {
/// Prints arguments; in C++ style, aggregates and arrays at the top level
/// become named constants declared ahead of the call.
struct ArgPrinter {
  CallStyle style;
  std::string declarations;
  int next = 0;

  void print(llvm::raw_ostream &os, const Arg &arg, bool nested) {
    std::visit(
        [&](const auto &v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, NullArg>) {
            os << "0";
          } else if constexpr (std::is_same_v<T, ExecArg>) {
            os << "&ex";
          } else if constexpr (std::is_same_v<T, BufferRef>) {
            printBuffer(os, v);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            os << printInt(v);
          } else if constexpr (std::is_same_v<T, float>) {
            os << printFloat(v);
          } else if constexpr (std::is_same_v<T, Constant>) {
            os << v.name;
          } else if constexpr (std::is_same_v<T, IntArray>) {
            std::string values;
            llvm::raw_string_ostream vs(values);
            llvm::interleaveComma(v.values, vs,
                                  [&](int64_t x) { vs << printInt(x); });
            if (style == CallStyle::C) {
              os << "(const " << v.elementType << "[]){" << values << "}";
              return;
            }
            std::string name = "a" + std::to_string(next++);
            declarations += "    const " + v.elementType + " " + name +
                            "[] = {" + values + "};\n";
            os << name;
          } else {
            std::string fields;
            llvm::raw_string_ostream fs(fields);
            fs << "{";
            llvm::interleaveComma(v.fields, fs, [&](const Arg &field) {
              print(fs, field, true);
            });
            fs << "}";
            if (nested) {
              os << fields;
            } else if (style == CallStyle::C) {
              os << (v.byAddress ? "&" : "") << "(" << v.type << ")" << fields;
            } else {
              std::string name = "a" + std::to_string(next++);
              declarations +=
                  "    const " + v.type + " " + name + " = " + fields + ";\n";
              os << (v.byAddress ? "&" : "") << name;
            }
          }
        },
        arg.value);
  }
};
} // namespace

void mlir::dlc::codegen::printCall(llvm::raw_ostream &os,
                                   const KernelCall &call, CallStyle style) {
  ArgPrinter printer{style, "", 0};
  std::string args;
  llvm::raw_string_ostream as(args);
  llvm::interleaveComma(call.args, as,
                        [&](const Arg &arg) { printer.print(as, arg, false); });
  if (style == CallStyle::C) {
    os << "  /* " << call.comment << " */\n  " << call.kernel << "(" << args
       << ");\n";
    return;
  }
  os << "  { /* " << call.comment << " */\n"
     << printer.declarations << "    " << call.kernel << "(" << args
     << ");\n  }\n";
}

void mlir::dlc::codegen::printDescs(llvm::raw_ostream &os,
                                    llvm::StringRef prefix,
                                    llvm::StringRef which,
                                    const std::vector<TensorDesc> &tensors) {
  std::string upper = prefix.upper();
  os << "static const " << prefix << "_tensor_desc " << prefix << "_" << which
     << "_descs[] = {\n";
  for (const TensorDesc &t : tensors) {
    os << "    {\"" << t.name << "\", "
       << (t.type == ElemType::F32 ? upper + "_F32" : upper + "_S8") << ", "
       << t.shape.size() << ", {";
    llvm::interleaveComma(t.shape, os);
    if (t.shape.empty())
      os << "0";
    os << "}},\n";
  }
  if (tensors.empty())
    os << "    {\"\", 0, 0, {0}},\n";
  os << "};\n";
}

void mlir::dlc::codegen::printWeightCheck(llvm::raw_ostream &os,
                                          llvm::StringRef prefix,
                                          const KernelProgram &program) {
  std::string p = prefix.str(), P = prefix.upper();
  os << "#define " << P << "_WEIGHT_BYTES " << printInt(program.weights.size())
     << "\n#define " << P << "_WEIGHT_HASH UINT64_C(" << weightHash(program)
     << ")\n\n"
     << "static uint64_t " << p
     << "_fnv1a(const uint8_t *data, size_t size) {\n"
     << "  uint64_t hash = UINT64_C(1469598103934665603);\n"
     << "  for (size_t i = 0; i < size; ++i)\n"
     << "    hash = (hash ^ data[i]) * UINT64_C(1099511628211);\n"
     << "  return hash;\n}\n\n"
     << "static int " << p << "_check(const uint8_t *file, size_t size) {\n"
     << "  uint64_t bytes, hash;\n"
     << "  if (size < 64 || memcmp(file, \"" << kWeightMagic << "\", 8) != 0)\n"
     << "    return " << P << "_ERROR_WEIGHTS;\n"
     << "  memcpy(&bytes, file + 8, 8);\n  memcpy(&hash, file + 16, 8);\n"
     << "  if (bytes != " << P << "_WEIGHT_BYTES || size != 64 + bytes ||\n"
     << "      hash != " << P << "_WEIGHT_HASH || " << p
     << "_fnv1a(file + 64, bytes) != hash)\n"
     << "    return " << P << "_ERROR_WEIGHTS;\n  return " << P
     << "_OK;\n}\n\n";
}
