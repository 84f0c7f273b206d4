//===- Target.cpp - hardware descriptions for the cost model --------------===//

#include "dlc/Analysis/Target.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;
using namespace mlir::dlc;

namespace {
/// The built-in targets file, embedded at build time.
const char *const builtinTargets =
#include "TargetsData.inc"
    ;
} // namespace

/// Static shared memory of the CUDA kernels (lib/Target/CUDA/Kernels) that
/// `target`'s tiles give, in bytes; a block may have 48 KB.
static std::optional<std::string> cudaSharedMemoryOverflow(const Target &t) {
  constexpr int64_t limit = 48 * 1024;
  int64_t m = t.cudaTileM, n = t.cudaTileN;
  std::string tile = std::to_string(m) + "x" + std::to_string(n) + " tile";
  unsigned capability = t.cudaCapability();
  // fp32 (gemm_f32.cuh): two stages of tile_k steps, rows padded by 4 words.
  if (2 * t.cudaTileK * (m + n + 8) * 4 > limit)
    return "cuda.tile_k: two stages of " + std::to_string(t.cudaTileK) +
           " steps of a " + tile + " exceed 48 KB of shared memory";
  // fp16 / bf16 (tensorcore.cuh, the deepest of the dense tensor-core
  // pipelines): per stage 8 rows of weight pairs (tile_m + 8 words) and 16
  // of fp32 activations (tile_n + 4).
  if (t.cudaStages * (8 * (m + 8) + 16 * (n + 4)) * 4 > limit)
    return "cuda.stages: " + std::to_string(t.cudaStages) + " stages of a " +
           tile + " exceed 48 KB of shared memory";
  // 2:4 sparse (sparse.cuh, sm_80+): per stage a row's 12 words of kept
  // values and its selectors, and 32 steps of activations; at least two.
  if (capability >= 80 && 2 * (13 * m + 32 * (n + 4)) * 4 > limit)
    return "cuda.tile_m/tile_n: two stages of the 2:4 sparse kernel's " + tile +
           " exceed 48 KB of shared memory";
  return std::nullopt;
}

unsigned Target::cudaCapability() const {
  StringRef arch(cudaArch);
  unsigned capability = 0;
  if (!arch.consume_front("sm_") || arch.consumeInteger(10, capability) ||
      capability < 10 || (!arch.empty() && arch != "a" && arch != "f"))
    return 0;
  return capability;
}

bool Target::isNative(StringRef type) const {
  return llvm::is_contained(nativeTypes, type.str());
}

double Target::peakFlops(StringRef type) const {
  auto it = peakTflops.find(type);
  if (it == peakTflops.end() || !isNative(type))
    it = peakTflops.find("fp32");
  return it == peakTflops.end() ? 0.0 : it->second * 1e12;
}

std::optional<double> Target::sparsePeakFlops(StringRef type) const {
  auto it = peakTflops.find((type + "_sparse").str());
  if (it == peakTflops.end() || !isNative(type))
    return std::nullopt;
  return it->second * 1e12;
}

static Error jsonError(StringRef origin, const Twine &message) {
  return createStringError(inconvertibleErrorCode(), origin + ": " + message);
}

/// One family's entry of "conv_time_model"; `fail` makes the error for a
/// message that starts with the offending key.
static Expected<ConvTimeModel>
parseConvTimeModel(const json::Object &terms,
                   llvm::function_ref<Error(const Twine &)> fail) {
  ConvTimeModel model;
  if (const json::Value *lowering = terms.get("lowering")) {
    std::optional<StringRef> name = lowering->getAsString();
    std::optional<ConvLowering> kind =
        name ? llvm::StringSwitch<std::optional<ConvLowering>>(*name)
                   .Case("gemm", ConvLowering::Gemm)
                   .Case("winograd_f2x3", ConvLowering::WinogradF2x3)
                   .Case("direct", ConvLowering::Direct)
                   .Default(std::nullopt)
             : std::nullopt;
    if (!kind)
      return fail("lowering must be one of gemm, winograd_f2x3, direct");
    model.lowering = *kind;
  }
  if (const json::Value *tile = terms.get("gemm_tile")) {
    const json::Array *sizes = tile->getAsArray();
    std::optional<int64_t> channels, pixels;
    if (sizes && sizes->size() == 2) {
      channels = (*sizes)[0].getAsInteger();
      pixels = (*sizes)[1].getAsInteger();
    }
    if (!channels || !pixels || *channels < 1 || *pixels < 1)
      return fail("gemm_tile must be two positive integers [channels, pixels]");
    model.tileChannels = *channels;
    model.tilePixels = *pixels;
  }
  for (auto [key, field] :
       {std::pair<StringRef, double *>{"us_per_flop", &model.usPerFlop},
        {"us_per_border_flop", &model.usPerBorderFlop},
        {"us_per_input", &model.usPerInput},
        {"us_per_output", &model.usPerOutput},
        {"us_per_weight", &model.usPerWeight},
        {"us_per_row", &model.usPerRow},
        {"us_per_call", &model.usPerCall},
        {"fixed_us", &model.fixedUs}}) {
    if (const json::Value *term = terms.get(key)) {
      std::optional<double> number = term->getAsNumber();
      if (!number || *number < 0)
        return fail(key + " must be a non-negative number");
      *field = *number;
    }
  }
  return model;
}

Error TargetRegistry::addFromJSON(StringRef text, StringRef origin) {
  Expected<json::Value> parsed = json::parse(text);
  if (!parsed)
    return jsonError(origin, "invalid JSON: " + toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  const json::Array *list = root ? root->getArray("targets") : nullptr;
  if (!list)
    return jsonError(origin, "expects an object with a \"targets\" array");
  for (const json::Value &entry : *list) {
    const json::Object *obj = entry.getAsObject();
    std::optional<StringRef> name = obj ? obj->getString("name") : std::nullopt;
    if (!name)
      return jsonError(origin, "a target has no \"name\"");
    Target target;
    target.name = name->str();
    // A std::string: a Twine returned from here would refer to this
    // call's temporaries.
    auto where = [&](StringRef field) -> std::string {
      return "target '" + target.name + "': " + field.str();
    };
    target.description = obj->getString("description").value_or("").str();
    target.gpu = obj->getString("kind").value_or("cpu") == "gpu";
    const json::Object *peaks = obj->getObject("peak_tflops");
    if (!peaks || !peaks->getNumber("fp32"))
      return jsonError(origin, where("needs \"peak_tflops\" with \"fp32\""));
    for (const auto &[key, value] : *peaks) {
      std::optional<double> number = value.getAsNumber();
      if (!number || *number <= 0)
        return jsonError(origin, where("peak_tflops." + key.str() +
                                       " must be a positive number"));
      target.peakTflops[key.str()] = *number;
    }
    std::optional<double> bandwidth = obj->getNumber("memory_gbps");
    if (!bandwidth || *bandwidth <= 0)
      return jsonError(origin, where("needs a positive \"memory_gbps\""));
    target.memoryGBps = *bandwidth;
    target.l2MiB = obj->getNumber("l2_mib").value_or(0);
    target.l1dKiB = obj->getNumber("l1d_kib").value_or(0);
    if (std::optional<llvm::StringRef> march = obj->getString("march"))
      target.march = march->str();
    if (const json::Object *cuda = obj->getObject("cuda")) {
      if (!target.gpu)
        return jsonError(origin,
                         where("has \"cuda\" but is not of \"kind\": \"gpu\""));
      if (std::optional<llvm::StringRef> arch = cuda->getString("arch"))
        target.cudaArch = arch->str();
      if (!target.cudaCapability())
        return jsonError(origin,
                         where("cuda.arch must be a compute capability as "
                               "sm_90 or sm_90a, not '" +
                               target.cudaArch + "'"));
      // The tensor-core kernels split the block tile among 2 x 4 warps of
      // 16x8 mma tiles (tensorcore.cuh): rows and columns in multiples of
      // 32; the fp32 kernel stages tile_k steps at a time.
      for (auto [key, field, multiple] :
           {std::tuple<StringRef, int64_t *, int64_t>{"tile_m",
                                                      &target.cudaTileM, 32},
            {"tile_n", &target.cudaTileN, 32},
            {"tile_k", &target.cudaTileK, 16}}) {
        std::optional<int64_t> value = cuda->getInteger(key);
        if (!value)
          continue;
        if (*value <= 0 || *value % multiple != 0 || *value > 256)
          return jsonError(
              origin, where("cuda." + key.str() + " must be a multiple of " +
                            std::to_string(multiple) + " up to 256"));
        *field = *value;
      }
      // Pipeline depth and SM count (split-K), integers in a range.
      for (auto [key, field, lo, hi] :
           {std::tuple<StringRef, int64_t *, int64_t, int64_t>{
                "stages", &target.cudaStages, 2, 8},
            {"sms", &target.cudaSms, 1, 1024}}) {
        const json::Value *entry = cuda->get(key);
        if (!entry)
          continue;
        std::optional<int64_t> value = entry->getAsInteger();
        if (!value || *value < lo || *value > hi)
          return jsonError(
              origin, where("cuda." + key.str() + " must be an integer from " +
                            std::to_string(lo) + " to " + std::to_string(hi)));
        *field = *value;
      }
      if (std::optional<std::string> overflow =
              cudaSharedMemoryOverflow(target))
        return jsonError(origin, where(*overflow));
    }
    target.llcMiB = obj->getNumber("llc_mib").value_or(target.l2MiB);
    target.cacheGBps = obj->getNumber("cache_gbps").value_or(0);
    for (auto [key, field] :
         {std::pair<StringRef, double *>{"cold_activation_gbps",
                                         &target.coldActivationGBps},
          {"cold_conv_gbps", &target.coldConvGBps},
          {"gemv_fixed_us", &target.gemvFixedUs}}) {
      if (const json::Value *value = obj->get(key)) {
        std::optional<double> number = value->getAsNumber();
        if (!number || *number < 0)
          return jsonError(
              origin, where((key + " must be a non-negative number").str()));
        *field = *number;
      }
    }
    if (const json::Array *types = obj->getArray("native_types"))
      for (const json::Value &t : *types)
        if (std::optional<StringRef> s = t.getAsString())
          target.nativeTypes.push_back(s->str());
    if (!target.isNative("fp32"))
      target.nativeTypes.push_back("fp32");
    if (const json::Object *align = obj->getObject("align")) {
      for (const auto &[key, value] : *align) {
        if (key == "misaligned_efficiency")
          target.misalignedEfficiency = value.getAsNumber().value_or(1.0);
        else if (std::optional<int64_t> n = value.getAsInteger())
          target.align[key.str()] = *n;
      }
    }
    if (const json::Object *efficiency = obj->getObject("efficiency")) {
      for (auto [key, field] :
           {std::pair<StringRef, double *>{"product",
                                           &target.productEfficiency},
            {"conv3x3", &target.conv3x3Efficiency},
            {"pointwise", &target.pointwiseEfficiency},
            {"depthwise", &target.depthwiseEfficiency},
            {"depthwise_border", &target.depthwiseBorderEfficiency},
            {"vector", &target.vectorEfficiency},
            {"memory", &target.memoryEfficiency}}) {
        if (std::optional<double> value = efficiency->getNumber(key)) {
          if (*value <= 0)
            return jsonError(
                origin, where("efficiency." + key.str() + " must be positive"));
          *field = *value;
        }
      }
    }
    if (const json::Object *perOp = obj->getObject("op_memory_efficiency")) {
      for (const auto &[key, value] : *perOp) {
        std::optional<double> number = value.getAsNumber();
        if (!number || *number <= 0)
          return jsonError(origin, where("op_memory_efficiency." + key.str() +
                                         " must be a positive number"));
        target.opMemoryEfficiency[key.str()] = *number;
      }
    }
    if (const json::Object *perOp = obj->getObject("op_channel_ns")) {
      for (const auto &[key, value] : *perOp) {
        std::optional<double> number = value.getAsNumber();
        if (!number || *number < 0)
          return jsonError(origin, where("op_channel_ns." + key.str() +
                                         " must be a non-negative number"));
        target.opChannelNs[key.str()] = *number;
      }
    }
    if (const json::Object *models = obj->getObject("conv_time_model")) {
      for (const auto &[family, value] : *models) {
        const json::Object *terms = value.getAsObject();
        if (!llvm::is_contained(convFamilies, StringRef(family)) || !terms)
          return jsonError(origin,
                           where("conv_time_model." + family.str() +
                                 " must be an object for one of conv3x3, "
                                 "pointwise, depthwise, conv"));
        std::string field = "conv_time_model." + family.str() + ".";
        Expected<ConvTimeModel> model =
            parseConvTimeModel(*terms, [&](const Twine &message) {
              return jsonError(origin, where(field + message.str()));
            });
        if (!model)
          return model.takeError();
        target.convTimeModels[family.str()] = *model;
      }
    }
    target.launchOverheadUs = obj->getNumber("launch_overhead_us").value_or(0);
    target.saturationOutputs = obj->getNumber("saturation_outputs").value_or(1);
    if (const json::Array *sources = obj->getArray("sources"))
      for (const json::Value &s : *sources)
        if (std::optional<StringRef> text = s.getAsString())
          target.sources.push_back(text->str());
    auto existing = llvm::find_if(
        targets, [&](const Target &t) { return t.name == target.name; });
    if (existing != targets.end())
      *existing = std::move(target);
    else
      targets.push_back(std::move(target));
  }
  return Error::success();
}

Expected<TargetRegistry> TargetRegistry::load(StringRef extraFile) {
  TargetRegistry registry;
  if (Error error = registry.addFromJSON(builtinTargets, "built-in targets"))
    return std::move(error);
  if (!extraFile.empty()) {
    auto file = MemoryBuffer::getFile(extraFile, /*IsText=*/true);
    if (!file)
      return jsonError(extraFile, file.getError().message());
    if (Error error = registry.addFromJSON((*file)->getBuffer(), extraFile))
      return std::move(error);
  }
  return registry;
}

const Target *TargetRegistry::lookup(StringRef name) const {
  auto it =
      llvm::find_if(targets, [&](const Target &t) { return t.name == name; });
  return it == targets.end() ? nullptr : &*it;
}

std::vector<std::string> TargetRegistry::names() const {
  std::vector<std::string> result;
  for (const Target &t : targets)
    result.push_back(t.name);
  return result;
}
