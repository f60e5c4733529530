/**
 * Multi-step sampled training of the stand-in network (float64, all parameters; notebook 08 §6):
 * at every step, n answers per prompt are drawn from the current policy, a sampled gradient
 * estimate of lib/sim/sampledGradients.ts (its per-sample weights u(r, c)) is formed with the
 * full-parameter score, and the parameters move along it. Exact J_1 and J_k (from the policy's
 * true p(x), not from samples) are recorded at every step.
 */
import type { Rng } from "../../core/rng";
import { checkInteger, checkKGrid, checkPositive } from "../../core/validate";
import { agreementScores } from "../../theory/interference";
import { kStarExact } from "../../theory/threshold";
import { perSampleWeights, type GradientEstimator } from "../sampledGradients";

import {
  addToWeights,
  drawAnswers,
  forwardPass,
  fullPopulation,
  lastLayerPopulation,
  scoreSum,
  type NetworkWeights,
} from "./network";
import type { ModularTask } from "./task";

/** Options of {@link sampledAscent}. */
export interface SampledAscentOptions {
  /** Estimator of lib/sim/sampledGradients.ts ("unbiasedWeight", "pkpo", "reinforce", …). */
  estimator: GradientEstimator;
  /** The k of the estimator's target ∇J_k (1 for the REINFORCE estimators). */
  k: number;
  /** Answers per prompt per step. */
  n: number;
  /** Number of steps T. */
  steps: number;
  /** Step size η; the step is θ ← θ + (η/k)·ĝ (see {@link sampledAscent}). */
  learningRate: number;
  /** The k of the recorded J_k (besides J_1). */
  evalKs: readonly number[];
  rng: Rng;
}

/** What {@link sampledAscent} records. */
export interface SampledAscentTrace {
  /** Exact J_1 before each step and after the last (length steps + 1). */
  J1: Float64Array;
  /** Exact J_k for each k of `evalKs` (same length as J1). */
  Jk: Float64Array[];
  /** The weights after the last step. */
  final: NetworkWeights;
}

/** Exact J_1 and J_k (k of `ks`) of a policy from its per-prompt p(x), uniform mass. */
function passRates(p: ArrayLike<number>, ks: readonly number[]): { J1: number; Jk: number[] } {
  let J1 = 0;
  const Jk = ks.map(() => 0);
  for (let x = 0; x < p.length; x++) {
    J1 += p[x];
    const l = Math.log1p(-p[x]);
    ks.forEach((k, s) => (Jk[s] -= Math.expm1(k * l)));
  }
  return { J1: J1 / p.length, Jk: Jk.map((v) => v / p.length) };
}

/**
 * T steps of sampled ascent on all parameters:
 *
 *   θ_{t+1} = θ_t + (η/k)·ĝ_t,  ĝ_t = Σ_x D(x) Σ_j u(r_xj, c_x) ∇_θ log π_θt(y_xj|x)
 *
 * with u the estimator's per-sample weights (lib/sim/sampledGradients.ts `perSampleWeights`;
 * the sum is formed per (x, answer) and backpropagated once: network.ts `scoreSum`) [D]. The step
 * size is divided by k because ‖∇J_k‖ grows up to k-fold (w_k(0) = k), as in the toy's runs
 * of PAPER.md §6 (lr 2/k) — our choice [D]. J_1 = E_x p(x), J_k = E_x[1 − (1 − p(x))^k]
 * exactly [P, PAPER.md §1].
 */
export function sampledAscent(
  task: ModularTask,
  start: NetworkWeights,
  opts: SampledAscentOptions,
): SampledAscentTrace {
  const where = "sampledAscent";
  const k = checkInteger(where, "k", opts.k, 1);
  const n = checkInteger(where, "n", opts.n, 1);
  const T = checkInteger(where, "steps", opts.steps, 0);
  const eta = checkPositive(where, "learningRate", opts.learningRate) / k;
  const evalKs = Array.from(checkKGrid(where, "evalKs", opts.evalKs));
  const table = perSampleWeights(opts.estimator, n, k);
  const { N, modulus: m, answer } = task;
  const J1 = new Float64Array(T + 1);
  const Jk = evalKs.map(() => new Float64Array(T + 1));
  const coef = new Float64Array(N * m);
  let net = start;
  for (let t = 0; ; t++) {
    const fwd = forwardPass(task, net);
    const p = Float64Array.from({ length: N }, (_, x) => fwd.probs[x * m + answer[x]]);
    const rates = passRates(p, evalKs);
    J1[t] = rates.J1;
    rates.Jk.forEach((v, s) => (Jk[s][t] = v));
    if (t === T) break;
    const draw = drawAnswers(task, fwd, n, opts.rng);
    coef.fill(0);
    for (let x = 0; x < N; x++) {
      let c = 0;
      for (let j = 0; j < n; j++) c += draw.correct[x * n + j];
      for (let j = 0; j < n; j++) {
        const i = x * n + j;
        const u = draw.correct[i] === 1 ? table.correct[c] : table.incorrect[c];
        coef[x * m + draw.answers[i]] += u / N;
      }
    }
    net = addToWeights(net, scoreSum(task, net, fwd, coef), eta);
  }
  return { J1, Jk, final: net };
}

/**
 * The exact first conflicting k of the network over all parameters and over the last layer:
 * min{k : E[w_k a] < 0} with a(x) = ⟨∇p(x), ∇J_1⟩ from each parameter set   [D, PAPER.md §4]
 * (lib/theory/threshold.ts `kStarExact`; null when none up to `kMax`).
 */
export function networkKStar(
  task: ModularTask,
  net: NetworkWeights,
  kMax = 4096,
): { full: number | null; last: number | null } {
  const full = fullPopulation(task, net);
  const last = lastLayerPopulation(full, net);
  return {
    full: kStarExact(full.mass, full.p, agreementScores(full), { kMax }),
    last: kStarExact(last.mass, last.p, agreementScores(last), { kMax }),
  };
}
