"""Python reference for `analyze-1e6`: stream the per-sample JSONL with the standard json module,
keep per-prompt sufficient statistics (n, c, and per half A = even / B = odd sample index the
correct count and the sums S⁺, S⁻ of the score vectors, as lib/diagnostic/read.ts does), then the point
estimates of lib/diagnostic/estimate.ts with numpy: pass@k (mean unbiased estimator) and the cross-fitted
⟨∇J_k,∇J_1⟩ = ½(⟨Ĥ^A_k, Ĝ^B⟩ + ⟨Ĥ^B_k, Ĝ^A⟩) with PKPO loo−1 weights on each half.

It does less than the TS command (no bootstrap intervals, no k* scan, no agreement weights), so
its time is a lower bound for an equivalent Python implementation; the JSON parsing dominates.
"""
import json
from math import comb

import numpy as np

PARAMS = {"prompts": 10_000, "perPrompt": 100, "K": 4, "d": 32}
RUNS, WARMUP = 3, 1
K_GRID = [1, 2, 4, 8, 16, 32, 64]
BLAS_HEAVY = False  # JSON parsing dominates: no single-threaded BLAS variant
NOTE = "Python json + numpy: parsing and point estimates only (no bootstrap): a lower bound"


def setup(params, seed, arrays):
    if arrays is None or "samples" not in arrays:
        raise SystemExit("analyze_1e6.py needs the TS side's file: run it through `npm run bench -- --numpy`")
    return arrays["samples"]


def loo1(size, c, k):
    """PKPO loo−1 weight of a correct sample: C(size−c, k−1)/C(size, k)."""
    return comb(size - c, k - 1) / comb(size, k) if size >= k else float("nan")


def pass_at_k(n, c, k):
    return 1.0 - comb(n - c, k) / comb(n, k)


def run(path):
    index, stats, d = {}, [], None
    with open(path, "rb") as f:
        for line in f:
            rec = json.loads(line)
            i = index.get(rec["prompt"])
            if i is None:
                i = index[rec["prompt"]] = len(stats)
                stats.append([0, 0, 0, None])
            st = stats[i]
            g = rec["grad"]
            if st[3] is None:
                d = len(g)
                st[3] = np.zeros((4, d))  # S⁺_A, S⁻_A, S⁺_B, S⁻_B
            half = st[0] & 1
            correct = bool(rec["correct"])
            st[3][2 * half + (0 if correct else 1)] += g
            st[0] += 1
            if correct:
                st[1] += 1
                if half == 0:
                    st[2] += 1
    n = np.array([s[0] for s in stats])
    c = np.array([s[1] for s in stats])
    cA = np.array([s[2] for s in stats])
    S = np.stack([s[3] for s in stats])  # prompts × 4 × d
    nA, nB = (n + 1) // 2, n // 2
    out = {"prompts": len(stats), "samples": int(n.sum()), "passAtK": [], "innerProduct": []}
    for k in K_GRID:
        ok = n >= k
        out["passAtK"].append(float(np.mean([pass_at_k(a, b, k) for a, b in zip(n[ok], c[ok])])) if ok.any() else None)
        rows = n >= 2 * k
        if not rows.any():
            out["innerProduct"].append(None)
            continue
        M = rows.sum()
        wA = np.array([loo1(a, b, k) for a, b in zip(nA[rows], cA[rows])])
        wB = np.array([loo1(a, b, k) for a, b in zip(nB[rows], (c - cA)[rows])])
        HA, HB = wA @ S[rows, 0] / M, wB @ S[rows, 2] / M
        GA, GB = (S[rows, 0] / nA[rows, None]).sum(0) / M, (S[rows, 2] / nB[rows, None]).sum(0) / M
        out["innerProduct"].append(float(0.5 * (HA @ GB + HB @ GA)))
    return out


def summary(r):
    return {"prompts": r["prompts"], "samples": r["samples"], "passAt1": r["passAtK"][0],
            "innerProduct_k2": r["innerProduct"][1], "tolerance": 1e-9}
