//===- GraphRewrites.cpp - ONNX graph patterns recognized before import ---===//
//
// Exporters spell some ops the dialect models as several ONNX nodes (ONNX
// has no Gelu before opset 20). Those patterns are rewritten on the ONNX
// graph itself, into the node ONNX would use today, before import.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "llvm/ADT/StringMap.h"
#include <cmath>

using namespace mlir::dlc::onnx_import;

namespace {
/// Producers and consumer counts of the graph's tensors, and scalar
/// constants (Constant nodes and initializers).
class GraphIndex {
public:
  explicit GraphIndex(const onnx::GraphProto &graph) {
    for (const onnx::NodeProto &node : graph.node()) {
      for (const std::string &out : node.output())
        producer[out] = &node;
      for (const std::string &in : node.input())
        ++uses[in];
    }
    for (const onnx::ValueInfoProto &out : graph.output())
      ++uses[out.name()];
    for (const onnx::TensorProto &init : graph.initializer())
      initializers[init.name()] = &init;
  }

  const onnx::NodeProto *producerOf(const std::string &name) const {
    auto it = producer.find(name);
    return it == producer.end() ? nullptr : it->second;
  }
  unsigned useCount(const std::string &name) const {
    auto it = uses.find(name);
    return it == uses.end() ? 0 : it->second;
  }

  /// The value of a one-element float constant, if `name` is one.
  std::optional<double> scalar(const std::string &name) const {
    const onnx::TensorProto *tensor = nullptr;
    if (auto it = initializers.find(name); it != initializers.end())
      tensor = it->second;
    else if (const onnx::NodeProto *node = producerOf(name);
             node && node->op_type() == "Constant")
      for (const onnx::AttributeProto &attr : node->attribute())
        if (attr.name() == "value")
          tensor = &attr.t();
    if (!tensor || tensor->data_type() != onnx::TensorProto::FLOAT)
      return std::nullopt;
    if (tensor->float_data_size() == 1)
      return tensor->float_data(0);
    if (tensor->raw_data().size() == 4) {
      float v;
      std::memcpy(&v, tensor->raw_data().data(), 4);
      return v;
    }
    return std::nullopt;
  }

  /// The single node consuming `name`, if it has exactly one consumer.
  const onnx::NodeProto *soleConsumer(const onnx::GraphProto &graph,
                                      const std::string &name) const {
    if (useCount(name) != 1)
      return nullptr;
    for (const onnx::NodeProto &node : graph.node())
      for (const std::string &in : node.input())
        if (in == name)
          return &node;
    return nullptr;
  }

private:
  llvm::StringMap<const onnx::NodeProto *> producer;
  llvm::StringMap<unsigned> uses;
  llvm::StringMap<const onnx::TensorProto *> initializers;
};
} // namespace

static bool near(std::optional<double> value, double expected) {
  return value && std::fabs(*value - expected) <= 1e-6 * std::fabs(expected);
}

/// The operand of a binary node other than `name`.
static const std::string &otherInput(const onnx::NodeProto &node,
                                     const std::string &name) {
  return node.input(0) == name ? node.input(1) : node.input(0);
}

/// x * 0.5 * (1 + erf(x / sqrt(2))), as PyTorch exports GELU:
///   Div(x, 1.414) -> Erf -> Add(., 1) -> Mul(x, .) -> Mul(., 0.5)
/// (the Div may be a Mul by 1/sqrt(2), the last two Muls in either order).
static void fuseErfGelu(onnx::GraphProto &graph) {
  GraphIndex index(graph);
  std::vector<const onnx::NodeProto *> dead;
  std::vector<std::pair<const onnx::NodeProto *, onnx::NodeProto>> gelus;
  for (const onnx::NodeProto &erf : graph.node()) {
    if (erf.op_type() != "Erf" || erf.input_size() != 1)
      continue;
    const onnx::NodeProto *scale = index.producerOf(erf.input(0));
    if (!scale || index.useCount(erf.input(0)) != 1 || scale->input_size() != 2)
      continue;
    std::string x = scale->input(0);
    if (!((scale->op_type() == "Div" &&
           near(index.scalar(scale->input(1)), M_SQRT2)) ||
          (scale->op_type() == "Mul" &&
           near(index.scalar(scale->input(1)), M_SQRT1_2))))
      continue;
    const onnx::NodeProto *add = index.soleConsumer(graph, erf.output(0));
    if (!add || add->op_type() != "Add" ||
        !near(index.scalar(otherInput(*add, erf.output(0))), 1.0))
      continue;
    const onnx::NodeProto *mulX = index.soleConsumer(graph, add->output(0));
    if (!mulX || mulX->op_type() != "Mul" ||
        otherInput(*mulX, add->output(0)) != x)
      continue;
    const onnx::NodeProto *half = index.soleConsumer(graph, mulX->output(0));
    if (!half || half->op_type() != "Mul" ||
        !near(index.scalar(otherInput(*half, mulX->output(0))), 0.5))
      continue;
    onnx::NodeProto gelu;
    gelu.set_op_type("Gelu");
    gelu.set_name(erf.name().empty() ? half->output(0) : erf.name());
    gelu.add_input(x);
    gelu.add_output(half->output(0));
    gelus.emplace_back(half, std::move(gelu));
    dead.insert(dead.end(), {scale, &erf, add, mulX});
  }
  if (gelus.empty())
    return;
  // Rebuild the node list: each Gelu takes the place of its last node.
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (const onnx::NodeProto &node : graph.node()) {
    if (llvm::is_contained(dead, &node))
      continue;
    auto it = llvm::find_if(gelus, [&](auto &g) { return g.first == &node; });
    *nodes.Add() = it != gelus.end() ? it->second : node;
  }
  graph.mutable_node()->Swap(&nodes);
}

void mlir::dlc::onnx_import::rewriteGraphPatterns(onnx::GraphProto &graph) {
  fuseErfGelu(graph);
}
