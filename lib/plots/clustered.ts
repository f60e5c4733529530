/**
 * Figure builder for notebook 06 §5: the conflict threshold k* on our clustered family
 * (lib/studies/clusteredStudy.ts) against the overlap of the clusters, one line per
 * within-cluster spread, one panel per dimension d. Pure: numbers in, `PlotlyFigure` out.
 */
import type { Data, PlotlyFigure } from "./figure";
import { COLORS, PALETTE } from "./style";
import { DASH_CYCLE } from "./fit";
import { checkFiniteArray, checkInteger, checkLength } from "../core/validate";

/** Input of {@link clusteredKStarFigure}. */
export interface ClusteredKStarInput {
  /** Dimensions d (one panel each). */
  ds: readonly number[];
  /** Cluster overlaps (x axis). */
  overlaps: readonly number[];
  /** Within-cluster spreads (one line each). */
  spreads: readonly number[];
  /** k*[d index][overlap index][spread index]; null: no conflict up to kMax. */
  kStar: ReadonlyArray<ReadonlyArray<ReadonlyArray<number | null>>>;
  /** Largest k scanned (the label of the "none" row). */
  kMax: number;
}

/**
 * k* against overlap, a line per spread, a panel per d (2 columns). Cells with no conflict up to
 * kMax are not plotted as a number: they sit as open markers on a separate top row labelled
 * "none ≤ kMax", above a dotted line (side by side where several spreads have none at one
 * overlap), and lines break there [D: our figure].
 *
 * @example clusteredKStarFigure({ ds: [8], overlaps: [0, 0.5], spreads: [1], kStar: [[[null],
 * [3]]], kMax: 64 }).data.length // => 3
 */
export function clusteredKStarFigure(input: ClusteredKStarInput): PlotlyFigure {
  const where = "clusteredKStarFigure";
  checkFiniteArray(where, "ds", input.ds);
  checkFiniteArray(where, "overlaps", input.overlaps);
  checkFiniteArray(where, "spreads", input.spreads);
  const kMax = checkInteger(where, "kMax", input.kMax, 1);
  checkLength(where, "kStar", input.kStar, input.ds.length, "ds");
  input.kStar.forEach((byO, i) => {
    checkLength(where, `kStar[${i}]`, byO, input.overlaps.length, "overlaps");
    byO.forEach((byS, j) =>
      checkLength(where, `kStar[${i}][${j}]`, byS, input.spreads.length, "spreads"),
    );
  });
  const finite = input.kStar.flat(2).filter((v): v is number => v !== null && Number.isFinite(v));
  const top = Math.max(2, ...finite);
  // "none" row: one power of two above the largest finite k*, so it never collides with a value.
  const noneY = 2 ** (Math.ceil(Math.log2(top)) + 1);
  const ticks: number[] = [];
  for (let t = 1; t < noneY; t *= 2) ticks.push(t);
  const P = input.ds.length;
  const cols = P === 1 ? 1 : 2;
  const rows = Math.ceil(P / cols);
  const gapX = 0.1;
  const gapY = 0.16;
  const w = (1 - gapX * (cols - 1)) / cols;
  const h = (1 - gapY * (rows - 1)) / rows;
  const span = Math.max(...input.overlaps) - Math.min(...input.overlaps);
  const jitter = (span > 0 ? span : 1) / 36;
  // room for the outermost side-by-side marker
  const pad = Math.max(0.05, (jitter * (input.spreads.length - 1)) / 2 + 0.03);
  const traces: Data[] = [];
  const layout: Record<string, unknown> = {
    title: { text: "Conflict threshold k* on the clustered family (ours)" },
    legend: { title: { text: "within-cluster spread" } },
    // overlap = cosine of the cluster centres (our construction, lib/sim/clustered.ts)
    annotations: [],
    shapes: [],
  };
  input.ds.forEach((d, i) => {
    const ax = i === 0 ? "" : String(i + 1);
    input.spreads.forEach((s, l) => {
      const color = COLORS[l % COLORS.length];
      const ys = input.overlaps.map((_, j) => input.kStar[i][j][l]);
      traces.push({
        type: "scatter",
        mode: "lines+markers",
        name: `spread ${s}`,
        legendgroup: `spread ${s}`,
        showlegend: i === 0,
        x: [...input.overlaps],
        y: ys.map((v) => (v === null ? null : v)),
        // its own dash: the lines break at "none" cells, and fitDashes leaves broken lines solid
        line: { color, dash: DASH_CYCLE[l % DASH_CYCLE.length] },
        marker: { color },
        connectgaps: false,
        xaxis: `x${ax}` as "x",
        yaxis: `y${ax}` as "y",
        hovertemplate: `d = ${d}, spread ${s}, overlap %{x}: k* = %{y}<extra></extra>`,
      } as Data);
      const none = input.overlaps.filter((_, j) => ys[j] === null);
      if (none.length > 0)
        traces.push({
          type: "scatter",
          mode: "markers",
          name: `spread ${s}: no conflict`,
          legendgroup: `spread ${s}`,
          showlegend: false,
          // side by side, so that several spreads with no conflict at one overlap stay visible
          x: none.map((o) => o + (l - (input.spreads.length - 1) / 2) * jitter),
          y: none.map(() => noneY),
          marker: { color, symbol: "circle-open", size: 9, line: { width: 2 } },
          xaxis: `x${ax}` as "x",
          yaxis: `y${ax}` as "y",
          hovertemplate: `d = ${d}, spread ${s}, overlap %{x}: no conflict for k ≤ ${kMax}<extra></extra>`,
        } as Data);
    });
    const c = i % cols;
    const r = Math.floor(i / cols);
    const x0 = c * (w + gapX);
    const y1 = 1 - r * (h + gapY);
    layout[`xaxis${ax}`] = {
      // short: two panels share a row, down to the one-column paper preset
      title: { text: r === rows - 1 ? "overlap" : "" },
      domain: [x0, x0 + w],
      anchor: `y${ax}`,
      range: [Math.min(...input.overlaps) - pad, Math.max(...input.overlaps) + pad],
    };
    layout[`yaxis${ax}`] = {
      title: { text: c === 0 ? "k*" : "" },
      type: "log",
      domain: [y1 - h, y1],
      anchor: `x${ax}`,
      range: [Math.log10(1.5), Math.log10(noneY * 1.5)],
      // the panels share one scale: tick labels on the left column only
      showticklabels: c === 0,
      tickvals: [...ticks.filter((t) => t >= 2), noneY],
      ticktext: [...ticks.filter((t) => t >= 2).map(String), `none ≤ ${kMax}`],
    };
    (layout.shapes as unknown[]).push({
      type: "line",
      xref: `x${ax} domain`,
      yref: `y${ax}`,
      x0: 0,
      x1: 1,
      y0: noneY / Math.SQRT2,
      y1: noneY / Math.SQRT2,
      line: { color: PALETTE.grey, width: 1, dash: "dot" },
      layer: "below",
    });
    (layout.annotations as unknown[]).push({
      text: `d = ${d}`,
      showarrow: false,
      xref: "paper",
      yref: "paper",
      x: x0 + w / 2,
      y: y1,
      xanchor: "center",
      yanchor: "bottom",
    });
  });
  return {
    builder: "clusteredKStarFigure",
    data: traces,
    layout: layout as PlotlyFigure["layout"],
  };
}
