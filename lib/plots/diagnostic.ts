/**
 * Figure builders for notebook 08 (the LLM diagnostic from samples, PAPER.md §7;
 * lib/diagnostic/estimate.ts). Pure: numbers in, `PlotlyFigure` out; colours from lib/plots/style,
 * no fonts or sizes. Agreement against p̂ reuses `agreementScatterFigure`
 * (lib/plots/interference.ts).
 */
import type { Data, PlotlyFigure } from "./figure";
import { PALETTE, ROLE_COLORS } from "./style";
import { checkFinite, checkFiniteArray, checkKGrid, checkLength } from "../core/validate";
import { horizontalLine, verticalLine } from "./shapes";
import { powersOfTwoWithin } from "./format";

/**
 * A confidence interval [lo, hi], or null where not estimable (as lib/diagnostic/estimate.ts
 * reports it).
 */
export type IntervalOrNull = readonly [number, number] | null;

type MaybeNumbers = ReadonlyArray<number | null>;

function checkSeries(where: string, name: string, ys: MaybeNumbers | undefined, n: number): void {
  if (ys === undefined) return;
  checkLength(where, name, ys, n, "k");
  ys.forEach((v, i) => {
    if (v !== null) checkFinite(where, `${name}[${i}]`, v);
  });
}

/**
 * Band between the interval ends (gaps where an interval is null), the legend entry on the upper
 * edge; none when every interval is null. Ends are clipped to `bounds` (a bootstrap interval of a
 * cosine can reach past ±1; the quantity cannot).
 */
function band(
  k: readonly number[],
  ci: readonly IntervalOrNull[],
  color: string,
  name: string,
  axis: "" | "2",
  showlegend: boolean,
  bounds: readonly [number, number] = [-Infinity, Infinity],
): Data[] {
  if (ci.every((c) => c === null)) return []; // nothing to draw (e.g. no interval is defined)
  const clip = (v: number) => Math.min(bounds[1], Math.max(bounds[0], v));
  const lo = ci.map((c) => (c === null ? null : clip(c[0])));
  const hi = ci.map((c) => (c === null ? null : clip(c[1])));
  const common = {
    type: "scatter" as const,
    mode: "lines" as const,
    x: [...k],
    xaxis: `x${axis}`,
    yaxis: `y${axis}`,
    line: { width: 0, color },
    hoverinfo: "skip" as const,
  };
  return [
    { ...common, y: lo, showlegend: false },
    {
      ...common,
      y: hi,
      fill: "tonexty",
      fillcolor: `${color}33`,
      name,
      showlegend,
      legendgroup: "ci",
    },
  ];
}

/** y range of the cosine panel: the data (bands included) with 5 % room, within [−1.05, 1.05]. */
function cosineRange(input: DiagnosticConflictInput): [number, number] {
  const values: number[] = [];
  for (const v of input.cosine ?? []) if (v !== null && Number.isFinite(v)) values.push(v);
  for (const c of input.cosineCI ?? []) if (c !== null) values.push(c[0], c[1]);
  for (const v of Array.from(input.exact?.cosine ?? [])) if (Number.isFinite(v)) values.push(v);
  const lo = Math.max(-1, Math.min(0, ...values));
  const hi = Math.min(1, Math.max(0, ...values));
  const pad = 0.05 * (hi - lo || 1);
  return [Math.max(-1.05, lo - pad), Math.min(1.05, hi + pad)];
}

function kAxis(k: readonly number[], title = "k"): Record<string, unknown> {
  return { title: { text: title }, type: "log", tickvals: powersOfTwoWithin([...k]) };
}

/** Input of {@link diagnosticConflictFigure}: the estimates along k and, when known, the truth. */
export interface DiagnosticConflictInput {
  /** Grid of k (ascending). */
  k: readonly number[];
  /** Cross-fitted ⟨∇J_k, ∇J_1⟩ (null where not estimable). */
  innerProduct: MaybeNumbers;
  innerProductCI?: readonly IntervalOrNull[];
  /** Cross-fitted cosine; a second panel when given. */
  cosine?: MaybeNumbers;
  cosineCI?: readonly IntervalOrNull[];
  /** Exact values on their own k grid (the stand-in policy has them; a real model does not). */
  exact?: { k: readonly number[]; innerProduct: ArrayLike<number>; cosine?: ArrayLike<number> };
  /** Estimated k* (dotted line), or null. */
  kStar?: number | null;
  /** Confidence level, for the legend (default 0.95). */
  level?: number;
}

/**
 * ⟨∇J_k, ∇J_1⟩ (top) and cos∠(∇J_k, ∇J_1) (bottom, when given) against k on a log axis: the
 * cross-fitted estimates with their bootstrap bands, the exact curves when known, the zero line
 * and the estimated k* ([D] estimators of lib/diagnostic/estimate.ts for the identity of PAPER.md
 * §4).
 *
 * @example diagnosticConflictFigure({ k: [1, 2, 4], innerProduct: [3, 1, -1], innerProductCI: [[2,
 * 4], [0, 2], [-2, 0]], kStar: 4 }).data.length // => 3
 */
export function diagnosticConflictFigure(input: DiagnosticConflictInput): PlotlyFigure {
  const where = "diagnosticConflictFigure";
  checkKGrid(where, "k", input.k);
  const k = [...input.k];
  checkSeries(where, "innerProduct", input.innerProduct, k.length);
  checkSeries(where, "cosine", input.cosine, k.length);
  if (input.innerProductCI)
    checkLength(where, "innerProductCI", input.innerProductCI, k.length, "k");
  if (input.cosineCI) checkLength(where, "cosineCI", input.cosineCI, k.length, "k");
  const level = Math.round((input.level ?? 0.95) * 100);
  const twoPanels = input.cosine !== undefined;
  const data: Data[] = [];
  const panel = (
    axis: "" | "2",
    ys: MaybeNumbers,
    ci: readonly IntervalOrNull[] | undefined,
    exact: ArrayLike<number> | undefined,
  ) => {
    const bounds = axis === "2" ? ([-1, 1] as const) : undefined; // panel 2 is the cosine
    if (ci)
      data.push(
        ...band(
          k,
          ci,
          ROLE_COLORS.passK,
          `${level}% bootstrap interval`,
          axis,
          axis === "",
          bounds,
        ),
      );
    if (exact && input.exact) {
      checkFiniteArray(where, "exact", exact);
      checkLength(where, "exact values", exact, input.exact.k.length, "exact.k");
      data.push({
        type: "scatter",
        mode: "lines",
        name: "exact",
        x: [...input.exact.k],
        y: Array.from(exact),
        xaxis: `x${axis}`,
        yaxis: `y${axis}`,
        line: { color: PALETTE.black, width: 1.5, dash: "dash" },
        showlegend: axis === "",
        legendgroup: "exact",
      });
    }
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: "cross-fitted estimate",
      x: k,
      y: [...ys],
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
      line: { color: ROLE_COLORS.passK },
      marker: {
        color: ys.map((v) => (v !== null && v < 0 ? ROLE_COLORS.negative : ROLE_COLORS.positive)),
        size: 7,
      },
      showlegend: axis === "",
      legendgroup: "estimate",
    });
  };
  panel("", input.innerProduct, input.innerProductCI, input.exact?.innerProduct);
  if (twoPanels) panel("2", input.cosine!, input.cosineCI, input.exact?.cosine);
  const shapes = [horizontalLine(0, "y")];
  if (twoPanels) shapes.push(horizontalLine(0, "y2", "x2 domain"));
  if (input.kStar != null) {
    shapes.push(verticalLine(input.kStar, "x", "y domain"));
    if (twoPanels) shapes.push(verticalLine(input.kStar, "x2", "y2 domain"));
  }
  const layout: PlotlyFigure["layout"] = {
    title: {
      text: `Pass@k vs pass@1 from samples${input.kStar != null ? ` (estimated k* = ${input.kStar})` : ""}`,
    },
    xaxis: kAxis(k, twoPanels ? "" : "k"),
    yaxis: { title: { text: "⟨∇J<sub>k</sub>, ∇J<sub>1</sub>⟩" }, exponentformat: "power" },
    legend: { title: { text: "" } },
    shapes,
  };
  if (twoPanels) {
    Object.assign(layout, {
      grid: { rows: 2, columns: 1, pattern: "independent", roworder: "top to bottom" },
      xaxis2: { ...kAxis(k), matches: "x" },
      // A cosine: drawn within [−1, 1], the axis never beyond it.
      yaxis2: {
        title: { text: "cos∠(∇J<sub>k</sub>, ∇J<sub>1</sub>)" },
        range: cosineRange(input),
      },
    });
  }
  return { builder: "diagnosticConflictFigure", data, layout };
}

/** Input of {@link negativeWeightShareFigure}. */
export interface WeightShareInput {
  k: readonly number[];
  /** q_k's weight on prompts with â(x) < 0 (and c > 0). */
  negative: MaybeNumbers;
  negativeCI?: readonly IntervalOrNull[];
  /** q_k's weight on prompts with no correct sample (sign of a(x) unknown). */
  undetermined?: MaybeNumbers;
  /** The exact share q_k({a < 0}) when known. */
  exactNegative?: ArrayLike<number>;
  level?: number;
}

/**
 * How much of the pass@k reweighting q_k ∝ D·w_k falls on negatively interfering prompts, against
 * k: the estimated share on {â < 0} with its bootstrap band, the share on prompts whose agreement
 * sign is undetermined (no correct sample), and the exact share when known ([D] PAPER.md §4:
 * conflict ⇔ E_{q_k}[a] < 0).
 *
 * @example negativeWeightShareFigure({ k: [1, 2], negative: [0.2, 0.5] }).data.length // => 1
 */
export function negativeWeightShareFigure(input: WeightShareInput): PlotlyFigure {
  const where = "negativeWeightShareFigure";
  checkKGrid(where, "k", input.k);
  const k = [...input.k];
  checkSeries(where, "negative", input.negative, k.length);
  checkSeries(where, "undetermined", input.undetermined, k.length);
  const level = Math.round((input.level ?? 0.95) * 100);
  const data: Data[] = [];
  if (input.negativeCI) {
    checkLength(where, "negativeCI", input.negativeCI, k.length, "k");
    data.push(
      // A share: drawn within [0, 1].
      ...band(
        k,
        input.negativeCI,
        ROLE_COLORS.negative,
        `${level}% bootstrap interval`,
        "",
        true,
        [0, 1],
      ),
    );
  }
  data.push({
    type: "scatter",
    mode: "lines+markers",
    name: "estimated, â(x) < 0",
    x: k,
    y: [...input.negative],
    line: { color: ROLE_COLORS.negative },
  });
  if (input.undetermined) {
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: "no correct sample (sign unknown)",
      x: k,
      y: [...input.undetermined],
      line: { color: ROLE_COLORS.reference, dash: "dot" },
      marker: { symbol: "circle-open" },
    });
  }
  if (input.exactNegative) {
    checkFiniteArray(where, "exactNegative", input.exactNegative);
    checkLength(where, "exactNegative", input.exactNegative, k.length, "k");
    data.push({
      type: "scatter",
      mode: "lines",
      name: "exact, a(x) < 0",
      x: k,
      y: Array.from(input.exactNegative),
      line: { color: PALETTE.black, dash: "dash" },
    });
  }
  return {
    builder: "negativeWeightShareFigure",
    data,
    layout: {
      title: { text: "Pass@k weight on negatively interfering prompts" },
      xaxis: kAxis(k),
      yaxis: { title: { text: "share of q<sub>k</sub>" }, range: [0, 1] },
      legend: { title: { text: "" } },
    },
  };
}

/** One step of {@link stepPredictionFigure}. */
export interface StepPoint {
  /** The k whose gradient was followed. */
  k: number;
  /** Predicted ΔJ_1 = η·(estimated ⟨∇J_k, ∇J_1⟩), with its interval. */
  predicted: number;
  predictedCI?: IntervalOrNull;
  /** Measured ΔJ_1 on fresh samples and its standard error. */
  measured: number;
  measuredSE: number;
}

/**
 * Predicted against measured change of pass@1 after one step along ∇J_k, one point per k
 * (labelled), horizontal bars the bootstrap interval of the prediction, vertical bars ±2 SE of
 * the measurement, and the diagonal "measured = predicted" ([P] the one-step result of
 * PAPER.md §5: first order, ΔJ_1 ≈ η⟨∇J_k, ∇J_1⟩).
 *
 * @example stepPredictionFigure([{ k: 1, predicted: 0.002, measured: 0.0021, measuredSE: 1e-4
 * }]).data.length // => 2
 */
export function stepPredictionFigure(points: readonly StepPoint[]): PlotlyFigure {
  const where = "stepPredictionFigure";
  if (!Array.isArray(points) || points.length === 0)
    throw new RangeError(`${where}: points must be a non-empty array`);
  points.forEach((p, i) => {
    checkFinite(where, `points[${i}].predicted`, p.predicted);
    checkFinite(where, `points[${i}].measured`, p.measured);
    checkFinite(where, `points[${i}].measuredSE`, p.measuredSE);
  });
  const all = points.flatMap((p) => [p.predicted, p.measured, ...(p.predictedCI ?? [])]);
  const lo = Math.min(0, ...all);
  const hi = Math.max(0, ...all);
  const pad = 0.05 * (hi - lo || 1);
  return {
    builder: "stepPredictionFigure",
    data: [
      {
        type: "scatter",
        mode: "lines",
        name: "measured = predicted",
        x: [lo - pad, hi + pad],
        y: [lo - pad, hi + pad],
        line: { color: ROLE_COLORS.reference, dash: "dash", width: 1 },
        hoverinfo: "skip",
      },
      {
        type: "scatter",
        mode: "text+markers",
        name: "one step along ∇J<sub>k</sub>",
        x: points.map((p) => p.predicted),
        y: points.map((p) => p.measured),
        text: points.map((p) => `k = ${p.k}`),
        textposition: "top left",
        marker: {
          size: 9,
          color: points.map((p) => (p.measured < 0 ? ROLE_COLORS.negative : ROLE_COLORS.positive)),
        },
        error_x: {
          type: "data",
          symmetric: false,
          visible: true,
          color: ROLE_COLORS.reference,
          array: points.map((p) => (p.predictedCI ? p.predictedCI[1] - p.predicted : 0)),
          arrayminus: points.map((p) => (p.predictedCI ? p.predicted - p.predictedCI[0] : 0)),
        },
        error_y: {
          type: "data",
          visible: true,
          array: points.map((p) => 2 * p.measuredSE),
          color: ROLE_COLORS.reference,
        },
      },
    ],
    layout: {
      title: { text: "One step: predicted vs measured change of pass@1" },
      xaxis: {
        title: {
          text: "predicted ΔJ<sub>1</sub> = η·⟨∇J<sub>k</sub>, ∇J<sub>1</sub>⟩ (estimated)",
        },
        zeroline: true,
        exponentformat: "power",
      },
      yaxis: {
        title: { text: "measured ΔJ<sub>1</sub> (fresh samples)" },
        zeroline: true,
        exponentformat: "power",
      },
      shapes: [horizontalLine(0), verticalLine(0)],
      legend: { title: { text: "" } },
    },
  };
}
