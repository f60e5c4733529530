"""numpy reference for `agreement`: ∇J_1, a = G ∇J_1, and for k = 1..64 the conflict profile
(J_k, ⟨∇J_k,∇J_1⟩, ‖∇J_k‖, cosine, Z_k, Cov(w_k, a), q_k-mass on a < 0), as lib's conflictProfile.

The heavy part is one BLAS GEMM: ∇J_k for all k at once = (D·W)ᵀ G, a (K × N)(N × d) product,
with W[x, k] = k (1 − p(x))^{k−1} built by a cumulative product along k (faster than np.power),
and J_k by a cumulative sum along k.
"""
import numpy as np

PARAMS = {"N": 20_000, "d": 64, "kMax": 64}
RUNS, WARMUP = 9, 3


def setup(params, seed, arrays):
    N, d, K = int(params["N"]), int(params["d"]), int(params["kMax"])
    if arrays is None:
        rng = np.random.default_rng(seed)
        u = rng.standard_normal(d)
        u /= np.linalg.norm(u)
        p = rng.random(N)
        sign = np.where(p > 0.5, 1.0, -0.5)
        G = (p * (1 - p))[:, None] * (sign[:, None] * u + rng.standard_normal((N, d)) / np.sqrt(d))
        arrays = {"mass": np.full(N, 1.0 / N), "p": p, "gradP": G.ravel()}
    return arrays["mass"], arrays["p"], arrays["gradP"].reshape(N, d), np.arange(1, K + 1, dtype=np.float64)


def run(inputs):
    mass, p, G, ks = inputs
    N, K = p.size, ks.size
    g1 = mass @ G
    a = G @ g1
    powers = np.empty((N, K))
    powers[:, 0] = 1.0
    powers[:, 1:] = (1.0 - p)[:, None]
    np.cumprod(powers, axis=1, out=powers)  # (1 - p)^{k-1}
    coef = powers * ks * mass[:, None]  # D(x) w_k(p(x))
    inner = a @ coef
    Gk = coef.T @ G  # K × d: ∇J_k
    norm_k = np.linalg.norm(Gk, axis=1)
    norm_1 = np.linalg.norm(g1)
    cosine = inner / (norm_k * norm_1)
    Z = coef.sum(axis=0)
    # pass@k = Σ_{j<k} p (1 − p)^j: a cumulative sum of positive terms (no cancellation for tiny p,
    # the same recursion as lib's conflictProfile; 4× faster than −expm1(k·log1p(−p)) here)
    pass_at_k = mass @ np.cumsum(p[:, None] * powers, axis=1)
    covariance = inner - Z * (mass @ a)
    neg_weight = coef[a < 0].sum(axis=0) / Z
    return g1, a, {"k": ks, "passAtK": pass_at_k, "innerProduct": inner, "normGradJk": norm_k,
                   "cosine": cosine, "meanWeight": Z, "covariance": covariance,
                   "negativeAgreementWeight": neg_weight}


def summary(result):
    g1, a, prof = result
    neg = np.nonzero(prof["innerProduct"] < 0)[0]
    return {
        "normGradJ1": float(np.linalg.norm(g1)),
        "sumAgreement": float(a.sum()),
        "firstConflictK": float(prof["k"][neg[0]]) if neg.size else None,
        "inner_k2": float(prof["innerProduct"][1]),
        "inner_kMax": float(prof["innerProduct"][-1]),
        "normGradJk_kMax": float(prof["normGradJk"][-1]),
        "cosine_kMax": float(prof["cosine"][-1]),
        "passAtK_kMax": float(prof["passAtK"][-1]),
        "tolerance": 1e-9,
    }
