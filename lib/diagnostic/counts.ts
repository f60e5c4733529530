/**
 * Counts-only diagnostics (issue 15; PAPER.md §2 "normalised view", §7): what per-prompt (n, c)
 * alone tell about the reweighting side of pass@k optimisation, with no gradients.
 *
 * For each k on the grid, over the prompts of one model (or one group):
 * - pass@k, the mean over prompts of ρ(n, c, k) = 1 − C(n−c, k)/C(n, k) (prompts with n < k are
 *   excluded at that k and counted in `passAtKExcluded`) [P, Chen et al. 2021; PAPER.md §8];
 * - the per-prompt weight w_k(p) = k(1 − p)^{k−1} estimated without bias by
 *   ŵ_k = k·C(n−c, k−1)/C(n, k−1) (lib/theory/estimators.ts `promptWeightEstimate`) [D, PAPER.md
 *   §7]; its mean over prompts estimates Z_k = E_D w_k;
 * - q_k's share by difficulty bin: q_k(x) ∝ D(x)·w_k(p(x)) (PAPER.md §2) estimated by
 *   ŵ_k(x)/Σ_x' ŵ_k(x'), summed over the prompts of each bin of p̂ = c/n (bins
 *   {@link DIFFICULTY_BINS}) [D: a ratio of unbiased sums, so consistent, not unbiased];
 * - the effective sample size of q_k, (Σŵ_k)²/Σŵ_k² [D: Kish's formula on the estimated weights].
 * ŵ_k needs k − 1 ≤ n: a prompt with n < k − 1 has no unbiased weight estimate; it is left out of
 * the weight, the shares and the ESS at that k and counted in `weightExcluded`.
 *
 * Intervals: percentile bootstrap over prompts (B replicates; multiplicities drawn with the seeded
 * rng of lib/core/rng.ts, as lib/diagnostic/estimate.ts does). Prompts with equal (n, c) are
 * interchangeable, so each replicate draws how many of the m resampled prompts fall in each
 * distinct (n, c) class ({@link drawClassCounts}) and evaluates over the classes (O(classes·K)) —
 * at most n + 1 classes per n, whatever m.
 */
import { createRng } from "../core/rng";
import { quantileSorted } from "../core/stats";
import { checkInteger, checkKGrid, show } from "../core/validate";
import { passAtKEstimate, promptWeightEstimate } from "../theory/estimators";
import type { Interval } from "./types";

/** What the counts diagnostics need of a prompt. */
export interface Counts {
  readonly n: number;
  readonly c: number;
}

/** Labels of the difficulty bins of p̂ = c/n, in order. */
export const DIFFICULTY_BINS: readonly string[] = Object.freeze([
  "c = 0",
  "(0, 0.1]",
  "(0.1, 0.3]",
  "(0.3, 0.7]",
  "(0.7, 1)",
  "c = n",
]);

/**
 * Index into {@link DIFFICULTY_BINS} of a prompt with c of n correct, decided in exact integer
 * arithmetic (p̂ ≤ 0.1 ⇔ 10c ≤ n, …) [D: the bins are our choice].
 *
 * @example difficultyBin(10, 1) // => 1
 */
export function difficultyBin(n: number, c: number): number {
  if (c === 0) return 0;
  if (c === n) return 5;
  if (10 * c <= n) return 1;
  if (10 * c <= 3 * n) return 2;
  if (10 * c <= 7 * n) return 3;
  return 4;
}

/**
 * Default k grid for counts with at most `maxN` samples per prompt: powers of two up to maxN,
 * and maxN itself.
 *
 * @example defaultKGrid(10) // => [1, 2, 4, 8, 10]
 */
export function defaultKGrid(maxN: number): number[] {
  checkInteger("defaultKGrid", "maxN", maxN, 1);
  const ks: number[] = [];
  for (let k = 1; k <= maxN; k *= 2) ks.push(k);
  if (ks[ks.length - 1] !== maxN) ks.push(maxN);
  return ks;
}

/** Options of {@link countsDiagnostics}. */
export interface CountsOptions {
  /** k grid; default {@link defaultKGrid} of the largest n. */
  k?: readonly number[];
  /** Bootstrap replicates over prompts; default 200; 0 = no intervals. */
  bootstrap?: number;
  /** Seed of the bootstrap; default 0. */
  seed?: number;
  /** Level of the percentile intervals; default 0.95. */
  level?: number;
}

/** One difficulty bin's share of q_k. */
export interface WeightShareBin {
  /** Bin label ({@link DIFFICULTY_BINS}). */
  bin: string;
  /** Prompts in the bin. */
  prompts: number;
  /** Σ_{bin} ŵ_k / Σ ŵ_k per k (null where Σ ŵ_k = 0). */
  share: (number | null)[];
  shareCI: (Interval | null)[];
}

/** Counts diagnostics of one set of prompts. */
export interface CountsResult {
  prompts: number;
  samples: number;
  k: number[];
  passAtK: (number | null)[];
  passAtKCI: (Interval | null)[];
  /** Prompts with n < k, left out of pass@k at k. */
  passAtKExcluded: number[];
  /** Mean ŵ_k over prompts, an unbiased estimate of Z_k = E w_k(p). */
  meanWeight: (number | null)[];
  meanWeightCI: (Interval | null)[];
  /** Prompts with n < k − 1, left out of ŵ_k, the shares and the ESS at k. */
  weightExcluded: number[];
  /** q_k's share by difficulty bin of p̂. */
  weightShare: WeightShareBin[];
  /** Effective sample size (Σŵ_k)²/Σŵ_k² (null where Σŵ_k² = 0). */
  ess: (number | null)[];
  essCI: (Interval | null)[];
  bootstrap: number;
  seed: number;
  level: number;
}

/**
 * Percentile interval of the replicate values that are defined (not NaN); null when more than
 * 10% are undefined, as in lib/diagnostic/estimate.ts.
 */
export function percentileInterval(values: Float64Array, level: number): Interval | null {
  const defined = values.filter((v) => !Number.isNaN(v));
  if (defined.length === 0 || defined.length < 0.9 * values.length) return null;
  const sorted = defined.sort();
  const alpha = (1 - level) / 2;
  return [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)];
}

/** Checks bootstrap, seed and level; returns them with defaults. */
export function bootstrapOptions(
  where: string,
  opts: { bootstrap?: number; seed?: number; level?: number },
): { B: number; seed: number; level: number } {
  const B = checkInteger(where, "bootstrap", opts.bootstrap ?? 200, 0);
  const seed = checkInteger(where, "seed", opts.seed ?? 0, 0);
  const level = opts.level ?? 0.95;
  if (typeof level !== "number" || !(level > 0 && level < 1))
    throw new RangeError(`${where}: level must be in (0, 1), got ${show(level)}`);
  return { B, seed, level };
}

/**
 * Draws the bootstrap multiplicities of m prompts (a multinomial resample of the prompts), pooled
 * into their classes: `out[j]` = number of draws landing in class j. With few classes
 * (100·classes < m) the class counts are drawn directly as Multinomial(m; size_j/m) through
 * conditional binomials (the same distribution, O(classes·log m) per replicate); otherwise m
 * prompt indices are drawn (O(m)).
 */
export function drawClassCounts(
  rng: { int(lo: number, hi: number): number; binomial(n: number, p: number): number },
  classOf: Int32Array,
  sizes: readonly number[],
  out: Float64Array,
): void {
  out.fill(0);
  const m = classOf.length;
  if (100 * sizes.length < m) {
    let left = m;
    let leftSize = m;
    for (let j = 0; j < sizes.length && left > 0; j++) {
      const x = sizes[j] >= leftSize ? left : rng.binomial(left, sizes[j] / leftSize);
      out[j] = x;
      left -= x;
      leftSize -= sizes[j];
    }
    return;
  }
  for (let t = 0; t < m; t++) out[classOf[rng.int(0, m - 1)]]++;
}

interface Evaluation {
  passAtK: Float64Array;
  meanWeight: Float64Array;
  share: Float64Array[];
  ess: Float64Array;
}

/** Per-(n, c) class values along k, and the evaluator over class multiplicities. */
class CountsModel {
  readonly classN: number[] = [];
  readonly classC: number[] = [];
  readonly classBin: number[] = [];
  readonly size: number[] = [];
  readonly classOf: Int32Array;
  readonly rho: Float64Array[];
  readonly w: Float64Array[];

  constructor(
    prompts: readonly Counts[],
    readonly ks: readonly number[],
  ) {
    const index = new Map<number, number>();
    this.classOf = new Int32Array(prompts.length);
    prompts.forEach((p, i) => {
      const key = p.n * 4294967296 + p.c;
      let j = index.get(key);
      if (j === undefined) {
        j = this.classN.length;
        index.set(key, j);
        this.classN.push(p.n);
        this.classC.push(p.c);
        this.classBin.push(difficultyBin(p.n, p.c));
        this.size.push(0);
      }
      this.size[j]++;
      this.classOf[i] = j;
    });
    const J = this.classN.length;
    this.rho = ks.map((k) =>
      Float64Array.from({ length: J }, (_, j) =>
        this.classN[j] >= k ? passAtKEstimate(this.classN[j], this.classC[j], k) : NaN,
      ),
    );
    this.w = ks.map((k) =>
      Float64Array.from({ length: J }, (_, j) =>
        this.classN[j] >= k - 1 ? promptWeightEstimate(this.classN[j], this.classC[j], k) : NaN,
      ),
    );
  }

  evaluate(mult: ArrayLike<number>): Evaluation {
    const K = this.ks.length;
    const J = this.classN.length;
    const out: Evaluation = {
      passAtK: new Float64Array(K),
      meanWeight: new Float64Array(K),
      share: DIFFICULTY_BINS.map(() => new Float64Array(K)),
      ess: new Float64Array(K),
    };
    const binSum = new Float64Array(DIFFICULTY_BINS.length);
    for (let s = 0; s < K; s++) {
      let rs = 0;
      let rm = 0;
      let ws = 0;
      let ws2 = 0;
      let wm = 0;
      binSum.fill(0);
      for (let j = 0; j < J; j++) {
        const m = mult[j];
        if (m === 0) continue;
        const r = this.rho[s][j];
        if (!Number.isNaN(r)) {
          rs += m * r;
          rm += m;
        }
        const w = this.w[s][j];
        if (!Number.isNaN(w)) {
          ws += m * w;
          ws2 += m * w * w;
          wm += m;
          binSum[this.classBin[j]] += m * w;
        }
      }
      out.passAtK[s] = rm > 0 ? rs / rm : NaN;
      out.meanWeight[s] = wm > 0 ? ws / wm : NaN;
      for (let b = 0; b < binSum.length; b++) out.share[b][s] = ws > 0 ? binSum[b] / ws : NaN;
      out.ess[s] = ws2 > 0 ? (ws * ws) / ws2 : NaN;
    }
    return out;
  }
}

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

/**
 * pass@k, the mean estimated weight ŵ_k, q_k's share by difficulty bin and its effective sample
 * size, each with a percentile bootstrap interval over prompts (module comment for the formulas).
 * Throws RangeError for no prompts, a bad k grid, bootstrap, seed or level.
 *
 * @example countsDiagnostics([{ n: 4, c: 0 }, { n: 4, c: 2 }], { k: [1, 2], bootstrap: 0 })
 *   .weightShare[0].share // => [0.5, 0.6666666666666666]
 */
export function countsDiagnostics(
  prompts: readonly Counts[],
  opts: CountsOptions = {},
): CountsResult {
  const where = "countsDiagnostics";
  if (!Array.isArray(prompts) || prompts.length === 0)
    throw new RangeError(`${where}: need at least one prompt`);
  let maxN = 0;
  let samples = 0;
  for (const p of prompts) {
    maxN = Math.max(maxN, p.n);
    samples += p.n;
  }
  const ks = Array.from(checkKGrid(where, "k", opts.k ?? defaultKGrid(maxN)));
  const { B, seed, level } = bootstrapOptions(where, opts);
  const model = new CountsModel(prompts, ks);
  const point = model.evaluate(model.size);
  const K = ks.length;
  const nb = DIFFICULTY_BINS.length;
  const boot = {
    passAtK: ks.map(() => new Float64Array(B)),
    meanWeight: ks.map(() => new Float64Array(B)),
    share: DIFFICULTY_BINS.map(() => ks.map(() => new Float64Array(B))),
    ess: ks.map(() => new Float64Array(B)),
  };
  if (B > 0) {
    const rng = createRng(seed);
    const mult = new Float64Array(model.size.length);
    for (let b = 0; b < B; b++) {
      drawClassCounts(rng, model.classOf, model.size, mult);
      const e = model.evaluate(mult);
      for (let s = 0; s < K; s++) {
        boot.passAtK[s][b] = e.passAtK[s];
        boot.meanWeight[s][b] = e.meanWeight[s];
        boot.ess[s][b] = e.ess[s];
        for (let i = 0; i < nb; i++) boot.share[i][s][b] = e.share[i][s];
      }
    }
  }
  const ci = (values: Float64Array, estimate: number) =>
    B > 0 && !Number.isNaN(estimate) ? percentileInterval(values, level) : null;
  const binPrompts = new Array<number>(nb).fill(0);
  for (let j = 0; j < model.size.length; j++) binPrompts[model.classBin[j]] += model.size[j];
  const excluded = (minN: (k: number) => number) =>
    ks.map((k) => prompts.reduce((a, p) => a + (p.n < minN(k) ? 1 : 0), 0));
  return {
    prompts: prompts.length,
    samples,
    k: ks,
    passAtK: Array.from(point.passAtK, orNull),
    passAtKCI: ks.map((_, s) => ci(boot.passAtK[s], point.passAtK[s])),
    passAtKExcluded: excluded((k) => k),
    meanWeight: Array.from(point.meanWeight, orNull),
    meanWeightCI: ks.map((_, s) => ci(boot.meanWeight[s], point.meanWeight[s])),
    weightExcluded: excluded((k) => k - 1),
    weightShare: DIFFICULTY_BINS.map((bin, i) => ({
      bin,
      prompts: binPrompts[i],
      share: Array.from(point.share[i], orNull),
      shareCI: ks.map((_, s) => ci(boot.share[i][s], point.share[i][s])),
    })),
    ess: Array.from(point.ess, orNull),
    essCI: ks.map((_, s) => ci(boot.ess[s], point.ess[s])),
    bootstrap: B,
    seed,
    level,
  };
}

/** {@link CountsResult} of all prompts plus, with a group field, one per group value. */
export interface GroupedCountsResult extends CountsResult {
  /** Group value → the same results on that group's prompts (sorted by value); absent without. */
  groups?: Record<string, CountsResult>;
}

/**
 * {@link countsDiagnostics} on all prompts and, when the prompts carry a `group` value, on each
 * group (same options and seed; group keys sorted, numerically when all are numbers).
 */
export function groupedCountsDiagnostics(
  prompts: ReadonlyArray<Counts & { group?: string | null }>,
  opts: CountsOptions = {},
): GroupedCountsResult {
  const maxN = prompts.reduce((a, p) => Math.max(a, p.n), 0);
  const k = opts.k ?? (maxN > 0 ? defaultKGrid(maxN) : undefined);
  const whole: GroupedCountsResult = countsDiagnostics(prompts, { ...opts, k });
  const byGroup = new Map<string, Counts[]>();
  for (const p of prompts) {
    if (p.group === undefined || p.group === null) continue;
    const list = byGroup.get(p.group) ?? [];
    list.push(p);
    byGroup.set(p.group, list);
  }
  if (byGroup.size === 0) return whole;
  const keys = sortKeys([...byGroup.keys()]);
  whole.groups = {};
  for (const key of keys)
    whole.groups[key] = countsDiagnostics(byGroup.get(key) as Counts[], { ...opts, k });
  return whole;
}

/** Sorts keys numerically when every key is a number, else as strings. */
export function sortKeys(keys: string[]): string[] {
  const numeric = keys.every((s) => s.trim() !== "" && Number.isFinite(Number(s)));
  return numeric ? keys.sort((a, b) => Number(a) - Number(b)) : keys.sort();
}
