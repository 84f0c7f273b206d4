#!/usr/bin/env bash
# Top-1 accuracy of the digits CNN (test/Quant/Inputs/digits, 360 held-out
# images) in fp32 and after dlc-quantize at each precision and calibration
# method, with the network-output SQNR on the calibration batch from the
# quantization report. Usage: bench/quantization_accuracy.sh [build-dir]
source "$(dirname "$0")/digits_common.sh" "$@"
printf '%-34s %9s %8s %12s %10s\n' configuration accuracy drop "output SQNR" "size (B)"
base=$(accuracy "$work/fp32.npy")
printf '%-34s %8s%% %8s %12s %10s\n' fp32 "$base" - - 227112
run() { # name, dlc-quantize options
  "$bin/dlc-opt" "$work/fp32.mlir" \
    --dlc-quantize="$2 calibration=$data/calib_x.npy progress=false report=$work/r.txt" \
    -o "$work/q.mlir"
  "$bin/dlc-run" "$work/q.mlir" --input "$data/test_x.npy" --output "$work/q.npy"
  local acc sqnr size
  acc=$(accuracy "$work/q.npy")
  sqnr=$(sed -n 's/^network output SQNR: \(.*\) dB/\1/p' "$work/r.txt")
  size=$(sed -n 's/^model size: [0-9]* B -> \([0-9]*\) B.*/\1/p' "$work/r.txt")
  printf '%-34s %8s%% %8.2f %9s dB %10s\n' "$1" "$acc" \
    "$(echo "$base - $acc" | bc -l)" "$sqnr" "$size"
}
for method in minmax percentile entropy mse; do
  run "int8 per-channel, $method" "precision=int8 calibration-method=$method"
done
run "int8 per-tensor, entropy" "precision=int8 granularity=per-tensor"
run "int8 symmetric, entropy" "precision=int8 symmetric=true"
run "w8a16 per-channel" "precision=w8a16"
run "fp8-e4m3 (amax)" "precision=fp8-e4m3"
run "fp8-e5m2 (amax)" "precision=fp8-e5m2"
run "nf4 block 64" "precision=nf4"
run "nf4 block 64, double quant" "precision=nf4 double-quant=true"
run "auto, budget 44 dB, host" "precision=auto error-budget=44 target=host"
run "auto, budget 44 dB, orin" "precision=auto error-budget=44 target=orin"
