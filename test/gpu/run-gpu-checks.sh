#!/usr/bin/env bash
# run-gpu-checks.sh BUNDLE_DIR LOG_DIR
#
# On a machine with an NVIDIA GPU and the CUDA toolkit (nvcc, cuBLAS and
# cuDNN in $CUDA_HOME, default /usr/local/cuda; nvidia-smi on the PATH or
# in $CUDA_HOME/bin): for every model prepare-gpu-checks.sh put in BUNDLE_DIR,
# builds its runner for this GPU's architecture, runs it on the stored input,
# compares the output with the reference executor's (within the stored
# tolerance; 0 = identical; timing models, which have neither, run on
# random:1) and times 50 runs and 50 CUDA-graph launches;
# then sets the 2048^3 GEMM models against cuBLAS (SGEMM; fp16 GemmEx) and
# the 64-channel 56x56 convolutions against cuDNN (fp32; fp16 on tensor
# cores), each peer with its fastest algorithm; and probes which metadata
# layout the int8 sparse tensor cores read. Writes the log and a summary
# table to LOG_DIR; exits non-zero when any model or the probe fails.
set -uo pipefail
bundle=$(cd "$1" && pwd)
log=$2
mkdir -p "$log"
log=$(cd "$log" && pwd)
export PATH=${CUDA_HOME:-/usr/local/cuda}/bin:$PATH
exec > >(tee "$log/run-gpu-checks.log") 2>&1

gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d .)
echo "GPU: $gpu (sm_$cap), $(date -u +%Y-%m-%dT%H:%MZ)"
nvcc -O3 -o "$log/npy_compare" "$bundle/npy_compare.cpp" || exit 1
failures=0
declare -A msrun # model -> ms per run
summary="$log/summary.md"
echo "| model | numerics | ms/run | ms/run (graph) |" > "$summary"
echo "|---|---|---|---|" >> "$summary"
# build_runner DIR NAME: nvcc for this GPU, messages in LOG/NAME.build.log.
build_runner() {
  nvcc -O3 -arch="sm_$cap" "$1/model.cu" "$1/model_runner.cu" \
    -I"$1" -o "$log/$2.runner" > "$log/$2.build.log" 2>&1
}
# Every runner is built first, one nvcc per CPU at a time, so that the runs
# below time an otherwise idle machine. (The waits name the builds: a bare
# `wait` would also wait for the log's tee.)
pids=()
for dir in "$bundle"/*/; do
  [ -f "$dir/model.cu" ] || continue
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do
    wait -n
  done
  build_runner "$dir" "$(basename "$dir")" &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  wait "$pid" 2>/dev/null
done
for dir in "$bundle"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/model.cu" ] || continue
  if [ ! -x "$log/$name.runner" ]; then
    cat "$log/$name.build.log"
    echo "| $name | does not build | | |" >> "$summary"
    failures=$((failures + 1))
    continue
  fi
  # A timing model (no expected.npy) runs on random:1 and is not compared.
  input=random:1 result=
  [ -f "$dir/expected.npy" ] && input=$dir/input.npy
  if ! "$log/$name.runner" "$dir/model.bin" "$input" "$log/$name.npy"; then
    status="FAIL: run failed"
    failures=$((failures + 1))
  elif [ "$input" = random:1 ]; then
    status="timed only (random input)"
  elif result=$("$log/npy_compare" "$log/$name.npy" "$dir/expected.npy" \
                "$(cat "$dir/tolerance")"); then
    status="ok: $result"
  else
    status="FAIL: $result"
    failures=$((failures + 1))
  fi
  ms=$("$log/$name.runner" "$dir/model.bin" "$input" "$log/$name.t.npy" --iterations 50 | awk '{print $1}')
  graph=$("$log/$name.runner" "$dir/model.bin" "$input" "$log/$name.g.npy" --iterations 50 --graph | awk '{print $1}')
  msrun[$name]=$ms
  echo "$name: $status; $ms ms/run, $graph ms/run as a graph"
  echo "| $name | $status | $ms | $graph |" >> "$summary"
done
# Which metadata lane layout the int8 sparse tensor cores read (sm_80 and
# newer): the 8-bit 2:4 kernels follow CUTLASS's reading of the PTX ISA's
# figure (docs/backends/cuda.md); the probe tries it and two others.
if [ "$cap" -ge 80 ] && [ -f "$bundle/sparse_meta_probe.cu" ] &&
    nvcc -O3 -arch="sm_$cap" "$bundle/sparse_meta_probe.cu" -o "$log/sparse_meta_probe"; then
  probe=$("$log/sparse_meta_probe")
  probe_status=$?
  echo "$probe"
  { echo ""; echo "$probe" | sed 's/^/- /'; } >> "$summary"
  [ "$probe_status" -eq 0 ] || failures=$((failures + 1))
fi
# peer_row LABEL MODEL PEER-MS: a row of the peer table, if MODEL ran.
peer_row() {
  local ours=${msrun[$2]:-}
  [ -n "$ours" ] && [ -n "$3" ] || return 0
  echo "| $1 | $ours | $3 | $(awk -v a="$ours" -v b="$3" 'BEGIN{printf "%.2f", b / a}') |" >> "$summary"
}
echo "" >> "$summary"
echo "| shape | dlc ms/run | peer ms/run | dlc's share of the peer's speed |" >> "$summary"
echo "|---|---|---|---|" >> "$summary"
if nvcc -O3 -arch="sm_$cap" "$bundle/cublas_gemm.cu" -lcublas -o "$log/cublas_gemm"; then
  peers=$("$log/cublas_gemm" 2048 20)
  echo "$peers"
  peer_row "2048^3 GEMM fp32 (cuBLAS SGEMM)" gemm2048 "$(echo "$peers" | awk '/sgemm/{print $(NF-1)}')"
  peer_row "2048^3 GEMM fp16 (cuBLAS GemmEx)" gemm2048_fp16 "$(echo "$peers" | awk '/hgemm/{print $(NF-1)}')"
fi
# cuDNN from $CUDNN_HOME, else the toolkit, else the nvidia-cudnn Python
# wheel (include/, lib/libcudnn.so.N) that PyTorch images carry.
cudnn=${CUDNN_HOME:-}
cudnn_flags=(-lcudnn)
if [ -z "$cudnn" ] && [ ! -f "${CUDA_HOME:-/usr/local/cuda}/include/cudnn.h" ]; then
  cudnn=$(python3 -c 'import nvidia.cudnn; print(list(nvidia.cudnn.__path__)[0])' 2>/dev/null)
fi
if [ -n "$cudnn" ]; then
  lib=$(ls "$cudnn"/lib*/libcudnn.so* 2>/dev/null | head -1)
  [ -n "$lib" ] || lib=$cudnn/lib/libcudnn.so
  cudnn_flags=(-I"$cudnn/include" -L"$(dirname "$lib")"
               -Xlinker "-l:$(basename "$lib")" -Xlinker "-rpath=$(dirname "$lib")")
  echo "cuDNN: $cudnn"
fi
if nvcc -O3 -arch="sm_$cap" "$bundle/cudnn_conv.cu" "${cudnn_flags[@]}" -o "$log/cudnn_conv"; then
  peers=$("$log/cudnn_conv" 8 64 64 56 56 3 20)
  echo "$peers"
  peer_row "conv 8x64x56x56 3x3 fp32 (cuDNN)" conv64x56 "$(echo "$peers" | awk '/fp32/{print $(NF-3)}')"
  peer_row "conv 8x64x56x56 3x3 fp16 (cuDNN)" conv64x56_fp16 "$(echo "$peers" | awk '/fp16/{print $(NF-3)}')"
fi
cat "$summary"
echo "$failures model(s) failed"
exit $((failures > 0))
