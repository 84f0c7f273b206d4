//===- Passes.td - dlc dialect passes ----------------------*- tablegen -*-===//

#ifndef DLC_DIALECT_DLC_TRANSFORMS_PASSES_TD
#define DLC_DIALECT_DLC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def InferShapes : Pass<"dlc-infer-shapes", "::mlir::ModuleOp"> {
  let summary = "Propagate shapes through dlc ops, optionally fixing the batch";
  let description = [{
    Recomputes the result type of every op that infers its types, in program
    order, and updates each function's result types to match what it
    returns. With `batch=N`, a dynamic leading (batch) dimension of each
    function argument first becomes `N`, so a dynamic-batch network is
    specialized to a static one (what the cost model and the backends want
    for a fixed deployment batch).

    Numerics: the computation is unchanged; only types are refined. A shape
    conflict discovered on the way is reported at the op that causes it and
    the pass fails. A function called from elsewhere in the module cannot
    be given a static batch (its call sites would disagree): the pass
    reports it and fails without rewriting anything.

    Example: `dlc-opt --dlc-infer-shapes=batch=8 model.mlir`.
  }];
  let options = [
    Option<"batch", "batch", "int64_t", /*default=*/"0",
           "Static size for dynamic batch dimensions of function arguments "
           "(0 keeps them dynamic)">
  ];
}

def FoldBatchNorm : Pass<"dlc-fold-batchnorm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference batch normalization into neighbouring ops";
  let description = [{
    Removes `dlc.batch_norm` ops whose statistics are constants:

    - conv2d -> batch_norm (any groups, with or without bias): the conv's
      weights are scaled per output channel and the shift becomes its bias;
    - linear -> batch_norm on a 2-D output (BatchNorm1d after a linear
      layer): the same per output feature;
    - batch_norm -> conv2d when the conv has no padding (zero padding of a
      normalized input is not the normalization of a zero-padded one): the
      scale goes into the weights per input channel, the shift into the bias;
    - any other batch_norm becomes a per-channel `dlc.mul` and `dlc.add`
      (`scale-shift=false` keeps it instead).

    Numerics: exact up to rounding. Scale `gamma / sqrt(var + eps)`, shift
    and the new weights are computed in double and rounded once to f32; the
    folded network matches the original within 1e-5 relative.
  }];
  let options = [
    Option<"scaleShift", "scale-shift", "bool", /*default=*/"true",
           "Turn batch norms that cannot fold into a per-channel mul and add">
  ];
  let dependentDialects = ["::mlir::dlc::DLCDialect"];
}

def Reparameterize : Pass<"dlc-reparameterize", "::mlir::func::FuncOp"> {
  let summary = "Merge multi-branch conv blocks into one convolution";
  let description = [{
    Structural reparameterization as RepVGG and ACNet deploy: a sum (a tree
    of `dlc.add`, in any order) whose terms all read the same input `x` and
    are each

    - a `dlc.conv2d` of `x` with constant weights (kxk, 1x1, 1xk or kx1),
    - a `dlc.avg_pool2d` of `x` (the Diverse Branch Block's pooling branch,
      counting padding, with the convs' stride): a per-channel box kernel,
    - `x` itself (an identity branch), or
    - a per-channel affine `x * s + t` of constants (an identity branch with
      batch norm, as `dlc-fold-batchnorm` leaves it),

    becomes a single conv whose kernel is the largest (odd) branch kernel.
    Likewise the Diverse Branch Block's other forms: convs of one input
    concatenated along channels become one conv with stacked kernels, and a
    1x1 conv followed by a kxk conv becomes one kxk conv (when the kxk pads
    nothing or the 1x1 has no bias). In a merged kernel
    smaller kernels are zero-padded into its centre, an identity branch is
    an identity kernel (per group), and the biases add up. Branches must
    agree on stride, groups, dilation 1 and on the padding once centred
    (a 1x1 branch with padding p-1 next to a 3x3 with padding p); a block
    that does not is left alone, with a remark at its sum that says why. Run `dlc-fold-batchnorm` first so that branch batch norms are
    inside the convs.

    Numerics: exact up to rounding (kernels are summed in double); the
    merged network matches within 1e-5 relative.
  }];
  let dependentDialects = ["::mlir::dlc::DLCDialect"];
}

def PadChannels : Pass<"dlc-pad-channels", "::mlir::func::FuncOp"> {
  let summary = "Pad conv channels to the target's alignment where it pays";
  let description = [{
    Tensor cores and dot-product units run at full rate only when channel
    counts are multiples of some N (8 for fp16 on NVIDIA GPUs, 16 for int8).
    For each ungrouped conv with constant weights whose output channel count
    (or, for a function argument, input channel count) is not a multiple of
    N, and for each 2-D linear layer whose output features are not, the
    pass asks the cost model
    whether the padded conv (plus, for inputs, the `dlc.pad` that widens
    them) is predicted faster on the target, and pads only then: extra
    filters are zero with zero bias, extra input channels read zero
    weights. The padding is carried through the ops that follow
    (activations, elementwise ops of equally padded tensors or per-channel
    constants, pooling, batch norm) and absorbed by the next conv or linear
    layer, which
    gets zero weights for the extra channels, so a padded chain is not cut
    back at every layer; the real width reappears with a `dlc.slice` only
    where it must (a concat, a reshape, a function result). Each padding is
    reported as a remark with the predicted times.

    `multiple=N` forces the alignment (with no target, padding is then
    unconditional). Numerics: exact; padded channels carry values that
    only ever meet zero weights.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "Target whose alignment and cost decide (see dlc-cost-report)">,
    Option<"targetFile", "target-file", "std::string", /*default=*/"\"\"",
           "JSON file of extra or replacement targets">,
    Option<"multiple", "multiple", "int64_t", /*default=*/"0",
           "Channel multiple to pad to (0: the target's for the element type)">
  ];
  let dependentDialects = ["::mlir::dlc::DLCDialect"];
}

def Quantize : Pass<"dlc-quantize", "::mlir::func::FuncOp"> {
  let summary = "Quantize weights and activations to int8, fp8 or NF4";
  let description = [{
    Post-training quantization. Activation ranges come from running the
    reference executor on calibration inputs (`calibration=` a `.npy` file or
    a directory of them, each a batch for the function's one argument, or
    `a.npy,b.npy`, one file per argument) and are chosen by
    `calibration-method`: `minmax`, `percentile`
    (of |x|), `entropy` (TensorRT's KL-divergence threshold) or `mse`.

    `precision`:
    - `int8` / `w8a8`: conv2d, linear and add compute in int8 with int32
      accumulation and fixed-point requantization (`dlc.qconv2d`,
      `dlc.qlinear`, `dlc.qadd`); a following ReLU or clip folds into the
      output's storage range; pooling, flatten, reshape and concat stay in
      int8. Weights are symmetric (per output channel by default), biases
      int32, activations per-tensor (asymmetric unless `symmetric`).
    - `w8a16`: int8 weights dequantized for fp32 compute.
    - `fp8-e4m3` / `fp8-e5m2`: conv2d and linear on fp8 inputs and weights
      with fp32 accumulation; scales from the absolute maximum (amax / 448
      or amax / 57344), per output channel for weights.
    - `nf4` / `w4a16`: weight-only NF4 in blocks of `block-size` (64),
      optionally double-quantized (`double-quant`).

    - `auto`: int8 where the network's output stays within
      `error-budget` (the minimum output SQNR in dB on the first
      calibration batch); layers are returned to fp32 one by one, each time
      the one with the most output noise per microsecond of predicted int8
      speedup on `target`, until the budget holds.

    Ops named in `skip` (by layer name, i.e. the ONNX node name, or by op
    name such as `dlc.linear`) stay in fp32. Everything else not listed
    above stays fp32 between `dlc.dequantize` and `dlc.quantize`.

    `report=FILE` (`-`: stdout) writes per-layer weight and output SQNR
    (dB, against fp32 on the first calibration batch), model size and bits
    per stored weight, and the predicted latency on `target` before and
    after. `sensitivity=true` adds each layer's effect on the output: the
    output SQNR with only that layer quantized, most sensitive first.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"int8\"",
           "int8 (= w8a8), w8a16, fp8-e4m3, fp8-e5m2, nf4 (= w4a16), auto">,
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "A .npy file or a directory of .npy files of inputs, or one .npy "
           "file per argument, comma-separated">,
    Option<"method", "calibration-method", "std::string",
           /*default=*/"\"entropy\"",
           "Activation range: minmax, percentile, entropy or mse">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "Percentile of |x| for calibration-method=percentile">,
    Option<"maxSamples", "max-samples", "int64_t", /*default=*/"0",
           "Calibrate on at most this many samples (0: all)">,
    Option<"granularity", "granularity", "std::string",
           /*default=*/"\"per-channel\"",
           "Weight scales: per-channel or per-tensor (int8, fp8)">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"false",
           "Symmetric activation ranges (zero point 0)">,
    Option<"blockSize", "block-size", "int64_t", /*default=*/"64",
           "NF4 block size">,
    Option<"doubleQuant", "double-quant", "bool", /*default=*/"false",
           "Store NF4 block scales in 8 bits (per 256 blocks)">,
    Option<"progress", "progress", "bool", /*default=*/"true",
           "Print calibration progress to stderr">,
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Write a quantization report to this file ('-': stdout)">,
    Option<"sensitivity", "sensitivity", "bool", /*default=*/"false",
           "Rank layers by their effect on the output (in the report)">,
    Option<"errorBudget", "error-budget", "double", /*default=*/"30.0",
           "precision=auto: minimum output SQNR in dB">,
    Option<"target", "target", "std::string", /*default=*/"\"host\"",
           "Target whose cost model the report and precision=auto use">,
    Option<"targetFile", "target-file", "std::string", /*default=*/"\"\"",
           "JSON file of extra or replacement targets">,
    ListOption<"skip", "skip", "std::string",
               "Layer names or op names to keep in fp32">
  ];
  let dependentDialects = ["::mlir::dlc::DLCDialect",
                           "::mlir::quant::QuantDialect"];
}

def Prune : Pass<"dlc-prune", "::mlir::func::FuncOp"> {
  let summary = "Prune weights (unstructured, 2:4) or whole channels";
  let description = [{
    `method`:
    - `magnitude`: zeroes the `sparsity` fraction of smallest-magnitude
      weights of each conv/linear layer (`scope=layer`) or across all of
      them (`scope=global`); the weight is marked
      `dlc.sparsity = "unstructured"`.
    - `2:4`: keeps the two largest of every four consecutive weights along
      each output row (the reduction axis); marked `dlc.sparsity = "2:4"`,
      which the verifier checks and the cost model runs on sparse tensor
      cores where the target has them.
    - `l1`, `l2`, `bn-gamma`: structured pruning that removes channels from
      the IR. Channels are grouped by dependency: a conv's output channels,
      the batch norms, activations, pools and depthwise convs they pass
      through, the residual adds that tie them to other producers, and the
      input channels of every consumer (conv, linear behind a flatten) form
      one group (on tokens, N x T x F, the features are the channels: a
      transformer MLP's hidden features), scored together (filter norms summed over the group's
      producers, or |gamma| of its batch norms) and pruned together. The
      analysis ties single channels, so it follows channel concats (each
      input's channels at their offset), channel slices and splits, and
      channel shuffles (reshape, transpose, reshape; every shuffle group
      keeps the same indices). Channels that reach a function argument or
      result or an op the analysis does not follow are left whole. Each group keeps
      `1 - sparsity` of its channels, rounded up to `align` (or the
      target's alignment), at least `min-channels`.
    - `heads`: removes whole attention heads. A block is followed back from
      an output projection that reads merged heads (a reshape of
      `... x heads x dim` into `... x heads*dim`) through transposes,
      reshapes, splits, matmuls (the heads a batch axis), the scale, mask
      and softmax, to the projections whose features a reshape splits into
      heads (one fused query-key-value projection or one per part). Each
      block loses `floor(sparsity * heads)` heads (at least one stays),
      those with the lowest L1 norm over their projection rows and
      output-projection columns: their rows, columns and biases go and
      every reshape on the way shrinks. With `allocation=sensitivity` and
      `calibration`, `floor(sparsity * all heads)` go instead, across the
      network, those whose removal alone (on a copy) adds the least output
      noise on the calibration inputs first. A block whose heads escape it
      (a value with the head axis read by anything else) is left whole,
      with a remark saying where.

    Layers (ONNX node names) or op names in `skip` are not pruned; for the
    structured methods a skipped layer pins its output group. With
    `flops-target=F` or `latency-target=L`, structured and head pruning
    search the sparsity (bisection, on copies) that keeps at most that fraction
    of the FLOPs or of the predicted latency on `target`, the same for
    every group (`allocation=uniform`); `allocation=sensitivity` gives
    each group its own sparsity (multiples of 0.1, at most 0.9): every
    group is pruned alone at each level on a copy and run on the
    `calibration` inputs, and the steps that add the least output noise
    per FLOP (or microsecond) saved are taken first until the target holds. `report=FILE`
    (`-`: stdout) prints per layer and in total the parameters (non-zero),
    FLOPs and predicted latency on `target` before and after.
  }];
  let options = [
    Option<"method", "method", "std::string", /*default=*/"\"magnitude\"",
           "magnitude, 2:4, l1, l2, bn-gamma or heads">,
    Option<"sparsity", "sparsity", "double", /*default=*/"0.5",
           "Fraction of weights (magnitude), of channels per group "
           "(structured) or of heads per attention block (heads) to remove">,
    Option<"scope", "scope", "std::string", /*default=*/"\"global\"",
           "magnitude: threshold per layer or global">,
    Option<"align", "align", "int64_t", /*default=*/"0",
           "Round kept channel counts up to this multiple (0: the target's "
           "fp32 alignment when target is set, else 1)">,
    Option<"minChannels", "min-channels", "int64_t", /*default=*/"1",
           "Keep at least this many channels per group">,
    Option<"flopsTarget", "flops-target", "double", /*default=*/"0.0",
           "Structured and heads: instead of sparsity, the fraction of the "
           "FLOPs to keep (the smallest sparsity that reaches it)">,
    Option<"latencyTarget", "latency-target", "double", /*default=*/"0.0",
           "Structured and heads: instead of sparsity, the fraction of the "
           "predicted latency on target to keep">,
    Option<"allocation", "allocation", "std::string", /*default=*/"\"uniform\"",
           "Structured, with a FLOPs or latency target: one sparsity for "
           "every group (uniform) or per group by output sensitivity "
           "(sensitivity, needs calibration); heads: per block by L1 "
           "(uniform) or across blocks by output noise (sensitivity)">,
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "Inputs for allocation=sensitivity: a .npy file, a directory of "
           "them, or one per argument, comma-separated">,
    Option<"maxSamples", "max-samples", "int64_t", /*default=*/"0",
           "Use at most this many calibration samples (0: all)">,
    Option<"maxLayerSparsity", "max-layer-sparsity", "double",
           /*default=*/"1.0",
           "Magnitude: no layer loses more than this fraction of its "
           "weights (a per-layer limit on the global threshold)">,
    Option<"target", "target", "std::string", /*default=*/"\"host\"",
           "Target for alignment and the latency in the report">,
    Option<"targetFile", "target-file", "std::string", /*default=*/"\"\"",
           "JSON file of extra or replacement targets">,
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Write a pruning report to this file ('-': stdout)">,
    ListOption<"skip", "skip", "std::string",
               "Layer names or op names to leave unpruned">
  ];
  let dependentDialects = ["::mlir::dlc::DLCDialect"];
}

def CostReport : Pass<"dlc-cost-report", "::mlir::ModuleOp"> {
  let summary = "Report FLOPs, parameters, memory traffic and latency per layer";
  let description = [{
    Costs every function on a target with dlc's roofline model (see
    docs/CostModel.md) and prints a per-layer table (name, op, output shape,
    FLOPs, parameters, bytes moved, arithmetic intensity, compute- or
    memory-bound, predicted time and its share), then totals: MACs, FLOPs,
    parameters, weight bytes per element type, peak activation memory,
    latency and throughput, and compression metrics (model size, ratio to
    fp32, sparsity). Ops whose cost cannot be known are listed as
    "unknown".

    A dynamic batch is costed at `batch` (on a copy: the IR is not
    changed); `batches=1,2,4` adds latency and throughput for each size.
    `format=json` and `format=csv` serve tools; `format=svg` draws a
    roofline chart (each layer a point at its arithmetic intensity and
    predicted attained throughput, under the target's memory slope and
    compute ceilings) above a bar chart of predicted time per layer.
    `output=FILE` writes there instead of stdout.

    Example: `dlc-opt --dlc-cost-report="target=h200 format=json" m.mlir`.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"host\"",
           "Hardware to cost on (h200, a100, t4, orin, cortex-a78, "
           "cortex-a55, host, or one from target-file)">,
    Option<"targetFile", "target-file", "std::string", /*default=*/"\"\"",
           "JSON file of extra or replacement targets">,
    Option<"format", "format", "std::string", /*default=*/"\"table\"",
           "table, json, csv or svg">,
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "File for the report ('-': stdout)">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "Report only this function (format=svg draws exactly one)">,
    Option<"batch", "batch", "int64_t", /*default=*/"1",
           "Size given to a dynamic batch dimension">,
    Option<"fuse", "fuse", "bool", /*default=*/"true",
           "Cost elementwise ops as fused into their producer (as a "
           "backend runs them); false costs every op as its own kernel, as "
           "the reference executor runs them">,
    ListOption<"batches", "batches", "int64_t",
               "Batch sizes to report latency and throughput for">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // DLC_DIALECT_DLC_TRANSFORMS_PASSES_TD
