#!/usr/bin/env python3
"""Writes Einsum models with numpy's result for each into OUTDIR.

Usage: einsum_models.py OUTDIR
OUTDIR/NAME.onnx, NAME.a.npy (and NAME.b.npy), NAME.want.npy for each
equation below; OUTDIR/bad_NAME.onnx for equations dlc reports.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

CASES = {
    # name: (equation, shape of a, shape of b or None)
    "attention_scores": ("bhid,bhjd->bhij", (2, 3, 5, 4), (2, 3, 7, 4)),
    "attention_values": ("B G H I J, B G H J D -> B G H I D", (1, 2, 3, 4, 5),
                         (1, 2, 3, 5, 6)),
    "matmul": ("ik,kj->ij", (3, 4), (4, 5)),
    "transposed_result": ("bik,bkj->bji", (2, 3, 4), (2, 4, 5)),
    "two_contracted": ("abij,jbk->aik", (2, 3, 4, 5), (5, 3, 6)),
    "outer": ("i,j->ij", (3,), (4,)),
    "implicit": ("ij,jk", (3, 4), (4, 2)),
    "transpose": ("abc->cab", (2, 3, 4), None),
}

BAD = {
    "ellipsis": ("...ij,...jk->...ik", (2, 3, 4), (2, 4, 5)),
    "summed_alone": ("ij,jk->k", (3, 4), (4, 2)),
    "three": ("ij,jk,kl->il", (2, 2), (2, 2)),
}


def model(path, equation, a_shape, b_shape, inputs=None):
    names = ["a"] if b_shape is None else ["a", "b"]
    shapes = [a_shape] if b_shape is None else [a_shape, b_shape]
    info = [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s))
            for n, s in zip(names, shapes)]
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    node = helper.make_node("Einsum", inputs or names, ["y"], name="einsum",
                            equation=equation)
    m = helper.make_model(helper.make_graph([node], "einsum", info, [y]))
    m.opset_import[0].version = 13
    m.ir_version = 7
    onnx.save(m, path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(3)
    for name, (equation, a_shape, b_shape) in CASES.items():
        model(os.path.join(out, f"{name}.onnx"), equation, a_shape, b_shape)
        a = rng.standard_normal(a_shape).astype(np.float32)
        np.save(os.path.join(out, f"{name}.a.npy"), a)
        operands = [a]
        if b_shape is not None:
            b = rng.standard_normal(b_shape).astype(np.float32)
            np.save(os.path.join(out, f"{name}.b.npy"), b)
            operands.append(b)
        want = np.einsum(equation.replace(" ", ""), *operands)
        np.save(os.path.join(out, f"{name}.want.npy"), want.astype(np.float32))
    for name, (equation, a_shape, b_shape) in BAD.items():
        model(os.path.join(out, f"bad_{name}.onnx"), equation, a_shape, b_shape,
              inputs=["a", "b", "b"] if name == "three" else None)


if __name__ == "__main__":
    main()
