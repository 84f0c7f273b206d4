#!/usr/bin/env python3
"""A transformer's MLP on tokens, for dlc-prune's channel methods.

`make DIR` writes DIR/mlp.mlir (x: 2 x 6 x 16 tokens; linear 16 -> 32,
GELU, linear 32 -> 16, residual add), DIR/x.npy and DIR/want.npy: the
output when the 16 of 32 hidden features with the lowest L1 score (each
first-layer row's L1 norm over the mean) are dropped, computed as the
original block with the dropped features' columns of the second layer
zeroed. `check GOT WANT` compares within 1e-5 relative."""
import sys
import numpy as np

from shuffle_net import check, dense  # within 1e-5 relative

rng = np.random.default_rng(11)
B, T, F, HID = 2, 6, 16, 32


def gelu(x):
    return 0.5 * x * (1 + np.vectorize(__import__("math").erf)(x / np.sqrt(2)))


def make(out):
    x = rng.standard_normal((B, T, F)).astype(np.float32)
    w1 = (rng.standard_normal((HID, F)) / 4).astype(np.float32)
    w1 *= np.linspace(0.2, 2.0, HID, dtype=np.float32)[rng.permutation(HID), None]
    b1 = (rng.standard_normal(HID) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((F, HID)) / 6).astype(np.float32)
    b2 = (rng.standard_normal(F) * 0.1).astype(np.float32)
    norms = np.abs(w1).sum(1)
    keep = np.sort(np.argsort(-(norms / norms.mean()), kind="stable")[:HID // 2])
    mask = np.zeros(HID, np.float32)
    mask[keep] = 1
    h = gelu(x @ w1.T + b1)
    want = x + h @ (w2 * mask[None, :]).T + b2
    t = lambda *s: "tensor<" + "x".join(map(str, s)) + "xf32>"
    open(f"{out}/mlp.mlir", "w").write(f"""func.func @main(%x: {t(B, T, F)}) -> {t(B, T, F)} {{
  %w1 = dlc.constant {dense(w1)} : {t(HID, F)}
  %b1 = dlc.constant {dense(b1)} : {t(HID)}
  %h = dlc.linear %x, %w1, %b1 : ({t(B, T, F)}, {t(HID, F)}, {t(HID)}) -> {t(B, T, HID)}
  %g = dlc.gelu %h : {t(B, T, HID)}
  %w2 = dlc.constant {dense(w2)} : {t(F, HID)}
  %b2 = dlc.constant {dense(b2)} : {t(F)}
  %y = dlc.linear %g, %w2, %b2 : ({t(B, T, HID)}, {t(F, HID)}, {t(F)}) -> {t(B, T, F)}
  %z = dlc.add %x, %y : ({t(B, T, F)}, {t(B, T, F)}) -> {t(B, T, F)}
  return %z : {t(B, T, F)}
}}
""")
    np.save(f"{out}/x.npy", x)
    np.save(f"{out}/want.npy", want.astype(np.float32))


if __name__ == "__main__":
    make(sys.argv[2]) if sys.argv[1] == "make" else check(sys.argv[2], sys.argv[3])
