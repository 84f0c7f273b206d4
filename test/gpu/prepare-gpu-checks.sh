#!/usr/bin/env bash
# prepare-gpu-checks.sh BUILD_DIR BUNDLE_DIR [NAME | part1 ... part4 ...]
#
# Run where dlc is built (no GPU needed). For each covered network (default:
# all of them) writes BUNDLE_DIR/NAME/ with the emitted CUDA model and runner
# (--emit-cuda --emit-cuda-runner), an input, the reference executor's output
# and the tolerance the GPU result must meet; plus, as timing models (no
# input or reference output: the checks run them on random:1), a 2048^3
# GEMM (fp32 and on fp16 tensor cores) for the cuBLAS comparison and
# ResNet-18's most frequent convolution (64 -> 64 channels, 3x3, 56x56,
# batch 8; fp32 and fp16) for the cuDNN one. Copy the bundle and this
# directory to the GPU machine and run run-gpu-checks.sh there. The full
# bundle is 219.8 MiB (the fp32 ResNet-18 46 MB, with fp16 / bf16 weights 24,
# with 2:4 ones 14, 2:4 int8 7, the GEMM timing models 17 and 8); name a
# part (below) or models to make it smaller.
set -euo pipefail
build=$(cd "$1" && pwd)
bundle=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
# The bundle in four parts, each within the 64 MiB a device call carries
# beside the working tree: every GEMM path on small models, the peer
# shapes and ResNet-18 2:4 at fp16 and int8 (60 MiB); ResNet-18 on int8, fp16 and bf16
# (58 MiB); ResNet-18 fp32 and MobileNetV2 (59 MiB); MobileNetV3-Small,
# ViT, Swin, ConvNeXt, an RMSNorm MLP and a U-Net (small ones), every
# F.interpolate mode, LR-ASPP, transposed convolutions (DCGAN), ESPCN and
# a YOLO-style detector at fp32, fp16 and int8 (41.8 MiB).
part1=(transformer transformer_int8 transformer_fp16
       digits_int8 digits_int8_dp4a digits_nf4 digits_nf4_fp16 digits_e4m3
       digits_e5m2 digits_fp16 digits_bf16 digits_sparse_fp16
       digits_sparse_fp16_t32 digits_nf4_t32 digits_sparse_int8
       digits_sparse_int8_t32 digits_sparse_e4m3 digits_tf32
       odd_shapes odd_shapes_fp16 odd_shapes_bf16 odd_shapes_int8
       odd_shapes_e4m3 odd_shapes_nf4_fp16 odd_shapes_sparse_fp16
       odd_shapes_sparse_int8 odd_shapes_sparse_e4m3 odd_shapes_tf32
       odd_shapes_int8_dp4a odd_attention odd_attention_fp16 odd_attention_int8
       odd_attention_wide odd_attention_wide_fp16 odd_attention_wide_int8
       odd_attention_tf32
       pooling pad_modes depthwise3x3 depthwise5x5s2 grouped3x3_fp16
       gemm2048 gemm2048_fp16 conv64x56 conv64x56_fp16 resnet18_sparse_fp16
       resnet18_sparse_int8)
part2=(resnet18_int8 resnet18_fp16 resnet18_bf16)
part3=(resnet18 mobilenet_v2)
part4=(mobilenet_v3_small mobilenet_v3_small_fp16 vit vit_fp16 vit_int8 swin
       swin_fp16 swin_int8 convnext convnext_fp16 rmsnorm_mlp rmsnorm_mlp_fp16
       unet_tiny unet_tiny_fp16 interpolate lraspp lraspp_fp16 conv_transpose
       dcgan dcgan_fp16 espcn yolo_tiny yolo_tiny_fp16)
[ $# -eq 0 ] && set -- part1 part2 part3 part4
names=()
for name in "$@"; do
  case $name in
  part1) names+=("${part1[@]}") ;;
  part2) names+=("${part2[@]}") ;;
  part3) names+=("${part3[@]}") ;;
  part4) names+=("${part4[@]}") ;;
  *) names+=("$name") ;;
  esac
done
py=/usr/bin/python3
bin=$build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$bundle"
digits=$src/test/Quant/Inputs/digits

# write_model NAME INPUT-SHAPE WEIGHT-SHAPE OP-LINE: writes work/NAME.mlir, a
# function of one input applying OP-LINE (%x, %w -> %y) with random weights
# scaled so that each output sums ~N(0, 1) terms, and work/NAME.input.npy;
# once per run of this script.
write_model() {
  [ -f "$work/$1.mlir" ] && return 0
  $py - "$work" "$@" <<'PY'
import ast, math, sys, numpy as np
work, name, in_shape, w_shape, line = sys.argv[1:6]
in_shape, w_shape = ast.literal_eval(in_shape), ast.literal_eval(w_shape)
rng = np.random.default_rng(0)
np.save(f"{work}/{name}.input.npy", rng.standard_normal(in_shape, dtype=np.float32))
fan_in = math.prod(w_shape[1:]) if len(w_shape) == 4 else w_shape[0]
w = rng.standard_normal(w_shape, dtype=np.float32) / np.float32(math.sqrt(fan_in))
t = lambda shape: "tensor<" + "x".join(map(str, shape)) + "xf32>"
out = line.split("-> ")[-1].strip()
with open(f"{work}/{name}.mlir", "w") as f:
    f.write(f"func.func @main(%x: {t(in_shape)}) -> {out} {{\n")
    f.write(f"  %w = dlc.constant dense_resource<w> : {t(w_shape)}\n")
    f.write(line + "\n")
    f.write(f"  return %y : {out}\n}}\n")
    f.write("{-#\n  dialect_resources: {\n    builtin: {\n      w: \"0x04000000")
    f.write(w.tobytes().hex().upper())
    f.write("\"\n    }\n  }\n#-}\n")
PY
}

# import_digits: work/digits.mlir, the digits CNN imported (once).
import_digits() {
  [ -f "$work/digits.mlir" ] ||
    "$bin/dlc-translate" --import-onnx "$digits/digits_cnn.onnx" -o "$work/digits.mlir"
}

source_of() { # NAME -> prints "mlir-file input-file tolerance [emit-flags]"
  case $1 in
  resnet18_fp16 | resnet18_bf16)
    # fp32 layers on fp16 / bf16 tensor cores. The tolerances are about 10x
    # what rounding each conv and linear layer's inputs and weights gives
    # in PyTorch (fp32 otherwise): 4.7e-4 (fp16) and 3.8e-3 (bf16).
    read -r mlir input _ < <(source_of resnet18)
    local tol=5e-3
    [ "$1" = resnet18_bf16 ] && tol=4e-2
    echo "$mlir $input $tol --cuda-precision=${1#resnet18_}" ;;
  resnet18_sparse_fp16)
    # Pruned 2:4 (dlc-prune), on sparse tensor cores at fp16 precision,
    # against the executor on the same pruned weights: the fp16 rounding
    # of resnet18_fp16, so its tolerance.
    read -r mlir input _ < <(source_of resnet18)
    "$bin/dlc-opt" "$mlir" --dlc-prune="method=2:4" -o "$work/$1.mlir"
    echo "$work/$1.mlir $input 5e-3 --cuda-precision=fp16" ;;
  resnet18_sparse_int8)
    # Pruned 2:4, then quantized: 20 of 21 layers on the int8 sparse tensor
    # cores (mma.sp m16n8k64); int8 sums are exact: identical.
    read -r mlir input _ < <(source_of resnet18)
    "$bin/dlc-opt" "$mlir" --dlc-prune="method=2:4" -o "$work/resnet18_sparse.mlir"
    "$bin/dlc-opt" "$work/resnet18_sparse.mlir" --dlc-quantize="calibration=$input progress=false" -o "$work/$1.mlir"
    echo "$work/$1.mlir $input 0" ;;
  transformer_fp16)
    # The transformer block's linear layers and attention matmuls (their
    # activations packed at run time) on fp16 tensor cores.
    read -r mlir input _ < <(source_of transformer)
    echo "$mlir $input 5e-3 --cuda-precision=fp16" ;;
  mobilenet_v3_small_fp16 | vit_fp16 | swin_fp16 | convnext_fp16 | \
  rmsnorm_mlp_fp16 | unet_tiny_fp16 | lraspp_fp16 | dcgan_fp16 | \
  yolo_tiny_fp16)
    # torchvision's newer families (hard sigmoid gates, layer norms over
    # tokens and over channels last, windowed attention) with their conv,
    # linear and matmul layers on fp16 tensor cores.
    read -r mlir input _ < <(source_of "${1%_fp16}")
    echo "$mlir $input 5e-3 --cuda-precision=fp16" ;;
  resnet18 | resnet18_int8 | mobilenet_v2 | transformer | transformer_int8 | \
  mobilenet_v3_small | vit | vit_int8 | swin | swin_int8 | convnext | \
  rmsnorm_mlp | unet_tiny | interpolate | lraspp | conv_transpose | dcgan | \
  espcn | yolo_tiny)
    local net=${1%_int8}
    if [ ! -f "$work/$net.mlir" ]; then
      $py "$src/test/Target/ONNX/Inputs/export_torch.py" "$net" "$work" >/dev/null
      "$bin/dlc-translate" --import-onnx "$work/$net.onnx" -o "$work/$net.imported.mlir"
      "$bin/dlc-opt" "$work/$net.imported.mlir" --dlc-fold-batchnorm --canonicalize -o "$work/$net.mlir"
    fi
    if [ "$1" = "$net" ]; then
      echo "$work/$net.mlir $work/$net.input.npy 1e-4"
    else
      "$bin/dlc-opt" "$work/$net.mlir" --dlc-quantize="calibration=$work/$net.input.npy progress=false" -o "$work/$1.mlir"
      echo "$work/$1.mlir $work/$net.input.npy 0"
    fi ;;
  digits_fp16 | digits_bf16 | digits_tf32 | digits_sparse_fp16)
    # The fp32 digits CNN on fp16 / bf16 / tf32 tensor cores (the sparse
    # one pruned 2:4 first: every layer but the 9-step stem runs on mma.sp),
    # at resnet18_fp16's / resnet18_bf16's tolerances (tf32 keeps fp16's
    # 10 mantissa bits: fp16's).
    local mlir=$work/digits_fp32.mlir tol=5e-3 precision=${1##*_}
    [ "$precision" = bf16 ] && tol=4e-2
    import_digits
    [ -f "$mlir" ] || "$bin/dlc-opt" "$work/digits.mlir" --dlc-infer-shapes=batch=360 -o "$mlir"
    if [ "$1" = digits_sparse_fp16 ]; then
      "$bin/dlc-opt" "$mlir" --dlc-prune="method=2:4" -o "$work/$1.mlir"
      mlir=$work/$1.mlir
    fi
    echo "$mlir $digits/test_x.npy $tol --cuda-precision=$precision" ;;
  digits_sparse_int8 | digits_sparse_e4m3)
    # The digits CNN pruned 2:4, then quantized: every layer but the 9-step
    # stem on the 8-bit sparse tensor cores (mma.sp m16n8k64; fp8 for an
    # sm_89 target, an L4). int8 sums are exact: identical; fp8 at
    # digits_e4m3's tolerance.
    import_digits
    local precision=int8 tol=0 flags=
    if [ "$1" = digits_sparse_e4m3 ]; then
      precision=fp8-e4m3 tol=2e-2 flags=--cuda-target=l4
    fi
    [ -f "$work/digits_sparse.mlir" ] || "$bin/dlc-opt" "$work/digits.mlir" --dlc-prune="method=2:4" -o "$work/digits_sparse.mlir"
    "$bin/dlc-opt" "$work/digits_sparse.mlir" --dlc-quantize="precision=$precision calibration=$digits/calib_x.npy progress=false" --dlc-infer-shapes=batch=360 -o "$work/$1.mlir"
    echo "$work/$1.mlir $digits/test_x.npy $tol $flags" ;;
  digits_sparse_fp16_t32 | digits_nf4_t32 | digits_sparse_int8_t32)
    # digits_sparse_fp16 on the smallest tile a target may give, 32 x 32
    # (one 16x8 mma tile per warp), 8 stages deep (the 2:4 kernel's stages
    # are 32 steps long: 7 of them fit 48 KB; the 8-bit one's 64 steps, 8
    # fit); digits_nf4 on it with 2 rows of a panel per thread of the fp32
    # kernel.
    read -r mlir input tol flags < <(source_of "${1%_t32}")
    cat > "$work/small-tiles.json" <<'JSON'
{"targets": [{"name": "sm80-t32", "kind": "gpu", "peak_tflops": {"fp32": 19.5},
  "memory_gbps": 1935,
  "cuda": {"arch": "sm_80", "tile_m": 32, "tile_n": 32, "stages": 8}}]}
JSON
    echo "$mlir $input $tol $flags --target-file=$work/small-tiles.json --cuda-target=sm80-t32" ;;
  digits_nf4_fp16) # NF4 weights decoded into the fp16 tensor-core kernel
    read -r mlir input _ < <(source_of digits_nf4)
    echo "$mlir $input 5e-3 --cuda-precision=fp16" ;;
  digits_int8_dp4a | odd_shapes_int8_dp4a)
    # The int8 models emitted for a Pascal GPU (sm_61, 30 SMs): int8 tensor
    # cores (mma.sync) begin at sm_75, so the .cu runs the dp4a kernel on
    # any GPU (odd_shapes' classifier in 9 split-K slices).
    read -r mlir input _ < <(source_of "${1%_dp4a}")
    cat > "$work/pascal.json" <<'JSON'
{"targets": [{"name": "p40", "kind": "gpu", "peak_tflops": {"fp32": 11.8},
  "memory_gbps": 346, "cuda": {"arch": "sm_61", "sms": 30}}]}
JSON
    echo "$mlir $input 0 --target-file=$work/pascal.json --cuda-target=p40" ;;
  digits_int8 | digits_nf4 | digits_e4m3 | digits_e5m2)
    local precision=${1#digits_}
    [ "${precision:0:1}" = e ] && precision=fp8-$precision
    import_digits
    [ -f "$work/$1.mlir" ] || "$bin/dlc-opt" "$work/digits.mlir" --dlc-quantize="precision=$precision calibration=$digits/calib_x.npy progress=false" --dlc-infer-shapes=batch=360 -o "$work/$1.mlir"
    # int8 sums are exact: identical. NF4 weights feed fp32 sums: the fp32
    # contract. fp8 products are exact but the GPU sums them in another
    # order than the executor (and the tensor cores' fp8 accumulation keeps
    # fewer bits): a hidden value that lands on the other side of an fp8
    # rounding boundary moves by a whole fp8 step (1/8 of it for E4M3).
    # 2e-2 allows a few such steps; the first GPU run is to measure it.
    local tol=1e-4
    [ "$1" = digits_int8 ] && tol=0
    [ "${1:0:8}" = digits_e ] && tol=2e-2
    echo "$work/$1.mlir $digits/test_x.npy $tol" ;;
  odd_attention | odd_attention_fp16 | odd_attention_tf32 | \
  odd_attention_int8 | \
  odd_attention_wide | odd_attention_wide_fp16 | odd_attention_wide_int8)
    # Matmuls of two activations with odd M, N and K, and (wide) long
    # enough reductions for split-K (odd_shapes.py).
    [ -f "$work/odd_attention.mlir" ] || $py "$here/odd_shapes.py" "$work"
    local base=${1%_fp16}
    base=${base%_int8}
    base=${base%_tf32}
    local mlir=$work/$base.mlir input=$work/$base.input.npy
    case $1 in
    odd_attention | odd_attention_wide) echo "$mlir $input 1e-4" ;;
    *_fp16) echo "$mlir $input 5e-3 --cuda-precision=fp16" ;;
    *_tf32) echo "$mlir $input 5e-3 --cuda-precision=tf32" ;;
    *_int8)
      "$bin/dlc-opt" "$mlir" --dlc-quantize="calibration=$input progress=false" -o "$work/$1.mlir"
      echo "$work/$1.mlir $input 0" ;;
    esac ;;
  odd_shapes | odd_shapes_fp16 | odd_shapes_bf16 | odd_shapes_tf32 | \
  odd_shapes_int8 | \
  odd_shapes_e4m3 | odd_shapes_nf4_fp16 | odd_shapes_sparse_fp16 | \
  odd_shapes_sparse_int8 | odd_shapes_sparse_e4m3)
    # Ragged shapes (odd_shapes.py) on every GEMM path, at the tolerances
    # of the digits models on the same paths.
    local mlir=$work/odd_shapes.mlir input=$work/odd_shapes.input.npy
    [ -f "$mlir" ] || $py "$here/odd_shapes.py" "$work"
    case $1 in
    odd_shapes) echo "$mlir $input 1e-4" ;;
    odd_shapes_fp16) echo "$mlir $input 5e-3 --cuda-precision=fp16" ;;
    odd_shapes_bf16) echo "$mlir $input 4e-2 --cuda-precision=bf16" ;;
    odd_shapes_tf32) echo "$mlir $input 5e-3 --cuda-precision=tf32" ;;
    odd_shapes_int8 | odd_shapes_e4m3)
      local precision=int8 tol=0
      [ "$1" = odd_shapes_e4m3 ] && precision=fp8-e4m3 tol=2e-2
      "$bin/dlc-opt" "$mlir" --dlc-quantize="precision=$precision calibration=$input progress=false" -o "$work/$1.mlir"
      echo "$work/$1.mlir $input $tol" ;;
    odd_shapes_nf4_fp16)
      "$bin/dlc-opt" "$mlir" --dlc-quantize="precision=nf4" -o "$work/$1.mlir"
      echo "$work/$1.mlir $input 5e-3 --cuda-precision=fp16" ;;
    odd_shapes_sparse_fp16)
      "$bin/dlc-opt" "$mlir" --dlc-prune="method=2:4" -o "$work/$1.mlir"
      echo "$work/$1.mlir $input 5e-3 --cuda-precision=fp16" ;;
    odd_shapes_sparse_int8 | odd_shapes_sparse_e4m3)
      local precision=int8 tol=0 flags=
      if [ "$1" = odd_shapes_sparse_e4m3 ]; then
        precision=fp8-e4m3 tol=2e-2 flags=--cuda-target=l4
      fi
      "$bin/dlc-opt" "$mlir" --dlc-prune="method=2:4" -o "$work/odd_shapes_sparse.mlir"
      "$bin/dlc-opt" "$work/odd_shapes_sparse.mlir" --dlc-quantize="precision=$precision calibration=$input progress=false" -o "$work/$1.mlir"
      echo "$work/$1.mlir $input $tol $flags" ;;
    esac ;;
  pad_modes) # ONNX Pad's three modes chained: reflect, edge, constant
    $py -c "import numpy; numpy.save('$work/pad_modes.input.npy', numpy.random.default_rng(0).standard_normal((1, 4, 9, 9)).astype(numpy.float32))"
    cat > "$work/pad_modes.mlir" <<'MLIR'
func.func @main(%x: tensor<1x4x9x9xf32>) -> tensor<1x5x17x16xf32> {
  %a = dlc.pad %x {pads = array<i64: 0, 0, 2, 1, 0, 0, 1, 3>, mode = #dlc.pad_mode<reflect>} : (tensor<1x4x9x9xf32>) -> tensor<1x4x12x13xf32>
  %b = dlc.pad %a {pads = array<i64: 0, 1, 1, 0, 0, 0, 2, 2>, mode = #dlc.pad_mode<edge>} : (tensor<1x4x12x13xf32>) -> tensor<1x5x15x15xf32>
  %c = dlc.pad %b {pads = array<i64: 0, 0, 2, 0, 0, 0, 0, 1>, value = 5.0e-01 : f32} : (tensor<1x5x15x15xf32>) -> tensor<1x5x17x16xf32>
  return %c : tensor<1x5x17x16xf32>
}
MLIR
    echo "$work/pad_modes.mlir $work/pad_modes.input.npy 0" ;;
  pooling) # every pooling form, fp32 and int8 (the ARM test's model)
    $py -c "import numpy; numpy.save('$work/pooling.input.npy', numpy.random.default_rng(0).standard_normal((1, 8, 65, 65)).astype(numpy.float32))"
    echo "$src/test/Target/ARM/Inputs/pooling.mlir $work/pooling.input.npy 1e-6" ;;
  gemm2048 | gemm2048_fp16 | conv64x56 | conv64x56_fp16)
    # The shapes timed against cuBLAS (y = x W, 2048 x 2048 each) and cuDNN
    # (ResNet-18's most frequent convolution, layer1's 64 -> 64 3x3 on
    # 56x56, at batch 8). Timing models: the runner makes its input
    # (random:1) and nothing is compared, which keeps their inputs and
    # reference outputs (32 and 13 MB) out of the bundle; their kernels'
    # numerics are the other models' (ResNet-18 runs the same convolution,
    # the transformer and odd_shapes long GEMMs). Weights ~N(0, 1/fan_in).
    if [ "${1#gemm2048}" != "$1" ]; then
      write_model gemm2048 "(2048, 2048)" "(2048, 2048)" \
        "  %y = dlc.linear %x, %w : (tensor<2048x2048xf32>, tensor<2048x2048xf32>) -> tensor<2048x2048xf32>"
    else
      write_model conv64x56 "(8, 64, 56, 56)" "(64, 64, 3, 3)" \
        "  %y = dlc.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<8x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<8x64x56x56xf32>"
    fi
    local flags=
    [ "${1%_fp16}" != "$1" ] && flags=--cuda-precision=fp16
    echo "$work/${1%_fp16}.mlir random - $flags" ;;
  grouped3x3_fp16)
    # A grouped convolution on fp16 tensor cores: 2 groups of 3 -> 4
    # channels, so each group's 27 reduction steps end in half a pair and
    # its 4 rows fill half a panel (the weights are packed per group in
    # pairs of steps).
    write_model "$1" "(2, 6, 20, 20)" "(8, 3, 3, 3)" \
      "  %y = dlc.conv2d %x, %w {groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<2x6x20x20xf32>, tensor<8x3x3x3xf32>) -> tensor<2x8x20x20xf32>"
    echo "$work/$1.mlir $work/$1.input.npy 5e-3 --cuda-precision=fp16" ;;
  depthwise3x3 | depthwise5x5s2)
    # Depthwise convolutions on maps wide enough for the tiled kernel
    # (stride 1 3x3, and stride 2 5x5 with its wider window); each output
    # sums its taps in the executor's order: identical.
    if [ "$1" = depthwise3x3 ]; then
      write_model "$1" "(2, 32, 56, 56)" "(32, 1, 3, 3)" \
        "  %y = dlc.conv2d %x, %w {groups = 32 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<2x32x56x56xf32>, tensor<32x1x3x3xf32>) -> tensor<2x32x56x56xf32>"
    else
      write_model "$1" "(2, 16, 113, 113)" "(16, 1, 5, 5)" \
        "  %y = dlc.conv2d %x, %w {groups = 16 : i64, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x16x113x113xf32>, tensor<16x1x5x5xf32>) -> tensor<2x16x57x57xf32>"
    fi
    echo "$work/$1.mlir $work/$1.input.npy 0" ;;
  *) echo "unknown network '$1'" >&2; return 1 ;;
  esac
}

for name in "${names[@]}"; do
  read -r mlir input tol flags < <(source_of "$name")
  out=$bundle/$name
  rm -rf "$out"
  # shellcheck disable=SC2086 # flags: zero or more words
  "$bin/dlc-translate" --emit-cuda "$mlir" -o "$out" --emit-cuda-runner $flags
  # A timing model has no input.npy, expected.npy or tolerance: the checks
  # run it on random:1.
  if [ "$input" = random ]; then
    echo "prepared $name (timing only)"
    continue
  fi
  cp "$input" "$out/input.npy"
  "$bin/dlc-run" "$mlir" --input "$input" --output "$out/expected.npy"
  echo "$tol" > "$out/tolerance"
  echo "prepared $name (tolerance $tol)"
done
cp "$here/run-gpu-checks.sh" "$here/npy_compare.cpp" "$here/cublas_gemm.cu" \
  "$here/cudnn_conv.cu" "$here/sparse_meta_probe.cu" "$bundle/"
