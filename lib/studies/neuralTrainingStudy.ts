/**
 * Multi-step sampled training on the stand-in (notebook 08 §6; issue 16): T steps of sampled
 * pass@k ascent (the unbiased-weight estimator and PKPO) against sampled pass@1 ascent, several
 * seeds, exact J_1 and J_k recorded at every step. The one-step result of PAPER.md §5 [P] says a
 * small step along ∇J_k lowers J_1 when ⟨∇J_k, ∇J_1⟩ < 0; claim 8 of PAPER.md §10 extends it to
 * many steps. Here the steps are sampled, so sampling noise could break it. Pure and seeded.
 */
import { createRng } from "../core/rng";
import { checkInteger, checkKGrid, checkPositive } from "../core/validate";
import type { GradientEstimator } from "../sim/sampledGradients";
import type { NetworkWeights } from "../sim/neural/network";
import { networkKStar, sampledAscent } from "../sim/neural/sampledTraining";
import type { ModularTask } from "../sim/neural/task";

/** Mean over seeds with a ±2 SE band, per step. */
export interface SeedBand {
  mean: number[];
  lo: number[];
  hi: number[];
}

/** One arm: an objective (estimator, k) run from the same start with every seed. */
export interface NeuralTrainingArm {
  /** Label, e.g. "pass@8, PKPO". */
  label: string;
  /** The estimator's name for a legend, e.g. "PKPO" (the same across k). */
  name: string;
  estimator: GradientEstimator;
  /** The estimator's k (1 for pass@1). */
  k: number;
  /** Exact J_1 over steps: mean and ±2 SE over seeds. */
  J1: SeedBand;
  /** Exact J_k for each k of the study's `ks` (mean and ±2 SE over seeds). */
  Jk: SeedBand[];
  /** J_1(T) − J_1(0) per seed, its mean and standard error over seeds. */
  changeJ1: { perSeed: number[]; mean: number; se: number };
  /** J_k(T) − J_k(0) for each k of `ks`. */
  changeJk: { perSeed: number[]; mean: number; se: number }[];
  /** Exact k* over all parameters at the end of each seed's run (null: none up to 4096). */
  kStarEnd: (number | null)[];
}

/** Options of {@link neuralTrainingStudy}. */
export interface NeuralTrainingOptions {
  /** The k of the pass@k arms (typically one below and one above the starting k*). */
  ks: readonly number[];
  /** Sampled estimators of ∇J_k (default: unbiasedWeight and pkpo). */
  estimators?: readonly GradientEstimator[];
  /** Answers per prompt per step. */
  n: number;
  /** Steps T. */
  steps: number;
  /** Step size η (pass@k arms step η/k, lib/sim/neural/sampledTraining.ts). */
  learningRate: number;
  /** Number of seeds S. */
  seeds: number;
  /** Base seed: seed s of every arm uses createRng(seed + s). */
  seed: number;
}

/** Result of {@link neuralTrainingStudy}. */
export interface NeuralTrainingResult {
  ks: number[];
  steps: number[];
  seeds: number;
  /** Exact k* at the start: over all parameters and over the last layer. */
  kStarStart: { full: number | null; last: number | null };
  /** The pass@k arms (estimator-major: for each estimator, each k), then pass@1 (last). */
  arms: NeuralTrainingArm[];
}

const ESTIMATOR_LABEL: Partial<Record<GradientEstimator, string>> = {
  unbiasedWeight: "unbiased ŵ_k",
  pkpo: "PKPO",
  reinforceLeaveOneOut: "REINFORCE, leave-one-out baseline",
};

/** Mean and standard error sd/√S of a list. */
export function meanSe(v: readonly number[]): { mean: number; se: number } {
  const S = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / S;
  const sd = S > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (S - 1)) : NaN;
  return { mean, se: sd / Math.sqrt(S) };
}

function band(runs: readonly Float64Array[]): SeedBand {
  const T = runs[0].length;
  const out: SeedBand = { mean: [], lo: [], hi: [] };
  for (let t = 0; t < T; t++) {
    const { mean, se } = meanSe(runs.map((r) => r[t]));
    const half = Number.isFinite(se) ? 2 * se : 0;
    out.mean.push(mean);
    out.lo.push(mean - half);
    out.hi.push(mean + half);
  }
  return out;
}

/**
 * Runs every arm — each estimator at each k of `ks`, and pass@1 (REINFORCE with a leave-one-out
 * baseline, unbiased for ∇J_1 [D]) — from the same start for S seeds, and aggregates exact J_1
 * and J_k: mean over seeds with a ±2 SE band, final changes with their SE, k* at start and end
 * (lib/sim/neural/sampledTraining.ts `networkKStar`, all parameters).
 */
export function neuralTrainingStudy(
  task: ModularTask,
  start: NetworkWeights,
  opts: NeuralTrainingOptions,
): NeuralTrainingResult {
  const where = "neuralTrainingStudy";
  const ks = Array.from(checkKGrid(where, "ks", opts.ks));
  const T = checkInteger(where, "steps", opts.steps, 1);
  const S = checkInteger(where, "seeds", opts.seeds, 2);
  const n = checkInteger(where, "n", opts.n, 2);
  const lr = checkPositive(where, "learningRate", opts.learningRate);
  const seed = checkInteger(where, "seed", opts.seed, 0);
  const estimators = opts.estimators ?? (["unbiasedWeight", "pkpo"] as const);
  const plan: { estimator: GradientEstimator; k: number; label: string; name: string }[] = [];
  for (const estimator of estimators) {
    const name = `pass@k, ${ESTIMATOR_LABEL[estimator] ?? estimator}`;
    for (const k of ks) plan.push({ estimator, k, label: `pass@${k}, ${name.slice(8)}`, name });
  }
  plan.push({ estimator: "reinforceLeaveOneOut", k: 1, label: "pass@1", name: "pass@1" });
  const arms = plan.map(({ estimator, k, label, name }): NeuralTrainingArm => {
    const traces = Array.from({ length: S }, (_, s) =>
      sampledAscent(task, start, {
        estimator,
        k,
        n,
        steps: T,
        learningRate: lr,
        evalKs: ks,
        rng: createRng(seed + s),
      }),
    );
    const change = (runs: Float64Array[]) => {
      const perSeed = runs.map((r) => r[T] - r[0]);
      return { perSeed, ...meanSe(perSeed) };
    };
    return {
      label,
      name,
      estimator,
      k,
      J1: band(traces.map((t) => t.J1)),
      Jk: ks.map((_, i) => band(traces.map((t) => t.Jk[i]))),
      changeJ1: change(traces.map((t) => t.J1)),
      changeJk: ks.map((_, i) => change(traces.map((t) => t.Jk[i]))),
      kStarEnd: traces.map((t) => networkKStar(task, t.final).full),
    };
  });
  return {
    ks,
    steps: Array.from({ length: T + 1 }, (_, t) => t),
    seeds: S,
    kStarStart: networkKStar(task, start),
    arms,
  };
}
