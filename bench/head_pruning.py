#!/usr/bin/python3
"""Attention head pruning (dlc-prune method=heads) on trained transformers.

  /usr/bin/python3 bench/head_pruning.py [--seeds 0,1] [--sparsities 0.25,0.5,0.75]

Trains a small transformer classifier on scikit-learn's 8x8 digits per
seed (each image row a token: a linear embedding of its 8 pixels and a
learned position, two pre-norm encoder blocks of 8 heads of 8 features,
a classifier over all tokens; Debian's python3-torch / python3-sklearn, CPU,
seconds), exports it to ONNX with a dynamic batch and imports it with
dlc-translate, then removes a fraction of the heads three ways and prints
the top-1 accuracy on the 360 held-out images (dlc-run) with the FLOPs
kept: dlc-prune method=heads with allocation=uniform (that fraction of
each block, the heads of least L1 weight), with allocation=sensitivity
(that fraction of all heads, those whose removal alone adds the least
output noise on 256 training images), and random heads, the same number
per block (the mean over 5 draws; removed by zeroing their
output-projection columns, which computes the same). No fine-tuning after
pruning, as in the compiler. Build first.
"""
import argparse
import os
import re
import sys
import tempfile

import numpy as np
import torch
from torch import nn

from digits_torch import accuracy, digits_split, export, run, train

HEADS, DIM = 8, 64


class Encoder(nn.Module):
    """A pre-norm encoder block written out as exporters see
    nn.MultiheadAttention: one fused query-key-value projection."""

    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(DIM), nn.LayerNorm(DIM)
        self.qkv, self.proj = nn.Linear(DIM, 3 * DIM), nn.Linear(DIM, DIM)
        self.fc1, self.fc2 = nn.Linear(DIM, 2 * DIM), nn.Linear(2 * DIM, DIM)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, t, 3, HEADS, d // HEADS) \
            .permute(2, 0, 3, 1, 4).unbind(0)
        attn = (q @ k.transpose(-2, -1) / (d // HEADS) ** 0.5).softmax(-1) @ v
        x = x + self.proj(attn.transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(nn.functional.gelu(self.fc1(self.norm2(x))))


class DigitsTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(8, DIM)
        self.position = nn.Parameter(torch.randn(8, DIM) * 0.1)
        self.blocks = nn.Sequential(Encoder(), Encoder())
        self.norm, self.fc = nn.LayerNorm(DIM), nn.Linear(8 * DIM, 10)

    def forward(self, x):
        x = self.blocks(self.embed(x.reshape(-1, 8, 8)) + self.position)
        return self.fc(self.norm(x).reshape(-1, 8 * DIM))


def without_heads(model, removed):
    """A copy of `model` with the heads `removed` (per block) cut off: their
    output-projection columns zeroed, which is what removing them computes."""
    copy = DigitsTransformer()
    copy.load_state_dict(model.state_dict())
    d = DIM // HEADS
    with torch.no_grad():
        for block, heads in zip(copy.blocks, removed):
            for h in heads:
                block.proj.weight[:, h * d:(h + 1) * d] = 0
    return copy.eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--sparsities", default="0.25,0.5,0.75")
    parser.add_argument("--random", type=int, default=5)
    args = parser.parse_args()
    x_train, x_test, y_train, y_test = digits_split()
    print(f"{'seed':>4} {'sparsity':>8} {'heads removed':<24} {'FLOPs':>6} "
          f"{'top-1':>7} {'drop':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        x_path, calib = os.path.join(tmp, "x.npy"), os.path.join(tmp, "calib.npy")
        np.save(x_path, x_test)
        np.save(calib, x_train[:256])
        onnx, mlir = os.path.join(tmp, "net.onnx"), os.path.join(tmp, "net.mlir")
        pruned, report = os.path.join(tmp, "p.mlir"), os.path.join(tmp, "r.txt")

        def imported(model):
            export(model, x_test, onnx, opset=17)
            run("dlc-translate", "--import-onnx", onnx, "-o", mlir)
            # MatMul + Add of the exporter into linear layers.
            run("dlc-opt", mlir, "--canonicalize", "-o", mlir)
            return mlir

        for seed in [int(s) for s in args.seeds.split(",")]:
            torch.manual_seed(seed)
            model = train(DigitsTransformer(), x_train, y_train, epochs=40)
            dense = imported(model)
            base = accuracy(dense, x_path, y_test, tmp)
            print(f"{seed:>4} {'-':>8} {'none (dense)':<24} {1:>6.3f} "
                  f"{base:>6.2f}% {'-':>6}")
            rng = np.random.default_rng(seed)
            for sparsity in [float(s) for s in args.sparsities.split(",")]:
                rows = []
                for allocation in ("uniform", "sensitivity"):
                    options = (f"method=heads sparsity={sparsity} "
                               f"allocation={allocation} report={report}")
                    if allocation == "sensitivity":
                        options += f" calibration={calib}"
                    run("dlc-opt", dense, f"--dlc-prune={options}", "-o", pruned)
                    with open(report) as f:
                        flops = re.search(r"\(([0-9.]+) of before\)",
                                          f.read()).group(1)
                    name = ("least L1 per block" if allocation == "uniform"
                            else "least noise, global")
                    rows.append((name, flops,
                                 accuracy(pruned, x_path, y_test, tmp)))
                count = int(sparsity * HEADS)
                accs = []
                for _ in range(args.random):
                    removed = [rng.choice(HEADS, count, replace=False)
                               for _ in model.blocks]
                    accs.append(accuracy(imported(without_heads(model, removed)),
                                         x_path, y_test, tmp))
                rows.append((f"random per block ({args.random})", rows[0][1],
                             float(np.mean(accs))))
                for name, flops, acc in rows:
                    print(f"{seed:>4} {sparsity:>8} {name:<24} {flops:>6} "
                          f"{acc:>6.2f}% {base - acc:>6.2f}")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
