//===- Importer.h - ONNX importer internals ---------------------*- C++ -*-===//

#ifndef DLC_LIB_TARGET_ONNX_IMPORTER_H
#define DLC_LIB_TARGET_ONNX_IMPORTER_H

#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::dlc::onnx_import {

/// In folded shape values: the dynamic batch size itself (what Shape gives
/// for a dynamic dimension; Gather, Concat and Slice carry it unchanged).
constexpr int64_t kBatchDim = std::numeric_limits<int64_t>::min();
/// In folded values: a number computed from the batch size, not known here.
constexpr int64_t kUnknownValue = std::numeric_limits<int64_t>::min() + 1;

inline bool isUnknownValue(int64_t v) {
  return v == kBatchDim || v == kUnknownValue;
}

/// A tensor whose value is known at import time: an initializer, a Constant
/// node, or the folded result of a shape computation.
struct KnownTensor {
  int32_t dtype = onnx::TensorProto::UNDEFINED;
  SmallVector<int64_t> shape;
  /// Raw little-endian bytes (initializers, Constant nodes). `owner` holds
  /// them until they are handed to a dense_resource blob.
  ArrayRef<char> bytes;
  std::shared_ptr<std::string> owner;
  /// Folded values: integers (may hold kBatchDim or kUnknownValue) or reals.
  std::vector<int64_t> ints;
  std::vector<double> reals;
  bool folded = false;

  int64_t numElements() const;
  bool isInteger() const;
  bool isFloat() const;
};

/// The attributes of one node, looked up by name.
class NodeAttrs {
public:
  explicit NodeAttrs(const onnx::NodeProto &node);
  const onnx::AttributeProto *find(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t defaultValue) const;
  float getFloat(llvm::StringRef name, float defaultValue) const;
  std::string getString(llvm::StringRef name,
                        llvm::StringRef defaultValue) const;
  std::optional<SmallVector<int64_t>> getInts(llvm::StringRef name) const;
  std::optional<SmallVector<float>> getFloats(llvm::StringRef name) const;

private:
  llvm::StringMap<const onnx::AttributeProto *> attrs;
};

class Importer {
public:
  Importer(MLIRContext *context, llvm::StringRef modelDir,
           llvm::StringRef fileName);

  OwningOpRef<ModuleOp> importModel(onnx::ModelProto &model);

  //===------------------------------------------------------------------===//
  // Services for the op converters.
  //===------------------------------------------------------------------===//

  MLIRContext *getContext() { return context; }
  OpBuilder &getBuilder() { return builder; }
  int64_t getOpset() const { return opset; }

  /// Location of the node being converted: its name, inside the model file.
  Location getLoc() const { return loc; }

  /// Reports "<op type> node '<name>': <message>" at the node (outside
  /// any node, while returning the graph's outputs: "graph output: ...")
  /// and fails.
  template <typename... Args> LogicalResult fail(const Args &...args) {
    InFlightDiagnostic diag = emitError(loc);
    if (node)
      diag << node->op_type() << " node '" << nodeName << "': ";
    else
      diag << "graph output: ";
    (diag << ... << args);
    return failure();
  }

  /// The MLIR value of tensor `name`, materializing known tensors as
  /// dlc.constant; null (with a diagnostic) when there is none.
  Value getValue(llvm::StringRef name);
  /// The value of the node's input `index`, or null when it is absent.
  Value getInput(unsigned index);
  /// A graph input with the dynamic batch (its dimension 0), or null.
  Value getBatchSource();
  bool hasInput(unsigned index) const;
  /// The known (constant) value of input `index`, or null.
  const KnownTensor *getKnownInput(unsigned index) const;
  /// The static shape of input `index` (dynamic dims as kDynamic).
  FailureOr<SmallVector<int64_t>> getInputShape(unsigned index);

  /// Whether a node or the graph's outputs read tensor `name`.
  bool isConsumed(llvm::StringRef name) const { return consumed.count(name); }

  void setOutput(unsigned index, Value value);
  void setKnownOutput(unsigned index, KnownTensor tensor);

  /// Creates op `OpT` at the node, then verifies it so that a problem is
  /// reported at the node with the dialect's own message.
  template <typename OpT, typename... Args>
  FailureOr<OpT> create(Args &&...args) {
    auto op = OpT::create(builder, loc, std::forward<Args>(args)...);
    if (failed(verifyCreated(op)))
      return failure();
    return op;
  }

  /// `axis` counted from the front of a rank-`rank` tensor (negative ones
  /// count from the back), or a diagnostic at the node.
  FailureOr<int64_t> positiveAxis(int64_t axis, int64_t rank) {
    int64_t at = axis < 0 ? axis + rank : axis;
    if (at < 0 || at >= rank)
      return fail("axis ", axis, " is out of range for rank ", rank);
    return at;
  }

  /// A dense f32 constant of the given shape (small: scales, shifts).
  Value createScalarLike(Value like, double value);

  const onnx::NodeProto &getNode() const { return *node; }

private:
  LogicalResult verifyCreated(Operation *op);
  LogicalResult importGraph(onnx::GraphProto &graph);
  LogicalResult importInitializer(onnx::TensorProto &tensor);
  FailureOr<Type> importValueInfoType(const onnx::ValueInfoProto &info);
  LogicalResult importNode(const onnx::NodeProto &node);
  Value materialize(llvm::StringRef name, KnownTensor &tensor);

  MLIRContext *context;
  OpBuilder builder;
  std::string modelDir;
  std::string fileName;
  int64_t opset = 0;
  Location loc;
  const onnx::NodeProto *node = nullptr;
  /// The node's name, or "<op type>:<first output>" for unnamed nodes.
  std::string nodeName;
  llvm::StringMap<Value> values;
  llvm::StringMap<KnownTensor> known;
  llvm::StringSet<> consumed;
};

//===----------------------------------------------------------------------===//
// Tensor data helpers (TensorData.cpp)
//===----------------------------------------------------------------------===//

/// Builds a KnownTensor from a TensorProto, taking over its raw bytes (or
/// reading its external data relative to `modelDir`).
FailureOr<KnownTensor> loadTensor(onnx::TensorProto &tensor,
                                  llvm::StringRef modelDir, std::string &error);

/// The values of an integer (or bool) tensor.
std::vector<int64_t> readInts(const KnownTensor &tensor);
/// The values of a floating tensor, widened to double.
std::vector<double> readReals(const KnownTensor &tensor);

/// The MLIR element type of an ONNX data type, or null if unsupported.
Type convertDataType(MLIRContext *context, int32_t dtype);

//===----------------------------------------------------------------------===//
// Op converters (ConvertOps.cpp) and folding (FoldShapes.cpp)
//===----------------------------------------------------------------------===//

using ConvertFn = LogicalResult (*)(Importer &, const NodeAttrs &);

/// The converter of an ONNX op type in the default domain, or null.
ConvertFn lookupConverter(llvm::StringRef opType);

/// Rewrites multi-node spellings of dlc ops (GELU via Erf) into single
/// nodes, in place (GraphRewrites.cpp).
void rewriteGraphPatterns(onnx::GraphProto &graph);

/// Folds `node` when all its inputs are known and its op is a shape
/// computation; returns true when it produced known outputs.
FailureOr<bool> tryFoldNode(Importer &importer, const NodeAttrs &attrs);

} // namespace mlir::dlc::onnx_import

#endif // DLC_LIB_TARGET_ONNX_IMPORTER_H
