/**
 * Any objective of the registry (lib/theory/objectives.ts) on a population: its value, its exact
 * direction, its conflict with pass@1 over a grid of k and its normalised weights over prompts —
 * the weighted family J_W = E[W(p)], ∇J_W = E[w(p)∇p] with w = W' (issue 19; notebook 10).
 * pass@1 (W = p), pass@k (W = 1 − (1 − p)^k), pass^k (W = p^k) and a user's own W are members.
 */
import type { Population } from "../core/types";
import { dot } from "../core/stats";
import { checkInteger, checkKGrid } from "../core/validate";
import {
  agreementScoresUnchecked,
  checkPopulation,
  weightedGradientUnchecked,
} from "./interference";
import { projectedDirection } from "./mitigations";
import { checkMassAndP } from "./passAtK";
import { checkObjective, type Objective, type ObjectiveEntry } from "./objectives";

/**
 * The exact ascent direction of `objective` at k, unchecked (callers validated pop, objective
 * and k): the entry's coefficients D·w (with a(x) when it needs them; ∇J_1 for unit weights),
 * their weighted sum g_w, then its combination with ∇J_1 — as gradJ1, gradJk,
 * cappedWeightGradient, interferenceAwareGradient and projectedDirection compute them, to the
 * last bit. Writes g; returns ∇J_1.   [P for ∇J_1, ∇J_k; D for the rest, PAPER.md §9]
 */
export function objectiveDirectionUnchecked(
  pop: Population,
  entry: ObjectiveEntry,
  objective: Objective,
  k: number,
  g: Float64Array,
): Float64Array {
  const g1 = weightedGradientUnchecked(pop, pop.mass);
  if (entry.coefficients === null) {
    g.set(g1);
    return g1;
  }
  const coef = new Float64Array(pop.N);
  const a = entry.needs.includes("a(x)") ? agreementScoresUnchecked(pop, g1) : undefined;
  entry.coefficients(pop.mass, pop.p, k, objective as never, coef, a);
  const gw = weightedGradientUnchecked(pop, coef);
  if (entry.combine === "mixture") {
    const lambda = (objective as { lambda: number }).lambda;
    for (let j = 0; j < g.length; j++) g[j] = lambda * gw[j] + (1 - lambda) * g1[j];
  } else if (entry.combine === "projection") g.set(projectedDirection(gw, g1));
  else g.set(gw);
  return g1;
}

/** The objective's k when it has one (else 1). */
function ownK(objective: Objective): number {
  return "k" in objective && typeof objective.k === "number" ? objective.k : 1;
}

/**
 * The exact ascent direction of any registry objective at k (default: the objective's own k).
 *
 * g = Σ_x D(x)w(p(x))∇p(x), combined with ∇J_1 as the entry says   [P for pass@1 and pass@k;
 * D otherwise]
 *
 * @example objectiveDirection(workedExamplePopulation(), { kind: "passHatK", k: 3 }) // =>
 * Float64Array [1.2954, 0.6201] (= gradJHatK)
 */
export function objectiveDirection(
  pop: Population,
  objective: Objective,
  k: number = ownK(objective),
): Float64Array {
  const where = "objectiveDirection";
  checkPopulation(where, pop);
  const entry = checkObjective(where, objective);
  checkInteger(where, "k", k, 1);
  const g = new Float64Array(pop.d);
  objectiveDirectionUnchecked(pop, entry, objective, k, g);
  return g;
}

/** An objective's value and conflict with pass@1 on a grid of k (see {@link familyConflict}). */
export interface FamilyConflict {
  /** The k grid. */
  ks: number[];
  /** J_W = E[W(p)] at each k (NaN where the entry has no W, e.g. the projection). */
  value: Float64Array;
  /** ⟨g, ∇J_1⟩ at each k, from the direction g itself. */
  innerProduct: Float64Array;
  /** E[w(p) a] at each k: the conflict identity (equal to innerProduct for combine "none"). */
  identity: Float64Array;
  /** cos∠(g, ∇J_1) at each k (NaN when either is 0). */
  cosine: Float64Array;
  /** The first k of the grid with ⟨g, ∇J_1⟩ < 0 (null: none). */
  firstConflict: number | null;
}

/**
 * An objective's value J_W, its inner product with pass@1 and its cosine over a grid of k, and the
 * conflict identity E[w(p)a] beside the inner product computed from the direction.
 *
 * ⟨∇J_W, ∇J_1⟩ = E_x[w(p(x))a(x)],  a(x) = ⟨∇p(x), ∇J_1⟩   [D, PAPER.md §4 for pass@k; issue
 * 19 for the family]
 *
 * For a user's W the grid is ignored by W (pass `ks: [1]`). The identity uses the entry's
 * effective weight (for the interference-aware one with its factor s: not computed, NaN).
 *
 * @example familyConflict(workedExamplePopulation(), { kind: "passHatK", k: 1 }, [1, 3])
 * .innerProduct // => Float64Array [0.4, 0.8433]
 */
export function familyConflict(
  pop: Population,
  objective: Objective,
  ks: ArrayLike<number>,
): FamilyConflict {
  const where = "familyConflict";
  checkPopulation(where, pop);
  const entry = checkObjective(where, objective);
  checkKGrid(where, "ks", ks);
  const K = ks.length;
  const out: FamilyConflict = {
    ks: Array.from(ks),
    value: new Float64Array(K),
    innerProduct: new Float64Array(K),
    identity: new Float64Array(K),
    cosine: new Float64Array(K),
    firstConflict: null,
  };
  const g = new Float64Array(pop.d);
  let a: Float64Array | undefined;
  for (let s = 0; s < K; s++) {
    const k = ks[s];
    const g1 = objectiveDirectionUnchecked(pop, entry, objective, k, g);
    a ??= agreementScoresUnchecked(pop, g1);
    let value = 0;
    let identity = 0;
    for (let i = 0; i < pop.N; i++) {
      const p = pop.p[i];
      value += pop.mass[i] * (entry.value ? entry.value(p, k, objective as never) : NaN);
      identity += pop.mass[i] * entry.weight(p, k, objective as never) * a[i];
    }
    out.value[s] = value;
    out.identity[s] = entry.needs.includes("a(x)") ? NaN : identity;
    const inner = dot(g, g1);
    out.innerProduct[s] = inner;
    const norms = Math.sqrt(dot(g, g) * dot(g1, g1));
    out.cosine[s] = norms > 0 ? inner / norms : NaN;
    if (inner < 0 && (out.firstConflict === null || k < out.firstConflict)) out.firstConflict = k;
  }
  return out;
}

/**
 * The normalised reweighting of D by an objective's weight: the q-distribution of the family.
 *
 * q_w(x) = D(x)w(p(x))/Z,  Z = E_D[w(p)]   [D, PAPER.md §2 for pass@k; issue 19]
 *
 * Needs w ≥ 0 and Z > 0 (throws otherwise, naming the objective). For pass^k, Z = 0 exactly when
 * every prompt with mass has p = 0 (k ≥ 2).
 *
 * @example familyWeights({ kind: "passHatK", k: 2 }, [0.5, 0.5], [0.1, 0.9]) // =>
 * Float64Array [0.1, 0.9]
 */
export function familyWeights(
  objective: Objective,
  mass: ArrayLike<number>,
  p: ArrayLike<number>,
  k: number = ownK(objective),
): Float64Array {
  const where = "familyWeights";
  checkMassAndP(where, mass, p);
  const entry = checkObjective(where, objective);
  checkInteger(where, "k", k, 1);
  if (entry.needs.includes("a(x)") || entry.combine !== "none")
    throw new RangeError(
      `${where}: objective "${objective.kind}" is not a reweighting of D alone (it needs a(x) or ∇J_1)`,
    );
  const q = new Float64Array(p.length);
  let z = 0;
  for (let i = 0; i < p.length; i++) {
    const w = entry.weight(p[i], k, objective as never);
    if (!(w >= 0))
      throw new RangeError(
        `${where}: w(p[${i}] = ${p[i]}) = ${w} must be ≥ 0 for a q-distribution`,
      );
    q[i] = mass[i] * w;
    z += q[i];
  }
  if (!(z > 0))
    throw new RangeError(`${where}: Z = E[w(p)] is 0 for ${objective.kind} at k = ${k}`);
  for (let i = 0; i < q.length; i++) q[i] /= z;
  return q;
}
