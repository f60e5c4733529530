/**
 * The three policy families of lib/sim/policy.ts's softmax form (see there for the model and
 * the score): tabular softmax (the control with no interference), our two-action logistic
 * policy on shared features, and a K-action log-linear softmax over shared features. This file
 * is also the module's public surface: it re-exports ./policy.
 */
import type { Contexts } from "./populations";
import { massOrUniform, rewardTable, SoftmaxPolicy } from "./policy";
import type { Population } from "../core/types";
import { checkFiniteArray, checkInteger, checkLength, show } from "../core/validate";
import { logisticPopulation2Wasm } from "../core/kernels/logistic";

export * from "./policy";

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
    if (d === 2) {
      // the wasm kernel where it can (same bits), the JS loop for the rest
      const wasm = logisticPopulation2Wasm(theta[0], theta[1], features, reward, p, gradP);
      logisticPopulation2(
        theta[0],
        theta[1],
        wasm ? N - (N % 2) : 0,
        N,
        features,
        reward,
        p,
        gradP,
      );
      return pop;
    }
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
 * {@link LogisticPolicy.population} for d = 2 (our toy: ψ = [1, s]) for prompts x0 ≤ x < N, with
 * scalar θ and no inner loops over d; the same operations in the same order, so the same bits
 * (also those of lib/core/kernels/logistic.ts, which does the rest)   [D]
 */
function logisticPopulation2(
  t0: number,
  t1: number,
  x0: number,
  N: number,
  features: Float64Array,
  reward: Uint8Array,
  p: Float64Array,
  gradP: Float64Array,
): void {
  for (let x = x0; x < N; x++) {
    const f0 = features[2 * x];
    const f1 = features[2 * x + 1];
    const z = 0 + t0 * f0 + t1 * f1; // the general loop's sum, starting from 0
    const sign = reward[2 * x + 1] === 1 ? 1 : -1;
    const e = Math.exp(-Math.abs(z));
    const big = 1 / (1 + e);
    const small = e / (1 + e);
    p[x] = sign * z >= 0 ? big : small;
    const g = sign * big * small;
    gradP[2 * x] = g * f0;
    gradP[2 * x + 1] = g * f1;
  }
}

/**
 * Our two-action logistic policy over shared features (PAPER.md §6: the features ψ = [1, s] are
 * the paper's, the policy form is our choice).
 *
 * π_θ(1|x) = σ(θᵀψ(x));  p(x) = σ(θᵀψ) if action 1 is correct, 1 − σ(θᵀψ) otherwise;
 * ∇p(x) = ±σ'(θᵀψ(x))ψ(x)   [D: our policy for our easy/hard toy, and its explicit gradient]
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
