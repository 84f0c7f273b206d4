#!/usr/bin/env bash
# The main job on the bundled example network: installs what is missing,
# builds dlc, then runs the deployment pipeline (dlc-deploy: static batch,
# shape propagation, batch-norm folding, branch merging, canonicalization)
# on examples/hybrid_net.mlir (a ResNet basic block feeding a transformer
# encoder block), prints its cost report for this host and the deployable
# IR.
#
# Usage: scripts/run-example.sh [model.mlir|model.onnx] [batch]
# An ONNX model is imported first (dlc-translate --import-onnx).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DLC_BUILD_DIR:-$root/build}"
model="${1:-$root/examples/hybrid_net.mlir}"
batch="${2:-1}"

"$root/scripts/setup.sh"
"$root/scripts/build.sh" dlc-opt dlc-translate >/dev/null

if [[ "$model" == *.onnx ]]; then
  imported="$(mktemp --suffix=.mlir)"
  trap 'rm -f "$imported"' EXIT
  echo "== dlc-translate --import-onnx $model" >&2
  "$build/bin/dlc-translate" --import-onnx "$model" -o "$imported"
  model="$imported"
fi

echo "== dlc-opt --dlc-deploy: $model (batch $batch)" >&2
"$build/bin/dlc-opt" "$model" \
  --dlc-deploy="batch=$batch" --dlc-cost-report="target=host" \
  --mlir-elide-resource-strings-if-larger=64
