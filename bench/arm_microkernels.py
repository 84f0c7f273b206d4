#!/usr/bin/env python3
"""Steady-state throughput of the ARM backend's GEMM microkernels (llvm-mca).

    python3 bench/arm_microkernels.py [--build build] [--cpus cortex-a78,...]

Emits a small model with `dlc-translate --emit-arm` (its model.c carries
the kernel library), compiles the fp32 (FMLA) and int8 (SDOT)
microkernels with aarch64-linux-gnu-gcc -O3, cuts out each one's inner
loop and runs llvm-mca on it. The peak is measured with the same
scheduling model: a block of independent FMLA/SDOT instructions. Achieved
over peak is the share of the vector pipes the loop keeps busy; llvm-mca
assumes L1 hits, so this is the kernel's ceiling, not a layer's speed.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MCA = "/usr/lib/llvm-22/bin/llvm-mca"
MARCH = "armv8.2-a+fp16+dotprod"

WRAPPERS = """
void bench_f32(int kc, const float *a, const float *b, float *tile);
void bench_f32(int kc, const float *a, const float *b, float *tile) {
  dlc_ukernel_f32(kc, a, b, tile);
}
void bench_nf4(int kc, const uint8_t *codes, const dlc_asource *as, int M,
               int K, const float *b, float *tile);
void bench_nf4(int kc, const uint8_t *codes, const dlc_asource *as, int M,
               int K, const float *b, float *tile) {
  dlc_ukernel_nf4(kc, codes, as, M, K, 0, 0, b, tile);
}
void bench_s8(int k4, const int8_t *a, const int8_t *b, int32_t *tile);
void bench_s8(int k4, const int8_t *a, const int8_t *b, int32_t *tile) {
  dlc_ukernel_s8(k4, a, b, tile);
}
"""


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def hottest_loop(asm, functions, mnemonic):
    """The loop body (label to backward branch) with the most `mnemonic`
    instructions in the functions named by the regular expression
    `functions` (a wrapper, or the kernel itself where GCC kept it out of
    line, e.g. as a .constprop clone)."""
    lines = []
    for m in re.finditer(r"\n(" + functions + r"):\n", asm):
        body = asm[m.end():].split(".size\t" + m.group(1), 1)[0]
        lines += body.splitlines()
    best = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\.L\w+):", line)
        if not m:
            continue
        for j in range(i + 1, len(lines)):
            if re.search(r"\bb(\.\w+|ne|eq|gt|ge|lt|le|hi|lo|cc|cs)?\s+" +
                         re.escape(m.group(1)) + r"$", lines[j].strip()):
                loop = [l for l in lines[i + 1:j + 1]
                        if l.startswith("\t") and not l.startswith("\t.")]
                if sum(mnemonic in l for l in loop) > sum(
                        mnemonic in l for l in best):
                    best = loop
                break
    return best


def mca_cycles(text, cpu, iterations=1000):
    with tempfile.NamedTemporaryFile("w", suffix=".s", delete=False) as f:
        f.write("\n".join(text) + "\n")
    out = run([MCA, "-mtriple=aarch64", f"-mcpu={cpu}", "-mattr=+dotprod",
               f"-iterations={iterations}", f.name]).stdout
    os.unlink(f.name)
    return int(re.search(r"Total Cycles:\s+(\d+)", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--cpus", default="cortex-a78,neoverse-n1,cortex-a55")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run([os.path.join(args.build, "bin", "dlc-translate"), "--emit-arm",
             os.path.join(ROOT, "test", "Target", "ARM", "emit-c.mlir"),
             "-o", tmp])
        source = open(os.path.join(tmp, "model.c")).read()
        library = source.split("/*===--- model ---===*/")[0]
        with open(os.path.join(tmp, "kernels.c"), "w") as f:
            f.write(library.replace('#include "model.h"', "") + WRAPPERS)
        run(["aarch64-linux-gnu-gcc", "-std=c11", "-O3", f"-march={MARCH}",
             "-S", "kernels.c", "-o", "kernels.s"], cwd=tmp)
        asm = open(os.path.join(tmp, "kernels.s")).read()
    kernels = {
        "fp32 8x8 (FMLA)": (hottest_loop(asm, r"bench_f32|dlc_ukernel_f32[\w.]*", "fmla"), "fmla",
                            "fmla v{0}.4s, v0.4s, v1.s[{1}]"),
        "int8 8x8 (SDOT)": (hottest_loop(asm, r"bench_s8|dlc_ukernel_s8[\w.]*", "sdot"), "sdot",
                            "sdot v{0}.4s, v0.16b, v1.4b[{1}]"),
        "NF4 8x8 (FMLA, decode in loop)": (
            hottest_loop(asm, r"bench_nf4|dlc_ukernel_nf4[\w.]*", "fmla"), "fmla",
            "fmla v{0}.4s, v0.4s, v1.s[{1}]"),
    }
    print(f"aarch64-linux-gnu-gcc -O3 -march={MARCH}; llvm-mca 22, "
          "1000 iterations of each inner loop\n")
    print("| -mcpu | kernel | vector ops / iteration | cycles / iteration "
          "| peak ops / cycle | achieved ops / cycle | of peak |")
    print("|---|---|---|---|---|---|---|")
    for cpu in args.cpus.split(","):
        for name, (loop, mnemonic, template) in kernels.items():
            ops = sum(mnemonic in l for l in loop)
            if not ops:
                sys.exit(f"no {mnemonic} loop found for {name}")
            cycles = mca_cycles(loop, cpu) / 1000
            peak_block = [template.format(8 + i, i % 4) for i in range(16)]
            peak = 16 / (mca_cycles(peak_block, cpu) / 1000)
            achieved = ops / cycles
            print(f"| {cpu} | {name} | {ops} | {cycles:.2f} | {peak:.2f} "
                  f"| {achieved:.2f} | {100 * achieved / peak:.1f}% |")


if __name__ == "__main__":
    main()
