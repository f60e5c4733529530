/**
 * Figure builders for notebook 04 (gradient conflict and the threshold k*, PAPER.md §4).
 * Pure: data in, figure out; colours from lib/plots/style, no fonts or sizes.
 */
import type { Data, Layout, PlotlyFigure } from "./figure";
import type { Shape } from "plotly.js-dist";
import { PALETTE, ROLE_COLORS, SEQUENTIAL_COLORSCALE } from "./style";
import { checkFiniteArray, checkKGrid, checkLength } from "../core/validate";
import { powersOfTwoWithin } from "./format";

/** The conflict profile along k, as {@link conflictCurveFigure} draws it. */
export interface ConflictCurveInput {
  /** Grid of k (ascending). */
  ks: readonly number[];
  /** ⟨∇J_k, ∇J_1⟩ at each k. */
  innerProduct: ArrayLike<number>;
  /** cos∠(∇J_k, ∇J_1) at each k. */
  cosine: ArrayLike<number>;
  /** First conflicting k (drawn as a dashed line), or null for none. */
  kStar: number | null;
}

/** Marker colour by sign: positive interference blue, negative vermillion. */
function signColors(values: ArrayLike<number>): string[] {
  return Array.from(values, (v) => (v < 0 ? ROLE_COLORS.negative : ROLE_COLORS.positive));
}

/**
 * ⟨∇J_k, ∇J_1⟩ (top) and cos∠(∇J_k, ∇J_1) (bottom) against k on a log axis, markers coloured
 * by sign, the zero line, and the region k ≥ k* shaded with a dashed line at the first
 * conflicting k ([D] PAPER.md §4).
 *
 * @example conflictCurveFigure({ ks: [1, 2, 3], innerProduct: [0.4, 0.1, -0.04], cosine: [1, 0.5,
 * -0.2], kStar: 3 }).data.length // => 6
 */
export function conflictCurveFigure(input: ConflictCurveInput): PlotlyFigure {
  const where = "conflictCurveFigure";
  checkKGrid(where, "ks", input.ks);
  checkFiniteArray(where, "innerProduct", input.innerProduct);
  checkLength(where, "innerProduct", input.innerProduct, input.ks.length, "ks");
  checkLength(where, "cosine", input.cosine, input.ks.length, "ks");
  const ks = [...input.ks];
  const cos = Array.from(input.cosine, (c) => (Number.isFinite(c) ? c : null));
  const panel = (y: (number | null)[], name: string, axis: "" | "2"): Data => ({
    type: "scatter",
    mode: "lines+markers",
    name,
    x: ks,
    y,
    xaxis: `x${axis}`,
    yaxis: `y${axis}`,
    line: { color: ROLE_COLORS.reference, width: 1 },
    marker: { color: signColors(y.map((v) => v ?? 0)), size: 8 },
    showlegend: false,
  });
  const data: Data[] = [
    panel(Array.from(input.innerProduct), "⟨∇J_k, ∇J_1⟩", ""),
    panel(cos, "cos∠(∇J_k, ∇J_1)", "2"),
  ];
  const kMin = Math.min(...ks);
  const kMax = Math.max(...ks);
  for (const axis of ["", "2"] as const) {
    data.push({
      type: "scatter",
      mode: "lines",
      x: [kMin, kMax],
      y: [0, 0],
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
      line: { color: PALETTE.black, width: 1 },
      hoverinfo: "skip",
      showlegend: false,
    });
  }
  const shapes: Array<Partial<Shape>> = [];
  if (input.kStar !== null) {
    // Shade k ≥ k* in both panels (there pass@k ascent lowers pass@1 to first order) and mark k*
    // with a dashed line that carries the legend entry. Shapes take data units on log axes.
    for (const yref of ["y domain", "y2 domain"] as const) {
      shapes.push({
        type: "rect",
        xref: "x",
        yref,
        x0: input.kStar,
        x1: kMax,
        y0: 0,
        y1: 1,
        fillcolor: "rgba(213,94,0,0.08)",
        line: { width: 0 },
        layer: "below",
      });
    }
    const inner = Array.from(input.innerProduct);
    const spans: Array<["" | "2", number, number]> = [
      ["", Math.min(0, ...inner), Math.max(0, ...inner)],
      ["2", -1, 1],
    ];
    spans.forEach(([axis, lo, hi], j) => {
      data.push({
        type: "scatter",
        mode: "lines",
        name: `first conflicting k = ${input.kStar}`,
        legendgroup: "kstar",
        showlegend: j === 0,
        x: [input.kStar, input.kStar],
        y: [lo, hi],
        xaxis: `x${axis}`,
        yaxis: `y${axis}`,
        line: { color: ROLE_COLORS.negative, dash: "dash", width: 1.5 },
        hoverinfo: "skip",
      });
    });
  }
  return {
    builder: "conflictCurveFigure",
    data,
    layout: {
      title: { text: "Pass@k vs pass@1 gradients: inner product and cosine" },
      grid: { rows: 2, columns: 1, pattern: "independent", roworder: "top to bottom", ygap: 0.15 },
      xaxis: { type: "log", matches: "x2", showticklabels: false, tickvals: powersOfTwoWithin(ks) },
      xaxis2: { type: "log", title: { text: "samples k" }, tickvals: powersOfTwoWithin(ks) },
      yaxis: { title: { text: "⟨∇J<sub>k</sub>, ∇J<sub>1</sub>⟩" }, exponentformat: "power" },
      yaxis2: { title: { text: "cos∠(∇J<sub>k</sub>, ∇J<sub>1</sub>)" }, range: [-1.05, 1.05] },
      legend: { x: 1, xanchor: "right", y: 1, yanchor: "top" },
      shapes,
    } as Partial<Layout>,
  };
}

/** k* estimates along a sweep of one parameter. */
export interface ThresholdComparisonInput {
  /** The swept parameter's values (x axis). */
  x: readonly number[];
  /** Its axis title, e.g. "within-group spread s of p". */
  xTitle: string;
  /** First conflicting integer k from the exact scan (null: none). */
  exact: ReadonlyArray<number | null>;
  /** Real-valued two-group threshold k* (closed form), optional. */
  twoGroup?: ReadonlyArray<number | null>;
  /** General sufficient bound B (null where it does not apply), optional. */
  bound?: ReadonlyArray<number | null>;
}

/**
 * The exact first conflicting k (steps) against the two-group closed form and the general
 * sufficient bound along a sweep ([D] PAPER.md §4; claims 4 and 5: exact ≤ ⌊bound⌋ + 1).
 *
 * @example thresholdComparisonFigure({ x: [0, 0.1], xTitle: "s", exact: [3, 3], twoGroup: [2.6,
 * 2.6], bound: [2.6, 3.5] }).data.length // => 3
 */
export function thresholdComparisonFigure(input: ThresholdComparisonInput): PlotlyFigure {
  const where = "thresholdComparisonFigure";
  checkFiniteArray(where, "x", input.x);
  const n = input.x.length;
  checkLength(where, "exact", input.exact, n, "x");
  const x = [...input.x];
  const data: Data[] = [
    {
      type: "scatter",
      mode: "lines+markers",
      name: "exact scan: first k with ⟨∇J<sub>k</sub>, ∇J<sub>1</sub>⟩ < 0",
      x,
      y: [...input.exact],
      line: { color: ROLE_COLORS.passK, shape: "hv" },
      marker: { color: ROLE_COLORS.passK },
    },
  ];
  const optional: Array<
    [
      keyof ThresholdComparisonInput & ("twoGroup" | "bound"),
      string,
      { color: string; dash?: "dash" },
    ]
  > = [
    ["twoGroup", "two-group closed form k* (group means)", { color: ROLE_COLORS.pass1 }],
    ["bound", "general sufficient bound B", { color: PALETTE.black, dash: "dash" }],
  ];
  for (const [key, name, line] of optional) {
    const y = input[key];
    if (y === undefined) continue;
    checkLength(where, key, y, n, "x");
    data.push({ type: "scatter", mode: "lines", name, x, y: [...y], line });
  }
  return {
    builder: "thresholdComparisonFigure",
    data,
    layout: {
      title: { text: "Conflict threshold: exact scan, closed form and bound" },
      xaxis: { title: { text: input.xTitle } },
      yaxis: { title: { text: "k" }, rangemode: "tozero" },
      legend: { title: { text: "threshold" } },
    },
  };
}

/** A quantity over the (Δ, ρ) grid of the toy. */
export interface PhaseDiagramInput {
  /** Separations Δ (columns). */
  deltas: readonly number[];
  /** Hard shares ρ (rows). */
  rhos: readonly number[];
  /**
   * Values [ρ index][Δ index]; null cells (e.g. no conflict) are left blank and labelled "–"
   * (short, so the label fits a cell at a paper column's width, where "none" did not).
   */
  z: ReadonlyArray<ReadonlyArray<number | null>>;
  /** Figure title. */
  title: string;
  /** Colour-bar title. */
  colorbarTitle: string;
  /** Print the values in the cells with this many decimals (default 0: integers such as k*). */
  decimals?: number;
}

/**
 * A heatmap over the toy's separation Δ (x) and hard share ρ (y), values printed in the cells:
 * the phase diagram of k* (claim 9: k* grows with Δ) or of the mass of {a(x) < 0}.
 *
 * @example phaseDiagramFigure({ deltas: [1, 2], rhos: [0.3], z: [[2, 3]], title: "k*",
 * colorbarTitle: "k*" }).data.length // => 1
 */
export function phaseDiagramFigure(input: PhaseDiagramInput): PlotlyFigure {
  const where = "phaseDiagramFigure";
  checkFiniteArray(where, "deltas", input.deltas);
  checkFiniteArray(where, "rhos", input.rhos);
  checkLength(where, "z", input.z, input.rhos.length, "rhos");
  input.z.forEach((row, i) => checkLength(where, `z[${i}]`, row, input.deltas.length, "deltas"));
  const decimals = input.decimals ?? 0;
  // Cells are labelled by index so that uneven grids still get equal-sized cells.
  const text = input.z.map((row) => row.map((v) => (v === null ? "–" : v.toFixed(decimals))));
  return {
    builder: "phaseDiagramFigure",
    data: [
      {
        type: "heatmap",
        x: input.deltas.map(String),
        y: input.rhos.map(String),
        z: input.z.map((row) => [...row]),
        text,
        texttemplate: "%{text}",
        hovertemplate: "Δ = %{x}, ρ = %{y}: %{text}<extra></extra>",
        colorscale: SEQUENTIAL_COLORSCALE,
        colorbar: { title: { text: input.colorbarTitle } },
        xgap: 1,
        ygap: 1,
      } as Data,
    ],
    layout: {
      title: { text: input.title },
      xaxis: {
        title: { text: "separation Δ of easy and hard scores" },
        type: "category",
        showgrid: false,
      },
      yaxis: { title: { text: "hard share ρ" }, type: "category", showgrid: false },
    },
  };
}
