/**
 * The training objectives as one registry (PAPER.md §1–2, §9; issue 19's weighted family).
 *
 * Every objective this library trains on is, at a step, pass@1's gradient with each prompt
 * reweighted — g = Σ_x D(x)·w(p(x))·∇p(x) — optionally combined with ∇J_1 (the mixture) or
 * projected against it (the projection). An entry says which weight w(p) (and, where there is
 * one, which per-prompt objective W with W' = w), what it needs (k, λ, τ, a schedule, the
 * agreement scores a(x), the projection, a user's W), its provenance and its label. The generic
 * step (lib/sim/training.ts), the fused step (lib/sim/trainingStep.ts), the sampled estimators
 * (lib/sim/sampledGradients.ts, through `sampled`) and the figures read the registry; adding an
 * objective is one entry here (and its kind in the {@link Objective} union).
 *
 * The weight loops ({@link ObjectiveEntry.coefficients}) are written out in this module, not
 * called per prompt from another one: tsx compiles imports to getters that V8 does not inline,
 * and in the fused step that call costs half as much again as the exp and log1p it wraps.
 */
import { checkInteger, checkKGrid, checkLength, checkPositive, show } from "../core/validate";
import { checkProbability } from "../core/validate";
import { interferenceAwareCoefficients } from "./mitigations";
import { promptWeightUnchecked } from "./passAtK";

/** The objective whose ascent direction a run follows (kind + its parameters). */
export type Objective =
  /** g = ∇J_1. */
  | { kind: "pass1" }
  /** g = ∇J_k = E[w_k ∇p], w_k(p) = k(1 − p)^{k−1}. */
  | { kind: "passK"; k: number }
  /** g = ∇J^k = E[w^k ∇p], w^k(p) = k p^{k−1} (pass^k, all k samples succeed). */
  | { kind: "passHatK"; k: number }
  /** g = λ∇J_k + (1−λ)∇J_1 (λ ∈ [0, 1]; see safeMixingLambda for the pass@1-safe λ). */
  | { kind: "mixture"; k: number; lambda: number }
  /** g = ∇J_k with its component against ∇J_1 removed (projectedDirection). */
  | { kind: "projected"; k: number }
  /** g = E[min(w_k, τ)∇p] (cappedWeightGradient). Exact gradients only. */
  | { kind: "capped"; k: number; tau: number }
  /**
   * g = E[v∇p], v = w_k where a ≥ 0 and s·w_k where a < 0, s the largest factor in [0, 1] with
   * ⟨g, ∇J_1⟩ ≥ 0 (interferenceAwareGradient). Exact gradients only.
   */
  | { kind: "interferenceAware"; k: number }
  /**
   * g = ∇J_{k_t} with k_t annealed from kStart to kEnd (default 1) linearly over the run
   * (rounded), or given step by step in `schedule` (length = steps).
   */
  | { kind: "annealed"; kStart?: number; kEnd?: number; schedule?: ArrayLike<number> }
  /**
   * g = ∇J_W = E[W'(p)∇p] for a reader's own per-prompt objective J_W = E[W(p)]; `w` = W'
   * (default: W's central difference). Exact gradients only.
   */
  | { kind: "weighted"; W: (p: number) => number; w?: (p: number) => number; name?: string };

/** An objective's kind. */
export type ObjectiveKind = Objective["kind"];
/** The objective of one kind. */
export type ObjectiveOf<K extends ObjectiveKind> = Extract<Objective, { kind: K }>;

/** What an objective needs besides p: its parameters and the state it reads. */
export type ObjectiveNeed = "k" | "λ" | "τ" | "schedule" | "a(x)" | "projection" | "W";

/** One objective of the registry. */
export interface ObjectiveEntry<K extends ObjectiveKind = ObjectiveKind> {
  readonly kind: K;
  /** [P] the paper states it; [D] our derivation or choice (PAPER.md). */
  readonly provenance: "P" | "D";
  /** The direction as a formula (plain text). */
  readonly formula: string;
  /** What it needs besides p. */
  readonly needs: readonly ObjectiveNeed[];
  /** A short legend label. */
  label(o: ObjectiveOf<K>): string;
  /** Checks o's parameters (errors name `where`) and returns its k at each of `steps` steps. */
  schedule(where: string, o: ObjectiveOf<K>, steps: number): Int32Array;
  /**
   * The effective per-prompt weight w(p) of g = E[w∇p] at k (for the interference-aware one, of a
   * prompt with agreement a under the population's factor s; for the projection, before it).
   */
  weight(p: number, k: number, o: ObjectiveOf<K>, a?: number, s?: number): number;
  /** W(p), the per-prompt objective with W' = w, where the direction is a gradient of E[W(p)]. */
  readonly value?: (p: number, k: number, o: ObjectiveOf<K>) => number;
  /**
   * coef(x) = D(x)·w(p(x)) of the weighted sum the step starts from (`a`: the agreement scores,
   * for entries that need a(x)); null: unit weights, the sum is ∇J_1 itself.
   */
  readonly coefficients:
    | null
    | ((
        mass: Float64Array,
        p: Float64Array,
        k: number,
        o: ObjectiveOf<K>,
        out: Float64Array,
        a?: Float64Array,
      ) => void);
  /** After the weighted sum g_w: g = g_w, λg_w + (1−λ)∇J_1, or g_w projected against ∇J_1. */
  readonly combine: "none" | "mixture" | "projection";
  /** Whether train's fused exact step computes it (lib/sim/trainingStep.ts). */
  readonly fused: boolean;
  /**
   * Which sampled estimate stands for g_w (lib/sim/sampledGradients.ts): pass@1's, pass@k's at
   * the step's k, pass^k's; null: exact gradients only.
   */
  readonly sampled: null | "pass1" | "passK" | "passHatK";
}

/** w_k(p) = k(1 − p)^{k−1}   [P, PAPER.md §2] (passAtK.ts promptWeightUnchecked). */
const passAtKWeight = promptWeightUnchecked;

/** w^k(p) = k p^{k−1}   [D, issue 19] (k = 1: 1, also at p = 0). */
export function passHatKWeightUnchecked(p: number, k: number): number {
  return k === 1 ? 1 : k * Math.pow(p, k - 1);
}

/** coef(x) = D(x)·min(w_k(p(x)), τ) (τ = ∞: gradJk's coefficients)   [P; D for τ, §9] */
function passAtKCoefficients(
  mass: Float64Array,
  p: Float64Array,
  k: number,
  tau: number,
  out: Float64Array,
): void {
  for (let i = 0; i < p.length; i++) out[i] = mass[i] * Math.min(passAtKWeight(p[i], k), tau);
}

function checkK(where: string, o: { k: number }, steps: number): Int32Array {
  checkInteger(where, "objective.k", o.k, 1);
  return new Int32Array(steps).fill(o.k);
}

/**
 * The integer k schedule of a linear anneal from kStart to kEnd over `steps` steps.
 *
 * k_t = round(kStart + (kEnd − kStart)·t/(steps − 1)),  t = 0 … steps−1   [D; PKPO anneals k,
 * PAPER.md §8–9]
 *
 * @example annealingSchedule(8, 1, 5) // => Int32Array [8, 6, 5, 3, 1]
 */
export function annealingSchedule(kStart: number, kEnd: number, steps: number): Int32Array {
  checkInteger("annealingSchedule", "kStart", kStart, 1);
  checkInteger("annealingSchedule", "kEnd", kEnd, 1);
  checkInteger("annealingSchedule", "steps", steps, 0);
  const out = new Int32Array(steps);
  for (let t = 0; t < steps; t++)
    out[t] = Math.round(kStart + ((kEnd - kStart) * t) / Math.max(1, steps - 1));
  return out;
}

/** W's central difference (one-sided within h of 0 and 1), h = 1e-6   [D] */
function numericDerivative(W: (p: number) => number, p: number): number {
  const h = 1e-6;
  const lo = Math.max(0, p - h);
  const hi = Math.min(1, p + h);
  return (W(hi) - W(lo)) / (hi - lo);
}

function weightOf(o: ObjectiveOf<"weighted">): (p: number) => number {
  return o.w ?? ((p: number) => numericDerivative(o.W, p));
}

/** The registry, one entry per objective kind. */
export const OBJECTIVES: { readonly [K in ObjectiveKind]: ObjectiveEntry<K> } = Object.freeze({
  pass1: {
    kind: "pass1",
    provenance: "P",
    formula: "∇J_1 = E[∇p]",
    needs: [],
    label: () => "pass@1",
    schedule: (_where, _o, steps) => new Int32Array(steps).fill(1),
    weight: () => 1,
    value: (p) => p,
    coefficients: null,
    combine: "none",
    fused: true,
    sampled: "pass1",
  },
  passK: {
    kind: "passK",
    provenance: "P",
    formula: "∇J_k = E[w_k(p)∇p], w_k = k(1 − p)^{k−1}",
    needs: ["k"],
    label: (o) => `pass@${o.k}`,
    schedule: checkK,
    weight: (p, k) => passAtKWeight(p, k),
    value: (p, k) => (k === 1 ? p : -Math.expm1(k * Math.log1p(-p))),
    coefficients: (mass, p, k, _o, out) => passAtKCoefficients(mass, p, k, Infinity, out),
    combine: "none",
    fused: true,
    sampled: "passK",
  },
  passHatK: {
    kind: "passHatK",
    provenance: "D",
    formula: "∇J^k = E[w^k(p)∇p], w^k = k p^{k−1}",
    needs: ["k"],
    label: (o) => `pass^${o.k}`,
    schedule: checkK,
    weight: (p, k) => passHatKWeightUnchecked(p, k),
    value: (p, k) => Math.pow(p, k),
    coefficients: (mass, p, k, _o, out) => {
      for (let i = 0; i < p.length; i++) out[i] = mass[i] * passHatKWeightUnchecked(p[i], k);
    },
    combine: "none",
    fused: true,
    sampled: "passHatK",
  },
  mixture: {
    kind: "mixture",
    provenance: "D",
    formula: "λ∇J_k + (1 − λ)∇J_1",
    needs: ["k", "λ"],
    label: (o) => `mixture λ = ${o.lambda}`,
    schedule: (where, o, steps) => {
      checkProbability(where, "objective.lambda", o.lambda);
      return checkK(where, o, steps);
    },
    weight: (p, k, o) => o.lambda * passAtKWeight(p, k) + (1 - o.lambda),
    value: (p, k, o) =>
      o.lambda * (k === 1 ? p : -Math.expm1(k * Math.log1p(-p))) + (1 - o.lambda) * p,
    coefficients: (mass, p, k, _o, out) => passAtKCoefficients(mass, p, k, Infinity, out),
    combine: "mixture",
    fused: true,
    sampled: "passK",
  },
  projected: {
    kind: "projected",
    provenance: "D",
    formula: "∇J_k − (min(0, c)/‖∇J_1‖²)∇J_1",
    needs: ["k", "projection"],
    label: () => "projection",
    schedule: checkK,
    weight: (p, k) => passAtKWeight(p, k),
    coefficients: (mass, p, k, _o, out) => passAtKCoefficients(mass, p, k, Infinity, out),
    combine: "projection",
    fused: true,
    sampled: "passK",
  },
  capped: {
    kind: "capped",
    provenance: "D",
    formula: "E[min(w_k, τ)∇p]",
    needs: ["k", "τ"],
    label: (o) => `capped, τ = ${o.tau}`,
    schedule: (where, o, steps) => {
      const ks = checkK(where, o, steps);
      checkPositive(where, "objective.tau", o.tau);
      return ks;
    },
    weight: (p, k, o) => Math.min(passAtKWeight(p, k), o.tau),
    coefficients: (mass, p, k, o, out) => passAtKCoefficients(mass, p, k, o.tau, out),
    combine: "none",
    fused: true,
    sampled: null,
  },
  interferenceAware: {
    kind: "interferenceAware",
    provenance: "D",
    formula: "E[v∇p], v = w_k (a ≥ 0), s·w_k (a < 0)",
    needs: ["k", "a(x)"],
    label: () => "interference-aware",
    schedule: checkK,
    weight: (p, k, _o, a = 0, s = 1) => (a < 0 ? s : 1) * passAtKWeight(p, k),
    coefficients: (mass, p, k, _o, out, a) => {
      if (a === undefined) throw new TypeError("interferenceAware: needs the agreement scores");
      interferenceAwareCoefficients(mass, p, a, k, out);
    },
    combine: "none",
    fused: false,
    sampled: null,
  },
  annealed: {
    kind: "annealed",
    provenance: "D",
    formula: "∇J_{k_t}, k_t from kStart to kEnd",
    needs: ["schedule"],
    label: (o) =>
      o.schedule !== undefined ? "annealed k" : `annealed k: ${o.kStart} → ${o.kEnd ?? 1}`,
    schedule: (where, o, steps) => {
      if (o.schedule !== undefined) {
        checkKGrid(where, "objective.schedule", o.schedule);
        checkLength(where, "objective.schedule", o.schedule, steps, "steps");
        return Int32Array.from(o.schedule);
      }
      if (o.kStart === undefined)
        throw new TypeError(`${where}: objective "annealed" needs kStart or schedule`);
      checkInteger(where, "objective.kStart", o.kStart, 1);
      if (o.kEnd !== undefined) checkInteger(where, "objective.kEnd", o.kEnd, 1);
      return annealingSchedule(o.kStart, o.kEnd ?? 1, steps);
    },
    weight: (p, k) => passAtKWeight(p, k),
    value: (p, k) => (k === 1 ? p : -Math.expm1(k * Math.log1p(-p))),
    coefficients: (mass, p, k, _o, out) => passAtKCoefficients(mass, p, k, Infinity, out),
    combine: "none",
    fused: true,
    sampled: "passK",
  },
  weighted: {
    kind: "weighted",
    provenance: "D",
    formula: "∇J_W = E[W'(p)∇p]",
    needs: ["W"],
    label: (o) => o.name ?? "J_W",
    schedule: (where, o, steps) => {
      checkWeightedObjective(where, o);
      return new Int32Array(steps).fill(1);
    },
    weight: (p, _k, o) => weightOf(o)(p),
    value: (p, _k, o) => o.W(p),
    coefficients: (mass, p, _k, o, out) => {
      const w = weightOf(o);
      for (let i = 0; i < p.length; i++) out[i] = mass[i] * w(p[i]);
    },
    combine: "none",
    fused: true,
    sampled: null,
  },
});

/** All objective kinds, in registry order. */
export const OBJECTIVE_KINDS: readonly ObjectiveKind[] = Object.freeze(
  Object.keys(OBJECTIVES) as ObjectiveKind[],
);

/**
 * Checks a user-supplied W (and w): functions, finite on [0, 1], and w = W' to 1e-4 (relative to
 * 1 + |w|) at p = 0.05, 0.1, …, 0.95 against W's central difference (h = 1e-6)   [D]
 */
function checkWeightedObjective(where: string, o: ObjectiveOf<"weighted">): void {
  if (typeof o.W !== "function")
    throw new TypeError(`${where}: objective.W must be a function of p, got ${show(o.W)}`);
  if (o.w !== undefined && typeof o.w !== "function")
    throw new TypeError(`${where}: objective.w must be a function of p, got ${show(o.w)}`);
  const w = weightOf(o);
  for (let i = 0; i <= 20; i++) {
    const p = i / 20;
    if (!Number.isFinite(o.W(p)) || !Number.isFinite(w(p)))
      throw new RangeError(`${where}: objective.W and w must be finite on [0, 1]; not at p = ${p}`);
    if (o.w === undefined || i === 0 || i === 20) continue;
    const fd = numericDerivative(o.W, p);
    if (!(Math.abs(fd - w(p)) <= 1e-4 * (1 + Math.abs(w(p)))))
      throw new RangeError(
        `${where}: objective.w must be W' — at p = ${p}, w = ${w(p)} but W's difference gives ${fd}`,
      );
  }
}

/**
 * The registry entry of an objective, after checking it is an object with a known kind (errors
 * name `where` and the kinds).
 *
 * @example objectiveEntry("train", { kind: "passK", k: 4 }).label({ kind: "passK", k: 4 }) //
 * => "pass@4"
 */
export function objectiveEntry<O extends Objective>(
  where: string,
  objective: O,
): ObjectiveEntry<O["kind"]> {
  if (objective == null || typeof objective !== "object")
    throw new TypeError(
      `${where}: objective must be an object with a kind, got ${show(objective)}`,
    );
  const kind = (objective as { kind: unknown }).kind;
  if (typeof kind !== "string" || !Object.prototype.hasOwnProperty.call(OBJECTIVES, kind))
    throw new RangeError(
      `${where}: objective.kind must be one of ${OBJECTIVE_KINDS.join(", ")}, got ${show(kind)}`,
    );
  return OBJECTIVES[kind as O["kind"]] as unknown as ObjectiveEntry<O["kind"]>;
}

/**
 * Checks an objective's parameters outside a run (the schedule of an "annealed" one against its
 * own length); returns its registry entry.
 */
export function checkObjective<O extends Objective>(
  where: string,
  objective: O,
): ObjectiveEntry<O["kind"]> {
  const entry = objectiveEntry(where, objective);
  const own = (objective as { schedule?: ArrayLike<number> }).schedule;
  entry.schedule(where, objective as never, own === undefined ? 0 : own.length);
  return entry;
}

/**
 * An objective's per-prompt weights w(p) at k on a grid of p (for figures: the weight curves of
 * the family)   [P for pass@1 and pass@k; D otherwise]
 *
 * @example objectiveWeights({ kind: "passHatK", k: 3 }, [0.5], 3) // => Float64Array [0.75]
 */
export function objectiveWeights(
  objective: Objective,
  ps: ArrayLike<number>,
  k: number = "k" in objective && typeof objective.k === "number" ? objective.k : 1,
): Float64Array {
  const entry = checkObjective("objectiveWeights", objective);
  checkInteger("objectiveWeights", "k", k, 1);
  return Float64Array.from(ps, (p, i) => {
    checkProbability("objectiveWeights", `ps[${i}]`, p);
    return entry.weight(p, k, objective as never);
  });
}
