/**
 * Gradient-ascent training runs on a policy, recording the conflict between pass@k and pass@1
 * along the way (PAPER.md §5, §9, §10 claims 7–9, 12; notebooks 05 and 07).
 *
 * One step: θ ← θ + η·g(θ), with g the chosen objective's ascent direction, computed exactly
 * (from the policy's p and ∇p, through lib/theory/interference.ts and lib/theory/mitigations.ts) or
 * from n sampled responses per prompt (lib/sim/sampledGradients.ts). The recorded quantities are
 * always exact: J_1, J_k on a grid of k, ⟨∇J_k, ∇J_1⟩, the cosine, the D-mass of negatively
 * interfering prompts {a(x) < 0}, k*_exact, and ⟨g, ∇J_1⟩ of the step actually taken.
 */
import { checkPopulation } from "../theory/interference";
import { objectiveDirectionUnchecked } from "../theory/family";
import { projectedDirection } from "../theory/mitigations";
import { objectiveEntry, type Objective, type ObjectiveEntry } from "../theory/objectives";
import {
  LogisticPolicy,
  LogLinearSoftmaxPolicy,
  TabularSoftmaxPolicy,
  type Policy,
  type ResponseBatch,
} from "./policies";
import type { Rng } from "../core/rng";
import { sampledGradient, type GradientEstimator } from "./sampledGradients";
import { FusedExactStep } from "./trainingStep";
import type { Population } from "../core/types";
import { pushRecord, pushStep, recordState, type TrainingHistory } from "./history";

export { historyRows, type TrainingHistory } from "./history";
import {
  checkFiniteArray,
  checkInteger,
  checkKGrid,
  checkLength,
  checkPositive,
  show,
} from "../core/validate";

export type { Objective } from "../theory/objectives";

/** Where the ascent direction comes from. */
export type GradientSource =
  | { kind: "exact" }
  | {
      kind: "sampled";
      /** Responses per prompt per step. */
      n: number;
      /** The run's random stream (createRng(SEED)); the run is deterministic given its state. */
      rng: Rng;
      /** Estimator of ∇J_k (default "pkpoLooMinusOne"). */
      estimator?: Exclude<GradientEstimator, "reinforce" | "reinforceLeaveOneOut">;
      /** Estimator of ∇J_1 (default "reinforce"). */
      pass1Estimator?: "reinforce" | "reinforceLeaveOneOut";
    };

/** Options of {@link train}. */
export interface TrainOptions {
  /** The policy (its population, masses and rewards). */
  policy: Policy;
  /** Starting parameters θ_0 (length policy.d, finite). Not modified. */
  theta0: ArrayLike<number>;
  /** Number of ascent steps (integer ≥ 0). */
  steps: number;
  /** Step size η > 0. */
  lr: number;
  /** The objective. */
  objective: Objective;
  /** Exact (default) or sampled gradients. */
  gradients?: GradientSource;
  /**
   * What to record: the k grid (default {1, 2, 4, 8, 16} ∪ {objective's k}), every how many steps
   * (default 1), the k* scan limit (default 256).
   */
  record?: { ks?: ArrayLike<number>; every?: number; kStarMax?: number };
  /**
   * Called after every step with (steps done, total steps) — e.g. lib/export/display.ts
   * progress().update.
   */
  onProgress?: (step: number, total: number) => void;
  /**
   * Use the fused exact step (lib/sim/trainingStep.ts) where it applies — exact gradients, the
   * library's policies, every objective the registry marks `fused` — (default true). It computes
   * the same numbers as the generic path; false forces the generic path (tests compare the two).
   */
  fused?: boolean;
}

/** Result of {@link train}. */
export interface TrainResult {
  /** Final parameters θ_steps. */
  theta: Float64Array;
  /** The recorded trajectories. */
  history: TrainingHistory;
}

const DEFAULT_RECORD_KS = [1, 2, 4, 8, 16];
const DEFAULT_K_STAR_MAX = 256;

/**
 * Gradient ascent on a policy with a chosen objective, recording the pass@k / pass@1 conflict.
 *
 * θ_{t+1} = θ_t + η·g_t,  g_t = the objective's direction from the registry of
 * lib/theory/objectives.ts: ∇J_1, ∇J_k, ∇J^k, λ∇J_k + (1−λ)∇J_1, projected, capped,
 * interference-aware, ∇J_{k_t}, ∇J_W [P: pass@k ascent with ∇J_k = E[w_k∇p]; D: the others,
 * PAPER.md §9]
 *
 * Exact gradients use the policy's exact p and ∇p; sampled gradients draw n responses per prompt
 * per step from `gradients.rng` (mixture and projection then combine the sampled ∇̂J_k and ∇̂J_1
 * of the same batch; pass^k uses the passHatKUnbiased estimator; the entries with `sampled: null`
 * — capped, interference-aware, a user's W — need exact gradients). Everything is checked
 * before the first step (θ_0 shape and finiteness, steps, η > 0, the objective's k / λ / τ, the
 * k grid, k ≤ n for the sampled estimators); a step that makes θ non-finite throws, naming it.
 * Buffers (population, batch, θ) are reused across steps. Deterministic: exact runs always,
 * sampled runs for a given rng state. Exact runs on the library's policies (every objective
 * lib/theory/objectives.ts marks `fused`) take the fused step of lib/sim/trainingStep.ts — the
 * same numbers to the last bit without the per-call checks; `fused: false` forces the generic
 * path.
 *
 * @example
 * const warm = train({ policy, theta0: [0, 0], steps: 10, lr: 2, objective: { kind: "pass1" } });
 * warm.history.J1.at(-1); // => ≈ 0.688 on the toy (PAPER.md §6)
 */
export function train(opts: TrainOptions): TrainResult {
  const where = "train";
  if (opts == null || typeof opts !== "object")
    throw new TypeError(`${where}: opts must be an object, got ${show(opts)}`);
  const policy = opts.policy;
  if (policy == null || typeof policy.population !== "function")
    throw new TypeError(
      `${where}: policy must be a Policy (lib/sim/policies.ts), got ${show(policy)}`,
    );
  checkFiniteArray(where, "theta0", opts.theta0);
  checkLength(where, "theta0", opts.theta0, policy.d, "the policy's parameter dimension d");
  const steps = checkInteger(where, "steps", opts.steps, 0);
  const lr = checkPositive(where, "lr", opts.lr);
  const objective = opts.objective;
  const entry = objectiveEntry(where, objective);
  const schedule = entry.schedule(where, objective as never, steps);
  const source: GradientSource = opts.gradients ?? { kind: "exact" };
  if (source.kind !== "exact" && source.kind !== "sampled") {
    throw new RangeError(
      `${where}: gradients.kind must be "exact" or "sampled", got ${show((source as { kind: unknown }).kind)}`,
    );
  }
  const record = opts.record ?? {};
  const every =
    record.every === undefined ? 1 : checkInteger(where, "record.every", record.every, 1);
  const kStarMax =
    record.kStarMax === undefined
      ? DEFAULT_K_STAR_MAX
      : checkInteger(where, "record.kStarMax", record.kStarMax, 1);
  let ks: number[];
  if (record.ks !== undefined) {
    checkKGrid(where, "record.ks", record.ks);
    ks = Array.from(record.ks);
  } else {
    const own = "k" in objective && typeof objective.k === "number" ? [objective.k] : [];
    ks = Array.from(new Set([...DEFAULT_RECORD_KS, ...own])).sort((a, b) => a - b);
  }
  if (opts.onProgress !== undefined && typeof opts.onProgress !== "function") {
    throw new TypeError(`${where}: onProgress must be a function, got ${show(opts.onProgress)}`);
  }
  if (opts.fused !== undefined && typeof opts.fused !== "boolean")
    throw new TypeError(`${where}: fused must be a boolean, got ${show(opts.fused)}`);
  let estimator: GradientEstimator = "pkpoLooMinusOne";
  let pass1Estimator: GradientEstimator = "reinforce";
  if (source.kind === "sampled") {
    checkInteger(where, "gradients.n", source.n, 1);
    if (source.rng == null || typeof source.rng.uniform !== "function")
      throw new TypeError(
        `${where}: gradients.rng must be an Rng (lib/core/rng.ts), got ${show(source.rng)}`,
      );
    if (entry.sampled === null) {
      throw new RangeError(
        `${where}: objective "${objective.kind}" needs exact gradients (gradients.kind = "exact")`,
      );
    }
    estimator = source.estimator ?? "pkpoLooMinusOne";
    pass1Estimator = source.pass1Estimator ?? "reinforce";
    const allowed = ["plugIn", "unbiasedWeight", "pkpo", "pkpoLooMinusOne", "passKTraining"];
    if (!allowed.includes(estimator))
      throw new RangeError(
        `${where}: gradients.estimator must be one of ${allowed.join(", ")}, got ${show(estimator)}`,
      );
    if (pass1Estimator !== "reinforce" && pass1Estimator !== "reinforceLeaveOneOut") {
      throw new RangeError(
        `${where}: gradients.pass1Estimator must be "reinforce" or "reinforceLeaveOneOut", got ${show(pass1Estimator)}`,
      );
    }
    if (pass1Estimator === "reinforceLeaveOneOut" && source.n < 2)
      throw new RangeError(
        `${where}: gradients.n must be ≥ 2 for reinforceLeaveOneOut, got ${source.n}`,
      );
    const kMax = schedule.reduce((m, k) => Math.max(m, k), 1);
    const used = entry.sampled === "passHatK" ? "passHatKUnbiased" : estimator;
    const limit =
      used === "plugIn" ? Infinity : used === "unbiasedWeight" ? source.n + 1 : source.n;
    if (kMax > limit)
      throw new RangeError(
        `${where}: the objective's k = ${kMax} must be ≤ ${limit} for the ${used} estimator with gradients.n = ${source.n}`,
      );
  }

  const d = policy.d;
  const theta = Float64Array.from(opts.theta0);
  const g = new Float64Array(d);
  let pop: Population | undefined;
  let batch: ResponseBatch | undefined;
  const history: TrainingHistory = {
    ks,
    step: [],
    k: [],
    J1: [],
    passAtK: ks.map(() => []),
    innerProduct: ks.map(() => []),
    cosine: ks.map(() => []),
    negativeShare: [],
    kStar: [],
    stepInnerProduct: [],
    stepNorm: [],
  };
  const g1Scratch = new Float64Array(d);
  const fused =
    opts.fused !== false && fusedApplies(policy, source, entry)
      ? new FusedExactStep(policy.N, d, ks, kStarMax)
      : undefined;

  for (let t = 0; t <= steps; t++) {
    const recording = t % every === 0 || t === steps;
    const stepping = t < steps;
    if (source.kind === "exact" || recording) pop = policy.population(theta, pop);
    const p = pop as Population;
    if (fused !== undefined) {
      // Checked once (mass, p, ∇p of the first θ); the policy keeps them valid for finite θ.
      if (t === 0) checkPopulation(where, p);
      if (stepping) {
        fused.direction(p, entry, objective, schedule[t], g, recording);
        // A non-finite direction: name the population entry the generic path's checks would.
        if (!g.every(Number.isFinite)) checkPopulation(where, p);
      } else fused.gradJ1(p);
      if (recording) {
        fused.record(p);
        pushRecord(
          history,
          t,
          stepping ? schedule[t] : NaN,
          fused.sums[0],
          fused.passAtK,
          fused.innerProduct,
          fused.cosine,
          fused.sums[1],
          fused.kStar,
        );
        pushStep(history, stepping, g, fused.g1);
      }
    } else {
      if (stepping) {
        const k = schedule[t];
        if (source.kind === "exact") {
          exactDirection(p, entry, objective, k, g);
        } else {
          batch = policy.sample(theta, source.rng, source.n, batch);
          sampledDirection(
            policy,
            batch,
            entry,
            objective,
            k,
            estimator,
            pass1Estimator,
            g,
            g1Scratch,
          );
        }
      }
      if (recording) {
        const g1 = recordState(history, p, ks, kStarMax, t, stepping ? schedule[t] : NaN);
        pushStep(history, stepping, g, g1);
      }
    }
    if (t === steps) break;
    for (let j = 0; j < d; j++) theta[j] += lr * g[j];
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(theta[j]))
        throw new RangeError(
          `${where}: θ became non-finite at step ${t + 1} (θ[${j}] = ${theta[j]}); lower lr = ${lr}`,
        );
    }
    opts.onProgress?.(t + 1, steps);
  }
  return { theta, history };
}

/**
 * Whether train can take the fused step: exact gradients, an objective the registry marks as
 * fused (all but the interference-aware one) and one of the library's policies, whose populations
 * are valid for every finite θ (so one check before the first step stands for all).
 */
function fusedApplies(policy: Policy, source: GradientSource, entry: ObjectiveEntry): boolean {
  if (source.kind !== "exact" || !entry.fused) return false;
  return (
    policy instanceof LogisticPolicy ||
    policy instanceof TabularSoftmaxPolicy ||
    policy instanceof LogLinearSoftmaxPolicy
  );
}

/**
 * Writes the exact direction into g (the generic path): checks the population, then the
 * registry's direction (lib/theory/family.ts objectiveDirectionUnchecked) — the same operations
 * as gradJ1, gradJk, cappedWeightGradient, interferenceAwareGradient and projectedDirection.
 */
function exactDirection(
  pop: Population,
  entry: ObjectiveEntry,
  objective: Objective,
  k: number,
  g: Float64Array,
): void {
  checkPopulation("train", pop);
  objectiveDirectionUnchecked(pop, entry, objective, k, g);
}

/**
 * Writes the sampled direction into g (g1 is scratch for the sampled ∇̂J_1): the entry's sampled
 * g_w (pass@1's estimator, pass@k's at k — pass@1's when k = 1 — or pass^k's), then its
 * combination with the sampled ∇̂J_1 of the same batch.
 */
function sampledDirection(
  policy: Policy,
  batch: ResponseBatch,
  entry: ObjectiveEntry,
  objective: Objective,
  k: number,
  estimator: GradientEstimator,
  pass1Estimator: GradientEstimator,
  g: Float64Array,
  g1: Float64Array,
): void {
  const family = entry.sampled;
  if (family === null)
    throw new RangeError(`train: objective "${objective.kind}" needs exact gradients`);
  if (family === "pass1" || (k === 1 && entry.combine === "none"))
    sampledGradient(policy, batch, pass1Estimator, 1, g);
  else if (family === "passK") sampledGradient(policy, batch, estimator, k, g);
  else sampledGradient(policy, batch, "passHatKUnbiased", k, g);
  if (entry.combine === "none") return;
  sampledGradient(policy, batch, pass1Estimator, 1, g1);
  if (entry.combine === "mixture") {
    const lambda = (objective as { lambda: number }).lambda;
    for (let j = 0; j < g.length; j++) g[j] = lambda * g[j] + (1 - lambda) * g1[j];
  } else g.set(projectedDirection(g, g1));
}
