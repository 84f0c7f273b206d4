#!/usr/bin/env bash
# The main job on the bundled example network: installs what is missing,
# builds dlc, then parses and verifies examples/hybrid_net.mlir (a ResNet
# basic block feeding a transformer encoder block), fixes its batch,
# propagates shapes, canonicalizes and prints it.
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

echo "== dlc-opt: $model (batch $batch)" >&2
"$build/bin/dlc-opt" "$model" \
  --dlc-infer-shapes="batch=$batch" --canonicalize \
  --mlir-elide-resource-strings-if-larger=64
