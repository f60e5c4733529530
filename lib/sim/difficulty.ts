/**
 * Difficulty-only populations (notebook 02): a distribution of per-prompt pass@1 values p(x)
 * without features — Beta mixtures, e.g. the U shape of easy and hard prompts (our choice).
 */
import type { Rng } from "../core/rng";
import { apportion, uniformMass } from "./populations";
import { checkFinite, checkInteger, checkPositive, show } from "../core/validate";

/** Masses and per-prompt success only: what the reweighting figures need. */
export interface DifficultyPopulation {
  /** Number of prompts N. */
  readonly N: number;
  /** Prompt masses D(x), uniform 1/N. */
  readonly mass: Float64Array;
  /** Per-prompt pass@1 p(x). */
  readonly p: Float64Array;
  /** Mixture component each prompt was drawn from (all 0 for a single Beta). */
  readonly component: Int32Array;
}

/** One Beta component of a difficulty mixture. */
export interface BetaComponent {
  /** Mixture weight (weights sum to 1). */
  weight: number;
  /** Beta shape a (> 0). */
  a: number;
  /** Beta shape b (> 0). */
  b: number;
  /** Label, e.g. "mostly solved". */
  name?: string;
}

/**
 * An illustrative U-shaped difficulty distribution [D: chosen by us, not fitted]: reasoning
 * models on MATH solve many prompts almost always and a sizeable block almost never, with a
 * thin middle. Means 0.92, 0.077 and 0.5; overall mean ≈ 0.58.
 */
export const U_SHAPED_MATH_COMPONENTS: readonly BetaComponent[] = Object.freeze([
  { weight: 0.5, a: 3, b: 0.25, name: "mostly solved" },
  { weight: 0.3, a: 0.25, b: 3, name: "mostly unsolved" },
  { weight: 0.2, a: 1, b: 1, name: "in between" },
]);

/** Options of {@link betaMixtureDifficulty}. */
export interface BetaMixtureOptions {
  /** Number of prompts N. */
  N: number;
  /** Mixture components; each prompt's p is drawn from one, chosen by weight. */
  components: readonly BetaComponent[];
  /** Source of the draws. */
  rng: Rng;
  /** "stratified" (default): exactly round(weight·N) prompts per component; "iid": random. */
  assignment?: "stratified" | "iid";
}

/**
 * Prompts whose success probabilities are drawn from a mixture of Beta distributions.
 *
 * p(x) ~ Σ_c weight_c Beta(a_c, b_c), masses 1/N   [D]
 *
 * Prompts are ordered by component (stratified) and `component` records which one drew each p.
 *
 * @example betaMixtureDifficulty({ N: 1000, components: U_SHAPED_MATH_COMPONENTS, rng: createRng(1)
 * }).p.length // => 1000
 */
export function betaMixtureDifficulty(opts: BetaMixtureOptions): DifficultyPopulation {
  const where = "betaMixtureDifficulty";
  const N = checkInteger(where, "N", opts.N, 1);
  const comps = opts.components;
  if (!Array.isArray(comps) || comps.length === 0) {
    throw new RangeError(`${where}: components must be a non-empty array, got ${show(comps)}`);
  }
  let total = 0;
  comps.forEach((c, i) => {
    const w = checkFinite(where, `components[${i}].weight`, c.weight);
    if (w < 0)
      throw new RangeError(`${where}: components[${i}].weight must be ≥ 0, got ${show(w)}`);
    total += w;
    checkPositive(where, `components[${i}].a`, c.a);
    checkPositive(where, `components[${i}].b`, c.b);
  });
  if (Math.abs(total - 1) > 1e-9)
    throw new RangeError(`${where}: components[].weight must sum to 1, got sum ${show(total)}`);
  const assignment = opts.assignment ?? "stratified";
  if (assignment !== "stratified" && assignment !== "iid") {
    throw new RangeError(
      `${where}: assignment must be "stratified" or "iid", got ${show(assignment)}`,
    );
  }
  const rng = opts.rng;
  const component = new Int32Array(N);
  if (assignment === "stratified") {
    const counts = apportion(
      N,
      comps.map((c) => c.weight),
    );
    let x = 0;
    counts.forEach((count, ci) => {
      for (let j = 0; j < count; j++) component[x++] = ci;
    });
  } else {
    const weights = comps.map((c) => c.weight);
    for (let x = 0; x < N; x++) component[x] = rng.categorical(weights);
  }
  const p = new Float64Array(N);
  for (let x = 0; x < N; x++) p[x] = rng.beta(comps[component[x]].a, comps[component[x]].b);
  return { N, mass: uniformMass(N), p, component };
}

/**
 * Prompts with p(x) ~ Beta(a, b): a single-hump (a, b > 1), flat (1, 1) or U-shaped (a, b < 1)
 * difficulty distribution.
 *
 * @example betaDifficulty({ N: 3, a: 2, b: 5, rng: createRng(1) }).p // => Float64Array [0.2403…,
 * 0.2987…, 0.4460…]  (Beta(2, 5), mean 2/7)
 */
export function betaDifficulty(opts: {
  N: number;
  a: number;
  b: number;
  rng: Rng;
}): DifficultyPopulation {
  checkPositive("betaDifficulty", "a", opts.a);
  checkPositive("betaDifficulty", "b", opts.b);
  return betaMixtureDifficulty({
    N: opts.N,
    components: [{ weight: 1, a: opts.a, b: opts.b }],
    rng: opts.rng,
  });
}

/**
 * The illustrative U-shaped MATH-like difficulty population ({@link U_SHAPED_MATH_COMPONENTS}).
 *
 * @example uShapedDifficulty({ N: 1000, rng: createRng(1) }).component.filter((c) => c ===
 * 1).length // => 300
 */
export function uShapedDifficulty(opts: {
  N: number;
  rng: Rng;
  components?: readonly BetaComponent[];
}): DifficultyPopulation {
  return betaMixtureDifficulty({
    N: opts.N,
    components: opts.components ?? U_SHAPED_MATH_COMPONENTS,
    rng: opts.rng,
  });
}
