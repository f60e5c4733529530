#!/usr/bin/env python3
"""End to end on the tiny model: sample completions -> toy verifier -> sketch -> per-sample JSONL
(+ sidecar) for `npm run analyze`.  Also the benchmark of the README (--bench).

usage: e2e_tiny.py OUT.jsonl [--prompts 20] [--samples 16] [--r1 8] [--r2 8] [--seed 0]
       e2e_tiny.py --bench N [--len 16]      time and peak RSS of sketching N samples
Not a unittest module (no test_ prefix): tests/exporter.test.ts runs it."""
import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time

import torch

from tiny_lm import TinyCausalLM
import passk_export as pe

V, H = 50, 16


def verifier(completion):
    """Toy verifier: correct iff the last token is even."""
    return completion[-1] % 2 == 0


def make_dump(model, path, prompts, samples, length, seed):
    g = torch.Generator().manual_seed(seed)
    with open(path, "w") as f:
        for i in range(prompts):
            prompt = torch.randint(0, V, (3,), generator=g).tolist()
            for _ in range(samples):  # sampling order, not sorted by outcome
                comp = model.sample(prompt, length, g)
                f.write(json.dumps({"prompt": f"p{i}", "correct": verifier(comp), "prompt_tokens": prompt, "completion_tokens": comp}) + "\n")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?")
    ap.add_argument("--prompts", type=int, default=20)
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--len", type=int, default=4)
    ap.add_argument("--r1", type=int, default=8)
    ap.add_argument("--r2", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--bench", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    dt = getattr(torch, a.dtype)
    model = TinyCausalLM(V, H, seed=a.seed, dtype=dt)
    work = tempfile.mkdtemp(prefix="passk-e2e-")
    dump = os.path.join(work, "dump.jsonl")
    if a.bench:
        # N samples of `len` completion tokens (random tokens: the sketch's cost does not depend on them)
        g = torch.Generator().manual_seed(0)
        with open(dump, "w") as f:
            for i in range(a.bench):
                f.write(json.dumps({"prompt": f"p{i // 16}", "correct": i % 3 == 0, "prompt_tokens": torch.randint(0, V, (8,), generator=g).tolist(), "completion_tokens": torch.randint(0, V, (a.len,), generator=g).tolist()}) + "\n")
        out = os.path.join(work, "out.jsonl")
    else:
        make_dump(model, dump, a.prompts, a.samples, a.len, a.seed)
        out = a.out
    fn, W, b = pe.hf_hidden_fn(model)
    proj = pe.Projection(W.shape[0], W.shape[1], a.r1, a.r2, seed=a.seed, dtype=dt)
    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    meta = pe.sketch_records(pe.sketch_input_records(dump), fn, W, proj, out, bias=b, model_name="tiny-causal-lm (tests/tiny_lm.py)")
    sec = time.perf_counter() - t0
    shutil.rmtree(work, ignore_errors=True)
    if a.bench:
        print(json.dumps({"samples": a.bench, "completion_tokens": meta["completion_tokens"], "seconds": round(sec, 3), "ms_per_sample": round(1000 * sec / a.bench, 3), "peak_rss_mb_before": round(rss0, 1), "peak_rss_mb_after": round(peak_rss_mb(), 1), "torch": torch.__version__, "threads": torch.get_num_threads()}))
    else:
        print(json.dumps({"out": out, "samples": meta["samples"], "d": a.r1 * a.r2}))


if __name__ == "__main__":
    sys.exit(main())
