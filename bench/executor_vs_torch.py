#!/usr/bin/env python3
"""Reference-executor speed against PyTorch, measured in one run.

  /usr/bin/python3 bench/executor_vs_torch.py [--model resnet18] [--threads 2]

--model: any name test/Target/ONNX/Inputs/export_torch.py builds
(resnet18, mobilenet_v2, mobilenet_v3_small, shufflenet_v2, vit, swin,
convnext, transformer, ...).

Exports the torchvision model (random weights) with test/Target/ONNX/
Inputs/export_torch.py, imports it with dlc-translate, then alternates
timing rounds of `dlc-run --iterations N` and PyTorch's forward pass on the
same input with the same thread count, and reports the best round of each
and their ratio (dlc time / PyTorch time: below 1 means dlc is faster), for
the network as imported and after `dlc-deploy` (exact rewrites: batch-norm
folding and branch merging).
Uses build/bin from the repository; build first (scripts/build.sh).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "Target", "ONNX", "Inputs"))
import export_torch  # noqa: E402


def time_dlc(mlir, inp, iterations, threads):
    out = subprocess.run(
        [os.path.join(ROOT, "build", "bin", "dlc-run"), mlir, "--input", inp,
         "--iterations", str(iterations), "--num-threads", str(threads)],
        check=True, capture_output=True, text=True).stdout
    return float(re.search(r"([0-9.]+) ms/run", out).group(1))


def time_torch(model, x, iterations):
    with torch.no_grad():
        start = time.perf_counter()
        for _ in range(iterations):
            model(x)
        return (time.perf_counter() - start) / iterations * 1000.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        sys.argv = ["export_torch.py", args.model, tmp]
        export_torch.main()
        onnx_path = os.path.join(tmp, f"{args.model}.onnx")
        mlir = os.path.join(tmp, f"{args.model}.mlir")
        inp = os.path.join(tmp, f"{args.model}.input.npy")
        subprocess.run([os.path.join(ROOT, "build", "bin", "dlc-translate"),
                        "--import-onnx", onnx_path, "-o", mlir], check=True)
        # The same network after dlc's exact deployment rewrites (batch-norm
        # folding, branch merging).
        deployed = os.path.join(tmp, f"{args.model}.deploy.mlir")
        subprocess.run([os.path.join(ROOT, "build", "bin", "dlc-opt"), mlir,
                        "--dlc-deploy=batch=1", "-o", deployed], check=True)
        model, _, _ = export_torch.make(args.model)
        x = torch.from_numpy(np.load(inp))
        time_torch(model, x, 3)  # warm up
        dlc_ms, deploy_ms, torch_ms = [], [], []
        for _ in range(args.rounds):
            dlc_ms.append(time_dlc(mlir, inp, args.iterations, args.threads))
            deploy_ms.append(time_dlc(deployed, inp, args.iterations, args.threads))
            torch_ms.append(time_torch(model, x, args.iterations))
    best_dlc, best_deploy, best_torch = min(dlc_ms), min(deploy_ms), min(torch_ms)
    print(f"model {args.model}, input {tuple(x.shape)}, threads {args.threads}, "
          f"torch {torch.__version__}")
    print(f"dlc-run (as imported)   best {best_dlc:8.2f} ms   rounds {['%.1f' % v for v in dlc_ms]}")
    print(f"dlc-run (dlc-deploy)    best {best_deploy:8.2f} ms   rounds {['%.1f' % v for v in deploy_ms]}")
    print(f"pytorch (eager, eval)   best {best_torch:8.2f} ms   rounds {['%.1f' % v for v in torch_ms]}")
    print(f"ratio dlc/pytorch = {best_dlc / best_torch:.2f} as imported, "
          f"{best_deploy / best_torch:.2f} after dlc-deploy")


if __name__ == "__main__":
    main()
