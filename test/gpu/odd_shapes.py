#!/usr/bin/env python3
"""odd_shapes.py DIR: writes DIR/NAME.mlir and DIR/NAME.input.npy for two
small fp32 networks with ragged GEMM edges everywhere, for the GPU checks
(prepare-gpu-checks.sh).

odd_shapes, at batch 3: a 3 -> 13 channel 3x3 stride-2 convolution with
asymmetric padding on a 29 x 31 image, a 5x5 one dilated by 2, a grouped
one (3 groups of 8 -> 10 channels), a depthwise stride-2 one, a 1x1 one
and a 10-way classifier over the flattened map. No channel or pixel count
is a multiple of a tile; the reduction lengths are 27, 325, 72 per group,
9, 30 and 2,304, so only the grouped layer and the classifier split into
the groups of 4 that 2:4 pruning needs.

odd_attention: attention without projections over 2 sequences of 7
tokens of width 13 (x x^T, a softmax over 7, times x: matmuls of two
activations with odd M, N and K), a layer norm over 13, and a 13 -> 19
projection broadcast over the batch.

odd_attention_wide: the same over width 1031 (reductions long enough for
split-K: 4 slices on an H200), the tokens scaled per feature so that the
softmax stays soft, and beside the projection a constant 19 x 1031 matrix
times every sequence's transpose (a matmul whose lhs serves all batches).

Weights ~N(0, 1/fan_in), biases ~N(0, 1); inputs ~N(0, 1).
"""
import math
import sys

import numpy as np

rng = np.random.default_rng(1)


def tensor(shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


class Network:
    """One function's lines and weights (dense resources)."""

    def __init__(self):
        self.lines, self.weights = [], {}

    def constant(self, name, shape, fan_in):
        self.weights[name] = rng.standard_normal(
            shape, dtype=np.float32) / np.float32(math.sqrt(fan_in))
        self.lines.append(f"  %{name} = dlc.constant dense_resource<{name}> "
                          f": {tensor(shape)}")
        return f"%{name}"

    def op(self, line):
        self.lines.append(f"  {line}")

    def write(self, work, name, in_shape, result, out_shape):
        np.save(f"{work}/{name}.input.npy",
                rng.standard_normal(in_shape, dtype=np.float32))
        with open(f"{work}/{name}.mlir", "w") as f:
            f.write(f"func.func @main(%x: {tensor(in_shape)}) -> "
                    f"{tensor(out_shape)} {{\n")
            f.write("\n".join(self.lines) + "\n")
            f.write(f"  return {result} : {tensor(out_shape)}\n}}\n")
            f.write("{-#\n  dialect_resources: {\n    builtin: {\n")
            f.write(",\n".join(
                f'      {key}: "0x04000000{value.tobytes().hex().upper()}"'
                for key, value in self.weights.items()))
            f.write("\n    }\n  }\n#-}\n")


def conv(net, x, shape, name, out_channels, kernel, stride=1,
         pads=(0, 0, 0, 0), dilation=1, groups=1):
    n, c, h, w = shape
    w_shape = (out_channels, c // groups, kernel, kernel)
    weight = net.constant(f"{name}_w", w_shape, c // groups * kernel * kernel)
    bias = net.constant(f"{name}_b", (out_channels,), 1.0)
    span = dilation * (kernel - 1) + 1
    out = (n, out_channels, (h + pads[0] + pads[2] - span) // stride + 1,
           (w + pads[1] + pads[3] - span) // stride + 1)
    attrs = (f"pads = array<i64: {', '.join(map(str, pads))}>, "
             f"strides = array<i64: {stride}, {stride}>, "
             f"dilations = array<i64: {dilation}, {dilation}>, "
             f"groups = {groups} : i64")
    net.op(f"%{name} = dlc.conv2d {x}, {weight}, {bias} {{{attrs}}} : "
           f"({tensor(shape)}, {tensor(w_shape)}, {tensor((out_channels,))})"
           f" -> {tensor(out)}")
    return f"%{name}", out


def relu(net, x, shape, name):
    net.op(f"%{name} = dlc.relu {x} : {tensor(shape)}")
    return f"%{name}", shape


def odd_shapes(work):
    net, batch = Network(), 3
    in_shape = (batch, 3, 29, 31)
    x, shape = conv(net, "%x", in_shape, "c1", 13, 3, stride=2,
                    pads=(1, 0, 2, 1))
    x, shape = relu(net, x, shape, "r1")
    x, shape = conv(net, x, shape, "c2", 24, 5, pads=(4, 4, 4, 4), dilation=2)
    x, shape = relu(net, x, shape, "r2")
    x, shape = conv(net, x, shape, "c3", 30, 3, pads=(1, 1, 1, 1), groups=3)
    x, shape = conv(net, x, shape, "c4", 30, 3, stride=2, pads=(1, 1, 1, 1),
                    groups=30)
    x, shape = relu(net, x, shape, "r4")
    x, shape = conv(net, x, shape, "c5", 36, 1)
    flat = (batch, math.prod(shape[1:]))
    net.op(f"%f = dlc.flatten {x} {{axis = 1 : i64}} : ({tensor(shape)}) -> "
           f"{tensor(flat)}")
    weight = net.constant("fc_w", (10, flat[1]), flat[1])
    bias = net.constant("fc_b", (10,), 1.0)
    out = (batch, 10)
    net.op(f"%y = dlc.linear %f, {weight}, {bias} : ({tensor(flat)}, "
           f"{tensor((10, flat[1]))}, {tensor((10,))}) -> {tensor(out)}")
    net.write(work, "odd_shapes", in_shape, "%y", out)


def odd_attention(work):
    net = Network()
    b, s, d, e = 2, 7, 13, 19
    x, xt = tensor((b, s, d)), tensor((b, d, s))
    scores = tensor((b, s, s))
    gamma = net.constant("gamma", (d,), 1.0)
    beta = net.constant("beta", (d,), 1.0)
    proj = net.constant("proj", (d, e), d)
    net.op(f"%xt = dlc.transpose %x {{perm = array<i64: 0, 2, 1>}} : ({x}) "
           f"-> {xt}")
    net.op(f"%s = dlc.matmul %x, %xt : ({x}, {xt}) -> {scores}")
    net.op(f"%p = dlc.softmax %s {{axis = -1 : i64}} : {scores}")
    net.op(f"%o = dlc.matmul %p, %x : ({scores}, {x}) -> {x}")
    net.op(f"%n = dlc.layer_norm %o, {gamma}, {beta} {{axis = -1 : i64}} : "
           f"({x}, {tensor((d,))}, {tensor((d,))}) -> {x}")
    net.op(f"%y = dlc.matmul %n, {proj} : ({x}, {tensor((d, e))}) -> "
           f"{tensor((b, s, e))}")
    net.write(work, "odd_attention", (b, s, d), "%y", (b, s, e))


def odd_attention_wide(work):
    net = Network()
    b, s, d, e = 2, 7, 1031, 19
    x, xt = tensor((b, s, d)), tensor((b, d, s))
    scores, y = tensor((b, s, s)), tensor((b, s, e))
    scale = net.constant("scale", (d,), d)
    gamma = net.constant("gamma", (d,), 1.0)
    beta = net.constant("beta", (d,), 1.0)
    proj = net.constant("proj", (d, e), d)
    mix = net.constant("mix", (e, d), d)
    net.op(f"%xs = dlc.mul %x, {scale} : ({x}, {tensor((d,))}) -> {x}")
    net.op(f"%xt = dlc.transpose %xs {{perm = array<i64: 0, 2, 1>}} : ({x}) "
           f"-> {xt}")
    net.op(f"%s = dlc.matmul %xs, %xt : ({x}, {xt}) -> {scores}")
    net.op(f"%p = dlc.softmax %s {{axis = -1 : i64}} : {scores}")
    net.op(f"%o = dlc.matmul %p, %xs : ({scores}, {x}) -> {x}")
    net.op(f"%n = dlc.layer_norm %o, {gamma}, {beta} {{axis = -1 : i64}} : "
           f"({x}, {tensor((d,))}, {tensor((d,))}) -> {x}")
    net.op(f"%y = dlc.matmul %n, {proj} : ({x}, {tensor((d, e))}) -> {y}")
    net.op(f"%z = dlc.matmul {mix}, %xt : ({tensor((e, d))}, {xt}) -> "
           f"{tensor((b, e, s))}")
    net.op(f"%zt = dlc.transpose %z {{perm = array<i64: 0, 2, 1>}} : "
           f"({tensor((b, e, s))}) -> {y}")
    net.op(f"%r = dlc.add %y, %zt : ({y}, {y}) -> {y}")
    net.write(work, "odd_attention_wide", (b, s, d), "%r", (b, s, e))


if __name__ == "__main__":
    odd_shapes(sys.argv[1])
    odd_attention(sys.argv[1])
    odd_attention_wide(sys.argv[1])
