#!/usr/bin/env python3
"""Independent reference for dlc's int8 arithmetic.

`make DIR` writes DIR/model.mlir (quantize -> qconv2d -> qadd -> qlinear, qmatmul ->
dequantize with random int8 weights, int32 biases and scales; a grouped
conv and a ReLU-clamped output range included) and DIR/x.npy, and
DIR/want.npy: the output computed here with Python integers, following the
op definitions (fp32 division and round-half-even in quantize, int32
accumulation, gemmlowp's doubling high multiply and rounding shift).
`check GOT WANT` (for each result) then requires the executor's output to be bit-identical.
"""
import math
import sys
import numpy as np

rng = np.random.default_rng(5)
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def quantize_multiplier(real):
    fraction, shift = math.frexp(real)
    fixed = int(math.floor(fraction * (1 << 31) + 0.5))  # llround, positive
    if fixed == 1 << 31:
        fixed //= 2
        shift += 1
    return fixed, shift


def srdhm(a, b):
    if a == b == INT32_MIN:
        return INT32_MAX
    product = a * b
    nudge = (1 << 30) if product >= 0 else 1 - (1 << 30)
    return int((product + nudge) / (1 << 31))  # C++ truncating division


def rounding_divide_by_pot(x, exponent):
    if exponent <= 0:
        return x
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def multiply(x, real):
    m, shift = quantize_multiplier(real)
    left, right = max(shift, 0), max(-shift, 0)
    x = max(INT32_MIN, min(INT32_MAX, x * (1 << left)))
    return rounding_divide_by_pot(srdhm(x, m), right)


def quantize(x, scale, zp, lo=-128, hi=127):
    q = np.rint(x / np.float32(scale)) + zp  # fp32 division, half to even
    return np.clip(q, lo, hi).astype(np.int64)


def conv(xq, zx, w, bias, sx, sw, sy, zy, lo, hi, groups, pad):
    n, c, h, wd = xq.shape
    m, cg, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * pad, wd + 2 * pad), np.int64)
    xp[:, :, pad:pad + h, pad:pad + wd] = xq - zx  # padding is real zero
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    out = np.zeros((n, m, oh, ow), np.int64)
    mg = m // groups
    for b in range(n):
        for o in range(m):
            g = o // mg
            for y in range(oh):
                for x in range(ow):
                    patch = xp[b, g * cg:(g + 1) * cg, y:y + kh, x:x + kw]
                    acc = int((patch * w[o]).sum()) + int(bias[o])
                    v = zy + multiply(acc, sx * sw[o] / sy)
                    out[b, o, y, x] = min(hi, max(lo, v))
    return out


def qadd(a, za, sa, b, zb, sb, sy, zy, lo, hi):
    twice = 2 * max(sa, sb)
    out = np.zeros_like(a)
    for i, (p, q) in enumerate(zip(a.flat, b.flat)):
        s = multiply((int(p) - za) << 20, sa / twice) + \
            multiply((int(q) - zb) << 20, sb / twice)
        out.flat[i] = min(hi, max(lo, zy + multiply(s, twice / ((1 << 20) * sy))))
    return out


def linear(xq, zx, w, bias, sx, sw, sy, zy):
    out = np.zeros((xq.shape[0], w.shape[0]), np.int64)
    for r in range(xq.shape[0]):
        for o in range(w.shape[0]):
            acc = int(((xq[r] - zx) * w[o]).sum()) + int(bias[o])
            out[r, o] = min(127, max(-128, zy + multiply(acc, sx * sw[o] / sy)))
    return out


def matmul(a, za, sa, b, zb, sb, sy, zy):
    out = np.zeros(a.shape[:-1] + b.shape[-1:], np.int64)
    for idx in np.ndindex(*a.shape[:-2]):
        acc = (a[idx] - za) @ (b[idx] - zb)
        for (r, c), v in np.ndenumerate(acc):
            out[idx + (r, c)] = min(127, max(-128, zy + multiply(int(v), sa * sb / sy)))
    return out


def fmt(values):
    return "[" + ", ".join(repr(float(v)) if isinstance(v, float) else str(int(v))
                           for v in values) + "]"


def dense(array):
    return "dense<" + np.array2string(
        array, separator=", ", threshold=1 << 30).replace("\n", "") + ">"


def make(out):
    x = rng.standard_normal((2, 4, 5, 5)).astype(np.float32)
    sx, zx = 0.021, -3
    w1 = rng.integers(-127, 128, (4, 2, 3, 3))  # groups = 2
    sw1 = [float(v) for v in rng.uniform(0.002, 0.02, 4)]
    b1 = rng.integers(-3000, 3000, 4)
    s1, z1 = 0.05, -128  # ReLU folded: storage range [-128, 127] from zp
    w2 = rng.integers(-127, 128, (4, 4, 1, 1))
    sw2 = [float(v) for v in rng.uniform(0.002, 0.02, 4)]
    b2 = rng.integers(-3000, 3000, 4)
    s2, z2 = 0.04, 5
    sa, za, alo, ahi = 0.07, -20, -20, 100  # clip folded into [-20, 100]
    w3 = rng.integers(-127, 128, (3, 100))
    sw3 = [float(v) for v in rng.uniform(0.002, 0.02, 3)]
    b3 = rng.integers(-3000, 3000, 3)
    s3, z3 = 0.3, 2

    xq = quantize(x, sx, zx)
    y1 = conv(xq, zx, w1, b1, sx, sw1, s1, z1, z1, 127, 2, 1)
    y2 = conv(y1, z1, w2, b2, s1, sw2, s2, z2, -128, 127, 1, 0)
    y3 = qadd(y1, z1, s1, y2, z2, s2, sa, za, alo, ahi)
    y4 = linear(y3.reshape(2, 100), za, w3, b3, sa, sw3, s3, z3)
    want = (np.float32(s3) * (y4 - z3).astype(np.float32)).astype(np.float32)
    want_sum = (np.float32(sa) * (y3 - za).astype(np.float32)).astype(np.float32)
    sm, zm = 0.9, -7
    y5 = matmul(y3, za, sa, y1, z1, s1, sm, zm)
    want_product = (np.float32(sm) * (y5 - zm).astype(np.float32)).astype(np.float32)

    def qtype(s, z, lo=None, hi=None):
        storage = "i8" if lo is None else f"i8<{lo}:{hi}>"
        return f"!quant.uniform<{storage}:f32, {s!r}:{z}>"

    def axis(scales):
        return "!quant.uniform<i8<-127:127>:f32:0, {" + ", ".join(
            repr(s) for s in scales) + "}>"

    tx, t1 = qtype(sx, zx), qtype(s1, z1, z1, 127)
    t2, ta, t3 = qtype(s2, z2), qtype(sa, za, alo, ahi), qtype(s3, z3)
    tm = qtype(sm, zm)
    mlir = f"""func.func @main(%x: tensor<2x4x5x5xf32>) -> (tensor<2x3xf32>, tensor<2x4x5x5xf32>, tensor<2x4x5x5xf32>) {{
  %q = dlc.quantize %x : tensor<2x4x5x5xf32> -> tensor<2x4x5x5x{tx}>
  %w1 = dlc.qconstant {dense(w1)} : tensor<4x2x3x3xi8> : tensor<4x2x3x3x{axis(sw1)}>
  %b1 = dlc.qconstant dense<{fmt(b1)}> : tensor<4xi32> : tensor<4xi32>
  %y1 = dlc.qconv2d %q, %w1, %b1 {{groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>}}
      : (tensor<2x4x5x5x{tx}>, tensor<4x2x3x3x{axis(sw1)}>, tensor<4xi32>) -> tensor<2x4x5x5x{t1}>
  %w2 = dlc.qconstant {dense(w2)} : tensor<4x4x1x1xi8> : tensor<4x4x1x1x{axis(sw2)}>
  %b2 = dlc.qconstant dense<{fmt(b2)}> : tensor<4xi32> : tensor<4xi32>
  %y2 = dlc.qconv2d %y1, %w2, %b2
      : (tensor<2x4x5x5x{t1}>, tensor<4x4x1x1x{axis(sw2)}>, tensor<4xi32>) -> tensor<2x4x5x5x{t2}>
  %y3 = dlc.qadd %y1, %y2 : (tensor<2x4x5x5x{t1}>, tensor<2x4x5x5x{t2}>) -> tensor<2x4x5x5x{ta}>
  %f = dlc.reshape %y3 {{shape = array<i64: 2, 100>}} : (tensor<2x4x5x5x{ta}>) -> tensor<2x100x{ta}>
  %w3 = dlc.qconstant {dense(w3)} : tensor<3x100xi8> : tensor<3x100x{axis(sw3)}>
  %b3 = dlc.qconstant dense<{fmt(b3)}> : tensor<3xi32> : tensor<3xi32>
  %y4 = dlc.qlinear %f, %w3, %b3 : (tensor<2x100x{ta}>, tensor<3x100x{axis(sw3)}>, tensor<3xi32>) -> tensor<2x3x{t3}>
  %r = dlc.dequantize %y4 : tensor<2x3x{t3}> -> tensor<2x3xf32>
  %s = dlc.dequantize %y3 : tensor<2x4x5x5x{ta}> -> tensor<2x4x5x5xf32>
  %y5 = dlc.qmatmul %y3, %y1 : (tensor<2x4x5x5x{ta}>, tensor<2x4x5x5x{t1}>) -> tensor<2x4x5x5x{tm}>
  %p = dlc.dequantize %y5 : tensor<2x4x5x5x{tm}> -> tensor<2x4x5x5xf32>
  return %r, %s, %p : tensor<2x3xf32>, tensor<2x4x5x5xf32>, tensor<2x4x5x5xf32>
}}
"""
    open(f"{out}/model.mlir", "w").write(mlir)
    np.save(f"{out}/x.npy", x)
    np.save(f"{out}/want.npy", want)
    np.save(f"{out}/want_sum.npy", want_sum)
    np.save(f"{out}/want_product.npy", want_product)


def check(got_path, want_path):
    got, want = np.load(got_path), np.load(want_path)
    if got.shape != want.shape or not np.array_equal(got, want):
        print("got", got, "want", want, sep="\n")
        raise SystemExit("int8 results differ from the reference")
    print(f"bit-exact: {got.size} values")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
