/**
 * Figure builders for notebook 02 (pass@k is reweighted pass@1, PAPER.md §2).
 * Pure: data in, figure out; colours from lib/plots/style, no fonts or sizes.
 */
import type { Data, PlotlyFigure } from "./figure";
import { COLORS, PALETTE, ROLE_COLORS } from "./style";
import { influence, promptWeight } from "../theory/passAtK";
import { forDisplay, powersOfTwoWithin } from "./format";
import {
  checkFiniteArray,
  checkInteger,
  checkKGrid,
  checkLength,
  checkProbabilityArray,
} from "../core/validate";

/** An evenly spaced grid of `points` values on [0, 1]. */
function unitGrid(where: string, points: number): number[] {
  checkInteger(where, "points", points, 2);
  return Array.from({ length: points }, (_, i) => i / (points - 1));
}

function colorOf(j: number): string {
  return COLORS[j % COLORS.length];
}

/**
 * The prompt weight w_k(p) = k(1 − p)^{k−1} against p, one curve per k (the factor by
 * which pass@k ascent rescales a prompt's pass@1 gradient, [P] PAPER.md §2).
 *
 * @example promptWeightCurvesFigure([1, 2, 4], { points: 11 }).data.length // => 3
 */
export function promptWeightCurvesFigure(
  ks: readonly number[],
  { points = 201 }: { points?: number } = {},
): PlotlyFigure {
  checkKGrid("promptWeightCurvesFigure", "ks", ks);
  const ps = unitGrid("promptWeightCurvesFigure", points);
  return {
    builder: "promptWeightCurvesFigure",
    data: ks.map((k, j) => ({
      type: "scatter",
      mode: "lines",
      name: `k = ${k}`,
      x: ps,
      y: forDisplay(ps.map((p) => promptWeight(p, k))),
      line: { color: colorOf(j) },
    })),
    layout: {
      title: { text: "Prompt weight w<sub>k</sub>(p) = k(1 − p)<sup>k−1</sup>" },
      xaxis: { title: { text: "per-prompt pass@1 p(x)" }, range: [0, 1] },
      yaxis: { title: { text: "weight w<sub>k</sub>(p)" }, rangemode: "tozero" },
      legend: { title: { text: "samples k" } },
    },
  };
}

/** The pass@k reweighting of one prompt population, for several k. */
export interface ReweightedDensityInput {
  /** Per-prompt pass@1 p(x) ∈ [0, 1]. */
  p: ArrayLike<number>;
  /** Prompt masses D(x) (the pass@1 view, k = 1). */
  mass: ArrayLike<number>;
  /** One entry per k: that k and the per-prompt reweighting q_k(x). */
  reweighted: ReadonlyArray<{ k: number; q: ArrayLike<number> }>;
  /** Number of equal-width bins on [0, 1] (default 40). */
  bins?: number;
}

/**
 * Σ of `weight` over prompts in each of `bins` equal bins of p on [0, 1], divided by the bin width.
 */
function binnedDensity(p: ArrayLike<number>, weight: ArrayLike<number>, bins: number): number[] {
  const density = new Array<number>(bins).fill(0);
  for (let i = 0; i < p.length; i++)
    density[Math.min(bins - 1, Math.floor(p[i] * bins))] += weight[i] * bins;
  return density;
}

/**
 * The difficulty distribution D (shaded) and its pass@k reweightings
 * q_k(x) ∝ D(x) w_k(p(x)) ([D] PAPER.md §2), binned over p and drawn as step densities.
 *
 * @example reweightedDensityFigure({ p: [0.2, 0.8], mass: [0.5, 0.5], reweighted: [{ k: 2, q: [0.8,
 * 0.2] }], bins: 2 }).data[1].y // => [1.6, 0.4]
 */
export function reweightedDensityFigure(input: ReweightedDensityInput): PlotlyFigure {
  const where = "reweightedDensityFigure";
  checkProbabilityArray(where, "p", input.p);
  checkFiniteArray(where, "mass", input.mass);
  checkLength(where, "mass", input.mass, input.p.length, "p");
  const bins = checkInteger(where, "bins", input.bins ?? 40, 1);
  const centres = Array.from({ length: bins }, (_, b) => (b + 0.5) / bins);
  const step = { shape: "hvh" as const };
  const data: Data[] = [
    {
      type: "scatter",
      mode: "lines",
      name: "D (pass@1, k = 1)",
      x: centres,
      y: binnedDensity(input.p, input.mass, bins),
      fill: "tozeroy",
      line: { ...step, color: ROLE_COLORS.reference, width: 1 },
      fillcolor: "rgba(127,127,127,0.25)",
    },
  ];
  input.reweighted.forEach(({ k, q }, j) => {
    checkFiniteArray(where, `reweighted[${j}].q`, q);
    checkLength(where, `reweighted[${j}].q`, q, input.p.length, "p");
    data.push({
      type: "scatter",
      mode: "lines",
      name: `q<sub>${k}</sub>`,
      x: centres,
      y: binnedDensity(input.p, q, bins),
      line: { ...step, color: colorOf(j + 1) },
    });
  });
  const peak = Math.max(...data.map((t) => Math.max(...(t as { y: number[] }).y)));
  const top = Math.log10(peak > 0 ? peak : 1) + 0.15;
  return {
    builder: "reweightedDensityFigure",
    data,
    layout: {
      title: { text: "Where pass@k puts its weight: q<sub>k</sub>(x) ∝ D(x)·w<sub>k</sub>(p(x))" },
      xaxis: { title: { text: "per-prompt pass@1 p(x)" }, range: [0, 1] },
      // Log scale, clipped three decades below the top: q_32 reaches 1e−50 near p = 1.
      yaxis: {
        title: { text: "density over p (log scale)" },
        type: "log",
        exponentformat: "power",
        dtick: 1,
        range: [top - 3.5, top],
      },
      legend: { title: { text: "weighting" } },
    },
  };
}

/**
 * q_k({x : p(x) < τ}) against k, one curve per threshold τ — the share of the pass@k
 * gradient's weight on hard prompts ([D] PAPER.md §10 claim 3: non-decreasing in k).
 * Optionally the share of D itself as a dashed reference per τ (its k = 1 value).
 *
 * @example
 * hardShareFigure({ ks: [1, 2], series: [{ tau: 0.2, share: [0.3, 0.5] }] }).data.length // => 1
 */
export function hardShareFigure({
  ks,
  series,
}: {
  ks: readonly number[];
  series: ReadonlyArray<{ tau: number; share: ArrayLike<number> }>;
}): PlotlyFigure {
  const where = "hardShareFigure";
  checkKGrid(where, "ks", ks);
  const data: Data[] = series.map(({ tau, share }, j) => {
    checkLength(where, `series[${j}].share`, share, ks.length, "ks");
    return {
      type: "scatter",
      mode: "lines+markers",
      name: `τ = ${tau}`,
      x: [...ks],
      y: Array.from(share),
      line: { color: colorOf(j) },
    };
  });
  return {
    builder: "hardShareFigure",
    data,
    layout: {
      title: { text: "Share of the pass@k weight on hard prompts, q<sub>k</sub>(p < τ)" },
      xaxis: { title: { text: "samples k" }, type: "log", tickvals: powersOfTwoWithin(ks) },
      yaxis: { title: { text: "q<sub>k</sub>({x : p(x) < τ})" }, range: [0, 1.02] },
      legend: { title: { text: "hardness threshold" } },
    },
  };
}

/**
 * The effective influence k p(1 − p)^{k−1} ([D] PAPER.md §2) against p, one curve per k,
 * with its maximum at p = 1/k marked and the limit 1/e of the peak height drawn dashed.
 *
 * @example influenceCurvesFigure([2, 4], { points: 11 }).data.length // => 4
 */
export function influenceCurvesFigure(
  ks: readonly number[],
  { points = 201 }: { points?: number } = {},
): PlotlyFigure {
  checkKGrid("influenceCurvesFigure", "ks", ks);
  const ps = unitGrid("influenceCurvesFigure", points);
  const curves: Data[] = ks.map((k, j) => ({
    type: "scatter",
    mode: "lines",
    name: `k = ${k}`,
    legendgroup: `k${k}`,
    x: ps,
    y: forDisplay(ps.map((p) => influence(p, k))),
    line: { color: colorOf(j) },
  }));
  const peaks: Data = {
    type: "scatter",
    mode: "markers",
    name: "peak at p = 1/k",
    x: ks.map((k) => 1 / k),
    y: ks.map((k) => influence(1 / k, k)),
    marker: {
      color: ks.map((_, j) => colorOf(j)),
      symbol: "diamond",
      line: { color: PALETTE.black, width: 1 },
    },
  };
  const limit: Data = {
    type: "scatter",
    mode: "lines",
    name: "1/e (peak height as k → ∞)",
    x: [0, 1],
    y: [Math.exp(-1), Math.exp(-1)],
    line: { color: ROLE_COLORS.reference, dash: "dash", width: 1 },
  };
  return {
    builder: "influenceCurvesFigure",
    data: [...curves, peaks, limit],
    layout: {
      title: { text: "Effective influence k p(1 − p)<sup>k−1</sup> peaks at p = 1/k" },
      xaxis: { title: { text: "per-prompt pass@1 p(x)" }, range: [0, 1] },
      yaxis: { title: { text: "influence k p(1 − p)<sup>k−1</sup>" }, rangemode: "tozero" },
      legend: { title: { text: "samples k" } },
    },
  };
}
