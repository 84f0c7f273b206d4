#!/usr/bin/env bash
# Top-1 accuracy of the digits CNN (test/Quant/Inputs/digits, 360 held-out
# images) after dlc-prune at several methods and sparsities, with the
# parameters, FLOPs and sparsity from the pruning report.
# Usage: bench/pruning_accuracy.sh [build-dir]
source "$(dirname "$0")/digits_common.sh" "$@"
base=$(accuracy "$work/fp32.npy")
printf '%-36s %9s %7s %11s %9s %9s\n' configuration accuracy drop parameters "FLOPs" sparsity
printf '%-36s %8s%% %7s %11s %9s %9s\n' "dense fp32" "$base" - 56778 1.000 0.000
for config in "magnitude 0.5 global|method=magnitude sparsity=0.5" \
              "magnitude 0.5 per layer|method=magnitude sparsity=0.5 scope=layer" \
              "magnitude 0.7 global|method=magnitude sparsity=0.7" \
              "magnitude 0.9 global|method=magnitude sparsity=0.9" \
              "2:4|method=2:4" \
              "channels l1 0.3|method=l1 sparsity=0.3" \
              "channels l2 0.3|method=l2 sparsity=0.3" \
              "channels l1 0.5|method=l1 sparsity=0.5" \
              "channels l1 FLOPs 0.8 uniform|method=l1 flops-target=0.8" \
              "channels l1 FLOPs 0.8 sensitivity|method=l1 flops-target=0.8 allocation=sensitivity calibration=$data/calib_x.npy" \
              "channels l1 FLOPs 0.6 uniform|method=l1 flops-target=0.6" \
              "channels l1 FLOPs 0.6 sensitivity|method=l1 flops-target=0.6 allocation=sensitivity calibration=$data/calib_x.npy" \
              "channels l1 FLOPs 0.4 uniform|method=l1 flops-target=0.4" \
              "channels l1 FLOPs 0.4 sensitivity|method=l1 flops-target=0.4 allocation=sensitivity calibration=$data/calib_x.npy"; do
  name="${config%%|*}"
  options="${config#*|}"
  "$bin/dlc-opt" "$work/fp32.mlir" --dlc-prune="$options report=$work/r.txt" \
    -o "$work/p.mlir" 2>/dev/null
  "$bin/dlc-run" "$work/p.mlir" --input "$data/test_x.npy" --output "$work/p.npy"
  acc=$(accuracy "$work/p.npy")
  params=$(sed -n 's/^parameters: [0-9]* -> \([0-9]*\)/\1/p' "$work/r.txt")
  flops=$(sed -n 's/^FLOPs: .*(\([0-9.]*\) of before)/\1/p' "$work/r.txt")
  sparsity=$(sed -n 's/^weight bytes: .*sparsity [0-9.]* -> \([0-9.]*\)/\1/p' "$work/r.txt")
  printf '%-36s %8s%% %7.2f %11s %9s %9s\n' "$name" "$acc" \
    "$(echo "$base - $acc" | bc -l)" "$params" "$flops" "$sparsity"
done
