/**
 * Policies with exact p(x) and ∇p(x) (PAPER.md §1, §6; notebooks 03–07).
 *
 * Every policy here is a softmax over K actions per prompt whose logits are linear in θ:
 *
 *   π_θ(a|x) ∝ exp(θᵀφ(x, a)),   s_θ(x, a) = ∇_θ log π_θ(a|x) = φ(x, a) − Σ_b π_θ(b|x) φ(x, b),
 *
 * with a binary reward r(x, a) ∈ {0, 1}. Then p(x) = Σ_a π(a|x) r(x, a) and
 *
 *   ∇p(x) = Σ_a π(a|x) r(x, a) s(x, a) = Σ_a π(a|x)(r(x, a) − p(x)) φ(x, a)
 *
 * [D, from ∇p = E[r s] of PAPER.md §1]
 *
 * The three policies differ only in φ:
 * - tabular softmax: φ(x, a) = e_{(x,a)}, one parameter block per prompt — no two prompts share
 *   a parameter, so κ(x, x') = 0 for x ≠ x': the control with no interference;
 * - our two-action logistic on the paper's features ψ(x): φ(x, 0) = 0, φ(x, 1) = ψ(x), so
 *   π(1|x) = σ(θᵀψ(x)) [features P, policy form D; PAPER.md §6];
 * - a K-action log-linear softmax over shared features φ(x, a) ∈ R^d (several wrong answers).
 *
 * Sampled responses are stored compactly as action indices: the score of a response is a
 * function of (x, a), so every estimator Σ_j u_j s(x, y_j) collapses to per-action coefficients,
 * Σ_a C[x, a] s(x, a) (see {@link Policy.scoreSum}).
 */
import { checkMass } from "../theory/passAtK";
import type { Rng } from "../core/rng";
import type { Population } from "../core/types";
import { checkFiniteArray, checkInteger, checkLength, show } from "../core/validate";

/** n sampled responses for each of N prompts, stored as action indices. */
export interface ResponseBatch {
  /** Number of prompts N. */
  readonly N: number;
  /** Responses per prompt n. */
  readonly n: number;
  /** Actions per prompt K. */
  readonly K: number;
  /** Action of response j to prompt x at [x·n + j]. */
  readonly actions: Int32Array;
  /** Reward r(x, y_j) ∈ {0, 1} at [x·n + j]. */
  readonly correct: Uint8Array;
  /** π_θ(·|x) at the θ the responses were drawn from, N × K (the scores depend on it). */
  readonly probs: Float64Array;
}

/** A policy over N prompts with K actions each and d parameters. */
export interface Policy {
  /** Which family: "tabular", "logistic" or "logLinear". */
  readonly kind: string;
  /** Number of prompts N. */
  readonly N: number;
  /** Actions per prompt K. */
  readonly K: number;
  /** Parameter dimension d. */
  readonly d: number;
  /** Prompt masses D(x), length N (shared with every Population this policy returns). */
  readonly mass: Float64Array;
  /** Reward table r(x, a) ∈ {0, 1}, N × K. */
  readonly reward: Uint8Array;
  /** π_θ(a|x) for all prompts, N × K row-major (written into `out` when given). */
  actionProbs(theta: ArrayLike<number>, out?: Float64Array): Float64Array;
  /** Exact p(x) and ∇p(x) at θ (written into `out`'s arrays when given: no allocation). */
  population(theta: ArrayLike<number>, out?: Population): Population;
  /** n responses per prompt drawn from π_θ(·|x) (into `out`'s arrays when given: no allocation). */
  sample(theta: ArrayLike<number>, rng: Rng, n: number, out?: ResponseBatch): ResponseBatch;
  /** The score s_θ(x, y) = ∇_θ log π_θ(y|x), a new length-d array. */
  score(theta: ArrayLike<number>, x: number, y: number): Float64Array;
  /**
   * Σ_x Σ_a coef[x·K + a]·s(x, a), with π(·|x) taken from `probs` (N × K) — the compact
   * form of Σ_x Σ_j u_{xj} s(x, y_{xj}). Written into `out` (length d), which is returned.
   */
  scoreSum(probs: Float64Array, coef: Float64Array, out?: Float64Array): Float64Array;
  /** Row x of the N × d result is Σ_a coef[x·K + a]·s(x, a) (per-prompt estimates). */
  scoreRows(probs: Float64Array, coef: Float64Array, out?: Float64Array): Float64Array;
}

/**
 * The shared machinery: softmax, p, ∇p, sampling and score combinations. A subclass supplies
 * the logits of one prompt and the product of per-action coefficients with φ(x, ·).
 */
export abstract class SoftmaxPolicy implements Policy {
  abstract readonly kind: string;
  /** Scratch N × K (coefficients B[x, a] of φ(x, a)); reused between calls. */
  private readonly scratchB: Float64Array;
  private readonly scratchProbs: Float64Array;

  protected constructor(
    readonly N: number,
    readonly K: number,
    readonly d: number,
    readonly mass: Float64Array,
    readonly reward: Uint8Array,
  ) {
    this.scratchB = new Float64Array(N * K);
    this.scratchProbs = new Float64Array(N * K);
  }

  /** Writes the K logits θᵀφ(x, ·) into out[offset … offset + K). */
  protected abstract logitRow(
    theta: ArrayLike<number>,
    x: number,
    out: Float64Array,
    offset: number,
  ): void;

  /** out[outOffset + j] += Σ_a coef[coefOffset + a]·φ(x, a)_j for j < d. */
  protected abstract addFeatures(
    x: number,
    coef: Float64Array,
    coefOffset: number,
    out: Float64Array,
    outOffset: number,
  ): void;

  protected checkTheta(where: string, theta: ArrayLike<number>): void {
    checkFiniteArray(where, "theta", theta);
    checkLength(where, "theta", theta, this.d, `the policy's parameter dimension d`);
  }

  /** Softmax of row x in place (max-shifted, so large logits do not overflow). */
  private softmaxRow(out: Float64Array, offset: number): void {
    const K = this.K;
    let max = -Infinity;
    for (let a = 0; a < K; a++) if (out[offset + a] > max) max = out[offset + a];
    let total = 0;
    for (let a = 0; a < K; a++) {
      const e = Math.exp(out[offset + a] - max);
      out[offset + a] = e;
      total += e;
    }
    for (let a = 0; a < K; a++) out[offset + a] /= total;
  }

  protected probsInto(theta: ArrayLike<number>, out: Float64Array): Float64Array {
    for (let x = 0; x < this.N; x++) {
      this.logitRow(theta, x, out, x * this.K);
      this.softmaxRow(out, x * this.K);
    }
    return out;
  }

  actionProbs(theta: ArrayLike<number>, out?: Float64Array): Float64Array {
    this.checkTheta(`${this.kind}Policy.actionProbs`, theta);
    if (out !== undefined)
      checkLength(`${this.kind}Policy.actionProbs`, "out", out, this.N * this.K, "N × K");
    return this.probsInto(theta, out ?? new Float64Array(this.N * this.K));
  }

  /** Allocates or checks the output Population. */
  protected populationTarget(where: string, out: Population | undefined): Population {
    if (out === undefined) {
      return {
        N: this.N,
        d: this.d,
        mass: this.mass,
        p: new Float64Array(this.N),
        gradP: new Float64Array(this.N * this.d),
      };
    }
    if (out.N !== this.N || out.d !== this.d) {
      throw new RangeError(
        `${where}: out has N = ${out.N}, d = ${out.d}, but the policy has N = ${this.N}, d = ${this.d}`,
      );
    }
    checkLength(where, "out.p", out.p, this.N, "N");
    checkLength(where, "out.gradP", out.gradP, this.N * this.d, "N × d");
    return out;
  }

  population(theta: ArrayLike<number>, out?: Population): Population {
    const where = `${this.kind}Policy.population`;
    this.checkTheta(where, theta);
    const pop = this.populationTarget(where, out);
    const { N, K, reward } = this;
    const probs = this.probsInto(theta, this.scratchProbs);
    const B = this.scratchB;
    for (let x = 0; x < N; x++) {
      const o = x * K;
      let p = 0;
      for (let a = 0; a < K; a++) p += probs[o + a] * reward[o + a];
      pop.p[x] = Math.min(1, p);
      // ∇p(x) = Σ_a π_a (r_a − p) φ(x, a)
      for (let a = 0; a < K; a++) B[o + a] = probs[o + a] * (reward[o + a] - p);
    }
    pop.gradP.fill(0);
    for (let x = 0; x < N; x++) this.addFeatures(x, B, x * K, pop.gradP, x * this.d);
    return pop;
  }

  sample(theta: ArrayLike<number>, rng: Rng, n: number, out?: ResponseBatch): ResponseBatch {
    const where = `${this.kind}Policy.sample`;
    this.checkTheta(where, theta);
    checkInteger(where, "n", n, 1);
    if (rng == null || typeof rng.uniform !== "function")
      throw new TypeError(`${where}: rng must be an Rng (lib/core/rng.ts), got ${show(rng)}`);
    const { N, K, reward } = this;
    if (out !== undefined) {
      if (out.N !== N || out.K !== K || out.n !== n) {
        throw new RangeError(
          `${where}: out has N = ${out.N}, n = ${out.n}, K = ${out.K}, but this call has N = ${N}, n = ${n}, K = ${K}`,
        );
      }
      checkLength(where, "out.actions", out.actions, N * n, "N × n");
      checkLength(where, "out.correct", out.correct, N * n, "N × n");
      checkLength(where, "out.probs", out.probs, N * K, "N × K");
    }
    const probs = this.probsInto(theta, out?.probs ?? new Float64Array(N * K));
    const actions = out?.actions ?? new Int32Array(N * n);
    const correct = out?.correct ?? new Uint8Array(N * n);
    // cumulative[b] for b < last, then +∞ (never ≤ u) up to 7 entries at least: see below
    const cumulative = new Float64Array(Math.max(K, 7));
    // One row of n uniforms per prompt, drawn in bulk: the same draws, in the same order, as n
    // calls of rng.uniform() (Rng.fillUniform); per-call uniform() for an Rng without it.
    const bulk = typeof rng.fillUniform === "function";
    const row = new Float64Array(n);
    for (let x = 0; x < N; x++) {
      const o = x * K;
      let acc = 0;
      let last = 0;
      for (let a = 0; a < K; a++) {
        acc += probs[o + a];
        cumulative[a] = acc;
        if (probs[o + a] > 0) last = a;
      }
      if (bulk) rng.fillUniform(row, 0, n);
      else for (let j = 0; j < n; j++) row[j] = rng.uniform();
      // Inverse CDF: the action is the number of b < last with u ≥ cumulative[b]. cumulative is
      // a running sum of probabilities ≥ 0, so non-decreasing, and these b are a prefix: the
      // count is the index a search "first b with u < cumulative[b], at most last" returns, but
      // +(u ≥ c) compiles without a branch (a search mispredicts about once per draw).
      const base = x * n;
      if (last < 8) {
        for (let b = last; b < 7; b++) cumulative[b] = Infinity;
        const c0 = cumulative[0];
        const c1 = cumulative[1];
        const c2 = cumulative[2];
        const c3 = cumulative[3];
        const c4 = cumulative[4];
        const c5 = cumulative[5];
        const c6 = cumulative[6];
        for (let j = 0; j < n; j++) {
          const u = row[j] * acc;
          const a =
            +(u >= c0) +
            +(u >= c1) +
            +(u >= c2) +
            +(u >= c3) +
            +(u >= c4) +
            +(u >= c5) +
            +(u >= c6);
          actions[base + j] = a;
          correct[base + j] = reward[o + a];
        }
      } else {
        for (let j = 0; j < n; j++) {
          const u = row[j] * acc;
          let a = 0;
          for (let b = 0; b < last; b++) a += +(u >= cumulative[b]);
          actions[base + j] = a;
          correct[base + j] = reward[o + a];
        }
      }
    }
    return out ?? { N, n, K, actions, correct, probs };
  }

  score(theta: ArrayLike<number>, x: number, y: number): Float64Array {
    const where = `${this.kind}Policy.score`;
    this.checkTheta(where, theta);
    checkInteger(where, "x", x, 0);
    if (x >= this.N) throw new RangeError(`${where}: x must be < N = ${this.N}, got ${show(x)}`);
    checkInteger(where, "y", y, 0);
    if (y >= this.K) throw new RangeError(`${where}: y must be < K = ${this.K}, got ${show(y)}`);
    const row = new Float64Array(this.K);
    this.logitRow(theta, x, row, 0);
    this.softmaxRow(row, 0);
    // s(x, y) = φ(x, y) − Σ_b π_b φ(x, b): coefficient 1[b = y] − π_b on φ(x, b)
    for (let b = 0; b < this.K; b++) row[b] = (b === y ? 1 : 0) - row[b];
    const out = new Float64Array(this.d);
    this.addFeatures(x, row, 0, out, 0);
    return out;
  }

  /** B[x, a] = C[x, a] − π(a|x)·Σ_b C[x, b]: the coefficients of φ in Σ_a C[x, a] s(x, a). */
  private centre(where: string, probs: Float64Array, coef: Float64Array): Float64Array {
    const NK = this.N * this.K;
    checkLength(where, "probs", probs, NK, "N × K");
    checkLength(where, "coef", coef, NK, "N × K");
    const { N, K } = this;
    const B = this.scratchB;
    for (let x = 0; x < N; x++) {
      const o = x * K;
      let total = 0;
      for (let a = 0; a < K; a++) total += coef[o + a];
      for (let a = 0; a < K; a++) B[o + a] = coef[o + a] - probs[o + a] * total;
    }
    return B;
  }

  scoreSum(probs: Float64Array, coef: Float64Array, out?: Float64Array): Float64Array {
    const where = `${this.kind}Policy.scoreSum`;
    if (out !== undefined) checkLength(where, "out", out, this.d, "d");
    const B = this.centre(where, probs, coef);
    const target = out ?? new Float64Array(this.d);
    target.fill(0);
    for (let x = 0; x < this.N; x++) this.addFeatures(x, B, x * this.K, target, 0);
    return target;
  }

  scoreRows(probs: Float64Array, coef: Float64Array, out?: Float64Array): Float64Array {
    const where = `${this.kind}Policy.scoreRows`;
    if (out !== undefined) checkLength(where, "out", out, this.N * this.d, "N × d");
    const B = this.centre(where, probs, coef);
    const target = out ?? new Float64Array(this.N * this.d);
    target.fill(0);
    for (let x = 0; x < this.N; x++) this.addFeatures(x, B, x * this.K, target, x * this.d);
    return target;
  }
}

/**
 * Reward table from correct actions (one correct answer per prompt) or from a given N × K table.
 */
export function rewardTable(
  where: string,
  N: number,
  K: number,
  correctAction: ArrayLike<number> | undefined,
  reward: ArrayLike<number> | undefined,
): Uint8Array {
  if ((correctAction === undefined) === (reward === undefined)) {
    throw new TypeError(`${where}: give exactly one of correctAction and reward`);
  }
  const table = new Uint8Array(N * K);
  if (correctAction !== undefined) {
    checkLength(where, "correctAction", correctAction, N, "the prompts");
    for (let x = 0; x < N; x++) {
      const c = checkInteger(where, `correctAction[${x}]`, correctAction[x], 0);
      if (c >= K)
        throw new RangeError(`${where}: correctAction[${x}] must be < K = ${K}, got ${show(c)}`);
      table[x * K + c] = 1;
    }
  } else {
    const r = reward as ArrayLike<number>;
    checkLength(where, "reward", r, N * K, "N × K");
    for (let i = 0; i < N * K; i++) {
      if (r[i] !== 0 && r[i] !== 1)
        throw new RangeError(`${where}: reward[${i}] must be 0 or 1, got ${show(r[i])}`);
      table[i] = r[i];
    }
  }
  return table;
}

export function massOrUniform(
  where: string,
  N: number,
  mass: ArrayLike<number> | undefined,
): Float64Array {
  if (mass === undefined) return new Float64Array(N).fill(1 / N);
  checkMass(where, mass, N, "the prompts");
  return Float64Array.from(mass);
}
