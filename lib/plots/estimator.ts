/**
 * Figure builders for notebook 01 (pass@k and its estimator, PAPER.md §8).
 * Pure: data in, figure out; colours from lib/plots/style, no fonts or sizes.
 */
import type { Data, Layout, PlotlyFigure } from "./figure";
import { COLORS, PALETTE, ROLE_COLORS } from "./style";
import { checkFiniteArray, checkLength } from "../core/validate";

/** One curve of relative error against n. */
export interface ErrorSeries {
  /** Legend label, e.g. "naive, c = 5, k = n/2". */
  name: string;
  /** "naive" float64 binomial ratio or the "stable" product form (sets the colour). */
  method: "naive" | "stable";
  /** Sample counts n (x axis). */
  n: ArrayLike<number>;
  /** Relative error at each n; NaN where the computation failed (overflow). */
  relError: ArrayLike<number>;
  /** Line dash, to tell scenarios apart (default solid). */
  dash?: "solid" | "dash" | "dot" | "dashdot";
}

/** Where a relative error of 0 (bit-exact) is drawn on the log axis. */
export const EXACT_FLOOR = 1e-19;
/** Where a failed (NaN / ±∞) result is drawn: a relative error of 1, i.e. no correct digit. */
const FAILED_LEVEL = 1;

/**
 * Relative error of pass@k estimates against a 64-digit reference, against n (log–log).
 * Failed evaluations (NaN) are drawn as crosses at relative error 1 ("no correct digit"),
 * bit-exact ones at {@link EXACT_FLOOR}; float64's unit roundoff 2⁻⁵³ is a dashed line.
 *
 * @example estimatorErrorFigure([{ name: "stable", method: "stable", n: [10], relError: [1e-17]
 * }]).data.length // => 2
 */
export function estimatorErrorFigure(series: readonly ErrorSeries[]): PlotlyFigure {
  const where = "estimatorErrorFigure";
  const data: Data[] = [];
  const failedX: number[] = [];
  const failedY: number[] = [];
  series.forEach((s, j) => {
    checkFiniteArray(where, `series[${j}].n`, s.n);
    checkLength(where, `series[${j}].relError`, s.relError, s.n.length, `series[${j}].n`);
    const x = Array.from(s.n);
    const y = Array.from(s.relError, (e) => (Number.isFinite(e) ? Math.max(e, EXACT_FLOOR) : null));
    x.forEach((n, i) => {
      if (y[i] === null) {
        failedX.push(n);
        failedY.push(FAILED_LEVEL);
      }
    });
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: s.name,
      x,
      y,
      connectgaps: false,
      line: {
        color: s.method === "naive" ? ROLE_COLORS.passK : ROLE_COLORS.pass1,
        dash: s.dash ?? "solid",
      },
      marker: { color: s.method === "naive" ? ROLE_COLORS.passK : ROLE_COLORS.pass1 },
    });
  });
  if (failedX.length > 0) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: "NaN (C(n, k) overflowed)",
      x: failedX,
      y: failedY,
      marker: { color: ROLE_COLORS.passK, symbol: "x" },
    });
  }
  data.push({
    type: "scatter",
    mode: "lines",
    name: "unit roundoff 2<sup>−53</sup>",
    x: [
      Math.min(...series.flatMap((s) => Array.from(s.n))),
      Math.max(...series.flatMap((s) => Array.from(s.n))),
    ],
    y: [2 ** -53, 2 ** -53],
    line: { color: ROLE_COLORS.reference, dash: "dash", width: 1 },
  });
  return {
    builder: "estimatorErrorFigure",
    data,
    layout: {
      title: { text: "float64 error of the pass@k estimator 1 − C(n−c, k)/C(n, k)" },
      xaxis: { title: { text: "samples per prompt n" }, type: "log" },
      // Short enough for a paper column; the reference (64 significant digits) is in the caption.
      yaxis: {
        title: { text: "relative error" },
        type: "log",
        exponentformat: "power",
        range: [-19.5, 0.5],
      },
    },
  };
}

/** One panel of {@link estimatorDistributionFigure}: the exact law of ρ̂ for one (n, k). */
export interface DistributionPanel {
  n: number;
  k: number;
  /** Estimator values ρ(n, c, k), c = 0..n. */
  value: ArrayLike<number>;
  /** Their probabilities P(c). */
  prob: ArrayLike<number>;
  /** pass@k(p), the estimand. */
  truth: number;
  /** Mean of the plug-in estimator 1 − (1 − c/n)^k (biased), drawn dotted. */
  plugInMean?: number;
}

/** Probabilities below this are not drawn (they would be invisible stems at 0). */
const MIN_PROB = 1e-6;

/**
 * The exact sampling distribution of the unbiased pass@k estimator, one panel per (n, k):
 * a stem at each attainable value ρ(n, c, k) with height P(c), the true pass@k (solid) and
 * the plug-in estimator's mean (dotted). Panels are laid out two per row.
 *
 * @example estimatorDistributionFigure([{ n: 4, k: 2, value: [0, 0.5, 1], prob: [0.25, 0.5, 0.25],
 * truth: 0.75 }]).data.length // => 2
 */
export function estimatorDistributionFigure(
  panels: readonly DistributionPanel[],
  opts: { p?: number } = {},
): PlotlyFigure {
  const where = "estimatorDistributionFigure";
  panels.forEach((panel, j) => {
    checkFiniteArray(where, `panels[${j}].value`, panel.value);
    checkFiniteArray(where, `panels[${j}].prob`, panel.prob);
    checkLength(where, `panels[${j}].prob`, panel.prob, panel.value.length, `panels[${j}].value`);
  });
  const columns = Math.min(2, panels.length);
  const rows = Math.ceil(panels.length / columns);
  // One height for every panel keeps them comparable; reference lines span it.
  const top = 1.08 * Math.max(0, ...panels.map((panel) => Math.max(...Array.from(panel.prob))));
  const data: Data[] = [];
  const annotations: object[] = [];
  const layout: Record<string, unknown> = {
    title: {
      text: `Sampling distribution of the unbiased estimator${opts.p === undefined ? "" : ` (p = ${opts.p})`}`,
    },
    grid: { rows, columns, pattern: "independent", xgap: 0.12, ygap: 0.3 },
    legend: { orientation: "h", y: -0.2, x: 0.5, xanchor: "center" },
    annotations,
  };
  panels.forEach((panel, j) => {
    const suffix = j === 0 ? "" : String(j + 1);
    const axes = { xaxis: `x${suffix}`, yaxis: `y${suffix}` };
    const first = j === 0;
    const stemX: (number | null)[] = [];
    const stemY: (number | null)[] = [];
    for (let c = 0; c < panel.value.length; c++) {
      if (panel.prob[c] < MIN_PROB) continue;
      stemX.push(panel.value[c], panel.value[c], null);
      stemY.push(0, panel.prob[c], null);
    }
    data.push({
      type: "scatter",
      mode: "lines",
      name: "P(ρ̂ = value)",
      legendgroup: "stems",
      showlegend: first,
      x: stemX,
      y: stemY,
      ...axes,
      line: { color: COLORS[0], width: 3 },
    });
    const vline = (x: number, name: string, color: string, dash: "solid" | "dot"): Data => ({
      type: "scatter",
      mode: "lines",
      name,
      legendgroup: name,
      showlegend: first,
      x: [x, x],
      y: [0, top],
      ...axes,
      line: { color, dash, width: 2 },
    });
    data.push(vline(panel.truth, "true pass@k", ROLE_COLORS.passK, "solid"));
    if (panel.plugInMean !== undefined) {
      data.push(
        vline(panel.plugInMean, "mean of plug-in 1 − (1 − c/n)<sup>k</sup>", PALETTE.black, "dot"),
      );
    }
    layout[`xaxis${suffix}`] = {
      title: { text: j >= (rows - 1) * columns ? "estimate ρ̂" : "" },
      range: [-0.02, 1.02],
    };
    layout[`yaxis${suffix}`] = {
      title: { text: j % columns === 0 ? "probability" : "" },
      range: [0, top],
    };
    // Inside the top corner away from the mass (the right one unless pass@k > 1/2), so the
    // label needs no room between rows or under the title at any preset size, and crosses no
    // stem or reference line.
    const left = panel.truth > 0.5;
    annotations.push({
      text: `n = ${panel.n}, k = ${panel.k}`,
      xref: `x${suffix} domain`,
      yref: `y${suffix} domain`,
      x: left ? 0.02 : 0.98,
      y: 0.98,
      xanchor: left ? "left" : "right",
      yanchor: "top",
      bgcolor: "rgba(255,255,255,0.85)",
      showarrow: false,
    });
  });
  return { builder: "estimatorDistributionFigure", data, layout: layout as Partial<Layout> };
}
