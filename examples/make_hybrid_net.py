#!/usr/bin/env python3
"""Writes hybrid_net.mlir: a small ResNet-stem + transformer-encoder network.

The bundled example of dlc: a convolutional stem with a residual basic block
(conv, batch_norm, relu, add) feeding a one-layer transformer encoder over the
feature map's positions (layer_norm, multi-head attention via
reshape/transpose/matmul/softmax, GELU MLP), then a pooled linear classifier.
Weights are seeded random values stored as dense_resource blobs, as the ONNX
importer stores them; batch-norm variances are positive. Op locations carry
layer names, as imported ONNX node names do.

Only the standard library is used, so the example can be regenerated
anywhere: python3 examples/make_hybrid_net.py > examples/hybrid_net.mlir
"""

import math
import random
import struct
import sys

CHANNELS = 16
SIZE = 32
HEADS = 2
MLP = 32
CLASSES = 10


class Builder:
    def __init__(self):
        self.lines = []
        self.blobs = []
        self.counter = 0
        self.rng = random.Random(20261128)

    def value(self):
        self.counter += 1
        return f"%v{self.counter}"

    def weight(self, name, shape, low=-0.5, high=0.5):
        values = [self.rng.uniform(low, high) for _ in range(math.prod(shape))]
        payload = b"".join(struct.pack("<f", v) for v in values)
        # A resource blob is its alignment (4, little-endian) then the bytes.
        self.blobs.append((name, "0x04000000" + payload.hex().upper()))
        result = self.value()
        self.lines.append(f"    {result} = dlc.constant dense_resource<{name}> : {tensor(shape)}")
        return result

    def op(self, text, result_type, loc):
        result = self.value()
        self.lines.append(f"    {result} = {text} -> {result_type} loc(\"{loc}\")")
        return result

    def unary(self, text, operand_type, loc):
        result = self.value()
        self.lines.append(f"    {result} = {text} : {operand_type} loc(\"{loc}\")")
        return result


def tensor(shape):
    dims = "x".join("?" if d is None else str(d) for d in shape)
    return f"tensor<{dims}xf32>"


def conv_bn(b, x, x_shape, out_ch, name, relu):
    w = b.weight(f"{name}.conv.weight", [out_ch, x_shape[1], 3, 3])
    y_shape = [None, out_ch, x_shape[2], x_shape[3]]
    y = b.op(f"dlc.conv2d {x}, {w} {{pads = array<i64: 1, 1, 1, 1>}} : "
             f"({tensor(x_shape)}, {tensor([out_ch, x_shape[1], 3, 3])})",
             tensor(y_shape), f"{name}.conv")
    c = tensor([out_ch])
    gamma = b.weight(f"{name}.bn.weight", [out_ch], 0.5, 1.5)
    beta = b.weight(f"{name}.bn.bias", [out_ch])
    mean = b.weight(f"{name}.bn.running_mean", [out_ch])
    var = b.weight(f"{name}.bn.running_var", [out_ch], 0.5, 1.5)
    y = b.op(f"dlc.batch_norm {y}, {gamma}, {beta}, {mean}, {var} : "
             f"({tensor(y_shape)}, {c}, {c}, {c}, {c})", tensor(y_shape), f"{name}.bn")
    if relu:
        y = b.unary(f"dlc.relu {y}", tensor(y_shape), f"{name}.relu")
    return y, y_shape


def linear(b, x, x_shape, out_features, name):
    in_features = x_shape[-1]
    w = b.weight(f"{name}.weight", [out_features, in_features])
    bias = b.weight(f"{name}.bias", [out_features])
    y_shape = x_shape[:-1] + [out_features]
    y = b.op(f"dlc.linear {x}, {w}, {bias} : ({tensor(x_shape)}, "
             f"{tensor([out_features, in_features])}, {tensor([out_features])})",
             tensor(y_shape), name)
    return y, y_shape


def binary(b, kind, lhs, lhs_shape, rhs, rhs_shape, out_shape, name):
    return b.op(f"dlc.{kind} {lhs}, {rhs} : ({tensor(lhs_shape)}, {tensor(rhs_shape)})",
                tensor(out_shape), name)


def reshape(b, x, x_shape, shape, out_shape, name):
    dims = ", ".join(str(d) for d in shape)
    return b.op(f"dlc.reshape {x} {{shape = array<i64: {dims}>}} : ({tensor(x_shape)})",
                tensor(out_shape), name)


def transpose(b, x, x_shape, perm, name):
    out_shape = [x_shape[p] for p in perm]
    dims = ", ".join(str(p) for p in perm)
    return b.op(f"dlc.transpose {x} {{perm = array<i64: {dims}>}} : ({tensor(x_shape)})",
                tensor(out_shape), name), out_shape


def layer_norm(b, x, x_shape, name):
    d = x_shape[-1]
    gamma = b.weight(f"{name}.weight", [d], 0.5, 1.5)
    beta = b.weight(f"{name}.bias", [d])
    return b.op(f"dlc.layer_norm {x}, {gamma}, {beta} : ({tensor(x_shape)}, "
                f"{tensor([d])}, {tensor([d])})", tensor(x_shape), name)


def encoder_block(b, x, x_shape, name):
    tokens, d = x_shape[1], x_shape[2]
    head_dim = d // HEADS
    h = layer_norm(b, x, x_shape, f"{name}.ln1")
    heads = []
    for proj in ("q", "k", "v"):
        p, p_shape = linear(b, h, x_shape, d, f"{name}.attn.{proj}")
        split_shape = [None, tokens, HEADS, head_dim]
        p = reshape(b, p, p_shape, [-1, tokens, HEADS, head_dim], split_shape,
                    f"{name}.attn.{proj}.split_heads")
        perm = [0, 2, 3, 1] if proj == "k" else [0, 2, 1, 3]
        heads.append(transpose(b, p, split_shape, perm, f"{name}.attn.{proj}.transpose"))
    (q, q_shape), (k, k_shape), (v, v_shape) = heads
    s_shape = [None, HEADS, tokens, tokens]
    s = b.op(f"dlc.matmul {q}, {k} : ({tensor(q_shape)}, {tensor(k_shape)})",
             tensor(s_shape), f"{name}.attn.scores")
    scale = b.value()
    b.lines.append(f"    {scale} = dlc.constant dense<{math.sqrt(head_dim):.8e}> : tensor<1xf32>")
    s = binary(b, "div", s, s_shape, scale, [1], s_shape, f"{name}.attn.scale")
    s = b.unary(f"dlc.softmax {s} {{axis = -1 : i64}}", tensor(s_shape), f"{name}.attn.softmax")
    o_shape = [None, HEADS, tokens, head_dim]
    o = b.op(f"dlc.matmul {s}, {v} : ({tensor(s_shape)}, {tensor(v_shape)})",
             tensor(o_shape), f"{name}.attn.context")
    o, o_shape = transpose(b, o, o_shape, [0, 2, 1, 3], f"{name}.attn.merge_transpose")
    o = reshape(b, o, o_shape, [-1, tokens, d], x_shape, f"{name}.attn.merge_heads")
    o, _ = linear(b, o, x_shape, d, f"{name}.attn.out")
    x = binary(b, "add", x, x_shape, o, x_shape, x_shape, f"{name}.attn.residual")
    h = layer_norm(b, x, x_shape, f"{name}.ln2")
    h, h_shape = linear(b, h, x_shape, MLP, f"{name}.mlp.fc1")
    h = b.unary(f"dlc.gelu {h}", tensor(h_shape), f"{name}.mlp.gelu")
    h, _ = linear(b, h, h_shape, d, f"{name}.mlp.fc2")
    return binary(b, "add", x, x_shape, h, x_shape, x_shape, f"{name}.mlp.residual")


def main():
    b = Builder()
    x_shape = [None, 3, SIZE, SIZE]
    y, y_shape = conv_bn(b, "%input", x_shape, CHANNELS, "stem", relu=True)
    # ResNet basic block: two conv+bn with an identity shortcut.
    r, _ = conv_bn(b, y, y_shape, CHANNELS, "layer1.0.branch1", relu=True)
    r, _ = conv_bn(b, r, y_shape, CHANNELS, "layer1.0.branch2", relu=False)
    y = binary(b, "add", r, y_shape, y, y_shape, y_shape, "layer1.0.shortcut")
    y = b.unary(f"dlc.relu {y}", tensor(y_shape), "layer1.0.relu")
    p_shape = [None, CHANNELS, SIZE // 2, SIZE // 2]
    y = b.op(f"dlc.max_pool2d {y} {{kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}}"
             f" : ({tensor(y_shape)})", tensor(p_shape), "pool")
    # Feature map to tokens: N x C x H x W -> N x (H*W) x C.
    tokens = (SIZE // 2) ** 2
    t_shape = [None, CHANNELS, tokens]
    t = reshape(b, y, p_shape, [-1, CHANNELS, tokens], t_shape, "to_tokens.reshape")
    t, t_shape = transpose(b, t, t_shape, [0, 2, 1], "to_tokens.transpose")
    t = encoder_block(b, t, t_shape, "encoder.0")
    t, back_shape = transpose(b, t, t_shape, [0, 2, 1], "to_map.transpose")
    m = reshape(b, t, back_shape, [-1, CHANNELS, SIZE // 2, SIZE // 2], p_shape, "to_map.reshape")
    g_shape = [None, CHANNELS, 1, 1]
    g = b.op(f"dlc.global_avg_pool {m} : ({tensor(p_shape)})", tensor(g_shape), "head.pool")
    f_shape = [None, CHANNELS]
    f = b.op(f"dlc.flatten {g} : ({tensor(g_shape)})", tensor(f_shape), "head.flatten")
    logits, l_shape = linear(b, f, f_shape, CLASSES, "head.fc")

    out = sys.stdout
    out.write("// Generated by examples/make_hybrid_net.py; do not edit by hand.\n")
    out.write("// A ResNet stem and basic block feeding a transformer encoder block.\n")
    out.write("module {\n")
    out.write(f"  func.func @hybrid_net(%input: {tensor(x_shape)}) -> {tensor(l_shape)} {{\n")
    out.write("\n".join(b.lines) + "\n")
    out.write(f"    return {logits} : {tensor(l_shape)}\n  }}\n}}\n\n")
    out.write("{-#\n  dialect_resources: {\n    builtin: {\n")
    out.write(",\n".join(f"      {name}: \"{blob}\"" for name, blob in b.blobs))
    out.write("\n    }\n  }\n#-}\n")


if __name__ == "__main__":
    main()
