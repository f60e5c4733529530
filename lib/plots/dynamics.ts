/**
 * Figure builders for notebook 05 (training dynamics). Pure: numbers in, `PlotlyFigure`
 * out; no science is computed here — the notebook gets every number from lib/
 * (training, smoothness, interference) and passes it in.
 */
import type { Dash } from "plotly.js-dist";
import type { Data, Layout, PlotlyFigure } from "./figure";
import { COLORS, PALETTE, ROLE_COLORS } from "./style";
import { checkFinite, checkFiniteArray, checkInteger, checkLength } from "../core/validate";

// The small helpers below are shared with lib/plots/sampling.ts and lib/plots/mitigations.ts.

/** Plain array copy (Plotly JSON and snapshots want arrays, not Float64Arrays). */
export function toArray(where: string, name: string, xs: ArrayLike<number>): number[] {
  return Array.from(checkFiniteArray(where, name, xs));
}

/** Same as toArray, and its length must equal `expected` (the length of `against`). */
export function toArrayOfLength(
  where: string,
  name: string,
  xs: ArrayLike<number>,
  expected: number,
  against: string,
): number[] {
  checkLength(where, name, xs, expected, against);
  return toArray(where, name, xs);
}

/**
 * Tick values 1, 2, 5 × 10^j covering [min, max] (positive), for log axes whose range is too
 * short for decade ticks alone; plotly's own minor labels ("2", "5") read as other numbers.
 * @example logTickValues(0.03, 0.9) // => [0.02, 0.05, 0.1, 0.2, 0.5, 1]
 */
export function logTickValues(min: number, max: number): number[] {
  if (!(min > 0 && max >= min && Number.isFinite(max)))
    throw new RangeError(`logTickValues: need 0 < min ≤ max < ∞, got min = ${min}, max = ${max}`);
  const all: number[] = [];
  for (let e = Math.floor(Math.log10(min)) - 1; e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) all.push(Number((m * 10 ** e).toPrecision(12)));
  }
  const lo = all.filter((v) => v <= min).pop() ?? all[0];
  const hi = all.find((v) => v >= max) ?? all[all.length - 1];
  return all.filter((v) => v >= lo && v <= hi);
}

/** A horizontal dashed reference line at y (e.g. zero) across the plot area of axis `yref`. */
export function horizontalLine(
  y: number,
  yref = "y",
  xref = "x domain",
): NonNullable<Layout["shapes"]>[number] {
  return {
    type: "line",
    xref: xref as "x",
    yref: yref as "y",
    x0: 0,
    x1: 1,
    y0: y,
    y1: y,
    line: { color: ROLE_COLORS.reference, width: 1, dash: "dash" },
    layer: "below",
  };
}

/** A vertical dashed reference line at x across the plot area of axis `xref`. */
export function verticalLine(
  x: number,
  xref = "x",
  yref = "y domain",
): NonNullable<Layout["shapes"]>[number] {
  return {
    type: "line",
    xref: xref as "x",
    yref: yref as "y",
    x0: x,
    x1: x,
    y0: 0,
    y1: 1,
    line: { color: ROLE_COLORS.reference, width: 1, dash: "dot" },
    layer: "below",
  };
}

/** Input of {@link finiteDifferenceFigure}: one error curve per k over the same step sizes h. */
export interface FiniteDifferenceData {
  /** Finite-difference step sizes h (> 0, plotted on a log axis). */
  h: ArrayLike<number>;
  /** For each k, the relative error ‖∇̂_FD J_k − ∇J_k‖ / ‖∇J_k‖ at each h. */
  curves: ReadonlyArray<{ k: number; relError: ArrayLike<number> }>;
}

/**
 * Claim 1 (PAPER.md §10): relative error of central finite differences of J_k against the
 * analytic gradient E[w_k ∇p], vs the step h, log–log. The V shape (truncation error ∝ h²
 * on the right, round-off ∝ ε/h on the left) says the analytic gradient is the derivative.
 * Errors of exactly 0 are drawn at 1e-17 so a log axis can show them.
 * @example finiteDifferenceFigure({ h: [1e-4, 1e-3], curves: [{ k: 4, relError: [1e-10, 1e-8] }]
 * }).data.length // => 1
 */
export function finiteDifferenceFigure(data: FiniteDifferenceData): PlotlyFigure {
  const where = "finiteDifferenceFigure";
  const h = toArray(where, "h", data.h);
  const traces: Data[] = data.curves.map((c, j) => {
    checkInteger(where, `curves[${j}].k`, c.k);
    const err = toArrayOfLength(where, `curves[${j}].relError`, c.relError, h.length, "h");
    return {
      type: "scatter",
      mode: "lines+markers",
      name: `k = ${c.k}`,
      x: h,
      y: err.map((e) => Math.max(Math.abs(e), 1e-17)),
      line: { color: COLORS[j % COLORS.length] },
    };
  });
  return {
    builder: "finiteDifferenceFigure",
    data: traces,
    layout: {
      title: {
        text: "Analytic ∇J<sub>k</sub> = E[w<sub>k</sub>(p)∇p] vs central finite differences",
      },
      xaxis: { title: { text: "finite-difference step h" }, type: "log", exponentformat: "power" },
      yaxis: {
        title: {
          text: "relative error ‖∇<sub>FD</sub>J<sub>k</sub> − ∇J<sub>k</sub>‖ / ‖∇J<sub>k</sub>‖",
        },
        type: "log",
        exponentformat: "power",
      },
      legend: { title: { text: "k" } },
    },
  };
}

/** Input of {@link oneStepFigure}. */
export interface OneStepData {
  /** Step sizes η (> 0, log axis). */
  eta: ArrayLike<number>;
  /** J_1(θ + η∇J_k) − J_1(θ) at each η. */
  deltaJ1: ArrayLike<number>;
  /** J_k(θ + η∇J_k) − J_k(θ) at each η. */
  deltaJk: ArrayLike<number>;
  k: number;
  /**
   * Upper end of our sufficient interval 0 < η < min(2/L_k, 2|c|/(L_1‖∇J_k‖²)) for the paper's
   * one-step result ([P] result, [D] constants; the field name is historical); null when
   * ⟨∇J_k, ∇J_1⟩ ≥ 0, where the result does not apply: nothing is shaded.
   */
  theoremEtaMax: number | null;
  /** Optional: largest η on the grid at which the observed ΔJ_1 < 0 < ΔJ_k still holds. */
  observedEtaMax?: number;
}

/**
 * The middle of the widest gap between the curves' y spans (and the zero line) within the
 * overall y range of `all`: where a label in that x range crosses no curve.
 * @example emptiestLevel([[1, 1.1], [-1, -0.9]], [-1, 1.1, 0]) // => 0.5
 */
export function emptiestLevel(curves: readonly number[][], all: readonly number[]): number {
  const finite = all.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const taken = curves
    .map((ys) => ys.filter(Number.isFinite))
    .filter((ys) => ys.length > 0)
    .map((ys) => [Math.min(...ys), Math.max(...ys)] as const);
  taken.push([0, 0]);
  taken.sort((a, b) => a[0] - b[0]);
  let best: [number, number] = [lo, lo];
  let at = lo;
  for (const [a, b] of [...taken, [hi, hi] as const]) {
    if (a - at > best[1] - best[0]) best = [at, a];
    at = Math.max(at, b);
  }
  return (best[0] + best[1]) / 2;
}

/**
 * Claim 7 (the one-step result, PAPER.md §5): the change of J_1 and J_k after one step
 * θ⁺ = θ + η∇J_k, against η on a log axis, with our sufficient interval shaded. Changes are
 * drawn divided by η (ΔJ/η) so that small and large steps share one readable scale; as η → 0
 * they tend to ⟨∇J_k,∇J_1⟩ and ‖∇J_k‖², so the signs are those of the first-order terms.
 * @example oneStepFigure({ eta: [0.1, 1], deltaJ1: [-0.01, -0.1], deltaJk: [0.02, 0.1], k: 4,
 * theoremEtaMax: 0.5 }).data.length // => 2
 */
export function oneStepFigure(data: OneStepData): PlotlyFigure {
  const where = "oneStepFigure";
  const eta = toArray(where, "eta", data.eta);
  for (let i = 0; i < eta.length; i++)
    if (!(eta[i] > 0)) throw new RangeError(`${where}: eta[${i}] must be > 0, got ${eta[i]}`);
  const d1 = toArrayOfLength(where, "deltaJ1", data.deltaJ1, eta.length, "eta");
  const dk = toArrayOfLength(where, "deltaJk", data.deltaJk, eta.length, "eta");
  const k = checkInteger(where, "k", data.k);
  const etaMax =
    data.theoremEtaMax === null ? null : checkFinite(where, "theoremEtaMax", data.theoremEtaMax);
  const per = (d: number[]) => d.map((v, i) => v / eta[i]);
  const shapes: NonNullable<Layout["shapes"]> = [horizontalLine(0)];
  const annotations: NonNullable<Layout["annotations"]> = [];
  if (etaMax !== null) {
    shapes.push({
      type: "rect",
      xref: "x",
      yref: "paper",
      x0: Math.min(...eta),
      x1: etaMax,
      y0: 0,
      y1: 1,
      fillcolor: PALETTE.bluishGreen,
      opacity: 0.15,
      line: { width: 0 },
      layer: "below",
    });
    annotations.push({
      // Annotations on a log axis take log10 coordinates (plotly.js#1258); shapes do not.
      // In the widest empty stretch of the shaded band, so the label crosses no curve.
      xref: "x",
      yref: "y",
      x: Math.log10(etaMax),
      y: emptiestLevel(
        [per(d1), per(dk)].map((ys) => ys.filter((_, i) => eta[i] <= etaMax)),
        [...per(d1), ...per(dk), 0],
      ),
      xanchor: "right",
      yanchor: "middle",
      text: "sufficient η interval (ours)",
      showarrow: false,
      font: { color: PALETTE.bluishGreen },
    });
  }
  if (data.observedEtaMax !== undefined) {
    const obs = checkFinite(where, "observedEtaMax", data.observedEtaMax);
    shapes.push(verticalLine(obs));
    annotations.push({
      xref: "x",
      yref: "paper",
      x: Math.log10(obs),
      y: 0.6,
      xanchor: "right",
      yanchor: "middle",
      text: "last η with<br>ΔJ<sub>1</sub> < 0 < ΔJ<sub>k</sub> ",
      showarrow: false,
      align: "right",
      font: { color: ROLE_COLORS.reference },
    });
  }
  return {
    builder: "oneStepFigure",
    data: [
      {
        type: "scatter",
        mode: "lines",
        name: `J<sub>${k}</sub> (pass@${k})`,
        x: eta,
        y: per(dk),
        line: { color: ROLE_COLORS.passK },
      },
      {
        type: "scatter",
        mode: "lines",
        name: "J<sub>1</sub> (pass@1)",
        x: eta,
        y: per(d1),
        line: { color: ROLE_COLORS.pass1 },
      },
    ],
    layout: {
      title: { text: `One step of pass@${k} ascent, θ⁺ = θ + η∇J<sub>${k}</sub>` },
      // Explicit range: axis-referenced annotations would otherwise widen the autorange.
      xaxis: {
        title: { text: "step size η" },
        type: "log",
        exponentformat: "power",
        dtick: 1,
        range: [Math.log10(Math.min(...eta)), Math.log10(Math.max(...eta))],
      },
      yaxis: { title: { text: "change per unit step [J(θ⁺) − J(θ)] / η" } },
      legend: { title: { text: "objective" } },
      shapes,
      annotations,
    },
  };
}

/** One training run for {@link trainingCurvesFigure}. */
export interface TrainingRun {
  /** Legend label, e.g. "pass@4 ascent". */
  name: string;
  /** Step indices (x axis). */
  steps: ArrayLike<number>;
  /** J_1 at each step. */
  J1: ArrayLike<number>;
  /** J_k (the evaluation k of the figure) at each step. */
  Jk: ArrayLike<number>;
  /** Optional line dash ("dash", "dot", …) to tell related runs apart. */
  dash?: Dash;
}

/** Options of {@link trainingCurvesFigure}. */
export interface TrainingCurvesOptions {
  /** The k of the right panel's J_k. */
  k: number;
  /** Figure title (default: pass@1 and pass@k during training). */
  title?: string;
  /** Legend title (default "objective"). */
  legendTitle?: string;
}

/** The two-panel J_1 | J_k layout used by training-curve figures. */
function twoPanelLayout(
  title: string,
  left: string,
  right: string,
  xTitle: string,
  legendTitle: string,
): Partial<Layout> {
  return {
    title: { text: title },
    xaxis: { title: { text: xTitle }, domain: [0, 0.45], anchor: "y" },
    yaxis: { title: { text: left }, anchor: "x" },
    xaxis2: { title: { text: xTitle }, domain: [0.55, 1], anchor: "y2" },
    yaxis2: { title: { text: right }, anchor: "x2" },
    legend: {
      title: { text: legendTitle },
      orientation: "h",
      x: 0.5,
      xanchor: "center",
      y: -0.22,
      yanchor: "top",
    },
  };
}

/**
 * Claim 8 (PAPER.md §10) and the mitigation comparison of notebook 07: J_1 (left panel) and
 * J_k (right panel) against the training step, one colour per run.
 * @example trainingCurvesFigure([{ name: "pass@1", steps: [0, 1], J1: [0.5, 0.6], Jk: [0.8, 0.85]
 * }], { k: 4 }).data.length // => 2
 */
export function trainingCurvesFigure(
  runs: readonly TrainingRun[],
  opts: TrainingCurvesOptions,
): PlotlyFigure {
  const where = "trainingCurvesFigure";
  const k = checkInteger(where, "opts.k", opts.k);
  if (runs.length === 0) throw new RangeError(`${where}: runs must be a non-empty list, got []`);
  const data: Data[] = [];
  runs.forEach((run, j) => {
    const steps = toArray(where, `runs[${j}].steps`, run.steps);
    const J1 = toArrayOfLength(where, `runs[${j}].J1`, run.J1, steps.length, `runs[${j}].steps`);
    const Jk = toArrayOfLength(where, `runs[${j}].Jk`, run.Jk, steps.length, `runs[${j}].steps`);
    const line = { color: COLORS[j % COLORS.length], ...(run.dash ? { dash: run.dash } : {}) };
    data.push(
      {
        type: "scatter",
        mode: "lines",
        name: run.name,
        legendgroup: run.name,
        x: steps,
        y: J1,
        xaxis: "x",
        yaxis: "y",
        line,
      },
      {
        type: "scatter",
        mode: "lines",
        name: run.name,
        legendgroup: run.name,
        showlegend: false,
        x: steps,
        y: Jk,
        xaxis: "x2",
        yaxis: "y2",
        line,
      },
    );
  });
  return {
    builder: "trainingCurvesFigure",
    data,
    layout: twoPanelLayout(
      opts.title ?? `pass@1 and pass@${k} during training`,
      "J<sub>1</sub> (pass@1)",
      `J<sub>${k}</sub> (pass@${k})`,
      "step t",
      opts.legendTitle ?? "objective",
    ),
  };
}

/** Input of {@link tradeoffFrontierFigure}. */
export interface TradeoffData {
  /** The evaluation k of the y axis. */
  evalK: number;
  /** Where every run starts (J_1, J_evalK). */
  start: { J1: number; Jk: number };
  /** One run per training k: its path in the (J_1, J_evalK) plane, ending at the final point. */
  runs: ReadonlyArray<{ k: number; J1: ArrayLike<number>; Jk: ArrayLike<number> }>;
}

/**
 * The pass@1–pass@k trade-off across the training k: each run's path in the
 * (J_1, J_{k_eval}) plane from the common start, with its end point labelled by the k it
 * optimised. Runs ending left of the start lost pass@1.
 * @example tradeoffFrontierFigure({ evalK: 8, start: { J1: 0.6, Jk: 0.9 }, runs: [{ k: 1, J1: [0.6,
 * 0.7], Jk: [0.9, 0.92] }] }).data.length // => 3
 */
export function tradeoffFrontierFigure(data: TradeoffData): PlotlyFigure {
  const where = "tradeoffFrontierFigure";
  const evalK = checkInteger(where, "evalK", data.evalK);
  const x0 = checkFinite(where, "start.J1", data.start.J1);
  const y0 = checkFinite(where, "start.Jk", data.start.Jk);
  const ends = { x: [] as number[], y: [] as number[], text: [] as string[] };
  const traces: Data[] = data.runs.map((run, j) => {
    const k = checkInteger(where, `runs[${j}].k`, run.k);
    const x = toArray(where, `runs[${j}].J1`, run.J1);
    const y = toArrayOfLength(where, `runs[${j}].Jk`, run.Jk, x.length, `runs[${j}].J1`);
    if (x.length === 0) throw new RangeError(`${where}: runs[${j}].J1 must be non-empty`);
    ends.x.push(x[x.length - 1]);
    ends.y.push(y[y.length - 1]);
    ends.text.push(`k = ${k}`);
    return {
      type: "scatter",
      mode: "lines",
      name: `trained on pass@${k}`,
      x,
      y,
      line: { color: COLORS[j % COLORS.length] },
    };
  });
  traces.push({
    type: "scatter",
    mode: "text+markers",
    name: "end of run",
    x: ends.x,
    y: ends.y,
    text: ends.text,
    textposition: "top center",
    marker: { color: PALETTE.black, symbol: "circle" },
    showlegend: false,
  } as Data);
  traces.push({
    type: "scatter",
    mode: "markers",
    name: "start",
    x: [x0],
    y: [y0],
    marker: { color: PALETTE.black, symbol: "x", size: 11 },
  });
  return {
    builder: "tradeoffFrontierFigure",
    data: traces,
    layout: {
      title: { text: `Trade-off: pass@1 vs pass@${evalK} after training on pass@k` },
      xaxis: { title: { text: "J<sub>1</sub> (pass@1)" } },
      yaxis: { title: { text: `J<sub>${evalK}</sub> (pass@${evalK})` } },
      legend: { title: { text: "run" } },
      shapes: [verticalLine(x0)],
    },
  };
}

/** Input of {@link smoothnessBoundsFigure}. */
export interface SmoothnessData {
  ks: ArrayLike<number>;
  /** Crude bound L_k ≤ k L_1 + k(k−1)G² at each k. */
  crude: ArrayLike<number>;
  /** Refined bound (uniform in k) at each k. */
  refined: ArrayLike<number>;
  /** Optional measured curvature of J_k at the current θ (e.g. a Hessian norm estimate). */
  observed?: ArrayLike<number>;
  /** Optional ‖∇J_k‖ at each k, drawn with the bound G (claim 10's ‖∇J_k‖ ≤ G). */
  gradNorm?: ArrayLike<number>;
  G?: number;
}

/**
 * Claim 10 (PAPER.md §5, constants our derivation): the crude smoothness bound on J_k grows
 * like k², the refined one stays bounded; optional measured curvature and ‖∇J_k‖ ≤ G. Log–log.
 * @example smoothnessBoundsFigure({ ks: [1, 2], crude: [1, 4], refined: [1, 2] }).data.length // =>
 * 2
 */
export function smoothnessBoundsFigure(data: SmoothnessData): PlotlyFigure {
  const where = "smoothnessBoundsFigure";
  const ks = toArray(where, "ks", data.ks);
  const series: Data[] = [
    {
      type: "scatter",
      mode: "lines+markers",
      name: "crude bound k L<sub>1</sub> + k(k−1)G²",
      x: ks,
      y: toArrayOfLength(where, "crude", data.crude, ks.length, "ks"),
      line: { color: PALETTE.vermillion },
    },
    {
      type: "scatter",
      mode: "lines+markers",
      name: "refined bound (uniform in k)",
      x: ks,
      y: toArrayOfLength(where, "refined", data.refined, ks.length, "ks"),
      line: { color: PALETTE.blue },
    },
  ];
  if (data.observed) {
    series.push({
      type: "scatter",
      mode: "lines+markers",
      name: "measured curvature of J<sub>k</sub>",
      x: ks,
      y: toArrayOfLength(where, "observed", data.observed, ks.length, "ks"),
      line: { color: PALETTE.black, dash: "dot" },
    });
  }
  if (data.gradNorm) {
    series.push({
      type: "scatter",
      mode: "lines+markers",
      name: "‖∇J<sub>k</sub>‖",
      x: ks,
      y: toArrayOfLength(where, "gradNorm", data.gradNorm, ks.length, "ks"),
      line: { color: PALETTE.bluishGreen },
    });
  }
  if (data.G !== undefined) {
    const G = checkFinite(where, "G", data.G);
    series.push({
      type: "scatter",
      mode: "lines",
      name: "G (bound on ‖∇J<sub>k</sub>‖)",
      x: [ks[0], ks[ks.length - 1]],
      y: [G, G],
      line: { color: PALETTE.bluishGreen, dash: "dash" },
    });
  }
  return {
    builder: "smoothnessBoundsFigure",
    data: series,
    layout: {
      title: { text: "Smoothness constant L<sub>k</sub> of J<sub>k</sub>: crude vs refined bound" },
      xaxis: { title: { text: "k" }, type: "log", tickvals: ks },
      yaxis: { title: { text: "bound / measured value" }, type: "log", exponentformat: "power" },
      legend: { title: { text: "quantity" } },
    },
  };
}
