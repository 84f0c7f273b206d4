#!/usr/bin/python3
"""Uniform against sensitivity allocation of structured pruning
(dlc-prune allocation=uniform|sensitivity) on trained networks.

  /usr/bin/python3 bench/pruning_allocation.py [--seeds 0,1] [--targets 0.8,0.7,0.6,0.5]

Trains a small residual CNN (a stem, three stages of a residual block, two
of them behind a stride-2 convolution, batch norms, global pooling, a
classifier: six coupled channel groups) on scikit-learn's 8x8 digits per
seed (Debian's python3-torch / python3-sklearn, CPU, seconds), exports it
to ONNX, imports it with dlc-translate and folds its batch norms, then
prunes it with method=l1 at each FLOPs target, one sparsity for every group
against a sparsity per group chosen on 256 training images, and prints the
top-1 accuracy of each on the 360 held-out images (dlc-run) with the FLOPs
kept. No fine-tuning after pruning, as in the compiler. Build first.
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


def conv_bn(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
                         nn.BatchNorm2d(cout))


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.a, self.b = conv_bn(channels, channels), conv_bn(channels, channels)

    def forward(self, x):
        return torch.relu(x + self.b(torch.relu(self.a(x))))


class DigitsResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn(1, 32)
        self.stage1 = Block(32)
        self.down2, self.stage2 = conv_bn(32, 64, 2), Block(64)
        self.down3, self.stage3 = conv_bn(64, 128, 2), Block(128)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = self.stage1(torch.relu(self.stem(x)))
        x = self.stage2(torch.relu(self.down2(x)))
        x = self.stage3(torch.relu(self.down3(x)))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--targets", default="0.8,0.7,0.6,0.5")
    args = parser.parse_args()
    x_train, x_test, y_train, y_test = digits_split()
    print(f"{'seed':>4} {'target':>6} {'allocation':<12} {'FLOPs':>6} "
          f"{'top-1':>7} {'drop':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        x_path, calib = os.path.join(tmp, "x.npy"), os.path.join(tmp, "calib.npy")
        np.save(x_path, x_test)
        np.save(calib, x_train[:256])
        for seed in [int(s) for s in args.seeds.split(",")]:
            torch.manual_seed(seed)
            model = train(DigitsResNet(), x_train, y_train, epochs=30)
            onnx = os.path.join(tmp, "net.onnx")
            export(model, x_test, onnx, opset=13)
            imported, folded = (os.path.join(tmp, n) for n in ("in.mlir", "f.mlir"))
            run("dlc-translate", "--import-onnx", onnx, "-o", imported)
            run("dlc-opt", imported, "--dlc-fold-batchnorm", "-o", folded)
            base = accuracy(folded, x_path, y_test, tmp)
            print(f"{seed:>4} {'-':>6} {'dense':<12} {1:>6.3f} {base:>6.2f}% {'-':>6}")
            for target in args.targets.split(","):
                for allocation in ("uniform", "sensitivity"):
                    options = f"method=l1 flops-target={target} allocation={allocation}"
                    if allocation == "sensitivity":
                        options += f" calibration={calib}"
                    pruned, report = (os.path.join(tmp, n) for n in ("p.mlir", "r.txt"))
                    run("dlc-opt", folded, f"--dlc-prune={options} report={report}",
                        "-o", pruned)
                    with open(report) as f:
                        flops = re.search(r"\(([0-9.]+) of before\)", f.read()).group(1)
                    acc = accuracy(pruned, x_path, y_test, tmp)
                    print(f"{seed:>4} {target:>6} {allocation:<12} {flops:>6} "
                          f"{acc:>6.2f}% {base - acc:>6.2f}")
                    sys.stdout.flush()


if __name__ == "__main__":
    main()
