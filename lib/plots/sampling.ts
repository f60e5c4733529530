/**
 * Figure builders for notebook 06 (from samples). Pure: numbers in, `PlotlyFigure` out;
 * the Monte-Carlo summaries are computed in lib/ and passed in.
 */
import type { Data, PlotlyFigure } from "./figure";
import { COLORS, PALETTE, ROLE_COLORS } from "./style";
import { checkFinite, checkInteger } from "../core/validate";
import { horizontalLine, logTickValues, toArray, toArrayOfLength, verticalLine } from "./shapes";

/**
 * Monte-Carlo summary of one gradient estimator at each n, for {@link estimatorBiasVarianceFigure}.
 */
export interface EstimatorSummary {
  /** Legend label, e.g. "plug-in w_k(p̂)". */
  name: string;
  /** Relative bias ‖E ĝ − ∇J_k‖ / ‖∇J_k‖ at each n (exact, or estimated). */
  bias: ArrayLike<number>;
  /** Optional standard error of an estimated bias at each n (drawn as ±2 SE bars). */
  biasSe?: ArrayLike<number>;
  /** Relative spread sqrt(E‖ĝ − E ĝ‖²) / ‖∇J_k‖ at each n. */
  sd: ArrayLike<number>;
}

/**
 * Claim 11 (PAPER.md §10) seen from samples: relative bias (left) and relative spread (right,
 * log scale) of sampled ∇J_k estimators against the number n of responses per prompt, one
 * colour per estimator. Unbiased estimators sit on zero; the plug-in w_k(p̂) does not.
 * @example estimatorBiasVarianceFigure({ k: 4, ns: [8, 16], estimators: [{ name: "a", bias: [0, 0],
 * sd: [1, 0.7] }] }).data.length // => 2
 */
export function estimatorBiasVarianceFigure(data: {
  k: number;
  ns: ArrayLike<number>;
  estimators: readonly EstimatorSummary[];
}): PlotlyFigure {
  const where = "estimatorBiasVarianceFigure";
  const k = checkInteger(where, "k", data.k);
  const ns = toArray(where, "ns", data.ns);
  const traces: Data[] = [];
  const spreads: number[] = [];
  data.estimators.forEach((e, j) => {
    const bias = toArrayOfLength(where, `estimators[${j}].bias`, e.bias, ns.length, "ns");
    const se =
      e.biasSe === undefined
        ? undefined
        : toArrayOfLength(where, `estimators[${j}].biasSe`, e.biasSe, ns.length, "ns");
    const sd = toArrayOfLength(where, `estimators[${j}].sd`, e.sd, ns.length, "ns");
    spreads.push(...sd.filter((v) => v > 0));
    const color = COLORS[j % COLORS.length];
    traces.push(
      {
        type: "scatter",
        mode: "lines+markers",
        name: e.name,
        legendgroup: e.name,
        x: ns,
        y: bias,
        ...(se
          ? {
              error_y: { type: "data" as const, array: se.map((s) => 2 * s), visible: true, color },
            }
          : {}),
        line: { color },
        xaxis: "x",
        yaxis: "y",
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: e.name,
        legendgroup: e.name,
        showlegend: false,
        x: ns,
        y: sd,
        line: { color },
        xaxis: "x2",
        yaxis: "y2",
      },
    );
  });
  return {
    builder: "estimatorBiasVarianceFigure",
    data: traces,
    layout: {
      title: { text: `Sampled estimators of ∇J<sub>${k}</sub>: bias and spread vs n` },
      xaxis: {
        title: { text: "responses per prompt n" },
        type: "log",
        tickvals: ns,
        domain: [0, 0.45],
        anchor: "y",
      },
      yaxis: {
        title: { text: "relative bias ‖Eĝ − ∇J<sub>k</sub>‖ / ‖∇J<sub>k</sub>‖" },
        anchor: "x",
        rangemode: "tozero",
      },
      xaxis2: {
        title: { text: "responses per prompt n" },
        type: "log",
        tickvals: ns,
        domain: [0.55, 1],
        anchor: "y2",
      },
      yaxis2: {
        title: { text: "relative spread sd(ĝ) / ‖∇J<sub>k</sub>‖" },
        type: "log",
        anchor: "x2",
        ...(spreads.length
          ? { tickvals: logTickValues(Math.min(...spreads), Math.max(...spreads)) }
          : {}),
      },
      legend: {
        title: { text: "estimator" },
        orientation: "h",
        x: 0.5,
        xanchor: "center",
        y: -0.22,
        yanchor: "top",
      },
      shapes: [horizontalLine(0, "y", "x domain")],
    },
  };
}

/** Mean over replications at each n, with an error-bar half-width (e.g. 2 standard errors). */
export interface ReplicateSummary {
  mean: ArrayLike<number>;
  err: ArrayLike<number>;
}

/**
 * Our estimator note (PAPER.md §7, [D]): ⟨ĝ, ĝ'⟩ from the same samples is biased, from two
 * independent halves (cross-fitting) it is not. Mean over replications ± `err` against n,
 * with the exact value as a dashed line; `errLabel` says what the bars are.
 * @example crossFitFigure({ label: "⟨∇J_4,∇J_1⟩", errLabel: "2 SE", ns: [8], exact: 0.1, naive: {
 * mean: [0.3], err: [0.1] }, crossFit: { mean: [0.1], err: [0.2] } }).data.length // => 3
 */
export function crossFitFigure(data: {
  label: string;
  errLabel: string;
  ns: ArrayLike<number>;
  exact: number;
  naive: ReplicateSummary;
  crossFit: ReplicateSummary;
}): PlotlyFigure {
  const where = "crossFitFigure";
  const ns = toArray(where, "ns", data.ns);
  const exact = checkFinite(where, "exact", data.exact);
  const series = (name: string, s: ReplicateSummary, color: string, dx: number): Data => ({
    type: "scatter",
    mode: "lines+markers",
    name,
    // A small multiplicative offset keeps the two sets of error bars from overlapping on the log
    // axis.
    x: ns.map((n) => n * dx),
    y: toArrayOfLength(where, `${name}.mean`, s.mean, ns.length, "ns"),
    error_y: {
      type: "data",
      array: toArrayOfLength(where, `${name}.err`, s.err, ns.length, "ns"),
      visible: true,
      color,
    },
    line: { color },
  });
  return {
    builder: "crossFitFigure",
    data: [
      series("same samples", data.naive, PALETTE.vermillion, 0.96),
      series("cross-fitted halves", data.crossFit, PALETTE.blue, 1.04),
      {
        type: "scatter",
        mode: "lines",
        name: "exact",
        x: [ns[0] * 0.9, ns[ns.length - 1] * 1.1],
        y: [exact, exact],
        line: { color: PALETTE.black, dash: "dash" },
      },
    ],
    layout: {
      title: { text: `Estimating ${data.label} from samples` },
      xaxis: { title: { text: "responses per prompt n" }, type: "log", tickvals: ns },
      yaxis: { title: { text: `estimate of ${data.label} (mean ± ${data.errLabel})` } },
      legend: { title: { text: "estimator" } },
    },
  };
}

/** Input of {@link sampledConflictFigure}. */
export interface SampledConflictData {
  ks: ArrayLike<number>;
  /** Exact ⟨∇J_k, ∇J_1⟩ (or the cosine) at each k. */
  exact: ArrayLike<number>;
  /** Sampled estimate: mean and an interval (e.g. 5–95% over replications) at each k. */
  mean: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
  /** Responses per prompt the estimate used (for the legend). */
  n: number;
  /** y-axis label (default ⟨∇J_k, ∇J_1⟩). */
  label?: string;
  /** Exact first conflicting k, marked with a dotted line when given. */
  kStarExact?: number;
}

/**
 * The conflict diagnosis made from samples only: the cross-fitted estimate of
 * ⟨∇J_k, ∇J_1⟩ across k (with its spread over replications) against the exact curve; the
 * sign change is where conflict starts.
 * @example sampledConflictFigure({ ks: [1, 2], exact: [1, -1], mean: [1, -1], lo: [0, -2], hi: [2,
 * 0], n: 16 }).data.length // => 2
 */
export function sampledConflictFigure(data: SampledConflictData): PlotlyFigure {
  const where = "sampledConflictFigure";
  const ks = toArray(where, "ks", data.ks);
  const n = checkInteger(where, "n", data.n);
  const mean = toArrayOfLength(where, "mean", data.mean, ks.length, "ks");
  const lo = toArrayOfLength(where, "lo", data.lo, ks.length, "ks");
  const hi = toArrayOfLength(where, "hi", data.hi, ks.length, "ks");
  const label = data.label ?? "⟨∇J<sub>k</sub>, ∇J<sub>1</sub>⟩";
  const shapes = [horizontalLine(0)];
  if (data.kStarExact !== undefined)
    shapes.push(verticalLine(checkInteger(where, "kStarExact", data.kStarExact)));
  return {
    builder: "sampledConflictFigure",
    data: [
      {
        type: "scatter",
        mode: "lines",
        name: "exact",
        x: ks,
        y: toArrayOfLength(where, "exact", data.exact, ks.length, "ks"),
        line: { color: ROLE_COLORS.reference },
      },
      {
        type: "scatter",
        mode: "markers",
        name: `from n = ${n} samples per prompt`,
        x: ks,
        y: mean,
        error_y: {
          type: "data",
          symmetric: false,
          array: hi.map((h, i) => h - mean[i]),
          arrayminus: mean.map((m, i) => m - lo[i]),
          visible: true,
          color: ROLE_COLORS.passK,
        },
        marker: { color: ROLE_COLORS.passK },
      },
    ],
    layout: {
      title: { text: "Conflict diagnosed from samples" },
      xaxis: { title: { text: "k" }, type: "log", tickvals: ks },
      yaxis: { title: { text: label } },
      legend: { title: { text: "source" } },
      shapes,
    },
  };
}
