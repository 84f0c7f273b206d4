#!/usr/bin/python3
"""Trains the small CNN that the quantization tests use, on scikit-learn's
8x8 digits, and writes the fixture: the ONNX model (dynamic batch), the
held-out test images and labels, and 256 training images for calibration.

Run with Debian's python3 (python3-torch, python3-sklearn, python3-onnx):
    /usr/bin/python3 test/Quant/Inputs/train_digits.py test/Quant/Inputs/digits
The committed files came from exactly this command (seeds fixed).
"""
import sys
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.conv4 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = self.pool(torch.relu(self.conv2(x)))
        y = self.conv4(torch.relu(self.conv3(x)))
        x = torch.relu(x + y)  # a residual add, as in ResNets
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))


def main(out):
    torch.manual_seed(0)
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    labels = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=0.2, random_state=0, stratify=labels)
    model = DigitsNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for epoch in range(40):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(x_test)).argmax(1).numpy()
                    == y_test).mean()
    print(f"fp32 test accuracy (PyTorch): {accuracy * 100:.2f}% "
          f"on {len(y_test)} images")
    torch.onnx.export(model, torch.from_numpy(x_test[:1]),
                      f"{out}/digits_cnn.onnx", opset_version=13,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"},
                                    "logits": {0: "batch"}})
    np.save(f"{out}/test_x.npy", x_test)
    np.save(f"{out}/test_y.npy", y_test)
    np.save(f"{out}/calib_x.npy", x_train[:256])


if __name__ == "__main__":
    main(sys.argv[1])
