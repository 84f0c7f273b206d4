//===- ConvertConvTranspose.cpp - transposed convs, depth <-> space -----===//
//
// A 2-D ConvTranspose of stride s is s_h * s_w ordinary convolutions, one
// per output phase (which output rows and columns modulo the stride it
// writes), each with the kernel taps of that phase flipped: output t = q *
// s + r (before the begin padding is cropped) is the sum over the taps k
// with d k = r (mod s) of x[q - floor(d k / s)] * w[k]. The phases'
// kernels, padded with zero taps to floor(d (k - 1) / s) + 1 (ceil(k / s)
// undilated), become the output channels of one convolution; a
// depth-to-space (reshape, transpose, reshape) interleaves them and a
// slice crops the padding. The arithmetic is the transposed convolution's
// (plus products with the zero taps), with no zeros inserted between the
// inputs: for a 2x2 stride-2 kernel (U-Net's upsampling) it is one 1x1
// convolution to 4 * C_out channels. Grouped, the convolution is grouped
// and its channels go from group-major to phase-major first. DepthToSpace
// and SpaceToDepth are the same reshape, transpose, reshape.
//
//===----------------------------------------------------------------------===//

#include "ConvertHelpers.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::onnx_import;

/// Interleaves the channels of `x` (N x C x H x W, C = blockH * blockW * D
/// in the order (blockH, blockW, D) when `blockMajor`, else (D, blockH,
/// blockW)) into N x D x H * blockH x W * blockW.
static FailureOr<Value> depthToSpace(Importer &imp, Value x, int64_t blockH,
                                     int64_t blockW, bool blockMajor) {
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t depth = shape[1] / (blockH * blockW);
  Ints split = blockMajor
                   ? Ints{shape[0], blockH, blockW, depth, shape[2], shape[3]}
                   : Ints{shape[0], depth, blockH, blockW, shape[2], shape[3]};
  Ints perm = blockMajor ? Ints{0, 3, 4, 1, 5, 2} : Ints{0, 1, 4, 2, 5, 3};
  FailureOr<Value> blocks = reshapeTo(imp, x, split);
  if (failed(blocks))
    return failure();
  FailureOr<TransposeOp> moved = imp.create<TransposeOp>(*blocks, perm);
  if (failed(moved))
    return failure();
  return reshapeTo(imp, moved->getResult(),
                   Ints{shape[0], depth, shape[2] * blockH, shape[3] * blockW});
}

static int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

namespace {
/// One spatial axis of a transposed convolution. Output t (counted before
/// the begin padding is cropped; pads may be negative, where output_shape
/// asks for more than the kernel reaches) is phase row q = floor(t / s) of
/// phase t mod s.
struct TransposedAxis {
  int64_t input, kernel, stride, dilation, padBegin, padEnd, outputPadding;
  /// The span of the kernel's taps.
  int64_t extent() const { return dilation * (kernel - 1) + 1; }
  int64_t output() const {
    return stride * (input - 1) + outputPadding + extent() - padBegin - padEnd;
  }
  /// Tap k lands on phase (d k) mod s, shifted by floor(d k / s) rows.
  int64_t phaseOf(int64_t k) const { return dilation * k % stride; }
  int64_t shiftOf(int64_t k) const { return dilation * k / stride; }
  /// Taps per phase (with the zero ones).
  int64_t phaseTaps() const { return shiftOf(kernel - 1) + 1; }
  /// The phase rows [first, end) the output needs.
  int64_t firstRow() const { return floorDiv(padBegin, stride); }
  int64_t endRow() const {
    return floorDiv(padBegin + output() + stride - 1, stride);
  }
  /// The convolution's padding: row 0 of its output is phase row
  /// firstRow(); at least endRow() - firstRow() rows.
  int64_t convPadBegin() const { return phaseTaps() - 1 - firstRow(); }
  int64_t convPadEnd() const { return std::max<int64_t>(0, endRow() - input); }
  /// Where the output starts in the interleaved phase rows.
  int64_t cropStart() const { return padBegin - firstRow() * stride; }
};
} // namespace

/// Attribute `name` of a 1-D or 2-D op as 2-D: a 1-D op's entries are the
/// width's, the height's are `fill` (pads: begins then ends).
static std::optional<Ints> attrAs2D(const NodeAttrs &attrs, StringRef name,
                                    bool oneD, int64_t fill) {
  std::optional<Ints> values = attrs.getInts(name);
  if (!values || !oneD)
    return values;
  if (name == "pads" && values->size() == 2)
    return Ints{fill, (*values)[0], fill, (*values)[1]};
  if (name != "pads" && values->size() == 1)
    return Ints{fill, (*values)[0]};
  return values;
}

/// The pads of each axis from auto_pad or output_shape (ONNX's rules), or
/// the explicit pads.
static LogicalResult resolveTransposedPads(Importer &imp,
                                           const NodeAttrs &attrs, bool oneD,
                                           TransposedAxis (&axes)[2]) {
  std::string autoPad = attrs.getString("auto_pad", "NOTSET");
  std::optional<Ints> outputShape = attrAs2D(attrs, "output_shape", oneD, 1);
  if (outputShape && outputShape->size() != 2)
    return imp.fail("output_shape has ", outputShape->size(),
                    " entries for 2 spatial axes");
  if (autoPad == "NOTSET" && !outputShape) {
    Ints pads = attrAs2D(attrs, "pads", oneD, 0).value_or(Ints{0, 0, 0, 0});
    if (pads.size() != 4 || llvm::any_of(pads, [](int64_t p) { return p < 0; }))
      return imp.fail("expects 4 non-negative pads");
    for (int i = 0; i < 2; ++i) {
      axes[i].padBegin = pads[i];
      axes[i].padEnd = pads[i + 2];
    }
    return success();
  }
  if (autoPad == "VALID" && !outputShape) {
    for (TransposedAxis &axis : axes)
      axis.padBegin = axis.padEnd = 0;
    return success();
  }
  if (autoPad != "NOTSET" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return imp.fail("auto_pad '", autoPad, "' is not supported");
  // ONNX's rule, with its floor division: a negative total (an output
  // larger than the kernel reaches) leaves positions that only the bias
  // writes.
  for (int i = 0; i < 2; ++i) {
    TransposedAxis &axis = axes[i];
    int64_t wanted = outputShape ? (*outputShape)[i] : axis.input * axis.stride;
    if (wanted < 1)
      return imp.fail("output_shape ", wanted, " is not positive");
    int64_t total = axis.stride * (axis.input - 1) + axis.outputPadding +
                    axis.extent() - wanted;
    int64_t half = floorDiv(total, 2);
    axis.padBegin = autoPad == "SAME_UPPER" ? half : total - half;
    axis.padEnd = total - axis.padBegin;
  }
  return success();
}

LogicalResult onnx_import::convertConvTranspose(Importer &imp,
                                                const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  // A 1-D one (N x C x L) runs as 2-D on N x C x 1 x L.
  bool oneD = rankOf(x) == 3;
  if (rankOf(x) != 4 && !oneD)
    return imp.fail("only 1-D and 2-D transposed convolutions (3-D or 4-D "
                    "input) are supported, got a rank-",
                    rankOf(x), " input");
  ArrayRef<int64_t> given = shapeOf(x);
  if (oneD) {
    FailureOr<Value> image =
        reshapeTo(imp, x, Ints{given[0], given[1], 1, given[2]});
    if (failed(image))
      return failure();
    x = *image;
  }
  const KnownTensor *weight = imp.getKnownInput(1);
  if (!weight || !weight->isFloat())
    return imp.fail("needs a constant floating-point weight");
  const KnownTensor *bias = imp.hasInput(2) ? imp.getKnownInput(2) : nullptr;
  if (imp.hasInput(2) && !bias)
    return imp.fail("needs a constant bias");
  Ints dilations = attrAs2D(attrs, "dilations", oneD, 1).value_or(Ints{1, 1});
  ArrayRef<int64_t> in = shapeOf(x);
  Ints wShape(weight->shape.begin(), weight->shape.end());
  if (oneD && wShape.size() == 3)
    wShape.insert(wShape.begin() + 2, 1);
  if (wShape.size() != 4 || wShape[0] != in[1])
    return imp.fail("expects a weight of C_in x C_out x kernel with C_in = ",
                    in[1]);
  if (ShapedType::isDynamic(in[2]) || ShapedType::isDynamic(in[3]))
    return imp.fail("needs static spatial dimensions");
  int64_t groups = attrs.getInt("group", 1);
  if (groups < 1 || wShape[0] % groups != 0)
    return imp.fail("group ", groups, " does not divide the ", wShape[0],
                    " input channels");
  int64_t cin = wShape[0], cinGroup = cin / groups;
  int64_t coutGroup = wShape[1], cout = groups * coutGroup;
  Ints strides = attrAs2D(attrs, "strides", oneD, 1).value_or(Ints{1, 1});
  Ints outputPadding =
      attrAs2D(attrs, "output_padding", oneD, 0).value_or(Ints{0, 0});
  if (strides.size() != 2 || outputPadding.size() != 2 || dilations.size() != 2)
    return imp.fail("expects 2 strides, dilations and output paddings");
  TransposedAxis axes[2];
  for (int i = 0; i < 2; ++i) {
    axes[i] = {in[2 + i], wShape[2 + i],   strides[i], dilations[i], 0,
               0,         outputPadding[i]};
    if (strides[i] < 1 || dilations[i] < 1 || outputPadding[i] < 0 ||
        (outputPadding[i] >= strides[i] && outputPadding[i] >= dilations[i]))
      return imp.fail("expects strides and dilations >= 1 and output_padding "
                      "below the stride or the dilation");
  }
  if (failed(resolveTransposedPads(imp, attrs, oneD, axes)))
    return failure();
  for (const TransposedAxis &axis : axes)
    if (axis.output() < 1)
      return imp.fail("pads leave an empty output");

  // The phases' flipped kernels: tap (ky, kx) of group g's output o goes
  // to output channel (g P + phase_h s_w + phase_w) C_out/g + o of the
  // (grouped) convolution, at tap (J_h - 1 - shift_h, J_w - 1 - shift_w);
  // the other taps are zero.
  const TransposedAxis &ah = axes[0], &aw = axes[1];
  int64_t sh = ah.stride, sw = aw.stride, phases = sh * sw;
  int64_t jh = ah.phaseTaps(), jw = aw.phaseTaps();
  int64_t kh = ah.kernel, kw = aw.kernel;
  std::vector<double> w = readReals(*weight);
  std::vector<float> phased(phases * cout * cinGroup * jh * jw, 0.0f);
  for (int64_t i = 0; i < cin; ++i)
    for (int64_t o = 0; o < coutGroup; ++o)
      for (int64_t ky = 0; ky < kh; ++ky)
        for (int64_t kx = 0; kx < kw; ++kx) {
          int64_t phase = ah.phaseOf(ky) * sw + aw.phaseOf(kx);
          int64_t channel = (i / cinGroup * phases + phase) * coutGroup + o;
          int64_t a = jh - 1 - ah.shiftOf(ky), b = jw - 1 - aw.shiftOf(kx);
          phased[((channel * cinGroup + i % cinGroup) * jh + a) * jw + b] =
              static_cast<float>(w[((i * coutGroup + o) * kh + ky) * kw + kx]);
        }
  std::string name = imp.getNode().output(0);
  OpBuilder &builder = imp.getBuilder();
  int64_t channels = phases * cout;
  Value phasedWeight =
      createConstantF32(builder, imp.getLoc(), {channels, cinGroup, jh, jw},
                        phased, name + ".phase_weight");
  Value phasedBias;
  if (bias) {
    std::vector<double> b = readReals(*bias);
    if (static_cast<int64_t>(b.size()) != cout)
      return imp.fail("expects a bias of ", cout, " values, got ", b.size());
    std::vector<float> repeated;
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t phase = 0; phase < phases; ++phase)
        for (int64_t o = 0; o < coutGroup; ++o)
          repeated.push_back(static_cast<float>(b[g * coutGroup + o]));
    phasedBias = createConstantF32(builder, imp.getLoc(), {channels}, repeated,
                                   name + ".phase_bias");
  }
  Ints pads = {axes[0].convPadBegin(), axes[1].convPadBegin(),
               axes[0].convPadEnd(), axes[1].convPadEnd()};
  FailureOr<Conv2DOp> conv = imp.create<Conv2DOp>(
      x, phasedWeight, phasedBias, Ints{1, 1}, pads, Ints{1, 1}, groups);
  if (failed(conv))
    return failure();
  Value result = conv->getResult();
  if (groups > 1 && phases > 1) {
    // Group-major channels (g, phase, o) to phase-major (phase, g, o).
    ArrayRef<int64_t> shape = shapeOf(result);
    FailureOr<Value> split = reshapeTo(
        imp, result,
        Ints{shape[0], groups, phases, coutGroup * shape[2] * shape[3]});
    if (failed(split))
      return failure();
    FailureOr<TransposeOp> moved =
        imp.create<TransposeOp>(*split, Ints{0, 2, 1, 3});
    if (failed(moved))
      return failure();
    FailureOr<Value> merged = reshapeTo(imp, moved->getResult(), shape);
    if (failed(merged))
      return failure();
    result = *merged;
  }
  if (sh * sw > 1) {
    FailureOr<Value> interleaved =
        depthToSpace(imp, result, sh, sw, /*blockMajor=*/true);
    if (failed(interleaved))
      return failure();
    result = *interleaved;
  }
  ArrayRef<int64_t> full = shapeOf(result);
  Ints starts = {axes[0].cropStart(), axes[1].cropStart()};
  Ints ends = {starts[0] + axes[0].output(), starts[1] + axes[1].output()};
  if (starts[0] != 0 || starts[1] != 0 || ends[0] != full[2] ||
      ends[1] != full[3]) {
    FailureOr<SliceOp> cropped =
        imp.create<SliceOp>(result, Ints{2, 3}, starts, ends, Ints{});
    if (failed(cropped))
      return failure();
    result = cropped->getResult();
  }
  if (oneD) {
    FailureOr<Value> line =
        reshapeTo(imp, result, Ints{given[0], cout, axes[1].output()});
    if (failed(line))
      return failure();
    result = *line;
  }
  imp.setOutput(0, result);
  return success();
}

/// DepthToSpace (DCR: channels block-major; CRD: depth-major, PyTorch's
/// PixelShuffle) and SpaceToDepth (its inverse of DCR).
LogicalResult onnx_import::convertDepthToSpace(Importer &imp,
                                               const NodeAttrs &attrs) {
  Value x = imp.getInput(0);
  if (!x)
    return failure();
  if (rankOf(x) != 4)
    return imp.fail("expects a 4-D NCHW input, got rank ", rankOf(x));
  int64_t block = attrs.getInt("blocksize", 0);
  if (block < 1)
    return imp.fail("blocksize ", block, " is not positive");
  ArrayRef<int64_t> shape = shapeOf(x);
  if (imp.getNode().op_type() == "DepthToSpace") {
    if (ShapedType::isDynamic(shape[1]) || shape[1] % (block * block) != 0)
      return imp.fail("channels ", shape[1], " are not a multiple of ",
                      block * block);
    std::string mode = attrs.getString("mode", "DCR");
    if (mode != "DCR" && mode != "CRD")
      return imp.fail("mode '", mode, "' is not supported (DCR, CRD are)");
    return setResult(imp, depthToSpace(imp, x, block, block, mode == "DCR"));
  }
  if (ShapedType::isDynamic(shape[2]) || ShapedType::isDynamic(shape[3]) ||
      shape[2] % block != 0 || shape[3] % block != 0)
    return imp.fail("height and width ", shape[2], " x ", shape[3],
                    " are not multiples of ", block);
  int64_t h = shape[2] / block, w = shape[3] / block;
  FailureOr<Value> blocks =
      reshapeTo(imp, x, Ints{shape[0], shape[1], h, block, w, block});
  if (failed(blocks))
    return failure();
  FailureOr<TransposeOp> moved =
      imp.create<TransposeOp>(*blocks, Ints{0, 3, 5, 1, 2, 4});
  if (failed(moved))
    return failure();
  return setResult(imp,
                   reshapeTo(imp, moved->getResult(),
                             Ints{shape[0], shape[1] * block * block, h, w}));
}
