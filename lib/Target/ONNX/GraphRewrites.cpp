//===- GraphRewrites.cpp - ONNX graph patterns recognized before import ---===//
//
// Exporters spell some ops the dialect models as several ONNX nodes (ONNX
// has no Gelu before opset 20, no LayerNormalization before 17). Those patterns
// are rewritten on the ONNX graph itself, into the node ONNX would use today,
// before import.
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

/// Rebuilds the node list without `dead`, each replacement node taking
/// the place of the last node of its pattern (its first).
static void
replaceNodes(onnx::GraphProto &graph,
             llvm::ArrayRef<const onnx::NodeProto *> dead,
             llvm::ArrayRef<std::pair<const onnx::NodeProto *, onnx::NodeProto>>
                 replacements) {
  if (replacements.empty())
    return;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (const onnx::NodeProto &node : graph.node()) {
    if (llvm::is_contained(dead, &node))
      continue;
    auto it =
        llvm::find_if(replacements, [&](auto &r) { return r.first == &node; });
    *nodes.Add() = it != replacements.end() ? it->second : node;
  }
  graph.mutable_node()->Swap(&nodes);
}

/// The end of GELU's spelling after the activation `act` of x (erf or
/// tanh): Mul(0.5, Mul(x, Add(act, 1))), each operand order; the nodes
/// after `act`, last first, or empty.
static std::vector<const onnx::NodeProto *>
matchGeluTail(onnx::GraphProto &graph, const GraphIndex &index,
              const onnx::NodeProto &act, const std::string &x) {
  const onnx::NodeProto *add = index.soleConsumer(graph, act.output(0));
  if (!add || add->op_type() != "Add" ||
      !near(index.scalar(otherInput(*add, act.output(0))), 1.0))
    return {};
  const onnx::NodeProto *mulX = index.soleConsumer(graph, add->output(0));
  if (!mulX || mulX->op_type() != "Mul" ||
      otherInput(*mulX, add->output(0)) != x)
    return {};
  const onnx::NodeProto *half = index.soleConsumer(graph, mulX->output(0));
  if (!half || half->op_type() != "Mul" ||
      !near(index.scalar(otherInput(*half, mulX->output(0))), 0.5))
    return {};
  return {half, mulX, add};
}

/// The one-use Mul node producing `name` with a scalar operand near
/// `factor`; its other operand in `other`.
static const onnx::NodeProto *scaledBy(const GraphIndex &index,
                                       const std::string &name, double factor,
                                       std::string &other) {
  const onnx::NodeProto *mul = index.producerOf(name);
  if (!mul || mul->op_type() != "Mul" || mul->input_size() != 2 ||
      index.useCount(name) != 1)
    return nullptr;
  for (int i = 0; i < 2; ++i)
    if (near(index.scalar(mul->input(i)), factor)) {
      other = mul->input(1 - i);
      return mul;
    }
  return nullptr;
}

/// GELU as exporters write it before opset 20 (ONNX's Gelu): with erf,
/// 0.5 * x * (1 + erf(x / sqrt(2))); with tanh (PyTorch's
/// approximate='tanh'), 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 *
/// x * x * x))).
static void fuseGelu(onnx::GraphProto &graph) {
  GraphIndex index(graph);
  std::vector<const onnx::NodeProto *> dead;
  std::vector<std::pair<const onnx::NodeProto *, onnx::NodeProto>> gelus;
  for (const onnx::NodeProto &act : graph.node()) {
    if ((act.op_type() != "Erf" && act.op_type() != "Tanh") ||
        act.input_size() != 1)
      continue;
    bool tanh = act.op_type() == "Tanh";
    std::vector<const onnx::NodeProto *> head;
    std::string x;
    if (!tanh) {
      const onnx::NodeProto *scale = index.producerOf(act.input(0));
      if (!scale || index.useCount(act.input(0)) != 1 ||
          scale->input_size() != 2)
        continue;
      x = scale->input(0);
      if (!((scale->op_type() == "Div" &&
             near(index.scalar(scale->input(1)), M_SQRT2)) ||
            (scale->op_type() == "Mul" &&
             near(index.scalar(scale->input(1)), M_SQRT1_2))))
        continue;
      head = {scale};
    } else {
      // sqrt(2 / pi) * (x + 0.044715 * x^3), x^3 as x * (x * x).
      std::string sumName, cubeName;
      const onnx::NodeProto *outer =
          scaledBy(index, act.input(0), std::sqrt(2.0 / M_PI), sumName);
      const onnx::NodeProto *sum = index.producerOf(sumName);
      if (!outer || !sum || sum->op_type() != "Add" ||
          index.useCount(sumName) != 1)
        continue;
      const onnx::NodeProto *inner = nullptr;
      for (int i = 0; i < 2 && !inner; ++i)
        if ((inner = scaledBy(index, sum->input(i), 0.044715, cubeName)))
          x = sum->input(1 - i);
      const onnx::NodeProto *cube = index.producerOf(cubeName);
      if (!inner || !cube || cube->op_type() != "Mul" ||
          index.useCount(cubeName) != 1)
        continue;
      const std::string &square = otherInput(*cube, x);
      const onnx::NodeProto *sq = index.producerOf(square);
      if (square == x || !sq || sq->op_type() != "Mul" || sq->input(0) != x ||
          sq->input(1) != x || index.useCount(square) != 1)
        continue;
      head = {outer, sum, inner, cube, sq};
    }
    std::vector<const onnx::NodeProto *> tail =
        matchGeluTail(graph, index, act, x);
    if (tail.empty())
      continue;
    onnx::NodeProto gelu;
    gelu.set_op_type("Gelu");
    gelu.set_name(act.name().empty() ? tail[0]->output(0) : act.name());
    gelu.add_input(x);
    gelu.add_output(tail[0]->output(0));
    if (tanh) {
      onnx::AttributeProto *approximate = gelu.add_attribute();
      approximate->set_name("approximate");
      approximate->set_type(onnx::AttributeProto::STRING);
      approximate->set_s("tanh");
    }
    gelus.emplace_back(tail[0], std::move(gelu));
    dead.insert(dead.end(), head.begin(), head.end());
    dead.push_back(&act);
    dead.insert(dead.end(), tail.begin() + 1, tail.end());
  }
  replaceNodes(graph, dead, gelus);
}

/// The first of the trailing axes that a ReduceMean (keeping its
/// dimensions, axes as an attribute) averages over, e.g. -1 for [-1].
static std::optional<int64_t> trailingMeanAxis(const onnx::NodeProto &node) {
  if (node.op_type() != "ReduceMean" || node.input_size() != 1)
    return std::nullopt;
  NodeAttrs attrs(node);
  std::optional<llvm::SmallVector<int64_t>> axes = attrs.getInts("axes");
  if (attrs.getInt("keepdims", 1) != 1 || !axes || axes->empty())
    return std::nullopt;
  llvm::SmallVector<int64_t> sorted = *axes;
  llvm::sort(sorted);
  for (size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != -static_cast<int64_t>(sorted.size() - i))
      return std::nullopt;
  return sorted.front();
}

/// Layer normalization as PyTorch exports it before opset 17 (ONNX's
/// LayerNormalization): mean = ReduceMean(x), d = x - mean,
/// var = ReduceMean(d ^ 2), y = d / sqrt(var + eps) * scale + bias, over
/// the same trailing axes.
static void fuseDecomposedLayerNorm(onnx::GraphProto &graph) {
  GraphIndex index(graph);
  std::vector<const onnx::NodeProto *> dead;
  std::vector<std::pair<const onnx::NodeProto *, onnx::NodeProto>> norms;
  for (const onnx::NodeProto &sub : graph.node()) {
    if (sub.op_type() != "Sub" || sub.input_size() != 2 ||
        index.useCount(sub.output(0)) != 2)
      continue;
    const std::string &x = sub.input(0), &d = sub.output(0);
    const onnx::NodeProto *mean = index.producerOf(sub.input(1));
    std::optional<int64_t> axis = mean ? trailingMeanAxis(*mean) : std::nullopt;
    if (!axis || mean->input(0) != x || index.useCount(mean->output(0)) != 1)
      continue;
    // d's two uses: the square and the division.
    const onnx::NodeProto *pow = nullptr, *div = nullptr;
    for (const onnx::NodeProto &node : graph.node()) {
      if (node.op_type() == "Pow" && node.input(0) == d &&
          near(index.scalar(node.input(1)), 2.0))
        pow = &node;
      else if (node.op_type() == "Div" && node.input(0) == d)
        div = &node;
    }
    if (!pow || !div)
      continue;
    const onnx::NodeProto *var = index.soleConsumer(graph, pow->output(0));
    if (!var || trailingMeanAxis(*var) != axis)
      continue;
    const onnx::NodeProto *addEps = index.soleConsumer(graph, var->output(0));
    if (!addEps || addEps->op_type() != "Add")
      continue;
    std::optional<double> eps =
        index.scalar(otherInput(*addEps, var->output(0)));
    const onnx::NodeProto *sqrt = index.soleConsumer(graph, addEps->output(0));
    if (!eps || !sqrt || sqrt->op_type() != "Sqrt" ||
        index.soleConsumer(graph, sqrt->output(0)) != div ||
        div->input(1) != sqrt->output(0))
      continue;
    const onnx::NodeProto *mul = index.soleConsumer(graph, div->output(0));
    if (!mul || mul->op_type() != "Mul")
      continue;
    const onnx::NodeProto *addBias = index.soleConsumer(graph, mul->output(0));
    if (!addBias || addBias->op_type() != "Add")
      continue;
    onnx::NodeProto norm;
    norm.set_op_type("LayerNormalization");
    norm.set_name(mean->name().empty() ? addBias->output(0) : mean->name());
    norm.add_input(x);
    norm.add_input(otherInput(*mul, div->output(0)));
    norm.add_input(otherInput(*addBias, mul->output(0)));
    norm.add_output(addBias->output(0));
    onnx::AttributeProto *axisAttr = norm.add_attribute();
    axisAttr->set_name("axis");
    axisAttr->set_type(onnx::AttributeProto::INT);
    axisAttr->set_i(*axis);
    onnx::AttributeProto *epsAttr = norm.add_attribute();
    epsAttr->set_name("epsilon");
    epsAttr->set_type(onnx::AttributeProto::FLOAT);
    epsAttr->set_f(static_cast<float>(*eps));
    norms.emplace_back(addBias, std::move(norm));
    dead.insert(dead.end(), {mean, &sub, pow, var, addEps, sqrt, div, mul});
  }
  replaceNodes(graph, dead, norms);
}

/// x * gate(x) as one node: x * HardSigmoid(x) with alpha = 1/6, beta =
/// 1/2 is hard swish as PyTorch exports it before opset 14 (ONNX's
/// HardSwish); x * Sigmoid(x) is SiLU (PyTorch's nn.SiLU, ONNX's Swish).
static void fuseSelfGates(onnx::GraphProto &graph) {
  GraphIndex index(graph);
  std::vector<const onnx::NodeProto *> dead;
  std::vector<std::pair<const onnx::NodeProto *, onnx::NodeProto>> fused;
  for (const onnx::NodeProto &gate : graph.node()) {
    if (gate.input_size() != 1)
      continue;
    std::string type;
    if (gate.op_type() == "Sigmoid") {
      type = "Swish";
    } else if (gate.op_type() == "HardSigmoid") {
      NodeAttrs attrs(gate);
      if (!near(attrs.getFloat("alpha", 0.2f), 1.0 / 6.0) ||
          !near(attrs.getFloat("beta", 0.5f), 0.5))
        continue;
      type = "HardSwish";
    } else {
      continue;
    }
    const onnx::NodeProto *mul = index.soleConsumer(graph, gate.output(0));
    if (!mul || mul->op_type() != "Mul" ||
        otherInput(*mul, gate.output(0)) != gate.input(0))
      continue;
    onnx::NodeProto node;
    node.set_op_type(type);
    node.set_name(gate.name().empty() ? mul->output(0) : gate.name());
    node.add_input(gate.input(0));
    node.add_output(mul->output(0));
    fused.emplace_back(mul, std::move(node));
    dead.push_back(&gate);
  }
  replaceNodes(graph, dead, fused);
}

void mlir::dlc::onnx_import::rewriteGraphPatterns(onnx::GraphProto &graph) {
  fuseSelfGates(graph);
  fuseGelu(graph);
  fuseDecomposedLayerNorm(graph);
}
