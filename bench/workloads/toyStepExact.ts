/**
 * `toy-step-exact`: one exact pass@4 ascent step θ⁺ = θ + η∇J_4(θ) on our easy/hard toy
 * (PAPER.md §6) with 100 000 contexts. Default (`--param path=fused`): ∇J_4 straight from θ in
 * one pass (lib/sim/logisticGradient.ts logisticGradJk; equal to the generic path to the bit).
 * `--param path=generic`: exact p(x), ∇p(x) from the logistic policy (lib/sim/policies.ts
 * population, the wasm kernel at d = 2), then ∇J_4 = E[w_4(p)∇p] (lib/theory/interference.ts
 * gradJk, checks folded into its pass at d = 2); train's fused step computes the same ∇J_4 from
 * the same population (registry weights, then one weighted sum).
 */
import { gradJk } from "../../lib/theory/interference";
import { logisticGradJk } from "../../lib/sim/logisticGradient";
import { logisticPolicy, type LogisticPolicy } from "../../lib/sim/policies";
import { easyHardBandit } from "../../lib/sim/populations";
import { createRng } from "../../lib/core/rng";
import type { Population } from "../../lib/core/types";
import type { Params, Workload } from "./types";

export interface ToyInputs {
  policy: LogisticPolicy;
  /** θ after the warm start (10 steps of exact pass@1 ascent with lr 2 from 0, PAPER.md §6). */
  theta: Float64Array;
  k: number;
  lr: number;
  /** Reused Population buffers (no allocation inside the timed step). */
  pop: Population;
  /** "fused" (logisticGradJk) or "generic" (population + gradJk). */
  path: "fused" | "generic";
}

/** The toy policy at the warm-started θ (our toy and warm start; PAPER.md §6). */
export function makeToy(
  M: number,
  rho: number,
  delta: number,
  seed: number,
  k: number,
  lr: number,
): ToyInputs {
  const contexts = easyHardBandit({ M, rho, delta, rng: createRng(seed) });
  const policy = logisticPolicy(contexts);
  const theta = new Float64Array(2);
  for (let t = 0; t < 10; t++) exactAscentStep(policy, theta, 1, 2);
  return { policy, theta, k, lr, pop: policy.population(theta), path: "fused" };
}

/**
 * One exact step θ ← θ + lr·∇J_k(θ) in place; returns ∇J_k. `path` "generic" (default):
 * population + gradJk; "fused": logisticGradJk.
 */
export function exactAscentStep(
  policy: LogisticPolicy,
  theta: Float64Array,
  k: number,
  lr: number,
  pop?: Population,
  path: "fused" | "generic" = "generic",
): Float64Array {
  const g =
    path === "fused" ? logisticGradJk(policy, theta, k) : gradJk(policy.population(theta, pop), k);
  for (let j = 0; j < theta.length; j++) theta[j] += lr * g[j];
  return g;
}

export const workload: Workload<ToyInputs, { theta: Float64Array; grad: Float64Array }> = {
  name: "toy-step-exact",
  description: "one exact pass@4 ascent step on the easy/hard toy, 100 000 contexts",
  params: { M: 100_000, rho: 0.3, delta: 1, k: 4, lr: 0.5, path: "fused" },
  runs: 9,
  warmup: 3,
  setup: (p: Params, seed: number) => {
    if (p.path !== "fused" && p.path !== "generic")
      throw new Error(`toy-step-exact: --param path must be fused or generic, got ${p.path}`);
    const toy = makeToy(
      Number(p.M),
      Number(p.rho),
      Number(p.delta),
      seed,
      Number(p.k),
      Number(p.lr),
    );
    return { ...toy, path: p.path };
  },
  run: ({ policy, theta, k, lr, pop, path }) => {
    const next = Float64Array.from(theta); // every run steps from the same θ
    const grad = exactAscentStep(policy, next, k, lr, pop, path);
    return { theta: next, grad };
  },
  summary: ({ theta, grad }) => ({
    theta0: theta[0],
    theta1: theta[1],
    grad0: grad[0],
    grad1: grad[1],
  }),
  exportInputs: ({ policy, theta }) => ({
    features: policy.features,
    reward: policy.reward,
    mass: policy.mass,
    theta,
  }),
};
