/**
 * `train-toy`: 400 exact pass@4 ascent steps (lr 2/k = 0.5) on the easy/hard toy with 4 000
 * contexts from the warm start of PAPER.md §6, recording J_1 and J_4 at every step
 * (lib/sim/training.ts train with record.ks = [1, 4]; train also records, as it always does, the
 * conflict ⟨∇J_k,∇J_1⟩, cosines, the negatively interfering share and k*_exact).
 */
import { train, type TrainResult } from "../../lib/sim/training";
import { makeToy, type ToyInputs } from "./toyStepExact";
import type { Params, Workload } from "./types";

export interface TrainToyInputs extends ToyInputs {
  steps: number;
}

export const workload: Workload<TrainToyInputs, TrainResult> = {
  name: "train-toy",
  description: "400 exact pass@4 steps on the toy, 4 000 contexts, recording J_1 and J_4",
  params: { M: 4_000, rho: 0.3, delta: 1, k: 4, lr: 0.5, steps: 400 },
  runs: 7,
  warmup: 2,
  setup: (p: Params, seed: number) => ({
    ...makeToy(Number(p.M), Number(p.rho), Number(p.delta), seed, Number(p.k), Number(p.lr)),
    steps: Number(p.steps),
  }),
  run: ({ policy, theta, k, lr, steps }) =>
    train({
      policy,
      theta0: theta,
      steps,
      lr,
      objective: { kind: "passK", k },
      record: { ks: [1, k] },
    }),
  summary: ({ theta, history }) => {
    const last = history.J1.length - 1;
    return {
      J1_start: history.J1[0],
      J1_end: history.J1[last],
      Jk_start: history.passAtK[1][0],
      Jk_end: history.passAtK[1][last],
      theta0: theta[0],
      theta1: theta[1],
    };
  },
  exportInputs: ({ policy, theta }) => ({
    features: policy.features,
    reward: policy.reward,
    mass: policy.mass,
    theta,
  }),
};
