#!/usr/bin/env bash
# Installs, idempotently, every Debian package dlc needs to build and test.
# Safe to run repeatedly: packages already present are skipped without
# touching the network.
set -euo pipefail

packages=(
  # MLIR/LLVM 22 toolchain (DESIGN.md: fixed decision).
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  clang-format-22 clang-tidy-22
  # Build system.
  cmake ninja-build ccache
  # C++ unit tests.
  libgtest-dev
  # ONNX import: protobuf definitions and the ONNX node tests.
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  # Test fixtures and benchmark peers on Debian's /usr/bin/python3.
  python3 python3-onnx python3-numpy python3-torch python3-torchvision
  # Training the quantization/pruning fixture (test/Quant/Inputs/train_digits.py)
  # and the accuracy benches (bc).
  python3-sklearn bc
  # ARM backend: cross-compiling the emitted C and running it under qemu.
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  # Reference executor: SGEMM for convolutions and matrix products.
  libopenblas-dev pkg-config
  # MLIR's CMake config probes for these.
  zlib1g-dev libzstd-dev libxml2-dev libedit-dev libffi-dev libcurl4-openssl-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
