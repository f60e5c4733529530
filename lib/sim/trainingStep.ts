/**
 * The fused exact step of lib/sim/training.ts `train`: an exact ascent direction and everything a
 * record needs (J_1, J_k and ⟨∇J_k, ∇J_1⟩ over the k grid, the cosines, the D-mass of
 * negatively interfering prompts, k*_exact) from the policy's population, with no argument
 * checks, no allocation after construction and no recomputation (∇J_1 and a(x) once per record)
 * (bench/RESULTS.md, "train-toy").
 *
 * It is a faster route to the generic path's numbers, not new formulas: every sum runs over the
 * prompts in the same order and with the same operations as the function it stands in for —
 * gradJ1 / gradJk (weightedGradient), the registry's weights (lib/theory/objectives.ts: the
 * capped ones, pass^k's, a user's W), mixture and projection,
 * conflictProfile (its weight recurrence and its 4-prompt blocks for ‖∇J_k‖), agreementScores
 * and kStarExact — so the results are equal to the last bit (tests/trainingStep.test.ts compares
 * every recorded series of the two paths). A change to the order of operations in those kernels
 * has to be made here as well; the tests flag the difference.
 *
 * Each loop is its own small function over typed arrays, one component of a d-vector at a time:
 * V8 compiles these much better than one long loop with short inner loops over d (measured 2–3×
 * per loop); for d = 2 (our toy) both components go in one pass (./trainingStep2.ts, the same
 * sums). What is left is mostly the policy's exp per prompt and the passes over the prompts
 * (bench/RESULTS.md, issue 17).
 *
 * Checks are train's job: it validates its options once and the first population fully; the
 * library's policies return valid populations (D a distribution, p ∈ [0, 1], finite ∇p) for
 * every finite θ, and train checks θ after every step.
 */
import { projectedDirection } from "../theory/mitigations";
import type { Objective, ObjectiveEntry } from "../theory/objectives";
import {
  kStarExactUnchecked,
  kStarScanUnchecked,
  kStarScratch,
  type KStarScratch,
} from "../theory/threshold";
import type { Population } from "../core/types";
import {
  addRowBlocksD2,
  agreementAndSumsD2,
  agreementGatherD2,
  gridJump,
  gridSteps,
  weightedSum2D2,
  weightedSumD2,
} from "./trainingStep2";

/**
 * Work arrays and results of the fused step for one run: a population of N prompts in d
 * parameters, records on the k grid `ks` (any order, repeats allowed), k* scanned up to kStarMax.
 */
export class FusedExactStep {
  /** ∇J_1 at the θ of the last {@link direction} or {@link gradJ1} call (length d). */
  readonly g1: Float64Array;
  /** J_k of the last record, indexed like `ks`. */
  readonly passAtK: Float64Array;
  /** ⟨∇J_k, ∇J_1⟩ of the last record, indexed like `ks`. */
  readonly innerProduct: Float64Array;
  /** cos∠(∇J_k, ∇J_1) of the last record (NaN when either gradient is 0), indexed like `ks`. */
  readonly cosine: Float64Array;
  /** [J_1, Σ_x D(x)·1{a(x) < 0}] of the last record. */
  readonly sums: Float64Array;
  /** k*_exact of the last record (null: no conflict up to kStarMax). */
  kStar: number | null;

  private readonly K: number;
  private readonly kStarMax: number;
  /** Grid position of the s-th smallest k, and that k. */
  private readonly order: Int32Array;
  private readonly sortedK: Float64Array;
  private readonly gk: Float64Array;
  /**
   * Per prompt: the direction's coefficient; a(x); (1 − p)^{k−1} and pass@k at the last k of the
   * grid pass.
   */
  private readonly coef: Float64Array;
  private readonly a: Float64Array;
  private readonly pow: Float64Array;
  private readonly pass: Float64Array;
  /** ∇J_k for the grid's k (row s for sortedK[s]), K × d; only its norms are used. */
  private readonly G: Float64Array;
  /** [J_k, E[w_k a]] of the last grid pass. */
  private readonly gridOut: Float64Array;
  private readonly scratch: KStarScratch;

  constructor(N: number, d: number, ks: ArrayLike<number>, kStarMax: number) {
    const K = ks.length;
    this.K = K;
    this.kStarMax = kStarMax;
    this.g1 = new Float64Array(d);
    this.passAtK = new Float64Array(K);
    this.innerProduct = new Float64Array(K);
    this.cosine = new Float64Array(K);
    this.sums = new Float64Array(2);
    this.kStar = null;
    // The same stable sort as conflictProfile, so repeated k keep their order.
    const order = Array.from({ length: K }, (_, s) => s).sort((x, y) => ks[x] - ks[y]);
    this.order = Int32Array.from(order);
    this.sortedK = Float64Array.from(order, (s) => ks[s]);
    this.gk = new Float64Array(d);
    this.coef = new Float64Array(N);
    this.a = new Float64Array(N);
    this.pow = new Float64Array(N);
    this.pass = new Float64Array(N);
    this.G = new Float64Array(K * d);
    this.gridOut = new Float64Array(3);
    this.scratch = kStarScratch(N);
  }

  /**
   * The exact ascent direction of `objective` (its registry `entry`, lib/theory/objectives.ts) at
   * this step's k into `g`, and ∇J_1 into {@link g1} when the direction or the record needs it
   * (`withG1`).
   *
   *   g_w = Σ_x coef(x)∇p(x), coef = D·w from the entry (∇J_1 itself for unit weights);
   *   g = g_w, λg_w + (1−λ)∇J_1, or g_w − (min(0, c)/‖∇J_1‖²)∇J_1, c = ⟨g_w, ∇J_1⟩
   *   [P for ∇J_1 and ∇J_k, PAPER.md §1–2; D for the rest, §9]
   *
   * The coefficients come first (the entry's loop, as gradJk computes them), then both weighted
   * sums in prompt order (as weightedGradient). Entries that need a(x) are not fused.
   */
  direction(
    pop: Population,
    entry: ObjectiveEntry,
    objective: Objective,
    k: number,
    g: Float64Array,
    withG1: boolean,
  ): void {
    if (entry.coefficients === null) {
      this.gradJ1(pop);
      g.set(this.g1);
      return;
    }
    const { d, mass, p } = pop;
    const { coef, g1, gk } = this;
    entry.coefficients(mass, p, k, objective as never, coef);
    const both = withG1 || entry.combine !== "none";
    if (d === 2) {
      if (both) weightedSum2D2(pop.gradP, pop.N, mass, g1, coef, gk);
      else weightedSumD2(pop.gradP, pop.N, coef, gk);
    } else if (both) weightedSum2(pop, mass, g1, coef, gk);
    else weightedSum(pop, coef, gk);
    if (entry.combine === "mixture") {
      const lambda = (objective as { lambda: number }).lambda;
      for (let j = 0; j < d; j++) g[j] = lambda * gk[j] + (1 - lambda) * g1[j];
    } else if (entry.combine === "projection") {
      g.set(projectedDirection(gk, g1));
    } else g.set(gk);
  }

  /**
   * ∇J_1 = Σ_x D(x)∇p(x) into {@link g1}, in prompt order (for the record after the last step)
   * [P, PAPER.md §1]
   */
  gradJ1(pop: Population): void {
    if (pop.d === 2) weightedSumD2(pop.gradP, pop.N, pop.mass, this.g1);
    else weightedSum(pop, pop.mass, this.g1);
  }

  /**
   * The record at the θ of the last {@link direction} (with `withG1`) or {@link gradJ1}:
   *
   *   a(x) = ⟨∇p(x), ∇J_1⟩   [D, PAPER.md §3];   J_k = E[1 − (1 − p)^k]   [P, PAPER.md §1]
   *   ⟨∇J_k, ∇J_1⟩ = E[w_k a],  cos = ⟨∇J_k, ∇J_1⟩/(‖∇J_k‖‖∇J_1‖)   [D, PAPER.md §4]
   *   negative share Σ_x D(x)·1{a(x) < 0}   [D, PAPER.md §3];  k*_exact as kStarExact   [D,
   *   PAPER.md §4]
   *
   * a(x), then J_1 and the negative share, then one pass per k of the sorted grid: w_k and
   * pass@k advance from the previous k by repeated multiplication by (1 − p) (exp/log1p for
   * gaps > 8) and ∇J_k's rows are added four prompts at a time — conflictProfile's operations,
   * each sum in prompt order; then the k* scan.
   */
  record(pop: Population): void {
    const { N, d, mass, p, gradP } = pop;
    const { K, g1, a, pow, pass, G, sortedK, coef, scratch } = this;
    const out = this.gridOut;
    // d = 2 with k = 1 first on the grid (train's default): a(x), J_1, the negative share, the
    // k = 1 record and the k* gather in one pass (lib/sim/trainingStep2.ts; the same sums)
    const merged = d === 2 && K > 0 && sortedK[0] === 1;
    let active = 0;
    if (merged) {
      active = agreementGatherD2(
        gradP,
        N,
        g1,
        mass,
        p,
        a,
        scratch.coef,
        scratch.ratio,
        out,
        scratch.out,
      );
      this.sums[0] = out[0];
      this.sums[1] = out[1];
    } else if (d === 2) agreementAndSumsD2(gradP, N, g1, mass, p, a, this.sums);
    else {
      agreement(gradP, N, d, g1, a);
      passAndNegative(mass, p, a, this.sums);
    }
    let n1sq = 0;
    for (let j = 0; j < d; j++) n1sq += g1[j] * g1[j];
    const normGradJ1 = Math.sqrt(n1sq);
    G.fill(0);
    pow.fill(1); // (1 − p)^0 and pass@1 at k = 1
    pass.set(p);
    let kPrev = 1;
    for (let s = 0; s < K; s++) {
      const k = sortedK[s];
      const delta = k - kPrev;
      kPrev = k;
      if (merged && s === 0) {
        addRowBlocksD2(gradP, N, mass, G, 0); // w_1 = 1: cw = D·1·1 = D
        this.storeRecord(s, out[0], out[2], normGradJ1, d);
        continue;
      }
      if (delta > 8) gridJump(mass, p, a, pow, pass, coef, k, delta, out);
      else gridSteps(mass, p, a, pow, pass, coef, k, delta, out);
      if (d === 2) addRowBlocksD2(gradP, N, coef, G, s * d);
      else addRowBlocks(gradP, N, d, coef, G, s * d);
      this.storeRecord(s, out[0], out[1], normGradJ1, d);
    }
    this.kStar = merged
      ? kStarScanUnchecked(scratch, active, this.kStarMax)
      : kStarExactUnchecked(mass, p, a, this.kStarMax, scratch);
  }

  /** J_k, ⟨∇J_k, ∇J_1⟩ and the cosine (from row s of G) of the grid's s-th smallest k. */
  private storeRecord(s: number, J: number, inner: number, normGradJ1: number, d: number): void {
    const G = this.G;
    let nk = 0;
    for (let j = 0; j < d; j++) nk += G[s * d + j] * G[s * d + j];
    const normK = Math.sqrt(nk);
    const at = this.order[s];
    this.passAtK[at] = J;
    this.innerProduct[at] = inner;
    this.cosine[at] = normK > 0 && normGradJ1 > 0 ? inner / (normK * normGradJ1) : NaN;
  }
}

/**
 * out = Σ_x coef(x)∇p(x) in prompt order, prompts with coefficient 0 skipped (weightedGradient's
 * sum)   [D]
 */
function weightedSum(pop: Population, coef: Float64Array, out: Float64Array): void {
  const { N, d, gradP } = pop;
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0, at = j; i < N; i++, at += d) {
      const c = coef[i];
      if (c !== 0) s += c * gradP[at];
    }
    out[j] = s;
  }
}

/** {@link weightedSum} for two coefficient vectors in one pass over ∇p   [D] */
function weightedSum2(
  pop: Population,
  coefA: Float64Array,
  outA: Float64Array,
  coefB: Float64Array,
  outB: Float64Array,
): void {
  const { N, d, gradP } = pop;
  for (let j = 0; j < d; j++) {
    let sa = 0;
    let sb = 0;
    for (let i = 0, at = j; i < N; i++, at += d) {
      const r = gradP[at];
      const ca = coefA[i];
      const cb = coefB[i];
      if (ca !== 0) sa += ca * r;
      if (cb !== 0) sb += cb * r;
    }
    outA[j] = sa;
    outB[j] = sb;
  }
}

/**
 * a(x) = ⟨∇p(x), ∇J_1⟩ = Σ_j ∇p(x)_j(∇J_1)_j, j ascending (agreementScores' sum), one component
 * at a time over all prompts   [D, PAPER.md §3]
 */
function agreement(
  gradP: Float64Array,
  N: number,
  d: number,
  g1: Float64Array,
  a: Float64Array,
): void {
  a.fill(0);
  for (let j = 0; j < d; j++) {
    const gj = g1[j];
    for (let i = 0, at = j; i < N; i++, at += d) a[i] += gradP[at] * gj;
  }
}

/**
 * out = [J_1 = Σ_x D(x)p(x)  [P, PAPER.md §1],  Σ_x D(x)·1{a(x) < 0}  [D, PAPER.md §3]], in prompt
 * order.
 */
function passAndNegative(
  mass: Float64Array,
  p: Float64Array,
  a: Float64Array,
  out: Float64Array,
): void {
  let j1 = 0;
  let negative = 0;
  for (let i = 0; i < p.length; i++) {
    j1 += mass[i] * p[i];
    if (a[i] < 0) negative += mass[i];
  }
  out[0] = j1;
  out[1] = negative;
}

/**
 * G[g0 + j] = Σ_x cw(x)∇p(x)_j (∇J_k from its coefficients), four prompts' rows per update
 * associated ((c0r0 + c1r1) + c2r2) + c3r3 as conflictProfile's block kernel, the last N mod 4
 * one by one (coefficient 0 skipped); one component at a time   [P, PAPER.md §2]
 */
function addRowBlocks(
  gradP: Float64Array,
  N: number,
  d: number,
  cw: Float64Array,
  G: Float64Array,
  g0: number,
): void {
  const N4 = N - (N % 4);
  for (let j = 0; j < d; j++) {
    let gj = 0;
    for (let i = 0, at = j; i < N4; i += 4, at += 4 * d) {
      gj +=
        cw[i] * gradP[at] +
        cw[i + 1] * gradP[at + d] +
        cw[i + 2] * gradP[at + 2 * d] +
        cw[i + 3] * gradP[at + 3 * d];
    }
    for (let i = N4; i < N; i++) if (cw[i] !== 0) gj += cw[i] * gradP[i * d + j];
    G[g0 + j] = gj;
  }
}
