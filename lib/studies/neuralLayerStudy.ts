/**
 * Last layer against the whole network on the stand-in (notebook 08 §5; issue 16): the paper's
 * diagnostic takes partial gradients [P, PAPER.md §7]; ours takes the last layer (our choice
 * [D]). This study computes agreement scores, ⟨∇J_k, ∇J_1⟩ and k* from the last layer and from
 * all parameters of the same network, exactly and from the same sampled answers, and says how far
 * the cheap measurement follows the full one. Pure and seeded (float64 network, no tfjs).
 */
import { SampleAccumulator, type SampleData } from "../core/samples";
import type { Rng } from "../core/rng";
import { checkInteger, checkKGrid } from "../core/validate";
import { diagnose } from "../diagnostic/bootstrap";
import type { DiagnosticResult } from "../diagnostic/types";
import { conflictProfile, type ConflictProfile } from "../theory/interference";
import { promptWeightUnchecked } from "../theory/passAtK";
import { kStarExact } from "../theory/threshold";
import {
  allScores,
  drawAnswers,
  forwardPass,
  fullPopulation,
  lastLayerOffset,
  lastLayerPopulation,
  parameterCount,
  type NetworkWeights,
} from "../sim/neural/network";
import type { ModularTask } from "../sim/neural/task";

/**
 * Pearson correlation of two equally long samples (NaN if either is constant); a standard
 * statistic, not a formula of the paper.
 */
export function pearson(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const n = u.length;
  let mu = 0;
  let mv = 0;
  for (let i = 0; i < n; i++) {
    mu += u[i] / n;
    mv += v[i] / n;
  }
  let suv = 0;
  let suu = 0;
  let svv = 0;
  for (let i = 0; i < n; i++) {
    suv += (u[i] - mu) * (v[i] - mv);
    suu += (u[i] - mu) ** 2;
    svv += (v[i] - mv) ** 2;
  }
  return suu > 0 && svv > 0 ? suv / Math.sqrt(suu * svv) : NaN;
}

/** Ranks 1 … n, ties given their average rank. */
function ranks(u: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: u.length }, (_, i) => i).sort((i, j) => u[i] - u[j]);
  const r = new Float64Array(u.length);
  for (let s = 0; s < idx.length;) {
    let e = s;
    while (e + 1 < idx.length && u[idx[e + 1]] === u[idx[s]]) e++;
    for (let t = s; t <= e; t++) r[idx[t]] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return r;
}

/** Spearman rank correlation: Pearson correlation of the (tie-averaged) ranks (standard). */
export function spearman(u: ArrayLike<number>, v: ArrayLike<number>): number {
  return pearson(ranks(u), ranks(v));
}

/** Options of {@link layerAgreementStudy}. */
export interface LayerAgreementOptions {
  /** Answers per prompt of the sampled diagnostic (one batch, shared by both parameter sets). */
  n: number;
  /** k grid of the sampled diagnostic (2k ≤ n for the cross-fit). */
  ks: readonly number[];
  /** Largest k of the exact curves (k = 1 … kMax). */
  kMax: number;
  /** Bootstrap replicates of the sampled diagnostic (0 = none). */
  bootstrap?: number;
  rng: Rng;
}

/** One parameter set's exact and sampled conflict. */
export interface LayerSide {
  /** Parameter count d. */
  d: number;
  /** Exact a(x) = ⟨∇p(x), ∇J_1⟩ over this parameter set. */
  agreement: Float64Array;
  /** Exact profile over k = 1 … kMax (cosine = ⟨∇J_k, ∇J_1⟩/(‖∇J_k‖‖∇J_1‖)). */
  exact: ConflictProfile;
  /** Exact k* (first k with E[w_k a] < 0, scanned to 4096), null if none. */
  kStarExact: number | null;
  /** The diagnostic on the shared batch with this parameter set's scores. */
  sampled: DiagnosticResult;
}

/** Result of {@link layerAgreementStudy}. */
export interface LayerAgreementResult {
  /** Exact p(x). */
  p: Float64Array;
  last: LayerSide;
  full: LayerSide;
  /** Pearson and Spearman correlation of exact a_last(x) and a_full(x) over prompts. */
  pearson: number;
  spearman: number;
  /** Share of prompts (uniform D) with sign a_last(x) = sign a_full(x). */
  signAgreement: number;
  /** The same share weighted by q_k ∝ w_k(p) (exact p), for k of `ks`. */
  signAgreementWeighted: number[];
  /** The diagnostic's k grid. */
  ks: number[];
  /** Among prompts with a correct sample, share with sign â_last = sign â_full (sampled). */
  sampledSignAgreement: number;
}

/** SampleData of a batch with the scores of columns [from, D) of the full score. */
function batchData(
  task: ModularTask,
  S: Float64Array,
  D: number,
  from: number,
  draw: { n: number; answers: Int32Array; correct: Uint8Array },
): SampleData {
  const acc = new SampleAccumulator(`stand-in, n = ${draw.n}, parameters ${from}…${D - 1}`);
  const m = task.modulus;
  for (let x = 0; x < task.N; x++) {
    for (let j = 0; j < draw.n; j++) {
      const i = x * draw.n + j;
      const row = (x * m + draw.answers[i]) * D;
      acc.add(task.ids[x], draw.correct[i] === 1, S.subarray(row + from, row + D));
    }
  }
  return acc.finish();
}

/**
 * Agreement, ⟨∇J_k, ∇J_1⟩ and k* from the last layer and from all parameters, on the same network
 * and the same sampled answers:
 *
 *   a_S(x) = ⟨∇_S p(x), ∇_S J_1⟩,  ⟨∇_S J_k, ∇_S J_1⟩ = E[w_k a_S]   [D, PAPER.md §3–4]
 *
 * for S = θ_L (last layer) and S = θ (all). Exact values come from lib/theory `conflictProfile`
 * on each population; sampled ones from lib/diagnostic `diagnose` on one batch of n answers per
 * prompt scored twice (last-layer part and full score of the same answers).
 */
export function layerAgreementStudy(
  task: ModularTask,
  net: NetworkWeights,
  opts: LayerAgreementOptions,
): LayerAgreementResult {
  const where = "layerAgreementStudy";
  const n = checkInteger(where, "n", opts.n, 2);
  const ks = Array.from(checkKGrid(where, "ks", opts.ks));
  const kMax = checkInteger(where, "kMax", opts.kMax, 1);
  const fineK = Array.from({ length: kMax }, (_, i) => i + 1);
  const fullPop = fullPopulation(task, net);
  const lastPop = lastLayerPopulation(fullPop, net);
  const fwd = forwardPass(task, net);
  const S = allScores(task, net, fwd);
  const D = parameterCount(net);
  const draw = drawAnswers(task, fwd, n, opts.rng);
  const seed = checkInteger(where, "bootstrap seed", Math.floor(opts.rng.uniform() * 2 ** 31), 0);
  const side = (pop: typeof fullPop, from: number): LayerSide => {
    const exact = conflictProfile(pop, fineK);
    const data = batchData(task, S, D, from, draw);
    return {
      d: pop.d,
      agreement: exact.agreement,
      exact,
      kStarExact: kStarExact(pop.mass, pop.p, exact.agreement),
      sampled: diagnose(data, { k: ks, bootstrap: opts.bootstrap ?? 0, seed }),
    };
  };
  const last = side(lastPop, lastLayerOffset(net));
  const full = side(fullPop, 0);
  const p = fullPop.p;
  const same = (x: number) => Math.sign(last.agreement[x]) === Math.sign(full.agreement[x]);
  let agree = 0;
  for (let x = 0; x < task.N; x++) if (same(x)) agree++;
  const signAgreementWeighted = ks.map((k) => {
    let num = 0;
    let den = 0;
    for (let x = 0; x < task.N; x++) {
      const w = promptWeightUnchecked(p[x], k);
      den += w;
      if (same(x)) num += w;
    }
    return den > 0 ? num / den : NaN;
  });
  let det = 0;
  let detAgree = 0;
  last.sampled.perPrompt.forEach((e, x) => {
    const f = full.sampled.perPrompt[x].agreement;
    if (e.agreement === null || f === null) return;
    det++;
    if (Math.sign(e.agreement) === Math.sign(f)) detAgree++;
  });
  return {
    p,
    last,
    full,
    pearson: pearson(last.agreement, full.agreement),
    spearman: spearman(last.agreement, full.agreement),
    signAgreement: agree / task.N,
    signAgreementWeighted,
    ks,
    sampledSignAgreement: det > 0 ? detAgree / det : NaN,
  };
}
