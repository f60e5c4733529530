/**
 * `sampled-step`: N = 4 000 prompts, a K = 8-action log-linear softmax over shared features
 * (d = 16), n = 64 sampled responses per prompt, one PKPO-weighted pass@4 gradient
 * (lib/sim/policies.ts sample + lib/sim/sampledGradients.ts sampledGradient "pkpo"). Sampling is
 * part of the timed work; each run draws from the same seeded stream, so runs repeat exactly.
 */
import { gradJk } from "../../lib/theory/interference";
import { logLinearSoftmaxPolicy, type LogLinearSoftmaxPolicy } from "../../lib/sim/policies";
import { createRng } from "../../lib/core/rng";
import { sampledGradient } from "../../lib/sim/sampledGradients";
import type { Params, Workload } from "./types";

export interface SampledInputs {
  policy: LogLinearSoftmaxPolicy;
  theta: Float64Array;
  n: number;
  k: number;
  sampleSeed: number;
  /** Exact ∇J_k at θ (untimed), to show the estimate is close. */
  exact: Float64Array;
}

/**
 * Features φ(x, a) ~ N(0, I_d) for every prompt and action, one correct action per prompt
 * (uniform), θ ~ N(0, 0.3² I): per-prompt success spreads over (0, 1).
 */
export function makeSampledInputs(
  N: number,
  K: number,
  d: number,
  n: number,
  k: number,
  seed: number,
): SampledInputs {
  const rng = createRng(seed);
  const features = new Float64Array(N * K * d);
  for (let i = 0; i < features.length; i++) features[i] = rng.normal();
  const correctAction = Int32Array.from({ length: N }, () => rng.int(0, K - 1));
  const theta = Float64Array.from({ length: d }, () => rng.normal(0, 0.3));
  const policy = logLinearSoftmaxPolicy({ K, d, features, correctAction });
  return { policy, theta, n, k, sampleSeed: seed + 1, exact: gradJk(policy.population(theta), k) };
}

/** The timed work: n responses per prompt, then the PKPO estimate of ∇J_k. */
export function pkpoStep({ policy, theta, n, k, sampleSeed }: SampledInputs): Float64Array {
  const batch = policy.sample(theta, createRng(sampleSeed), n);
  return sampledGradient(policy, batch, "pkpo", k);
}

let lastExact: Float64Array | undefined;

export const workload: Workload<SampledInputs, Float64Array> = {
  name: "sampled-step",
  description:
    "sample n = 64 responses for N = 4 000 prompts (K = 8, d = 16) + PKPO pass@4 gradient",
  params: { N: 4_000, K: 8, d: 16, n: 64, k: 4 },
  runs: 9,
  warmup: 3,
  setup: (p: Params, seed: number) => {
    const inputs = makeSampledInputs(
      Number(p.N),
      Number(p.K),
      Number(p.d),
      Number(p.n),
      Number(p.k),
      seed,
    );
    lastExact = inputs.exact;
    return inputs;
  },
  run: pkpoStep,
  summary: (g) => {
    const exact = lastExact!;
    let diff = 0;
    let norm = 0;
    for (let j = 0; j < g.length; j++) {
      diff += (g[j] - exact[j]) ** 2;
      norm += exact[j] ** 2;
    }
    // mc_* numbers are Monte Carlo: numpy draws its own samples, so they are not compared.
    return {
      exactGradNorm: Math.sqrt(norm),
      mc_gradNorm: Math.hypot(...g),
      mc_relErrVsExact: Math.sqrt(diff / norm),
    };
  },
  exportInputs: ({ policy, theta }) => ({
    features: policy.features,
    reward: policy.reward,
    mass: policy.mass,
    theta,
  }),
};
