/**
 * How the conflict threshold k* moves on our clustered family (lib/sim/clustered.ts; issue 16,
 * notebook 06 §5): exact k* over a grid of dimension d × overlap × within-cluster spread, each
 * cell at the warm start, with the spread of the per-prompt cosines cos∠(∇p(x), ∇J_1) that the
 * family exists to make a continuum. The family, the warm start and the grid are ours [D].
 */
import { createRng, type Rng } from "../core/rng";
import { quantileSorted } from "../core/stats";
import type { Population } from "../core/types";
import { checkFiniteArray, checkInteger } from "../core/validate";
import { warmClustered } from "../sim/clustered";
import { agreementScores, gradJ1 } from "../theory/interference";
import { kStarExact, K_STAR_SCAN_MAX } from "../theory/threshold";

/** |cos| above this counts as "(anti)parallel to ∇J_1" in {@link ClusteredCell.nearUnitShare}. */
export const NEAR_UNIT_COSINE = 0.99;

/**
 * Per-prompt cosines cos∠(∇p(x), ∇J_1) = a(x) / (‖∇p(x)‖ ‖∇J_1‖) [D: a(x) = ⟨∇p(x), ∇J_1⟩,
 * PAPER.md §3 (our formula)], NaN where ∇p(x) = 0 or ∇J_1 = 0. On our two-parameter toy they sit
 * near ±1; on the clustered family they spread out.
 *
 * @example agreementCosines(workedExamplePopulation()) // => Float64Array [0.951…, −0.267…]
 */
export function agreementCosines(pop: Population): Float64Array {
  const g1 = gradJ1(pop);
  const a = agreementScores(pop, g1);
  let n1 = 0;
  for (let j = 0; j < pop.d; j++) n1 += g1[j] * g1[j];
  const out = new Float64Array(pop.N);
  for (let x = 0; x < pop.N; x++) {
    let nx = 0;
    for (let j = 0; j < pop.d; j++) nx += pop.gradP[x * pop.d + j] ** 2;
    out[x] = nx > 0 && n1 > 0 ? a[x] / Math.sqrt(nx * n1) : NaN;
  }
  return out;
}

/** Summary of the cosines of one population (finite ones only; masses D(x) weight the share). */
export interface CosineSpread {
  /** The requested quantiles of cos∠(∇p(x), ∇J_1) over prompts (type 7, unweighted). */
  quantiles: number[];
  /** D-mass of prompts with |cos| > {@link NEAR_UNIT_COSINE}. */
  nearUnitShare: number;
  /** Sorted finite cosines (for histograms). */
  sorted: Float64Array;
}

/**
 * Quantiles of the per-prompt cosines and the mass near ±1 [D: a summary of our choosing].
 *
 * @example cosineSpread(workedExamplePopulation(), [0.5]).nearUnitShare // => 0
 */
export function cosineSpread(pop: Population, qs: readonly number[]): CosineSpread {
  const cos = agreementCosines(pop);
  let near = 0;
  for (let x = 0; x < pop.N; x++) if (Math.abs(cos[x]) > NEAR_UNIT_COSINE) near += pop.mass[x];
  const sorted = cos.filter(Number.isFinite).sort();
  if (sorted.length === 0) throw new RangeError("cosineSpread: no prompt has a finite cosine");
  return { quantiles: qs.map((q) => quantileSorted(sorted, q)), nearUnitShare: near, sorted };
}

/** Options of {@link clusteredKStarStudy}. */
export interface ClusteredKStarOptions {
  /** Prompts per population M. */
  M: number;
  /** Dimensions d of the shared feature space (panels). */
  ds: readonly number[];
  /** Number of clusters C (≤ min(ds) − 1). */
  clusters: number;
  /** Cosines between cluster centres (x axis). */
  overlaps: readonly number[];
  /** Within-cluster spreads (one line each). */
  spreads: readonly number[];
  /**
   * Source of the contexts. One seed is drawn per d; every (overlap, spread) cell of that d uses
   * it, so cells differ by overlap and spread only, not by noise (common random numbers).
   */
  rng: Rng;
  /** Largest k scanned for k* (default {@link K_STAR_SCAN_MAX}). */
  kMax?: number;
  /** Quantiles of the cosines reported per cell (default 5, 25, 50, 75, 95 %). */
  quantiles?: readonly number[];
}

/** One (d, overlap, spread) cell of {@link clusteredKStarStudy}. */
export interface ClusteredCell {
  /** First k with E[w_k a] < 0, scanning k = 1 … kMax; null: no conflict up to kMax. */
  kStar: number | null;
  /** D-mass of prompts with a(x) < 0 (negatively interfering). */
  negativeMass: number;
  /** pass@1 J_1 at the warm start. */
  J1: number;
  /** Spread of cos∠(∇p(x), ∇J_1) (quantiles, share near ±1). */
  cosines: Omit<CosineSpread, "sorted">;
}

/** Result of {@link clusteredKStarStudy}; `cells[i][j][l]` is (ds[i], overlaps[j], spreads[l]). */
export interface ClusteredKStarStudy {
  ds: number[];
  overlaps: number[];
  spreads: number[];
  kMax: number;
  quantiles: number[];
  cells: ClusteredCell[][][];
}

/**
 * Exact k* on our clustered family over d × overlap × spread, each cell warm-started as our toy
 * (lib/sim/clustered.ts warmClustered) [D]. k* = min{k ≥ 1 : E_x[w_k(p(x)) a(x)] < 0}
 * (lib/theory/threshold.ts kStarExact, [D, PAPER.md §4]). Cost O(cells · (M·d·warm steps + M·k*)).
 *
 * @example clusteredKStarStudy({ M: 200, ds: [8], clusters: 4, overlaps: [0.5], spreads: [0.75],
 * rng: createRng(1) }).cells[0][0][0].kStar // => a number, or null for none ≤ kMax
 */
export function clusteredKStarStudy(opts: ClusteredKStarOptions): ClusteredKStarStudy {
  const where = "clusteredKStarStudy";
  const M = checkInteger(where, "M", opts.M, 1);
  checkFiniteArray(where, "ds", opts.ds);
  checkFiniteArray(where, "overlaps", opts.overlaps);
  checkFiniteArray(where, "spreads", opts.spreads);
  for (const [name, xs] of [
    ["ds", opts.ds],
    ["overlaps", opts.overlaps],
    ["spreads", opts.spreads],
  ] as const)
    if (xs.length === 0) throw new RangeError(`${where}: ${name} must be non-empty, got []`);
  const kMax =
    opts.kMax === undefined ? K_STAR_SCAN_MAX : checkInteger(where, "kMax", opts.kMax, 1);
  const qs = [...(opts.quantiles ?? [0.05, 0.25, 0.5, 0.75, 0.95])];
  const cells = opts.ds.map((d) => {
    const seed = opts.rng.int(0, 2 ** 31 - 1);
    return opts.overlaps.map((overlap) =>
      opts.spreads.map((spread): ClusteredCell => {
        const { population: pop } = warmClustered({
          M,
          d,
          clusters: opts.clusters,
          overlap,
          spread,
          rng: createRng(seed),
        });
        const a = agreementScores(pop);
        let negativeMass = 0;
        let J1 = 0;
        for (let x = 0; x < pop.N; x++) {
          if (a[x] < 0) negativeMass += pop.mass[x];
          J1 += pop.mass[x] * pop.p[x];
        }
        const { sorted: _sorted, ...cosines } = cosineSpread(pop, qs);
        return { kStar: kStarExact(pop.mass, pop.p, a, { kMax }), negativeMass, J1, cosines };
      }),
    );
  });
  return {
    ds: [...opts.ds],
    overlaps: [...opts.overlaps],
    spreads: [...opts.spreads],
    kMax,
    quantiles: qs,
    cells,
  };
}
