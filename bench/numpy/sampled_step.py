"""numpy reference for `sampled-step`: sample n responses per prompt from a K-action log-linear
softmax, then the PKPO-weighted estimate of ∇J_k (Walder & Karkhanis 2025, binary rewards):

    ĝ = Σ_x D(x) Σ_j s_j ∇log π(y_j|x),  s = k/n if correct, (k/n)·ρ(n−1, c, k−1) if not,
    ∇log π(a|x) = φ(x, a) − Σ_b π(b|x)φ(x, b),

with ρ(m, c, j) = 1 − C(m−c, j)/C(m, j) from a log-factorial table (only n + 1 values of c), the
sampling by inverse CDF on a uniform per response, and per-action counts instead of per-response
score vectors — the same algorithm as lib/sim/sampledGradients.ts. numpy draws its own uniforms, so
only the exact-gradient number is compared; the Monte Carlo error is reported on both sides.
"""
import numpy as np

PARAMS = {"N": 4_000, "K": 8, "d": 16, "n": 64, "k": 4}
RUNS, WARMUP = 9, 3


def setup(params, seed, arrays):
    N, K, d, n, k = (int(params[key]) for key in ("N", "K", "d", "n", "k"))
    if arrays is None:
        rng = np.random.default_rng(seed)
        F = rng.standard_normal((N, K, d))
        reward = np.zeros((N, K), dtype=np.uint8)
        reward[np.arange(N), rng.integers(0, K, N)] = 1
        mass, theta = np.full(N, 1.0 / N), rng.normal(0, 0.3, d)
    else:
        F = arrays["features"].reshape(N, K, d)
        reward, mass, theta = arrays["reward"].reshape(N, K), arrays["mass"], arrays["theta"]
    # PKPO weights as a function of c = 0..n
    lf = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n + 1, dtype=np.float64)))])
    c = np.arange(n + 1)
    m, j = n - 1, k - 1
    free = m - c
    with np.errstate(invalid="ignore"):
        log_ratio = lf[np.clip(free, 0, None)] - lf[np.clip(free - j, 0, None)] + lf[m - j] - lf[m]
    rho = np.where(free < j, 1.0, -np.expm1(log_ratio)) if j > 0 else np.zeros(n + 1)
    plus = np.full(n + 1, k / n)
    minus = np.where(c < n, (k / n) * rho, 0.0)
    exact = exact_grad(F, reward, mass, theta, k)
    return F, reward.astype(bool), mass, theta, n, k, plus, minus, seed + 1, exact


def softmax(F, theta):
    z = F @ theta
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def exact_grad(F, reward, mass, theta, k):
    probs = softmax(F, theta)
    p = (probs * reward).sum(axis=1)
    B = probs * (reward - p[:, None])  # ∇p(x) = Σ_a π_a (r_a − p) φ(x, a)
    w = k * (1 - p) ** (k - 1)
    return np.einsum("xa,xad->d", (mass * w)[:, None] * B, F)


def run(inputs):
    F, reward, mass, theta, n, k, plus, minus, sample_seed, exact = inputs
    N, K, _d = F.shape
    rng = np.random.default_rng(sample_seed)  # same draws every run, as on the TS side
    probs = softmax(F, theta)
    cdf = np.cumsum(probs, axis=1)
    u = rng.random((N, n)) * cdf[:, -1:]
    actions = np.minimum((u[:, :, None] >= cdf[:, None, :]).sum(axis=2), K - 1)
    counts = (actions[:, :, None] == np.arange(K)).sum(axis=1)  # N × K
    c = (counts * reward).sum(axis=1)
    coef = counts * np.where(reward, plus[c][:, None], minus[c][:, None]) * mass[:, None]
    B = coef - probs * coef.sum(axis=1, keepdims=True)
    return np.einsum("xa,xad->d", B, F), exact


def summary(result):
    g, exact = result
    return {
        "exactGradNorm": float(np.linalg.norm(exact)),
        "mc_gradNorm": float(np.linalg.norm(g)),
        "mc_relErrVsExact": float(np.linalg.norm(g - exact) / np.linalg.norm(exact)),
        "tolerance": 1e-9,
    }
