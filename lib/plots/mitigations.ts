/**
 * Figure builders for notebook 07 (mitigations, our derivation: PAPER.md §9). Pure:
 * numbers in, `PlotlyFigure` out.
 */
import type { Data, PlotlyFigure } from "./figure";
import { COLORS, PALETTE, ROLE_COLORS } from "./style";
import { checkFinite, checkInteger } from "../core/validate";
import { horizontalLine, toArray, toArrayOfLength } from "./shapes";
import { trainingCurvesFigure, type TrainingRun } from "./dynamics";

/**
 * J_1 and J_k trajectories of several training directions side by side (one colour per
 * method); the same two-panel figure as notebook 05's training curves.
 * @example mitigationTrajectoriesFigure([{ name: "projection", steps: [0, 1], J1: [0.6, 0.61], Jk:
 * [0.9, 0.91] }], { k: 4 }).builder // => "mitigationTrajectoriesFigure"
 */
export function mitigationTrajectoriesFigure(
  runs: readonly TrainingRun[],
  { k }: { k: number },
): PlotlyFigure {
  const fig = trainingCurvesFigure(runs, {
    k,
    title: `Mitigations: pass@1 and pass@${k} along each training direction`,
    legendTitle: "direction",
  });
  return { ...fig, builder: "mitigationTrajectoriesFigure" };
}

/** One population's outcomes for {@link mitigationOutcomeFigure}. */
export interface OutcomeGroup {
  /** Legend label of the population. */
  name: string;
  /** Change of J_1 and J_k over the run, one entry per method. */
  methods: ReadonlyArray<{ name: string; deltaJ1: number; deltaJk: number }>;
}

/**
 * Which directions keep pass@1: the change of J_1 (left panel) and of J_k (right panel) over a
 * run as horizontal bars, one row per method and one colour per population. Bars to the right
 * of zero in the left panel kept pass@1. Methods are taken from the first group, in order.
 * @example mitigationOutcomeFigure({ k: 4, groups: [{ name: "toy", methods: [{ name: "pass@4",
 * deltaJ1: -0.1, deltaJk: 0.05 }] }] }).data.length // => 2
 */
export function mitigationOutcomeFigure(data: {
  k: number;
  groups: readonly OutcomeGroup[];
}): PlotlyFigure {
  const where = "mitigationOutcomeFigure";
  const k = checkInteger(where, "k", data.k);
  if (data.groups.length === 0)
    throw new RangeError(`${where}: groups must be a non-empty list, got []`);
  const names = data.groups[0].methods.map((m) => m.name);
  const traces: Data[] = [];
  data.groups.forEach((g, gi) => {
    const got = g.methods.map((m) => m.name);
    if (got.length !== names.length || got.some((n, j) => n !== names[j])) {
      throw new RangeError(
        `${where}: groups[${gi}].methods must name the same methods as groups[0] in the same order, got ${JSON.stringify(got)}`,
      );
    }
    const color = COLORS[gi % COLORS.length];
    const bar = (axis: "" | "2", values: number[]): Data => ({
      type: "bar",
      orientation: "h",
      name: g.name,
      legendgroup: g.name,
      showlegend: axis === "",
      y: names,
      x: values,
      marker: { color },
      xaxis: `x${axis}` as "x",
      yaxis: `y${axis}` as "y",
    });
    traces.push(
      bar(
        "",
        g.methods.map((m, j) =>
          checkFinite(where, `groups[${gi}].methods[${j}].deltaJ1`, m.deltaJ1),
        ),
      ),
      bar(
        "2",
        g.methods.map((m, j) =>
          checkFinite(where, `groups[${gi}].methods[${j}].deltaJk`, m.deltaJk),
        ),
      ),
    );
  });
  // Reversed category order lists the methods top to bottom in the order given.
  const yAxis = { type: "category" as const, autorange: "reversed" as const, automargin: true };
  const zero = { zeroline: true, zerolinecolor: PALETTE.black, zerolinewidth: 1 };
  return {
    builder: "mitigationOutcomeFigure",
    data: traces,
    layout: {
      title: { text: `Change over the run: pass@1 and pass@${k}` },
      barmode: "group",
      xaxis: {
        title: { text: "ΔJ<sub>1</sub> (pass@1)" },
        domain: [0, 0.47],
        anchor: "y",
        ...zero,
      },
      yaxis: { ...yAxis, anchor: "x" },
      xaxis2: {
        title: { text: `ΔJ<sub>${k}</sub> (pass@${k})` },
        domain: [0.53, 1],
        anchor: "y2",
        ...zero,
      },
      yaxis2: { ...yAxis, anchor: "x2", showticklabels: false },
      legend: {
        title: { text: "population" },
        orientation: "h",
        x: 0.5,
        xanchor: "center",
        y: -0.2,
        yanchor: "top",
      },
    },
  };
}

/**
 * Claim 12 (PAPER.md §10, [D]): along a run, the raw conflict c = ⟨∇J_k, ∇J_1⟩ and the
 * inner products of the projected direction g with ∇J_1 and ∇J_k; the latter two stay ≥ 0.
 * @example projectionGuaranteeFigure({ k: 4, steps: [0, 1], c: [-1, -1], gJ1: [0, 0], gJk: [1, 1]
 * }).data.length // => 3
 */
export function projectionGuaranteeFigure(data: {
  k: number;
  steps: ArrayLike<number>;
  c: ArrayLike<number>;
  gJ1: ArrayLike<number>;
  gJk: ArrayLike<number>;
}): PlotlyFigure {
  const where = "projectionGuaranteeFigure";
  const k = checkInteger(where, "k", data.k);
  const steps = toArray(where, "steps", data.steps);
  const line = (
    name: string,
    ys: ArrayLike<number>,
    field: string,
    color: string,
    dash?: "dash" | "dot",
  ) => ({
    type: "scatter" as const,
    mode: "lines" as const,
    name,
    x: steps,
    y: toArrayOfLength(where, field, ys, steps.length, "steps"),
    line: { color, ...(dash ? { dash } : {}) },
  });
  return {
    builder: "projectionGuaranteeFigure",
    data: [
      line(
        `c = ⟨∇J<sub>${k}</sub>, ∇J<sub>1</sub>⟩ (unprojected)`,
        data.c,
        "c",
        PALETTE.grey,
        "dash",
      ),
      line("⟨g, ∇J<sub>1</sub>⟩", data.gJ1, "gJ1", ROLE_COLORS.pass1),
      line(`⟨g, ∇J<sub>${k}</sub>⟩`, data.gJk, "gJk", ROLE_COLORS.passK),
    ],
    layout: {
      title: { text: "Projected direction g keeps both inner products ≥ 0" },
      xaxis: { title: { text: "step t" } },
      yaxis: { title: { text: "inner product" } },
      legend: { title: { text: "quantity" } },
      shapes: [horizontalLine(0)],
    },
  };
}
