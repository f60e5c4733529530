/**
 * Prompt populations for the simulations (PAPER.md §6; notebooks 02, 03, 05).
 *
 * Two kinds:
 * - `Contexts`: prompts with a feature vector ψ(x) ∈ R^m and a correct action, for the
 *   policies of lib/sim/policies.ts (which turn them into a `Population` with p and ∇p);
 * - `DifficultyPopulation`: only masses and per-prompt success p(x), for the reweighting
 *   figures, which need no gradients.
 * Every generator takes an explicit `Rng` (lib/core/rng.ts); there is no unseeded randomness here.
 */
import { checkMass } from "../theory/passAtK";
import type { Rng } from "../core/rng";
import {
  checkFinite,
  checkFiniteArray,
  checkInteger,
  checkLength,
  checkProbability,
  show,
} from "../core/validate";

/** Prompts with features ψ(x) and a correct action; masses D(x). */
export interface Contexts {
  /** Number of contexts (prompts) M. */
  readonly M: number;
  /** Feature dimension m of ψ(x). */
  readonly m: number;
  /** ψ(x) for every context, M × m row-major. */
  readonly features: Float64Array;
  /** The one correct action of each context (reward r(x, a) = 1 iff a = correctAction[x]). */
  readonly correctAction: Int32Array;
  /** Prompt masses D(x), length M, sum 1. */
  readonly mass: Float64Array;
  /** Group index of each context (easy = 0 / hard = 1, or a prompt-type index). */
  readonly group: Int32Array;
  /** Name of each group index. */
  readonly groupNames: readonly string[];
}

/** Uniform masses 1/M. */
export function uniformMass(M: number): Float64Array {
  checkInteger("uniformMass", "M", M, 1);
  return new Float64Array(M).fill(1 / M);
}

/**
 * Integer counts proportional to `shares` that sum to `total` (largest-remainder rounding),
 * so a population with shares (0.7, 0.3) and M = 10 has exactly 7 and 3 members.
 */
export function apportion(total: number, shares: readonly number[]): number[] {
  const raw = shares.map((s) => s * total);
  const counts = raw.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = raw
    .map((r, i) => [r - Math.floor(r), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let j = 0; left > 0; j = (j + 1) % order.length, left--) counts[order[j][1]]++;
  return counts;
}

/** Options of {@link easyHardBandit}. */
export interface EasyHardOptions {
  /** Number of contexts M. */
  M: number;
  /** Hard share ρ = P(hard). */
  rho: number;
  /** Separation Δ of the two score distributions. */
  delta: number;
  /** Source of the scores s(x) (and of the labels when `labels` is "iid"). */
  rng: Rng;
  /**
   * "stratified" (default): exactly round(ρM) hard contexts (largest remainder), so runs differ
   * only in the scores; "iid": each context hard with probability ρ.
   */
  labels?: "stratified" | "iid";
}

/**
 * Our concrete instance of the paper's easy/hard toy setting (PAPER.md §6), as a contextual bandit.
 *
 * label ~ Bernoulli(ρ) (hard), s | easy ~ N(+Δ/2, 1), s | hard ~ N(−Δ/2, 1), ψ(x) = [1, s(x)];
 * correct action 1 for easy, 0 for hard; masses 1/M.
 * [P: the latent label, ψ = [1, s], overlapping class-conditional scores with a separation
 * parameter; D: the two-action bandit, the Gaussian form, the ±Δ/2 means and the correct actions.]
 *
 * Easy contexts come first (indices 0 … M−round(ρM)−1), then hard ones; group 0 = "easy",
 * group 1 = "hard". ρ = 0 or 1 gives a single-label population; Δ = 0 makes the labels
 * indistinguishable from ψ.
 *
 * @example
 * const toy = easyHardBandit({ M: 4000, rho: 0.3, delta: 1, rng: createRng(1) });
 * toy.features.slice(0, 2); // => Float64Array [1, -0.05415082903068602]; contexts 2800…3999 are
 * the 1200 hard ones
 */
export function easyHardBandit(opts: EasyHardOptions): Contexts {
  const where = "easyHardBandit";
  const M = checkInteger(where, "M", opts.M, 1);
  const rho = checkProbability(where, "rho", opts.rho);
  const delta = checkFinite(where, "delta", opts.delta);
  if (delta < 0) throw new RangeError(`${where}: delta must be ≥ 0, got ${show(delta)}`);
  const labels = opts.labels ?? "stratified";
  if (labels !== "stratified" && labels !== "iid") {
    throw new RangeError(`${where}: labels must be "stratified" or "iid", got ${show(labels)}`);
  }
  const rng = opts.rng;
  let nHard: number;
  if (labels === "stratified") {
    nHard = apportion(M, [1 - rho, rho])[1];
  } else {
    nHard = 0;
    for (let i = 0; i < M; i++) if (rng.bernoulli(rho)) nHard++;
  }
  const nEasy = M - nHard;
  const features = new Float64Array(2 * M);
  const correctAction = new Int32Array(M);
  const group = new Int32Array(M);
  for (let i = 0; i < M; i++) {
    const hard = i >= nEasy;
    features[2 * i] = 1;
    features[2 * i + 1] = rng.normal(hard ? -delta / 2 : delta / 2, 1);
    correctAction[i] = hard ? 0 : 1;
    group[i] = hard ? 1 : 0;
  }
  return {
    M,
    m: 2,
    features,
    correctAction,
    mass: uniformMass(M),
    group,
    groupNames: ["easy", "hard"],
  };
}

/** One prompt type of {@link typedPromptContexts}. */
export interface PromptType {
  /** Name shown in legends, e.g. "algebra". */
  name: string;
  /** Share of contexts of this type (shares sum to 1). */
  share: number;
  /** Mean feature vector ψ of the type (length m, the same for every type). */
  direction: ArrayLike<number>;
  /** Correct action of every context of this type. */
  correctAction: number;
  /** Per-coordinate standard deviation of ψ around `direction` (default: the option `noise`). */
  noise?: number;
}

/** Options of {@link typedPromptContexts}. */
export interface TypedPromptOptions {
  /** The prompt types. */
  types: readonly PromptType[];
  /** Number of contexts M (split between types by largest-remainder rounding of the shares). */
  M: number;
  /** Default per-coordinate standard deviation of ψ around the type's direction (default 0). */
  noise?: number;
  /** Source of the feature noise (needed only when some noise > 0). */
  rng?: Rng;
}

/**
 * Contexts of several prompt types with hand-chosen feature directions, for building
 * interference by hand.
 *
 * ψ(x) = direction_t + noise_t·ε,  ε ~ N(0, I_m), for a context x of type t   [D]
 *
 * With the two-action logistic policy, ∇p(x) = ±σ'(θᵀψ)ψ (sign + when the correct action is 1),
 * so κ(x, x') has the sign of ±⟨ψ(x), ψ(x')⟩: types with acute directions and the same correct
 * action help each other; acute directions with opposite correct actions interfere negatively.
 * Contexts are ordered by type; `group` is the type index and `groupNames` the type names.
 *
 * @example
 * typedPromptContexts({ M: 4, types: [
 *   { name: "a", share: 0.5, direction: [1, 1], correctAction: 1 },
 *   { name: "b", share: 0.5, direction: [1, 0.5], correctAction: 0 }] }).features
 * // => Float64Array [1, 1, 1, 1, 1, 0.5, 1, 0.5]
 */
export function typedPromptContexts(opts: TypedPromptOptions): Contexts {
  const where = "typedPromptContexts";
  const types = opts.types;
  if (!Array.isArray(types) || types.length === 0) {
    throw new RangeError(`${where}: types must be a non-empty array, got ${show(types)}`);
  }
  const M = checkInteger(where, "M", opts.M, 1);
  const m = types[0].direction?.length ?? 0;
  if (!(m >= 1))
    throw new RangeError(
      `${where}: types[0].direction must be a non-empty array, got ${show(types[0].direction)}`,
    );
  const defaultNoise = opts.noise === undefined ? 0 : checkFinite(where, "noise", opts.noise);
  if (defaultNoise < 0)
    throw new RangeError(`${where}: noise must be ≥ 0, got ${show(defaultNoise)}`);
  let shareSum = 0;
  types.forEach((t, i) => {
    checkFiniteArray(where, `types[${i}].direction`, t.direction);
    checkLength(where, `types[${i}].direction`, t.direction, m, "types[0].direction");
    const share = checkFinite(where, `types[${i}].share`, t.share);
    if (share < 0)
      throw new RangeError(`${where}: types[${i}].share must be ≥ 0, got ${show(share)}`);
    shareSum += share;
    checkInteger(where, `types[${i}].correctAction`, t.correctAction, 0);
    if (t.noise !== undefined && !(checkFinite(where, `types[${i}].noise`, t.noise) >= 0)) {
      throw new RangeError(`${where}: types[${i}].noise must be ≥ 0, got ${show(t.noise)}`);
    }
  });
  if (Math.abs(shareSum - 1) > 1e-9)
    throw new RangeError(`${where}: types[].share must sum to 1, got sum ${show(shareSum)}`);
  const noises = types.map((t) => t.noise ?? defaultNoise);
  if (noises.some((s) => s > 0) && opts.rng === undefined) {
    throw new TypeError(`${where}: rng is required when a noise is > 0, got undefined`);
  }
  const counts = apportion(
    M,
    types.map((t) => t.share),
  );
  const features = new Float64Array(M * m);
  const correctAction = new Int32Array(M);
  const group = new Int32Array(M);
  let x = 0;
  types.forEach((t, ti) => {
    for (let c = 0; c < counts[ti]; c++, x++) {
      for (let j = 0; j < m; j++) {
        features[x * m + j] =
          t.direction[j] + (noises[ti] > 0 ? noises[ti] * (opts.rng as Rng).normal() : 0);
      }
      correctAction[x] = t.correctAction;
      group[x] = ti;
    }
  });
  return {
    M,
    m,
    features,
    correctAction,
    mass: uniformMass(M),
    group,
    groupNames: types.map((t) => t.name),
  };
}

/** Options of {@link contextsFromArrays}. */
export interface ContextArrays {
  /** ψ(x), M × m row-major (any array of numbers). */
  features: ArrayLike<number>;
  /** Feature dimension m. */
  m: number;
  /** Correct action of each context (integers ≥ 0). */
  correctAction: ArrayLike<number>;
  /** Prompt masses (default uniform). */
  mass?: ArrayLike<number>;
  /** Group of each context (default all 0) and the group names (default ["all"] or "g<i>"). */
  group?: ArrayLike<number>;
  groupNames?: readonly string[];
}

/**
 * Contexts from plain arrays, validated (lengths, finiteness, masses summing to 1), for
 * populations written out by hand in a notebook.
 *
 * @example contextsFromArrays({ features: [1, 2, 1, -1], m: 2, correctAction: [1, 0] }).M // => 2
 */
export function contextsFromArrays(arrays: ContextArrays): Contexts {
  const where = "contextsFromArrays";
  const m = checkInteger(where, "m", arrays.m, 1);
  checkFiniteArray(where, "features", arrays.features);
  if (arrays.features.length % m !== 0 || arrays.features.length === 0) {
    throw new RangeError(
      `${where}: features must have a positive length divisible by m = ${m}, got length ${arrays.features.length}`,
    );
  }
  const M = arrays.features.length / m;
  checkLength(where, "correctAction", arrays.correctAction, M, "features / m");
  for (let i = 0; i < M; i++)
    checkInteger(where, `correctAction[${i}]`, arrays.correctAction[i], 0);
  let mass: Float64Array;
  if (arrays.mass !== undefined) {
    checkMass(where, arrays.mass, M, "features / m");
    mass = Float64Array.from(arrays.mass);
  } else mass = uniformMass(M);
  const group = new Int32Array(M);
  if (arrays.group !== undefined) {
    checkLength(where, "group", arrays.group, M, "features / m");
    for (let i = 0; i < M; i++) group[i] = checkInteger(where, `group[${i}]`, arrays.group[i], 0);
  }
  let maxGroup = 0;
  for (let i = 0; i < M; i++) maxGroup = Math.max(maxGroup, group[i]);
  const groupNames =
    arrays.groupNames ??
    (maxGroup === 0 ? ["all"] : Array.from({ length: maxGroup + 1 }, (_, g) => `g${g}`));
  if (groupNames.length <= maxGroup) {
    throw new RangeError(
      `${where}: groupNames has ${groupNames.length} names, but group uses index ${maxGroup}`,
    );
  }
  return {
    M,
    m,
    features: Float64Array.from(arrays.features),
    correctAction: Int32Array.from(arrays.correctAction),
    mass,
    group,
    groupNames,
  };
}
