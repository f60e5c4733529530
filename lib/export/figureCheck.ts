/**
 * What the renderer checks before plotting: which Plotly bundle a figure needs (the cartesian
 * subset or the full one) and whether a figure is well formed (known trace types, usable data).
 */
import type { PlotlyFigure } from "../plots/figure";
import { figureSize } from "../plots/style";
import type { BatchItem } from "./renderTypes";

/** Absolute path of the full minified Plotly bundle shipped by plotly.js-dist-min. */
export function plotlyBundlePath(): string {
  return require.resolve("plotly.js-dist-min/plotly.min.js");
}

/**
 * Trace types in plotly.js-cartesian-dist-min 4.1.1 (Plotly's "cartesian" partial bundle,
 * the same source and version as the full one; the browser test checks this list against
 * the bundle). The renderer starts with this bundle because Chromium evaluates it in
 * about half the time of the full 4.8 MB bundle, and switches to the full bundle the first
 * time a figure uses a trace type outside this list.
 */
export const CARTESIAN_TRACE_TYPES: ReadonlySet<string> = new Set([
  "bar",
  "box",
  "contour",
  "heatmap",
  "histogram",
  "histogram2d",
  "histogram2dcontour",
  "image",
  "pie",
  "scatter",
  "scatterternary",
  "violin",
]);

/** The Plotly bundles the renderer can load: the full one and the cartesian subset. */
export type PlotlyBundle = "cartesian" | "full";

export function bundleFile(bundle: PlotlyBundle): string {
  return bundle === "full"
    ? plotlyBundlePath()
    : require.resolve("plotly.js-cartesian-dist-min/plotly-cartesian.min.js");
}

/** The smallest bundle that has every trace type of `fig` (unknown types count as full). */
export function bundleFor(fig: PlotlyFigure): PlotlyBundle {
  const data: unknown[] = Array.isArray(fig?.data) ? fig.data : [];
  const cartesian = data.every((t) => {
    const type = (t as { type?: unknown } | null)?.type ?? "scatter";
    return typeof type === "string" && CARTESIAN_TRACE_TYPES.has(type);
  });
  return cartesian ? "cartesian" : "full";
}

/**
 * Trace types of plotly.js 4.1.1 (`Object.keys(Plotly.PlotSchema.get().traces)`; the
 * browser test checks this list against the bundle). Plotly silently turns an unknown
 * type into "scatter", so `checkFigure` rejects it before plotting.
 */
export const PLOTLY_TRACE_TYPES: ReadonlySet<string> = new Set([
  "bar",
  "barpolar",
  "box",
  "candlestick",
  "carpet",
  "choropleth",
  "choroplethmap",
  "cone",
  "contour",
  "contourcarpet",
  "densitymap",
  "funnel",
  "funnelarea",
  "heatmap",
  "histogram",
  "histogram2d",
  "histogram2dcontour",
  "icicle",
  "image",
  "indicator",
  "isosurface",
  "mesh3d",
  "ohlc",
  "parcats",
  "parcoords",
  "pie",
  "quiver",
  "sankey",
  "scatter",
  "scatter3d",
  "scattercarpet",
  "scattergeo",
  "scattergl",
  "scattermap",
  "scatterpolar",
  "scatterpolargl",
  "scattersmith",
  "scatterternary",
  "splom",
  "streamtube",
  "sunburst",
  "surface",
  "table",
  "treemap",
  "violin",
  "volume",
  "waterfall",
]);

const DATA_KEYS = ["x", "y", "z", "r", "values"] as const;

/**
 * Throws an Error starting `figure "<id>": …` if `fig` cannot be a sensible plot: not a
 * {data: [...]} object, a trace of unknown type, or a data array (x, y, z, r, values)
 * with entries but no finite number or string in it (NaN-only data; NaN becomes null in
 * JSON). Also catches typed arrays that went through JSON.stringify ({"0": …} objects).
 * Empty arrays are allowed (legend-only traces).
 */
export function checkFigure(fig: unknown, id: string): void {
  const bad = (what: string): never => {
    throw new Error(`figure ${JSON.stringify(id)}: ${what}`);
  };
  if (fig === null || typeof fig !== "object" || !Array.isArray((fig as PlotlyFigure).data)) {
    bad("is not a Plotly figure {data: [...], layout: {...}}");
  }
  const { data, layout } = fig as PlotlyFigure;
  if (
    layout !== undefined &&
    (layout === null || typeof layout !== "object" || Array.isArray(layout))
  ) {
    bad("layout must be an object");
  }
  data.forEach((trace, i) => {
    if (trace === null || typeof trace !== "object") bad(`trace ${i} is not an object`);
    const t = trace as Record<string, unknown>;
    const label = `trace ${i}${typeof t.name === "string" ? ` (${JSON.stringify(t.name)})` : ""}`;
    const type = t.type ?? "scatter";
    if (typeof type !== "string" || !PLOTLY_TRACE_TYPES.has(type)) {
      bad(`${label} has unknown trace type ${JSON.stringify(type)}`);
    }
    for (const key of DATA_KEYS) {
      const v = t[key];
      if (v === undefined || v === null || typeof v !== "object") continue;
      if (!Array.isArray(v)) {
        if ("0" in v)
          bad(
            `${label}: ${key} is an object with index keys (a typed array serialised by JSON.stringify?)`,
          );
        continue; // e.g. Plotly's {dtype, bdata} encoding
      }
      if (v.length > 0 && !hasUsableValue(v)) {
        bad(
          `${label}: ${key} has ${v.length} entries but none is a finite number (NaN-only data?)`,
        );
      }
    }
  });
}

function hasUsableValue(values: readonly unknown[]): boolean {
  return values.some(
    (v) =>
      (typeof v === "number" && Number.isFinite(v)) ||
      (typeof v === "string" && v !== "") ||
      (Array.isArray(v) && hasUsableValue(v)),
  );
}

/** Best human name for error messages. */
export function figureLabel(fig: PlotlyFigure, id?: string): string {
  if (id) return id;
  const title = (fig?.layout as { title?: string | { text?: string } } | undefined)?.title;
  const text = typeof title === "string" ? title : title?.text;
  return typeof text === "string" && text !== "" ? text : "figure";
}

/**
 * Checks a batch item and fills in its size (the item's, else the figure's layout) for pixel
 * ratio `scale`; throws an Error naming the figure.
 */
export function checkItem(
  item: BatchItem,
  scale: number,
): { name: string; width: number; height: number } {
  const name = figureLabel(item.fig, item.id);
  checkFigure(item.fig, name);
  const size = figureSize(item.fig);
  const width = item.width ?? size.width;
  const height = item.height ?? size.height;
  for (const [k, v] of [
    ["width", width],
    ["height", height],
    ["scale", scale],
  ] as const) {
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) {
      throw new RangeError(
        `figure ${JSON.stringify(name)}: ${k} must be a positive number, got ${String(v)}`,
      );
    }
  }
  return { name, width, height };
}
