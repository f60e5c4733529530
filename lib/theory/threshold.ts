/**
 * The conflict threshold k*: beyond it, ascending pass@k lowers pass@1 to first order
 * (PAPER.md §4; notebook 04). The paper states that such a k* exists [P]; the
 * formulas below are our derivation [D].
 */
import type { Population } from "../core/types";
import { checkMassAndP } from "./passAtK";
import {
  checkFinite,
  checkFiniteArray,
  checkInteger,
  checkLength,
  checkProbability,
} from "../core/validate";

/** Default upper end of the k-scan in {@link kStarExact}. */
export const K_STAR_SCAN_MAX = 4096;

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
 * The first integer k at which pass@k and pass@1 gradients form an obtuse angle.
 *
 * k*_exact = min{k ∈ ℕ, k ≥ 1 : E_x[w_k(p(x)) a(x)] < 0}   [D, PAPER.md §4]
 *
 * Scans k = 1, 2, …, kMax (default {@link K_STAR_SCAN_MAX} = 4096) in O(N·k*) and returns
 * null when no k ≤ kMax conflicts — in particular when every a(x) ≥ 0 (claim 2), returned
 * at once. E[w_k a] = k Σ D a (1−p)^{k−1} changes sign at most (#distinct p − 1) times, so a
 * conflict can also end again at larger k; only the first one is reported.
 * To keep the sign meaningful where (1−p)^{k−1} underflows, terms are scaled by the largest
 * (1−p) among prompts with D(x)a(x) ≠ 0 (a positive factor, so the sign is unchanged).
 *
 * @example kStarExact([0.7, 0.3], [0.8, 0.1], [0.628, -0.132]) // => 3
 */
export function kStarExact(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
  opts: { kMax?: number } = {},
): number | null {
  checkAgreement("kStarExact", mass, p, a);
  const kMax =
    opts.kMax === undefined ? K_STAR_SCAN_MAX : checkInteger("kStarExact", "opts.kMax", opts.kMax);
  return kStarExactUnchecked(mass, p, a, kMax);
}

/**
 * Work arrays of {@link kStarExactUnchecked}: coef, ratio and pow of length ≥ N; reuse one across
 * calls to allocate nothing.
 */
export interface KStarScratch {
  coef: Float64Array;
  ratio: Float64Array;
  pow: Float64Array;
  /** [u_max, 1 if some D·a < 0 else 0] of the last gather, then the four sums of a scan pass. */
  out: Float64Array;
}

/** A {@link KStarScratch} for populations of up to N prompts. */
export function kStarScratch(N: number): KStarScratch {
  return {
    coef: new Float64Array(N),
    ratio: new Float64Array(N),
    pow: new Float64Array(N),
    out: new Float64Array(4),
  };
}

/**
 * {@link kStarExact} without argument checks, for callers that validated (mass, p, a) and kMax
 * (lib/sim/trainingStep.ts, once per record of a training run). Same scan, same numbers:
 *
 * k*_exact = min{k ≥ 1 : Σ_x D(x)a(x)·((1−p(x))/u_max)^{k−1} < 0}   [D, PAPER.md §4]
 *
 * The sums run over the prompts in order for four k per pass (four independent additions, so a
 * pass is not bound by one addition chain), the powers advancing by repeated multiplication.
 */
export function kStarExactUnchecked(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
  kMax: number,
  scratch: KStarScratch = kStarScratch(p.length),
): number | null {
  const { coef, ratio, out } = scratch;
  const n =
    mass instanceof Float64Array && p instanceof Float64Array && a instanceof Float64Array
      ? gatherActiveF64(mass, p, a, coef, ratio, out)
      : gatherActive(mass, p, a, coef, ratio, out);
  return kStarScanUnchecked(scratch, n, kMax);
}

/**
 * The scan of {@link kStarExactUnchecked} after its gather, for a caller that packed the active
 * prompts itself (lib/sim/trainingStep2.ts, in its a(x) pass): scratch.coef[0..n) = D·a ≠ 0 and
 * scratch.ratio[0..n) = 1 − p in prompt order, scratch.out = [u_max = max ratio (≥ 0), 1 if some
 * coef < 0 else 0]. Same operations, same result.
 */
export function kStarScanUnchecked(scratch: KStarScratch, n: number, kMax: number): number | null {
  const { coef, ratio, pow, out } = scratch;
  const uMax = out[0];
  if (out[1] === 0) return null; // no D·a < 0
  // scanFirst divides 1 − p by u_max as it reads it (u_max = 0: every active ratio is 0)
  if (uMax === 0) ratio.fill(0, 0, n);
  const scale = uMax === 0 ? 1 : uMax;
  for (let k0 = 1; k0 <= kMax; k0 += 4) {
    if (k0 === 1) scanFirst(coef, ratio, pow, n, out, scale);
    else scanNext(coef, ratio, pow, n, out);
    if (out[0] < 0) return k0;
    if (k0 === 1 && uMax === 0) return null; // every active p = 1: w_k = 0 for all k ≥ 2
    for (let t = 1; t < 4; t++) {
      if (k0 + t > kMax) return null;
      if (out[t] < 0) return k0 + t;
    }
  }
  return null;
}

// The scan's loops have no branch that runs only on some calls: V8 kept deoptimising one loop
// with `first ? 1 : pow[i]` in training runs, where k* ≤ 4 made the branch rare (bench/RESULTS.md).

/**
 * Packs the active prompts (D(x)·a(x) ≠ 0; the others never contribute) to the front: coef = D·a,
 * ratio = 1 − p (scanFirst divides it by u_max, the largest 1 − p among them). Returns their
 * number; out = [u_max, 1 if some coef < 0 else 0].
 */
function gatherActive(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
  coef: Float64Array,
  ratio: Float64Array,
  out: Float64Array,
): number {
  let n = 0;
  let anyNegative = 0;
  let uMax = 0;
  for (let i = 0; i < p.length; i++) {
    const c = mass[i] * a[i];
    if (c === 0) continue;
    const u = 1 - p[i];
    coef[n] = c;
    ratio[n] = u;
    n++;
    if (c < 0) anyNegative = 1;
    if (u > uMax) uMax = u;
  }
  out[0] = uMax;
  out[1] = anyNegative;
  return n;
}

/** {@link gatherActive} for Float64Arrays (train's records), a copy with its own type feedback. */
function gatherActiveF64(
  mass: Float64Array,
  p: Float64Array,
  a: Float64Array,
  coef: Float64Array,
  ratio: Float64Array,
  out: Float64Array,
): number {
  let n = 0;
  let anyNegative = 0;
  let uMax = 0;
  for (let i = 0; i < p.length; i++) {
    const c = mass[i] * a[i];
    if (c === 0) continue;
    const u = 1 - p[i];
    coef[n] = c;
    ratio[n] = u;
    n++;
    if (c < 0) anyNegative = 1;
    if (u > uMax) uMax = u;
  }
  out[0] = uMax;
  out[1] = anyNegative;
  return n;
}

/**
 * ratio_i ← ratio_i/scale, then out[t] = Σ_i coef_i·ratio_i^t for t < 4 (the first pass: pow = 1);
 * pow ← ratio⁴.
 */
function scanFirst(
  coef: Float64Array,
  ratio: Float64Array,
  pow: Float64Array,
  n: number,
  out: Float64Array,
  scale: number,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < n; i++) {
    const c = coef[i];
    const r = ratio[i] / scale;
    ratio[i] = r;
    s0 += c; // c·1
    let q = r; // 1·r
    s1 += c * q;
    q *= r;
    s2 += c * q;
    q *= r;
    s3 += c * q;
    pow[i] = q * r;
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/** out[t] = Σ_i coef_i·pow_i·ratio_i^t for t < 4; pow advances by ratio⁴. */
function scanNext(
  coef: Float64Array,
  ratio: Float64Array,
  pow: Float64Array,
  n: number,
  out: Float64Array,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < n; i++) {
    const c = coef[i];
    const r = ratio[i];
    let q = pow[i];
    s0 += c * q;
    q *= r;
    s1 += c * q;
    q *= r;
    s2 += c * q;
    q *= r;
    s3 += c * q;
    pow[i] = q * r;
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/** The two-group model of PAPER.md §4: an easy and a hard group of prompts. */
export interface TwoGroupModel {
  /** Mass π_e of the easy group. */
  piE: number;
  /** Pass@1 p_e of the easy group. */
  pE: number;
  /** Mean agreement a_e > 0 of the easy group. */
  aE: number;
  /** Mass π_h of the hard group. */
  piH: number;
  /** Pass@1 p_h < p_e of the hard group. */
  pH: number;
  /** Mean agreement a_h < 0 of the hard group. */
  aH: number;
}

/**
 * The real-valued conflict threshold of the two-group model.
 *
 * ⟨∇J_k, ∇J_1⟩ = k[π_e a_e (1−p_e)^{k−1} + π_h a_h (1−p_h)^{k−1}] < 0  ⇔  k > k*,
 * k* = 1 + ln(π_e a_e / (π_h |a_h|)) / ln((1−p_h)/(1−p_e))   [D, PAPER.md §4; claim 4]
 *
 * Requires π_e, π_h > 0, 0 ≤ p_h < p_e ≤ 1, a_e > 0 > a_h. The first conflicting integer
 * is ⌊k*⌋ + 1. p_e = 1 gives k* = 1 (every k ≥ 2 conflicts). k* < 1 means even k = 1
 * conflicts, impossible for agreements computed from one population (E[a] = ‖∇J_1‖² ≥ 0).
 *
 * @example twoGroupKStar({ piE: 0.7, pE: 0.8, aE: 0.628, piH: 0.3, pH: 0.1, aH: -0.132 }) // =>
 * 2.600340587145376
 */
export function twoGroupKStar(g: TwoGroupModel): number {
  const where = "twoGroupKStar";
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
  if (!(checkFinite(where, "g.aE", g.aE) > 0))
    throw new RangeError(`${where}: g.aE must be > 0, got ${g.aE}`);
  if (!(checkFinite(where, "g.aH", g.aH) < 0))
    throw new RangeError(`${where}: g.aH must be < 0, got ${g.aH}`);
  return 1 + Math.log((g.piE * g.aE) / (g.piH * -g.aH)) / Math.log((1 - g.pH) / (1 - g.pE));
}

/** The pieces of the general sufficient bound (see {@link generalBound}). */
export interface GeneralBoundParts {
  /** A₊ = E[a·1{a > 0}]. */
  aPlus: number;
  /** A₋ = −E[a·1{a < 0}] > 0. */
  aMinus: number;
  /** p_N = max p over negatively interfering prompts. */
  pN: number;
  /** p_P = min p over positively interfering prompts. */
  pP: number;
  /** The bound B: every integer k > B conflicts. */
  bound: number;
}

/**
 * The general sufficient bound with its ingredients, or null when it does not apply.
 *
 * With N = {a < 0}, P = {a > 0}, A₊ = E[a 1_P], A₋ = −E[a 1_N], p_N = max_N p < p_P = min_P p:
 *   ⟨∇J_k, ∇J_1⟩ ≤ k[(1−p_P)^{k−1} A₊ − (1−p_N)^{k−1} A₋] < 0 for every k > B,
 *   B = 1 + ln(A₊/A₋) / ln((1−p_N)/(1−p_P))   [D, PAPER.md §4; claim 5]
 *
 * Only prompts with D(x) > 0 and a(x) ≠ 0 enter: prompts with a = 0 contribute nothing to
 * E[w_k a], so leaving them out of P (PAPER.md writes P = {a ≥ 0}) keeps the bound valid and
 * stops an unsolvable prompt (p = 0, ∇p = 0) from forcing p_P = 0. null when no prompt has
 * a < 0 or when p_N ≥ p_P. A₊ = 0 gives B = −∞ (every k conflicts).
 */
export function generalBoundParts(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
): GeneralBoundParts | null {
  return generalBoundIn("generalBoundParts", mass, p, a);
}

function generalBoundIn(
  where: string,
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
): GeneralBoundParts | null {
  checkAgreement(where, mass, p, a);
  let aPlus = 0;
  let aMinus = 0;
  let pN = -Infinity;
  let pP = Infinity;
  for (let i = 0; i < p.length; i++) {
    if (mass[i] === 0 || a[i] === 0) continue;
    if (a[i] < 0) {
      aMinus -= mass[i] * a[i];
      if (p[i] > pN) pN = p[i];
    } else {
      aPlus += mass[i] * a[i];
      if (p[i] < pP) pP = p[i];
    }
  }
  if (!(aMinus > 0) || !(pN < pP)) return null;
  // pP = ∞ (no a > 0) means A₊ = 0 and B = −∞; pP = 1 gives ln(∞) = ∞ and B = 1.
  const bound =
    aPlus === 0 ? -Infinity : 1 + Math.log(aPlus / aMinus) / Math.log((1 - pN) / (1 - pP));
  return { aPlus, aMinus, pN, pP, bound };
}

/**
 * The general sufficient conflict bound B of PAPER.md §4 (see {@link generalBoundParts}):
 * every integer k > B has ⟨∇J_k, ∇J_1⟩ < 0, so k*_exact ≤ ⌊B⌋ + 1 (claim 5: the bound is
 * conservative). null when it does not apply (no a < 0, or p_N ≥ p_P).
 * For two groups it reproduces {@link twoGroupKStar} exactly.
 *
 * @example generalBound([0.7, 0.3], [0.8, 0.1], [0.628, -0.132]) // => 2.600340587145376 (=
 * twoGroupKStar)
 */
export function generalBound(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
): number | null {
  const parts = generalBoundIn("generalBound", mass, p, a);
  return parts === null ? null : parts.bound;
}

/**
 * The worked two-group example of PAPER.md §4 as a Population: π_e = 0.7, p_e = 0.8,
 * ∇p_e = (1, 0.3); π_h = 0.3, p_h = 0.1, ∇p_h = (−0.6, 0.5). Then ∇J_1 = (0.52, 0.36),
 * a_e = 0.628, a_h = −0.132, k* = 2.60, first conflicting integer k = 3.
 */
export function workedExamplePopulation(): Population {
  return {
    N: 2,
    d: 2,
    mass: Float64Array.of(0.7, 0.3),
    p: Float64Array.of(0.8, 0.1),
    gradP: Float64Array.of(1, 0.3, -0.6, 0.5),
  };
}
