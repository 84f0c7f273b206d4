#!/usr/bin/env bash
# Regenerates docs/generated/ from the ODS definitions (ops and passes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DLC_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh" dlc-doc
mkdir -p "$root/docs/generated"
cp "$build/docs/DLCDialect.md" "$build/docs/DLCPasses.md" "$root/docs/generated/"
echo "update-docs: docs/generated/ refreshed"
