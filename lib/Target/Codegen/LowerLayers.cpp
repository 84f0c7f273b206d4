//===- LowerLayers.cpp - float layers to kernel calls ---------------------===//
//
// Convolutions, linear layers and matrix products: their weight source
// (fp32 panels, fp16 / bf16 pairs, NF4 codes, 2:4 kept values), the
// epilogue with a folded batch norm, residual and clamp, and split-K.
//
//===----------------------------------------------------------------------===//

#include "LoweringImpl.h"
#include "WeightPacking.h"
#include "dlc/Dialect/DLC/IR/ConstantData.h"
#include "dlc/Dialect/DLC/IR/QuantTypes.h"

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::codegen;

//===----------------------------------------------------------------------===//
// Float layers
//===----------------------------------------------------------------------===//

Aggregate mlir::dlc::codegen::convGeometry(
    ShapedType in, ShapedType weight, ShapedType out, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations, int64_t groups) {
  return Aggregate{
      "dlc_conv_geom",
      true,
      {Arg(in.getDimSize(1)), Arg(in.getDimSize(2)), Arg(in.getDimSize(3)),
       Arg(out.getDimSize(1)), Arg(out.getDimSize(2)), Arg(out.getDimSize(3)),
       Arg(weight.getDimSize(2)), Arg(weight.getDimSize(3)), Arg(strides[0]),
       Arg(strides[1]), Arg(pads[0]), Arg(pads[1]), Arg(dilations[0]),
       Arg(dilations[1]), Arg(groups)}};
}

FailureOr<Arg> Lowering::epilogue(Value bias, const FusedLayer &fused,
                                  std::optional<std::vector<float>> scales) {
  Arg biasArg = bias ? Arg(bufferOf(bias)) : null();
  if (fused.batchNorm) {
    // (acc + b) * mul + add = acc * mul + (b * mul + add).
    auto [mul, add] = *batchNormCoefficients(fused.batchNorm);
    if (bias) {
      std::optional<std::vector<float>> b = getConstantF32(bias);
      if (!b)
        return fused.layer->emitOpError(
            "has a bias that is not a constant, which a folded batch norm "
            "needs");
      for (size_t i = 0; i < add.size(); ++i)
        add[i] = (*b)[i] * mul[i] + add[i];
    }
    scales = std::move(mul);
    biasArg = program.addWeights(add.data(), add.size() * 4, ElemType::F32);
  }
  Arg scaleArg = null();
  if (scales)
    scaleArg =
        program.addWeights(scales->data(), scales->size() * 4, ElemType::F32);
  return Arg(Aggregate{"dlc_epilogue_f32",
                       true,
                       {scaleArg, biasArg,
                        fused.residual ? Arg(bufferOf(fused.residual)) : null(),
                        clampArg(fused.lo, fused.hi)}});
}

FailureOr<Arg> Lowering::weightSource(Operation *layer, Value weight,
                                      int64_t groups) {
  auto type = cast<ShapedType>(weight.getType());
  PanelShape shape{groups, type.getDimSize(0) / groups,
                   type.getNumElements() / type.getDimSize(0)};
  auto source = [&](StringRef kind, BufferRef data, Arg scales, int64_t block,
                    Arg table, Arg codebook, Arg meta = null()) -> Arg {
    return Aggregate{"dlc_asource",
                     true,
                     {Constant{kind.str()}, data, scales, Arg(block),
                      Arg(int64_t(0)), table, codebook, meta}};
  };
  if (auto nf4 = weight.getDefiningOp<NF4ConstantOp>()) {
    FailureOr<quantization::NF4Weights> weights = getNF4Weights(nf4);
    if (failed(weights))
      return failure();
    std::vector<uint8_t> codes(weights->numElements);
    for (int64_t i = 0; i < weights->numElements; ++i) {
      uint8_t byte = weights->packedCodes[i / 2];
      codes[i] = i % 2 == 0 ? byte >> 4 : byte & 0xF;
    }
    // CUDA's tensor cores copy a row's 8 steps as one word and decode a
    // 16-step chunk with one block scale: every chunk must lie in one block.
    bool words = backend == Backend::CUDA && options.halfWeights &&
                 shape.k % 16 == 0 && weights->blockSize % 16 == 0;
    std::vector<uint8_t> packed = packPanelsNF4(codes, shape, words ? 8 : 1);
    std::vector<float> scales(weights->numBlocks());
    for (int64_t b = 0; b < weights->numBlocks(); ++b)
      scales[b] = weights->blockScale(b);
    ArrayRef<float> book = quantization::nf4Codebook();
    return source(
        words ? "DLC_A_NF4_TC" : "DLC_A_NF4",
        program.addWeights(packed.data(), packed.size(), ElemType::U8),
        program.addWeights(scales.data(), scales.size() * 4, ElemType::F32),
        weights->blockSize, null(),
        program.addWeights(book.data(), book.size() * 4, ElemType::F32));
  }
  if (auto q = weight.getDefiningOp<QConstantOp>()) {
    if (!getFP8Format(q.getType()))
      return layer->emitOpError("has int8 weights outside an int8 layer; ")
             << backendName() << " runs them in qconv2d/qlinear";
    FailureOr<std::vector<char>> bytes = constantBytes(weight, layer);
    if (failed(bytes))
      return failure();
    ArrayRef<uint8_t> codes(reinterpret_cast<const uint8_t *>(bytes->data()),
                            bytes->size());
    if (options.sparse24FP8)
      if (std::optional<Sparse24Rows<uint8_t>> sparse =
              compressSparse24FP8(codes, type.getDimSize(0), shape.k))
        return source("DLC_A_SP24",
                      program.addWeights(sparse->values.data(),
                                         sparse->values.size(), ElemType::U8),
                      null(), 0, null(), null(),
                      program.addWeights(sparse->metadata.data(),
                                         sparse->metadata.size(),
                                         ElemType::U8));
    // CUDA's fp8 kernel copies a row's 4 steps as one operand register.
    std::vector<uint8_t> packed =
        packPanelsBytes(codes, shape, backend == Backend::CUDA ? 4 : 1);
    return source(
        "DLC_A_FP8",
        program.addWeights(packed.data(), packed.size(), ElemType::U8), null(),
        0,
        // The ARM kernels decode through the table; CUDA's multiply codes.
        backend == Backend::ARM ? Arg(fp8Table(q.getType())) : null(), null());
  }
  std::optional<std::vector<float>> values = getConstantF32(weight);
  if (!values)
    return layer->emitOpError("has a weight that is not a constant; ")
           << backendName() << " packs weights at emit time";
  if (options.sparse24 && options.halfWeights)
    if (std::optional<Sparse24Rows<float>> sparse =
            compressSparse24(*values, type.getDimSize(0), shape.k)) {
      std::vector<uint16_t> kept =
          roundToHalf(sparse->values, *options.halfWeights);
      return source(
          "DLC_A_SP24",
          program.addWeights(kept.data(), kept.size() * 2, ElemType::U16),
          null(), 0, null(), null(),
          program.addWeights(sparse->metadata.data(), sparse->metadata.size(),
                             ElemType::U8));
    }
  if (options.halfWeights) {
    std::vector<uint16_t> packed =
        packPanelsHalf(*values, shape, *options.halfWeights);
    return source(
        "DLC_A_TC16",
        program.addWeights(packed.data(), packed.size() * 2, ElemType::U16),
        null(), 0, null(), null());
  }
  std::vector<float> packed = packPanelsF32(*values, shape);
  return source(
      "DLC_A_F32",
      program.addWeights(packed.data(), packed.size() * 4, ElemType::F32),
      null(), 0, null(), null());
}

LogicalResult Lowering::lowerConv(Conv2DOp op, const FusedLayer &fused) {
  auto in = cast<ShapedType>(op.getInput().getType());
  auto weight = cast<ShapedType>(op.getWeight().getType());
  auto out = cast<ShapedType>(fused.result.getType());
  auto groups = static_cast<int64_t>(op.getGroups());
  Aggregate geom = convGeometry(in, weight, out, op.getStrides(), op.getPads(),
                                op.getDilations(), groups);
  FailureOr<Arg> ep = epilogue(op.getBias(), fused);
  if (failed(ep))
    return failure();
  if (isDepthwiseKernel(op)) {
    FailureOr<BufferRef> w = constantF32(op.getWeight(), op);
    if (failed(w))
      return failure();
    call("dlc_depthwise_f32",
         {Arg(in.getDimSize(0)), geom, bufferOf(op.getInput()), *w,
          bufferOf(fused.result), *ep, exec(0)},
         fused.comment + " (depthwise)");
    return success();
  }
  FailureOr<Arg> w = weightSource(op, op.getWeight(), groups);
  if (failed(w))
    return failure();
  std::vector<Arg> args = {Arg(in.getDimSize(0)),   geom,
                           bufferOf(op.getInput()), *w,
                           bufferOf(fused.result),  *ep};
  appendSplitArgs(op, args);
  call("dlc_conv2d_f32", gemmArgs(std::move(args)), fused.comment);
  return success();
}

LogicalResult Lowering::lowerLinear(LinearOp op, const FusedLayer &fused) {
  auto weight = cast<ShapedType>(op.getWeight().getType());
  int64_t m = weight.getDimSize(0), k = weight.getDimSize(1);
  FailureOr<Arg> w = weightSource(op, op.getWeight(), 1);
  FailureOr<Arg> ep = epilogue(op.getBias(), fused);
  if (failed(w) || failed(ep))
    return failure();
  std::vector<Arg> args = {Arg(numElements(op.getInput()) / k),
                           Arg(k),
                           Arg(m),
                           bufferOf(op.getInput()),
                           *w,
                           bufferOf(fused.result),
                           *ep};
  appendSplitArgs(op, args);
  call("dlc_linear_f32", gemmArgs(std::move(args)), fused.comment);
  return success();
}

LogicalResult Lowering::lowerMatMul(Operation *op, Value lhs, Value rhs,
                                    bool int8) {
  SmallVector<int64_t> a = shapeOf(lhs), b = shapeOf(rhs),
                       c = shapeOf(op->getResult(0));
  if (a.size() < 2 || b.size() < 2)
    return op->emitOpError("has a vector operand; ")
           << backendName() << " lowers matrix products of rank 2 and more";
  auto lb = matmulBatch(a, c), rb = matmulBatch(b, c);
  if (!lb || !rb)
    return op->emitOpError("broadcasts batch dimensions partially, which ")
           << backendName() << " does not lower";
  int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
  std::vector<Arg> args = {Arg(lb->first), Arg(m),        Arg(n),
                           Arg(k),         bufferOf(lhs), Arg(lb->second)};
  if (!int8) {
    llvm::append_values(args, bufferOf(rhs), Arg(rb->second),
                        bufferOf(op->getResult(0)),
                        temporary(op, ElemType::F32));
    appendSplitArgs(op, args);
    call("dlc_matmul_f32", gemmArgs(std::move(args)), describe(op));
    return success();
  }
  auto qa = perTensorParamsOf(lhs.getType());
  auto qb = perTensorParamsOf(rhs.getType());
  int64_t k4 = roundUp(k, 4);
  int64_t nc = roundUp(n, 8);
  quantization::UniformParams rhsScale;
  rhsScale.scale = qb.scale;
  Aggregate rq =
      requantParams(qa.scale, {rhsScale}, op->getResult(0).getType());
  llvm::append_values(args, Arg(qa.zeroPoint), bufferOf(rhs), Arg(rb->second),
                      Arg(qb.zeroPoint), bufferOf(op->getResult(0)), rq,
                      Arg(nc), temporary(op, ElemType::S8));
  appendS8GemmTail(op, args, k4, nc);
  call("dlc_qmatmul_s8", std::move(args), describe(op));
  return success();
}
