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
import { MIN_FONT_PT, PRESETS, STYLE_PRESETS, type PresetSpec, type StylePreset } from "./presets";

export * from "./presets";

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

/** The quantities that have a colour of their own ({@link ROLE_COLORS}). */
export type ColorRole = "pass1" | "passK" | "easy" | "hard" | "positive" | "negative" | "reference";

/**
 * Colours with a fixed meaning across every notebook, so the same quantity looks the
 * same everywhere: J_1 / pass@1 blue, J_k / pass@k vermillion, easy vs hard prompts,
 * positive vs negative interference (κ > 0, a(x) > 0 vs < 0).
 */
export const ROLE_COLORS: Readonly<Record<ColorRole, string>> = {
  pass1: PALETTE.blue,
  passK: PALETTE.vermillion,
  easy: PALETTE.bluishGreen,
  hard: PALETTE.orange,
  positive: PALETTE.blue,
  negative: PALETTE.vermillion,
  reference: PALETTE.grey,
};

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
