"""Times the vectorised numpy reference of one `npm run bench` workload.

usage: python3 bench/numpy/run.py NAME [--inputs DIR] [--runs N] [--warmup N] [--seed S]

NAME's module (bench/numpy/<name with _>.py) defines PARAMS, RUNS, WARMUP and
setup(params, seed, arrays) -> inputs, run(inputs) -> result, summary(result) -> dict.
With --inputs, `arrays` holds the TypeScript side's inputs (raw little-endian files + manifest.json
written by `npm run bench -- --numpy`), so both sides compute on identical data; without it the
module draws its own inputs from numpy's generator (same distributions, different numbers).
Prints one JSON object as its last line. Optional tooling: the project never needs Python.
"""
import argparse
import gc
import importlib
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def load_inputs(directory):
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    arrays = {}
    for key, name in manifest.get("files", {}).items():
        arrays[key] = os.path.join(directory, name)  # a file the workload reads itself
    for key, spec in manifest["arrays"].items():
        arrays[key] = np.fromfile(os.path.join(directory, spec["file"]), dtype=np.dtype(spec["dtype"]))
        assert arrays[key].size == spec["length"], key
    return manifest["params"], manifest["seed"], arrays


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"architecture": "unknown (threadpoolctl not installed)"}]
    return [
        {k: info.get(k) for k in ("internal_api", "architecture", "num_threads", "version")}
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--inputs")
    ap.add_argument("--runs", type=int)
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--seed", type=int, default=20260221)
    ap.add_argument("--paced", action="store_true",
                    help="print a line when ready, then time one run per line read from stdin")
    args = ap.parse_args()
    mod = importlib.import_module(args.name.replace("-", "_"))
    params, seed, arrays = dict(mod.PARAMS), args.seed, None
    if args.inputs:
        params, seed, arrays = load_inputs(args.inputs)
    inputs = mod.setup(params, seed, arrays)
    for _ in range(mod.WARMUP if args.warmup is None else args.warmup):
        mod.run(inputs)
    times, cpu = [], []
    result = None
    if args.paced:
        print(json.dumps({"ready": True}), flush=True)
    for _ in range(mod.RUNS if args.runs is None else args.runs):
        gc.collect()
        if args.paced:
            sys.stdin.readline()
        c0, t0 = time.process_time(), time.perf_counter()
        result = mod.run(inputs)
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
        if args.paced:
            print(json.dumps({"ran": len(times)}), flush=True)
    out = {
        "name": args.name,
        "runs": len(times),
        "median_ms": float(np.median(times)),
        "min_ms": min(times),
        "max_ms": max(times),
        # CPU time of all threads (BLAS threads included), so it can exceed the wall time.
        "median_cpu_ms": float(np.median(cpu)),
        "summary": mod.summary(result),
        "same_inputs": arrays is not None,
        "blas_heavy": bool(getattr(mod, "BLAS_HEAVY", True)),
        "numpy": np.__version__,
        "blas": blas_info(),
    }
    if getattr(mod, "NOTE", None):
        out["note"] = mod.NOTE
    print(json.dumps(out))


if __name__ == "__main__":
    main()
