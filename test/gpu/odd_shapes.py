#!/usr/bin/env python3
"""odd_shapes.py DIR: writes DIR/odd_shapes.mlir and DIR/odd_shapes.input.npy.

A small fp32 network with ragged GEMM edges everywhere, for the GPU checks
(prepare-gpu-checks.sh), at batch 3: a 3 -> 13 channel 3x3 stride-2
convolution with asymmetric padding on a 29 x 31 image, a 5x5 one dilated
by 2, a grouped one (3 groups of 8 -> 10 channels), a depthwise stride-2
one, a 1x1 one and a 10-way classifier over the flattened map. No channel
or pixel count is a multiple of a tile; the reduction lengths are 27, 325,
72 per group, 9, 30 and 2,304, so only the grouped layer and the
classifier split into the groups of 4 that 2:4 pruning needs. Weights
~N(0, 1/fan_in), biases ~N(0, 1).
"""
import math
import sys

import numpy as np

BATCH = 3
rng = np.random.default_rng(1)
weights = {}
lines = []


def tensor(shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def constant(name, shape, fan_in):
    weights[name] = rng.standard_normal(shape, dtype=np.float32) / np.float32(
        math.sqrt(fan_in))
    lines.append(f"  %{name} = dlc.constant dense_resource<{name}> : "
                 f"{tensor(shape)}")
    return f"%{name}"


def conv(x, shape, name, out_channels, kernel, stride=1, pads=(0, 0, 0, 0),
         dilation=1, groups=1):
    n, c, h, w = shape
    w_shape = (out_channels, c // groups, kernel, kernel)
    weight = constant(f"{name}_w", w_shape, c // groups * kernel * kernel)
    bias = constant(f"{name}_b", (out_channels,), 1.0)
    span = dilation * (kernel - 1) + 1
    out = (n, out_channels, (h + pads[0] + pads[2] - span) // stride + 1,
           (w + pads[1] + pads[3] - span) // stride + 1)
    attrs = (f"pads = array<i64: {', '.join(map(str, pads))}>, "
             f"strides = array<i64: {stride}, {stride}>, "
             f"dilations = array<i64: {dilation}, {dilation}>, "
             f"groups = {groups} : i64")
    lines.append(f"  %{name} = dlc.conv2d {x}, {weight}, {bias} {{{attrs}}} : "
                 f"({tensor(shape)}, {tensor(w_shape)}, "
                 f"{tensor((out_channels,))}) -> {tensor(out)}")
    return f"%{name}", out


def relu(x, shape, name):
    lines.append(f"  %{name} = dlc.relu {x} : {tensor(shape)}")
    return f"%{name}", shape


def main():
    work = sys.argv[1]
    in_shape = (BATCH, 3, 29, 31)
    np.save(f"{work}/odd_shapes.input.npy",
            rng.standard_normal(in_shape, dtype=np.float32))
    x, shape = conv("%x", in_shape, "c1", 13, 3, stride=2, pads=(1, 0, 2, 1))
    x, shape = relu(x, shape, "r1")
    x, shape = conv(x, shape, "c2", 24, 5, pads=(4, 4, 4, 4), dilation=2)
    x, shape = relu(x, shape, "r2")
    x, shape = conv(x, shape, "c3", 30, 3, pads=(1, 1, 1, 1), groups=3)
    x, shape = conv(x, shape, "c4", 30, 3, stride=2, pads=(1, 1, 1, 1),
                    groups=30)
    x, shape = relu(x, shape, "r4")
    x, shape = conv(x, shape, "c5", 36, 1)
    flat = (BATCH, math.prod(shape[1:]))
    lines.append(f"  %f = dlc.flatten {x} {{axis = 1 : i64}} : "
                 f"({tensor(shape)}) -> {tensor(flat)}")
    weight = constant("fc_w", (10, flat[1]), flat[1])
    bias = constant("fc_b", (10,), 1.0)
    out = (BATCH, 10)
    lines.append(f"  %y = dlc.linear %f, {weight}, {bias} : ({tensor(flat)}, "
                 f"{tensor((10, flat[1]))}, {tensor((10,))}) -> "
                 f"{tensor(out)}")
    with open(f"{work}/odd_shapes.mlir", "w") as f:
        f.write(f"func.func @main(%x: {tensor(in_shape)}) -> {tensor(out)} "
                "{\n")
        f.write("\n".join(lines) + "\n")
        f.write(f"  return %y : {tensor(out)}\n}}\n")
        f.write("{-#\n  dialect_resources: {\n    builtin: {\n")
        f.write(",\n".join(
            f'      {name}: "0x04000000{value.tobytes().hex().upper()}"'
            for name, value in weights.items()))
        f.write("\n    }\n  }\n#-}\n")


if __name__ == "__main__":
    main()
