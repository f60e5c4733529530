/**
 * Figure builders for training trajectories (notebooks 05 and 07): J_1 and J_k along a run, and
 * the pass@1–pass@k frontier across k. Pure: numbers in, `PlotlyFigure` out.
 */
import type { Dash } from "plotly.js-dist";
import type { Data, Layout, PlotlyFigure } from "./figure";
import { COLORS, PALETTE } from "./style";
import { checkFinite, checkInteger } from "../core/validate";
import { toArray, toArrayOfLength, verticalLine } from "./shapes";

export {
  emptiestLevel,
  horizontalLine,
  logTickValues,
  toArray,
  toArrayOfLength,
  verticalLine,
} from "./shapes";

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
