/**
 * Figure builders for notebook 10 (pass@k and pass^k side by side; the weighted family J_W,
 * issue 19 — our derivation [D] beyond the paper's pass@k, PAPER.md §1–4). Pure: numbers in,
 * `PlotlyFigure` out; colours from lib/plots/style.
 */
import type { Data, PlotlyFigure } from "./figure";
import { COLORS, PALETTE } from "./style";
import { forDisplay, powersOfTwoWithin } from "./format";
import { toArray, toArrayOfLength } from "./shapes";
import { checkInteger, checkKGrid } from "../core/validate";

/** One weight curve: a legend name and w at each p of the grid. */
export interface WeightCurve {
  name: string;
  /** w(p) at each p of `p`. */
  w: ArrayLike<number>;
  /** Line dash, to tell the two families apart. */
  dash?: "solid" | "dash" | "dot" | "dashdot";
}

/**
 * Per-prompt weights w(p) of several family members against p (pass@k falls with p, pass^k
 * rises: the mirror image) [P for w_k, PAPER.md §2; D for w^k and a user's W'].
 *
 * @example familyWeightsFigure({ p: [0, 1], curves: [{ name: "pass^2", w: [0, 2] }] }).data
 * .length // => 1
 */
export function familyWeightsFigure(data: {
  p: ArrayLike<number>;
  curves: readonly WeightCurve[];
}): PlotlyFigure {
  const where = "familyWeightsFigure";
  const p = toArray(where, "p", data.p);
  if (data.curves.length === 0)
    throw new RangeError(`${where}: curves must be a non-empty list, got []`);
  return {
    builder: "familyWeightsFigure",
    data: data.curves.map((c, j) => ({
      type: "scatter",
      mode: "lines",
      name: c.name,
      x: p,
      y: forDisplay(toArrayOfLength(where, `curves[${j}].w`, c.w, p.length, "p")),
      line: { color: COLORS[j % COLORS.length], ...(c.dash ? { dash: c.dash } : {}) },
    })),
    layout: {
      title: { text: "Prompt weights w(p) of the k-sample objectives" },
      xaxis: { title: { text: "per-prompt pass@1 p(x)" }, range: [0, 1] },
      yaxis: { title: { text: "weight w(p) = W′(p)" }, rangemode: "tozero" },
      legend: { title: { text: "objective" } },
    },
  };
}

/**
 * The difficulty distribution D and its reweightings q_w ∝ D·w(p) by several family members,
 * binned over p into `bins` equal bins and drawn as step densities (each integrates to 1)
 * [D, PAPER.md §2 for pass@k; issue 19].
 *
 * @example familyDensityFigure({ p: [0.1, 0.9], mass: [0.5, 0.5], members: [], bins: 2 }).data
 * .length // => 1
 */
export function familyDensityFigure(data: {
  p: ArrayLike<number>;
  mass: ArrayLike<number>;
  members: ReadonlyArray<{ name: string; q: ArrayLike<number>; dash?: WeightCurve["dash"] }>;
  bins?: number;
}): PlotlyFigure {
  const where = "familyDensityFigure";
  const bins = checkInteger(where, "bins", data.bins ?? 40, 1);
  const p = toArray(where, "p", data.p);
  const mass = toArrayOfLength(where, "mass", data.mass, p.length, "p");
  const centres = Array.from({ length: bins }, (_, b) => (b + 0.5) / bins);
  const density = (w: number[]): number[] => {
    const out = new Array<number>(bins).fill(0);
    for (let i = 0; i < p.length; i++)
      out[Math.min(bins - 1, Math.floor(p[i] * bins))] += w[i] * bins;
    return forDisplay(out);
  };
  const traces: Data[] = [
    {
      type: "scatter",
      mode: "lines",
      name: "D (pass@1)",
      x: centres,
      y: density(mass),
      line: { shape: "hvh", color: PALETTE.grey },
      fill: "tozeroy",
    },
  ];
  data.members.forEach((m, j) => {
    const q = toArrayOfLength(where, `members[${j}].q`, m.q, p.length, "p");
    traces.push({
      type: "scatter",
      mode: "lines",
      name: m.name,
      x: centres,
      y: density(q),
      line: { shape: "hvh", color: COLORS[j % COLORS.length], ...(m.dash ? { dash: m.dash } : {}) },
    });
  });
  return {
    builder: "familyDensityFigure",
    data: traces,
    layout: {
      title: { text: "Where each objective puts its weight: q<sub>w</sub> ∝ D·w(p)" },
      xaxis: { title: { text: "per-prompt pass@1 p(x)" }, range: [0, 1] },
      yaxis: { title: { text: "density over p" }, rangemode: "tozero" },
      legend: { title: { text: "distribution" } },
    },
  };
}

/** One population's conflict curves for {@link familyConflictFigure}. */
export interface FamilyConflictPanel {
  /** Panel title (the population). */
  name: string;
  /** One curve per family: cos∠(∇J, ∇J_1) at each k of the figure's grid. */
  curves: ReadonlyArray<{ name: string; cosine: ArrayLike<number>; dash?: WeightCurve["dash"] }>;
}

/**
 * cos∠(∇J, ∇J_1) against k for pass@k and pass^k, one panel per population (below zero: the
 * objective's ascent lowers pass@1 to first order) [D, PAPER.md §4; issue 19].
 *
 * @example familyConflictFigure({ ks: [1, 2], panels: [{ name: "toy", curves: [{ name: "pass@k",
 * cosine: [1, -0.5] }] }] }).data.length // => 1
 */
export function familyConflictFigure(data: {
  ks: ArrayLike<number>;
  panels: readonly FamilyConflictPanel[];
}): PlotlyFigure {
  const where = "familyConflictFigure";
  checkKGrid(where, "ks", data.ks);
  const ks = Array.from(data.ks);
  const P = data.panels.length;
  if (P === 0) throw new RangeError(`${where}: panels must be a non-empty list, got []`);
  const traces: Data[] = [];
  const layout: Record<string, unknown> = {
    title: { text: "Conflict with pass@1 against k: pass@k and pass^k" },
    legend: { title: { text: "objective" } },
    annotations: [],
  };
  const gap = 0.08;
  const width = (1 - gap * (P - 1)) / P;
  data.panels.forEach((panel, pi) => {
    const ax = pi === 0 ? "" : String(pi + 1);
    panel.curves.forEach((c, j) => {
      const cos = toArrayOfLength(
        where,
        `panels[${pi}].curves[${j}].cosine`,
        c.cosine,
        ks.length,
        "ks",
      );
      traces.push({
        type: "scatter",
        mode: "lines+markers",
        name: c.name,
        legendgroup: c.name,
        showlegend: pi === 0,
        x: ks,
        y: forDisplay(cos),
        line: { color: COLORS[j % COLORS.length], ...(c.dash ? { dash: c.dash } : {}) },
        xaxis: `x${ax}` as "x",
        yaxis: `y${ax}` as "y",
      });
    });
    const x0 = pi * (width + gap);
    layout[`xaxis${ax}`] = {
      title: { text: "samples k" },
      type: "log",
      // powers of two, not Plotly's 2× and 5× minor labels (drawn at 75 % of the font size)
      tickvals: powersOfTwoWithin(ks),
      domain: [x0, x0 + width],
      anchor: `y${ax}`,
    };
    layout[`yaxis${ax}`] = {
      title: { text: pi === 0 ? "cos∠(∇J, ∇J<sub>1</sub>)" : "" },
      range: [-1.05, 1.05],
      anchor: `x${ax}`,
      zeroline: true,
      zerolinecolor: PALETTE.black,
    };
    (layout.annotations as unknown[]).push({
      text: panel.name,
      showarrow: false,
      xref: "paper",
      yref: "paper",
      x: x0 + width / 2,
      y: 1.02,
      xanchor: "center",
      yanchor: "bottom",
    });
  });
  return {
    builder: "familyConflictFigure",
    data: traces,
    layout: layout as PlotlyFigure["layout"],
  };
}

/** One population's runs for {@link familyTrajectoriesFigure}. */
export interface FamilyTrajectoryPanel {
  /** Panel title (the population). */
  name: string;
  /** One run per objective: J_1 at each recorded step. */
  runs: ReadonlyArray<{
    name: string;
    steps: ArrayLike<number>;
    J1: ArrayLike<number>;
    dash?: WeightCurve["dash"];
  }>;
}

/**
 * Pass@1 along exact ascent on each objective, one panel per population (colours by objective,
 * in the order of the first panel) [D: our runs].
 *
 * @example familyTrajectoriesFigure({ panels: [{ name: "toy", runs: [{ name: "pass@1", steps: [0,
 * 1], J1: [0.6, 0.62] }] }] }).data.length // => 1
 */
export function familyTrajectoriesFigure(data: {
  panels: readonly FamilyTrajectoryPanel[];
}): PlotlyFigure {
  const where = "familyTrajectoriesFigure";
  const P = data.panels.length;
  if (P === 0) throw new RangeError(`${where}: panels must be a non-empty list, got []`);
  const traces: Data[] = [];
  const layout: Record<string, unknown> = {
    title: { text: "Pass@1 along ascent on each k-sample objective" },
    legend: { title: { text: "ascent on" } },
    annotations: [],
  };
  const gap = 0.08;
  const width = (1 - gap * (P - 1)) / P;
  data.panels.forEach((panel, pi) => {
    const ax = pi === 0 ? "" : String(pi + 1);
    panel.runs.forEach((r, j) => {
      const steps = toArray(where, `panels[${pi}].runs[${j}].steps`, r.steps);
      const J1 = toArrayOfLength(where, `panels[${pi}].runs[${j}].J1`, r.J1, steps.length, "steps");
      traces.push({
        type: "scatter",
        mode: "lines",
        name: r.name,
        legendgroup: r.name,
        showlegend: pi === 0,
        x: steps,
        y: forDisplay(J1),
        line: { color: COLORS[j % COLORS.length], ...(r.dash ? { dash: r.dash } : {}) },
        xaxis: `x${ax}` as "x",
        yaxis: `y${ax}` as "y",
      });
    });
    const x0 = pi * (width + gap);
    layout[`xaxis${ax}`] = { title: { text: "step" }, domain: [x0, x0 + width], anchor: `y${ax}` };
    layout[`yaxis${ax}`] = {
      title: { text: pi === 0 ? "J<sub>1</sub> (pass@1)" : "" },
      anchor: `x${ax}`,
    };
    (layout.annotations as unknown[]).push({
      text: panel.name,
      showarrow: false,
      xref: "paper",
      yref: "paper",
      x: x0 + width / 2,
      y: 1.02,
      xanchor: "center",
      yanchor: "bottom",
    });
  });
  return {
    builder: "familyTrajectoriesFigure",
    data: traces,
    layout: layout as PlotlyFigure["layout"],
  };
}
