#!/usr/bin/env bash
# Renders dlc-cost-report's SVG roofline for a network with headless
# Chromium, to look at it as a user would in a browser.
#   bench/render_roofline.sh model.mlir [target] [out.png]
# Installs Debian's chromium when it is missing (root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="$1"
target="${2:-h200}"
png="${3:-roofline.png}"
if ! command -v chromium >/dev/null; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends chromium
fi
svg="$(mktemp --suffix=.svg)"
trap 'rm -f "$svg"' EXIT
"$root/build/bin/dlc-opt" "$model" -o /dev/null \
  --dlc-cost-report="target=$target format=svg output=$svg"
height=$(sed -n 's/.*height="\([0-9.]*\)".*/\1/p' "$svg" | head -1)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size="900,${height%.*}" --screenshot="$png" "file://$svg" 2>/dev/null
echo "render_roofline: wrote $png"
