#!/usr/bin/env python3
"""A channel shuffle between two 1x1 convs, for dlc-prune.

`make DIR` writes DIR/shuffle.mlir (conv 4->8, shuffle with 2 groups, conv
8->2), DIR/x.npy, and DIR/want.npy: the output when the 2 of 4 shuffle
indices i with the lowest L1 score (filters i and 4+i of the first conv,
each divided by the mean filter norm) are dropped, computed as the original
network with the dropped channels' columns of the second conv zeroed.
`check GOT WANT` compares within 1e-5 relative."""
import sys
import numpy as np

rng = np.random.default_rng(4)


def dense(a):
    return "dense<" + np.array2string(a.astype(np.float32), separator=", ",
                                      threshold=1 << 30, floatmode="unique"
                                      ).replace("\n", "") + ">"


def make(out):
    x = rng.standard_normal((1, 4, 3, 3)).astype(np.float32)
    a = rng.standard_normal((8, 4)).astype(np.float32) * \
        np.array([1, 0.1, 2, 0.2, 1, 0.1, 2, 0.2], np.float32)[:, None]
    b = rng.standard_normal((2, 8)).astype(np.float32)
    y = np.einsum("oc,nchw->nohw", a, x)
    shuffled = y.reshape(1, 2, 4, 3, 3).transpose(0, 2, 1, 3, 4).reshape(1, 8, 3, 3)
    norms = np.abs(a).sum(1)
    score = norms[:4] / norms.mean() + norms[4:] / norms.mean()
    keep = sorted(np.argsort(-score, kind="stable")[:2])
    mask = np.zeros(8, np.float32)
    for i in keep:
        mask[2 * i] = mask[2 * i + 1] = 1
    want = np.einsum("oc,nchw->nohw", b * mask[None, :], shuffled)
    open(f"{out}/shuffle.mlir", "w").write(f"""func.func @main(%x: tensor<1x4x3x3xf32>) -> tensor<1x2x3x3xf32> {{
  %wa = dlc.constant {dense(a.reshape(8, 4, 1, 1))} : tensor<8x4x1x1xf32>
  %y = dlc.conv2d %x, %wa : (tensor<1x4x3x3xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x3x3xf32>
  %r = dlc.reshape %y {{shape = array<i64: 1, 2, 4, 3, 3>}} : (tensor<1x8x3x3xf32>) -> tensor<1x2x4x3x3xf32>
  %t = dlc.transpose %r {{perm = array<i64: 0, 2, 1, 3, 4>}} : (tensor<1x2x4x3x3xf32>) -> tensor<1x4x2x3x3xf32>
  %s = dlc.reshape %t {{shape = array<i64: 1, -1, 3, 3>}} : (tensor<1x4x2x3x3xf32>) -> tensor<1x8x3x3xf32>
  %wb = dlc.constant {dense(b.reshape(2, 8, 1, 1))} : tensor<2x8x1x1xf32>
  %z = dlc.conv2d %s, %wb : (tensor<1x8x3x3xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %z : tensor<1x2x3x3xf32>
}}
""")
    np.save(f"{out}/x.npy", x)
    np.save(f"{out}/want.npy", want.astype(np.float32))


def check(got, want):
    got, want = np.load(got), np.load(want)
    err = np.abs(got - want).max() / np.abs(want).max()
    if err > 1e-5:
        raise SystemExit(f"pruned output differs: relative error {err:.3e}")
    print("pruned output matches")


if __name__ == "__main__":
    make(sys.argv[2]) if sys.argv[1] == "make" else check(sys.argv[2], sys.argv[3])
