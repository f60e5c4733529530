/**
 * The figure size presets (notebook, screen, paper, paper-double, slides): pixel sizes, fonts,
 * margins and line widths, and the 7 pt minimum font at print size that every preset keeps.
 */

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
