/**
 * Figure builders for notebook 03 (prompt interference, PAPER.md §3).
 * Pure: data in, figure out; colours from lib/plots/style, no fonts or sizes.
 */
import type { Data, PlotlyFigure } from "./figure";
import { COLORS, DIVERGING_COLORSCALE, PALETTE, ROLE_COLORS } from "./style";
import { checkFiniteArray, checkLength, checkProbabilityArray } from "../core/validate";
import { forDisplay } from "./format";

/** Group labels of prompts: an index per prompt and the names of the indices. */
export interface Groups {
  /** Group index of each prompt. */
  group: ArrayLike<number>;
  /** Name of each group index ("easy" and "hard" get their fixed role colours). */
  groupNames: readonly string[];
}

function groupColor(name: string, index: number): string {
  if (name === "easy") return ROLE_COLORS.easy;
  if (name === "hard") return ROLE_COLORS.hard;
  return COLORS[index % COLORS.length];
}

/**
 * Prompt order for the heatmap: by p ascending (hardest first); with groups, group blocks first
 * (ordered by their mean p, hardest group first), p ascending within each block. Ties keep order.
 */
function heatmapOrder(p: ArrayLike<number>, groups?: Groups): number[] {
  const idx = Array.from({ length: p.length }, (_, i) => i);
  if (groups === undefined) return idx.sort((i, j) => p[i] - p[j] || i - j);
  const sum = new Map<number, { total: number; count: number }>();
  for (const i of idx) {
    const g = groups.group[i];
    const acc = sum.get(g) ?? { total: 0, count: 0 };
    acc.total += p[i];
    acc.count += 1;
    sum.set(g, acc);
  }
  const meanP = (g: number) => sum.get(g)!.total / sum.get(g)!.count;
  return idx.sort((i, j) => {
    const gi = groups.group[i];
    const gj = groups.group[j];
    return gi === gj ? p[i] - p[j] || i - j : meanP(gi) - meanP(gj) || gi - gj;
  });
}

/** Input of {@link kernelHeatmapFigure}. */
export interface KernelHeatmapInput {
  /** κ(x, x'), N × N row-major (lib/theory/interference.ts interferenceKernel). */
  kappa: ArrayLike<number>;
  /** Per-prompt pass@1 p(x), length N. */
  p: ArrayLike<number>;
  /** Optional group labels: prompts are then shown in group blocks (hardest group first). */
  groups?: Groups;
}

/**
 * The interference kernel κ(x, x') = ⟨∇p(x), ∇p(x')⟩ ([P] PAPER.md §3, Eq. 5) as a heatmap on
 * a diverging scale centred at 0 (blue: positive interference, vermillion: negative). Prompts
 * are sorted by difficulty: by p(x) ascending, or — with groups — in group blocks ordered by
 * their mean p and by p within each block, with the blocks labelled and separated by lines.
 *
 * @example kernelHeatmapFigure({ kappa: [1, -0.5, -0.5, 1], p: [0.9, 0.2] }).data[0].z // => [[1,
 * -0.5], [-0.5, 1]] (hard prompt first)
 */
export function kernelHeatmapFigure(input: KernelHeatmapInput): PlotlyFigure {
  const where = "kernelHeatmapFigure";
  checkProbabilityArray(where, "p", input.p);
  const N = input.p.length;
  checkFiniteArray(where, "kappa", input.kappa);
  checkLength(where, "kappa", input.kappa, N * N, "p × p");
  const groups = input.groups;
  if (groups !== undefined) checkLength(where, "groups.group", groups.group, N, "p");
  const order = heatmapOrder(input.p, groups);
  const z = order.map((i) => forDisplay(order.map((j) => input.kappa[i * N + j])));
  const zMax = Math.max(...z.map((row) => Math.max(...row.map(Math.abs)))) || 1;
  const groupName = (i: number) =>
    groups ? (groups.groupNames[groups.group[i]] ?? String(groups.group[i])) : "";
  // Ticks: the block centres with group names, or five p values along the sorted axis.
  let tickvals: number[];
  let ticktext: string[];
  const shapes: object[] = [];
  if (groups !== undefined) {
    const starts = order
      .map((i, r) => (r === 0 || groups.group[i] !== groups.group[order[r - 1]] ? r : -1))
      .filter((r) => r >= 0);
    const ends = [...starts.slice(1), N];
    tickvals = starts.map((r, b) => (r + ends[b] - 1) / 2);
    ticktext = starts.map((r, b) => `${groupName(order[r])} (${ends[b] - r}), p ↑`);
    for (const r of starts.slice(1)) {
      for (const [xs, ys] of [
        [
          [r - 0.5, r - 0.5],
          [-0.5, N - 0.5],
        ],
        [
          [-0.5, N - 0.5],
          [r - 0.5, r - 0.5],
        ],
      ]) {
        shapes.push({
          type: "line",
          x0: xs[0],
          x1: xs[1],
          y0: ys[0],
          y1: ys[1],
          xref: "x",
          yref: "y",
          line: { color: PALETTE.black, width: 1.5 },
        });
      }
    }
  } else {
    tickvals = Array.from({ length: 5 }, (_, t) => Math.round((t * (N - 1)) / 4));
    ticktext = tickvals.map((r) => `p = ${input.p[order[r]].toFixed(2)}`);
  }
  const axis = (title: string) => ({
    title: { text: title },
    tickvals,
    ticktext,
    showgrid: false,
    zeroline: false,
    ticks: "" as const,
  });
  const sorted = groups !== undefined ? "by group, then by p" : "by p";
  return {
    builder: "kernelHeatmapFigure",
    data: [
      {
        type: "heatmap",
        z,
        // Hover shows ranks only: a per-cell label would store N² strings in the notebook.
        hovertemplate: "x: rank %{y}, x′: rank %{x}<br>κ = %{z:.3g}<extra></extra>",
        colorscale: DIVERGING_COLORSCALE.map(([v, c]) => [v, c]) as Array<[number, string]>,
        zmin: -zMax,
        zmax: zMax,
        zmid: 0,
        colorbar: { title: { text: "κ(x, x′)" } },
      } as Data,
    ],
    layout: {
      title: { text: "Interference kernel κ(x, x′) = ⟨∇p(x), ∇p(x′)⟩" },
      xaxis: axis(`prompt x′ (sorted ${sorted})`),
      yaxis: { ...axis(`prompt x (sorted ${sorted})`), autorange: "reversed" },
      shapes,
    } as PlotlyFigure["layout"],
  };
}

/** Input of {@link agreementScatterFigure}. */
export interface AgreementScatterInput {
  /** Per-prompt pass@1 p(x). */
  p: ArrayLike<number>;
  /** Agreement scores a(x) = ⟨∇p(x), ∇J_1⟩. */
  a: ArrayLike<number>;
  /** Group labels (one trace per group). */
  groups: Groups;
  /** Figure title (default names the quantity). */
  title?: string;
}

/**
 * Agreement scores a(x) = ⟨∇p(x), ∇J_1⟩ against p(x), one colour per group (easy/hard roles),
 * with the zero line: prompts below it interfere negatively with the population — improving
 * them alone lowers J_1 ([name P, formula D] PAPER.md §3).
 *
 * @example agreementScatterFigure({ p: [0.9, 0.2], a: [0.01, -0.02], groups: { group: [0, 1],
 * groupNames: ["easy", "hard"] } }).data.length // => 3
 */
export function agreementScatterFigure(input: AgreementScatterInput): PlotlyFigure {
  const where = "agreementScatterFigure";
  checkProbabilityArray(where, "p", input.p);
  checkFiniteArray(where, "a", input.a);
  checkLength(where, "a", input.a, input.p.length, "p");
  checkLength(where, "groups.group", input.groups.group, input.p.length, "p");
  const data: Data[] = input.groups.groupNames.map((name, g) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < input.p.length; i++) {
      if (input.groups.group[i] !== g) continue;
      x.push(input.p[i]);
      y.push(input.a[i]);
    }
    return {
      type: "scatter",
      mode: "markers",
      name: `${name} (${x.length})`,
      x: forDisplay(x),
      y: forDisplay(y),
      marker: { color: groupColor(name, g), size: 5, opacity: 0.6 },
    };
  });
  data.push({
    type: "scatter",
    mode: "lines",
    name: "a = 0",
    x: [0, 1],
    y: [0, 0],
    line: { color: PALETTE.black, width: 1 },
    hoverinfo: "skip",
  });
  return {
    builder: "agreementScatterFigure",
    data,
    layout: {
      title: {
        text: input.title ?? "Agreement with the population: a(x) = ⟨∇p(x), ∇J<sub>1</sub>⟩",
      },
      xaxis: { title: { text: "per-prompt pass@1 p(x)" }, range: [0, 1] },
      yaxis: { title: { text: "agreement a(x)" }, exponentformat: "power" },
      legend: { title: { text: "prompt group" } },
    },
  };
}
