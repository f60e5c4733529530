/**
 * How the pass@k estimator behaves as a random variable and as floating-point arithmetic
 * (PAPER.md §8, claim 11; notebook 01): its exact sampling distribution over
 * c ~ Binomial(n, p), a seeded Monte-Carlo check of its mean, and the relative error of a
 * float64 result against a 64-digit reference (lib/theory/highPrecision.ts).
 */
import type * as MathJs from "mathjs";
import { binomialPmf, passAtKEstimate } from "../theory/estimators";
import { passAtKUnchecked } from "../theory/passAtK";
import type { Rng } from "../core/rng";
import { checkFinite, checkInteger, checkProbability } from "../core/validate";

/** The exact distribution of ρ̂ = ρ(n, c, k) when c ~ Binomial(n, p). */
export interface EstimatorDistribution {
  n: number;
  k: number;
  p: number;
  /** Estimator value ρ(n, c, k) for c = 0..n (non-decreasing in c). */
  value: Float64Array;
  /** P(c) = C(n, c) p^c (1 − p)^{n−c} for c = 0..n. */
  prob: Float64Array;
  /** E[ρ̂] = Σ_c P(c) ρ(n, c, k); equals {@link truth} (unbiased). */
  mean: number;
  /** Standard deviation of ρ̂. */
  sd: number;
  /** The estimand pass@k(p) = 1 − (1 − p)^k. */
  truth: number;
  /** E[1 − (1 − c/n)^k], the plug-in estimator's mean; ≤ truth (Jensen: biased low for k ≥ 2). */
  plugInMean: number;
}

function checkNkp(where: string, n: number, k: number, p: number): void {
  checkInteger(where, "n", n, 1);
  checkInteger(where, "k", k, 1);
  if (k > n)
    throw new RangeError(
      `${where}: k must be ≤ n = ${n} (the estimator needs n ≥ k samples), got ${k}`,
    );
  checkProbability(where, "p", p);
}

/**
 * The exact sampling distribution of the unbiased pass@k estimator from n samples.
 *
 * P(ρ̂ = ρ(n, c, k)) = C(n, c) p^c (1 − p)^{n−c},   E[ρ̂] = 1 − (1 − p)^k
 * [unbiasedness: Chen et al. 2021, PAPER.md §8 and §10 claim 11]
 *
 * Also returns the plug-in estimator's mean E[1 − (1 − c/n)^k] for contrast: it is biased
 * low for k ≥ 2 (for k = 2 the bias is exactly −p(1 − p)/n [D]). Cost O(n·min(c, k)).
 * Requires 1 ≤ k ≤ n.
 *
 * @example estimatorDistribution(4, 2, 0.5).mean // => 0.75 (and .plugInMean = 0.6875)
 */
export function estimatorDistribution(n: number, k: number, p: number): EstimatorDistribution {
  checkNkp("estimatorDistribution", n, k, p);
  const prob = binomialPmf(n, p);
  const value = new Float64Array(n + 1);
  let mean = 0;
  let plugInMean = 0;
  for (let c = 0; c <= n; c++) {
    value[c] = passAtKEstimate(n, c, k);
    mean += prob[c] * value[c];
    plugInMean += prob[c] * passAtKUnchecked(c / n, k);
  }
  // Two passes: E[(ρ̂ − mean)²] keeps a tiny variance that E[ρ̂²] − mean² would cancel to 0.
  let variance = 0;
  for (let c = 0; c <= n; c++) variance += prob[c] * (value[c] - mean) ** 2;
  const sd = Math.sqrt(variance);
  return { n, k, p, value, prob, mean, sd, truth: passAtKUnchecked(p, k), plugInMean };
}

/** A seeded Monte-Carlo estimate of E[ρ̂] and how far it lies from the truth. */
export interface MonteCarloMean {
  /** Number of simulated prompts (draws of c). */
  draws: number;
  /** Sample mean of ρ(n, c_r, k), r = 1..draws. */
  mean: number;
  /** Standard error of the mean, sample sd / √draws. */
  se: number;
  /** pass@k(p), the estimand. */
  truth: number;
  /** (mean − truth)/se; |z| ≲ 3 for an unbiased estimator. NaN when se = 0. */
  z: number;
}

/**
 * Simulates `draws` prompts with pass@1 p, n samples each (c ~ Binomial(n, p) from `rng`),
 * and averages the unbiased estimator over them.
 *
 * z = (mean_r ρ(n, c_r, k) − (1 − (1 − p)^k)) / se   [claim 11 in sampled form]
 *
 * Deterministic for a given rng state. Requires 1 ≤ k ≤ n, draws ≥ 2.
 *
 * @example monteCarloEstimatorMean(16, 4, 0.1, 10000, createRng(1)).z // => within ±3
 * (seed-dependent)
 */
export function monteCarloEstimatorMean(
  n: number,
  k: number,
  p: number,
  draws: number,
  rng: Rng,
): MonteCarloMean {
  checkNkp("monteCarloEstimatorMean", n, k, p);
  checkInteger("monteCarloEstimatorMean", "draws", draws, 2);
  // Welford's update: no cancellation in the variance.
  let mean = 0;
  let m2 = 0;
  for (let r = 1; r <= draws; r++) {
    const v = passAtKEstimate(n, rng.binomial(n, p), k);
    const delta = v - mean;
    mean += delta / r;
    m2 += delta * (v - mean);
  }
  const se = Math.sqrt(m2 / (draws - 1) / draws);
  const truth = passAtKUnchecked(p, k);
  return { draws, mean, se, truth, z: se > 0 ? (mean - truth) / se : NaN };
}

let big: MathJs.MathJsInstance | undefined;

function bigMath(): MathJs.MathJsInstance {
  if (big === undefined) {
    const math = require("mathjs") as typeof MathJs;
    big = math.create(math.all, { number: "BigNumber", precision: 64 });
  }
  return big;
}

/**
 * Relative error of a float64 `value` against a high-precision decimal reference `exact`
 * (a string such as {@link exactPassAtKEstimate} returns), computed at 64 digits.
 *
 * relErr = |value − exact| / |exact|   (absolute error when exact = 0)
 *
 * The double is expanded to 40 significant digits of its exact binary value (not its
 * shortest decimal form), so errors below one ulp are measured, not rounded away.
 * NaN or ±∞ `value` gives NaN (the computation failed); the reference must be finite.
 *
 * @example relativeErrorVsExact(0.1, "0.1") // => 5.551115123125783e-17
 */
export function relativeErrorVsExact(value: number, exact: string): number {
  if (typeof value !== "number")
    throw new TypeError(`relativeErrorVsExact: value must be a number, got ${typeof value}`);
  if (typeof exact !== "string")
    throw new TypeError(
      `relativeErrorVsExact: exact must be a decimal string, got ${typeof exact}`,
    );
  if (!Number.isFinite(value)) return NaN;
  const m = bigMath();
  let ref: MathJs.BigNumber;
  try {
    ref = m.bignumber(exact);
  } catch {
    throw new RangeError(
      `relativeErrorVsExact: exact must be a decimal string, got ${JSON.stringify(exact)}`,
    );
  }
  checkFinite("relativeErrorVsExact", "exact", ref.toNumber());
  const diff = m.bignumber(value.toPrecision(40)).minus(ref).abs();
  return (ref.isZero() ? diff : diff.div(ref.abs())).toNumber();
}
