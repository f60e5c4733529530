/**
 * Figure builders for real per-prompt counts (issue 15; notebook 09; `analyze --figures`): pass@k
 * curves of several models or groups, q_k's share by difficulty bin, the paired Δpass@k of two
 * checkpoints, p̂ before against after, and per-model Δpass@1 against Δpass@k. Pure: numbers in,
 * `PlotlyFigure` out; colours from lib/plots/style, no fonts or sizes. The numbers come from
 * lib/diagnostic/counts.ts and lib/diagnostic/compare.ts.
 */
import type { Data, PlotlyFigure } from "./figure";
import { COLORS, PALETTE, ROLE_COLORS } from "./style";
import { checkFinite, checkKGrid, checkLength, show } from "../core/validate";
import { horizontalLine, verticalLine } from "./shapes";
import { powersOfTwoWithin } from "./format";

/** An interval [lo, hi], or null where not estimable. */
type IntervalOrNull = readonly [number, number] | null;
type MaybeNumbers = ReadonlyArray<number | null>;

function checkSeries(where: string, name: string, ys: MaybeNumbers, n: number): void {
  checkLength(where, name, ys, n, "k");
  ys.forEach((v, i) => {
    if (v !== null) checkFinite(where, `${name}[${i}]`, v);
  });
}

/** Log k axis, ticks at the powers of two within the grid and at its largest k. */
function kAxis(k: readonly number[]): Record<string, unknown> {
  const ticks = powersOfTwoWithin([...k]);
  const last = Math.max(...k);
  if (!ticks.includes(last)) ticks.push(last);
  return { title: { text: "k" }, type: "log", tickvals: ticks };
}

/** Lower and upper edges of a band, filled between; none when every interval is null. */
function band(
  k: readonly number[],
  ci: readonly IntervalOrNull[],
  color: string,
  name: string,
  group: string,
  showlegend: boolean,
): Data[] {
  if (ci.every((c) => c === null)) return [];
  const common = {
    type: "scatter" as const,
    mode: "lines" as const,
    x: [...k],
    line: { width: 0, color },
    hoverinfo: "skip" as const,
    legendgroup: group,
  };
  return [
    { ...common, y: ci.map((c) => (c === null ? null : c[0])), showlegend: false },
    {
      ...common,
      y: ci.map((c) => (c === null ? null : c[1])),
      fill: "tonexty",
      fillcolor: `${color}33`,
      name,
      showlegend,
    },
  ];
}

/** One curve of {@link modelCurvesFigure}. */
export interface KCurve {
  /** Legend name (model or group value). */
  name: string;
  k: readonly number[];
  y: MaybeNumbers;
  /** Bootstrap intervals, drawn as a band. */
  ci?: readonly IntervalOrNull[];
}

/** Options of {@link modelCurvesFigure}. */
export interface KCurvesOptions {
  title?: string;
  /** y-axis title; default "pass@k". */
  yTitle?: string;
  /** y range; default [0, 1]. */
  yRange?: [number, number] | null;
  /** Confidence level for the legend (default 0.95). */
  level?: number;
  /**
   * Names of the curves to draw in colour and list in the legend; the others are thin grey lines
   * named only on hover (for many models). Default: every curve in colour.
   */
  highlight?: readonly string[];
}

/**
 * One line per model or group against k on a log axis, each with its bootstrap band when given:
 * pass@k (default) or any per-k quantity (e.g. q_k's share on unsolved prompts).
 *
 * @example modelCurvesFigure([{ name: "A", k: [1, 2], y: [0.2, 0.3] }]).data.length // => 1
 */
export function modelCurvesFigure(
  curves: readonly KCurve[],
  opts: KCurvesOptions = {},
): PlotlyFigure {
  const where = "modelCurvesFigure";
  if (!Array.isArray(curves) || curves.length === 0)
    throw new RangeError(`${where}: need at least one curve, got ${show(curves)}`);
  const data: Data[] = [];
  const allK = new Set<number>();
  const level = Math.round((opts.level ?? 0.95) * 100);
  const hl = opts.highlight === undefined ? null : new Set(opts.highlight);
  if (hl !== null)
    for (const name of hl)
      if (!curves.some((c) => c.name === name))
        throw new RangeError(`${where}: highlight names no curve: ${show(name)}`);
  const background: Data[] = [];
  let slot = 0;
  curves.forEach((cv, i) => {
    checkKGrid(where, `curves[${i}].k`, cv.k);
    checkSeries(where, `curves[${i}].y`, cv.y, cv.k.length);
    for (const k of cv.k as readonly number[]) allK.add(k);
    if (hl !== null && !hl.has(cv.name)) {
      background.push({
        type: "scatter",
        mode: "lines",
        name: cv.name,
        x: [...cv.k],
        y: [...cv.y],
        line: { color: PALETTE.grey, width: 1 },
        opacity: 0.5,
        showlegend: false,
        hovertemplate: `${cv.name}<br>k = %{x}: %{y:.3f}<extra></extra>`,
      });
      return;
    }
    const color = COLORS[slot % COLORS.length];
    const dash = (["solid", "dash", "dot", "dashdot"] as const)[
      Math.floor(slot / COLORS.length) % 4
    ];
    slot++;
    if (cv.ci) {
      checkLength(where, `curves[${i}].ci`, cv.ci, cv.k.length, "k");
      data.push(...band(cv.k, cv.ci, color, `${cv.name} ${level}% CI`, cv.name, false));
    }
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: cv.name,
      x: [...cv.k],
      y: [...cv.y],
      line: { color, dash },
      marker: { color, size: 5 },
      legendgroup: cv.name,
    });
  });
  data.unshift(...background);
  const yRange: [number, number] | null = opts.yRange === undefined ? [0, 1] : opts.yRange;
  return {
    builder: "modelCurvesFigure",
    data,
    layout: {
      title: { text: opts.title ?? "pass@k against k" },
      xaxis: kAxis([...allK].sort((a, b) => a - b)),
      yaxis: { title: { text: opts.yTitle ?? "pass@k" }, ...(yRange ? { range: yRange } : {}) },
    },
  };
}

/** Input of {@link weightShareBinsFigure}. */
export interface WeightShareBinsInput {
  k: readonly number[];
  /** One entry per difficulty bin, hardest first (lib/diagnostic/counts.ts `weightShare`). */
  bins: ReadonlyArray<{ bin: string; prompts: number; share: MaybeNumbers }>;
  title?: string;
}

/** Hardest bin vermillion → easiest blue. */
const BIN_COLORS = [
  PALETTE.vermillion,
  PALETTE.orange,
  PALETTE.yellow,
  PALETTE.bluishGreen,
  PALETTE.skyBlue,
  PALETTE.blue,
];

/**
 * q_k's share of the total estimated pass@k weight Σŵ_k by difficulty bin of p̂, stacked, against
 * k: how the reweighting q_k ∝ w_k(p) moves onto hard prompts as k grows ([D] estimate of PAPER.md
 * §2 from counts, lib/diagnostic/counts.ts).
 *
 * @example weightShareBinsFigure({ k: [1, 2], bins: [{ bin: "c = 0", prompts: 1, share: [0.5,
 *   0.8] }] }).data.length // => 1
 */
export function weightShareBinsFigure(input: WeightShareBinsInput): PlotlyFigure {
  const where = "weightShareBinsFigure";
  checkKGrid(where, "k", input.k);
  const data: Data[] = input.bins.map((b, i) => {
    checkSeries(where, `bins[${i}].share`, b.share, input.k.length);
    const color = BIN_COLORS[i % BIN_COLORS.length];
    return {
      type: "scatter",
      mode: "lines",
      name: `${b.bin.startsWith("c") ? b.bin : `p̂ ∈ ${b.bin}`} (${b.prompts} prompts)`,
      x: [...input.k],
      y: [...b.share],
      stackgroup: "share",
      line: { color, width: 0.5 },
      fillcolor: `${color}B3`,
    };
  });
  return {
    builder: "weightShareBinsFigure",
    data,
    layout: {
      title: { text: input.title ?? "Where the pass@k weight q<sub>k</sub> sits, by difficulty" },
      xaxis: kAxis(input.k),
      yaxis: { title: { text: "share of Σŵ<sub>k</sub>" }, range: [0, 1] },
      legend: { traceorder: "reversed" },
    },
  };
}

/** Input of {@link deltaPassAtKFigure}. */
export interface DeltaPassAtKInput {
  k: readonly number[];
  delta: readonly number[];
  deltaCI?: readonly IntervalOrNull[];
  crossingK?: number | null;
  /** Names of the two sides, for the title (default BEFORE, AFTER). */
  before?: string;
  after?: string;
  level?: number;
}

/**
 * Δpass@k = pass@k(AFTER) − pass@k(BEFORE) against k with its paired bootstrap band, the zero
 * line and the crossing k (where Δ takes the sign opposite to Δpass@1) as a dotted line
 * (lib/diagnostic/compare.ts).
 *
 * @example deltaPassAtKFigure({ k: [1, 2], delta: [-0.1, 0.2], crossingK: 2 }).data.length // => 1
 */
export function deltaPassAtKFigure(input: DeltaPassAtKInput): PlotlyFigure {
  const where = "deltaPassAtKFigure";
  checkKGrid(where, "k", input.k);
  checkSeries(where, "delta", input.delta, input.k.length);
  const level = Math.round((input.level ?? 0.95) * 100);
  const data: Data[] = [];
  if (input.deltaCI) {
    checkLength(where, "deltaCI", input.deltaCI, input.k.length, "k");
    data.push(
      ...band(input.k, input.deltaCI, ROLE_COLORS.passK, `${level}% paired bootstrap`, "ci", true),
    );
  }
  data.push({
    type: "scatter",
    mode: "lines+markers",
    name: "Δpass@k",
    x: [...input.k],
    y: [...input.delta],
    line: { color: ROLE_COLORS.passK },
    marker: {
      color: input.delta.map((d) => (d < 0 ? ROLE_COLORS.negative : ROLE_COLORS.positive)),
      size: 7,
    },
  });
  const shapes = [horizontalLine(0, "y")];
  if (input.crossingK != null) shapes.push(verticalLine(input.crossingK, "x", "y domain"));
  const names = `${input.after ?? "AFTER"} − ${input.before ?? "BEFORE"}`;
  const cross = input.crossingK != null ? `, crossing k = ${input.crossingK}` : ", no crossing";
  return {
    builder: "deltaPassAtKFigure",
    data,
    layout: {
      title: { text: `Δpass@k = ${names}${cross}` },
      xaxis: kAxis(input.k),
      yaxis: { title: { text: "Δpass@k" } },
      shapes,
    },
  };
}

/** Input of {@link pHatScatterFigure}. */
export interface PHatScatterInput {
  pBefore: ArrayLike<number>;
  pAfter: ArrayLike<number>;
  before?: string;
  after?: string;
}

/**
 * p̂ = c/n of each matched prompt, BEFORE against AFTER, with the diagonal. p̂ takes few distinct
 * values, so equal pairs are drawn as one marker whose area grows with the number of prompts;
 * colour: fell (vermillion), rose (blue), unchanged (grey).
 *
 * @example pHatScatterFigure({ pBefore: [0, 0.5], pAfter: [0.1, 0.5] }).data.length // => 4
 */
export function pHatScatterFigure(input: PHatScatterInput): PlotlyFigure {
  const where = "pHatScatterFigure";
  checkLength(where, "pAfter", input.pAfter, input.pBefore.length, "pBefore");
  const counts = new Map<string, [number, number, number]>();
  for (let i = 0; i < input.pBefore.length; i++) {
    const b = checkFinite(where, `pBefore[${i}]`, input.pBefore[i]);
    const a = checkFinite(where, `pAfter[${i}]`, input.pAfter[i]);
    const key = `${b},${a}`;
    const cur = counts.get(key);
    if (cur) cur[2]++;
    else counts.set(key, [b, a, 1]);
  }
  const pts = [...counts.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const groups: [string, string, (b: number, a: number) => boolean][] = [
    ["p̂ fell", ROLE_COLORS.negative, (b, a) => a < b],
    ["p̂ rose", ROLE_COLORS.positive, (b, a) => a > b],
    ["unchanged", ROLE_COLORS.reference, (b, a) => a === b],
  ];
  const data: Data[] = [
    {
      type: "scatter",
      mode: "lines",
      name: "p̂ after = p̂ before",
      x: [0, 1],
      y: [0, 1],
      line: { color: PALETTE.black, width: 1, dash: "dash" },
      hoverinfo: "skip",
    },
  ];
  for (const [name, color, pick] of groups) {
    const sel = pts.filter(([b, a]) => pick(b, a));
    data.push({
      type: "scatter",
      mode: "markers",
      name,
      x: sel.map((p) => p[0]),
      y: sel.map((p) => p[1]),
      text: sel.map((p) => `${p[2]} prompt${p[2] === 1 ? "" : "s"}`),
      marker: { color, size: sel.map((p) => 5 + 3 * Math.sqrt(p[2])), opacity: 0.7 },
    });
  }
  return {
    builder: "pHatScatterFigure",
    data,
    layout: {
      title: { text: `Per-prompt p̂: ${input.before ?? "BEFORE"} → ${input.after ?? "AFTER"}` },
      xaxis: { title: { text: `p̂ ${input.before ?? "BEFORE"}` }, range: [-0.03, 1.03] },
      yaxis: { title: { text: `p̂ ${input.after ?? "AFTER"}` }, range: [-0.03, 1.03] },
      legend: { itemsizing: "constant" },
    },
  };
}

/** Input of {@link deltaTradeoffFigure}: one point per model. */
export interface DeltaTradeoffInput {
  names: readonly string[];
  /** Δpass@1 per model. */
  delta1: readonly number[];
  /** Δpass@k per model at the same k. */
  deltaK: readonly number[];
  k: number;
  title?: string;
}

/**
 * Per model (or pair of conditions), Δpass@1 against Δpass@k: points in the upper-left quadrant
 * lost pass@1 and gained pass@k — the trade-off of PAPER.md §1 between two checkpoints.
 *
 * @example deltaTradeoffFigure({ names: ["a"], delta1: [-0.1], deltaK: [0.2], k: 10 }).data.length
 *   // => 1
 */
export function deltaTradeoffFigure(input: DeltaTradeoffInput): PlotlyFigure {
  const where = "deltaTradeoffFigure";
  checkLength(where, "delta1", input.delta1, input.names.length, "names");
  checkLength(where, "deltaK", input.deltaK, input.names.length, "names");
  input.delta1.forEach((v, i) => checkFinite(where, `delta1[${i}]`, v));
  input.deltaK.forEach((v, i) => checkFinite(where, `deltaK[${i}]`, v));
  const tradeoff = input.delta1.map((d, i) => d < 0 && input.deltaK[i] > 0);
  return {
    builder: "deltaTradeoffFigure",
    data: [
      {
        type: "scatter",
        mode: "markers",
        name: "model",
        x: [...input.delta1],
        y: [...input.deltaK],
        text: [...input.names],
        marker: {
          color: tradeoff.map((t) => (t ? ROLE_COLORS.passK : ROLE_COLORS.pass1)),
          size: 8,
        },
        showlegend: false,
      },
    ],
    layout: {
      title: { text: input.title ?? `Δpass@1 against Δpass@${input.k}, one point per model` },
      xaxis: { title: { text: "Δpass@1" }, zeroline: true },
      yaxis: { title: { text: `Δpass@${input.k}` }, zeroline: true },
      shapes: [horizontalLine(0, "y"), verticalLine(0, "x", "y domain")],
    },
  };
}
