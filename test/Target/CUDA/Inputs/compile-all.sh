#!/usr/bin/env bash
# compile-all.sh DIR DLC-TRANSLATE "NVCC FLAGS" NAME...: for each
# DIR/NAME.mlir, emits the CUDA model and runner into DIR/NAME and compiles
# both for sm_80 and sm_90 (one nvcc call, two device architectures);
# prints one line per model.
set -euo pipefail
dir=$1
translate=$2
nvcc=$3
shift 3
for name in "$@"; do
  "$translate" --emit-cuda "$dir/$name.mlir" -o "$dir/$name" --emit-cuda-runner
  $nvcc -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
    "$dir/$name/model.cu" "$dir/$name/model_runner.cu" -I"$dir/$name" \
    -o "$dir/$name/runner"
  echo "compiled $name for sm_80 and sm_90"
done
