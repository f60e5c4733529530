"""numpy reference for `train-toy`: 400 exact pass@4 steps on the logistic toy (4 000 contexts),
recording per step what lib/sim/training.ts train records with record.ks = [1, 4]: J_1, J_k and
⟨∇J_k,∇J_1⟩ and the cosine for k ∈ {1, 4}, the mass of prompts with a(x) < 0, and k*_exact
(smallest k ≤ 256 with Σ D w_k a < 0, scanned with an early exit as lib/theory/threshold.ts does).
"""
import numpy as np

from toy_step_exact import population
from toy_step_exact import setup as toy_setup

PARAMS = {"M": 4_000, "rho": 0.3, "delta": 1, "k": 4, "lr": 0.5, "steps": 400}
RUNS, WARMUP = 7, 2
K_STAR_MAX = 256


def setup(params, seed, arrays):
    F, sign, mass, theta, k, lr = toy_setup(params, seed, arrays)
    return F, sign, mass, theta, k, lr, int(params["steps"])


def k_star(mass, p, a):
    coef = mass * a
    if not (coef < 0).any():
        return None
    q = 1.0 - p
    pw = np.ones_like(q)
    for k in range(1, K_STAR_MAX + 1):
        if (coef * pw).sum() < 0:
            return k
        pw *= q
    return None


def run(inputs):
    F, sign, mass, theta, k, lr, steps = inputs
    ks = np.array([1.0, float(k)])
    hist = {"J1": [], "Jk": [], "inner": [], "cos": [], "neg": [], "kstar": []}
    for t in range(steps + 1):
        p, grad_p = population(theta, F, sign)
        g1 = mass @ grad_p
        a = grad_p @ g1
        W = ks * (1.0 - p)[:, None] ** (ks - 1)  # N × 2: w_1, w_k
        Gk = (W * mass[:, None]).T @ grad_p
        inner = Gk @ g1
        hist["J1"].append(mass @ p)
        hist["Jk"].append(mass @ -np.expm1(k * np.log1p(-p)))
        hist["inner"].append(inner)
        hist["cos"].append(inner / (np.linalg.norm(Gk, axis=1) * np.linalg.norm(g1)))
        hist["neg"].append(mass[a < 0].sum())
        hist["kstar"].append(k_star(mass, p, a))
        if t < steps:
            theta = theta + lr * Gk[1]
    return theta, hist


def summary(result):
    theta, h = result
    return {"J1_start": float(h["J1"][0]), "J1_end": float(h["J1"][-1]), "Jk_start": float(h["Jk"][0]),
            "Jk_end": float(h["Jk"][-1]), "theta0": float(theta[0]), "theta1": float(theta[1]), "tolerance": 1e-9}
