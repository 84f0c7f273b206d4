#!/usr/bin/env bash
# run-gpu-checks.sh BUNDLE_DIR LOG_DIR
#
# On a machine with an NVIDIA GPU and the CUDA toolkit (nvcc, cuBLAS in
# /usr/local/cuda): for every model prepare-gpu-checks.sh put in BUNDLE_DIR,
# builds its runner for this GPU's architecture, runs it on the stored input,
# compares the output with the reference executor's (within the stored
# tolerance; 0 = identical) and times 50 runs and 50 CUDA-graph launches;
# then times the 2048^3 GEMM model against cuBLAS. Writes the log and a
# summary table to LOG_DIR; exits non-zero when any model fails.
set -uo pipefail
bundle=$(cd "$1" && pwd)
log=$2
mkdir -p "$log"
log=$(cd "$log" && pwd)
export PATH=/usr/local/cuda/bin:$PATH
exec > >(tee "$log/run-gpu-checks.log") 2>&1

gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d .)
echo "GPU: $gpu (sm_$cap), $(date -u +%Y-%m-%dT%H:%MZ)"
nvcc -O3 -o "$log/npy_compare" "$bundle/npy_compare.cpp" || exit 1
failures=0
summary="$log/summary.md"
echo "| model | numerics | ms/run | ms/run (graph) |" > "$summary"
echo "|---|---|---|---|" >> "$summary"
for dir in "$bundle"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/model.cu" ] || continue
  if ! nvcc -O3 -arch="sm_$cap" "$dir/model.cu" "$dir/model_runner.cu" \
      -I"$dir" -o "$log/$name.runner"; then
    echo "| $name | does not build | | |" >> "$summary"
    failures=$((failures + 1))
    continue
  fi
  tol=$(cat "$dir/tolerance")
  if "$log/$name.runner" "$dir/model.bin" "$dir/input.npy" "$log/$name.npy" \
      && result=$("$log/npy_compare" "$log/$name.npy" "$dir/expected.npy" "$tol"); then
    status="ok: $result"
  else
    status="FAIL: ${result:-run failed}"
    failures=$((failures + 1))
  fi
  ms=$("$log/$name.runner" "$dir/model.bin" "$dir/input.npy" "$log/$name.t.npy" --iterations 50 | awk '{print $1}')
  graph=$("$log/$name.runner" "$dir/model.bin" "$dir/input.npy" "$log/$name.g.npy" --iterations 50 --graph | awk '{print $1}')
  echo "$name: $status; $ms ms/run, $graph ms/run as a graph"
  echo "| $name | $status | $ms | $graph |" >> "$summary"
done
if [ -d "$bundle/gemm2048" ] && nvcc -O3 -arch="sm_$cap" "$bundle/cublas_gemm.cu" -lcublas -o "$log/cublas_gemm"; then
  ours=$("$log/gemm2048.runner" "$bundle/gemm2048/model.bin" "$bundle/gemm2048/input.npy" "$log/gemm.npy" --iterations 20 | awk '{print $1}')
  peers=$("$log/cublas_gemm" 2048 20)
  echo "$peers"
  sgemm=$(echo "$peers" | awk '/sgemm/{print $(NF-1)}')
  echo "" >> "$summary"
  echo "| 2048^3 GEMM | ms/run | cuBLAS SGEMM ms/run | ratio (dlc / cuBLAS) |" >> "$summary"
  echo "|---|---|---|---|" >> "$summary"
  echo "| fp32 | $ours | $sgemm | $(awk -v a="$ours" -v b="$sgemm" 'BEGIN{printf "%.2f", a / b}') |" >> "$summary"
fi
cat "$summary"
echo "$failures model(s) failed"
exit $((failures > 0))
