/**
 * The one figure style of the project: palette, size presets and a Plotly template.
 *
 * Builders (lib/plots/*.ts) pick trace colours from `COLORS` / `PALETTE` / `ROLE_COLORS`
 * and set titles, axis labels and legends, but no fonts, sizes or margins. Everything
 * else is added by `applyStyle(fig, preset)`, which puts the whole style into
 * `layout.template` (plus a few config keys). Because a template only supplies
 * defaults and is replaced wholesale, re-styling is a pure function of the stored
 * figure: `applyStyle(applyStyle(f, "notebook"), "paper")` equals `applyStyle(f, "paper")`,
 * and anything a builder sets explicitly wins over the template.
 */
import type { PlotlyFigure, Config } from "./figure";

/**
 * Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"): eight colours that
 * stay distinguishable under the common colour-vision deficiencies.
 */
export const PALETTE = {
  blue: "#0072B2",
  vermillion: "#D55E00",
  bluishGreen: "#009E73",
  orange: "#E69F00",
  reddishPurple: "#CC79A7",
  skyBlue: "#56B4E9",
  black: "#000000",
  yellow: "#F0E442",
  /** Not Okabe–Ito: a neutral grey for reference lines and annotations. */
  grey: "#7F7F7F",
} as const;

/**
 * Trace colour cycle (Plotly `colorway`): Okabe–Ito, strongest contrasts first,
 * yellow last because it is faint on white.
 */
export const COLORS: readonly string[] = Object.freeze([
  PALETTE.blue,
  PALETTE.vermillion,
  PALETTE.bluishGreen,
  PALETTE.orange,
  PALETTE.reddishPurple,
  PALETTE.skyBlue,
  PALETTE.black,
  PALETTE.yellow,
]);

/**
 * Colours with a fixed meaning across every notebook, so the same quantity looks the
 * same everywhere: J_1 / pass@1 blue, J_k / pass@k vermillion, easy vs hard prompts,
 * positive vs negative interference (κ > 0, a(x) > 0 vs < 0).
 */
export const ROLE_COLORS = {
  pass1: PALETTE.blue,
  passK: PALETTE.vermillion,
  easy: PALETTE.bluishGreen,
  hard: PALETTE.orange,
  positive: PALETTE.blue,
  negative: PALETTE.vermillion,
  reference: PALETTE.grey,
} as const;

/** Sequential colour scale for non-negative matrices (perceptually uniform, CVD-safe). */
export const SEQUENTIAL_COLORSCALE = "Viridis";

/**
 * Diverging colour scale for signed quantities such as the kernel κ(x, x'): blue for
 * positive, vermillion for negative, near-white at zero. Use with `zmid: 0`.
 */
export const DIVERGING_COLORSCALE: ReadonlyArray<readonly [number, string]> = Object.freeze([
  [0, PALETTE.vermillion],
  [0.5, "#F7F7F7"],
  [1, PALETTE.blue],
] as const);

export type StylePreset = "notebook" | "paper" | "slide";

export const STYLE_PRESETS: readonly StylePreset[] = ["notebook", "paper", "slide"];

/** Sizes of one preset, in CSS pixels (96 px = 1 inch, so 1 px = 0.75 pt in a PDF). */
export interface PresetSpec {
  /** Figure width and height; the PDF page has exactly this size. */
  width: number;
  height: number;
  /** Base font (ticks, legend), title and axis-title sizes. */
  fontSize: number;
  titleSize: number;
  axisTitleSize: number;
  /** Default line width and marker size of scatter traces. */
  lineWidth: number;
  markerSize: number;
  /** Margins before Plotly's automargin grows them to fit labels. */
  margin: { l: number; r: number; t: number; b: number };
  /** Pixel ratio for PNG export. */
  pngScale: number;
  /** Horizontal legend under the plot instead of a column at the right (narrow figures),
   * unless the figure places its legend itself. */
  legendBelow: boolean;
  /** Height added per grid row beyond the first, as a fraction of `height` (stacked panels
   * in a short figure would otherwise leave each panel a sliver). */
  extraRowHeight: number;
}

/**
 * - notebook: a comfortable cell-width figure (720 × 440).
 * - paper: one column of a two-column paper at natural size, 3.5 in × 3 in (the legend
 *   goes below the plot; a figure with a grid of r rows is 1 + 0.4(r − 1) times as tall);
 *   10 px text is 7.5 pt, the smallest size most venues accept.
 * - slide: half to full width of a 16:9 slide (960 × 540), 20 px text.
 */
export const PRESETS: Readonly<Record<StylePreset, Readonly<PresetSpec>>> = Object.freeze({
  notebook: {
    width: 720,
    height: 440,
    fontSize: 13,
    titleSize: 16,
    axisTitleSize: 14,
    lineWidth: 2,
    markerSize: 7,
    margin: { l: 64, r: 24, t: 56, b: 56 },
    pngScale: 2,
    legendBelow: false,
    extraRowHeight: 0,
  },
  paper: {
    width: 336,
    height: 288,
    fontSize: 10,
    titleSize: 11,
    axisTitleSize: 10,
    lineWidth: 1.5,
    markerSize: 5,
    margin: { l: 44, r: 8, t: 28, b: 36 },
    pngScale: 2,
    legendBelow: true,
    extraRowHeight: 0.4,
  },
  slide: {
    width: 960,
    height: 540,
    fontSize: 20,
    titleSize: 26,
    axisTitleSize: 22,
    lineWidth: 3.5,
    markerSize: 11,
    margin: { l: 90, r: 30, t: 80, b: 80 },
    pngScale: 2,
    legendBelow: false,
    extraRowHeight: 0,
  },
});

/** Font stack: Arial where present, its metric twin Liberation Sans on Debian. */
export const FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif";

const AXIS_COLOR = "#444444";
const GRID_COLOR = "#E6E6E6";

/**
 * The Plotly template (`layout.template`) of one preset. `legendPlaced`: the figure
 * positions its own legend, so the template must not move it (a template's
 * xref/yref would change the meaning of the figure's x/y).
 */
export function styleTemplate(
  preset: StylePreset,
  legendPlaced = false,
  gridRows = 1,
): Record<string, unknown> {
  const s = presetSpec(preset);
  if (!(Number.isInteger(gridRows) && gridRows >= 1)) {
    throw new RangeError(
      `styleTemplate: gridRows must be an integer >= 1, got ${String(gridRows)}`,
    );
  }
  const legendBelow = s.legendBelow && !legendPlaced;
  const axis = {
    automargin: true,
    showline: true,
    linecolor: AXIS_COLOR,
    linewidth: 1,
    ticks: "outside",
    tickcolor: AXIS_COLOR,
    ticklen: Math.round(s.fontSize / 2.5),
    showgrid: true,
    gridcolor: GRID_COLOR,
    zeroline: false,
    title: { font: { size: s.axisTitleSize }, standoff: Math.round(s.fontSize * 0.6) },
    tickfont: { size: s.fontSize },
  };
  const scatter = { line: { width: s.lineWidth }, marker: { size: s.markerSize } };
  return {
    layout: {
      width: s.width,
      height: Math.round(s.height * (1 + s.extraRowHeight * (gridRows - 1))),
      font: { family: FONT_FAMILY, size: s.fontSize, color: "#222222" },
      title: { font: { size: s.titleSize }, x: 0.5, xanchor: "center" },
      colorway: [...COLORS],
      colorscale: {
        sequential: SEQUENTIAL_COLORSCALE,
        diverging: DIVERGING_COLORSCALE.map((c) => [...c]),
      },
      paper_bgcolor: "#FFFFFF",
      plot_bgcolor: "#FFFFFF",
      margin: { ...s.margin, pad: 0 },
      xaxis: axis,
      yaxis: axis,
      legend: {
        font: { size: s.fontSize },
        title: { font: { size: s.fontSize } },
        bgcolor: "rgba(255,255,255,0.85)",
        borderwidth: 0,
        // Anchored to the bottom of the whole figure (container), so it pushes the margin
        // instead of overlapping the x-axis title; items wrap into rows.
        ...(legendBelow
          ? {
              orientation: "h",
              xref: "container",
              x: 0.01,
              xanchor: "left",
              yref: "container",
              y: 0,
              yanchor: "bottom",
              itemwidth: 30,
              tracegroupgap: 0,
              title: { font: { size: s.fontSize }, side: "top" },
            }
          : {}),
      },
      annotationdefaults: { font: { size: s.fontSize } },
      hoverlabel: { font: { family: FONT_FAMILY } },
    },
    data: {
      scatter: [scatter],
      scattergl: [scatter],
    },
  };
}

/** Config keys owned by the style (they replace whatever the figure had). */
function styleConfig(preset: StylePreset): Partial<Config> {
  const s = presetSpec(preset);
  return {
    displaylogo: false,
    responsive: preset === "notebook",
    toImageButtonOptions: { format: "svg", width: s.width, height: s.height, scale: s.pngScale },
  } as Partial<Config>;
}

/** The preset's sizes; throws RangeError for an unknown preset name. */
export function presetSpec(preset: StylePreset, where = "presetSpec"): Readonly<PresetSpec> {
  if (typeof preset !== "string" || !Object.prototype.hasOwnProperty.call(PRESETS, preset)) {
    throw new RangeError(
      `${where}: preset must be one of ${STYLE_PRESETS.join(" | ")}, got ${JSON.stringify(preset)}`,
    );
  }
  return PRESETS[preset];
}

/**
 * Returns a styled copy of `fig` for `preset`; `fig` itself is not modified.
 *
 * The style lives in `layout.template` (replacing any template already there) and in
 * three config keys, so styling is idempotent and re-styling a styled figure gives
 * the same result as styling the unstyled one. Data and layout are deep-copied.
 *
 * @example applyStyle({ data: [{ y: [1, 2] }], layout: {} }, "paper").layout.template.layout.width
 * // => 336
 */
export function applyStyle(fig: PlotlyFigure, preset: StylePreset): PlotlyFigure {
  if (fig === null || typeof fig !== "object" || !Array.isArray(fig.data)) {
    throw new TypeError(`applyStyle: fig must be a figure {data: [], layout}, got ${typeof fig}`);
  }
  presetSpec(preset, "applyStyle");
  const legend = (fig.layout?.legend ?? {}) as Record<string, unknown>;
  const legendPlaced = ["x", "y", "xref", "yref", "orientation"].some(
    (k) => legend[k] !== undefined,
  );
  const rows = (fig.layout as { grid?: { rows?: unknown } } | undefined)?.grid?.rows;
  const gridRows = typeof rows === "number" && Number.isInteger(rows) && rows > 1 ? rows : 1;
  const out: PlotlyFigure = {
    data: deepCopy(fig.data),
    layout: {
      ...deepCopy(fig.layout ?? {}),
      template: styleTemplate(preset, legendPlaced, gridRows),
    },
    config: { ...deepCopy(fig.config ?? {}), ...styleConfig(preset) },
  };
  if (fig.builder !== undefined) out.builder = fig.builder;
  return out;
}

/**
 * The pixel size a static export of `fig` should have: explicit `layout.width/height`
 * first, then the style template's, then the notebook preset's. (Plotly itself ignores
 * a template width while `autosize` is on, so exporters pass this size explicitly.)
 */
export function figureSize(fig: PlotlyFigure): { width: number; height: number } {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Plotly layouts are open-ended
  const layout = (fig.layout ?? {}) as Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  const templ = (layout.template?.layout ?? {}) as Record<string, any>;
  const pick = (key: "width" | "height"): number => {
    for (const v of [layout[key], templ[key]]) if (typeof v === "number" && v > 0) return v;
    return PRESETS.notebook[key];
  };
  return { width: pick("width"), height: pick("height") };
}

/** Plain-data deep copy that keeps typed arrays (figures are JSON-like). */
function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): T }).slice();
  if (Array.isArray(value)) return value.map(deepCopy) as unknown as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = deepCopy(v);
  return out as T;
}
