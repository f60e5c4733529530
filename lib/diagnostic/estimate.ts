/**
 * The paper's LLM diagnostic from sampled responses (PAPER.md §7; issue 7; notebook 08).
 *
 * Input: per prompt x, n sampled responses with rewards r_j ∈ {0, 1} and (optionally) scores
 * s_j = ∇log π(y_j|x) — loaded by lib/diagnostic/read.ts. The population is the set of prompts in
 * the input with equal mass, so J_k = mean over prompts of pass@k(p(x)).
 *
 * Sufficient statistics [D]. Every gradient estimate used here is, per prompt and per half h of
 * its samples, a sum Σ_{j∈h} u(n_h, c_h, r_j) s_j whose per-sample weight depends on the sample
 * only through its reward r_j (REINFORCE: u = r_j/n_h; PKPO: u ∈ {s⁺, s⁻}(n_h, c_h, k)). So
 *
 *   Σ_{j∈h} u_j s_j = u⁺(n_h, c_h)·S⁺_h + u⁻(n_h, c_h)·S⁻_h,   S^±_h = Σ_{j∈h, r_j = 1 / 0} s_j,
 *
 * and (n, c, c_A, S⁺_A, S⁻_A, S⁺_B, S⁻_B) — O(d) numbers per prompt — determine every estimate
 * below, for every k. Prompts sharing (n, c_h) share the weights, so sums are first pooled over
 * such groups: one bootstrap replicate costs O(prompts·d + groups·d·K), not O(prompts·d·K).
 *
 * Estimators, per prompt with halves A (⌈n/2⌉ samples) and B (⌊n/2⌋), independent given x:
 * - pass@k: ρ(n, c, k) = 1 − C(n−c,k)/C(n,k) (Chen et al.; unbiased for k ≤ n) [PAPER.md §8];
 * - ĝ^h(x) = S⁺_h / n_h, REINFORCE, unbiased for ∇p(x) since E[r s] = ∇p [PAPER.md §1];
 * - Ĥ_k^h(x) = s⁺ S⁺_h with PKPO's "loo−1" weights s⁺ = C(n_h−c_h, k−1)/C(n_h, k) (k ≤ n_h),
 *   unbiased for ∇pass@k(x) = w_k(p)∇p(x) [§8]. They are PKPO's plain weights (k/n_h, and
 *   (k/n_h)ρ(n_h−1, c_h, k−1) on incorrect samples) minus a leave-one-out baseline; on the
 *   paper's toy (200 prompts, n = 16) the cross-fitted inner product's standard deviation was
 *   4–8× smaller with them at k = 2…8 (k = 1: identical, both are REINFORCE). S⁻ is kept in the
 *   statistics for estimators that need it but unused by these weights;
 * - Ĝ^h, Ĥ_k^h: means over prompts. Then, since halves A and B are independent,
 *     ⟨∇J_k, ∇J_1⟩ ≈ ½(⟨Ĥ_k^A, Ĝ^B⟩ + ⟨Ĥ_k^B, Ĝ^A⟩),  ‖∇J_k‖² ≈ ⟨Ĥ_k^A, Ĥ_k^B⟩,  ‖∇J_1‖² ≈ ⟨Ĝ^A,
 *     Ĝ^B⟩
 *   are unbiased [D] (the naive ⟨Ĥ, Ĝ⟩ on all samples is not: E⟨ĝ, ĝ⟩ = ‖∇p‖² + tr Cov ĝ);
 * - agreement â(x) = ½(⟨ĝ^A(x), Ĝ^B⟩ + ⟨ĝ^B(x), Ĝ^A⟩): unbiased for a(x) = ⟨∇p(x), ∇J_1⟩ [D]
 *   (ĝ^A(x) is independent of every ĝ^B, including x's own). Its sign is noisy, so the share of
 *   q_k on {â < 0} is a plug-in estimate: prompts with a(x) near 0 are misclassified at random,
 *   and prompts with no correct sample (c = 0, â = 0) are reported apart as "undetermined";
 * - ŵ_k(x) = k·C(n−c,k−1)/C(n,k−1), unbiased for w_k(p) (needs k−1 ≤ n);
 * - cosine = cross-fitted ⟨·,·⟩ / sqrt(product of cross-fitted squared norms): consistent, not
 *   unbiased, undefined (null) when a cross-fitted squared norm is ≤ 0 (signal below noise),
 *   and not clipped to [−1, 1].
 *
 * Prompts with too few samples [D, our choice]: pass@k at k uses the prompts with n ≥ k; the
 * gradient statistics at k use those with ⌊n/2⌋ ≥ k (k samples in each half), with ∇J_1 taken
 * over the same prompts. The others are excluded — never counted as solved — and counted per k
 * (`passAtKExcluded`, `gradientExcluded`). k* is scanned over k = 1 … kScanMax, the largest k
 * (up to the largest requested) that every prompt with n ≥ 2 supports, so the scan is over one
 * fixed population.
 *
 * Confidence intervals: percentile bootstrap over prompts (B replicates, seeded): each replicate
 * redraws the prompt set with replacement and recomputes everything from the same sufficient
 * statistics, so it carries both prompt and response-sampling noise. The intervals are for the
 * prompt distribution D the file's prompts were drawn from; when the prompts are the whole task,
 * they are wider than the response noise alone (notebook 08 shows both). A statistic undefined
 * in some replicates (a cosine, a share with Σŵ = 0) gets its interval from the others unless
 * more than 10% are undefined.
 */
import { dot, quantileSorted } from "../core/stats";
import {
  passAtKEstimate,
  pkpoLooMinusOneWeights,
  promptWeightEstimate,
} from "../theory/estimators";
import type { PromptStats, SampleData } from "./read";
import { createRng } from "../core/rng";
import { checkInteger, checkKGrid, show } from "../core/validate";

/** The k grid of the `analyze` command when none is given. */
export const DEFAULT_K_GRID: readonly number[] = Object.freeze([1, 2, 4, 8, 16, 32, 64]);

/** Options of {@link diagnose}. */
export interface DiagnosticOptions {
  /** Grid of k (integers ≥ 1, any order); default {@link DEFAULT_K_GRID}. */
  k?: ArrayLike<number>;
  /** Bootstrap replicates B (0 = no intervals); default 200. */
  bootstrap?: number;
  /** Seed of the bootstrap; default 0. */
  seed?: number;
  /** Confidence level of the percentile intervals, in (0, 1); default 0.95. */
  level?: number;
}

/** A percentile interval [lo, hi]. */
export type Interval = [number, number];

/** One prompt's estimates. */
export interface PromptEstimate {
  id: string;
  n: number;
  c: number;
  /** p̂ = c/n. */
  pHat: number;
  /** â(x) against ∇J_1 of all prompts with n ≥ 2; null without gradients or when n < 2. */
  agreement: number | null;
}

/** Everything the diagnostic reports. Arrays are aligned with `k`; null = not estimable. */
export interface DiagnosticResult {
  source: string;
  /** Number of prompts in the input. */
  prompts: number;
  /** Total samples Σ n. */
  samples: number;
  /** Gradient dimension (0 without gradients). */
  d: number;
  /** True when per-sample gradients were given. */
  gradients: boolean;
  /** The requested k grid (as given). */
  k: number[];
  /** Mean over prompts with n ≥ k of the unbiased pass@k estimator. */
  passAtK: (number | null)[];
  passAtKCI: (Interval | null)[];
  /** Prompts with n < k, left out of passAtK at that k. */
  passAtKExcluded: number[];
  /**
   * Prompts with ⌊n/2⌋ < k, left out of the gradient statistics at that k (all, without gradients).
   */
  gradientExcluded: number[];
  /** Cross-fitted ⟨∇J_k, ∇J_1⟩. */
  innerProduct: (number | null)[];
  innerProductCI: (Interval | null)[];
  /** Cross-fitted ‖∇J_k‖² (can be ≤ 0 when the gradient is below the sampling noise). */
  gradJkNormSq: (number | null)[];
  /** Cross-fitted cosine of ∇J_k and ∇J_1. */
  cosine: (number | null)[];
  /** Over the replicates where the cosine is defined; null when more than 10% are not. */
  cosineCI: (Interval | null)[];
  /** Share of q_k ∝ ŵ_k on prompts with c > 0 and â(x) < 0 (plug-in). */
  negativeAgreementWeight: (number | null)[];
  negativeAgreementWeightCI: (Interval | null)[];
  /**
   * Share of q_k on prompts with no correct sample (c = 0): ĝ(x) = 0 there, so the sign of a(x)
   * is not identified. These are the prompts pass@k weighs most (ŵ_k = k when c = 0).
   */
  undeterminedAgreementWeight: (number | null)[];
  /** Cross-fitted ‖∇J_1‖² over the prompts with n ≥ 2. */
  gradJ1NormSq: number | null;
  /** Smallest k in 1 … kScanMax with a negative cross-fitted inner product; null if none. */
  kStar: number | null;
  /** Percentile interval of the bootstrap k*; an end is null when it lies beyond kScanMax. */
  kStarCI: [number | null, number | null] | null;
  /** Largest k scanned for k* (0 when no gradient scan is possible). */
  kScanMax: number;
  /** The scan: k = 1 … kScanMax and the cross-fitted inner product at each. */
  scan: { k: number[]; innerProduct: number[]; innerProductCI: (Interval | null)[] };
  perPrompt: PromptEstimate[];
  bootstrap: number;
  seed: number;
  level: number;
  /** Plain-language notes about exclusions and suspicious input. */
  warnings: string[];
}

/** Prompts pooled by (n, c_h): the PKPO/REINFORCE weights of a half depend only on these. */
interface HalfGroups {
  /** Group of each gradient prompt (index into the arrays below). */
  of: Int32Array;
  /** n of the group's prompts (the inclusion rule is on n). */
  n: number[];
  /** Half size n_h and correct count c_h. */
  size: number[];
  correct: number[];
}

function halfGroups(prompts: PromptStats[], rows: number[], half: 0 | 1): HalfGroups {
  const key = new Map<string, number>();
  const g: HalfGroups = { of: new Int32Array(rows.length), n: [], size: [], correct: [] };
  rows.forEach((i, r) => {
    const st = prompts[i];
    const size = half === 0 ? Math.ceil(st.n / 2) : Math.floor(st.n / 2);
    const correct = half === 0 ? st.cA! : st.c - st.cA!;
    const id = `${st.n},${correct}`;
    let idx = key.get(id);
    if (idx === undefined) {
      idx = g.n.length;
      key.set(id, idx);
      g.n.push(st.n);
      g.size.push(size);
      g.correct.push(correct);
    }
    g.of[r] = idx;
  });
  return g;
}

/** Point estimates of one (re)sample of prompts. */
interface Estimates {
  passAtK: Float64Array;
  innerProduct: Float64Array;
  gradJkNormSq: Float64Array;
  cosine: Float64Array;
  negativeAgreementWeight: Float64Array;
  undeterminedAgreementWeight: Float64Array;
  gradJ1NormSq: number;
  scan: Float64Array;
  kStar: number; // Infinity when none
}

/** PKPO loo−1 weight s⁺ = C(n_h−c_h, k−1)/C(n_h, k) of each half group (NaN where n_h < k). */
function correctWeights(g: HalfGroups, k: number): Float64Array {
  return Float64Array.from(g.size, (size, t) =>
    size >= k ? pkpoLooMinusOneWeights(size, g.correct[t], k).correct : NaN,
  );
}

/**
 * The estimators of the module comment for prompt multiplicities ω (ω ≡ 1 for the point
 * estimate, multinomial counts in a bootstrap replicate).
 *
 * Notation for a population I (prompts with n ≥ minN): M = Σ_I ω_i, U^h = Σ_I ω_i S⁺_{h,i}/n_{h,i}
 * (= M·Ĝ^h), V^h_k = Σ_I ω_i s⁺_k(n_{h,i}, c_{h,i}) S⁺_{h,i} (= M·Ĥ^h_k). Then
 *   ⟨∇J_k, ∇J_1⟩ ≈ [½(⟨V^A_k, U^B⟩ + ⟨V^B_k, U^A⟩) − dup_k] / (M² − Σ_I ω_i(ω_i − 1)),
 * where dup_k removes the products between two copies of the same prompt, Σ ω_i(ω_i−1)·(that
 * prompt's within-prompt cross product). With ω ≡ 1 this is exactly ½(⟨Ĥ^A_k, Ĝ^B⟩ + ⟨Ĥ^B_k, Ĝ^A⟩).
 * In a bootstrap replicate, keeping the copy–copy products would bias the replicates upwards by
 * about (mean within-prompt product − estimate)/m, which is many times the estimate itself when
 * gradients are high-dimensional and noisy (seen on the tfjs stand-in policy: a 95% interval
 * lying entirely above the point estimate). Removing them makes E*[replicate] = estimate up to
 * O(1/m²).
 */
class Diagnostic {
  readonly d: number;
  /** Indices of prompts with n ≥ 2 and gradients (the rows of the gradient part). */
  readonly rows: number[];
  readonly A: HalfGroups;
  readonly B: HalfGroups;
  readonly kScanMax: number;
  /** n, c, ⌈n/2⌉, ⌊n/2⌋ and ⟨S⁺_A, S⁺_B⟩ of each row. */
  private readonly rowN: Int32Array;
  private readonly rowC: Int32Array;
  private readonly rowNA: Int32Array;
  private readonly rowNB: Int32Array;
  private readonly selfDot: Float64Array;
  /** [S⁺_A | S⁺_B] of each row, R × 2d contiguous (cache-friendly copy of the prompts' sums). */
  private readonly splus: Float64Array;
  /** ρ(n_i, c_i, k) per (k index, prompt), NaN when n < k. */
  private readonly rho: Float64Array[];
  /** ŵ_k(n_i, c_i) per (k index, row). */
  private readonly wHat: Float64Array[];
  /**
   * Number of rows with n ≥ 2k per k index (populations are nested, so this identifies the set).
   */
  private readonly rowsWithN: number[];
  private readonly weights = new Map<number, [Float64Array, Float64Array]>();
  private readonly TA: Float64Array;
  private readonly TB: Float64Array;
  private readonly cntA: Float64Array;
  private readonly agree: Float64Array;

  constructor(
    readonly data: SampleData,
    readonly ks: number[],
  ) {
    const prompts = data.prompts;
    const d = (this.d = data.d);
    this.rho = ks.map((k) =>
      Float64Array.from(prompts, (st) => (st.n >= k ? passAtKEstimate(st.n, st.c, k) : NaN)),
    );
    this.rows = [];
    if (d > 0) prompts.forEach((st, i) => st.n >= 2 && st.sums !== null && this.rows.push(i));
    const R = this.rows.length;
    this.A = halfGroups(prompts, this.rows, 0);
    this.B = halfGroups(prompts, this.rows, 1);
    this.rowN = Int32Array.from(this.rows, (i) => prompts[i].n);
    this.rowC = Int32Array.from(this.rows, (i) => prompts[i].c);
    this.rowNA = this.rowN.map((n) => Math.ceil(n / 2));
    this.rowNB = this.rowN.map((n) => Math.floor(n / 2));
    this.splus = new Float64Array(R * 2 * d);
    this.selfDot = new Float64Array(R);
    this.rows.forEach((i, r) => {
      const S = prompts[i].sums!;
      this.splus.set(S.subarray(0, d), r * 2 * d);
      this.splus.set(S.subarray(2 * d, 3 * d), r * 2 * d + d);
      let t = 0;
      for (let j = 0; j < d; j++) t += S[j] * S[2 * d + j];
      this.selfDot[r] = t;
    });
    let minHalf = Infinity;
    for (let r = 0; r < R; r++) minHalf = Math.min(minHalf, this.rowNB[r]);
    this.kScanMax = R === 0 ? 0 : Math.min(Math.max(...ks), minHalf);
    this.rowsWithN = ks.map((k) => this.rowN.filter((n) => n >= 2 * k).length);
    this.wHat = ks.map((k) =>
      Float64Array.from(this.rows, (i) =>
        2 * k <= prompts[i].n ? promptWeightEstimate(prompts[i].n, prompts[i].c, k) : NaN,
      ),
    );
    this.TA = new Float64Array(this.A.n.length * d);
    this.TB = new Float64Array(this.B.n.length * d);
    this.cntA = new Float64Array(this.A.n.length);
    this.agree = new Float64Array(R);
  }

  /** [s⁺ of the A groups, s⁺ of the B groups] at k, cached. */
  private weightsAt(k: number): [Float64Array, Float64Array] {
    let w = this.weights.get(k);
    if (w === undefined) {
      w = [correctWeights(this.A, k), correctWeights(this.B, k)];
      this.weights.set(k, w);
    }
    return w;
  }

  /** Pools ω-weighted S⁺ sums per half group. */
  private pool(omega: Float64Array | null): void {
    const { d, rows, splus, TA, TB } = this;
    const ofA = this.A.of;
    const ofB = this.B.of;
    TA.fill(0);
    TB.fill(0);
    this.cntA.fill(0);
    for (let r = 0; r < rows.length; r++) {
      const w = omega === null ? 1 : omega[rows[r]];
      if (w === 0) continue;
      const base = r * 2 * d;
      const oa = ofA[r] * d;
      const ob = ofB[r] * d;
      this.cntA[ofA[r]] += w;
      for (let j = 0; j < d; j++) {
        TA[oa + j] += w * splus[base + j];
        TB[ob + j] += w * splus[base + d + j];
      }
    }
  }

  /** out = Σ over groups with n ≥ minN of coef_g·T_g, coef_g = w[g] or 1/n_h. */
  private combine(
    half: 0 | 1,
    minN: number,
    w: Float64Array | null,
    out: Float64Array,
  ): Float64Array {
    const g = half === 0 ? this.A : this.B;
    const T = half === 0 ? this.TA : this.TB;
    const { d } = this;
    out.fill(0);
    for (let t = 0; t < g.n.length; t++) {
      if (g.n[t] < minN) continue;
      const c = w === null ? 1 / g.size[t] : w[t];
      if (c === 0) continue;
      const o = t * d;
      for (let j = 0; j < d; j++) out[j] += c * T[o + j];
    }
    return out;
  }

  private total(minN: number): number {
    let M = 0;
    for (let t = 0; t < this.A.n.length; t++) if (this.A.n[t] >= minN) M += this.cntA[t];
    return M;
  }

  /** All estimates for prompt multiplicities ω (null = each prompt once). */
  evaluate(omega: Float64Array | null): Estimates {
    const { ks, d } = this;
    const K = ks.length;
    const est: Estimates = {
      passAtK: new Float64Array(K).fill(NaN),
      innerProduct: new Float64Array(K).fill(NaN),
      gradJkNormSq: new Float64Array(K).fill(NaN),
      cosine: new Float64Array(K).fill(NaN),
      negativeAgreementWeight: new Float64Array(K).fill(NaN),
      undeterminedAgreementWeight: new Float64Array(K).fill(NaN),
      gradJ1NormSq: NaN,
      scan: new Float64Array(this.kScanMax).fill(NaN),
      kStar: Infinity,
    };
    for (let s = 0; s < K; s++) {
      const rho = this.rho[s];
      let num = 0;
      let den = 0;
      for (let i = 0; i < rho.length; i++) {
        if (Number.isNaN(rho[i])) continue;
        const w = omega === null ? 1 : omega[i];
        num += w * rho[i];
        den += w;
      }
      if (den > 0) est.passAtK[s] = num / den;
    }
    if (this.rows.length === 0) return est;

    this.pool(omega);
    // Rows drawn more than once: their copy–copy products are removed (class comment).
    const dups: number[] = [];
    if (omega !== null) this.rows.forEach((i, r) => omega[i] >= 2 && dups.push(r));
    const mult = (r: number) => {
      const w = omega![this.rows[r]];
      return w * (w - 1);
    };
    const UA = new Float64Array(d);
    const UB = new Float64Array(d);
    const VA = new Float64Array(d);
    const VB = new Float64Array(d);
    let agreeFor = -1;
    for (let s = 0; s < K; s++) {
      const k = ks[s];
      const minN = 2 * k;
      const M = this.total(minN);
      if (M === 0) continue;
      const [wA, wB] = this.weightsAt(k);
      this.combine(0, minN, null, UA);
      this.combine(1, minN, null, UB);
      this.combine(0, minN, wA, VA);
      this.combine(1, minN, wB, VB);
      let den = M * M;
      let dupIp = 0;
      let dupK = 0;
      let dup1 = 0;
      for (const r of dups) {
        if (this.rowN[r] < minN) continue;
        const c = mult(r);
        const P = this.selfDot[r];
        const a = wA[this.A.of[r]];
        const b = wB[this.B.of[r]];
        den -= c;
        dupIp += c * P * 0.5 * (a / this.rowNB[r] + b / this.rowNA[r]);
        dupK += c * P * a * b;
        dup1 += (c * P) / (this.rowNA[r] * this.rowNB[r]);
      }
      if (!(den > 0)) continue; // a replicate made of copies of one prompt
      const ip = (0.5 * (dot(VA, UB) + dot(VB, UA)) - dupIp) / den;
      const nk = (dot(VA, VB) - dupK) / den;
      const n1 = (dot(UA, UB) - dup1) / den;
      est.innerProduct[s] = ip;
      est.gradJkNormSq[s] = nk;
      if (nk > 0 && n1 > 0) est.cosine[s] = ip / Math.sqrt(nk * n1);
      if (agreeFor !== this.rowsWithN[s]) {
        this.agreements(UA, UB, M, minN);
        agreeFor = this.rowsWithN[s];
      }
      const wHat = this.wHat[s];
      let neg = 0;
      let undetermined = 0;
      let tot = 0;
      for (let r = 0; r < this.rows.length; r++) {
        if (this.rowN[r] < minN) continue;
        const w = (omega === null ? 1 : omega[this.rows[r]]) * wHat[r];
        tot += w;
        if (this.rowC[r] === 0) undetermined += w;
        else if (this.agree[r] < 0) neg += w;
      }
      if (tot > 0) {
        est.negativeAgreementWeight[s] = neg / tot;
        est.undeterminedAgreementWeight[s] = undetermined / tot;
      }
    }
    if (this.kScanMax > 0) this.scan(est, dups, mult, UA, UB);
    return est;
  }

  /** â(x) for every gradient row, against ∇J_1 of all gradient rows (n ≥ 2). */
  agreementScores(): Float64Array {
    this.pool(null);
    const UA = this.combine(0, 2, null, new Float64Array(this.d));
    const UB = this.combine(1, 2, null, new Float64Array(this.d));
    this.agreements(UA, UB, this.total(2), 2);
    return Float64Array.from(this.agree);
  }

  /** â(x) = ½(⟨ĝ^A(x), Ĝ^B⟩ + ⟨ĝ^B(x), Ĝ^A⟩) for rows with n ≥ minN (NaN for the others). */
  private agreements(UA: Float64Array, UB: Float64Array, M: number, minN: number): void {
    const { d, splus, agree, rowN } = this;
    for (let r = 0; r < agree.length; r++) {
      if (rowN[r] < minN) {
        agree[r] = NaN;
        continue;
      }
      const base = r * 2 * d;
      let a = 0;
      let b = 0;
      for (let j = 0; j < d; j++) {
        a += splus[base + j] * UB[j];
        b += splus[base + d + j] * UA[j];
      }
      agree[r] = (0.5 * (a / this.rowNA[r] + b / this.rowNB[r])) / M;
    }
  }

  /**
   * Inner products for k = 1 … kScanMax over the rows with n ≥ 2 (all of them support every
   * scanned k): with the group projections ⟨T^A_g, U^B⟩ and ⟨T^B_g, U^A⟩ each k costs
   * O(groups + duplicated rows).
   */
  private scan(
    est: Estimates,
    dups: number[],
    mult: (r: number) => number,
    UA: Float64Array,
    UB: Float64Array,
  ): void {
    const { d } = this;
    const M = this.total(2);
    if (M === 0) return;
    this.combine(0, 2, null, UA);
    this.combine(1, 2, null, UB);
    let den = M * M;
    let dup1 = 0;
    for (const r of dups) {
      den -= mult(r);
      dup1 += (mult(r) * this.selfDot[r]) / (this.rowNA[r] * this.rowNB[r]);
    }
    if (!(den > 0)) return;
    est.gradJ1NormSq = (dot(UA, UB) - dup1) / den;
    const project = (T: Float64Array, G: number, other: Float64Array) =>
      Float64Array.from({ length: G }, (_, t) => {
        let v = 0;
        for (let j = 0; j < d; j++) v += T[t * d + j] * other[j];
        return v;
      });
    const pA = project(this.TA, this.A.n.length, UB);
    const pB = project(this.TB, this.B.n.length, UA);
    for (let k = 1; k <= this.kScanMax; k++) {
      const [wA, wB] = this.weightsAt(k);
      let ip = 0;
      for (let t = 0; t < pA.length; t++) ip += wA[t] * pA[t];
      for (let t = 0; t < pB.length; t++) ip += wB[t] * pB[t];
      ip *= 0.5;
      for (const r of dups) {
        ip -=
          mult(r) *
          this.selfDot[r] *
          0.5 *
          (wA[this.A.of[r]] / this.rowNB[r] + wB[this.B.of[r]] / this.rowNA[r]);
      }
      ip /= den;
      est.scan[k - 1] = ip;
      if (ip < 0 && est.kStar === Infinity) est.kStar = k;
    }
  }
}

/**
 * Largest share of bootstrap replicates in which a statistic may be undefined and still get an
 * interval.
 */
export const MAX_UNDEFINED_REPLICATES = 0.1;

/**
 * Percentile interval of bootstrap values over the replicates where the statistic is defined;
 * null when more than {@link MAX_UNDEFINED_REPLICATES} of them are not (NaN) — e.g. a cosine
 * whose cross-fitted squared norms are ≤ 0 in many replicates is not determined by the data.
 */
function percentile(values: Float64Array, level: number): Interval | null {
  const defined = values.filter((v) => !Number.isNaN(v));
  if (defined.length === 0 || defined.length < (1 - MAX_UNDEFINED_REPLICATES) * values.length)
    return null;
  const sorted = defined.sort();
  const alpha = (1 - level) / 2;
  return [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)];
}

/** Inverse-ECDF (type 1) quantile, for the integer k*. */
function quantileDiscrete(sorted: ArrayLike<number>, q: number): number {
  const idx = Math.max(0, Math.ceil(sorted.length * q) - 1);
  return sorted[idx];
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * Runs the diagnostic of PAPER.md §7 on loaded samples: pass@k, the cross-fitted
 * ⟨∇J_k, ∇J_1⟩ and cosine, q_k's weight on negatively interfering prompts, and k*.
 *
 *   ⟨∇J_k, ∇J_1⟩ ≈ ½(⟨Ĥ_k^A, Ĝ^B⟩ + ⟨Ĥ_k^B, Ĝ^A⟩)   [D, estimator for the identity of PAPER.md §4]
 *   k* = min{k ≤ kScanMax : ⟨∇J_k, ∇J_1⟩ < 0}   [P: k* exists; D: this estimate]
 *
 * See the module comment for the estimators, their (un)biasedness and the exclusion rule.
 * Counts-only input (no gradients) gives pass@k and null gradient fields.
 * Cost: O(prompts·d) to pool sums plus O(groups·d) per k, times (1 + B).
 *
 * @example
 * // prompt q: A half (samples 0, 2) both correct, B half (1, 3) one correct; prompt r: one correct
 * per half const acc = new SampleAccumulator();
 * acc.add("q", true, [1, 0]); acc.add("q", false, [0, 1]); acc.add("q", true, [1, 1]); acc.add("q",
 * true, [2, 0]); acc.add("r", false, [1, 1]); acc.add("r", true, [-1, 2]); acc.add("r", true, [0,
 * -1]); acc.add("r", false, [1, 0]); diagnose(acc.finish(), { k: [1, 2], bootstrap: 0
 * }).innerProduct // => [0.125, 0]
 */
export function diagnose(data: SampleData, opts: DiagnosticOptions = {}): DiagnosticResult {
  const where = "diagnose";
  if (data == null || !Array.isArray(data.prompts))
    throw new TypeError(
      `${where}: data must be SampleData (lib/diagnostic/read.ts), got ${show(data)}`,
    );
  if (data.prompts.length === 0) throw new RangeError(`${where}: data has no prompts`);
  const ks = Array.from(checkKGrid(where, "k", opts.k ?? DEFAULT_K_GRID));
  const B = checkInteger(where, "bootstrap", opts.bootstrap ?? 200, 0);
  const seed = checkInteger(where, "seed", opts.seed ?? 0, 0);
  const level = opts.level ?? 0.95;
  if (typeof level !== "number" || !(level > 0 && level < 1))
    throw new RangeError(`${where}: level must be in (0, 1), got ${show(level)}`);

  const diag = new Diagnostic(data, ks);
  const point = diag.evaluate(null);
  const K = ks.length;
  const prompts = data.prompts;

  // Bootstrap over prompts: multiplicities ω ~ Multinomial(m; 1/m, …).
  const boot = {
    passAtK: ks.map(() => new Float64Array(B)),
    innerProduct: ks.map(() => new Float64Array(B)),
    cosine: ks.map(() => new Float64Array(B)),
    negativeAgreementWeight: ks.map(() => new Float64Array(B)),
    scan: Array.from({ length: diag.kScanMax }, () => new Float64Array(B)),
    kStar: new Float64Array(B),
  };
  if (B > 0) {
    const rng = createRng(seed);
    const m = prompts.length;
    const omega = new Float64Array(m);
    for (let b = 0; b < B; b++) {
      omega.fill(0);
      for (let t = 0; t < m; t++) omega[rng.int(0, m - 1)]++;
      const e = diag.evaluate(omega);
      for (let s = 0; s < K; s++) {
        boot.passAtK[s][b] = e.passAtK[s];
        boot.innerProduct[s][b] = e.innerProduct[s];
        boot.cosine[s][b] = e.cosine[s];
        boot.negativeAgreementWeight[s][b] = e.negativeAgreementWeight[s];
      }
      for (let k = 0; k < diag.kScanMax; k++) boot.scan[k][b] = e.scan[k];
      boot.kStar[b] = e.kStar;
    }
  }
  const ci = (values: Float64Array, estimate: number) =>
    B > 0 && Number.isFinite(estimate) ? percentile(values, level) : null;

  let kStarCI: [number | null, number | null] | null = null;
  if (B > 0 && diag.kScanMax > 0) {
    const sorted = Float64Array.from(boot.kStar).sort();
    const alpha = (1 - level) / 2;
    kStarCI = [
      orNull(quantileDiscrete(sorted, alpha)),
      orNull(quantileDiscrete(sorted, 1 - alpha)),
    ];
  }

  // Per-prompt agreement against ∇J_1 of all gradient prompts (the scan population).
  const perPrompt: PromptEstimate[] = prompts.map((st) => ({
    id: st.id,
    n: st.n,
    c: st.c,
    pHat: st.c / st.n,
    agreement: null,
  }));
  if (diag.rows.length > 0) {
    const agree = diag.agreementScores();
    diag.rows.forEach((i, r) => (perPrompt[i].agreement = agree[r]));
  }

  const gradients = diag.rows.length > 0;
  const result: DiagnosticResult = {
    source: data.source,
    prompts: prompts.length,
    samples: data.samples,
    d: data.d,
    gradients,
    k: ks,
    passAtK: Array.from(point.passAtK, orNull),
    passAtKCI: ks.map((_, s) => ci(boot.passAtK[s], point.passAtK[s])),
    passAtKExcluded: ks.map((k) => prompts.filter((st) => st.n < k).length),
    gradientExcluded: ks.map((k) =>
      gradients ? prompts.filter((st) => st.n < 2 * k || st.sums === null).length : prompts.length,
    ),
    innerProduct: Array.from(point.innerProduct, orNull),
    innerProductCI: ks.map((_, s) => ci(boot.innerProduct[s], point.innerProduct[s])),
    gradJkNormSq: Array.from(point.gradJkNormSq, orNull),
    cosine: Array.from(point.cosine, orNull),
    cosineCI: ks.map((_, s) => ci(boot.cosine[s], point.cosine[s])),
    negativeAgreementWeight: Array.from(point.negativeAgreementWeight, orNull),
    negativeAgreementWeightCI: ks.map((_, s) =>
      ci(boot.negativeAgreementWeight[s], point.negativeAgreementWeight[s]),
    ),
    undeterminedAgreementWeight: Array.from(point.undeterminedAgreementWeight, orNull),
    gradJ1NormSq: orNull(point.gradJ1NormSq),
    kStar: orNull(point.kStar),
    kStarCI,
    kScanMax: diag.kScanMax,
    scan: {
      k: Array.from({ length: diag.kScanMax }, (_, i) => i + 1),
      innerProduct: Array.from(point.scan),
      innerProductCI: Array.from(point.scan, (v, i) => ci(boot.scan[i], v)),
    },
    perPrompt,
    bootstrap: B,
    seed,
    level,
    warnings: [],
  };
  result.warnings = diagnosticWarnings(data, result);
  return result;
}

/**
 * Per-prompt agreement estimates â(x) for the prompts with n ≥ 2 and gradients (in input order),
 * against ∇J_1 of those prompts.
 *
 * â(x) = ½(⟨ĝ^A(x), Ĝ^B⟩ + ⟨ĝ^B(x), Ĝ^A⟩),  ĝ^h(x) = S⁺_h/n_h   [D; unbiased for a(x) = ⟨∇p(x),
 * ∇J_1⟩]
 *
 * @example agreementScoresEstimate(data) // => Float64Array [0.5, -0.25]  (the two prompts of
 * diagnose's example)
 */
export function agreementScoresEstimate(data: SampleData): Float64Array {
  if (data == null || !Array.isArray(data.prompts))
    throw new TypeError(
      `agreementScoresEstimate: data must be SampleData (lib/diagnostic/read.ts), got ${show(data)}`,
    );
  const diag = new Diagnostic(data, [1]);
  return diag.rows.length === 0 ? new Float64Array(0) : diag.agreementScores();
}

function diagnosticWarnings(data: SampleData, r: DiagnosticResult): string[] {
  const w: string[] = [];
  const maxK = Math.max(...r.k);
  const excludedPass = r.k.filter((_, s) => r.passAtKExcluded[s] > 0);
  if (excludedPass.length > 0) {
    w.push(
      `pass@k excludes prompts with fewer than k samples (the estimator is undefined there): ` +
        excludedPass
          .map((k) => `k=${k}: ${r.passAtKExcluded[r.k.indexOf(k)]} of ${r.prompts}`)
          .join(", "),
    );
  }
  if (data.d > 0) {
    const excl = r.k.filter((_, s) => r.gradientExcluded[s] > 0);
    if (excl.length > 0) {
      w.push(
        `gradient statistics at k use only prompts with at least 2k samples (k in each half): excluded ` +
          excl.map((k) => `k=${k}: ${r.gradientExcluded[r.k.indexOf(k)]}`).join(", "),
      );
    }
    if (r.kScanMax < maxK) {
      let minN = Infinity;
      for (const st of data.prompts) if (st.n >= 2) minN = Math.min(minN, st.n);
      w.push(
        r.kScanMax === 0
          ? `k* not scanned: no prompt has the 2 samples a cross-fit needs`
          : `k* scanned only up to k = ${r.kScanMax}, not ${maxK}: the scan needs 2k samples of every prompt (k per half), and the smallest prompt has n = ${minN}`,
      );
    }
    const { sorted, mixed } = data.sortedPrompts;
    if (mixed >= 20 && sorted >= 0.9 * mixed) {
      w.push(
        `in ${sorted} of ${mixed} prompts with mixed outcomes, all correct samples come before (or after) all incorrect ones: ` +
          `the file looks sorted by correctness, so the even/odd halves are not independent samples — write samples in sampling order`,
      );
    }
  }
  return w;
}

/** Formats a number with `digits` significant digits (exponent form when tiny or huge). */
function fmt(x: number | null, digits: number): string {
  if (x === null) return "—";
  if (x === 0 || Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5
    ? Number(x.toPrecision(digits)).toString()
    : x.toExponential(digits - 1);
}

function fmtInterval(iv: Interval | null, digits: number): string {
  return iv === null ? "—" : `[${fmt(iv[0], digits)}, ${fmt(iv[1], digits)}]`;
}

/**
 * The per-k table of a diagnostic as row objects (numbers kept as numbers, intervals as
 * "[lo, hi]" strings, "—" where not estimable), for `npm run analyze` and notebook 08 —
 * either passes them to a danfojs DataFrame or to `showTable`.
 *
 * @example summaryRows(result)[0] // => { k: 1, "pass@k": 0.625, "pass@k 95% CI": "—", "n<k excl.":
 * 0, "q_k(â<0)": 0.5, … }  (diagnose's example)
 */
export function summaryRows(r: DiagnosticResult, digits = 3): Record<string, string | number>[] {
  const pct = `${Math.round(r.level * 100)}% CI`;
  const num = (x: number | null) => (x === null ? "—" : Number(fmt(x, digits + 1)));
  return r.k.map((k, s) => {
    const row: Record<string, string | number> = {
      k,
      "pass@k": num(r.passAtK[s]),
      [`pass@k ${pct}`]: fmtInterval(r.passAtKCI[s], digits),
      "n<k excl.": r.passAtKExcluded[s],
    };
    if (r.gradients) {
      row["q_k(â<0)"] = num(r.negativeAgreementWeight[s]);
      row["q_k(c=0)"] = num(r.undeterminedAgreementWeight[s]);
      row["⟨∇J_k,∇J_1⟩"] = r.innerProduct[s] === null ? "—" : fmt(r.innerProduct[s], digits);
      row[`⟨,⟩ ${pct}`] = fmtInterval(r.innerProductCI[s], digits);
      row["cos"] = num(r.cosine[s]);
      row[`cos ${pct}`] = fmtInterval(r.cosineCI[s], digits);
      row["n<2k excl."] = r.gradientExcluded[s];
    }
    return row;
  });
}
