#!/usr/bin/env python3
"""PyTorch's own output for torchvision's ViT (as export_torch.py builds
and exports it) with some attention heads removed.

Usage: torch_heads.py OUT.npy KEPT [KEPT...]
KEPT: the heads one encoder layer keeps, comma-separated (one argument per
layer, in order). A removed head's output-projection columns are zeroed
in torch.nn.MultiheadAttention: the function the pruned network must
compute.
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "Target", "ONNX", "Inputs"))
import export_torch  # noqa: E402


def main():
    out, kept = sys.argv[1], [list(map(int, k.split(","))) for k in sys.argv[2:]]
    model, x, _ = export_torch.make("vit")
    layers = list(model.encoder.layers)
    if len(kept) != len(layers):
        raise SystemExit(f"{len(layers)} layers, {len(kept)} lists of heads")
    with torch.no_grad():
        for layer, heads in zip(layers, kept):
            attention = layer.self_attention
            dim = attention.embed_dim // attention.num_heads
            for h in range(attention.num_heads):
                if h not in heads:
                    attention.out_proj.weight[:, h * dim:(h + 1) * dim] = 0
        np.save(out, model(x).numpy())


if __name__ == "__main__":
    main()
