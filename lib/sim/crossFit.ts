/**
 * Cross-fitted estimates of the conflict quantities from one batch of sampled responses: each
 * prompt's samples split into two independent halves, so inner products of the halves' gradient
 * estimates are unbiased [D] (PAPER.md §7; notebook 06).
 */
import type { Policy, ResponseBatch } from "./policies";
import { checkKGrid, show } from "../core/validate";
import { checkBatch, coefScratch, sampleCoefficients, weightTable } from "./sampledGradients";

/**
 * Cross-fitted estimates of the conflict quantities from one batch (see {@link crossFitConflict}).
 */
export interface CrossFitEstimate {
  /** The grid of k. */
  ks: number[];
  /** Unbiased estimate of ⟨∇J_k, ∇J_1⟩ per k: ½(⟨Ĥ_k^A, Ĝ^B⟩ + ⟨Ĥ_k^B, Ĝ^A⟩). */
  innerProduct: Float64Array;
  /**
   * The same-sample estimate ⟨Ĥ_k, Ĝ⟩ from all n responses — biased, kept for comparison (NaN
   * when not asked for: `sameSample: false`).
   */
  sameSampleInnerProduct: Float64Array;
  /** Unbiased estimate of ‖∇J_k‖² per k: ⟨Ĥ_k^A, Ĥ_k^B⟩ (may be negative). */
  normGradJkSq: Float64Array;
  /** Unbiased estimate of ‖∇J_1‖²: ⟨Ĝ^A, Ĝ^B⟩ (may be negative). */
  normGradJ1Sq: number;
  /**
   * innerProduct / sqrt(normGradJkSq · normGradJ1Sq); NaN when a norm estimate is ≤ 0. Not
   * unbiased.
   */
  cosine: Float64Array;
  /**
   * Unbiased per-prompt agreement scores â(x) = ½(⟨∇̂p^A(x), Ĝ^B⟩ + ⟨∇̂p^B(x), Ĝ^A⟩) (when asked
   * for).
   */
  agreement?: Float64Array;
  /** p̂(x) = c_x / n from all n responses. */
  pHat: Float64Array;
}

/**
 * Cross-fitted estimates of ⟨∇J_k, ∇J_1⟩, ‖∇J_k‖², ‖∇J_1‖² and agreement scores a(x).
 *
 * Split each prompt's n responses into halves A (first ⌊n/2⌋) and B (the rest). Ĥ_k^A is the
 * PKPO estimate of ∇J_k from the A halves, Ĝ^B the REINFORCE estimate of ∇J_1 from the B halves.
 * The halves are independent, so E⟨Ĥ_k^A, Ĝ^B⟩ = ⟨E Ĥ_k^A, E Ĝ^B⟩ = ⟨∇J_k, ∇J_1⟩   [D, PAPER.md §7]
 * and averaging with the swapped pair keeps it unbiased. The same-sample ⟨Ĥ_k, Ĝ⟩ is biased:
 * E⟨Ĥ_k, Ĝ⟩ = ⟨∇J_k, ∇J_1⟩ + Σ_x D(x)² tr Cov(ĥ_k(x), ĝ(x)) (each prompt paired with itself).
 * Likewise â(x) pairs ∇̂p^A(x) (prompt x's A half) with Ĝ^B (everyone's B halves).
 * Needs k ≤ ⌊n/2⌋ for every k in the grid (PKPO needs k samples per half).
 * `sameSample: false` skips the same-sample estimates (1 + |ks| of the 3 + 3|ks| passes over the
 * batch) for callers that read only the cross-fitted ones; the other fields are unchanged.
 * Memory O(N·d) (two N × d row blocks when agreement scores are asked for); no N × N matrix.
 *
 * @example crossFitConflict(policy, policy.sample(theta, rng, 16), [1, 2, 4]).innerProduct // =>
 * unbiased ⟨∇J_k,∇J_1⟩ estimates
 */
export function crossFitConflict(
  policy: Policy,
  batch: ResponseBatch,
  ks: ArrayLike<number>,
  opts: { estimator?: "pkpo" | "pkpoLooMinusOne"; agreement?: boolean; sameSample?: boolean } = {},
): CrossFitEstimate {
  const where = "crossFitConflict";
  checkBatch(where, policy, batch);
  checkKGrid(where, "ks", ks);
  const estimator = opts.estimator ?? "pkpoLooMinusOne";
  if (estimator !== "pkpo" && estimator !== "pkpoLooMinusOne") {
    throw new RangeError(
      `${where}: opts.estimator must be "pkpo" or "pkpoLooMinusOne", got ${show(estimator)}`,
    );
  }
  const n = batch.n;
  const h = Math.floor(n / 2);
  for (let i = 0; i < ks.length; i++) {
    if (ks[i] > h)
      throw new RangeError(
        `${where}: ks[${i}] must be ≤ ⌊n/2⌋ = ${h} (each half needs k samples), got ${ks[i]}`,
      );
  }
  const { N, d, mass } = policy;
  const coef = coefScratch(policy);
  const dot = (u: Float64Array, v: Float64Array): number => {
    let s = 0;
    for (let j = 0; j < u.length; j++) s += u[j] * v[j];
    return s;
  };
  const halves = [
    [0, h],
    [h, n],
  ] as const;
  const reinforceTables = halves.map(([j0, j1]) => weightTable("reinforce", j1 - j0, 1));
  let G: Float64Array[];
  let rows: Float64Array[] | undefined;
  if (opts.agreement) {
    // per-prompt ∇̂p rows of each half; Ĝ = Σ_x D(x) row_x
    rows = halves.map(([j0, j1], i) => {
      sampleCoefficients(policy, batch, j0, j1, reinforceTables[i], false, coef);
      return policy.scoreRows(batch.probs, coef);
    });
    G = rows.map((r) => {
      const g = new Float64Array(d);
      for (let x = 0; x < N; x++) for (let j = 0; j < d; j++) g[j] += mass[x] * r[x * d + j];
      return g;
    });
  } else {
    G = halves.map(([j0, j1], i) => {
      sampleCoefficients(policy, batch, j0, j1, reinforceTables[i], true, coef);
      return policy.scoreSum(batch.probs, coef);
    });
  }
  const sameSample = opts.sameSample ?? true;
  let gFull: Float64Array | undefined;
  if (sameSample) {
    sampleCoefficients(policy, batch, 0, n, weightTable("reinforce", n, 1), true, coef);
    gFull = policy.scoreSum(batch.probs, coef);
  }
  const K = ks.length;
  const innerProduct = new Float64Array(K);
  const sameSampleInnerProduct = new Float64Array(K);
  const normGradJkSq = new Float64Array(K);
  const cosine = new Float64Array(K);
  const normGradJ1Sq = dot(G[0], G[1]);
  for (let s = 0; s < K; s++) {
    const k = ks[s];
    const H = halves.map(([j0, j1]) => {
      sampleCoefficients(policy, batch, j0, j1, weightTable(estimator, j1 - j0, k), true, coef);
      return policy.scoreSum(batch.probs, coef);
    });
    innerProduct[s] = 0.5 * (dot(H[0], G[1]) + dot(H[1], G[0]));
    normGradJkSq[s] = dot(H[0], H[1]);
    cosine[s] =
      normGradJkSq[s] > 0 && normGradJ1Sq > 0
        ? innerProduct[s] / Math.sqrt(normGradJkSq[s] * normGradJ1Sq)
        : NaN;
    if (gFull === undefined) {
      sameSampleInnerProduct[s] = NaN;
      continue;
    }
    sampleCoefficients(policy, batch, 0, n, weightTable(estimator, n, k), true, coef);
    sameSampleInnerProduct[s] = dot(policy.scoreSum(batch.probs, coef), gFull);
  }
  const pHat = new Float64Array(N);
  for (let x = 0; x < N; x++) {
    let c = 0;
    for (let j = 0; j < n; j++) c += batch.correct[x * n + j];
    pHat[x] = c / n;
  }
  const result: CrossFitEstimate = {
    ks: Array.from(ks),
    innerProduct,
    sameSampleInnerProduct,
    normGradJkSq,
    normGradJ1Sq,
    cosine,
    pHat,
  };
  if (rows !== undefined) {
    const agreement = new Float64Array(N);
    for (let x = 0; x < N; x++) {
      let sA = 0;
      let sB = 0;
      for (let j = 0; j < d; j++) {
        sA += rows[0][x * d + j] * G[1][j];
        sB += rows[1][x * d + j] * G[0][j];
      }
      agreement[x] = 0.5 * (sA + sB);
    }
    result.agreement = agreement;
  }
  return result;
}
