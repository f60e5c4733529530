/**
 * The paper's LLM diagnostic from sampled responses (PAPER.md §7; issues 7, 14; notebook 08):
 * the statistics. Resampling and intervals: bootstrap.ts (`diagnose`); tables, footnotes and
 * suggestions: report.ts.
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
 * - pass^k (all k attempts correct, J^k = E p^k; issue 19): C(c,k)/C(n,k) = Π_{i<k} (c−i)/(n−i),
 *   unbiased for p^k when k ≤ n (the fraction of k-subsets that are all correct) [D];
 * - ĝ^h(x) = S⁺_h / n_h, REINFORCE, unbiased for ∇p(x) since E[r s] = ∇p [PAPER.md §1];
 * - Ĥ_k^h(x) = s⁺ S⁺_h with PKPO's "loo−1" weights s⁺ = C(n_h−c_h, k−1)/C(n_h, k) (k ≤ n_h),
 *   unbiased for ∇pass@k(x) = w_k(p)∇p(x) [§8]. They are PKPO's plain weights (k/n_h, and
 *   (k/n_h)ρ(n_h−1, c_h, k−1) on incorrect samples) minus a leave-one-out baseline; on the
 *   our easy/hard toy (200 prompts, n = 16) the cross-fitted inner product's standard deviation was
 *   4–8× smaller with them at k = 2…8 (k = 1: identical, both are REINFORCE). These weights do
 *   not use S⁻; the failure-based agreement of prompts with c = 0 does (agreement.ts);
 * - Ĝ^h, Ĥ_k^h: means over prompts. Then, since halves A and B are independent,
 *     ⟨∇J_k, ∇J_1⟩ ≈ ½(⟨Ĥ_k^A, Ĝ^B⟩ + ⟨Ĥ_k^B, Ĝ^A⟩),  ‖∇J_k‖² ≈ ⟨Ĥ_k^A, Ĥ_k^B⟩,
 *     ‖∇J_1‖² ≈ ⟨Ĝ^A, Ĝ^B⟩
 *   are unbiased [D] (the naive ⟨Ĥ, Ĝ⟩ on all samples is not: E⟨ĝ, ĝ⟩ = ‖∇p‖² + tr Cov ĝ);
 * - agreement â(x) = ½(⟨ĝ^A(x), Ĝ^B⟩ + ⟨ĝ^B(x), Ĝ^A⟩): unbiased for a(x) = ⟨∇p(x), ∇J_1⟩ [D]
 *   (ĝ^A(x) is independent of every ĝ^B, including x's own);
 * - ŵ_k(x) = k·C(n−c,k−1)/C(n,k−1), unbiased for w_k(p) (needs k−1 ≤ n);
 * - the share of q_k ∝ ŵ_k on negatively interfering prompts, its bounds, and the failure-based
 *   agreement â⁻(x) for prompts with no correct sample: lib/diagnostic/agreement.ts;
 * - cosine = cross-fitted ⟨·,·⟩ / sqrt(product of cross-fitted squared norms): consistent, not
 *   unbiased, undefined (null) when a cross-fitted squared norm is ≤ 0 (signal below noise),
 *   and clipped to [−1, 1] (the estimate can leave it: numerator and norms are estimated apart);
 * - the smallest mixing weight λ of pass@1 in (1 − λ)J_k + λJ_1 whose gradient has a
 *   non-negative inner product with ∇J_1: 1 − safeMixingLambda(‖∇J_1‖², ⟨∇J_k, ∇J_1⟩)
 *   = max(0, −c)/(‖∇J_1‖² − min(0, c)) (lib/theory/mitigations.ts) on the cross-fitted values of
 *   the row [D, PAPER.md §9]; 0 when c ≥ 0, undefined when c < 0 and the cross-fitted ‖∇J_1‖² ≤ 0.
 *
 * Prompts with too few samples [D, our choice]: pass@k and pass^k at k use the prompts with
 * n ≥ k; the gradient statistics at k use those with ⌊n/2⌋ ≥ k (k samples in each half), with
 * ∇J_1 taken over the same prompts. The others are excluded — never counted as solved — and
 * counted per k (`passAtKExcluded`, `gradientExcluded`). k* is the first k of the grid whose row
 * has a negative inner product: the same grid and the same per-row populations as the table, so
 * the headline never contradicts a row.
 */
import { dot } from "../core/stats";
import { passAtKEstimate, promptWeightEstimate } from "../theory/estimators";
import { safeMixingLambda } from "../theory/mitigations";
import type { SampleData } from "../core/samples";
import { correctWeights, halfGroups, passHatKPromptEstimate, type HalfGroups } from "./pooling";
import type { Estimates } from "./types";
import { agreementsInto, sharesInto } from "./agreement";

const clip = (x: number) => Math.max(-1, Math.min(1, x));

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
export class Diagnostic {
  readonly d: number;
  /** Indices of prompts with n ≥ 2 and gradients (the rows of the gradient part). */
  readonly rows: number[];
  readonly A: HalfGroups;
  readonly B: HalfGroups;
  /** Grid indices in increasing k (the k* scan order). */
  private readonly order: number[];
  /** n, c, ⌈n/2⌉, ⌊n/2⌋ and ⟨S⁺_A, S⁺_B⟩ of each row. */
  readonly rowN: Int32Array;
  readonly rowC: Int32Array;
  readonly rowNA: Int32Array;
  readonly rowNB: Int32Array;
  private readonly selfDot: Float64Array;
  /** [S⁺_A | S⁺_B] of each row, R × 2d contiguous (cache-friendly copy of the prompts' sums). */
  readonly splus: Float64Array;
  /** Rows with c = 0, and [S⁻_A | S⁻_B] of each (their failure scores), Z × 2d. */
  readonly zeroRows: number[];
  readonly sminusZero: Float64Array;
  /** â⁻(x) of the c = 0 rows (failure-based agreement, module comment). */
  readonly agreeFail: Float64Array;
  /** ρ(n_i, c_i, k) and C(c_i,k)/C(n_i,k) per (k index, prompt), NaN when n < k. */
  private readonly rho: Float64Array[];
  private readonly hat: Float64Array[];
  /** ŵ_k(n_i, c_i) per (k index, row). */
  readonly wHat: Float64Array[];
  /**
   * Number of rows with n ≥ 2k per k index (populations are nested, so this identifies the set).
   */
  private readonly rowsWithN: number[];
  private readonly weights = new Map<number, [Float64Array, Float64Array]>();
  private readonly TA: Float64Array;
  private readonly TB: Float64Array;
  private readonly cntA: Float64Array;
  readonly agree: Float64Array;

  constructor(
    readonly data: SampleData,
    readonly ks: number[],
  ) {
    const prompts = data.prompts;
    const d = (this.d = data.d);
    this.order = ks.map((_, s) => s).sort((a, b) => ks[a] - ks[b]);
    this.rho = ks.map((k) =>
      Float64Array.from(prompts, (st) => (st.n >= k ? passAtKEstimate(st.n, st.c, k) : NaN)),
    );
    this.hat = ks.map((k) =>
      Float64Array.from(prompts, (st) => (st.n >= k ? passHatKPromptEstimate(st.n, st.c, k) : NaN)),
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
    this.zeroRows = [];
    this.rows.forEach((_, r) => this.rowC[r] === 0 && this.zeroRows.push(r));
    this.sminusZero = new Float64Array(this.zeroRows.length * 2 * d);
    this.zeroRows.forEach((r, z) => {
      const S = prompts[this.rows[r]].sums!;
      this.sminusZero.set(S.subarray(d, 2 * d), z * 2 * d);
      this.sminusZero.set(S.subarray(3 * d, 4 * d), z * 2 * d + d);
    });
    this.agreeFail = new Float64Array(this.zeroRows.length);
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

  /** Mean of per-prompt values v (NaN = excluded) under multiplicities ω. */
  private static mean(v: Float64Array, omega: Float64Array | null): number {
    let num = 0;
    let den = 0;
    for (let i = 0; i < v.length; i++) {
      if (Number.isNaN(v[i])) continue;
      const w = omega === null ? 1 : omega[i];
      num += w * v[i];
      den += w;
    }
    return den > 0 ? num / den : NaN;
  }

  /** All estimates for prompt multiplicities ω (null = each prompt once). */
  evaluate(omega: Float64Array | null): Estimates {
    const { ks, d } = this;
    const K = ks.length;
    const nan = () => new Float64Array(K).fill(NaN);
    const est: Estimates = {
      passAtK: nan(),
      passHatK: nan(),
      innerProduct: nan(),
      gradJkNormSq: nan(),
      gradJ1NormSqAt: nan(),
      cosine: nan(),
      negativeShare: nan(),
      negativeLower: nan(),
      negativeUpper: nan(),
      negativeFromFailures: nan(),
      undeterminedShare: nan(),
      mixingLambda: nan(),
      gradJ1NormSq: NaN,
      kStar: Infinity,
    };
    for (let s = 0; s < K; s++) {
      est.passAtK[s] = Diagnostic.mean(this.rho[s], omega);
      est.passHatK[s] = Diagnostic.mean(this.hat[s], omega);
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
    // ‖∇J_1‖² over every gradient prompt (n ≥ 2).
    {
      const M = this.total(2);
      this.combine(0, 2, null, UA);
      this.combine(1, 2, null, UB);
      let den = M * M;
      let dup1 = 0;
      for (const r of dups) {
        den -= mult(r);
        dup1 += (mult(r) * this.selfDot[r]) / (this.rowNA[r] * this.rowNB[r]);
      }
      if (den > 0) est.gradJ1NormSq = (dot(UA, UB) - dup1) / den;
    }
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
      est.gradJ1NormSqAt[s] = n1;
      if (nk > 0 && n1 > 0) est.cosine[s] = clip(ip / Math.sqrt(nk * n1));
      if (ip >= 0) est.mixingLambda[s] = 0;
      else if (n1 > 0) est.mixingLambda[s] = 1 - safeMixingLambda(n1, ip);
      if (agreeFor !== this.rowsWithN[s]) {
        agreementsInto(this, UA, UB, M, minN);
        agreeFor = this.rowsWithN[s];
      }
      sharesInto(this, est, s, omega, minN);
    }
    for (const s of this.order) {
      if (est.innerProduct[s] < 0) {
        est.kStar = ks[s];
        break;
      }
    }
    return est;
  }

  /** â(x) for every gradient row, against ∇J_1 of all gradient rows (n ≥ 2). */
  agreementScores(): Float64Array {
    this.pool(null);
    const UA = this.combine(0, 2, null, new Float64Array(this.d));
    const UB = this.combine(1, 2, null, new Float64Array(this.d));
    agreementsInto(this, UA, UB, this.total(2), 2);
    return Float64Array.from(this.agree);
  }

  /** Whether row r's agreement sign is undetermined (c = 0, or â = 0 exactly). */
  undetermined(r: number, agreement: number): boolean {
    return this.rowC[r] === 0 || !(agreement !== 0);
  }

  /** â⁻(x) of the c = 0 rows against ∇J_1 of all gradient rows, by row index. */
  failureAgreementScores(): Map<number, number> {
    this.agreementScores();
    return new Map(this.zeroRows.map((r, z) => [r, this.agreeFail[z]]));
  }
}
