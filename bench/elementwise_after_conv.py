#!/usr/bin/env python3
"""How much slower the reference executor's elementwise ops run right after
a convolution than after another elementwise op (the cost model's largest
remaining gap: docs/cost-model.md).

  /usr/bin/python3 bench/elementwise_after_conv.py [--channels 64]
      [--size 56] [--rounds 5]

Five programs of 4 blocks each on a 1 x C x S x S tensor, the same chain
of ops after a head op: `conv` heads with a 3x3 convolution (Winograd in
the executor: 16 x C x C transformed weights, scratch of 16 x C x (S/2)^2
floats twice), `grouped` with a 3x3 convolution in 2 groups (im2col +
GEMM), `conv1x1` with a 1x1 convolution (a GEMM on the input itself: C x
C weights, no scratch), `stream` with a ReLU over a separate 6 MB tensor
(many bytes, little time) before a ReLU of the block input, `relu` with a
ReLU alone. The chain is relu,
relu, add (of the two), relu, add, batch norm, add: each position's time
(median over blocks and rounds, programs interleaved) after each head, and
the ratios to the times after the ReLU. Build first (scripts/build.sh).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, "build", "bin", "dlc-run")
CHAIN = ["relu", "relu", "add", "relu", "add", "batch_norm", "add"]


HEADS = ("conv", "grouped", "conv1x1", "stream", "relu")
# The ops each head puts before the chain.
HEAD_OPS = {"stream": 2}
BIG = "tensor<1x1536x32x32xf32>"  # 6 MB for the stream head


def program(head, c, s):
    y, v = f"tensor<1x{c}x{s}x{s}xf32>", f"tensor<{c}xf32>"
    kernel = 1 if head == "conv1x1" else 3
    groups = 2 if head == "grouped" else 1
    w = f"tensor<{c}x{c // groups}x{kernel}x{kernel}xf32>"
    lines = [f"func.func @main(%x: {y}, %big: {BIG}) -> {y} {{",
             f"  %w = dlc.constant dense<0.01> : {w}",
             f"  %g = dlc.constant dense<1.5> : {v}",
             f"  %b = dlc.constant dense<0.1> : {v}",
             f"  %m = dlc.constant dense<0.2> : {v}",
             f"  %s = dlc.constant dense<2.0> : {v}"]
    prev = "%x"
    for k in range(4):
        if head in ("conv", "grouped", "conv1x1"):
            pad = kernel // 2
            lines.append(f"  %c{k} = dlc.conv2d {prev}, %w {{strides = array<i64: 1, 1>, "
                         f"pads = array<i64: {pad}, {pad}, {pad}, {pad}>, groups = {groups} : i64}}"
                         f" : ({y}, {w}) -> {y}")
        else:
            if head == "stream":
                lines.append(f"  %z{k} = dlc.relu %big : {BIG}")
            lines.append(f"  %c{k} = dlc.relu {prev} : {y}")
        lines += [
            f"  %a{k} = dlc.relu %c{k} : {y}",
            f"  %b{k} = dlc.relu %a{k} : {y}",
            f"  %d{k} = dlc.add %b{k}, %a{k} : ({y}, {y}) -> {y}",
            f"  %e{k} = dlc.relu %d{k} : {y}",
            f"  %f{k} = dlc.add %e{k}, %d{k} : ({y}, {y}) -> {y}",
            f"  %n{k} = dlc.batch_norm %f{k}, %g, %b, %m, %s {{epsilon = 1.0e-05 : f32}} "
            f": ({y}, {v}, {v}, {v}, {v}) -> {y}",
            f"  %h{k} = dlc.add %n{k}, %f{k} : ({y}, {y}) -> {y}"]
        prev = f"%h{k}"
    lines += [f"  return {prev} : {y}", "}"]
    return "\n".join(lines) + "\n"


def chain_times(path, head, data, big, tmp):
    out = os.path.join(tmp, "profile.json")
    subprocess.run([RUN, path, "--input", data, "--input", big, "--num-threads", "1",
                    "--iterations", "20", "--profile-json", out],
                   check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        ops = json.load(f)
    ops = ops if isinstance(ops, list) else ops["ops"]
    first = HEAD_OPS.get(head, 1)
    per_block = len(CHAIN) + first
    return [[ops[k * per_block + first + i]["ms"] * 1e3 for i in range(len(CHAIN))]
            for k in range(4)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--size", type=int, default=56)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not os.path.exists(RUN):
        sys.exit(f"{RUN} not found: build first (scripts/build.sh)")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "x.npy")
        np.save(data, np.random.default_rng(0).standard_normal(
            (1, args.channels, args.size, args.size)).astype(np.float32))
        big = os.path.join(tmp, "big.npy")
        np.save(big, np.ones((1, 1536, 32, 32), np.float32))
        heads = HEADS
        paths = {}
        for head in heads:
            paths[head] = os.path.join(tmp, head + ".mlir")
            with open(paths[head], "w") as f:
                f.write(program(head, args.channels, args.size))
        times = {head: [] for head in heads}
        for _ in range(args.rounds):
            for head in heads:
                times[head] += chain_times(paths[head], head, data, big, tmp)
    after = {head: np.median(np.array(t), axis=0) for head, t in times.items()}
    mb = 4 * args.channels * args.size ** 2 / 1e6
    print(f"1x{args.channels}x{args.size}x{args.size} ({mb:.2f} MB per tensor), "
          f"median of 4 blocks x {args.rounds} rounds, us after each head "
          f"(ratio to after relu)")
    print(f"{'position':<10} {'op':<11} " + " ".join(f"{h:>15}" for h in heads))
    for i, op in enumerate(CHAIN):
        cells = [f"{after[h][i]:7.1f} ({after[h][i] / after['relu'][i]:4.2f})"
                 for h in heads]
        print(f"{i + 1:<10} {op:<11} " + " ".join(f"{c:>15}" for c in cells))

if __name__ == "__main__":
    main()
