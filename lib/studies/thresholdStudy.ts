/**
 * Sweeps for the conflict threshold k* (PAPER.md §4, §6; notebook 04): a two-group population
 * whose groups are spread out in difficulty (where the closed form is only approximate and the
 * general bound becomes conservative), and the phase diagram of k* over the toy's separation Δ
 * and hard share ρ.
 */
import { agreementScores, checkPopulation } from "../theory/interference";
import { logisticPolicy } from "../sim/policies";
import { easyHardBandit } from "../sim/populations";
import { createRng } from "../core/rng";
import { kStarExact } from "../theory/threshold";
import { train } from "../sim/training";
import type { Population } from "../core/types";
import {
  checkFinite,
  checkFiniteArray,
  checkInteger,
  checkPositive,
  checkProbability,
  show,
} from "../core/validate";

/**
 * Replaces every prompt by `copies` prompts of equal mass whose pass@1 values are evenly spaced
 * over [p − s, p + s], s = min(spread, p, 1 − p), each keeping the original gradient ∇p.   [D]
 *
 * Capping s at the distance to 0 and 1 keeps every prompt's mean p (no clipping), so the
 * two-group formula evaluated at the group means is unchanged. Because the gradients are
 * unchanged too, ∇J_1 and the agreement scores stay those of the original, while E[w_k a]
 * changes (w_k is convex in p: spreading raises each group's mean weight). This turns the
 * worked two-group example into one where the closed form is only an approximation and the
 * general bound (which uses the extreme p of each side) is conservative. spread = 0 gives a
 * population equivalent to the original.
 *
 * @example spreadPopulation(workedExamplePopulation(), 0.05, 3).p // => Float64Array [0.75, 0.8,
 * 0.85, 0.05, 0.1, 0.15] (to rounding)
 */
export function spreadPopulation(pop: Population, spread: number, copies: number): Population {
  const where = "spreadPopulation";
  checkPopulation(where, pop);
  checkProbability(where, "spread", spread);
  checkInteger(where, "copies", copies, 1);
  const { N, d } = pop;
  const n = N * copies;
  const mass = new Float64Array(n);
  const p = new Float64Array(n);
  const gradP = new Float64Array(n * d);
  for (let x = 0; x < N; x++) {
    for (let j = 0; j < copies; j++) {
      const i = x * copies + j;
      const s = Math.min(spread, pop.p[x], 1 - pop.p[x]);
      mass[i] = pop.mass[x] / copies;
      p[i] = copies === 1 ? pop.p[x] : pop.p[x] + s * ((2 * j) / (copies - 1) - 1);
      gradP.set(pop.gradP.subarray(x * d, (x + 1) * d), i * d);
    }
  }
  return { N: n, d, mass, p, gradP };
}

/** Options of {@link kStarPhaseDiagram}. */
export interface PhaseDiagramOptions {
  /** Separations Δ (columns), each ≥ 0. */
  deltas: readonly number[];
  /** Hard shares ρ (rows), each in [0, 1]. */
  rhos: readonly number[];
  /** Contexts per toy. */
  M: number;
  /** Seed of every cell's toy (the same seed in each cell: only Δ and ρ change). */
  seed: number;
  /** Warm start: steps of pass@1 ascent from θ = 0 (default 10, PAPER.md §6). */
  warmSteps?: number;
  /** Warm-start step size (default 2). */
  warmLr?: number;
  /** Upper end of the k scan (default 256). */
  kMax?: number;
}

/** The phase diagram: one row per ρ, one column per Δ. */
export interface PhaseDiagram {
  deltas: number[];
  rhos: number[];
  /** k*_exact at the warm start, [ρ index][Δ index]; null when no k ≤ kMax conflicts. */
  kStar: (number | null)[][];
  /** D-mass of negatively interfering prompts {a(x) < 0} at the warm start, [ρ index][Δ index]. */
  negativeShare: number[][];
  /** J_1 at the warm start, [ρ index][Δ index]. */
  J1: number[][];
}

/**
 * k*_exact of our easy/hard toy after the warm start, over a grid of separation Δ and
 * hard share ρ, with the mass of negatively interfering prompts.
 *
 * Per cell: easyHardBandit(M, ρ, Δ, createRng(seed)) → logistic policy → `warmSteps` steps of
 * pass@1 ascent with step `warmLr` from θ = 0 → a(x) = ⟨∇p(x), ∇J_1⟩ → k*_exact = first k with
 * E[w_k a] < 0 (PAPER.md §4, §6; claim 9 expects k* to grow and the mass of {a < 0} to shrink
 * with Δ)   [D: the toy's details and this protocol are ours]
 *
 * Cost O(|Δ|·|ρ|·M·(warmSteps + k*)).
 *
 * @example kStarPhaseDiagram({ deltas: [0.5, 6], rhos: [0.3], M: 4000, seed: 1 }).kStar // => [[2,
 * 4]]
 */
export function kStarPhaseDiagram(opts: PhaseDiagramOptions): PhaseDiagram {
  const where = "kStarPhaseDiagram";
  if (opts == null || typeof opts !== "object")
    throw new TypeError(`${where}: opts must be an object, got ${show(opts)}`);
  checkFiniteArray(where, "deltas", opts.deltas);
  checkFiniteArray(where, "rhos", opts.rhos);
  if (opts.deltas.length === 0 || opts.rhos.length === 0)
    throw new RangeError(`${where}: deltas and rhos must be non-empty`);
  opts.deltas.forEach((delta, i) => {
    if (delta < 0) throw new RangeError(`${where}: deltas[${i}] must be ≥ 0, got ${show(delta)}`);
  });
  opts.rhos.forEach((rho, i) => checkProbability(where, `rhos[${i}]`, rho));
  const M = checkInteger(where, "M", opts.M, 1);
  const seed = checkFinite(where, "seed", opts.seed);
  const warmSteps =
    opts.warmSteps === undefined ? 10 : checkInteger(where, "warmSteps", opts.warmSteps, 0);
  const warmLr = opts.warmLr === undefined ? 2 : checkPositive(where, "warmLr", opts.warmLr);
  const kMax = opts.kMax === undefined ? 256 : checkInteger(where, "kMax", opts.kMax, 1);

  const result: PhaseDiagram = {
    deltas: [...opts.deltas],
    rhos: [...opts.rhos],
    kStar: [],
    negativeShare: [],
    J1: [],
  };
  for (const rho of opts.rhos) {
    const kRow: (number | null)[] = [];
    const negRow: number[] = [];
    const j1Row: number[] = [];
    for (const delta of opts.deltas) {
      const policy = logisticPolicy(easyHardBandit({ M, rho, delta, rng: createRng(seed) }));
      const warm = train({
        policy,
        theta0: [0, 0],
        steps: warmSteps,
        lr: warmLr,
        objective: { kind: "pass1" },
        record: { ks: [1], every: Math.max(1, warmSteps), kStarMax: 1 },
      });
      const pop = policy.population(warm.theta);
      const a = agreementScores(pop);
      let negative = 0;
      let J1 = 0;
      for (let x = 0; x < M; x++) {
        if (a[x] < 0) negative += pop.mass[x];
        J1 += pop.mass[x] * pop.p[x];
      }
      kRow.push(kStarExact(pop.mass, pop.p, a, { kMax }));
      negRow.push(negative);
      j1Row.push(J1);
    }
    result.kStar.push(kRow);
    result.negativeShare.push(negRow);
    result.J1.push(j1Row);
  }
  return result;
}
