//===- ImportONNX.cpp - ONNX model to dlc dialect -------------------------===//
//
// Walks an ONNX graph in node order. Each node is first offered to the shape
// folder (FoldShapes.cpp), which evaluates shape computations on known
// tensors; otherwise it is converted to dlc ops (ConvertOps.cpp). Known
// tensors become dlc.constant ops only when a converted op uses them.
//
//===----------------------------------------------------------------------===//

#include "dlc/Target/ONNX/ImportONNX.h"
#include "Importer.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/InitAllDialects.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include <google/protobuf/io/coded_stream.h>

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::onnx_import;

//===----------------------------------------------------------------------===//
// NodeAttrs
//===----------------------------------------------------------------------===//

NodeAttrs::NodeAttrs(const onnx::NodeProto &node) {
  for (const onnx::AttributeProto &attr : node.attribute())
    attrs[attr.name()] = &attr;
}

const onnx::AttributeProto *NodeAttrs::find(llvm::StringRef name) const {
  auto it = attrs.find(name);
  return it == attrs.end() ? nullptr : it->second;
}

int64_t NodeAttrs::getInt(llvm::StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *attr = find(name);
  return attr ? attr->i() : defaultValue;
}

float NodeAttrs::getFloat(llvm::StringRef name, float defaultValue) const {
  const onnx::AttributeProto *attr = find(name);
  return attr ? attr->f() : defaultValue;
}

std::string NodeAttrs::getString(llvm::StringRef name,
                                 llvm::StringRef defaultValue) const {
  const onnx::AttributeProto *attr = find(name);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<SmallVector<int64_t>>
NodeAttrs::getInts(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = find(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<SmallVector<float>>
NodeAttrs::getFloats(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = find(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

//===----------------------------------------------------------------------===//
// Importer
//===----------------------------------------------------------------------===//

Importer::Importer(MLIRContext *context, llvm::StringRef modelDir,
                   llvm::StringRef fileName)
    : context(context), builder(context), modelDir(modelDir.str()),
      fileName(fileName.str()), loc(UnknownLoc::get(context)) {}

OwningOpRef<ModuleOp> Importer::importModel(onnx::ModelProto &model) {
  Location fileLoc = FileLineColLoc::get(context, fileName, 0, 0);
  loc = fileLoc;
  for (const onnx::OperatorSetIdProto &set : model.opset_import())
    if (set.domain().empty() || set.domain() == "ai.onnx")
      opset = set.version();
  if (opset == 0) {
    emitError(fileLoc) << "ONNX model imports no default-domain opset";
    return nullptr;
  }
  if (opset > 18) {
    emitError(fileLoc) << "ONNX opset " << opset
                       << " is not supported (dlc imports opsets up to 18)";
    return nullptr;
  }
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  if (failed(importGraph(*model.mutable_graph())))
    return nullptr;
  return module;
}

FailureOr<Type>
Importer::importValueInfoType(const onnx::ValueInfoProto &info) {
  if (!info.type().has_tensor_type())
    return emitError(loc) << "graph value '" << info.name()
                          << "' is not a tensor",
           failure();
  const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
  Type elementType = convertDataType(context, tensor.elem_type());
  if (!elementType)
    return emitError(loc) << "graph value '" << info.name()
                          << "' has unsupported element type "
                          << tensor.elem_type(),
           failure();
  if (!tensor.has_shape())
    return emitError(loc) << "graph value '" << info.name()
                          << "' has no shape; dlc needs ranked inputs",
           failure();
  SmallVector<int64_t> shape;
  for (const auto &[index, dim] : llvm::enumerate(tensor.shape().dim())) {
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      shape.push_back(dim.dim_value());
    } else if (index == 0) {
      shape.push_back(ShapedType::kDynamic); // the dynamic batch
    } else {
      return emitError(loc) << "graph value '" << info.name()
                            << "' has a symbolic dimension '" << dim.dim_param()
                            << "' at index " << index
                            << "; only the batch (index 0) may be dynamic",
             failure();
    }
  }
  return RankedTensorType::get(shape, elementType);
}

LogicalResult Importer::importInitializer(onnx::TensorProto &tensor) {
  std::string error;
  FailureOr<KnownTensor> loaded = loadTensor(tensor, modelDir, error);
  if (failed(loaded))
    return emitError(loc) << "initializer '" << tensor.name() << "' " << error;
  known[tensor.name()] = std::move(*loaded);
  return success();
}

LogicalResult Importer::importGraph(onnx::GraphProto &graph) {
  rewriteGraphPatterns(graph);
  for (onnx::TensorProto &tensor : *graph.mutable_initializer())
    if (failed(importInitializer(tensor)))
      return failure();

  SmallVector<Type> inputTypes;
  SmallVector<std::string> inputNames;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (known.count(input.name()))
      continue; // an initializer listed as an input (old exporters)
    FailureOr<Type> type = importValueInfoType(input);
    if (failed(type))
      return failure();
    inputTypes.push_back(*type);
    inputNames.push_back(input.name());
  }

  auto func = func::FuncOp::create(builder, loc, "main",
                                   builder.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [name, arg] : llvm::zip(inputNames, entry->getArguments()))
    values[name] = arg;
  builder.setInsertionPointToEnd(entry);

  for (const onnx::NodeProto &onnxNode : graph.node())
    for (const std::string &input : onnxNode.input())
      consumed.insert(input);
  for (const onnx::ValueInfoProto &output : graph.output())
    consumed.insert(output.name());
  for (const onnx::NodeProto &onnxNode : graph.node())
    if (failed(importNode(onnxNode)))
      return failure();

  loc = FileLineColLoc::get(context, fileName, 0, 0);
  node = nullptr;
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = getValue(output.name());
    if (!value)
      return failure();
    results.push_back(value);
  }
  func::ReturnOp::create(builder, loc, results);
  func.setType(
      builder.getFunctionType(inputTypes, ValueRange(results).getTypes()));
  for (auto [index, name] : llvm::enumerate(inputNames))
    func.setArgAttr(index, "dlc.name", builder.getStringAttr(name));
  for (auto [index, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(index, "dlc.name", builder.getStringAttr(output.name()));
  return success();
}

LogicalResult Importer::importNode(const onnx::NodeProto &onnxNode) {
  node = &onnxNode;
  nodeName =
      onnxNode.name().empty()
          ? onnxNode.op_type() + ":" +
                (onnxNode.output_size() ? onnxNode.output(0) : std::string())
          : onnxNode.name();
  loc = NameLoc::get(builder.getStringAttr(nodeName),
                     FileLineColLoc::get(context, fileName, 0, 0));
  if (!onnxNode.domain().empty() && onnxNode.domain() != "ai.onnx")
    return fail("unsupported op domain '", onnxNode.domain(), "'");

  NodeAttrs attrs(onnxNode);
  FailureOr<bool> folded = tryFoldNode(*this, attrs);
  if (failed(folded))
    return failure();
  if (*folded)
    return success();
  ConvertFn convert = lookupConverter(onnxNode.op_type());
  if (!convert)
    return fail("unsupported ONNX op");
  return convert(*this, attrs);
}

LogicalResult Importer::verifyCreated(Operation *op) {
  // Re-issue the dialect's message under the node's name, dropping the
  // "see current operation" note (its placeholder types confuse more than
  // they help at the ONNX level).
  std::string message;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler capture(context, [&](Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return success();
    });
    result = verify(op, /*verifyRecursively=*/false);
  }
  if (succeeded(result))
    return success();
  op->erase();
  return fail(message);
}

bool Importer::hasInput(unsigned index) const {
  return index < static_cast<unsigned>(node->input_size()) &&
         !node->input(index).empty();
}

Value Importer::getBatchSource() {
  Block *block = builder.getInsertionBlock();
  if (!block)
    return {};
  for (BlockArgument arg : block->getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (type && type.getRank() > 0 && type.isDynamicDim(0))
      return arg;
  }
  return {};
}

Value Importer::getInput(unsigned index) {
  if (!hasInput(index))
    return {};
  return getValue(node->input(index));
}

const KnownTensor *Importer::getKnownInput(unsigned index) const {
  if (!hasInput(index))
    return nullptr;
  auto it = known.find(node->input(index));
  return it == known.end() ? nullptr : &it->second;
}

FailureOr<SmallVector<int64_t>> Importer::getInputShape(unsigned index) {
  if (const KnownTensor *tensor = getKnownInput(index))
    return SmallVector<int64_t>(tensor->shape);
  Value value = getInput(index);
  if (!value)
    return failure();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return fail("input #", index, " has no ranked type");
  return SmallVector<int64_t>(type.getShape());
}

Value Importer::getValue(llvm::StringRef name) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto knownIt = known.find(name);
  if (knownIt != known.end())
    return materialize(name, knownIt->second);
  if (node)
    (void)fail("uses tensor '", name,
               "', which no node or initializer defines");
  else
    emitError(loc) << "graph output '" << name
                   << "' is not produced by any node";
  return {};
}

/// Ensures the blob bytes are aligned for their element type.
static AsmResourceBlob makeBlob(const KnownTensor &tensor, size_t align) {
  if (reinterpret_cast<uintptr_t>(tensor.bytes.data()) % align == 0) {
    std::shared_ptr<std::string> owner = tensor.owner;
    return AsmResourceBlob(
        tensor.bytes, align,
        [owner](void *, size_t, size_t) mutable { owner.reset(); },
        /*dataIsMutable=*/false);
  }
  return HeapAsmResourceBlob::allocateAndCopyWithAlign(tensor.bytes, align);
}

Value Importer::materialize(llvm::StringRef name, KnownTensor &tensor) {
  Type elementType = convertDataType(context, tensor.dtype);
  if (!elementType) {
    (void)fail("uses tensor '", name, "' of an unsupported element type");
    return {};
  }
  // Unknown dimensions exist only in folded shape vectors.
  if (llvm::any_of(tensor.ints, isUnknownValue)) {
    (void)fail("needs the value of shape tensor '", name,
               "', which depends on the dynamic batch size");
    return {};
  }
  auto type = RankedTensorType::get(tensor.shape, elementType);
  ElementsAttr value;
  if (!tensor.folded && isa<FloatType>(elementType) &&
      tensor.numElements() > 1) {
    // Weights: hand the parsed bytes to a blob, uncopied.
    auto blob = makeBlob(tensor, elementType.getIntOrFloatBitWidth() / 8);
    value = DenseResourceElementsAttr::get(type, name, std::move(blob));
  } else if (elementType.isF32()) {
    // Folded values (up to a million: Swin's masks), a blob when large.
    std::vector<double> reals = readReals(tensor);
    std::vector<float> floats(reals.begin(), reals.end());
    value = createStorageAttr(
        type,
        ArrayRef<char>(reinterpret_cast<const char *>(floats.data()),
                       floats.size() * sizeof(float)),
        name);
  } else if (isa<FloatType>(elementType)) {
    SmallVector<APFloat> floats;
    for (double v : readReals(tensor)) {
      APFloat f(v);
      bool lost;
      f.convert(cast<FloatType>(elementType).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      floats.push_back(f);
    }
    value = DenseElementsAttr::get(type, floats);
  } else {
    SmallVector<APInt> ints;
    unsigned width = elementType.getIntOrFloatBitWidth();
    for (int64_t v : readInts(tensor))
      ints.push_back(
          APInt(width, v, /*isSigned=*/true, /*implicitTrunc=*/true));
    value = DenseElementsAttr::get(type, ints);
  }
  OpBuilder::InsertionGuard guard(builder);
  Block *entry = builder.getInsertionBlock();
  // Constants go at the top of the function, in first-use order.
  auto func = entry->getParentOp();
  Block &body = func->getRegion(0).front();
  auto insertAfter = llvm::find_if(
      body, [](Operation &op) { return !isa<dlc::ConstantOp>(op); });
  builder.setInsertionPoint(&body, insertAfter);
  Location constLoc =
      NameLoc::get(builder.getStringAttr(name),
                   FileLineColLoc::get(context, fileName, 0, 0));
  Value result = dlc::ConstantOp::create(builder, constLoc, value);
  values[name] = result;
  return result;
}

void Importer::setOutput(unsigned index, Value value) {
  if (index < static_cast<unsigned>(node->output_size()) &&
      !node->output(index).empty())
    values[node->output(index)] = value;
}

void Importer::setKnownOutput(unsigned index, KnownTensor tensor) {
  if (index < static_cast<unsigned>(node->output_size()) &&
      !node->output(index).empty())
    known[node->output(index)] = std::move(tensor);
}

Value Importer::createScalarLike(Value like, double value) {
  auto likeType = cast<ShapedType>(like.getType());
  auto type = RankedTensorType::get({}, likeType.getElementType());
  return dlc::ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(
          type, builder.getFloatAttr(likeType.getElementType(), value)));
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> mlir::dlc::importONNXModel(llvm::MemoryBufferRef buffer,
                                                 llvm::StringRef modelDir,
                                                 MLIRContext *context) {
  context->loadDialect<DLCDialect, func::FuncDialect>();
  Location fileLoc =
      FileLineColLoc::get(context, buffer.getBufferIdentifier(), 0, 0);
  onnx::ModelProto model;
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(buffer.getBufferStart()),
      static_cast<int>(buffer.getBufferSize()));
  stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage()) {
    emitError(fileLoc) << "cannot parse ONNX model: the file is not a valid "
                          "ModelProto (truncated or corrupt?)";
    return nullptr;
  }
  if (!model.has_graph()) {
    emitError(fileLoc) << "ONNX model has no graph";
    return nullptr;
  }
  Importer importer(context, modelDir, buffer.getBufferIdentifier());
  return importer.importModel(model);
}

OwningOpRef<ModuleOp> mlir::dlc::importONNXFile(llvm::StringRef path,
                                                MLIRContext *context) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!file) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read ONNX model: " << file.getError().message();
    return nullptr;
  }
  return importONNXModel((*file)->getMemBufferRef(),
                         llvm::sys::path::parent_path(path), context);
}

void mlir::dlc::registerImportONNXTranslation() {
  TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model into the dlc dialect",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr->getMemoryBuffer(sourceMgr->getMainFileID());
        return importONNXModel(
            buffer->getMemBufferRef(),
            llvm::sys::path::parent_path(buffer->getBufferIdentifier()),
            context);
      },
      [](DialectRegistry &registry) { registerAllDialects(registry); });
}
