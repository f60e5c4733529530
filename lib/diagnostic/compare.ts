/**
 * Paired comparison of two checkpoints (or two conditions) from per-prompt counts (issue 15;
 * PAPER.md §1: training that raises pass@1 can lower pass@k at large k, and the reverse).
 *
 * Prompts are matched by id; unmatched ones are counted and excluded. On the matched prompts:
 * - Δpass@k = pass@k(AFTER) − pass@k(BEFORE), both the mean of ρ(n, c, k) = 1 − C(n−c,k)/C(n,k)
 *   [P, Chen et al. 2021]; interval: paired percentile bootstrap (prompts resampled jointly, so
 *   the between-prompt variation common to both cancels);
 * - the crossing k: the smallest k on the grid where Δpass@k has the sign opposite to Δpass@1
 *   (null when none, or when Δpass@1 = 0) [D]; its interval is the type-1 percentile interval of
 *   the same statistic over the replicates (each replicate against its own Δpass@1), an end null
 *   when it lies beyond the grid (no crossing in that share of replicates);
 * - per BEFORE-difficulty bin (lib/diagnostic/counts.ts): prompts, gained (c 0 → > 0), lost
 *   (> 0 → 0), mean Δp̂;
 * - the share of BEFORE's q_k (q_k ∝ ŵ_k, lib/diagnostic/counts.ts) on prompts whose p̂ fell
 *   (c_A/n_A < c_B/n_B, compared exactly) [D].
 * Every k must be ≤ n of every matched prompt in both files (otherwise pass@k is not estimable on
 * the same prompts): a larger k is an error naming the prompt's file and line.
 */
import { createRng } from "../core/rng";
import { InputError } from "../core/samples";
import { checkKGrid, show } from "../core/validate";
import { passAtKEstimate, promptWeightEstimate } from "../theory/estimators";
import {
  bootstrapOptions,
  defaultKGrid,
  DIFFICULTY_BINS,
  difficultyBin,
  drawClassCounts,
  percentileInterval,
} from "./counts";
import type { Interval } from "./types";

/** A prompt of one side, with the line it came from (for errors). */
export interface LinedCounts {
  readonly id: string;
  readonly line: number;
  readonly n: number;
  readonly c: number;
}

/** Options of {@link compareCounts}. */
export interface CompareOptions {
  /** k grid (1 is added when missing); default powers of two up to the smallest matched n. */
  k?: readonly number[];
  bootstrap?: number;
  seed?: number;
  level?: number;
  /** Names of the two sides in errors and the verdict (file paths); default BEFORE, AFTER. */
  beforeLabel?: string;
  afterLabel?: string;
}

/** One BEFORE-difficulty bin of the comparison. */
export interface CompareBin {
  range: string;
  prompts: number;
  /** c went from 0 to > 0. */
  gained: number;
  /** c went from > 0 to 0. */
  lost: number;
  /** Mean of p̂_after − p̂_before over the bin's prompts (null when empty). */
  meanDeltaP: number | null;
}

/** A matched prompt's p̂ on both sides. */
export interface PairedPrompt {
  id: string;
  pBefore: number;
  pAfter: number;
}

/** Result of {@link compareCounts}. */
export interface CompareResult {
  k: number[];
  passAtKBefore: number[];
  passAtKAfter: number[];
  deltaPassAtK: number[];
  deltaPassAtKCI: (Interval | null)[];
  crossingK: number | null;
  /** Percentile interval of the bootstrap crossing k; an end is null beyond the grid. */
  crossingKCI: [number | null, number | null] | null;
  verdict: string;
  matched: number;
  unmatchedBefore: number;
  unmatchedAfter: number;
  bins: CompareBin[];
  /** Share of BEFORE's q_k on prompts whose p̂ fell, per k (null where Σŵ_k = 0). */
  fellWeightShare: (number | null)[];
  fellWeightShareCI: (Interval | null)[];
  bootstrap: number;
  seed: number;
  level: number;
  /** Matched prompts (not part of the JSON output). */
  pairs: PairedPrompt[];
}

function indexById(label: string, list: readonly LinedCounts[]): Map<string, LinedCounts> {
  const map = new Map<string, LinedCounts>();
  for (const p of list) {
    const earlier = map.get(p.id);
    if (earlier !== undefined)
      throw new InputError(
        label,
        p.line,
        "prompt",
        `${show(p.id)} already appeared on line ${earlier.line} (duplicate prompt id)`,
      );
    map.set(p.id, p);
  }
  return map;
}

/** Smallest grid k with Δ(k)·Δ(1) < 0, or Infinity. */
function crossing(ks: readonly number[], delta: ArrayLike<number>): number {
  const d1 = delta[0];
  if (d1 === 0 || Number.isNaN(d1)) return Infinity;
  for (let s = 1; s < ks.length; s++) if (delta[s] * d1 < 0) return ks[s];
  return Infinity;
}

const fmt = (x: number) => (x >= 0 ? "+" : "−") + Math.abs(x).toFixed(3);

function verdictText(ks: readonly number[], delta: number[], cross: number | null): string {
  const K = ks.length;
  const last = `pass@${ks[K - 1]} ${fmt(delta[K - 1])}`;
  if (delta[0] === 0) return `pass@1 unchanged (Δ = 0); ${last}.`;
  const dir = delta[0] < 0 ? "lowers" : "raises";
  const other = delta[0] < 0 ? "raises" : "lowers";
  if (cross === null)
    return `AFTER ${dir} pass@k at every k on the grid (pass@1 ${fmt(delta[0])}, ${last}): no crossing.`;
  return (
    `AFTER ${dir} pass@1 (${fmt(delta[0])}) but ${other} pass@k from k = ${cross} on the grid ` +
    `(${last}): a pass@1/pass@k trade-off.`
  );
}

/**
 * Paired comparison of BEFORE and AFTER counts matched by prompt id (module comment). Throws
 * {@link InputError} (naming the side's label, the line and the field) for duplicate ids, no
 * prompt in common, and a k larger than a matched prompt's n; RangeError for bad options.
 *
 * @example compareCounts([{ id: "a", line: 1, n: 4, c: 2 }], [{ id: "a", line: 1, n: 4, c: 1 }],
 *   { k: [1, 4], bootstrap: 0 }).deltaPassAtK // => [-0.25, 0]
 */
export function compareCounts(
  before: readonly LinedCounts[],
  after: readonly LinedCounts[],
  opts: CompareOptions = {},
): CompareResult {
  const where = "compareCounts";
  const labelB = opts.beforeLabel ?? "BEFORE";
  const labelA = opts.afterLabel ?? "AFTER";
  const mapB = indexById(labelB, before);
  const mapA = indexById(labelA, after);
  const pairs: [LinedCounts, LinedCounts][] = [];
  for (const [id, b] of mapB) {
    const a = mapA.get(id);
    if (a !== undefined) pairs.push([b, a]);
  }
  if (pairs.length === 0) {
    const ex = (m: Map<string, LinedCounts>) => [...m.keys()].slice(0, 3).map((s) => show(s));
    throw new InputError(
      labelA,
      0,
      "prompt",
      `no prompt id in common with ${labelB} (${labelB} starts ${ex(mapB).join(", ")}; ` +
        `${labelA} starts ${ex(mapA).join(", ")})`,
    );
  }
  const { B, seed, level } = bootstrapOptions(where, opts);
  let minN = Infinity;
  let minAt: [string, LinedCounts] = [labelB, pairs[0][0]];
  for (const [b, a] of pairs) {
    if (b.n < minN) [minN, minAt] = [b.n, [labelB, b]];
    if (a.n < minN) [minN, minAt] = [a.n, [labelA, a]];
  }
  let ks = Array.from(checkKGrid(where, "k", opts.k ?? defaultKGrid(minN)));
  if (!ks.includes(1)) ks = [1, ...ks];
  ks.sort((x, y) => x - y);
  const kMax = ks[ks.length - 1];
  if (kMax > minN)
    throw new InputError(
      minAt[0],
      minAt[1].line,
      "n",
      `prompt ${show(minAt[1].id)} has n = ${minN} < k = ${kMax}: pass@${kMax} is not estimable on ` +
        `the matched prompts of both files; use a k grid with every k ≤ ${minN}`,
    );
  const K = ks.length;

  // Classes of equal (n_B, c_B, n_A, c_A).
  const index = new Map<string, number>();
  const cls: { b: LinedCounts; a: LinedCounts; size: number }[] = [];
  const classOf = new Int32Array(pairs.length);
  pairs.forEach(([b, a], i) => {
    const key = `${b.n},${b.c},${a.n},${a.c}`;
    let j = index.get(key);
    if (j === undefined) {
      j = cls.length;
      index.set(key, j);
      cls.push({ b, a, size: 0 });
    }
    cls[j].size++;
    classOf[i] = j;
  });
  const J = cls.length;
  const diff = ks.map((k) =>
    Float64Array.from(
      cls,
      ({ b, a }) => passAtKEstimate(a.n, a.c, k) - passAtKEstimate(b.n, b.c, k),
    ),
  );
  const wB = ks.map((k) => Float64Array.from(cls, ({ b }) => promptWeightEstimate(b.n, b.c, k)));
  const fell = cls.map(({ b, a }) => a.c * b.n < b.c * a.n);
  const evaluate = (mult: ArrayLike<number>) => {
    let m = 0;
    for (let j = 0; j < J; j++) m += mult[j];
    const delta = new Float64Array(K);
    const fellShare = new Float64Array(K);
    for (let s = 0; s < K; s++) {
      let d = 0;
      let wAll = 0;
      let wFell = 0;
      for (let j = 0; j < J; j++) {
        const mj = mult[j];
        if (mj === 0) continue;
        d += mj * diff[s][j];
        wAll += mj * wB[s][j];
        if (fell[j]) wFell += mj * wB[s][j];
      }
      delta[s] = d / m;
      fellShare[s] = wAll > 0 ? wFell / wAll : NaN;
    }
    return { delta, fellShare };
  };
  const size = cls.map((c) => c.size);
  const point = evaluate(size);
  const bootDelta = ks.map(() => new Float64Array(B));
  const bootFell = ks.map(() => new Float64Array(B));
  const bootCross = new Float64Array(B);
  if (B > 0) {
    const rng = createRng(seed);
    const mult = new Float64Array(J);
    for (let r = 0; r < B; r++) {
      drawClassCounts(rng, classOf, size, mult);
      const e = evaluate(mult);
      for (let s = 0; s < K; s++) {
        bootDelta[s][r] = e.delta[s];
        bootFell[s][r] = e.fellShare[s];
      }
      bootCross[r] = crossing(ks, e.delta);
    }
  }
  const delta = Array.from(point.delta);
  const c0 = crossing(ks, point.delta);
  const crossingK = Number.isFinite(c0) ? c0 : null;
  let crossingKCI: [number | null, number | null] | null = null;
  if (B > 0) {
    const sorted = Float64Array.from(bootCross).sort();
    const alpha = (1 - level) / 2;
    const q = (p: number) => sorted[Math.max(0, Math.ceil(B * p) - 1)];
    const end = (x: number) => (Number.isFinite(x) ? x : null);
    crossingKCI = [end(q(alpha)), end(q(1 - alpha))];
  }
  const bins: CompareBin[] = DIFFICULTY_BINS.map((range) => ({
    range,
    prompts: 0,
    gained: 0,
    lost: 0,
    meanDeltaP: null,
  }));
  const sumDp = new Float64Array(bins.length);
  for (const [b, a] of pairs) {
    const bin = bins[difficultyBin(b.n, b.c)];
    bin.prompts++;
    if (b.c === 0 && a.c > 0) bin.gained++;
    if (b.c > 0 && a.c === 0) bin.lost++;
    sumDp[difficultyBin(b.n, b.c)] += a.c / a.n - b.c / b.n;
  }
  bins.forEach((bin, i) => {
    bin.meanDeltaP = bin.prompts > 0 ? sumDp[i] / bin.prompts : null;
  });
  const meanOver = (side: 0 | 1, k: number) =>
    pairs.reduce((acc, p) => acc + passAtKEstimate(p[side].n, p[side].c, k), 0) / pairs.length;
  return {
    k: ks,
    passAtKBefore: ks.map((k) => meanOver(0, k)),
    passAtKAfter: ks.map((k) => meanOver(1, k)),
    deltaPassAtK: delta,
    deltaPassAtKCI: ks.map((_, s) => (B > 0 ? percentileInterval(bootDelta[s], level) : null)),
    crossingK,
    crossingKCI,
    verdict: verdictText(ks, delta, crossingK),
    matched: pairs.length,
    unmatchedBefore: mapB.size - pairs.length,
    unmatchedAfter: mapA.size - pairs.length,
    bins,
    fellWeightShare: Array.from(point.fellShare, (x) => (Number.isNaN(x) ? null : x)),
    fellWeightShareCI: ks.map((_, s) =>
      B > 0 && !Number.isNaN(point.fellShare[s]) ? percentileInterval(bootFell[s], level) : null,
    ),
    bootstrap: B,
    seed,
    level,
    pairs: pairs.map(([b, a]) => ({ id: b.id, pBefore: b.c / b.n, pAfter: a.c / a.n })),
  };
}
