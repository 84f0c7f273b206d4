#!/usr/bin/env python3
"""Writes DIR/depthwise.mlir, a 3x3 depthwise conv over 8 channels whose
weight (and activation) ranges differ by 100x between channel groups, and
DIR/x.npy, inputs for calibration."""
import sys
import numpy as np

rng = np.random.default_rng(3)
out = sys.argv[1]
channels = 8
scale = np.where(np.arange(channels) % 2 == 0, 1.0, 0.01)
w = (rng.standard_normal((channels, 1, 3, 3)) * scale[:, None, None, None])
b = rng.standard_normal(channels) * scale * 0.1


def dense(a):
    return "dense<" + np.array2string(
        a.astype(np.float32), separator=", ", threshold=1 << 30,
        floatmode="unique").replace("\n", "") + ">"


open(f"{out}/depthwise.mlir", "w").write(f"""func.func @main(%x: tensor<4x{channels}x10x10xf32>) -> tensor<4x{channels}x10x10xf32> {{
  %w = dlc.constant {dense(w)} : tensor<{channels}x1x3x3xf32>
  %b = dlc.constant {dense(b)} : tensor<{channels}xf32>
  %y = dlc.conv2d %x, %w, %b {{groups = {channels} : i64, pads = array<i64: 1, 1, 1, 1>}}
      : (tensor<4x{channels}x10x10xf32>, tensor<{channels}x1x3x3xf32>, tensor<{channels}xf32>) -> tensor<4x{channels}x10x10xf32> loc("depthwise")
  return %y : tensor<4x{channels}x10x10xf32>
}}
""")
np.save(f"{out}/x.npy", rng.standard_normal((8, channels, 10, 10)).astype(np.float32))
