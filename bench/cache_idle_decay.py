#!/usr/bin/env python3
"""Whether activations the reference executor wrote fade from the shared
last-level cache with time alone, with no bytes of its own in between
(docs/cost-model.md, what still misses).

  /usr/bin/python3 bench/cache_idle_decay.py [--channels 64] [--size 56]
      [--rounds 3]

One program per pause length K: a ReLU writes a 1 x C x S x S tensor, K
192x192 matmuls run (their operands and results, 0.4 MB, fit in the core's
own 1 MiB L2: they hardly touch the shared cache), then an add reads the ReLU's result and
a second input. Prints each K's pause (the matmuls' time) and the add's
time (median over rounds). The cache replay counts bytes, not time: an add
that slows as the pause grows loses its data to something else on the
machine. Build first (scripts/build.sh).
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
PAUSES = (0, 1, 4, 16, 64)
SQUARE = "tensor<192x192xf32>"


def program(pause, y):
    lines = [f"func.func @main(%x: {y}, %z: {y}, %p: {SQUARE}) -> ({y}, {SQUARE}) {{",
             f"  %a = dlc.relu %x : {y}"]
    product = "%p"
    for i in range(pause):
        lines.append(f"  %q{i} = dlc.matmul {product}, %p : ({SQUARE}, {SQUARE}) -> {SQUARE}")
        product = f"%q{i}"
    lines += [f"  %b = dlc.add %a, %z : ({y}, {y}) -> {y}",
              f"  return %b, {product} : {y}, {SQUARE}", "}"]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--size", type=int, default=56)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.path.exists(RUN):
        sys.exit(f"{RUN} not found: build first (scripts/build.sh)")
    shape = (1, args.channels, args.size, args.size)
    y = "tensor<" + "x".join(map(str, shape)) + "xf32>"
    times = {pause: [] for pause in PAUSES}
    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(0)
        inputs = []
        for name, dims in (("x", shape), ("z", shape), ("p", (192, 192))):
            inputs.append(os.path.join(tmp, name + ".npy"))
            np.save(inputs[-1], (0.05 * rng.standard_normal(dims)).astype(np.float32))
        for _ in range(args.rounds):
            for pause in PAUSES:
                path = os.path.join(tmp, f"pause{pause}.mlir")
                with open(path, "w") as f:
                    f.write(program(pause, y))
                out = os.path.join(tmp, "profile.json")
                cmd = [RUN, path, "--num-threads", "1", "--iterations", "20",
                       "--profile-json", out]
                for data in inputs:
                    cmd += ["--input", data]
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
                with open(out) as f:
                    ops = json.load(f)
                ops = ops if isinstance(ops, list) else ops["ops"]
                times[pause].append(
                    (sum(op["ms"] for op in ops if op["op"] == "dlc.matmul") * 1e3,
                     [op["ms"] for op in ops if op["op"] == "dlc.add"][0] * 1e3))
    mb = 4 * np.prod(shape) / 1e6
    print(f"add of two {mb:.2f} MB tensors after a pause, median of {args.rounds} rounds")
    for pause, runs in times.items():
        pause_us, add_us = np.median(np.array(runs), axis=0)
        print(f"{pause:3d} matmuls: pause {pause_us:8.1f} us, add {add_us:6.1f} us")


if __name__ == "__main__":
    main()
