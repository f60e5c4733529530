/**
 * Smoothness constants of J_k and the one-step result (PAPER.md §5; notebook 05).
 * The paper states the one-step result — one pass@k step raises pass@k and lowers pass@1
 * under smoothness/boundedness [P]; the constants here are our derivation [D].
 *
 * Assumptions: ‖∇log π‖ ≤ G and ‖∇²log π‖ ≤ F. Then ‖∇p‖ ≤ G·p and ‖∇²p‖ ≤ (F + G²)·p.
 */
import { checkFinite, checkInteger, checkPositive } from "../core/validate";

/**
 * sup_{p∈[0,1]} k p (1−p)^{k−1}, the largest influence (PAPER.md §2): attained at p = 1/k.
 *
 * = 1 for k = 1, (1 − 1/k)^{k−1} for k ≥ 2 (decreasing to 1/e)   [D]
 *
 * @example maxInfluence(4) // => 0.421875
 */
export function maxInfluence(k: number): number {
  checkInteger("maxInfluence", "k", k);
  return k === 1 ? 1 : Math.pow(1 - 1 / k, k - 1);
}

/**
 * sup_{p∈[0,1]} k(k−1) p² (1−p)^{k−2}, the largest curvature factor of the ∇p∇pᵀ term:
 * attained at p = 2/k (p = 1 for k = 2).
 *
 * = 0 for k = 1, 4(k−1)/k·(1 − 2/k)^{k−2} for k ≥ 2 (2 at k = 2, then ↓ 4/e² ≈ 0.541)   [D]
 *
 * @example maxCurvatureFactor(3) // => 0.888888888888889
 */
export function maxCurvatureFactor(k: number): number {
  checkInteger("maxCurvatureFactor", "k", k);
  if (k === 1) return 0;
  return ((4 * (k - 1)) / k) * Math.pow(1 - 2 / k, k - 2); // Math.pow(0, 0) = 1 at k = 2
}

/** Smoothness constants of J_1 and J_k and the gradient bound. */
export interface SmoothnessBounds {
  /** L_1 = F + G²: J_1 is L_1-smooth. */
  L1: number;
  /** Crude L_k ≤ k L_1 + k(k−1) G², grows like k². */
  crude: number;
  /**
   * Refined L_k ≤ L_1·sup k p(1−p)^{k−1} + G²·sup k(k−1)p²(1−p)^{k−2} ≤ L_1 + 2G², bounded in k.
   */
  refined: number;
  /** ‖∇J_k‖ ≤ G·sup k p(1−p)^{k−1} ≤ G. */
  gradBound: number;
}

/**
 * Bounds on the smoothness of J_k and on ‖∇J_k‖ from the score bounds G and F.
 *
 * Per prompt ∇²pass@k = w_k(p)∇²p − k(k−1)(1−p)^{k−2}∇p∇pᵀ   [D, PAPER.md §5]
 * - L_1 = F + G² (from ‖∇²p‖ ≤ (F + G²)p ≤ F + G²);
 * - crude: w_k ≤ k and (1−p)^{k−2} ≤ 1, dropping the factors of p: L_k ≤ k L_1 + k(k−1)G²;
 * - refined: keeping them, L_k ≤ L_1·maxInfluence(k) + G²·maxCurvatureFactor(k) ≤ L_1 + 2G²
 *   (claim 10: bounded uniformly in k);
 * - ‖∇J_k‖ ≤ E[w_k ‖∇p‖] ≤ G·maxInfluence(k) ≤ G.
 * k = 1: crude = refined = L_1, gradBound = G.
 *
 * @example smoothnessBounds(1, 1, 4) // => { L1: 2, crude: 20, refined: 1.59375, gradBound:
 * 0.421875 }
 */
export function smoothnessBounds(G: number, F: number, k: number): SmoothnessBounds {
  checkFinite("smoothnessBounds", "G", G);
  checkFinite("smoothnessBounds", "F", F);
  if (G < 0) throw new RangeError(`smoothnessBounds: G must be ≥ 0, got ${G}`);
  if (F < 0) throw new RangeError(`smoothnessBounds: F must be ≥ 0, got ${F}`);
  checkInteger("smoothnessBounds", "k", k);
  const L1 = F + G * G;
  const s1 = maxInfluence(k);
  return {
    L1,
    crude: k * L1 + k * (k - 1) * G * G,
    refined: L1 * s1 + G * G * maxCurvatureFactor(k),
    gradBound: G * s1,
  };
}

/**
 * The step sizes for which one pass@k ascent step provably raises J_k and lowers J_1.
 *
 * θ⁺ = θ + η∇J_k with c = ⟨∇J_k, ∇J_1⟩ < 0 and 0 < η < η_max,
 * η_max = min(2/L_k, 2|c| / (L_1 ‖∇J_k‖²))   ⇒  J_k(θ⁺) > J_k(θ), J_1(θ⁺) < J_1(θ)   [P result, D
 * constants, PAPER.md §5]
 *
 * From the descent lemma: J_k(θ⁺) ≥ J_k + η‖∇J_k‖²(1 − ηL_k/2) and
 * J_1(θ⁺) ≤ J_1 + ηc + η²L_1‖∇J_k‖²/2. Requires c < 0 (no conflict, no interval),
 * normGradJk, L1, Lk > 0.
 *
 * @example oneStepInterval({ c: -0.1, normGradJk: 1, L1: 2, Lk: 4 }) // => { etaMax: 0.1 }
 */
export function oneStepInterval(args: { c: number; normGradJk: number; L1: number; Lk: number }): {
  etaMax: number;
} {
  const where = "oneStepInterval";
  if (args == null || typeof args !== "object")
    throw new TypeError(
      `${where}: args must be an object {c, normGradJk, L1, Lk}, got ${String(args)}`,
    );
  const c = checkFinite(where, "args.c", args.c);
  if (!(c < 0))
    throw new RangeError(`${where}: args.c = ⟨∇J_k, ∇J_1⟩ must be < 0 (a conflict), got ${c}`);
  const g = checkPositive(where, "args.normGradJk", args.normGradJk);
  const L1 = checkPositive(where, "args.L1", args.L1);
  const Lk = checkPositive(where, "args.Lk", args.Lk);
  return { etaMax: Math.min(2 / Lk, (2 * -c) / (L1 * g * g)) };
}
