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
import type { Contexts } from "./populations";
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
abstract class SoftmaxPolicy implements Policy {
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
    const cumulative = new Float64Array(K);
    for (let x = 0; x < N; x++) {
      const o = x * K;
      let acc = 0;
      let last = 0;
      for (let a = 0; a < K; a++) {
        acc += probs[o + a];
        cumulative[a] = acc;
        if (probs[o + a] > 0) last = a;
      }
      for (let j = 0; j < n; j++) {
        const u = rng.uniform() * acc;
        let a = 0;
        while (a < last && u >= cumulative[a]) a++;
        actions[x * n + j] = a;
        correct[x * n + j] = reward[o + a];
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
function rewardTable(
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

function massOrUniform(
  where: string,
  N: number,
  mass: ArrayLike<number> | undefined,
): Float64Array {
  if (mass === undefined) return new Float64Array(N).fill(1 / N);
  checkMass(where, mass, N, "the prompts");
  return Float64Array.from(mass);
}

/** Tabular softmax: θ = (θ_{x,a}), d = N·K, π(a|x) = softmax(θ_{x,·})_a. */
export class TabularSoftmaxPolicy extends SoftmaxPolicy {
  readonly kind = "tabular";

  constructor(N: number, K: number, mass: Float64Array, reward: Uint8Array) {
    super(N, K, N * K, mass, reward);
  }

  protected logitRow(theta: ArrayLike<number>, x: number, out: Float64Array, offset: number): void {
    for (let a = 0; a < this.K; a++) out[offset + a] = theta[x * this.K + a];
  }

  protected addFeatures(
    x: number,
    coef: Float64Array,
    coefOffset: number,
    out: Float64Array,
    outOffset: number,
  ): void {
    const base = outOffset + x * this.K;
    for (let a = 0; a < this.K; a++) out[base + a] += coef[coefOffset + a];
  }
}

/**
 * The tabular softmax policy, one parameter block per prompt: the control with no interference.
 *
 * π_θ(a|x) = exp θ_{x,a} / Σ_b exp θ_{x,b},  d = N·K;  ∇p(x) is zero outside block x, so
 * κ(x, x') = ⟨∇p(x), ∇p(x')⟩ = 0 for x ≠ x' and a(x) = D(x)‖∇p(x)‖² ≥ 0   [D, PAPER.md §3]
 *
 * Memory: a `Population` stores ∇p densely (N × N·K), so keep N in the hundreds.
 * θ = 0 gives p(x) = (number of correct actions)/K.
 *
 * @example tabularSoftmaxPolicy({ K: 4, correctAction: [0, 2] }).population(new Float64Array(8)).p
 * // => Float64Array [0.25, 0.25]
 */
export function tabularSoftmaxPolicy(opts: {
  K: number;
  correctAction?: ArrayLike<number>;
  reward?: ArrayLike<number>;
  mass?: ArrayLike<number>;
}): TabularSoftmaxPolicy {
  const where = "tabularSoftmaxPolicy";
  const K = checkInteger(where, "K", opts.K, 2);
  const N =
    opts.correctAction !== undefined
      ? opts.correctAction.length
      : Math.floor((opts.reward?.length ?? 0) / K);
  if (!(N >= 1))
    throw new RangeError(`${where}: need at least one prompt (correctAction or reward is empty)`);
  const reward = rewardTable(where, N, K, opts.correctAction, opts.reward);
  return new TabularSoftmaxPolicy(N, K, massOrUniform(where, N, opts.mass), reward);
}

/** The two-action logistic policy over shared features ψ(x) ∈ R^m: d = m. */
export class LogisticPolicy extends SoftmaxPolicy {
  readonly kind = "logistic";
  /** ψ(x), N × m. */
  readonly features: Float64Array;

  constructor(features: Float64Array, m: number, mass: Float64Array, reward: Uint8Array) {
    super(mass.length, 2, m, mass, reward);
    this.features = features;
  }

  protected logitRow(theta: ArrayLike<number>, x: number, out: Float64Array, offset: number): void {
    const d = this.d;
    let z = 0;
    for (let j = 0; j < d; j++) z += theta[j] * this.features[x * d + j];
    out[offset] = 0;
    out[offset + 1] = z;
  }

  protected addFeatures(
    x: number,
    coef: Float64Array,
    coefOffset: number,
    out: Float64Array,
    outOffset: number,
  ): void {
    const c = coef[coefOffset + 1]; // φ(x, 0) = 0
    if (c === 0) return;
    const d = this.d;
    for (let j = 0; j < d; j++) out[outOffset + j] += c * this.features[x * d + j];
  }

  /** Specialised: p = σ(z) or σ(−z), ∇p = ±σ(z)σ(−z)ψ, with no N × K intermediate. */
  override population(theta: ArrayLike<number>, out?: Population): Population {
    const where = "logisticPolicy.population";
    this.checkTheta(where, theta);
    const pop = this.populationTarget(where, out);
    const { N, d, features, reward } = this;
    const p = pop.p;
    const gradP = pop.gradP;
    for (let x = 0; x < N; x++) {
      const o = x * d;
      let z = 0;
      for (let j = 0; j < d; j++) z += theta[j] * features[o + j];
      const sign = reward[2 * x + 1] === 1 ? 1 : -1; // correct action 1: p = σ(z)
      // σ(sign·z) without overflow for large |z|
      const e = Math.exp(-Math.abs(z));
      const big = 1 / (1 + e);
      const small = e / (1 + e);
      p[x] = sign * z >= 0 ? big : small;
      const g = sign * big * small; // ±σ(z)σ(−z)
      for (let j = 0; j < d; j++) gradP[o + j] = g * features[o + j];
    }
    return pop;
  }
}

/**
 * Our two-action logistic policy over shared features (PAPER.md §6: the features ψ = [1, s] are
 * the paper's, the policy form is our choice).
 *
 * π_θ(1|x) = σ(θᵀψ(x));  p(x) = σ(θᵀψ) if action 1 is correct, 1 − σ(θᵀψ) otherwise;
 * ∇p(x) = ±σ'(θᵀψ(x))ψ(x)   [D: our policy for the paper's toy, and its explicit gradient]
 *
 * Every prompt shares θ, so prompts with acute features and opposite correct actions pull θ in
 * opposite directions (negative interference). `contexts.correctAction` must be 0 or 1.
 *
 * @example logisticPolicy(contextsFromArrays({ features: [1, 2], m: 2, correctAction: [1]
 * })).population([0, 1]).p // => Float64Array [0.8807970779778823]
 */
export function logisticPolicy(contexts: Contexts): LogisticPolicy {
  const where = "logisticPolicy";
  const { M, m } = contexts;
  checkLength(where, "contexts.features", contexts.features, M * m, "M × m");
  checkFiniteArray(where, "contexts.features", contexts.features);
  for (let x = 0; x < M; x++) {
    const c = contexts.correctAction[x];
    if (c !== 0 && c !== 1)
      throw new RangeError(
        `${where}: contexts.correctAction[${x}] must be 0 or 1 (two actions), got ${show(c)}`,
      );
  }
  const reward = rewardTable(where, M, 2, contexts.correctAction, undefined);
  return new LogisticPolicy(contexts.features, m, massOrUniform(where, M, contexts.mass), reward);
}

/** Log-linear softmax with action features φ(x, a) ∈ R^d stored N × K × d. */
export class LogLinearSoftmaxPolicy extends SoftmaxPolicy {
  readonly kind = "logLinear";
  /** φ(x, a) at [(x·K + a)·d + j]. */
  readonly features: Float64Array;

  constructor(
    N: number,
    K: number,
    d: number,
    features: Float64Array,
    mass: Float64Array,
    reward: Uint8Array,
  ) {
    super(N, K, d, mass, reward);
    this.features = features;
  }

  protected logitRow(theta: ArrayLike<number>, x: number, out: Float64Array, offset: number): void {
    const { K, d, features } = this;
    for (let a = 0; a < K; a++) {
      const o = (x * K + a) * d;
      let z = 0;
      for (let j = 0; j < d; j++) z += theta[j] * features[o + j];
      out[offset + a] = z;
    }
  }

  protected addFeatures(
    x: number,
    coef: Float64Array,
    coefOffset: number,
    out: Float64Array,
    outOffset: number,
  ): void {
    const { K, d, features } = this;
    for (let a = 0; a < K; a++) {
      const c = coef[coefOffset + a];
      if (c === 0) continue;
      const o = (x * K + a) * d;
      for (let j = 0; j < d; j++) out[outOffset + j] += c * features[o + j];
    }
  }
}

/**
 * A K-action log-linear softmax over shared action features (several wrong answers).
 *
 * π_θ(a|x) = exp(θᵀφ(x, a)) / Σ_b exp(θᵀφ(x, b)),  s(x, a) = φ(x, a) − E_{b~π}φ(x, b),
 * ∇p(x) = Σ_a π(a|x)(r(x, a) − p(x)) φ(x, a)   [D]
 *
 * `features` is N × K × d row-major (φ(x, a) at [(x·K + a)·d …]); give the rewards as one
 * `correctAction` per prompt or as an N × K 0/1 `reward` table. Masses default to uniform.
 *
 * @example logLinearSoftmaxPolicy({ K: 2, d: 1, features: [0, 1], correctAction: [1]
 * }).population([Math.log(3)]).p // => Float64Array [0.7499999999999999]  (3/4)
 */
export function logLinearSoftmaxPolicy(opts: {
  K: number;
  d: number;
  features: ArrayLike<number>;
  correctAction?: ArrayLike<number>;
  reward?: ArrayLike<number>;
  mass?: ArrayLike<number>;
}): LogLinearSoftmaxPolicy {
  const where = "logLinearSoftmaxPolicy";
  const K = checkInteger(where, "K", opts.K, 2);
  const d = checkInteger(where, "d", opts.d, 1);
  checkFiniteArray(where, "features", opts.features);
  const N = opts.features.length / (K * d);
  if (!Number.isInteger(N) || N < 1) {
    throw new RangeError(
      `${where}: features has length ${opts.features.length}, which is not a positive multiple of K × d = ${K * d}`,
    );
  }
  const reward = rewardTable(where, N, K, opts.correctAction, opts.reward);
  return new LogLinearSoftmaxPolicy(
    N,
    K,
    d,
    Float64Array.from(opts.features),
    massOrUniform(where, N, opts.mass),
    reward,
  );
}

/**
 * The K-action softmax over contexts' shared features, one weight vector per action:
 * φ(x, a) = e_a ⊗ ψ(x), i.e. π(a|x) ∝ exp(θ_aᵀψ(x)), θ = (θ_0, …, θ_{K−1}), d = K·m   [D]
 *
 * Prompts whose features are acute but whose correct actions differ interfere negatively.
 * `contexts.correctAction` must be < K.
 *
 * @example sharedFeatureSoftmaxPolicy(contextsFromArrays({ features: [1, 0], m: 2, correctAction:
 * [2] }), 3).d // => 6
 */
export function sharedFeatureSoftmaxPolicy(contexts: Contexts, K: number): LogLinearSoftmaxPolicy {
  const where = "sharedFeatureSoftmaxPolicy";
  checkInteger(where, "K", K, 2);
  const { M, m } = contexts;
  checkLength(where, "contexts.features", contexts.features, M * m, "M × m");
  checkFiniteArray(where, "contexts.features", contexts.features);
  const d = K * m;
  const features = new Float64Array(M * K * d);
  for (let x = 0; x < M; x++) {
    for (let a = 0; a < K; a++) {
      const o = (x * K + a) * d + a * m;
      for (let j = 0; j < m; j++) features[o + j] = contexts.features[x * m + j];
    }
  }
  const reward = rewardTable(where, M, K, contexts.correctAction, undefined);
  return new LogLinearSoftmaxPolicy(
    M,
    K,
    d,
    features,
    massOrUniform(where, M, contexts.mass),
    reward,
  );
}
