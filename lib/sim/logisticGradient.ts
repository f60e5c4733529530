/**
 * A fused exact ∇J_k for the two-action logistic policy (PAPER.md §6): the pass@k gradient
 * straight from θ, in one pass over the contexts, without forming the N × d matrix of ∇p(x)
 * that `gradJk(policy.population(θ), k)` (the generic path) builds and reads back.
 *
 * Agrees with a 64-digit reference to 1e-12 relative (tests/logisticGradient.test.ts) and with
 * the generic path to the last bit: the same weight (promptWeightUnchecked), the same σ and the
 * same sums in the same order (since issue 17, when the weights of both became products).
 */
import { checkFiniteArray, checkInteger, checkLength } from "../core/validate";
import type { LogisticPolicy } from "./policies";
import { promptWeightUnchecked, WEIGHT_PRODUCT_MAX_K } from "../theory/passAtK";

/**
 * A module-local binding of promptWeightUnchecked, called per prompt in the loops below:
 * through tsx's CommonJS interop every call of an imported function goes through a getter
 * that V8 did not inline (~15 % of a toy step's time; bench/RESULTS.md, issue 17).
 */
const weightOf = promptWeightUnchecked;

/**
 * Largest k whose weight (1 − p)^{k−1} is formed by repeated squaring; above it,
 * exp((k−1)·log1p(−p)) — the weight of lib/theory/passAtK.ts promptWeightUnchecked, shared.
 */
export const LOGISTIC_PRODUCT_WEIGHT_MAX_K: number = WEIGHT_PRODUCT_MAX_K;

/**
 * The exact pass@k gradient of the logistic policy at θ.
 *
 * ∇J_k(θ) = Σ_x D(x)·w_k(p(x))·∇p(x),  w_k(p) = k(1 − p)^{k−1},
 * p(x) = σ(±θᵀψ(x)), ∇p(x) = ±σ(θᵀψ)σ(−θᵀψ)ψ(x)   [P, PAPER.md §2 and §6; D: the fused form]
 *
 * Per context: one exp (σ without overflow, as `LogisticPolicy.population`), the weight from
 * 1 − p by repeated squaring for k ≤ {@link LOGISTIC_PRODUCT_WEIGHT_MAX_K} (else exp∘log1p), and
 * the term D·w·(g·ψ_j) added in context order. Written into `out` (length d) when given.
 *
 * @example logisticGradJk(policy, theta, 4) // ≈ gradJk(policy.population(theta), 4) to 1e-12
 */
export function logisticGradJk(
  policy: LogisticPolicy,
  theta: ArrayLike<number>,
  k: number,
  out?: Float64Array,
): Float64Array {
  const where = "logisticGradJk";
  checkFiniteArray(where, "theta", theta);
  checkLength(where, "theta", theta, policy.d, "the policy's parameter dimension d");
  checkInteger(where, "k", k, 1);
  const { N, d, features, reward, mass } = policy;
  if (out !== undefined) checkLength(where, "out", out, d, "the policy's d");
  const g = out ?? new Float64Array(d);
  if (d === 2) {
    const t0 = theta[0];
    const t1 = theta[1];
    let s0 = 0;
    let s1 = 0;
    for (let x = 0; x < N; x++) {
      const f0 = features[2 * x];
      const f1 = features[2 * x + 1];
      const z = t0 * f0 + t1 * f1;
      const sign = reward[2 * x + 1] === 1 ? 1 : -1;
      const e = Math.exp(-Math.abs(z));
      const big = 1 / (1 + e);
      const small = e / (1 + e);
      const p = sign * z >= 0 ? big : small;
      const w = weightOf(p, k);
      const c = mass[x] * w;
      if (c === 0) continue;
      const gp = sign * big * small;
      s0 += c * (gp * f0);
      s1 += c * (gp * f1);
    }
    g[0] = s0;
    g[1] = s1;
    return g;
  }
  g.fill(0);
  for (let x = 0; x < N; x++) {
    const o = x * d;
    let z = 0;
    for (let j = 0; j < d; j++) z += theta[j] * features[o + j];
    const sign = reward[2 * x + 1] === 1 ? 1 : -1;
    const e = Math.exp(-Math.abs(z));
    const big = 1 / (1 + e);
    const small = e / (1 + e);
    const p = sign * z >= 0 ? big : small;
    const w = weightOf(p, k);
    const c = mass[x] * w;
    if (c === 0) continue;
    const gp = sign * big * small;
    for (let j = 0; j < d; j++) g[j] += c * (gp * features[o + j]);
  }
  return g;
}
