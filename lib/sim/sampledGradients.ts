/**
 * Gradient estimates from n sampled responses per prompt (PAPER.md §7–8; notebook 06).
 *
 * Every estimator here has the form
 *
 *   ĝ = Σ_x D(x) Σ_{j=1}^{n} u(r_{xj}, c_x) s_θ(x, y_{xj}),   c_x = Σ_j r_{xj},
 *
 * a per-sample weight u that depends only on the sample's own reward and on its prompt's
 * number of correct samples. Because s(x, y) depends only on (x, y), the sum collapses to
 * per-action coefficients C[x, a] = D(x)·#{j : y_{xj} = a}·u(r(x, a), c_x), and
 * ĝ = Σ_{x,a} C[x, a] s(x, a) costs O(N·n + N·K·d) with no per-response score vectors.
 *
 * The weights (u(1, c), u(0, c)) per estimator, for target ∇J_k:
 * | estimator               | u(1, c)                       | u(0, c)                    |
 * unbiased?                |
 * | reinforce (k = 1)       | 1/n                           | 0                          | yes, for
 * ∇J_1            |
 * | reinforceLeaveOneOut    | (1 − (c−1)/(n−1))/n           | −(c/(n−1))/n               | yes, for
 * ∇J_1            |
 * | plugIn                  | w_k(c/n)/n                    | 0                          | no (w_k
 * nonlinear)       |
 * | unbiasedWeight          | ŵ_k(n, c)/n                   | 0                          | no: mean
 * (n−k+1)/n·∇J_k  |
 * | pkpo                    | PKPO s⁺                       | PKPO s⁻                    | yes
 * |
 * | pkpoLooMinusOne         | C(n−c,k−1)/C(n,k)             | 0                          | yes
 * |
 * | passKTraining           | A⁺/n                          | A⁻/n                       | no (σ,
 * baseline ρ)       |
 * | passHatKUnbiased        | C(c−1,k−1)/C(n,k)             | 0                          | yes, for
 * ∇J^k (pass^k)   | (ŵ_k, PKPO and A± from lib/theory/estimators.ts.) The expectation of any of
 * them is available in closed form ({@link expectedSampledGradient}), so bias is computed, not just
 * estimated.
 */
import {
  passHatKSampleWeights,
  pkpoLooMinusOneWeights,
  pkpoWeights,
  passKTrainingAdvantages,
  promptWeightEstimate,
} from "../theory/estimators";
import { promptWeightUnchecked } from "../theory/passAtK";
import type { Policy, ResponseBatch } from "./policies";
import { checkInteger, checkLength, show } from "../core/validate";

/** The sampled gradient estimators (see the module table). */
export type GradientEstimator =
  | "reinforce"
  | "reinforceLeaveOneOut"
  | "plugIn"
  | "unbiasedWeight"
  | "pkpo"
  | "pkpoLooMinusOne"
  | "passKTraining"
  | "passHatKUnbiased";

/** All estimator names, in the order of the module table. */
export const GRADIENT_ESTIMATORS: readonly GradientEstimator[] = Object.freeze([
  "reinforce",
  "reinforceLeaveOneOut",
  "plugIn",
  "unbiasedWeight",
  "pkpo",
  "pkpoLooMinusOne",
  "passKTraining",
  "passHatKUnbiased",
]);

/** Per-sample weights u(1, c) and u(0, c) for c = 0 … n. */
export interface WeightTable {
  /** u(1, c): weight of a correct sample in a group with c correct. */
  correct: Float64Array;
  /** u(0, c): weight of an incorrect sample in a group with c correct. */
  incorrect: Float64Array;
}

/** Checks estimator, n and k together; returns nothing. */
function checkEstimator(where: string, estimator: GradientEstimator, n: number, k: number): void {
  if (!GRADIENT_ESTIMATORS.includes(estimator)) {
    throw new RangeError(
      `${where}: estimator must be one of ${GRADIENT_ESTIMATORS.join(", ")}, got ${show(estimator)}`,
    );
  }
  checkInteger(where, "n", n, estimator === "reinforceLeaveOneOut" ? 2 : 1);
  checkInteger(where, "k", k, 1);
  const needsKAtMostN =
    estimator === "pkpo" ||
    estimator === "pkpoLooMinusOne" ||
    estimator === "passKTraining" ||
    estimator === "passHatKUnbiased";
  if (needsKAtMostN && k > n)
    throw new RangeError(`${where}: k must be ≤ n = ${n} for the ${estimator} estimator, got ${k}`);
  if (estimator === "unbiasedWeight" && k > n + 1)
    throw new RangeError(
      `${where}: k must be ≤ n + 1 = ${n + 1} for the unbiasedWeight estimator, got ${k}`,
    );
}

/**
 * The per-sample weights of an estimator for every possible c.
 *
 * See the module table for the formulas. k is ignored by the two REINFORCE estimators
 * (their target is ∇J_1). Requirements: n ≥ 1 (n ≥ 2 for reinforceLeaveOneOut); k ≤ n for
 * pkpo, pkpoLooMinusOne and passKTraining; k ≤ n + 1 for unbiasedWeight.
 *
 * @example perSampleWeights("pkpoLooMinusOne", 4, 2).correct // => Float64Array [0, 0.5,
 * 0.3333333333333333, 0.16666666666666666, 0]  (c = 0 … 4)
 */
export function perSampleWeights(estimator: GradientEstimator, n: number, k: number): WeightTable {
  checkEstimator("perSampleWeights", estimator, n, k);
  return weightTable(estimator, n, k);
}

export function weightTable(estimator: GradientEstimator, n: number, k: number): WeightTable {
  const correct = new Float64Array(n + 1);
  const incorrect = new Float64Array(n + 1);
  for (let c = 0; c <= n; c++) {
    let plus = 0;
    let minus = 0;
    switch (estimator) {
      case "reinforce":
        plus = 1 / n;
        break;
      case "reinforceLeaveOneOut":
        // baseline for sample j: mean reward of the other n − 1 samples (independent of y_j)
        plus = (1 - (c - 1) / (n - 1)) / n;
        minus = -(c / (n - 1)) / n;
        break;
      case "plugIn":
        plus = promptWeightUnchecked(c / n, k) / n;
        break;
      case "unbiasedWeight":
        plus = promptWeightEstimate(n, c, k) / n;
        break;
      case "pkpo": {
        const w = pkpoWeights(n, c, k);
        plus = w.correct;
        minus = w.incorrect;
        break;
      }
      case "pkpoLooMinusOne":
        plus = pkpoLooMinusOneWeights(n, c, k).correct;
        break;
      case "passHatKUnbiased":
        if (c > 0) plus = passHatKSampleWeights(n, c, k).correct;
        break;
      case "passKTraining": {
        const adv = passKTrainingAdvantages(n, c, k);
        plus = adv.positive / n;
        minus = adv.negative / n;
        break;
      }
    }
    // A weight is only ever used for a sample that exists: u(1, 0) and u(0, n) are set to 0.
    correct[c] = c > 0 ? plus : 0;
    incorrect[c] = c < n ? minus : 0;
  }
  return { correct, incorrect };
}

export function checkBatch(where: string, policy: Policy, batch: ResponseBatch): void {
  if (batch == null || typeof batch !== "object")
    throw new TypeError(`${where}: batch must be a ResponseBatch, got ${show(batch)}`);
  if (batch.N !== policy.N || batch.K !== policy.K) {
    throw new RangeError(
      `${where}: batch has N = ${batch.N}, K = ${batch.K}, but the policy has N = ${policy.N}, K = ${policy.K}`,
    );
  }
  checkLength(where, "batch.actions", batch.actions, batch.N * batch.n, "batch.N × batch.n");
  checkLength(where, "batch.probs", batch.probs, batch.N * batch.K, "batch.N × batch.K");
}

/** Scratch N × K coefficient matrices, one per policy (reused between calls). */
const scratch = new WeakMap<Policy, Float64Array>();
export function coefScratch(policy: Policy): Float64Array {
  let c = scratch.get(policy);
  if (c === undefined) {
    c = new Float64Array(policy.N * policy.K);
    scratch.set(policy, c);
  }
  return c;
}

/**
 * Fills coef[x, a] = scale(x)·#{j ∈ [j0, j1) : y_{xj} = a}·u(r(x, a), c_x), with c_x counted
 * over the same responses; scale(x) = D(x) when `withMass`, else 1.
 */
export function sampleCoefficients(
  policy: Policy,
  batch: ResponseBatch,
  j0: number,
  j1: number,
  table: WeightTable,
  withMass: boolean,
  coef: Float64Array,
): void {
  const { N, K, reward, mass } = policy;
  const { n, actions } = batch;
  coef.fill(0);
  for (let x = 0; x < N; x++) {
    const o = x * K;
    const base = x * n;
    for (let j = j0; j < j1; j++) coef[o + actions[base + j]] += 1;
    let c = 0;
    for (let a = 0; a < K; a++) if (reward[o + a] === 1) c += coef[o + a];
    const scale = withMass ? mass[x] : 1;
    for (let a = 0; a < K; a++) {
      if (coef[o + a] === 0) continue;
      coef[o + a] *= scale * (reward[o + a] === 1 ? table.correct[c] : table.incorrect[c]);
    }
  }
}

/**
 * A sampled estimate of ∇J_k (or of ∇J_1 for the REINFORCE estimators) from a batch.
 *
 * ĝ = Σ_x D(x) Σ_j u(r_{xj}, c_x) ∇_θ log π_θ(y_{xj}|x)   [D; weights in the module table]
 *
 * Unbiased for pkpo and pkpoLooMinusOne (∇J_k) and for the REINFORCE pair (∇J_1); plugIn,
 * unbiasedWeight and passKTraining are biased — their exact means are given by
 * {@link expectedSampledGradient}. The batch must come from this policy (its `probs` fix θ).
 *
 * @example sampledGradient(policy, policy.sample(theta, rng, 16), "pkpoLooMinusOne", 4) // =>
 * Float64Array(d), mean ∇J_4
 */
export function sampledGradient(
  policy: Policy,
  batch: ResponseBatch,
  estimator: GradientEstimator,
  k = 1,
  out?: Float64Array,
): Float64Array {
  const where = "sampledGradient";
  checkBatch(where, policy, batch);
  checkEstimator(where, estimator, batch.n, k);
  if (out !== undefined) checkLength(where, "out", out, policy.d, "the policy's d");
  const coef = coefScratch(policy);
  sampleCoefficients(policy, batch, 0, batch.n, weightTable(estimator, batch.n, k), true, coef);
  return policy.scoreSum(batch.probs, coef, out);
}

/**
 * REINFORCE estimate of ∇J_1 = E_x[∇p(x)], ∇p(x) = E_y[r s]   [P/D, PAPER.md §1]
 *
 * ĝ = Σ_x D(x)(1/n)Σ_j r_{xj} s(x, y_{xj}); with `baseline: "leaveOneOut"` each reward is
 * centred by the mean of the other n − 1 rewards of its prompt (still unbiased, lower variance).
 *
 * @example reinforceGradient(policy, batch) // => Float64Array(d), mean ∇J_1
 */
export function reinforceGradient(
  policy: Policy,
  batch: ResponseBatch,
  opts: { baseline?: "none" | "leaveOneOut" } = {},
): Float64Array {
  const baseline = opts.baseline ?? "none";
  if (baseline !== "none" && baseline !== "leaveOneOut") {
    throw new RangeError(
      `reinforceGradient: opts.baseline must be "none" or "leaveOneOut", got ${show(baseline)}`,
    );
  }
  return sampledGradient(
    policy,
    batch,
    baseline === "none" ? "reinforce" : "reinforceLeaveOneOut",
    1,
  );
}

/** P(C = c) for C ~ Binomial(m, p), c = 0 … m, in log space (no overflow for large m). */
function binomialPmf(m: number, p: number, out: Float64Array): void {
  if (p === 0 || p === 1) {
    out.fill(0, 0, m + 1);
    out[p === 0 ? 0 : m] = 1;
    return;
  }
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let logComb = 0; // log C(m, c)
  for (let c = 0; c <= m; c++) {
    if (c > 0) logComb += Math.log(m - c + 1) - Math.log(c);
    out[c] = Math.exp(logComb + c * lp + (m - c) * lq);
  }
}

/**
 * The exact expectation of {@link sampledGradient} over the sampling of n responses per prompt.
 *
 * E[ĝ] = Σ_x D(x) · n · Σ_a π(a|x) s(x, a) · E_{C'~Bin(n−1, p(x))}[u(r(x, a), r(x, a) + C')]   [D]
 *
 * By exchangeability E[Σ_j u(r_j, c) s_j] = n·E[u(r_1, c) s_1]; given y_1 = a the other n − 1
 * responses are independent of it, so c = r(x, a) + C'. With this, bias is computed exactly:
 * e.g. unbiasedWeight has mean (n−k+1)/n·∇J_k, because the weight estimate and ∇̂p share
 * samples (the correct sample's own success enters ŵ_k).
 *
 * @example expectedSampledGradient(policy, theta, 8, "pkpoLooMinusOne", 4) // => equals
 * gradJk(policy.population(theta), 4)
 */
export function expectedSampledGradient(
  policy: Policy,
  theta: ArrayLike<number>,
  n: number,
  estimator: GradientEstimator,
  k = 1,
): Float64Array {
  const where = "expectedSampledGradient";
  checkEstimator(where, estimator, n, k);
  const pop = policy.population(theta);
  const probs = policy.actionProbs(theta);
  const table = weightTable(estimator, n, k);
  const { N, K, reward, mass } = policy;
  const pmf = new Float64Array(n);
  const coef = new Float64Array(N * K);
  for (let x = 0; x < N; x++) {
    binomialPmf(n - 1, pop.p[x], pmf);
    let eCorrect = 0; // E[u(1, 1 + C')]
    let eIncorrect = 0; // E[u(0, C')]
    for (let c = 0; c < n; c++) {
      eCorrect += pmf[c] * table.correct[c + 1];
      eIncorrect += pmf[c] * table.incorrect[c];
    }
    for (let a = 0; a < K; a++) {
      const o = x * K + a;
      coef[o] = mass[x] * n * probs[o] * (reward[o] === 1 ? eCorrect : eIncorrect);
    }
  }
  return policy.scoreSum(probs, coef);
}
