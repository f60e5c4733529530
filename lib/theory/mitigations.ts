/**
 * Update directions that keep pass@k's push on hard prompts without lowering pass@1
 * (PAPER.md §9; notebook 07). The paper leaves mitigation to future work; everything here is
 * our derivation [D], each with the guarantee it provides.
 */
import { dot } from "../core/stats";
import type { Population } from "../core/types";
import { promptWeightUnchecked } from "./passAtK";
import {
  checkPopulation,
  agreementScoresUnchecked,
  weightedGradientUnchecked,
} from "./interference";
import {
  checkFinite,
  checkFiniteArray,
  checkInteger,
  checkLength,
  checkPositive,
} from "../core/validate";

/**
 * ∇J_k with its component against ∇J_1 removed (PCGrad-style projection).
 *
 * g = ∇J_k − (min(0, c)/‖∇J_1‖²)∇J_1,  c = ⟨∇J_k, ∇J_1⟩   [D, PAPER.md §9; claim 12]
 *
 * Guarantees ⟨g, ∇J_1⟩ = max(0, c) ≥ 0 (ascent along g does not lower J_1 to first order) and
 * ⟨g, ∇J_k⟩ = ‖∇J_k‖² − min(0,c)²/‖∇J_1‖² ≥ 0 (Cauchy–Schwarz). No conflict (c ≥ 0) or
 * ∇J_1 = 0 returns a copy of ∇J_k.
 *
 * @example projectedDirection(Float64Array.of(-1, 1), Float64Array.of(1, 0)) // => Float64Array [0,
 * 1]
 */
export function projectedDirection(gk: Float64Array, g1: Float64Array): Float64Array {
  checkFiniteArray("projectedDirection", "gk", gk);
  checkFiniteArray("projectedDirection", "g1", g1);
  checkLength("projectedDirection", "g1", g1, gk.length, "gk");
  const g = Float64Array.from(gk);
  const c = dot(gk, g1);
  const n1sq = dot(g1, g1);
  if (c >= 0 || n1sq === 0) return g;
  const t = c / n1sq;
  for (let j = 0; j < g.length; j++) g[j] -= t * g1[j];
  return g;
}

/**
 * The largest mixing weight λ for which ascending λJ_k + (1−λ)J_1 does not lower J_1 to
 * first order.
 *
 * ⟨λ∇J_k + (1−λ)∇J_1, ∇J_1⟩ = λc + (1−λ)‖∇J_1‖² ≥ 0  ⇔  λ ≤ ‖∇J_1‖²/(‖∇J_1‖² − c) when c < 0   [D,
 * PAPER.md §9]
 *
 * Returns 1 when c ≥ 0 (any λ ∈ [0,1] is safe). ‖∇J_1‖² = 0 with c < 0 is impossible
 * (Cauchy–Schwarz) and is rejected.
 *
 * @example safeMixingLambda(0.4, -0.043476) // => 0.901965382568617
 */
export function safeMixingLambda(normGradJ1Sq: number, c: number): number {
  checkFinite("safeMixingLambda", "normGradJ1Sq", normGradJ1Sq);
  if (normGradJ1Sq < 0)
    throw new RangeError(`safeMixingLambda: normGradJ1Sq must be ≥ 0, got ${normGradJ1Sq}`);
  checkFinite("safeMixingLambda", "c", c);
  if (c >= 0) return 1;
  if (normGradJ1Sq === 0)
    throw new RangeError(
      `safeMixingLambda: c = ${c} < 0 needs normGradJ1Sq > 0 (|c| ≤ ‖∇J_k‖‖∇J_1‖), got 0`,
    );
  return normGradJ1Sq / (normGradJ1Sq - c);
}

/**
 * The pass@k gradient with prompt weights capped at τ.
 *
 * g = E_x[min(w_k(p(x)), τ) ∇p(x)]   [D, PAPER.md §9]
 *
 * Caps how much any prompt can outweigh another at τ/min w_k. Guarantee: when τ ≤
 * min_x w_k(p(x)) (e.g. τ ≤ w_k(max p)), g = τ∇J_1 and there is no conflict; τ ≥ k gives ∇J_k.
 *
 * @example cappedWeightGradient(workedExamplePopulation(), 3, 1) // => Float64Array [-0.096,
 * 0.1752]
 */
export function cappedWeightGradient(pop: Population, k: number, tau: number): Float64Array {
  checkPopulation("cappedWeightGradient", pop);
  checkInteger("cappedWeightGradient", "k", k);
  checkPositive("cappedWeightGradient", "tau", tau);
  const coef = new Float64Array(pop.N);
  for (let i = 0; i < pop.N; i++)
    coef[i] = pop.mass[i] * Math.min(promptWeightUnchecked(pop.p[i], k), tau);
  return weightedGradientUnchecked(pop, coef);
}

/**
 * Pass@k's upweighting applied only to prompts that agree with pass@1.
 *
 * g = E_x[v(x) ∇p(x)],  v(x) = max(w_k(p(x)), 1) if a(x) ≥ 0, else 1   [D, PAPER.md §9]
 *
 * Each prompt keeps at least its pass@1 weight; only prompts with a ≥ 0 are upweighted
 * (hard ones, where w_k > 1). Guarantee: ⟨g, ∇J_1⟩ = ‖∇J_1‖² + E[(v−1)a] ≥ ‖∇J_1‖² ≥ 0,
 * since v − 1 > 0 only where a ≥ 0. `a` defaults to agreementScores(pop); pass
 * estimated scores â to use the rule on data (the guarantee then holds for â).
 *
 * @example interferenceAwareGradient(workedExamplePopulation(), 3) // => Float64Array [0.52, 0.36]
 */
export function interferenceAwareGradient(
  pop: Population,
  k: number,
  a?: Float64Array,
): Float64Array {
  checkPopulation("interferenceAwareGradient", pop);
  checkInteger("interferenceAwareGradient", "k", k);
  if (a !== undefined) {
    checkFiniteArray("interferenceAwareGradient", "a", a);
    checkLength("interferenceAwareGradient", "a", a, pop.N, "pop.N");
  }
  const scores = a ?? agreementScoresUnchecked(pop, weightedGradientUnchecked(pop, pop.mass));
  const coef = new Float64Array(pop.N);
  for (let i = 0; i < pop.N; i++) {
    const v = scores[i] >= 0 ? Math.max(promptWeightUnchecked(pop.p[i], k), 1) : 1;
    coef[i] = pop.mass[i] * v;
  }
  return weightedGradientUnchecked(pop, coef);
}
