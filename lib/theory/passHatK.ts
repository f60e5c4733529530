/**
 * pass^k, the mirror image of pass@k: the chance that all k of k independent attempts succeed
 * (τ-bench's reliability metric), its prompt weight, its conflict with pass@1 and its threshold
 * (issue 19; notebook 10). The paper does not treat pass^k: everything here is our derivation
 * [D], obtained from the paper's pass@k lens (PAPER.md §1–4) by the mirror p ↔ 1 − p:
 *
 *   pass^k(p) = p^k = 1 − pass@k(1 − p),   w^k(p) = k p^{k−1} = w_k(1 − p).
 *
 * pass@k's weight falls with p (it pushes on hard prompts), pass^k's rises (it pushes on prompts
 * the model already solves); so pass^k conflicts with pass@1 when *easy* prompts interfere
 * negatively with the rest. Replacing p by 1 − p and ∇p by −∇p leaves every a(x) unchanged and
 * maps one family's conflict onto the other's ({@link mirrorPopulation}).
 */
import type { Population } from "../core/types";
import { checkMassAndP } from "./passAtK";
import { checkPopulation, weightedGradientUnchecked } from "./interference";
import {
  checkFinite,
  checkFiniteArray,
  checkInteger,
  checkLength,
  checkProbability,
} from "../core/validate";
import { passHatKWeightUnchecked } from "./objectives";
import { K_STAR_SCAN_MAX, type GeneralBoundParts, type TwoGroupModel } from "./threshold";

/**
 * pass^k of a prompt with pass@1 p: all k independent attempts succeed.
 *
 * pass^k(p) = p^k   [D, issue 19]
 *
 * @example passHatK(0.9, 3) // => 0.7290000000000001
 */
export function passHatK(p: number, k: number): number {
  checkProbability("passHatK", "p", p);
  checkInteger("passHatK", "k", k);
  return Math.pow(p, k);
}

/**
 * The prompt weight of the pass^k gradient: ∇J^k = E_x[w^k(p(x))∇p(x)].
 *
 * w^k(p) = d p^k/dp = k p^{k−1} = w_k(1 − p)   [D, issue 19]
 *
 * w^1 ≡ 1 (also at p = 0); for k ≥ 2, w^k rises from 0 at p = 0 to k at p = 1.
 *
 * @example passHatKWeight(0.9, 3) // => 2.43
 */
export function passHatKWeight(p: number, k: number): number {
  checkProbability("passHatKWeight", "p", p);
  checkInteger("passHatKWeight", "k", k);
  return passHatKWeightUnchecked(p, k);
}

/**
 * Population pass^k.
 *
 * J^k = E_{x~D}[p(x)^k]   [D, issue 19]
 *
 * @example populationPassHatK([0.5, 0.5], [0.1, 0.9], 2) // => 0.41000000000000003
 */
export function populationPassHatK(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  k: number,
): number {
  checkMassAndP("populationPassHatK", mass, p);
  checkInteger("populationPassHatK", "k", k);
  let total = 0;
  for (let i = 0; i < p.length; i++) total += mass[i] * Math.pow(p[i], k);
  return total;
}

/**
 * Gradient of population pass^k: pass@1's gradient with each prompt reweighted by w^k.
 *
 * ∇J^k = E_x[w^k(p(x))∇p(x)],  w^k(p) = k p^{k−1}   [D, issue 19; chain rule as PAPER.md §2]
 *
 * Checked against central finite differences of J^k in tests.
 *
 * @example gradJHatK(workedExamplePopulation(), 3) // => Float64Array [1.2954, 0.6201]
 */
export function gradJHatK(pop: Population, k: number): Float64Array {
  checkPopulation("gradJHatK", pop);
  checkInteger("gradJHatK", "k", k);
  const coef = new Float64Array(pop.N);
  for (let i = 0; i < pop.N; i++) coef[i] = pop.mass[i] * passHatKWeightUnchecked(pop.p[i], k);
  return weightedGradientUnchecked(pop, coef);
}

function checkAgreement(
  where: string,
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
): void {
  checkMassAndP(where, mass, p);
  checkFiniteArray(where, "a", a);
  checkLength(where, "a", a, p.length, "p");
}

/**
 * The conflict identity of pass^k: its inner product with pass@1 from the agreement scores.
 *
 * ⟨∇J^k, ∇J_1⟩ = E_x[w^k(p(x)) a(x)],  a(x) = ⟨∇p(x), ∇J_1⟩   [D, issue 19; as PAPER.md §4]
 *
 * (Expand ∇J^k = Σ_x D(x)w^k(p(x))∇p(x) inside the inner product.)
 *
 * @example passHatKInnerProduct([0.7, 0.3], [0.8, 0.1], [0.628, -0.132], 3) // => 0.8433
 */
export function passHatKInnerProduct(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
  k: number,
): number {
  checkAgreement("passHatKInnerProduct", mass, p, a);
  checkInteger("passHatKInnerProduct", "k", k);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += mass[i] * passHatKWeightUnchecked(p[i], k) * a[i];
  return s;
}

/**
 * The first integer k at which the pass^k and pass@1 gradients form an obtuse angle.
 *
 * k^*_exact = min{k ≥ 1 : E_x[w^k(p(x)) a(x)] < 0} = min{k : Σ D a p^{k−1} < 0}   [D, issue 19]
 *
 * Scans k = 1 … kMax (default 4096) in O(N·k^*); null when no k ≤ kMax conflicts — at once when
 * every a(x) ≥ 0. The terms are scaled by the largest p among prompts with D(x)a(x) ≠ 0 (a
 * positive factor: the sign is unchanged, and p^{k−1} does not underflow before the sign
 * settles). k = 1 never conflicts for scores from one population (E[a] = ‖∇J_1‖² ≥ 0).
 *
 * No k conflicts when every interfering prompt is at most as easy as every agreeing one
 * (t = max_{a<0} p ≤ min_{a>0} p) [D]: then D·a·p^{k−1} ≥ D·a·t^{k−1} prompt by prompt (p ≥ t where
 * a > 0, p ≤ t where a < 0), so E[p^{k−1}a] ≥ t^{k−1}E[a] = t^{k−1}‖∇J_1‖² ≥ 0 — the mirror of
 * "pass@k never conflicts when every interferer is at least as easy as every agreeing prompt".
 *
 * @example kStarHatExact([0.7, 0.3], [0.8, 0.1], [-0.2, 0.3]) // => 2
 */
export function kStarHatExact(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
  opts: { kMax?: number } = {},
): number | null {
  checkAgreement("kStarHatExact", mass, p, a);
  const kMax =
    opts.kMax === undefined
      ? K_STAR_SCAN_MAX
      : checkInteger("kStarHatExact", "opts.kMax", opts.kMax);
  const idx: number[] = [];
  let pMax = 0;
  let anyNegative = false;
  for (let i = 0; i < p.length; i++) {
    if (mass[i] === 0 || a[i] === 0) continue;
    idx.push(i);
    if (a[i] < 0) anyNegative = true;
    if (p[i] > pMax) pMax = p[i];
  }
  if (!anyNegative) return null;
  const coef = idx.map((i) => mass[i] * a[i]);
  const ratio = idx.map((i) => (pMax > 0 ? p[i] / pMax : 0));
  const pow = idx.map(() => 1); // (p/pMax)^{k−1}
  for (let k = 1; k <= kMax; k++) {
    let s = 0;
    for (let j = 0; j < idx.length; j++) {
      s += coef[j] * pow[j];
      pow[j] *= ratio[j];
    }
    if (s < 0) return k;
  }
  return null;
}

/**
 * The real-valued pass^k conflict threshold of a two-group model in which the *easy* group
 * interferes (a_e < 0 < a_h, p_h < p_e).
 *
 * ⟨∇J^k, ∇J_1⟩ = k[π_e a_e p_e^{k−1} + π_h a_h p_h^{k−1}] < 0  ⇔  k > k^*,
 * k^* = 1 + ln(π_h a_h / (π_e |a_e|)) / ln(p_e/p_h)   [D, issue 19; the mirror of claim 4]
 *
 * (Divide by k π_e|a_e| p_h^{k−1} > 0: (p_e/p_h)^{k−1} > π_h a_h/(π_e|a_e|).) The first
 * conflicting integer is ⌊k^*⌋ + 1; p_h = 0 gives k^* = 1 (every k ≥ 2 conflicts). It equals
 * twoGroupKStar of the mirrored model (p → 1 − p, groups swapped).
 *
 * @example twoGroupKStarHat({ piE: 0.7, pE: 0.9, aE: -0.1, piH: 0.3, pH: 0.4, aH: 0.5 }) // =>
 * 1.94…
 */
export function twoGroupKStarHat(g: TwoGroupModel): number {
  const where = "twoGroupKStarHat";
  if (g == null || typeof g !== "object")
    throw new TypeError(
      `${where}: g must be an object {piE, pE, aE, piH, pH, aH}, got ${String(g)}`,
    );
  for (const name of ["piE", "piH"] as const) {
    if (!(checkFinite(where, `g.${name}`, g[name]) > 0))
      throw new RangeError(`${where}: g.${name} must be > 0, got ${g[name]}`);
  }
  checkProbability(where, "g.pE", g.pE);
  checkProbability(where, "g.pH", g.pH);
  if (!(g.pH < g.pE))
    throw new RangeError(
      `${where}: g.pH must be < g.pE (the hard group is harder), got pH = ${g.pH}, pE = ${g.pE}`,
    );
  if (!(checkFinite(where, "g.aE", g.aE) < 0))
    throw new RangeError(`${where}: g.aE must be < 0 (the easy group interferes), got ${g.aE}`);
  if (!(checkFinite(where, "g.aH", g.aH) > 0))
    throw new RangeError(`${where}: g.aH must be > 0, got ${g.aH}`);
  return 1 + Math.log((g.piH * g.aH) / (g.piE * -g.aE)) / Math.log(g.pE / g.pH);
}

/**
 * The general sufficient pass^k conflict bound with its ingredients, or null when it does not
 * apply.
 *
 * With N = {a < 0}, P = {a > 0}, A₊ = E[a 1_P], A₋ = −E[a 1_N], p_N = min_N p > p_P = max_P p
 * (every interfering prompt easier than every agreeing one):
 *   ⟨∇J^k, ∇J_1⟩ ≤ k[p_P^{k−1} A₊ − p_N^{k−1} A₋] < 0 for every k > B,
 *   B = 1 + ln(A₊/A₋) / ln(p_N/p_P)   [D, issue 19; the mirror of claim 5]
 *
 * (On P, p ≤ p_P and a > 0, so p^{k−1}a ≤ p_P^{k−1}a; on N, p ≥ p_N and a < 0, so
 * p^{k−1}a ≤ p_N^{k−1}a.) Only prompts with D(x) > 0 and a(x) ≠ 0 enter. null when no prompt
 * has a < 0 or p_N ≤ p_P; A₊ = 0 gives −∞; p_P = 0 gives B = 1. In the returned parts pN and
 * pP are these min/max.
 *
 * @example generalBoundHatParts([0.7, 0.3], [0.9, 0.4], [-0.1, 0.5])?.bound // => 1.94… (two
 * groups: twoGroupKStarHat)
 */
export function generalBoundHatParts(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
): GeneralBoundParts | null {
  checkAgreement("generalBoundHatParts", mass, p, a);
  let aPlus = 0;
  let aMinus = 0;
  let pN = Infinity;
  let pP = -Infinity;
  for (let i = 0; i < p.length; i++) {
    if (mass[i] === 0 || a[i] === 0) continue;
    if (a[i] < 0) {
      aMinus -= mass[i] * a[i];
      if (p[i] < pN) pN = p[i];
    } else {
      aPlus += mass[i] * a[i];
      if (p[i] > pP) pP = p[i];
    }
  }
  if (!(aMinus > 0) || !(pN > pP)) return null;
  // pP = −∞ (no a > 0): A₊ = 0, B = −∞; pP = 0: ln(∞) = ∞, B = 1.
  const bound = aPlus === 0 ? -Infinity : 1 + Math.log(aPlus / aMinus) / Math.log(pN / pP);
  return { aPlus, aMinus, pN, pP, bound };
}

/**
 * The mirror image of a population: p → 1 − p, ∇p → −∇p (success and failure swapped).
 *
 * Then ∇J_1 → −∇J_1, every a(x) is unchanged, and pass^k on the mirror equals 1 − pass@k on the
 * original, w^k(1 − p) = w_k(p), ⟨∇J^k, ∇J_1⟩_mirror = ⟨∇J_k, ∇J_1⟩ and k^*_mirror = k*
 * [D, issue 19]. (The mirror is a population of numbers, not of a policy.)
 *
 * @example mirrorPopulation(workedExamplePopulation()).p // => Float64Array [0.19999999999999996,
 * 0.9]
 */
export function mirrorPopulation(pop: Population): Population {
  checkPopulation("mirrorPopulation", pop);
  return {
    N: pop.N,
    d: pop.d,
    mass: Float64Array.from(pop.mass),
    p: Float64Array.from(pop.p, (v) => 1 - v),
    gradP: Float64Array.from(pop.gradP, (v) => -v),
  };
}
