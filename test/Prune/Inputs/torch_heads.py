#!/usr/bin/env python3
"""PyTorch's own output for a torchvision network (as export_torch.py
builds and exports it) with some attention heads removed.

Usage: torch_heads.py NAME OUT.npy KEPT [KEPT...]
NAME: vit | swin. KEPT: the heads one attention block keeps,
comma-separated (one argument per block, in the network's order). A
removed head's output-projection columns are zeroed: the function the
pruned network must compute.
"""

import os
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "Target", "ONNX", "Inputs"))
import export_torch  # noqa: E402


def attention_blocks(model):
    """(output projection, heads) of each attention block, in order."""
    window = torchvision.models.swin_transformer.ShiftedWindowAttention
    for m in model.modules():
        if isinstance(m, torch.nn.MultiheadAttention):
            yield m.out_proj, m.num_heads
        elif isinstance(m, window):
            yield m.proj, m.num_heads


def main():
    name, out = sys.argv[1], sys.argv[2]
    kept = [list(map(int, k.split(","))) for k in sys.argv[3:]]
    model, x, _ = export_torch.make(name)
    blocks = list(attention_blocks(model))
    if len(kept) != len(blocks):
        raise SystemExit(f"{len(blocks)} blocks, {len(kept)} lists of heads")
    with torch.no_grad():
        for (proj, heads), keep in zip(blocks, kept):
            dim = proj.in_features // heads
            for h in range(heads):
                if h not in keep:
                    proj.weight[:, h * dim:(h + 1) * dim] = 0
        np.save(out, model(x).numpy())


if __name__ == "__main__":
    main()
