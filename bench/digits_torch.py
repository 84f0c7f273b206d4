"""What the benchmarks that train on scikit-learn's 8x8 digits share: the
split, training (Adam, batches of 64), ONNX export with a dynamic batch,
and running dlc's tools and the executor. Debian's python3-torch /
python3-sklearn (/usr/bin/python3); build dlc first."""
import os
import subprocess

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bin")


def digits_split():
    """Images (N x 1 x 8 x 8, in [0, 1]) and labels: 1,437 to train on,
    360 held out (stratified, fixed)."""
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    labels = digits.target.astype(np.int64)
    return train_test_split(images, labels, test_size=0.2, random_state=0,
                            stratify=labels)


def train(model, x_train, y_train, epochs):
    """`model` trained in place (the caller seeds torch first); eval mode."""
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            optimizer.step()
    return model.eval()


def export(model, x, path, opset):
    torch.onnx.export(model, torch.from_numpy(x[:1]), path,
                      opset_version=opset, input_names=["image"],
                      output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"},
                                    "logits": {0: "batch"}})


def run(*args):
    """A tool of build/bin with `args`; raises when it fails."""
    return subprocess.run([os.path.join(BIN, args[0]), *args[1:]], check=True,
                          capture_output=True, text=True)


def accuracy(mlir, x_path, y_test, tmp):
    """Top-1 (%) of the model in `mlir` on the images in `x_path`."""
    out = os.path.join(tmp, "logits.npy")
    run("dlc-run", mlir, "--input", x_path, "--output", out)
    return float((np.load(out).argmax(1) == y_test).mean() * 100)
