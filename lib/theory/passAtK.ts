/**
 * Pass@k of one prompt and of a population, the prompt weight w_k, and the
 * normalised reweighting q_k (PAPER.md §1–2; notebooks 01 and 02).
 *
 * Notation: p = per-prompt pass@1, k = number of attempts, D = prompt
 * distribution given as a `mass` array (non-negative, sums to 1).
 */
import { TOL } from "../core/tolerances";
import {
  checkFiniteArray,
  checkInteger,
  checkLength,
  checkProbability,
  checkProbabilityArray,
  show,
} from "../core/validate";

/** Tolerance on Σ mass = 1 (masses are a probability distribution D over prompts). */
export const MASS_SUM_TOLERANCE: number = TOL.massSum;

/**
 * Checks that `mass` is a probability vector (finite, ≥ 0, Σ = 1 within
 * {@link MASS_SUM_TOLERANCE}) and, when `expected` is given, that its length matches.
 * Throws TypeError/RangeError naming `where` and the offending entry.
 */
export function checkMass(
  where: string,
  mass: ArrayLike<number>,
  expected?: number,
  against = "p",
): void {
  // Float64Array: one monomorphic pass, the same sum; the checks below name a bad entry.
  if (mass instanceof Float64Array && (expected === undefined || mass.length === expected)) {
    const total = massTotalF64(mass);
    if (Math.abs(total - 1) <= MASS_SUM_TOLERANCE) return;
  }
  checkFiniteArray(where, "mass", mass);
  if (expected !== undefined) checkLength(where, "mass", mass, expected, against);
  let total = 0;
  for (let i = 0; i < mass.length; i++) {
    if (mass[i] < 0) throw new RangeError(`${where}: mass[${i}] must be ≥ 0, got ${show(mass[i])}`);
    total += mass[i];
  }
  if (!(Math.abs(total - 1) <= MASS_SUM_TOLERANCE)) {
    throw new RangeError(
      `${where}: mass must sum to 1 (a distribution over prompts), got sum ${show(total)}`,
    );
  }
}

/** Σ mass in order, NaN when an entry is negative or not finite (Infinity − Infinity). */
function massTotalF64(mass: Float64Array): number {
  let total = 0;
  let ok = true;
  for (let i = 0; i < mass.length; i++) {
    const m = mass[i];
    if (!(m >= 0)) ok = false; // negative or NaN
    total += m;
  }
  return ok && total - total === 0 ? total : NaN; // +∞ entries make the total ∞
}

/** Checks a (mass, p) pair: p ∈ [0,1]^N, mass a distribution of the same length. */
export function checkMassAndP(where: string, mass: ArrayLike<number>, p: ArrayLike<number>): void {
  checkProbabilityArray(where, "p", p);
  checkMass(where, mass, p.length);
}

/**
 * Pass@k of a prompt with pass@1 `p`: the chance that at least one of k
 * independent attempts succeeds.
 *
 * pass@k(p) = 1 − (1 − p)^k   [P, PAPER.md §1]
 *
 * Computed as −expm1(k·log1p(−p)), which keeps full relative precision for tiny
 * p (1 − (1 − 1e−20)^k would round to 0) and for large k. pass@1(p) = p;
 * p = 1 gives 1 for every k (log1p(−1) = −∞).
 *
 * @example passAtK(0.1, 3) // => 0.271
 */
export function passAtK(p: number, k: number): number {
  checkProbability("passAtK", "p", p);
  checkInteger("passAtK", "k", k);
  return passAtKUnchecked(p, k);
}

/** {@link passAtK} without argument checks, for inner loops whose inputs are already validated. */
export function passAtKUnchecked(p: number, k: number): number {
  if (k === 1) return p;
  return -Math.expm1(k * Math.log1p(-p));
}

/**
 * The prompt weight of the pass@k gradient: ∇J_k = E_x[w_k(p(x)) ∇p(x)].
 *
 * w_k(p) = d pass@k / dp = k (1 − p)^{k−1}   [P, PAPER.md §2]
 *
 * w_1 ≡ 1 (including p = 1, where (1−p)^0 = 1 by convention); for k ≥ 2, w_k
 * decreases from w_k(0) = k to w_k(1) = 0. Computed for k ≤ {@link WEIGHT_PRODUCT_MAX_K} as
 * k·(1 − p)^{k−1} by repeated squaring ({@link powInt}: ≤ 2·log2(k) multiplications, ~10× faster
 * than the exp∘log1p form in V8; relative error ≤ ~(k + 2·log2 k)/2 ulps, 3e-15 at k = 64), above
 * it as k·exp((k−1)·log1p(−p)), which stays accurate for large k (bench/RESULTS.md, issue 17).
 *
 * @example promptWeight(0.1, 3) // => 2.43
 */
export function promptWeight(p: number, k: number): number {
  checkProbability("promptWeight", "p", p);
  checkInteger("promptWeight", "k", k);
  return promptWeightUnchecked(p, k);
}

/** Largest k whose weight w_k is formed by repeated squaring (see {@link promptWeight}). */
export const WEIGHT_PRODUCT_MAX_K = 64;

/** u^n for an integer n ≥ 0 by repeated squaring (u^0 = 1, also for u = 0)   [D] */
export function powInt(u: number, n: number): number {
  let result = 1;
  let base = u;
  while (n > 0) {
    if (n & 1) result *= base;
    n >>= 1;
    if (n > 0) base *= base;
  }
  return result;
}

/** {@link promptWeight} without argument checks. */
export function promptWeightUnchecked(p: number, k: number): number {
  if (k === 1) return 1; // (k−1)·log1p(−1) would be 0·(−∞) = NaN at p = 1
  if (k <= WEIGHT_PRODUCT_MAX_K) return k * powInt(1 - p, k - 1);
  return k * Math.exp((k - 1) * Math.log1p(-p));
}

/**
 * Second derivative of pass@k in p, the coefficient of ∇p∇pᵀ in the per-prompt Hessian
 * ∇²pass@k = w_k ∇²p + w_k'(p) ∇p∇pᵀ.
 *
 * d²pass@k/dp² = w_k'(p) = −k(k−1)(1 − p)^{k−2}   [D, PAPER.md §5]
 *
 * k = 1 gives 0 for every p; k = 2 gives −2 for every p (including p = 1);
 * k ≥ 3 gives 0 at p = 1.
 *
 * @example passAtKSecondDerivative(0.1, 3) // => -5.4
 */
export function passAtKSecondDerivative(p: number, k: number): number {
  checkProbability("passAtKSecondDerivative", "p", p);
  checkInteger("passAtKSecondDerivative", "k", k);
  if (k === 1) return 0;
  if (k === 2) return -2;
  return -k * (k - 1) * Math.exp((k - 2) * Math.log1p(-p));
}

/**
 * Effective influence of a prompt on ∇J_k when ‖∇p‖ ≤ G·p (bounded score):
 * the weight times p.
 *
 * influence_k(p) = k p (1 − p)^{k−1}   [D, PAPER.md §2]
 *
 * Zero at p = 0 (unsolvable prompts do not move J_k) and, for k ≥ 2, at p = 1;
 * maximal at p = 1/k with value (1 − 1/k)^{k−1} ↓ 1/e.
 *
 * @example influence(0.25, 4) // => 0.421875
 */
export function influence(p: number, k: number): number {
  checkProbability("influence", "p", p);
  checkInteger("influence", "k", k);
  return p * promptWeightUnchecked(p, k);
}

/**
 * Population pass@k: the objective J_k.
 *
 * J_k = E_{x~D}[1 − (1 − p(x))^k] = Σ_x mass(x)·pass@k(p(x))   [P, PAPER.md §1]
 *
 * @example populationPassAtK([0.5, 0.5], [0.1, 0.9], 2) // => 0.59
 */
export function populationPassAtK(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  k: number,
): number {
  checkMassAndP("populationPassAtK", mass, p);
  checkInteger("populationPassAtK", "k", k);
  let total = 0;
  for (let i = 0; i < p.length; i++) total += mass[i] * passAtKUnchecked(p[i], k);
  return total;
}

/**
 * The normalised pass@k reweighting of D: ∇J_k = Z_k·E_{q_k}[∇p].
 *
 * q_k(x) = D(x) w_k(p(x)) / Z_k,   Z_k = E_D[w_k(p)]   [D, PAPER.md §2]
 *
 * Throws RangeError when Z_k = 0, which happens exactly when every prompt with
 * positive mass has p = 1 and k ≥ 2 (∇J_k = 0, nothing to normalise).
 *
 * @example normalisedWeights([0.5, 0.5], [0.1, 0.9], 2) // => Float64Array [0.9,
 * 0.09999999999999998]
 */
export function normalisedWeights(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  k: number,
): Float64Array {
  return normalisedWeightsIn("normalisedWeights", mass, p, k);
}

function normalisedWeightsIn(
  where: string,
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  k: number,
): Float64Array {
  checkMassAndP(where, mass, p);
  checkInteger(where, "k", k);
  const q = new Float64Array(p.length);
  let z = 0;
  for (let i = 0; i < p.length; i++) {
    q[i] = mass[i] * promptWeightUnchecked(p[i], k);
    z += q[i];
  }
  if (!(z > 0)) {
    throw new RangeError(
      `${where}: Z_k = E[w_k(p)] is 0 for k = ${k} (every prompt with mass has p = 1), so q_k is undefined`,
    );
  }
  for (let i = 0; i < q.length; i++) q[i] /= z;
  return q;
}

/**
 * Share of the pass@k reweighting that falls on prompts harder than `tau`.
 *
 * q_k({x : p(x) < τ}) = Σ_{p(x) < τ} q_k(x)   [D, PAPER.md §10 claim 3]
 *
 * Non-decreasing in k (w_k(p)/w_k(p') = ((1−p)/(1−p'))^{k−1} grows in k when p < p').
 * Same Z_k = 0 error as {@link normalisedWeights}.
 *
 * @example weightShareBelow([0.5, 0.5], [0.1, 0.9], 2, 0.5) // => 0.9
 */
export function weightShareBelow(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  k: number,
  tau: number,
): number {
  checkProbability("weightShareBelow", "tau", tau);
  const q = normalisedWeightsIn("weightShareBelow", mass, p, k);
  let share = 0;
  for (let i = 0; i < q.length; i++) if (p[i] < tau) share += q[i];
  return share;
}
