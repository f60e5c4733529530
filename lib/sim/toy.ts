/**
 * Our easy/hard toy at its warm start, defined once for the notebooks and the tests.
 *
 * The population is {@link easyHardBandit} (our concrete instance of the paper's setting: a
 * latent easy/hard label and overlapping scores; PAPER.md §6 says which parts are the paper's)
 * with the shared-parameter logistic policy {@link logisticPolicy}. The warm start is our choice
 * [D]: `warmSteps` steps of exact pass@1 ascent from θ = 0 with step size `warmLr`, so that the
 * policy solves easy contexts more often than hard ones before pass@k training starts.
 */
import type { Rng } from "../core/rng";
import { checkInteger, checkPositive } from "../core/validate";
import type { Population } from "../core/types";
import { logisticPolicy, type LogisticPolicy } from "./policies";
import { easyHardBandit, type Contexts } from "./populations";
import { train } from "./training";

/** Options of {@link warmToy}. */
export interface WarmToyOptions {
  /** Number of contexts M. */
  M: number;
  /** Hard share ρ. */
  rho: number;
  /** Separation Δ of the easy and hard score distributions. */
  delta: number;
  /** Source of the contexts' scores. */
  rng: Rng;
  /** Steps of exact pass@1 ascent from θ = 0 (default 10). */
  warmSteps?: number;
  /** Step size of the warm start (default 2). */
  warmLr?: number;
}

/** The toy at its warm start. */
export interface WarmToy {
  /** The contexts (features, correct actions, easy/hard groups). */
  contexts: Contexts;
  /** The logistic policy on them. */
  policy: LogisticPolicy;
  /** θ after the warm start. */
  theta: Float64Array;
  /** The population (masses, p(x), ∇p(x)) at θ. */
  population: Population;
}

/**
 * Our easy/hard toy after a warm start of exact pass@1 ascent [D: our choice of toy and warm
 * start]. The same call gives the same numbers as writing the steps out, which notebooks 03–07
 * did before.
 *
 * @example
 * const { policy, theta } = warmToy({ M: 4000, rho: 0.3, delta: 1, rng: createRng(1) });
 */
export function warmToy(opts: WarmToyOptions): WarmToy {
  const contexts = easyHardBandit({ M: opts.M, rho: opts.rho, delta: opts.delta, rng: opts.rng });
  return warmStart("warmToy", contexts, opts);
}

/**
 * The logistic policy on `contexts` after our warm start: `warmSteps` (default 10) steps of exact
 * pass@1 ascent with step `warmLr` (default 2) from θ = 0 [D: our choice]. Shared by
 * {@link warmToy} and lib/sim/clustered.ts warmClustered; `where` names the caller in errors.
 */
export function warmStart(
  where: string,
  contexts: Contexts,
  opts: { warmSteps?: number; warmLr?: number },
): WarmToy {
  const warmSteps =
    opts.warmSteps === undefined ? 10 : checkInteger(where, "warmSteps", opts.warmSteps, 0);
  const warmLr = opts.warmLr === undefined ? 2 : checkPositive(where, "warmLr", opts.warmLr);
  const policy = logisticPolicy(contexts);
  const theta = Float64Array.from(
    train({
      policy,
      theta0: new Array(policy.d).fill(0),
      steps: warmSteps,
      lr: warmLr,
      objective: { kind: "pass1" },
      record: { ks: [1], every: Math.max(1, warmSteps) },
    }).theta,
  );
  return { contexts, policy, theta, population: policy.population(theta) };
}

/**
 * The toy's mirror image as a policy: the same contexts and θ with every correct action swapped,
 * so p → 1 − p and ∇p → −∇p prompt by prompt (lib/theory/passHatK.ts mirrorPopulation) [D: our
 * construction]. The toy's hard minority becomes an easy minority the policy already solves,
 * whose gradients pull against the hard majority: there the *easy* prompts interfere, pass^k
 * conflicts with pass@1 and pass@k does not (notebook 10).
 *
 * @example mirrorToy(warmToy({ M: 4000, rho: 0.3, delta: 1, rng: createRng(1) })).population.p
 */
export function mirrorToy(toy: WarmToy): WarmToy {
  const c = toy.contexts;
  const contexts: Contexts = {
    ...c,
    correctAction: Int32Array.from(c.correctAction, (a) => 1 - a),
    // The toy's hard group (1) is the mirror's easy group (0) and vice versa.
    group: Int32Array.from(c.group, (g) => 1 - g),
    groupNames: ["easy", "hard"],
  };
  const policy = logisticPolicy(contexts);
  const theta = Float64Array.from(toy.theta);
  return { contexts, policy, theta, population: policy.population(theta) };
}
