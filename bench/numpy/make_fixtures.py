"""Exact references for tests/bench.test.ts, from Python's standard library only.

    python3 bench/numpy/make_fixtures.py   # writes tests/fixtures/bench-smoke.json

- estimator: every triple (n, c, k) with 1 ≤ n ≤ 12, 0 ≤ c ≤ n, 1 ≤ k ≤ n, and the exact mean
  of 1 − C(n−c, k)/C(n, k) over them (math.comb, fractions.Fraction);
- agreement: a 3-prompt, 2-parameter population with rational p and ∇p, and for k = 1..5 the exact
  ∇J_1, a(x), ⟨∇J_k,∇J_1⟩, ‖∇J_k‖², J_k.
The committed JSON is what the tests read: the project never runs Python.
"""
import json
import os
from fractions import Fraction as Fr
from math import comb


def estimator_fixture(n_max=12):
    triples, total = [], Fr(0)
    for n in range(1, n_max + 1):
        for c in range(0, n + 1):
            for k in range(1, n + 1):
                triples.append([n, c, k])
                total += 1 - Fr(comb(n - c, k), comb(n, k))
    return {"triples": triples, "mean": float(total / len(triples)), "mean_exact": str(total / len(triples))}


def agreement_fixture(k_max=5):
    mass = [Fr(1, 2), Fr(1, 3), Fr(1, 6)]
    p = [Fr(4, 5), Fr(1, 2), Fr(1, 10)]
    grad = [[Fr(1), Fr(3, 10)], [Fr(-1, 2), Fr(1, 4)], [Fr(-3, 5), Fr(1, 2)]]
    d = 2
    g1 = [sum(m * g[j] for m, g in zip(mass, grad)) for j in range(d)]
    a = [sum(g[j] * g1[j] for j in range(d)) for g in grad]
    out = {"mass": [float(m) for m in mass], "p": [float(x) for x in p],
           "gradP": [float(v) for g in grad for v in g], "N": 3, "d": d,
           "gradJ1": [float(v) for v in g1], "agreement": [float(v) for v in a],
           "k": [], "innerProduct": [], "normGradJkSq": [], "passAtK": []}
    for k in range(1, k_max + 1):
        w = [k * (1 - x) ** (k - 1) for x in p]
        gk = [sum(m * wk * g[j] for m, wk, g in zip(mass, w, grad)) for j in range(d)]
        out["k"].append(k)
        out["innerProduct"].append(float(sum(m * wk * ax for m, wk, ax in zip(mass, w, a))))
        out["normGradJkSq"].append(float(sum(v * v for v in gk)))
        out["passAtK"].append(float(sum(m * (1 - (1 - x) ** k) for m, x in zip(mass, p))))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "..", "tests", "fixtures", "bench-smoke.json")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w") as f:
        json.dump({"generator": "bench/numpy/make_fixtures.py", "estimator": estimator_fixture(),
                   "agreement": agreement_fixture()}, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.relpath(target))


if __name__ == "__main__":
    main()
