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
 * Interference-aware prompt weights: pass@k's weights, with the negatively interfering prompts
 * shrunk by one common factor just enough that the step does not lower pass@1.
 *
 * v(x) = w_k(p(x)) where a(x) ≥ 0,  v(x) = s·w_k(p(x)) where a(x) < 0,
 * s = min(1, A⁺/A⁻),  A⁺ = E[w_k a; a ≥ 0],  A⁻ = −E[w_k a; a < 0]   [D, PAPER.md §9]
 *
 * Derivation. g = E[v∇p] has ⟨g, ∇J_1⟩ = E[v a] = A⁺ − s·A⁻ (PAPER.md §4's identity with v for
 * w_k), and c = ⟨∇J_k, ∇J_1⟩ = A⁺ − A⁻. So s = 1 when c ≥ 0 (g = ∇J_k: no conflict, nothing
 * changes) and s = A⁺/A⁻ < 1 when c < 0, which gives ⟨g, ∇J_1⟩ = max(0, c) ≥ 0 — the
 * projection's guarantee, reached by reweighting prompts instead of adding ∇J_1: every weight
 * stays ≥ 0 and, within the agreeing and within the interfering prompts, in pass@k's ratios
 * (hard over easy). Why not the earlier rule, v = max(w_k, 1) where a ≥ 0 and 1 elsewhere: when
 * the interference comes from hard prompts (a < 0 where w_k > 1, and a ≥ 0 on easy prompts
 * where w_k < 1 — our toy, and the case the paper describes) that rule gives v ≡ 1, pass@1 in
 * disguise, and comparing it tells nothing. `a` may be estimated scores â: the guarantee then
 * holds for â.
 *
 * Writes D(x)·v(x) into `out`; returns s. The sums A± run over the prompts in order.
 *
 * @example interferenceAwareCoefficients(Float64Array.of(0.7, 0.3), Float64Array.of(0.8, 0.1),
 * agreementScores(workedExamplePopulation()), 3, new Float64Array(2)) // => 0.5482 (s; c < 0)
 */
export function interferenceAwareCoefficients(
  mass: Float64Array,
  p: Float64Array,
  a: ArrayLike<number>,
  k: number,
  out: Float64Array,
): number {
  let plus = 0;
  let minus = 0;
  for (let i = 0; i < p.length; i++) {
    const c = mass[i] * promptWeightUnchecked(p[i], k);
    out[i] = c;
    if (a[i] >= 0) plus += c * a[i];
    else minus -= c * a[i];
  }
  const s = minus > plus ? plus / minus : 1;
  if (s !== 1) for (let i = 0; i < p.length; i++) if (a[i] < 0) out[i] *= s;
  return s;
}

/**
 * The interference-aware direction g = E[v∇p] of {@link interferenceAwareCoefficients}:
 * ⟨g, ∇J_1⟩ = max(0, ⟨∇J_k, ∇J_1⟩) ≥ 0, and g = ∇J_k when there is no conflict   [D, PAPER.md
 * §9]. `a` defaults to agreementScores(pop); pass estimated scores â to use the rule on data.
 *
 * @example interferenceAwareGradient(workedExamplePopulation(), 3) // => Float64Array [-0.1558,
 * 0.2250] (⟨g, ∇J_1⟩ = 0 to rounding)
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
  interferenceAwareCoefficients(pop.mass, pop.p, scores, k, coef);
  return weightedGradientUnchecked(pop, coef);
}
