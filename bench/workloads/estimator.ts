/**
 * `estimator`: the unbiased pass@k estimator 1 − C(n−c,k)/C(n,k) (lib/theory/estimators.ts) over
 * 10^6 triples with n ~ U{1..256}, c ~ U{0..n}, k ~ U{1..n}; the result is their mean.
 */
import { passAtKEstimate } from "../../lib/theory/estimators";
import { createRng } from "../../lib/core/rng";
import type { Params, Workload } from "./types";

export interface Triples {
  n: Int32Array;
  c: Int32Array;
  k: Int32Array;
}

/** Seeded triples: n uniform on [1, nMax], then c uniform on [0, n], k uniform on [1, n]. */
export function makeTriples(count: number, nMax: number, seed: number): Triples {
  const rng = createRng(seed);
  const n = new Int32Array(count);
  const c = new Int32Array(count);
  const k = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    n[i] = rng.int(1, nMax);
    c[i] = rng.int(0, n[i]);
    k[i] = rng.int(1, n[i]);
  }
  return { n, c, k };
}

/** Mean of passAtKEstimate over the triples (the timed work). */
export function meanPassAtKEstimate({ n, c, k }: Triples): number {
  let sum = 0;
  for (let i = 0; i < n.length; i++) sum += passAtKEstimate(n[i], c[i], k[i]);
  return sum / n.length;
}

export const workload: Workload<Triples, number> = {
  name: "estimator",
  description: "unbiased pass@k estimator, mean over 10^6 (n, c, k) triples",
  params: { triples: 1_000_000, nMax: 256 },
  runs: 7,
  warmup: 2,
  setup: (p: Params, seed: number) => makeTriples(Number(p.triples), Number(p.nMax), seed),
  run: meanPassAtKEstimate,
  summary: (mean) => ({ mean }),
  exportInputs: (t) => ({ n: t.n, c: t.c, k: t.k }),
};
