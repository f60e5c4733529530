/**
 * A richer policy family than the two-parameter toy (issue 16; notebook 06): prompts in clusters
 * over a d-dimensional shared feature space. Our construction [D], not the paper's.
 *
 * Cluster c has the unit centre u_c = √overlap·e_0 + √(1 − overlap)·e_c in R^d (e_0 shared by
 * all clusters), so ⟨u_c, u_c'⟩ = overlap for c ≠ c'. A context of cluster c has the feature
 * ψ(x) = [1, scale·u_c] + spread·ε, ε ~ N(0, I_{d+1}), and the correct action c mod 2 === 0 ? 1 : 0
 * (clusters alternate). With the logistic policy of lib/sim/policies.ts, ∇p(x) = ±σ'(θᵀψ)ψ(x):
 * prompts of clusters with opposite actions pull against each other by an amount set by
 * `overlap`, and `spread` scatters the prompts (and their difficulty) inside each cluster, so
 * agreement scores and cosines with ∇J_1 take a continuum of values instead of ±1.
 */
import type { Rng } from "../core/rng";
import { checkFinite, checkInteger } from "../core/validate";
import { typedPromptContexts, type Contexts } from "./populations";
import { warmStart, type WarmToy } from "./toy";

/** Options of {@link clusteredContexts}. */
export interface ClusteredOptions {
  /** Number of contexts M. */
  M: number;
  /** Dimension d of the shared feature space (ψ has d + 1 coordinates with the intercept). */
  d: number;
  /** Number of clusters C (2 ≤ C ≤ d − 1). */
  clusters: number;
  /** Cosine between any two cluster centres, in [0, 1). */
  overlap: number;
  /** Per-coordinate standard deviation of ψ around its cluster's centre (≥ 0). */
  spread: number;
  /** Length of the centres (default 2). */
  scale?: number;
  /** Cluster shares (default equal; must sum to 1). */
  shares?: number[];
  /** Source of the features' noise. */
  rng: Rng;
}

/**
 * Contexts in `clusters` clusters over R^d with a tunable overlap and within-cluster spread
 * [D: our construction; ψ(x) = [1, scale·u_c] + spread·ε, u_c = √overlap·e_0 + √(1−overlap)·e_c].
 *
 * @example clusteredContexts({ M: 100, d: 8, clusters: 4, overlap: 0.5, spread: 0.5,
 * rng: createRng(1) }).m // => 9
 */
export function clusteredContexts(opts: ClusteredOptions): Contexts {
  const where = "clusteredContexts";
  const d = checkInteger(where, "d", opts.d, 2);
  const C = checkInteger(where, "clusters", opts.clusters, 2);
  if (C > d - 1) throw new RangeError(`${where}: clusters must be ≤ d − 1 = ${d - 1}, got ${C}`);
  const overlap = checkFinite(where, "overlap", opts.overlap);
  if (!(overlap >= 0 && overlap < 1))
    throw new RangeError(`${where}: overlap must be in [0, 1), got ${overlap}`);
  const spread = checkFinite(where, "spread", opts.spread);
  if (!(spread >= 0)) throw new RangeError(`${where}: spread must be ≥ 0, got ${spread}`);
  const scale = opts.scale === undefined ? 2 : checkFinite(where, "scale", opts.scale);
  const shares = opts.shares ?? new Array(C).fill(1 / C);
  if (shares.length !== C)
    throw new RangeError(`${where}: shares must have length clusters = ${C}, got ${shares.length}`);
  const types = Array.from({ length: C }, (_, c) => {
    const direction = new Array(d + 1).fill(0);
    direction[0] = 1;
    direction[1] = scale * Math.sqrt(overlap);
    direction[2 + c] = scale * Math.sqrt(1 - overlap);
    const correctAction = c % 2 === 0 ? 1 : 0;
    return {
      name: `cluster ${c} (action ${correctAction})`,
      share: shares[c],
      direction,
      correctAction,
    };
  });
  return typedPromptContexts({ M: opts.M, noise: spread, rng: opts.rng, types });
}

/** Options of {@link warmClustered}: the family's options and the warm start's. */
export interface WarmClusteredOptions extends ClusteredOptions {
  /** Steps of exact pass@1 ascent from θ = 0 (default 10, as our toy's warm start). */
  warmSteps?: number;
  /** Step size of the warm start (default 2). */
  warmLr?: number;
}

/**
 * The clustered family with the logistic policy after the same warm start as our toy
 * (lib/sim/toy.ts warmToy): `warmSteps` steps of exact pass@1 ascent from θ = 0 [D: our choice].
 *
 * @example warmClustered({ M: 200, d: 8, clusters: 4, overlap: 0.5, spread: 0.75,
 * rng: createRng(1) }).theta.length // => 9
 */
export function warmClustered(opts: WarmClusteredOptions): WarmToy {
  return warmStart("warmClustered", clusteredContexts(opts), opts);
}
