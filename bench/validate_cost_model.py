#!/usr/bin/env python3
"""How well dlc's cost model predicts per-layer time on this machine.

  /usr/bin/python3 bench/validate_cost_model.py [--threads 1] [--iterations 20]

1. Calibrates the host in the same run from single-op programs timed by the
   reference executor (dlc-run --profile-json) with the given thread count:
   peak FP32 from a 1024^3 dlc.matmul, memory bandwidth from a 16M-element
   dlc.add, the achieved efficiency of a 3x3 stride-1 conv (Winograd), a
   strided 3x3 conv (im2col), a 1x1 conv and a depthwise conv,
   and the per-op overhead from a 64-element relu. Writes them as target
   "host-measured" to a target file (the efficiencies go in its
   "efficiency" object).
2. For ResNet-18, MobileNetV2, ShuffleNetV2 (torchvision, random weights)
   and a transformer encoder block: imports the PyTorch export, times every
   op with the executor, and predicts every op with
   `dlc-cost-report target=host-measured fuse=false format=json` (the
   executor runs each op as its own kernel).
3. Reports, over layers that take at least 20 us: Spearman rank correlation
   of predicted vs measured time and the share of layers within +-25% and
   +-10% (nn-Meter's form), per network and overall, plus whole-network
   predicted vs measured latency.
Build first (scripts/build.sh).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bin")
sys.path.insert(0, os.path.join(ROOT, "test", "Target", "ONNX", "Inputs"))
import export_torch  # noqa: E402


def profile(mlir, inputs, threads, iterations):
    out = mlir + ".profile.json"
    cmd = [os.path.join(BIN, "dlc-run"), mlir, "--num-threads", str(threads),
           "--iterations", str(iterations), "--profile-json", out]
    for path in inputs:
        cmd += ["--input", path]
    subprocess.run(cmd, check=True, capture_output=True)
    with open(out) as f:
        return json.load(f)


def timed(tmp, name, body, inputs, threads, iterations):
    """Best-of-3 mean time (ms) of the single op in `body` under dlc-run."""
    path = os.path.join(tmp, name + ".mlir")
    with open(path, "w") as f:
        f.write(body)
    rng = np.random.default_rng(0)
    files = []
    for i, shape in enumerate(inputs):
        files.append(os.path.join(tmp, f"{name}{i}.npy"))
        np.save(files[-1], rng.standard_normal(shape).astype(np.float32))
    return min(profile(path, files, threads, iterations)[0]["ms"] for _ in range(3))


def timed_chain(tmp, name, op, shape, threads, iterations, length=8):
    """Median time (ms) of the ops of a chain of `length` identical
    elementwise ops after the first: intermediates are allocated and freed as
    in a network, unlike a lone op's output."""
    dims = "x".join(str(d) for d in shape)
    lines = [f"func.func @main(%v0: tensor<{dims}xf32>) -> tensor<{dims}xf32> {{"]
    for i in range(length):
        lines.append(f"  %v{i + 1} = dlc.{op} %v{i} : tensor<{dims}xf32>")
    lines += [f"  return %v{length} : tensor<{dims}xf32>", "}"]
    path = os.path.join(tmp, name + ".mlir")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    data = os.path.join(tmp, name + ".npy")
    np.save(data, np.random.default_rng(0).standard_normal(shape).astype(np.float32))
    runs = [profile(path, [data], threads, iterations) for _ in range(3)]
    return min(float(np.median([op["ms"] for op in run[1:]])) for run in runs)


def timed_conv_chain(tmp, name, channels, size, kernel, groups, threads,
                     iterations, length=8):
    """Median time (ms) of the convolutions after the first in a chain of
    `length` identical shape-preserving convolutions with constant weights:
    in a network a conv's input was just written by its producer and its
    output buffer is recycled, which a lone op does not see (a lone 3x3
    conv takes 15-25% longer than the same conv inside a chain)."""
    dims = f"1x{channels}x{size}x{size}"
    wdims = f"{channels}x{channels // groups}x{kernel}x{kernel}"
    pad = kernel // 2
    lines = [f"func.func @main(%v0: tensor<{dims}xf32>) -> tensor<{dims}xf32> {{"]
    for i in range(length):
        lines.append(f"  %w{i} = dlc.constant dense<0.01> : tensor<{wdims}xf32>")
        lines.append(
            f"  %v{i + 1} = dlc.conv2d %v{i}, %w{i} {{pads = array<i64: {pad}, {pad}, {pad}, {pad}>, "
            f"groups = {groups} : i64}} : (tensor<{dims}xf32>, tensor<{wdims}xf32>) -> tensor<{dims}xf32>")
    lines += [f"  return %v{length} : tensor<{dims}xf32>", "}"]
    path = os.path.join(tmp, name + ".mlir")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    data = os.path.join(tmp, name + ".npy")
    np.save(data, np.random.default_rng(0).standard_normal(
        (1, channels, size, size)).astype(np.float32))
    runs = [profile(path, [data], threads, iterations) for _ in range(3)]
    return min(float(np.median([op["ms"] for op in run if op["op"] == "dlc.conv2d"][1:]))
               for run in runs)


def last_level_cache_mib():
    """The largest cache of CPU 0 (sysfs), in MiB."""
    sizes = []
    base = "/sys/devices/system/cpu/cpu0/cache"
    for entry in os.listdir(base) if os.path.isdir(base) else []:
        try:
            text = open(os.path.join(base, entry, "size")).read().strip()
        except OSError:
            continue
        unit = {"K": 1 / 1024, "M": 1.0}.get(text[-1], 1 / (1024 * 1024))
        sizes.append(float(text.rstrip("KM")) * unit)
    return max(sizes, default=0.0)


def calibrate(tmp, threads, iterations):
    """Measures the host's peak, achieved efficiencies and per-op overhead
    with small single-op programs, nn-Meter style, and writes a target."""
    n, m = 1024, 16 * 1024 * 1024
    mm = timed(tmp, "matmul", f"""func.func @main(%a: tensor<{n}x{n}xf32>, %b: tensor<{n}x{n}xf32>) -> tensor<{n}x{n}xf32> {{
  %0 = dlc.matmul %a, %b : (tensor<{n}x{n}xf32>, tensor<{n}x{n}xf32>) -> tensor<{n}x{n}xf32>
  return %0 : tensor<{n}x{n}xf32>
}}""", [(n, n), (n, n)], threads, iterations)
    add = timed(tmp, "add", f"""func.func @main(%a: tensor<{m}xf32>, %b: tensor<{m}xf32>) -> tensor<{m}xf32> {{
  %0 = dlc.add %a, %b : (tensor<{m}xf32>, tensor<{m}xf32>) -> tensor<{m}xf32>
  return %0 : tensor<{m}xf32>
}}""", [(m,), (m,)], threads, iterations)
    # Constant weights, as in a network: the executor then runs 3x3
    # stride-1 convs as Winograd with pre-transformed weights.
    # Convolutions inside chains, as in a network.
    conv = timed_conv_chain(tmp, "conv", 64, 56, 3, 1, threads, iterations)
    dw = timed_conv_chain(tmp, "depthwise", 128, 56, 3, 128, threads, iterations)
    pw = timed_conv_chain(tmp, "pointwise", 128, 28, 1, 1, threads, iterations)
    # A depthwise layer on a small map: most outputs touch the padding.
    dw_small = timed_conv_chain(tmp, "depthwise_small", 960, 7, 3, 960,
                                threads, iterations)
    strided = timed(tmp, "strided", """func.func @main(%x: tensor<1x64x56x56xf32>, %w: tensor<128x64x3x3xf32>) -> tensor<1x128x28x28xf32> {
  %0 = dlc.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<128x64x3x3xf32>) -> tensor<1x128x28x28xf32>
  return %0 : tensor<1x128x28x28xf32>
}""", [(1, 64, 56, 56), (128, 64, 3, 3)], threads, iterations)
    # Bandwidth on a working set that fits in the last-level cache: a chain
    # of ReLUs on a 1x64x56x56 tensor (0.8 MB in, 0.8 MB out), as networks
    # stream their activations.
    cached = timed_chain(tmp, "cached", "relu", (1, 64, 56, 56), threads,
                         iterations)
    small_bytes = 2 * 4 * 64 * 56 * 56
    tiny = timed(tmp, "tiny", """func.func @main(%x: tensor<64xf32>) -> tensor<64xf32> {
  %0 = dlc.relu %x : tensor<64xf32>
  return %0 : tensor<64xf32>
}""", [(64,)], threads, iterations)
    peak = 2 * n ** 3 / (mm * 1e-3)
    conv_rate = 2 * 64 * 56 * 56 * 64 * 9 / (conv * 1e-3)
    dw_rate = 2 * 128 * 56 * 56 * 9 / (dw * 1e-3)
    # Interior and border depthwise efficiencies from the two maps: time =
    # F (1 - b) / (P e_in) + F b / (P e_border), b the border share (the
    # model's depthwiseBorderShare: 1 - 54^2/56^2 and 1 - 5^2/7^2).
    shares = [1 - 54 ** 2 / 56 ** 2, 1 - 5 ** 2 / 7 ** 2]
    flops = [2 * 128 * 56 * 56 * 9, 2 * 960 * 7 * 7 * 9]
    times = [dw * 1e-3, dw_small * 1e-3]
    system = np.array([[f * (1 - b), f * b] for f, b in zip(flops, shares)])
    inverse = np.linalg.solve(system, np.array(times))  # 1/(P e) each
    pw_rate = 2 * 128 * 28 * 28 * 128 / (pw * 1e-3)
    strided_rate = 2 * 128 * 28 * 28 * 64 * 9 / (strided * 1e-3)
    gbps = 3 * 4 * m / (add * 1e-3) / 1e9
    cache_gbps = small_bytes / (cached * 1e-3) / 1e9
    llc_mib = last_level_cache_mib()
    target = {"targets": [{
        "name": "host-measured", "kind": "cpu",
        "description": f"this machine, {threads} thread(s), measured",
        "peak_tflops": {"fp32": peak / 1e12}, "memory_gbps": gbps,
        "cache_gbps": cache_gbps, "llc_mib": llc_mib,
        "native_types": ["fp32"], "launch_overhead_us": tiny * 1e3,
        "efficiency": {"product": strided_rate / peak, "conv3x3": conv_rate / peak,
                       "pointwise": pw_rate / peak,
                       "depthwise": 1 / (inverse[0] * peak) if inverse[0] > 0 else dw_rate / peak,
                       "depthwise_border": 1 / (inverse[1] * peak) if inverse[1] > 0 else dw_rate / peak,
                       "vector": 0.5, "memory": 1.0},
        "saturation_outputs": 64 * threads,
        "sources": [f"dlc-run, {threads} thread(s): matmul {n}^3 {mm:.3f} ms, "
                    f"add of {m} floats {add:.3f} ms, 3x3 conv 64->64 at 56x56 "
                    f"{conv:.3f} ms, depthwise 3x3 128ch at 56x56 {dw:.3f} ms, "
                    f"relu of 64 floats {tiny * 1e3:.1f} us"]}]}
    path = os.path.join(tmp, "host.json")
    with open(path, "w") as f:
        json.dump(target, f)
    # Memory-bound ops whose kernels reach their own share of the streaming
    # bandwidth (strided gathers, pooling windows, batch-1 matrix-vector
    # products): each op's efficiency is the model's time at efficiency 1
    # over the measured time, less the per-op overhead, on a shape it has in
    # the networks (the linear layer's 64 MB of weights come from memory,
    # as weights do in a network run).
    per_op = {
        "transpose": ("""func.func @main(%x: tensor<1x2x58x28x28xf32>) -> tensor<1x58x2x28x28xf32> {
  %0 = dlc.transpose %x {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x58x28x28xf32>) -> tensor<1x58x2x28x28xf32>
  return %0 : tensor<1x58x2x28x28xf32>
}""", [(1, 2, 58, 28, 28)]),
        "slice": ("""func.func @main(%x: tensor<1x116x28x28xf32>) -> tensor<1x58x28x28xf32> {
  %0 = dlc.slice %x {axes = array<i64: 1>, starts = array<i64: 58>, ends = array<i64: 116>} : (tensor<1x116x28x28xf32>) -> tensor<1x58x28x28xf32>
  return %0 : tensor<1x58x28x28xf32>
}""", [(1, 116, 28, 28)]),
        "concat": ("""func.func @main(%x: tensor<1x58x28x28xf32>, %y: tensor<1x58x28x28xf32>) -> tensor<1x116x28x28xf32> {
  %0 = dlc.concat %x, %y {axis = 1 : i64} : (tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>) -> tensor<1x116x28x28xf32>
  return %0 : tensor<1x116x28x28xf32>
}""", [(1, 58, 28, 28), (1, 58, 28, 28)]),
        "max_pool2d": ("""func.func @main(%x: tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32> {
  %0 = dlc.max_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}""", [(1, 64, 112, 112)]),
        "global_avg_pool": ("""func.func @main(%x: tensor<1x1024x7x7xf32>) -> tensor<1x1024x1x1xf32> {
  %0 = dlc.global_avg_pool %x : (tensor<1x1024x7x7xf32>) -> tensor<1x1024x1x1xf32>
  return %0 : tensor<1x1024x1x1xf32>
}""", [(1, 1024, 7, 7)]),
        "batch_norm": ("""func.func @main(%x: tensor<1x116x28x28xf32>) -> tensor<1x116x28x28xf32> {
  %s = dlc.constant dense<1.5> : tensor<116xf32>
  %b = dlc.constant dense<0.1> : tensor<116xf32>
  %m = dlc.constant dense<0.2> : tensor<116xf32>
  %v = dlc.constant dense<2.0> : tensor<116xf32>
  %0 = dlc.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32} : (tensor<1x116x28x28xf32>, tensor<116xf32>, tensor<116xf32>, tensor<116xf32>, tensor<116xf32>) -> tensor<1x116x28x28xf32>
  return %0 : tensor<1x116x28x28xf32>
}""", [(1, 116, 28, 28)]),
        "softmax": ("""func.func @main(%x: tensor<1x4x32x32xf32>) -> tensor<1x4x32x32xf32> {
  %0 = dlc.softmax %x {axis = -1 : i64} : tensor<1x4x32x32xf32>
  return %0 : tensor<1x4x32x32xf32>
}""", [(1, 4, 32, 32)]),
        "linear": ("""func.func @main(%x: tensor<1x2048xf32>) -> tensor<1x8192xf32> {
  %w = dlc.constant dense<0.01> : tensor<8192x2048xf32>
  %0 = dlc.linear %x, %w : (tensor<1x2048xf32>, tensor<8192x2048xf32>) -> tensor<1x8192xf32>
  return %0 : tensor<1x8192xf32>
}""", [(1, 2048)]),
    }
    overhead_us = tiny * 1e3
    op_efficiency = {}
    for op, (body, inputs) in per_op.items():
        ms = timed(tmp, op, body, inputs, threads, iterations)
        report = subprocess.run(
            [os.path.join(BIN, "dlc-opt"), os.path.join(tmp, op + ".mlir"),
             "-o", "/dev/null",
             "--dlc-cost-report=target=host-measured fuse=false format=json "
             f"target-file={path}"],
            check=True, capture_output=True, text=True).stdout
        layer = [l for l in json.loads(report)[0]["layers"]
                 if l["op"] != "constant"][0]
        memory_us = layer.get("memory_us", layer["time_us"] - overhead_us)
        op_efficiency[op] = max(memory_us, 1e-3) / max(ms * 1e3 - overhead_us,
                                                       1e-3)
    target["targets"][0]["op_memory_efficiency"] = op_efficiency
    with open(path, "w") as f:
        json.dump(target, f)
    print("memory efficiency per op: " + ", ".join(
        f"{k} {v:.2f}" for k, v in op_efficiency.items()))
    print(f"host calibration ({threads} thread(s)): matmul {peak / 1e9:.1f} GFLOP/s, "
          f"3x3 conv {conv_rate / 1e9:.1f}, strided 3x3 {strided_rate / 1e9:.1f}, "
          f"1x1 {pw_rate / 1e9:.1f}, depthwise {dw_rate / 1e9:.1f} "
          f"GFLOP/s, add stream {gbps:.1f} GB/s (in a {llc_mib:.0f} MiB cache: {cache_gbps:.1f}), "
          f"per-op overhead {tiny * 1e3:.1f} us")
    return path


def spearman(a, b):
    ra = np.argsort(np.argsort(a))
    rb = np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def stats(pred, meas):
    """Spearman, share within +-25% and +-10%, as table cells."""
    if len(pred) < 2:
        return f"{'-':>9} {'-':>7} {'-':>7}"
    pred, meas = np.array(pred), np.array(meas)
    err = np.abs(pred - meas) / meas
    return (f"{spearman(pred, meas):>9.3f} {np.mean(err <= 0.25):>7.1%} "
            f"{np.mean(err <= 0.10):>7.1%}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--min-us", type=float, default=20.0)
    parser.add_argument("--layers", action="store_true",
                        help="print each layer's predicted and measured time")
    args = parser.parse_args()
    all_pred, all_meas = [], []
    with tempfile.TemporaryDirectory() as tmp:
        target_file = calibrate(tmp, args.threads, args.iterations)
        print(f"{'network':<14} {'layers':>6} {'spearman':>9} {'+-25%':>7} {'+-10%':>7} "
              f"{'pred ms':>8} {'meas ms':>8}")
        for name in ("resnet18", "mobilenet_v2", "shufflenet_v2", "transformer"):
            sys.argv = ["export_torch.py", name, tmp]
            export_torch.main()
            mlir = os.path.join(tmp, name + ".mlir")
            subprocess.run([os.path.join(BIN, "dlc-translate"), "--import-onnx",
                            os.path.join(tmp, name + ".onnx"), "-o", mlir], check=True)
            measured = profile(mlir, [os.path.join(tmp, name + ".input.npy")],
                               args.threads, args.iterations)
            report = subprocess.run(
                [os.path.join(BIN, "dlc-opt"), mlir, "-o", "/dev/null",
                 "--dlc-cost-report=target=host-measured fuse=false format=json "
                 f"target-file={target_file}"],
                check=True, capture_output=True, text=True).stdout
            layers = json.loads(report)[0]["layers"]
            assert len(layers) == len(measured), (len(layers), len(measured))
            pred, meas = [], []
            for layer, m in zip(layers, measured):
                if layer.get("cost") == "unknown" or m["ms"] * 1e3 < args.min_us:
                    continue
                pred.append(layer["time_us"])
                meas.append(m["ms"] * 1e3)
                if args.layers:
                    print(f"  {layer['name']:<40} {layer['op']:<16} "
                          f"{layer.get('bound', ''):<8} pred {pred[-1]:9.1f} us "
                          f"meas {meas[-1]:9.1f} us ratio {pred[-1] / meas[-1]:5.2f}")
            all_pred += pred
            all_meas += meas
            total_pred = sum(l.get("time_us", 0) for l in layers) / 1e3
            total_meas = sum(m["ms"] for m in measured)
            print(f"{name:<14} {len(pred):>6} {stats(pred, meas)} "
                  f"{total_pred:>8.2f} {total_meas:>8.2f}")
    print(f"{'all':<14} {len(all_pred):>6} {stats(all_pred, all_meas)}")


if __name__ == "__main__":
    main()
