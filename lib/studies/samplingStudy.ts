/**
 * Monte-Carlo studies of the sampled estimators on a policy (PAPER.md §7–8, claim 11;
 * notebook 06): bias (exact, from lib/sim/sampledGradients expectedSampledGradient) and spread
 * (seeded Monte Carlo) of the ∇J_k estimators against n; same-sample vs cross-fitted
 * ⟨∇J_k, ∇J_1⟩; and the conflict diagnosis over a grid of k made from samples only.
 *
 * Every estimate comes from lib/sim/sampledGradients.ts; this module only repeats them over seeded
 * batches and summarises.
 */
import { dot, meanSd, norm, quantile } from "../core/stats";
import { conflictProfile, gradJk } from "../theory/interference";
import type { Policy, ResponseBatch } from "../sim/policies";
import { crossFitConflict } from "../sim/crossFit";
import type { Rng } from "../core/rng";
import {
  expectedSampledGradient,
  GRADIENT_ESTIMATORS,
  sampledGradient,
  type GradientEstimator,
} from "../sim/sampledGradients";
import { checkFiniteArray, checkInteger, checkKGrid, checkLength, show } from "../core/validate";

function checkStudy(
  where: string,
  policy: Policy,
  theta: ArrayLike<number>,
  reps: number,
  rng: Rng,
): void {
  if (policy == null || typeof policy.sample !== "function")
    throw new TypeError(
      `${where}: policy must be a Policy (lib/sim/policies.ts), got ${show(policy)}`,
    );
  checkFiniteArray(where, "theta", theta);
  checkLength(where, "theta", theta, policy.d, "the policy's parameter dimension d");
  checkInteger(where, "reps", reps, 2);
  if (rng == null || typeof rng.uniform !== "function")
    throw new TypeError(`${where}: rng must be an Rng (lib/core/rng.ts), got ${show(rng)}`);
}

/** Result of {@link gradientEstimatorStudy}; arrays are [estimator index][n index]. */
export interface GradientEstimatorStudy {
  k: number;
  ns: number[];
  estimators: GradientEstimator[];
  /** ‖∇J_k‖ at θ. */
  normGradJk: number;
  /** Exact relative bias ‖E ĝ − ∇J_k‖ / ‖∇J_k‖. */
  relBias: number[][];
  /** cos∠(E ĝ, ∇J_k): 1 when the mean points the right way, whatever its length. */
  cosine: number[][];
  /** ‖E ĝ‖ / ‖∇J_k‖. */
  scale: number[][];
  /** Monte-Carlo relative spread sqrt(mean ‖ĝ − E ĝ‖²) / ‖∇J_k‖ over `reps` batches. */
  relSpread: number[][];
  /**
   * Largest |z| over coordinates of the Monte-Carlo mean against the exact E ĝ (≲ 4 when the
   * expectation is right).
   */
  maxZ: number[][];
}

/**
 * Bias and spread of sampled ∇J_k estimators against n, on one policy at θ.
 *
 * bias = ‖E ĝ − ∇J_k‖/‖∇J_k‖ with E ĝ exact (expectedSampledGradient);
 * spread = sqrt(E‖ĝ − E ĝ‖²)/‖∇J_k‖ from `reps` seeded batches per n   [D, PAPER.md §7–8]
 *
 * Each batch is drawn once and used by every estimator, so their spreads are compared on the
 * same samples. The Monte-Carlo mean is also checked against the exact expectation (`maxZ`).
 * Needs k ≤ n for every n (PKPO, Pass@k-Training). Cost O(reps·Σn·N + reps·|estimators|·N·K·d).
 *
 * @example gradientEstimatorStudy(policy, theta, { k: 4, ns: [8], estimators: ["pkpo"], reps: 50,
 * rng }).relBias[0][0] // => ≈ 1e-16 (unbiased)
 */
export function gradientEstimatorStudy(
  policy: Policy,
  theta: ArrayLike<number>,
  opts: {
    k: number;
    ns: ArrayLike<number>;
    estimators: readonly GradientEstimator[];
    reps: number;
    rng: Rng;
  },
): GradientEstimatorStudy {
  const where = "gradientEstimatorStudy";
  checkStudy(where, policy, theta, opts.reps, opts.rng);
  const k = checkInteger(where, "opts.k", opts.k);
  checkKGrid(where, "opts.ns", opts.ns);
  for (let i = 0; i < opts.ns.length; i++)
    if (opts.ns[i] < k)
      throw new RangeError(`${where}: opts.ns[${i}] must be ≥ k = ${k}, got ${opts.ns[i]}`);
  opts.estimators.forEach((e, i) => {
    if (!GRADIENT_ESTIMATORS.includes(e))
      throw new RangeError(
        `${where}: opts.estimators[${i}] must be one of ${GRADIENT_ESTIMATORS.join(", ")}, got ${show(e)}`,
      );
  });
  const d = policy.d;
  const target = gradJk(policy.population(theta), k);
  const tn = norm(target);
  const E = opts.estimators.length;
  const out: GradientEstimatorStudy = {
    k,
    ns: Array.from(opts.ns),
    estimators: [...opts.estimators],
    normGradJk: tn,
    relBias: [],
    cosine: [],
    scale: [],
    relSpread: [],
    maxZ: [],
  };
  for (const key of ["relBias", "cosine", "scale", "relSpread", "maxZ"] as const)
    for (let e = 0; e < E; e++) out[key].push([]);
  const g = new Float64Array(d);
  for (const n of out.ns) {
    const means = opts.estimators.map((est) => expectedSampledGradient(policy, theta, n, est, k));
    const sum = opts.estimators.map(() => new Float64Array(d));
    const sumSq = opts.estimators.map(() => new Float64Array(d));
    let batch: ResponseBatch | undefined;
    for (let r = 0; r < opts.reps; r++) {
      batch = policy.sample(theta, opts.rng, n, batch);
      for (let e = 0; e < E; e++) {
        sampledGradient(policy, batch, opts.estimators[e], k, g);
        for (let j = 0; j < d; j++) {
          const dev = g[j] - means[e][j];
          sum[e][j] += dev;
          sumSq[e][j] += dev * dev;
        }
      }
    }
    for (let e = 0; e < E; e++) {
      const m = means[e];
      const diff = m.map((v, j) => v - target[j]);
      out.relBias[e].push(norm(diff) / tn);
      out.cosine[e].push(dot(m, target) / (norm(m) * tn));
      out.scale[e].push(norm(m) / tn);
      let ms = 0;
      let z = 0;
      for (let j = 0; j < d; j++) {
        ms += sumSq[e][j] / opts.reps;
        const meanDev = sum[e][j] / opts.reps;
        const varJ = (sumSq[e][j] - opts.reps * meanDev * meanDev) / (opts.reps - 1);
        if (varJ > 0) z = Math.max(z, Math.abs(meanDev) / Math.sqrt(varJ / opts.reps));
      }
      out.relSpread[e].push(Math.sqrt(ms) / tn);
      out.maxZ[e].push(z);
    }
  }
  return out;
}

/** Result of {@link crossFitStudy}. */
export interface CrossFitStudy {
  k: number;
  ns: number[];
  /** Exact ⟨∇J_k, ∇J_1⟩ at θ. */
  exact: number;
  /** Cross-fitted estimate: mean, sd and standard error of the mean over replications, per n. */
  crossFit: { mean: number[]; sd: number[]; se: number[] };
  /** Same-sample estimate ⟨Ĥ_k, Ĝ⟩: mean, sd and standard error over replications, per n. */
  sameSample: { mean: number[]; sd: number[]; se: number[] };
}

/**
 * Same-sample against cross-fitted estimates of ⟨∇J_k, ∇J_1⟩ (lib/sim/sampledGradients
 * crossFitConflict), `reps` seeded batches per n.
 *
 * E⟨Ĥ_k, Ĝ⟩ = ⟨∇J_k, ∇J_1⟩ + Σ_x D(x)² tr Cov(ĥ_k(x), ĝ(x)); the cross-fitted halves remove the
 * second term   [D, PAPER.md §7]. Needs k ≤ ⌊n/2⌋.
 *
 * @example crossFitStudy(policy, theta, { k: 4, ns: [8, 32], reps: 100, rng }).crossFit.mean // =>
 * ≈ exact at every n
 */
export function crossFitStudy(
  policy: Policy,
  theta: ArrayLike<number>,
  opts: { k: number; ns: ArrayLike<number>; reps: number; rng: Rng },
): CrossFitStudy {
  const where = "crossFitStudy";
  checkStudy(where, policy, theta, opts.reps, opts.rng);
  const k = checkInteger(where, "opts.k", opts.k);
  checkKGrid(where, "opts.ns", opts.ns);
  for (let i = 0; i < opts.ns.length; i++)
    if (opts.ns[i] < 2 * k)
      throw new RangeError(
        `${where}: opts.ns[${i}] must be ≥ 2k = ${2 * k} (k samples per half), got ${opts.ns[i]}`,
      );
  const exact = conflictProfile(policy.population(theta), [k]).innerProduct[0];
  const out: CrossFitStudy = {
    k,
    ns: Array.from(opts.ns),
    exact,
    crossFit: { mean: [], sd: [], se: [] },
    sameSample: { mean: [], sd: [], se: [] },
  };
  for (const n of out.ns) {
    const cf = new Float64Array(opts.reps);
    const ss = new Float64Array(opts.reps);
    let batch: ResponseBatch | undefined;
    for (let r = 0; r < opts.reps; r++) {
      batch = policy.sample(theta, opts.rng, n, batch);
      const est = crossFitConflict(policy, batch, [k]);
      cf[r] = est.innerProduct[0];
      ss[r] = est.sameSampleInnerProduct[0];
    }
    for (const [values, into] of [
      [cf, out.crossFit],
      [ss, out.sameSample],
    ] as const) {
      const { mean, sd } = meanSd(values);
      into.mean.push(mean);
      into.sd.push(sd);
      into.se.push(sd / Math.sqrt(opts.reps));
    }
  }
  return out;
}

/** Result of {@link conflictFromSamples}. */
export interface SampledConflict {
  n: number;
  ks: number[];
  /** Exact ⟨∇J_k, ∇J_1⟩ per k. */
  exact: number[];
  /** Cross-fitted estimate per k: mean and the [lo, hi] quantile interval over replications. */
  mean: number[];
  lo: number[];
  hi: number[];
  /** First k of the grid with exact ⟨∇J_k, ∇J_1⟩ < 0 (null: none). */
  kStarExact: number | null;
  /** Per replication, the first k of the grid whose estimate is < 0 (null: none). */
  kStarHat: (number | null)[];
  /** Share of replications whose estimate has the exact sign, per k. */
  signAgreement: number[];
}

/**
 * The conflict diagnosis from samples only: cross-fitted ⟨∇J_k, ∇J_1⟩ over a grid of k from n
 * responses per prompt, repeated over `reps` seeded batches, against the exact values.
 *
 * k̂* = first grid k with estimated ⟨∇J_k, ∇J_1⟩ < 0   [D, PAPER.md §4, §7]
 *
 * Needs every k ≤ ⌊n/2⌋; the interval is the [level/2, 1 − level/2] quantile range (default 90%).
 *
 * @example conflictFromSamples(policy, theta, { n: 32, ks: [1, 2, 4], reps: 100, rng }).kStarExact
 * // => 2 on the warm-started toy
 */
export function conflictFromSamples(
  policy: Policy,
  theta: ArrayLike<number>,
  opts: { n: number; ks: ArrayLike<number>; reps: number; rng: Rng; level?: number },
): SampledConflict {
  const where = "conflictFromSamples";
  checkStudy(where, policy, theta, opts.reps, opts.rng);
  const n = checkInteger(where, "opts.n", opts.n, 2);
  checkKGrid(where, "opts.ks", opts.ks);
  const level = opts.level ?? 0.9;
  if (!(level > 0 && level < 1))
    throw new RangeError(`${where}: opts.level must be in (0, 1), got ${show(level)}`);
  const ks = Array.from(opts.ks);
  const exact = Array.from(conflictProfile(policy.population(theta), ks).innerProduct);
  const firstNegative = (v: ArrayLike<number>): number | null => {
    for (let i = 0; i < ks.length; i++) if (v[i] < 0) return ks[i];
    return null;
  };
  const est = ks.map(() => new Float64Array(opts.reps));
  const kStarHat: (number | null)[] = [];
  let batch: ResponseBatch | undefined;
  for (let r = 0; r < opts.reps; r++) {
    batch = policy.sample(theta, opts.rng, n, batch);
    // checks k ≤ ⌊n/2⌋; only the cross-fitted estimates are used here
    const ip = crossFitConflict(policy, batch, ks, { sameSample: false }).innerProduct;
    ks.forEach((_, i) => (est[i][r] = ip[i]));
    kStarHat.push(firstNegative(ip));
  }
  const alpha = (1 - level) / 2;
  return {
    n,
    ks,
    exact,
    mean: est.map((v) => meanSd(v).mean),
    lo: est.map((v) => quantile(v, alpha)),
    hi: est.map((v) => quantile(v, 1 - alpha)),
    kStarExact: firstNegative(exact),
    kStarHat,
    signAgreement: est.map(
      (v, i) =>
        v.reduce((acc, x) => acc + (Math.sign(x) === Math.sign(exact[i]) ? 1 : 0), 0) / opts.reps,
    ),
  };
}
