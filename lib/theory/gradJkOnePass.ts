/**
 * `gradJk` (lib/theory/interference.ts) for d = 2 with its input checks folded into its one pass
 * over the prompts: the toy step's ∇J_k read the population four times (mass, p, ∇p checked, then
 * summed); here once (bench/RESULTS.md, issue 17, toy-step-exact).
 */
import type { Population } from "../core/types";
import { MASS_SUM_TOLERANCE, promptWeightUnchecked } from "./passAtK";

/** A module-local binding (tsx's CommonJS interop calls imported functions through a getter). */
const weightOf = promptWeightUnchecked;

/**
 * ∇J_k = Σ_x D(x)·w_k(p(x))·∇p(x) for d = 2 when the population is valid — Float64Arrays of the
 * right lengths, D ≥ 0 finite summing to 1 within MASS_SUM_TOLERANCE, p ∈ [0, 1], ∇p finite —
 * and k is an integer ≥ 1; null otherwise (then the caller runs the full checks, which name the
 * problem). The sum is gradJkUnchecked's: the same terms in the same order, prompts with
 * coefficient 0 skipped, so the same bits; the mass total is checkMass's sum.   [P, PAPER.md §2]
 */
export function gradJkOnePass2(pop: Population, k: number): Float64Array | null {
  if (pop == null || typeof pop !== "object" || pop.d !== 2) return null;
  const { N, mass, p, gradP } = pop;
  if (!(Number.isSafeInteger(k) && k >= 1 && Number.isSafeInteger(N) && N >= 1)) return null;
  if (!(mass instanceof Float64Array && p instanceof Float64Array)) return null;
  if (!(gradP instanceof Float64Array)) return null;
  if (mass.length !== N || p.length !== N || gradP.length !== 2 * N) return null;
  let total = 0;
  let ok = true;
  let s0 = 0;
  let s1 = 0;
  for (let i = 0; i < N; i++) {
    const m = mass[i];
    const pi = p[i];
    const r0 = gradP[2 * i];
    const r1 = gradP[2 * i + 1];
    // negative or NaN mass, p outside [0, 1] or NaN, non-finite ∇p (v − v ≠ 0)
    if (!(m >= 0 && pi >= 0 && pi <= 1 && r0 - r0 === 0 && r1 - r1 === 0)) ok = false;
    total += m;
    const c = m * weightOf(pi, k);
    if (c === 0) continue;
    s0 += c * r0;
    s1 += c * r1;
  }
  // an infinite mass makes the total infinite
  if (!ok || !(total - total === 0) || !(Math.abs(total - 1) <= MASS_SUM_TOLERANCE)) return null;
  return Float64Array.of(s0, s1);
}
