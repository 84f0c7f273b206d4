# Sourced by the digits accuracy benches: sets root, bin, data and a
# scratch dir `work` (removed on exit), imports the digits CNN to
# $work/fp32.mlir, runs it to $work/fp32.npy, and defines accuracy FILE.npy
# (top-1 accuracy in percent on the 360 held-out images).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/build}/bin"
data="$root/test/Quant/Inputs/digits"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$bin/dlc-translate" --import-onnx "$data/digits_cnn.onnx" -o "$work/fp32.mlir"
"$bin/dlc-run" "$work/fp32.mlir" --input "$data/test_x.npy" --output "$work/fp32.npy"
accuracy() {
  /usr/bin/python3 "$root/test/Quant/Inputs/accuracy.py" "$1" "$data/test_y.npy" \
    | sed -n 's/^accuracy \([0-9.]*\)%.*/\1/p'
}
