/**
 * What a training run records (lib/sim/training.ts): the per-record trajectories of J_1, J_k,
 * ⟨∇J_k, ∇J_1⟩, the cosine, q_k on {a < 0}, k*, and the direction actually taken; and the history
 * as table rows.
 */
import { dot } from "../core/stats";
import { conflictProfile } from "../theory/interference";
import { kStarExact } from "../theory/threshold";
import type { Population } from "../core/types";

/**
 * Per-record trajectories of a run; records are at steps 0, every, 2·every, …, and the last step.
 */
export interface TrainingHistory {
  /** The recorded k grid. */
  ks: number[];
  /** Step index t of each record (θ_t, before the t-th update). */
  step: number[];
  /**
   * The objective's k at that step (1 for pass@1, the schedule for annealing, NaN after the last
   * step).
   */
  k: number[];
  /** J_1(θ_t). */
  J1: number[];
  /** J_k(θ_t), [grid index][record]. */
  passAtK: number[][];
  /** ⟨∇J_k, ∇J_1⟩ at θ_t, [grid index][record]. */
  innerProduct: number[][];
  /** cos∠(∇J_k, ∇J_1) at θ_t, [grid index][record]. */
  cosine: number[][];
  /** D-mass of negatively interfering prompts, Σ_x D(x)·1{a(x) < 0}. */
  negativeShare: number[];
  /** k*_exact at θ_t (null: no conflict up to the scan limit). */
  kStar: (number | null)[];
  /** ⟨g_t, ∇J_1(θ_t)⟩ of the direction actually used at step t (NaN at the final record). */
  stepInnerProduct: number[];
  /** ‖g_t‖ of the direction actually used at step t (NaN at the final record). */
  stepNorm: number[];
}

/**
 * The generic record (checked library calls): conflictProfile over the grid, whose ∇J_1 and a(x)
 * serve the negative share and k*; returns ∇J_1.
 */
export function recordState(
  h: TrainingHistory,
  pop: Population,
  ks: number[],
  kStarMax: number,
  t: number,
  k: number,
): Float64Array {
  const profile = conflictProfile(pop, ks);
  const a = profile.agreement;
  let negative = 0;
  for (let x = 0; x < pop.N; x++) if (a[x] < 0) negative += pop.mass[x];
  let j1 = 0;
  for (let x = 0; x < pop.N; x++) j1 += pop.mass[x] * pop.p[x];
  const kStar = kStarExact(pop.mass, pop.p, a, { kMax: kStarMax });
  pushRecord(h, t, k, j1, profile.passAtK, profile.innerProduct, profile.cosine, negative, kStar);
  return profile.gradJ1;
}

/** Appends one record's values (grid series indexed like h.ks). */
export function pushRecord(
  h: TrainingHistory,
  t: number,
  k: number,
  j1: number,
  passAtK: Float64Array,
  innerProduct: Float64Array,
  cosine: Float64Array,
  negative: number,
  kStar: number | null,
): void {
  h.step.push(t);
  h.k.push(k);
  h.J1.push(j1);
  for (let s = 0; s < h.ks.length; s++) {
    h.passAtK[s].push(passAtK[s]);
    h.innerProduct[s].push(innerProduct[s]);
    h.cosine[s].push(cosine[s]);
  }
  h.negativeShare.push(negative);
  h.kStar.push(kStar);
}

/** Appends ⟨g, ∇J_1⟩ and ‖g‖ of the step taken from this record (NaN after the last step). */
export function pushStep(
  h: TrainingHistory,
  stepping: boolean,
  g: Float64Array,
  g1: Float64Array,
): void {
  h.stepInnerProduct.push(stepping ? dot(g, g1) : NaN);
  h.stepNorm.push(stepping ? Math.sqrt(dot(g, g)) : NaN);
}

/**
 * The history as one plain object per record (for tables and danfojs DataFrames):
 * { step, k, J1, negativeShare, kStar, stepInnerProduct, stepNorm, "J_k=<k>", "ip_k=<k>",
 * "cos_k=<k>" … }.
 *
 * @example historyRows(run.history)[0] // => { step: 0, k: 4, J1: 0.688, "J_k=4": 0.911, … }
 */
export function historyRows(history: TrainingHistory): Record<string, number | null>[] {
  return history.step.map((step, r) => {
    const row: Record<string, number | null> = {
      step,
      k: history.k[r],
      J1: history.J1[r],
      negativeShare: history.negativeShare[r],
      kStar: history.kStar[r],
      stepInnerProduct: history.stepInnerProduct[r],
      stepNorm: history.stepNorm[r],
    };
    history.ks.forEach((k, s) => {
      row[`J_k=${k}`] = history.passAtK[s][r];
      row[`ip_k=${k}`] = history.innerProduct[s][r];
      row[`cos_k=${k}`] = history.cosine[s][r];
    });
    return row;
  });
}
