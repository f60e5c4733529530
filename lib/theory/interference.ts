/**
 * Prompt interference: the kernel κ, agreement scores a(x), the pass@k and pass@1
 * gradients, and the conflict ⟨∇J_k, ∇J_1⟩ over a grid of k (PAPER.md §2–4; notebooks 03 and 04).
 *
 * Input is a `Population` (lib/core/types.ts): masses D(x), pass@1 values p(x) and the
 * per-prompt gradients ∇p(x) as an N × d row-major matrix. Everything except
 * {@link interferenceKernel} is O(N·d) per k and never forms an N × N matrix.
 */
import type { Population } from "../core/types";
import { checkMassAndP, promptWeightUnchecked } from "./passAtK";
import { conflictChunk, gradJ1Blocked } from "./conflictWeights";
import { gradJkOnePass2 } from "./gradJkOnePass";
import { checkFiniteArray, checkInteger, checkKGrid, checkLength } from "../core/validate";
import { blockUpdate, type BlockKernel } from "../core/kernels/blockUpdate";

/**
 * A module-local binding of promptWeightUnchecked, called per prompt in the loops below:
 * through tsx's CommonJS interop every call of an imported function goes through a getter
 * that V8 did not inline (~15 % of a toy step's time; bench/RESULTS.md, issue 17).
 */
const weightOf = promptWeightUnchecked;

/**
 * Checks a Population: N, d integers ≥ 1; mass a distribution and p ∈ [0,1], both of
 * length N; gradP finite with N·d entries. Throws TypeError/RangeError naming `where`.
 */
export function checkPopulation(where: string, pop: Population): void {
  checkPopulationShape(where, pop, true);
}

/**
 * {@link checkPopulation}, with the pass over gradP for finiteness left to the caller when
 * `finite` is false (conflictProfile folds it into its ∇J_1 pass).
 */
function checkPopulationShape(where: string, pop: Population, finite: boolean): void {
  if (pop == null || typeof pop !== "object")
    throw new TypeError(`${where}: pop must be a Population object, got ${String(pop)}`);
  checkInteger(where, "pop.N", pop.N, 1);
  checkInteger(where, "pop.d", pop.d, 1);
  checkLength(where, "pop.p", pop.p, pop.N, "pop.N");
  checkMassAndP(where, pop.mass, pop.p);
  if (finite) checkFiniteArray(where, "pop.gradP", pop.gradP);
  else if (!(pop.gradP instanceof Float64Array)) checkFiniteArray(where, "pop.gradP", pop.gradP);
  checkLength(where, "pop.gradP", pop.gradP, pop.N * pop.d, "pop.N × pop.d");
}

function checkVector(
  where: string,
  name: string,
  v: ArrayLike<number>,
  d: number,
  against: string,
): void {
  checkFiniteArray(where, name, v);
  checkLength(where, name, v, d, against);
}

/**
 * {@link weightedGradient} without argument checks, for callers that validated `pop` and `coef`.
 */
export function weightedGradientUnchecked(pop: Population, coef: ArrayLike<number>): Float64Array {
  const { N, d, gradP } = pop;
  const out = new Float64Array(d);
  for (let i = 0; i < N; i++) {
    const c = coef[i];
    if (c === 0) continue;
    const base = i * d;
    for (let j = 0; j < d; j++) out[j] += c * gradP[base + j];
  }
  return out;
}

/** {@link agreementScores} without argument checks: ⟨∇p(x), g1⟩ for every prompt. */
export function agreementScoresUnchecked(pop: Population, g1: ArrayLike<number>): Float64Array {
  const { N, d, gradP } = pop;
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const base = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += gradP[base + j] * g1[j];
    out[i] = s;
  }
  return out;
}

/**
 * A weighted sum of the per-prompt gradients, the form of every gradient in this library.
 *
 * g = Σ_x coef(x) ∇p(x)   (coef = mass·w_k gives ∇J_k)   [D]
 *
 * @example weightedGradient(workedExamplePopulation(), [0.7, 0.3]) // => Float64Array [0.52, 0.36]
 * (= ∇J_1)
 */
export function weightedGradient(pop: Population, coef: ArrayLike<number>): Float64Array {
  checkPopulation("weightedGradient", pop);
  checkVector("weightedGradient", "coef", coef, pop.N, "pop.N");
  return weightedGradientUnchecked(pop, coef);
}

/**
 * Gradient of population pass@1.
 *
 * ∇J_1 = E_x[∇p(x)] = Σ_x D(x)∇p(x)   [P, PAPER.md §1]
 *
 * @example gradJ1(workedExamplePopulation()) // => Float64Array [0.52, 0.36]  (PAPER.md §4
 * two-group example)
 */
export function gradJ1(pop: Population): Float64Array {
  checkPopulation("gradJ1", pop);
  return weightedGradientUnchecked(pop, pop.mass);
}

/**
 * Gradient of population pass@k: pass@1's gradient with each prompt reweighted by w_k.
 *
 * ∇J_k = E_x[w_k(p(x)) ∇p(x)],  w_k(p) = k(1 − p)^{k−1}   [P, PAPER.md §2]
 *
 * k = 1 gives ∇J_1. Checked against central finite differences of J_k in tests (claim 1).
 *
 * @example gradJk(workedExamplePopulation(), 3) // => Float64Array [-0.3534, 0.3897]
 */
export function gradJk(pop: Population, k: number): Float64Array {
  const fast = gradJkOnePass2(pop, k); // d = 2, checks folded into the pass; null: check below
  if (fast !== null) return fast;
  checkPopulation("gradJk", pop);
  checkInteger("gradJk", "k", k);
  return gradJkUnchecked(pop, k);
}

/**
 * {@link gradJk} without argument checks: one pass, each prompt's coefficient D(x)·w_k(p(x))
 * added as soon as it is computed (no N-length coefficient array). The same operations in the
 * same order as `weightedGradientUnchecked(pop, mass·w_k)`, so the same bits.
 */
export function gradJkUnchecked(pop: Population, k: number): Float64Array {
  const { N, d, mass, p, gradP } = pop;
  const out = new Float64Array(d);
  if (d === 2) {
    // two scalar accumulators instead of a length-2 inner loop (same sums, same order)
    let s0 = 0;
    let s1 = 0;
    for (let i = 0; i < N; i++) {
      const c = mass[i] * weightOf(p[i], k);
      if (c === 0) continue;
      s0 += c * gradP[2 * i];
      s1 += c * gradP[2 * i + 1];
    }
    out[0] = s0;
    out[1] = s1;
    return out;
  }
  for (let i = 0; i < N; i++) {
    const c = mass[i] * weightOf(p[i], k);
    if (c === 0) continue;
    const base = i * d;
    for (let j = 0; j < d; j++) out[j] += c * gradP[base + j];
  }
  return out;
}

/**
 * Agreement scores: how much a step on prompt x alone moves population pass@1.
 *
 * a(x) = ⟨∇p(x), ∇J_1⟩ = E_{x'}[κ(x, x')]   [name P, formula D, PAPER.md §3]
 *
 * a(x) < 0 marks a negatively interfering prompt. O(N·d): one pass for ∇J_1 (skipped
 * when `g1` is passed in) and one for the dot products — κ is never formed.
 *
 * @example agreementScores(workedExamplePopulation()) // => Float64Array [0.628, -0.132]
 */
export function agreementScores(pop: Population, g1?: Float64Array): Float64Array {
  checkPopulation("agreementScores", pop);
  if (g1 !== undefined) checkVector("agreementScores", "g1", g1, pop.d, "pop.d");
  return agreementScoresUnchecked(pop, g1 ?? weightedGradientUnchecked(pop, pop.mass));
}

/**
 * Largest N for which {@link interferenceKernel} builds the N × N matrix (4096² doubles = 128 MiB).
 */
export const KERNEL_MAX_N = 4096;

/**
 * The interference kernel: the first-order effect on p(x) of a step on prompt x'.
 *
 * κ(x, x') = E_{y,y'}[r(x,y) r(x',y') ⟨s(x,y), s(x',y')⟩] = ⟨∇p(x), ∇p(x')⟩   [P, PAPER.md §3, Eq.
 * 5]
 *
 * Returned as an N × N row-major symmetric matrix — small populations only: N > KERNEL_MAX_N
 * throws a RangeError (use {@link agreementScores} for a(x) = Σ_x' D(x')κ(x, x')). O(N²·d).
 *
 * @example interferenceKernel(workedExamplePopulation()) // => Float64Array [1.09, -0.45, -0.45,
 * 0.61] (to rounding)
 */
export function interferenceKernel(pop: Population): Float64Array {
  checkPopulation("interferenceKernel", pop);
  const { N, d, gradP } = pop;
  if (N > KERNEL_MAX_N) {
    throw new RangeError(
      `interferenceKernel: pop.N must be ≤ ${KERNEL_MAX_N} for the full N × N kernel, got ${N}; use agreementScores`,
    );
  }
  const kappa = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    const bi = i * d;
    for (let l = i; l < N; l++) {
      const bl = l * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += gradP[bi + j] * gradP[bl + j];
      kappa[i * N + l] = s;
      kappa[l * N + i] = s;
    }
  }
  return kappa;
}

/**
 * Everything about the pass@k / pass@1 conflict over a grid of k, from one pass over the
 * prompts. Arrays are indexed like `k` (the grid as given).
 */
export interface ConflictProfile {
  /** The grid of k, as given. */
  k: Float64Array;
  /** J_k = E[1 − (1 − p)^k]. */
  passAtK: Float64Array;
  /** ⟨∇J_k, ∇J_1⟩ = E[w_k a]; negative ⇔ pass@k ascent lowers pass@1 to first order. */
  innerProduct: Float64Array;
  /** ‖∇J_k‖. */
  normGradJk: Float64Array;
  /** ‖∇J_1‖. */
  normGradJ1: number;
  /** ∇J_1 (length d), computed on the way. */
  gradJ1: Float64Array;
  /** Agreement scores a(x) = ⟨∇p(x), ∇J_1⟩ (length N), computed on the way. */
  agreement: Float64Array;
  /** cos∠(∇J_k, ∇J_1) = E[w_k a]/(‖∇J_k‖‖∇J_1‖); NaN when either gradient is 0. */
  cosine: Float64Array;
  /** Z_k = E[w_k(p)]. */
  meanWeight: Float64Array;
  /** Cov_D(w_k(p), a) = E[w_k a] − E[w_k]E[a] (E[a] = ‖∇J_1‖²). */
  covariance: Float64Array;
  /**
   * q_k({a < 0}) = E[w_k 1{a<0}]/Z_k, the pass@k weight on negatively interfering prompts; NaN when
   * Z_k = 0.
   */
  negativeAgreementWeight: Float64Array;
}

/** Options of {@link conflictProfile}. */
export interface ConflictProfileOptions {
  /**
   * The kernel that accumulates ∇J_k for all k (lib/core/kernels/blockUpdate.ts): "wasm"
   * (WebAssembly SIMD) or "js". Both give bit-identical results; the default is wasm where the
   * runtime supports it. For tests and benchmarks.
   */
  kernel?: BlockKernel;
}

/**
 * The conflict profile over a grid of k: J_k, ⟨∇J_k,∇J_1⟩, ‖∇J_k‖, cosines, Z_k = E[w_k],
 * Cov(w_k, a) and q_k's mass on {a < 0} — plus ∇J_1 and a(x) themselves — from two passes over
 * the prompts (one for ∇J_1).
 *
 *   ⟨∇J_k, ∇J_1⟩ = E[w_k a] = Z_k E_{q_k}[a] = Z_k ‖∇J_1‖² + Cov(w_k, a)   [D, PAPER.md §4]
 *
 * Per prompt, all w_k on the (sorted) grid come from repeated multiplication by (1 − p)
 * (one exp per gap > 8); rows are then added, four prompts at a time, into the K × d block of
 * ∇J_k — K·d doubles, cache-resident — by the WebAssembly SIMD kernel of
 * lib/core/kernels/blockUpdate.ts where the runtime has it, else by the JS kernel (same bits either
 * way; `opts.kernel` picks one). Cost O(N·d·K). The grid may be in any order and repeat.
 *
 * @example conflictProfile(workedExamplePopulation(), [1, 2, 3]).innerProduct // => Float64Array
 * [0.4, 0.10456, -0.043476] (to rounding)
 */
export function conflictProfile(
  pop: Population,
  ks: ArrayLike<number>,
  opts: ConflictProfileOptions = {},
): ConflictProfile {
  checkPopulationShape("conflictProfile", pop, false);
  checkKGrid("conflictProfile", "ks", ks);
  const { N, d, mass, p, gradP } = pop;
  const K = ks.length;
  const order = Array.from({ length: K }, (_, s) => s).sort((x, y) => ks[x] - ks[y]);
  const sortedK = order.map((s) => ks[s]);

  // ∇J_1 (the bits of weightedGradientUnchecked) and, on the same read of ∇p, the finiteness
  // check: a non-finite entry of a row with D(x) > 0 makes ∇J_1 non-finite. Only then, or when
  // some rows were skipped (D(x) = 0), the full check runs — and throws naming the entry —
  // before any other work.
  const { g1, skipped } = gradJ1Blocked(pop);
  let finite = true;
  for (let j = 0; j < d; j++) if (!Number.isFinite(g1[j])) finite = false;
  if (!finite || skipped > 0) checkFiniteArray("conflictProfile", "pop.gradP", gradP);

  const J = new Float64Array(K);
  const inner = new Float64Array(K);
  const Z = new Float64Array(K);
  const negW = new Float64Array(K);
  // G (row s = ∇J_k for k = sortedK[s]) accumulates chunk by chunk; coef holds the chunk's
  // D(x)·w_k(p(x)).
  const update = blockUpdate(d, K, opts.kernel, "conflictProfile");
  const { coef, chunk } = update;
  const a = new Float64Array(N);
  let meanA = 0;

  const acc = { J, Z, inner, negW };
  let smallGaps = true;
  for (let s = 0, kPrev = 1; s < K; kPrev = sortedK[s++])
    if (sortedK[s] - kPrev > 8) smallGaps = false;
  for (let i0 = 0; i0 < N; i0 += chunk) {
    const rows = Math.min(chunk, N - i0);
    const R = update.rows(gradP, i0, rows);
    // a(x) = ⟨∇p(x), ∇J_1⟩ here rather than in a separate pass: the row is about to be added
    // into G, so it is read from cache once instead of from memory twice.
    meanA = conflictChunk({ R, i0, rows, d, mass, p, g1, sortedK, smallGaps }, a, coef, acc, meanA);
    update.add(R, rows);
  }
  const G = update.G;

  let n1sq = 0;
  for (let j = 0; j < d; j++) n1sq += g1[j] * g1[j];
  const normGradJ1 = Math.sqrt(n1sq);

  const profile: ConflictProfile = {
    k: Float64Array.from(ks),
    passAtK: new Float64Array(K),
    innerProduct: new Float64Array(K),
    normGradJk: new Float64Array(K),
    normGradJ1,
    gradJ1: g1,
    agreement: a,
    cosine: new Float64Array(K),
    meanWeight: new Float64Array(K),
    covariance: new Float64Array(K),
    negativeAgreementWeight: new Float64Array(K),
  };
  for (let s = 0; s < K; s++) {
    const out = order[s];
    let nk = 0;
    for (let j = 0; j < d; j++) nk += G[s * d + j] * G[s * d + j];
    const normK = Math.sqrt(nk);
    profile.passAtK[out] = J[s];
    profile.innerProduct[out] = inner[s];
    profile.normGradJk[out] = normK;
    profile.cosine[out] = normK > 0 && normGradJ1 > 0 ? inner[s] / (normK * normGradJ1) : NaN;
    profile.meanWeight[out] = Z[s];
    profile.covariance[out] = inner[s] - Z[s] * meanA;
    profile.negativeAgreementWeight[out] = Z[s] > 0 ? negW[s] / Z[s] : NaN;
  }
  return profile;
}

/**
 * The pass@k / pass@1 inner product from agreement scores alone, without gradients.
 *
 * ⟨∇J_k, ∇J_1⟩ = E_x[w_k(p(x)) a(x)]   [D, PAPER.md §4]
 *
 * Follows from ∇J_k = E[w_k ∇p] and a(x) = ⟨∇p(x), ∇J_1⟩. k = 1 gives E[a] = ‖∇J_1‖² ≥ 0.
 *
 * @example innerProductFromAgreement([0.7, 0.3], [0.8, 0.1], [0.628, -0.132], 3) // => -0.043476
 * (to rounding)
 */
export function innerProductFromAgreement(
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  a: ArrayLike<number>,
  k: number,
): number {
  checkMassAndP("innerProductFromAgreement", mass, p);
  checkVector("innerProductFromAgreement", "a", a, p.length, "p");
  checkInteger("innerProductFromAgreement", "k", k);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += mass[i] * weightOf(p[i], k) * a[i];
  return s;
}
