#!/usr/bin/env bash
# run-emulated-checks.sh BUNDLE_DIR LOG_DIR [ARCH...]
#
# The numerics half of run-gpu-checks.sh without a GPU: builds each model
# of a prepare-gpu-checks.sh bundle with the host C++ compiler ($CXX,
# default c++) for the CUDA emulator (test/gpu/emulator/emucc; every CUDA
# thread a fiber, tensor-core instructions computed from their documented
# register layouts), once per ARCH (a __CUDA_ARCH__ value, default 900; 800
# takes the kernels' pre-sm_89 paths), runs it on the stored input and
# compares with the reference executor's output within the stored
# tolerance. $EMULATOR_FLAGS adds flags to every build
# (EMULATOR_FLAGS="-fsanitize=address -g" checks every device memory
# access: device memory is host memory). The emulator runs a kernel's
# threads one after another, so this checks what the kernels compute, not
# their speed.
# Writes LOG_DIR/emulated-checks.log; exits non-zero when any model fails.
# Runs the checks in parallel ($JOBS, default one per CPU).
set -uo pipefail
bundle=$(cd "$1" && pwd)
log=$2
shift 2
archs=("$@")
[ ${#archs[@]} -eq 0 ] && archs=(900)
mkdir -p "$log"
log=$(cd "$log" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cxx=${CXX:-c++}
exec > >(tee "$log/emulated-checks.log") 2>&1

# The runner keeps its buffers to the end: not leaks worth reporting.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
"$cxx" -O2 -o "$log/npy_compare" "$here/npy_compare.cpp" || exit 1
# check NAME DIR ARCH: builds, runs and compares one model for one
# architecture; its verdict goes to LOG/NAME.smARCH.result, the compiler's
# and the run's messages to LOG/NAME.smARCH.log.
check() {
  local name=$1 dir=$2 arch=$3 result=
  local runner=$log/$name.sm$arch label="$name (sm_${3%0})"
  if ! "$here/emulator/emucc" -D__CUDA_ARCH__="$arch" \
      -I"$dir" -o "$runner" "$dir/model.cu" "$dir/model_runner.cu" \
      > "$runner.log" 2>&1; then
    echo "$label: FAIL: does not build (see $runner.log)" > "$runner.result"
  elif [ ! -f "$dir/expected.npy" ]; then
    # A timing model: runs on random:1, nothing to compare.
    if "$runner" "$dir/model.bin" random:1 "$runner.npy" >> "$runner.log" 2>&1; then
      echo "$label: ran (timing model, random input)" > "$runner.result"
    else
      echo "$label: FAIL: run failed (see $runner.log)" > "$runner.result"
    fi
  elif "$runner" "$dir/model.bin" "$dir/input.npy" "$runner.npy" \
      >> "$runner.log" 2>&1 \
      && result=$("$log/npy_compare" "$runner.npy" "$dir/expected.npy" \
                  "$(cat "$dir/tolerance")"); then
    echo "$label: ok: $result" > "$runner.result"
  else
    echo "$label: FAIL: ${result:-run failed (see $runner.log)}" > "$runner.result"
  fi
}

# The checks run $JOBS at a time (default: one per CPU); the verdicts are
# printed in order.
# (Waiting names the checks' processes: a bare `wait` would also wait for
# the log's tee.)
jobs_max=${JOBS:-$(nproc)}
results=() pids=()
for dir in "$bundle"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/model.cu" ] || continue
  for arch in "${archs[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
      wait -n
    done
    check "$name" "$dir" "$arch" &
    pids+=($!)
    results+=("$log/$name.sm$arch.result")
  done
done
for pid in "${pids[@]}"; do
  wait "$pid" 2>/dev/null
done
failures=0
for result in "${results[@]}"; do
  cat "$result"
  grep -q ': FAIL: ' "$result" && failures=$((failures + 1))
done
echo "$failures emulated check(s) failed"
exit $((failures > 0))
