#!/usr/bin/env python3
"""Writes the dlc-pad-channels test network: widths 3 -> 50 -> 250 -> 1000.

  make_widths.py OUTDIR
OUTDIR/widths.mlir (f32, 16x16, random weights), OUTDIR/widths_f16.mlir
(the same network in f16 at 112x112, for cost decisions), OUTDIR/x.npy, and
a two-layer MLP (30 -> 50 -> 10) with its input, mlp.mlir and mlp_x.npy.
"""

import os
import sys

import numpy as np

rng = np.random.default_rng(1)


def literal(shape):
    values = (rng.standard_normal(shape) * 0.2).astype(np.float32)
    return np.array2string(values, separator=", ", threshold=1 << 30,
                           floatmode="maxprec", max_line_width=1 << 30)


def network(ty, size):
    t = lambda c: f"tensor<1x{c}x{size}x{size}x{ty}>"  # noqa: E731
    return f"""func.func @widths(%x: {t(3)}) -> {t(1000)} {{
  %w1 = dlc.constant dense<{literal((50, 3, 3, 3))}> : tensor<50x3x3x3x{ty}>
  %b1 = dlc.constant dense<{literal((50,))}> : tensor<50x{ty}>
  %w2 = dlc.constant dense<{literal((250, 50, 1, 1))}> : tensor<250x50x1x1x{ty}>
  %w3 = dlc.constant dense<{literal((1000, 250, 1, 1))}> : tensor<1000x250x1x1x{ty}>
  %0 = dlc.conv2d %x, %w1, %b1 {{pads = array<i64: 1, 1, 1, 1>}} : ({t(3)}, tensor<50x3x3x3x{ty}>, tensor<50x{ty}>) -> {t(50)} loc("conv1")
  %1 = dlc.relu %0 : {t(50)}
  %2 = dlc.conv2d %1, %w2 : ({t(50)}, tensor<250x50x1x1x{ty}>) -> {t(250)} loc("conv2")
  %3 = dlc.clip %2 {{min = 0.0 : f32, max = 6.0 : f32}} : {t(250)}
  %4 = dlc.conv2d %3, %w3 : ({t(250)}, tensor<1000x250x1x1x{ty}>) -> {t(1000)} loc("conv3")
  return %4 : {t(1000)}
}}
"""


def mlp():
    return f"""func.func @mlp(%x: tensor<4x30xf32>) -> tensor<4x10xf32> {{
  %w1 = dlc.constant dense<{literal((50, 30))}> : tensor<50x30xf32>
  %b1 = dlc.constant dense<{literal((50,))}> : tensor<50xf32>
  %w2 = dlc.constant dense<{literal((10, 50))}> : tensor<10x50xf32>
  %0 = dlc.linear %x, %w1, %b1 : (tensor<4x30xf32>, tensor<50x30xf32>, tensor<50xf32>) -> tensor<4x50xf32> loc("fc1")
  %1 = dlc.gelu %0 : tensor<4x50xf32>
  %2 = dlc.linear %1, %w2 : (tensor<4x50xf32>, tensor<10x50xf32>) -> tensor<4x10xf32> loc("fc2")
  return %2 : tensor<4x10xf32>
}}
"""


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "widths.mlir"), "w") as f:
        f.write(network("f32", 16))
    global rng
    rng = np.random.default_rng(1)
    with open(os.path.join(out, "widths_f16.mlir"), "w") as f:
        f.write(network("f16", 112))
    with open(os.path.join(out, "mlp.mlir"), "w") as f:
        f.write(mlp())
    np.save(os.path.join(out, "mlp_x.npy"),
            np.random.default_rng(3).standard_normal((4, 30)).astype(np.float32))
    np.save(os.path.join(out, "x.npy"),
            np.random.default_rng(2).standard_normal((1, 3, 16, 16)).astype(np.float32))


if __name__ == "__main__":
    main()
