"""numpy reference for `toy-step-exact`: one exact pass@4 step on the logistic toy.

p = σ(±θᵀψ), ∇p = ±σ(z)σ(−z)ψ, ∇J_4 = Σ D(x) w_4(p)∇p, θ⁺ = θ + η∇J_4 — the same formulas as
lib/sim/policies.ts logisticPolicy.population and lib/theory/interference.ts gradJk, vectorised.
"""
import numpy as np

PARAMS = {"M": 100_000, "rho": 0.3, "delta": 1, "k": 4, "lr": 0.5}
RUNS, WARMUP = 9, 3


def population(theta, F, sign):
    z = F @ theta
    e = np.exp(-np.abs(z))
    big = 1.0 / (1.0 + e)
    small = e * big
    p = np.where(sign * z >= 0, big, small)
    grad_p = (sign * big * small)[:, None] * F
    return p, grad_p


def setup(params, seed, arrays):
    M, k, lr = int(params["M"]), int(params["k"]), float(params["lr"])
    if arrays is None:
        rng = np.random.default_rng(seed)
        n_hard = round(float(params["rho"]) * M)
        hard = np.arange(M) >= M - n_hard
        s = rng.normal(np.where(hard, -params["delta"] / 2, params["delta"] / 2), 1.0)
        F = np.column_stack([np.ones(M), s])
        sign = np.where(hard, -1.0, 1.0)
        mass = np.full(M, 1.0 / M)
        theta = np.zeros(2)
        for _ in range(10):
            p, gp = population(theta, F, sign)
            theta = theta + 2.0 * (mass @ gp)
    else:
        F = arrays["features"].reshape(M, 2)
        sign = np.where(arrays["reward"].reshape(M, 2)[:, 1] == 1, 1.0, -1.0)
        mass, theta = arrays["mass"], arrays["theta"]
    return F, sign, mass, theta, k, lr


def run(inputs):
    F, sign, mass, theta, k, lr = inputs
    p, grad_p = population(theta, F, sign)
    grad = (mass * k * (1.0 - p) ** (k - 1)) @ grad_p
    return theta + lr * grad, grad


def summary(result):
    theta, grad = result
    return {"theta0": float(theta[0]), "theta1": float(theta[1]), "grad0": float(grad[0]),
            "grad1": float(grad[1]), "tolerance": 1e-9}
