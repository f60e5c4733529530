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
import { fitDashes, fitLayout, fitLogTicks } from "./fit";

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

/**
 * Style presets. `slide` is an alias of `slides` (its old name), kept so that existing
 * commands keep working; it is not listed in `STYLE_PRESETS`.
 */
export type StylePreset = "notebook" | "screen" | "paper" | "paper-double" | "slides" | "slide";

/** The presets, default first. */
export const STYLE_PRESETS: readonly StylePreset[] = [
  "notebook",
  "screen",
  "paper",
  "paper-double",
  "slides",
];

/** Points per CSS pixel at print size (96 px = 1 in = 72 pt). */
export const PT_PER_PX = 0.75;

/** The smallest font any preset may use, in points at print size (journal minimum). */
export const MIN_FONT_PT = 7;

/** Sizes of one preset, in CSS pixels (96 px = 1 inch, so 1 px = 0.75 pt in a PDF). */
export interface PresetSpec {
  /** Figure width and height; the PDF page has exactly this size. */
  width: number;
  height: number;
  /** Base font (ticks, legend), title and axis-title sizes. */
  fontSize: number;
  titleSize: number;
  axisTitleSize: number;
  /** Smallest font size (px) allowed in a figure of this preset (layout test, --font-size). */
  minFontSize: number;
  /** Default line width and marker size of scatter traces. */
  lineWidth: number;
  markerSize: number;
  /** Margins before Plotly's automargin grows them to fit labels. */
  margin: { l: number; r: number; t: number; b: number };
  /** Pixel ratio for PNG export. */
  pngScale: number;
  /**
   * A narrow figure: legends go in one compact horizontal block above the plot (their titles
   * dropped), side-by-side panels get a gap in pixels, crowded category ticks are thinned
   * instead of rotated (see lib/plots/fit.ts).
   */
  compact: boolean;
  /** Height added per grid row beyond the first, as a fraction of `height` (stacked panels
   * in a short figure would otherwise leave each panel a sliver). */
  extraRowHeight: number;
}

const MIN_FONT_PX = Math.ceil((MIN_FONT_PT / PT_PER_PX) * 10) / 10; // 9.4 px

const SLIDES: Readonly<PresetSpec> = Object.freeze({
  width: 960,
  height: 540,
  fontSize: 20,
  titleSize: 26,
  axisTitleSize: 22,
  minFontSize: 18,
  lineWidth: 3.5,
  markerSize: 11,
  margin: { l: 90, r: 30, t: 80, b: 80 },
  pngScale: 2,
  compact: false,
  extraRowHeight: 0,
});

/**
 * - notebook (default): a comfortable cell-width figure (720 × 440); the committed figures/.
 * - screen: a standalone figure for a web page or README (960 × 600, 15 px text).
 * - paper: one column of a two-column paper at natural size, 3.5 in × 3 in; 10 px text is
 *   7.5 pt, above the 7 pt most venues require; a figure with a grid of r rows is
 *   1 + 0.4(r − 1) times as tall.
 * - paper-double: the full text width of a two-column paper, 7 in × 3.2 in, 10 px text.
 * - slides: half to full width of a 16:9 slide (960 × 540), 20 px text.
 * Every preset's smallest font is at least 7 pt at print size (1 px = 0.75 pt).
 */
export const PRESETS: Readonly<Record<StylePreset, Readonly<PresetSpec>>> = Object.freeze({
  notebook: {
    width: 720,
    height: 440,
    fontSize: 13,
    titleSize: 16,
    axisTitleSize: 14,
    minFontSize: MIN_FONT_PX,
    lineWidth: 2,
    markerSize: 7,
    margin: { l: 64, r: 24, t: 56, b: 56 },
    pngScale: 2,
    compact: false,
    extraRowHeight: 0,
  },
  screen: {
    width: 960,
    height: 600,
    fontSize: 15,
    titleSize: 18,
    axisTitleSize: 16,
    minFontSize: 12,
    lineWidth: 2.5,
    markerSize: 8,
    margin: { l: 72, r: 24, t: 64, b: 64 },
    pngScale: 2,
    compact: false,
    extraRowHeight: 0,
  },
  paper: {
    width: 336,
    height: 288,
    fontSize: 10,
    titleSize: 11,
    axisTitleSize: 10,
    minFontSize: MIN_FONT_PX,
    lineWidth: 1.5,
    markerSize: 5,
    margin: { l: 44, r: 8, t: 28, b: 36 },
    pngScale: 2,
    compact: true,
    extraRowHeight: 0.4,
  },
  "paper-double": {
    width: 672,
    height: 307,
    fontSize: 10,
    titleSize: 11,
    axisTitleSize: 10,
    minFontSize: MIN_FONT_PX,
    lineWidth: 1.5,
    markerSize: 5,
    margin: { l: 44, r: 8, t: 28, b: 36 },
    pngScale: 2,
    compact: true,
    extraRowHeight: 0.5,
  },
  slides: SLIDES,
  slide: SLIDES,
});

/** Per-export overrides of a preset (the figures CLI's --width, --font-size, --no-title). */
export interface StyleOptions {
  /** Figure width in px; the height keeps the preset's aspect ratio. */
  width?: number;
  /** Base font size in px (ticks, legend); titles scale with it. At least the preset's minimum. */
  fontSize?: number;
  /** false: no figure title (journals put it in the caption); the top margin shrinks. */
  title?: boolean;
}

/** Font stack: Arial where present, its metric twin Liberation Sans on Debian. */
export const FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif";

const AXIS_COLOR = "#444444";
const GRID_COLOR = "#E6E6E6";

/**
 * The Plotly template (`layout.template`) of one preset and its options, for a figure with
 * `gridRows` rows of panels (`height`, if given, replaces the height that implies). It never
 * places the legend (a template's xref/yref would change the meaning of a figure's own x/y);
 * compact presets place it in `fitLayout`.
 */
export function styleTemplate(
  preset: StylePreset,
  gridRows = 1,
  options: StyleOptions = {},
  height?: number,
): Record<string, unknown> {
  const s = resolvedSpec(preset, options, "styleTemplate");
  if (!(Number.isInteger(gridRows) && gridRows >= 1)) {
    throw new RangeError(
      `styleTemplate: gridRows must be an integer >= 1, got ${String(gridRows)}`,
    );
  }
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
  const margin = { ...s.margin, pad: 0 };
  if (options.title === false) margin.t = Math.round(s.fontSize * 1.2);
  return {
    layout: {
      width: s.width,
      height: height ?? Math.round(s.height * (1 + s.extraRowHeight * (gridRows - 1))),
      font: { family: FONT_FAMILY, size: s.fontSize, color: "#222222" },
      title: {
        font: { size: s.titleSize },
        x: 0.5,
        xanchor: "center",
        // Pinned to the top of the image, so a legend above the plot cannot reach it.
        ...(s.compact ? { yref: "container", y: 1, yanchor: "top", pad: { t: 4 } } : {}),
      },
      colorway: [...COLORS],
      colorscale: {
        sequential: SEQUENTIAL_COLORSCALE,
        diverging: DIVERGING_COLORSCALE.map((c) => [...c]),
      },
      paper_bgcolor: "#FFFFFF",
      plot_bgcolor: "#FFFFFF",
      margin,
      xaxis: axis,
      yaxis: axis,
      legend: {
        font: { size: s.fontSize },
        title: { font: { size: s.fontSize } },
        bgcolor: "rgba(255,255,255,0.85)",
        borderwidth: 0,
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
function styleConfig(preset: StylePreset, options: StyleOptions): Partial<Config> {
  const s = resolvedSpec(preset, options, "applyStyle");
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
 * The preset's sizes after `options`: a width keeps the aspect ratio (fonts stay: print size
 * is what a reader sees), a font size scales the title and axis-title sizes with it. Throws a
 * RangeError naming the option for a width outside [120, 4000] px or a font below the preset's
 * minimum (7 pt at print size).
 */
export function resolvedSpec(
  preset: StylePreset,
  options: StyleOptions = {},
  where = "resolvedSpec",
): Readonly<PresetSpec> {
  const base = presetSpec(preset, where);
  const out: PresetSpec = { ...base, margin: { ...base.margin } };
  if (options.width !== undefined) {
    const w = options.width;
    if (!(typeof w === "number" && Number.isFinite(w) && w >= 120 && w <= 4000)) {
      throw new RangeError(`${where}: width must be a number of px in [120, 4000], got ${w}`);
    }
    out.width = Math.round(w);
    out.height = Math.round((base.height * w) / base.width);
  }
  if (options.fontSize !== undefined) {
    const f = options.fontSize;
    if (!(typeof f === "number" && Number.isFinite(f) && f >= base.minFontSize && f <= 72)) {
      throw new RangeError(
        `${where}: fontSize must be in [${base.minFontSize}, 72] px for preset ${preset} ` +
          `(${MIN_FONT_PT} pt at print size = ${base.minFontSize} px), got ${f}`,
      );
    }
    const k = f / base.fontSize;
    out.fontSize = f;
    out.titleSize = Math.round(base.titleSize * k * 10) / 10;
    out.axisTitleSize = Math.round(base.axisTitleSize * k * 10) / 10;
  }
  return out;
}

/**
 * Returns a styled copy of `fig` for `preset`; `fig` itself is not modified.
 *
 * The style lives in `layout.template` (replacing any template already there) and in
 * three config keys; compact presets (paper, paper-double) also refit the layout for their
 * width (lib/plots/fit.ts: legend above the plot, panel gaps, category ticks, heatmap cell
 * text). Styling is idempotent, and styling a notebook-styled figure (what notebooks store)
 * equals styling the unstyled one. Data and layout are deep-copied.
 *
 * @example applyStyle({ data: [{ y: [1, 2] }], layout: {} }, "paper").layout.template.layout.width
 * // => 336
 */
export function applyStyle(
  fig: PlotlyFigure,
  preset: StylePreset,
  options: StyleOptions = {},
): PlotlyFigure {
  if (fig === null || typeof fig !== "object" || !Array.isArray(fig.data)) {
    throw new TypeError(`applyStyle: fig must be a figure {data: [], layout}, got ${typeof fig}`);
  }
  const spec = resolvedSpec(preset, options, "applyStyle");
  const layout = deepCopy(fig.layout ?? {}) as Record<string, unknown>;
  const data = deepCopy(fig.data);
  if (options.title === false) delete layout.title;
  fitLogTicks(layout, data);
  fitDashes(data, spec.lineWidth);
  const height = spec.compact ? fitLayout(layout, data, spec) : undefined;
  const rows = (layout as { grid?: { rows?: unknown } }).grid?.rows;
  const gridRows = typeof rows === "number" && Number.isInteger(rows) && rows > 1 ? rows : 1;
  const out: PlotlyFigure = {
    data,
    layout: { ...layout, template: styleTemplate(preset, gridRows, options, height) },
    config: { ...deepCopy(fig.config ?? {}), ...styleConfig(preset, options) },
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
