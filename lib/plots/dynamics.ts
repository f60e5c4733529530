/**
 * Figure builders for notebook 05 (training dynamics). Pure: numbers in, `PlotlyFigure`
 * out; no science is computed here — the notebook gets every number from lib/
 * (training, smoothness, interference) and passes it in.
 */
import type { Data, Layout, PlotlyFigure } from "./figure";
import { COLORS, PALETTE, ROLE_COLORS } from "./style";
import { checkFinite, checkInteger } from "../core/validate";
import { emptiestLevel, horizontalLine, toArray, toArrayOfLength, verticalLine } from "./shapes";

export * from "./trainingCurves";

export {
  emptiestLevel,
  horizontalLine,
  logTickValues,
  toArray,
  toArrayOfLength,
  verticalLine,
} from "./shapes";

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
