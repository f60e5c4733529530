/**
 * Figure builders for notebook 08 §5–6 (the stand-in network, issue 16): last layer against all
 * parameters, and multi-step sampled training with bands over seeds. Pure: numbers in,
 * `PlotlyFigure` out; colours from lib/plots/style, no fonts or sizes.
 */
import type { Data, Layout, PlotlyFigure } from "./figure";
import { COLORS, ROLE_COLORS } from "./style";
import { checkFiniteArray, checkKGrid, checkLength } from "../core/validate";
import { horizontalLine, toArray, verticalLine } from "./shapes";

/** Input of {@link layerAgreementFigure}. */
export interface LayerAgreementInput {
  /** Exact a(x) from the last layer and from all parameters (same prompts, same order). */
  aLast: ArrayLike<number>;
  aFull: ArrayLike<number>;
  /** k = 1 … kMax and cos∠(∇J_k, ∇J_1) from each parameter set. */
  k: ArrayLike<number>;
  cosineLast: ArrayLike<number>;
  cosineFull: ArrayLike<number>;
  /** Exact k* from each (null: none in range; no marker). */
  kStarLast: number | null;
  kStarFull: number | null;
  title?: string;
}

/** a / RMS(a): each score vector scaled by its own root mean square over prompts. */
function byRms(a: readonly number[]): number[] {
  const rms = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  return a.map((v) => (rms > 0 ? v / rms : 0));
}

/**
 * Left: a_last(x) against a_full(x), each divided by its root mean square over prompts, with the
 * diagonal; right: cos∠(∇J_k, ∇J_1) against k from each parameter set, k* of each dotted.
 * @example layerAgreementFigure({ aLast: [1, -1], aFull: [2, -1], k: [1, 2], cosineLast: [1, -0.1],
 * cosineFull: [1, 0.1], kStarLast: 2, kStarFull: null }).data.length // => 4
 */
export function layerAgreementFigure(input: LayerAgreementInput): PlotlyFigure {
  const where = "layerAgreementFigure";
  const aLast = toArray(where, "aLast", input.aLast);
  checkLength(where, "aFull", input.aFull, aLast.length, "aLast");
  const aFull = toArray(where, "aFull", input.aFull);
  const k = Array.from(checkKGrid(where, "k", input.k));
  checkLength(where, "cosineLast", input.cosineLast, k.length, "k");
  checkLength(where, "cosineFull", input.cosineFull, k.length, "k");
  const [sLast, sFull] = [byRms(aLast), byRms(aFull)];
  const span = Math.max(...sLast.map(Math.abs), ...sFull.map(Math.abs), 1) * 1.05;
  const lastColor = COLORS[0];
  const fullColor = COLORS[1];
  const data: Data[] = [
    {
      type: "scatter",
      mode: "lines",
      x: [-span, span],
      y: [-span, span],
      line: { color: ROLE_COLORS.reference, width: 1, dash: "dash" },
      name: "a_last = a_full",
      hoverinfo: "skip",
    },
    {
      type: "scatter",
      mode: "markers",
      x: sFull,
      y: sLast,
      marker: { color: COLORS[2], size: 6, opacity: 0.8 },
      name: "prompts",
    },
    {
      type: "scatter",
      mode: "lines+markers",
      x: k,
      y: Array.from(input.cosineLast, (v) => (Number.isFinite(v) ? v : null)),
      xaxis: "x2",
      yaxis: "y2",
      line: { color: lastColor },
      marker: { size: 4 },
      name: `last layer (k* = ${input.kStarLast ?? "none"})`,
    },
    {
      type: "scatter",
      mode: "lines+markers",
      x: k,
      y: Array.from(input.cosineFull, (v) => (Number.isFinite(v) ? v : null)),
      xaxis: "x2",
      yaxis: "y2",
      line: { color: fullColor, dash: "dash" },
      marker: { size: 4 },
      name: `all parameters (k* = ${input.kStarFull ?? "none"})`,
    },
  ];
  const shapes = [
    horizontalLine(0, "y", "x domain"),
    verticalLine(0, "x", "y domain"),
    horizontalLine(0, "y2", "x2 domain"),
  ];
  for (const [ks, color] of [
    [input.kStarLast, lastColor],
    [input.kStarFull, fullColor],
  ] as const) {
    if (ks !== null)
      shapes.push({
        ...verticalLine(ks, "x2", "y2 domain"),
        line: { color, dash: "dot", width: 1.5 },
      });
  }
  const layout: Partial<Layout> = {
    title: { text: input.title ?? "Last layer against all parameters" },
    xaxis: {
      title: { text: "a_full(x) / RMS" },
      domain: [0, 0.42],
      range: [-span, span],
      anchor: "y",
    },
    yaxis: { title: { text: "a_last(x) / RMS" }, range: [-span, span], anchor: "x" },
    xaxis2: { title: { text: "k" }, domain: [0.56, 1], anchor: "y2" },
    yaxis2: { title: { text: "cos∠(∇J<sub>k</sub>, ∇J<sub>1</sub>)" }, anchor: "x2" },
    shapes,
    legend: { orientation: "h", x: 0.5, xanchor: "center", y: -0.22, yanchor: "top" },
  };
  return { builder: "layerAgreementFigure", data, layout };
}

/** A mean curve with its band (for {@link sampledTrainingFigure}). */
export interface BandedCurve {
  mean: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}

/** Input of {@link sampledTrainingFigure}. */
export interface SampledTrainingInput {
  /** Step indices (x axis). */
  steps: ArrayLike<number>;
  /** The k of the rows (one row per k: J_1 left, J_k right). */
  ks: readonly number[];
  /**
   * Arms: `name` (legend; same name = same colour), the estimator's `k` (an arm with k = 1 is
   * drawn in every row, others in the row of their k), J_1, and J_k for each k of `ks`.
   */
  arms: readonly { name: string; k: number; J1: BandedCurve; Jk: readonly BandedCurve[] }[];
  /** What the band is, for the legend (e.g. "±2 SE over 5 seeds"). */
  bandLabel: string;
  title?: string;
}

function bandTraces(
  steps: number[],
  c: BandedCurve,
  color: string,
  axes: { x: string; y: string },
  name: string,
  showlegend: boolean,
): Data[] {
  const n = steps.length;
  for (const [key, v] of [
    ["mean", c.mean],
    ["lo", c.lo],
    ["hi", c.hi],
  ] as const) {
    checkLength("sampledTrainingFigure", key, v, n, "steps");
    checkFiniteArray("sampledTrainingFigure", key, v);
  }
  const common = {
    type: "scatter" as const,
    mode: "lines" as const,
    x: steps,
    xaxis: axes.x,
    yaxis: axes.y,
  };
  return [
    {
      ...common,
      y: Array.from(c.lo),
      line: { width: 0, color },
      showlegend: false,
      hoverinfo: "skip",
    },
    {
      ...common,
      y: Array.from(c.hi),
      line: { width: 0, color },
      fill: "tonexty",
      fillcolor: `${color}33`,
      showlegend: false,
      hoverinfo: "skip",
    },
    {
      ...common,
      y: Array.from(c.mean),
      line: { color, width: 2 },
      name,
      legendgroup: name,
      showlegend,
    },
  ];
}

/**
 * Multi-step sampled training: one row per k, exact J_1 (left) and J_k (right) against the step,
 * the mean over seeds with a band, one colour per arm name.
 * @example sampledTrainingFigure({ steps: [0, 1], ks: [2], bandLabel: "±2 SE", arms: [{ name:
 * "pass@1", k: 1, J1: { mean: [0.3, 0.4], lo: [0.3, 0.35], hi: [0.3, 0.45] }, Jk: [{ mean: [0.5,
 * 0.6], lo: [0.5, 0.55], hi: [0.5, 0.65] }] }] }).data.length // => 6
 */
export function sampledTrainingFigure(input: SampledTrainingInput): PlotlyFigure {
  const where = "sampledTrainingFigure";
  const steps = toArray(where, "steps", input.steps);
  const ks = Array.from(checkKGrid(where, "ks", input.ks));
  if (input.arms.length === 0) throw new RangeError(`${where}: arms must be a non-empty list`);
  const names = [...new Set(input.arms.map((a) => a.name))];
  const rows = ks.length;
  const gap = 0.12;
  const h = (1 - gap * (rows - 1)) / rows;
  const data: Data[] = [];
  const layout: Partial<Layout> & Record<string, unknown> = {
    title: { text: input.title ?? "Sampled training: exact pass@1 and pass@k over steps" },
    legend: {
      title: { text: `mean over seeds, band ${input.bandLabel}` },
      orientation: "h",
      x: 0.5,
      xanchor: "center",
      y: -0.2,
      yanchor: "top",
    },
  };
  const seen = new Set<string>();
  ks.forEach((k, r) => {
    const top = 1 - r * (h + gap);
    const yDomain = [top - h, top];
    const [xl, xr] = [`x${2 * r + 1 === 1 ? "" : 2 * r + 1}`, `x${2 * r + 2}`];
    const [yl, yr] = [`y${2 * r + 1 === 1 ? "" : 2 * r + 1}`, `y${2 * r + 2}`];
    const key = (s: string) => s.replace(/^([xy])/, "$1axis");
    const last = r === rows - 1;
    layout[key(xl)] = {
      domain: [0, 0.45],
      anchor: yl,
      title: last ? { text: "step t" } : undefined,
    };
    layout[key(xr)] = {
      domain: [0.55, 1],
      anchor: yr,
      title: last ? { text: "step t" } : undefined,
    };
    // the row's training k in the left title: both rows show pass@1 there
    layout[key(yl)] = { domain: yDomain, anchor: xl, title: { text: `pass@1 (k = ${k})` } };
    layout[key(yr)] = { domain: yDomain, anchor: xr, title: { text: `pass@${k}` } };
    input.arms.forEach((arm) => {
      if (arm.k !== 1 && arm.k !== k) return;
      checkLength(where, `arm ${arm.name} Jk`, arm.Jk, ks.length, "ks");
      const color = COLORS[names.indexOf(arm.name) % COLORS.length];
      const first = !seen.has(arm.name);
      seen.add(arm.name);
      data.push(...bandTraces(steps, arm.J1, color, { x: xl, y: yl }, arm.name, first));
      data.push(...bandTraces(steps, arm.Jk[r], color, { x: xr, y: yr }, arm.name, false));
    });
  });
  return { builder: "sampledTrainingFigure", data, layout };
}
