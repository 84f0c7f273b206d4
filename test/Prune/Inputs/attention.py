#!/usr/bin/env python3
"""Multi-head attention blocks, for dlc-prune method=heads.

`make DIR FORM SPARSITY` writes DIR/attention.mlir, DIR/x.npy, DIR/full.npy
(the block's output, computed here with numpy) and DIR/want.npy: the output
when floor(SPARSITY * heads) heads with the lowest L1 score (the sum of
|w| over the head's rows of the query, key and value projections and its
columns of the output projection) are removed, computed as the original
block with those heads' columns of the output projection zeroed. It prints
the heads it keeps; DIR/want_noise.npy and the heads kept when the heads
that add the least output noise on x when removed alone go first
(allocation=sensitivity). FORM is `fused` (one query-key-value projection split
by a reshape into (3, heads, 8), as PyTorch's exporter writes
nn.MultiheadAttention), `separate` (one projection per part, the keys
transposed straight to (heads, 8, tokens), a scale multiplied in and a
causal mask, broadcast over the heads, added before the softmax) or
`fused-probs` (fused, also returning the attention probabilities, which
have a head axis outside the block: not prunable).
`check GOT WANT` compares within 1e-5 relative."""
import sys
import numpy as np

from shuffle_net import check  # within 1e-5 relative

B, S, H, D = 2, 6, 4, 8
E = H * D
rng = np.random.default_rng(7)


def dense(a):
    return "dense<" + np.array2string(a.astype(np.float32), separator=", ",
                                      threshold=1 << 30, floatmode="unique"
                                      ).replace("\n", "") + ">"


def t(*shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def softmax(a):
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def attention(x, wq, wk, wv, bq, bk, bv, wo, bo, mask):
    def heads(y):  # (B, S, E) -> (B, H, S, D)
        return y.reshape(B, S, H, D).transpose(0, 2, 1, 3)
    q, k, v = heads(x @ wq.T + bq), heads(x @ wk.T + bk), heads(x @ wv.T + bv)
    p = softmax(q @ k.transpose(0, 1, 3, 2) / np.sqrt(D) + mask)
    return (p @ v).transpose(0, 2, 1, 3).reshape(B, S, E) @ wo.T + bo


def make(out, form, sparsity):
    x = rng.standard_normal((B, S, E)).astype(np.float32)
    # Heads of different weight so that the L1 scores differ clearly.
    scale = np.repeat(np.array([1.0, 0.3, 0.6, 1.4], np.float32), D)
    ws = [(rng.standard_normal((E, E)) * scale[:, None] / np.sqrt(E))
          .astype(np.float32) for _ in range(3)]
    # Head 2: large queries and keys (a sharp attention pattern: much L1
    # weight) but small values: it adds little to the output.
    ws[0][2 * D:3 * D] *= 3
    ws[1][2 * D:3 * D] *= 3
    ws[2][2 * D:3 * D] *= 0.1
    bs = [(rng.standard_normal(E) * 0.1).astype(np.float32) for _ in range(3)]
    wo = (rng.standard_normal((E, E)) / np.sqrt(E)).astype(np.float32)
    bo = (rng.standard_normal(E) * 0.1).astype(np.float32)
    mask = np.zeros((S, S), np.float32)
    if form == "separate":
        mask[np.triu_indices(S, 1)] = -1e4
    full = attention(x, *ws, *bs, wo, bo, mask)
    score = np.zeros(H)
    for h in range(H):
        rows = slice(h * D, (h + 1) * D)
        score[h] = sum(np.abs(w[rows]).sum() for w in ws) + \
            np.abs(wo[:, rows]).sum()
    keep = sorted(np.argsort(-score, kind="stable")[:H - int(sparsity * H)])
    cols = np.zeros(E, np.float32)
    for h in keep:
        cols[h * D:(h + 1) * D] = 1
    want = attention(x, *ws, *bs, wo * cols[None, :], bo, mask)
    # allocation=sensitivity: the heads whose removal alone (on x) adds the
    # most output noise stay.
    noise = []
    for h in range(H):
        alone = np.ones(E, np.float32)
        alone[h * D:(h + 1) * D] = 0
        y = attention(x, *ws, *bs, wo * alone[None, :], bo, mask)
        noise.append(((y - full) ** 2).sum() / (full ** 2).sum())
    keep_noise = sorted(np.argsort(noise, kind="stable")[int(sparsity * H):])
    cols_noise = np.zeros(E, np.float32)
    for h in keep_noise:
        cols_noise[h * D:(h + 1) * D] = 1
    want_noise = attention(x, *ws, *bs, wo * cols_noise[None, :], bo, mask)
    probs = form == "fused-probs"
    results = t(B, S, E) + (", " + t(B, H, S, S) if probs else "")
    lines = [f"func.func @main(%x: {t(B, S, E)}) -> ({results}) {{"]
    add = lines.append
    if form.startswith("fused"):
        add(f"  %w = dlc.constant {dense(np.concatenate(ws))} : {t(3 * E, E)}")
        add(f"  %b = dlc.constant {dense(np.concatenate(bs))} : {t(3 * E)}")
        add(f"  %qkv = dlc.linear %x, %w, %b : ({t(B, S, E)}, {t(3 * E, E)}, {t(3 * E)}) -> {t(B, S, 3 * E)}")
        add(f"  %r = dlc.reshape %qkv {{shape = array<i64: {B}, {S}, 3, {H}, {D}>}} : ({t(B, S, 3 * E)}) -> {t(B, S, 3, H, D)}")
        add(f"  %p = dlc.transpose %r {{perm = array<i64: 2, 0, 3, 1, 4>}} : ({t(B, S, 3, H, D)}) -> {t(3, B, H, S, D)}")
        add(f"  %s:3 = dlc.split %p {{axis = 0 : i64, sizes = array<i64: 1, 1, 1>}} : ({t(3, B, H, S, D)}) -> ({t(1, B, H, S, D)}, {t(1, B, H, S, D)}, {t(1, B, H, S, D)})")
        for name, part in (("q", 0), ("k4", 1), ("v", 2)):
            add(f"  %{name} = dlc.reshape %s#{part} {{shape = array<i64: {B}, {H}, {S}, {D}>}} : ({t(1, B, H, S, D)}) -> {t(B, H, S, D)}")
        add(f"  %kt = dlc.transpose %k4 {{perm = array<i64: 0, 1, 3, 2>}} : ({t(B, H, S, D)}) -> {t(B, H, D, S)}")
        add(f"  %a = dlc.matmul %q, %kt : ({t(B, H, S, D)}, {t(B, H, D, S)}) -> {t(B, H, S, S)}")
        add(f"  %c = dlc.constant dense<{np.float32(np.sqrt(D))!r}> : tensor<f32>")
        add(f"  %scaled = dlc.div %a, %c : ({t(B, H, S, S)}, tensor<f32>) -> {t(B, H, S, S)}")
        logits = "%scaled"
    else:
        for name, w, b in zip("qkv", ws, bs):
            add(f"  %w{name} = dlc.constant {dense(w)} : {t(E, E)}")
            add(f"  %b{name} = dlc.constant {dense(b)} : {t(E)}")
            add(f"  %{name}0 = dlc.linear %x, %w{name}, %b{name} : ({t(B, S, E)}, {t(E, E)}, {t(E)}) -> {t(B, S, E)}")
            add(f"  %{name}1 = dlc.reshape %{name}0 {{shape = array<i64: {B}, {S}, {H}, {D}>}} : ({t(B, S, E)}) -> {t(B, S, H, D)}")
        add(f"  %q = dlc.transpose %q1 {{perm = array<i64: 0, 2, 1, 3>}} : ({t(B, S, H, D)}) -> {t(B, H, S, D)}")
        add(f"  %kt = dlc.transpose %k1 {{perm = array<i64: 0, 2, 3, 1>}} : ({t(B, S, H, D)}) -> {t(B, H, D, S)}")
        add(f"  %v = dlc.transpose %v1 {{perm = array<i64: 0, 2, 1, 3>}} : ({t(B, S, H, D)}) -> {t(B, H, S, D)}")
        add(f"  %a = dlc.matmul %q, %kt : ({t(B, H, S, D)}, {t(B, H, D, S)}) -> {t(B, H, S, S)}")
        add(f"  %c = dlc.constant dense<{np.float32(1 / np.sqrt(D))!r}> : tensor<f32>")
        add(f"  %scaled = dlc.mul %a, %c : ({t(B, H, S, S)}, tensor<f32>) -> {t(B, H, S, S)}")
        add(f"  %m = dlc.constant {dense(mask.reshape(1, 1, S, S))} : {t(1, 1, S, S)}")
        add(f"  %masked = dlc.add %scaled, %m : ({t(B, H, S, S)}, {t(1, 1, S, S)}) -> {t(B, H, S, S)}")
        logits = "%masked"
    add(f"  %sm = dlc.softmax {logits} : {t(B, H, S, S)}")
    add(f"  %o = dlc.matmul %sm, %v : ({t(B, H, S, S)}, {t(B, H, S, D)}) -> {t(B, H, S, D)}")
    add(f"  %ot = dlc.transpose %o {{perm = array<i64: 0, 2, 1, 3>}} : ({t(B, H, S, D)}) -> {t(B, S, H, D)}")
    add(f"  %merged = dlc.reshape %ot {{shape = array<i64: {B}, {S}, {E}>}} : ({t(B, S, H, D)}) -> {t(B, S, E)}")
    add(f"  %wo = dlc.constant {dense(wo)} : {t(E, E)}")
    add(f"  %bo = dlc.constant {dense(bo)} : {t(E)}")
    add(f"  %y = dlc.linear %merged, %wo, %bo : ({t(B, S, E)}, {t(E, E)}, {t(E)}) -> {t(B, S, E)}")
    add(f"  return %y{', %sm' if probs else ''} : {results}")
    add("}")
    open(f"{out}/attention.mlir", "w").write("\n".join(lines) + "\n")
    np.save(f"{out}/x.npy", x)
    np.save(f"{out}/full.npy", full.astype(np.float32))
    np.save(f"{out}/want.npy", want.astype(np.float32))
    np.save(f"{out}/want_noise.npy", want_noise.astype(np.float32))
    print("keeps heads " + ", ".join(map(str, keep)))
    print("by output noise keeps heads " + ", ".join(map(str, keep_noise)))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        check(sys.argv[2], sys.argv[3])
