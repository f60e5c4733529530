/**
 * Layout refit for compact presets (paper, paper-double): what a figure built for a 720 px
 * notebook cell needs to stay legible at 3.5 in. Called by `applyStyle` on its own deep copy;
 * every step is idempotent (it sets values computed from the preset and the figure's
 * structure, never from values an earlier pass set), so re-styling gives the same figure.
 *
 * - Legends go in one horizontal block above the plot area, under the title (never below
 *   the x-axis title, where they took 35–45 % of a short figure), legend titles dropped
 *   (entries name themselves). A legend the builder put inside the plot area stays there.
 * - Side-by-side panels get a gap in pixels wide enough for the right panel's tick labels
 *   and axis title (a fraction of a 720 px figure is too little at 336 px).
 * - Category axes with more labels than fit are thinned (every 2nd, 3rd … label), never
 *   rotated; heatmap cell labels use the base font size, or are dropped where they cannot fit
 *   a cell (the colour bar still carries the value).
 */
import type { Data } from "./figure";
import type { PresetSpec } from "./style";

/** Average advance of a character of Arial/Liberation Sans, in em (digits are 0.556). */
const CHAR_EM = 0.6;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** The values of a data array (plain or typed); [] for anything else. */
function listOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  return [];
}

/** Legend placement of compact presets: horizontal, left-aligned, at `y` of the container. */
export function legendAboveThePlot(y: number): Record<string, unknown> {
  return {
    orientation: "h",
    xref: "paper",
    x: 0,
    xanchor: "left",
    yref: "container",
    y,
    yanchor: "top",
    itemwidth: 30,
    tracegroupgap: 0,
  };
}

/** Width in px of `text` (HTML tags stripped) at `size` px, estimated. */
export function textWidth(text: string, size: number): number {
  const plain = text.replace(/<[^>]*>/g, "");
  return [...plain].length * CHAR_EM * size;
}

/** Axis layout keys ("xaxis", "xaxis2", …) of one letter. */
function axisKeys(layout: Obj, letter: "x" | "y"): string[] {
  return Object.keys(layout).filter((k) => new RegExp(`^${letter}axis\\d*$`).test(k));
}

/** "x2" → "xaxis2". */
const axisKey = (ref: unknown, letter: "x" | "y"): string =>
  typeof ref === "string" && ref.length > 1 ? `${letter}axis${ref.slice(1)}` : `${letter}axis`;

/** Plot-area width and height in px, before automargin. */
function plotArea(spec: PresetSpec, height: number, hasTitle: boolean): [number, number] {
  const top = hasTitle ? spec.margin.t : spec.fontSize * 1.2;
  return [spec.width - spec.margin.l - spec.margin.r - 8, height - top - spec.margin.b - 8];
}

/** Moves a legend that sits below or beside the plot (or is unplaced) to above the plot. */
function fitLegend(layout: Obj, spec: PresetSpec, height: number): void {
  const legend = isObj(layout.legend) ? layout.legend : {};
  if (legendInside(layout)) return;
  const title = isObj(layout.title) && typeof layout.title.text === "string" && layout.title.text;
  const lines = title ? title.split("<br>").length : 0;
  const below = title ? spec.titleSize * (1.5 + 1.25 * (lines - 1)) + 6 : 2;
  layout.legend = {
    ...legend,
    ...legendAboveThePlot(Math.round((1 - below / height) * 1000) / 1000),
    title: { text: "" },
  };
}

/** Estimated height (px) of a horizontal legend of `data`'s entries wrapped to `width` px. */
export function legendHeight(data: Data[], spec: PresetSpec, width: number): number {
  const seen = new Set<string>();
  const widths: number[] = [];
  for (const t of data as Obj[]) {
    if (!isObj(t) || t.showlegend === false || typeof t.name !== "string" || !t.name) continue;
    if (t.type === "heatmap" && t.showlegend !== true) continue;
    const key = String(t.legendgroup ?? t.name);
    if (seen.has(key)) continue;
    seen.add(key);
    widths.push(textWidth(t.name, spec.fontSize) + 40 + spec.fontSize);
  }
  if (widths.length === 0) return 0;
  // Plotly wraps a horizontal legend into rows of equal columns sized by the widest entry.
  const perRow = Math.max(1, Math.floor(width / Math.max(...widths)));
  return Math.ceil(widths.length / perRow) * spec.fontSize * 1.9 + 6;
}

/** Widens the gap between side-by-side panels to a pixel amount that fits the y-axis labels. */
function fitPanelGaps(layout: Obj, spec: PresetSpec, plotWidth: number): void {
  const panels = axisKeys(layout, "x")
    .map((key) => ({ key, axis: layout[key] as Obj }))
    .filter(({ axis }) => isObj(axis) && Array.isArray(axis.domain))
    .sort((a, b) => (a.axis.domain as number[])[0] - (b.axis.domain as number[])[0]);
  if (panels.length !== 2) return;
  const [left, right] = panels.map((p) => p.axis.domain as number[]);
  if (!(left[1] < right[0] && left[0] === 0 && right[1] === 1)) return;
  const rightY = layout[axisKey(panels[1].axis.anchor ?? "y2", "y")];
  const labelled = !isObj(rightY) || rightY.showticklabels !== false;
  const titled = isObj(rightY) && isObj(rightY.title) && Boolean(rightY.title.text);
  const gapPx =
    12 +
    (labelled ? 5 * CHAR_EM * spec.fontSize + spec.fontSize / 2.5 : 0) +
    (titled ? spec.axisTitleSize * 1.3 + spec.fontSize * 0.6 : 0);
  const gap = Math.min(0.4, gapPx / plotWidth);
  const half = Math.round((0.5 - gap / 2) * 1000) / 1000;
  panels[0].axis.domain = [0, half];
  panels[1].axis.domain = [Math.round((1 - half) * 1000) / 1000, 1];
}

/** Sets a grid's gaps to pixel amounts that fit tick labels and axis titles between panels. */
function fitGridGaps(layout: Obj, spec: PresetSpec, area: [number, number]): void {
  const grid = layout.grid;
  if (!isObj(grid)) return;
  const columns = typeof grid.columns === "number" ? grid.columns : 1;
  const rows = typeof grid.rows === "number" ? grid.rows : 1;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  if (columns > 1) {
    const px = 12 + 4 * CHAR_EM * spec.fontSize + spec.fontSize / 2.5;
    const want = round(Math.min(0.4, (px * (columns - 1)) / area[0]) / (columns - 1));
    if (!(typeof grid.xgap === "number" && grid.xgap >= want)) grid.xgap = want;
  }
  if (rows > 1) {
    const px = 10 + spec.fontSize * 1.3 + spec.axisTitleSize * 1.3 + spec.fontSize;
    const want = round(Math.min(0.4, (px * (rows - 1)) / area[1]) / (rows - 1));
    if (!(typeof grid.ygap === "number" && grid.ygap >= want)) grid.ygap = want;
  }
}

/** Thins crowded category ticks of heatmaps and sizes (or drops) their cell labels. */
function fitHeatmaps(layout: Obj, data: Data[], spec: PresetSpec, area: [number, number]): void {
  for (const trace of data as Obj[]) {
    if (trace.type !== "heatmap") continue;
    const xs = listOf(trace.x);
    const ys = listOf(trace.y);
    const hasBar = trace.showscale !== false;
    const widthPx = area[0] - (hasBar ? 70 : 0);
    const cellW = widthPx / Math.max(1, xs.length);
    const cellH = area[1] / Math.max(1, ys.length);
    const xAxis = (layout[axisKey(trace.xaxis, "x")] ?? {}) as Obj;
    const yAxis = (layout[axisKey(trace.yaxis, "y")] ?? {}) as Obj;
    layout[axisKey(trace.xaxis, "x")] = xAxis;
    layout[axisKey(trace.yaxis, "y")] = yAxis;
    const labelW = Math.max(0, ...xs.map((v) => textWidth(String(v), spec.fontSize))) + 4;
    xAxis.tickangle = 0;
    if (xAxis.type === "category" && labelW > cellW) xAxis.dtick = Math.ceil(labelW / cellW);
    if (yAxis.type === "category" && spec.fontSize * 1.3 > cellH)
      yAxis.dtick = Math.ceil((spec.fontSize * 1.3) / cellH);
    if (hasBar)
      trace.colorbar = { thickness: 12, ...(isObj(trace.colorbar) ? trace.colorbar : {}) };
    if (trace.texttemplate === undefined && trace.text === undefined) continue;
    const texts = Array.isArray(trace.text) ? (trace.text as unknown[]).flat() : [];
    const longest = Math.max(0, ...texts.map((t) => textWidth(String(t), spec.fontSize)));
    const fits = longest + 3 <= cellW && spec.fontSize * 1.15 <= cellH;
    if (fits)
      trace.textfont = { ...(isObj(trace.textfont) ? trace.textfont : {}), size: spec.fontSize };
    else trace.texttemplate = "";
  }
}

/** Raises explicit annotation fonts below the preset's base size to it. */
function fitAnnotations(layout: Obj, spec: PresetSpec): void {
  if (!Array.isArray(layout.annotations)) return;
  for (const a of layout.annotations as Obj[]) {
    if (!isObj(a) || !isObj(a.font) || typeof a.font.size !== "number") continue;
    if (a.font.size < spec.fontSize) a.font.size = spec.fontSize;
  }
}

/** Dash styles in the order they are handed out: distinguishable in greyscale and print. */
export const DASH_CYCLE: readonly string[] = [
  "solid",
  "dash",
  "dot",
  "dashdot",
  "longdash",
  "longdashdot",
];

/** Whether a trace draws a visible line (scatter with a line, not a fill band's edge). */
function drawsLine(t: Obj): boolean {
  const type = t.type ?? "scatter";
  if (type !== "scatter" && type !== "scattergl") return false;
  const mode = typeof t.mode === "string" ? t.mode : "lines";
  if (!mode.includes("lines")) return false;
  const line = isObj(t.line) ? t.line : {};
  return line.width !== 0;
}

/** Whether a trace is drawn as separate segments (null gaps), like stems or error ticks. */
function segmented(t: Obj): boolean {
  return [t.x, t.y].some((v) => Array.isArray(v) && v.some((x) => x === null));
}

/**
 * Makes legend lines that would look alike in greyscale (same dash, lightness within
 * GREY_STEP, width within WIDTH_STEP; `lineWidth` is the default width) differ in dash: a later
 * entry moves to the first dash of DASH_CYCLE no such earlier entry uses (traces of one legend
 * group move together). Segment traces (stems) keep their solid line. Applies to every preset,
 * so a figure reads in greyscale print as well as in colour.
 */
export function fitDashes(data: Data[], lineWidth: number): void {
  const lines = (data as Obj[]).filter((t) => isObj(t) && drawsLine(t));
  const keyOf = (t: Obj) => String(t.legendgroup ?? t.name ?? "");
  const entries: { key: string; dash: string; grey: number | null; width: number }[] = [];
  const moved = new Map<string, string>();
  for (const t of lines) {
    const key = keyOf(t);
    if (t.showlegend === false || !t.name || entries.some((e) => e.key === key)) continue;
    const line = isObj(t.line) ? t.line : {};
    const grey = greyLightness(line.color);
    const width = typeof line.width === "number" ? line.width : lineWidth;
    const close = entries.filter(
      (e) =>
        (e.grey === null || grey === null || Math.abs(e.grey - grey) < GREY_STEP) &&
        Math.abs(e.width - width) < WIDTH_STEP,
    );
    let dash = typeof line.dash === "string" ? line.dash : "solid";
    if (!segmented(t) && close.some((e) => e.dash === dash)) {
      const free = DASH_CYCLE.find((d) => !close.some((e) => e.dash === d));
      if (free !== undefined) moved.set(key, (dash = free));
    }
    entries.push({ key, dash, grey, width });
  }
  for (const t of lines) {
    const dash = moved.get(keyOf(t));
    if (dash !== undefined) t.line = { ...(isObj(t.line) ? t.line : {}), dash };
  }
}

/** Width difference (px) below which two lines look alike. */
export const WIDTH_STEP = 0.5;

/** Lightness difference (CIE L*) below which two lines look alike in greyscale. */
export const GREY_STEP = 20;

/** CIE L* (0–100) of a #RRGGBB colour, or null for any other colour value. */
export function greyLightness(c: unknown): number | null {
  if (typeof c !== "string" || !/^#[0-9a-f]{6}$/i.test(c)) return null;
  const lin = [1, 3, 5].map((i) => {
    const v = parseInt(c.slice(i, i + 2), 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

/**
 * A title wider than the figure is wrapped at spaces into lines that fit (`<br>`); the top margin
 * and the figure grow by one title line per extra line (returned, px). Idempotent: an earlier
 * wrap is undone before wrapping again.
 */
export function fitTitle(layout: Obj, spec: PresetSpec): number {
  if (!isObj(layout.title) || typeof layout.title.text !== "string" || !layout.title.text) return 0;
  const text = layout.title.text.replace(/<br>/g, " ");
  const max = spec.width - 16;
  const lines: string[] = [];
  let cur = "";
  for (const word of text.split(" ")) {
    const next = cur === "" ? word : `${cur} ${word}`;
    if (cur !== "" && textWidth(next, spec.titleSize) > max) {
      lines.push(cur);
      cur = word;
    } else cur = next;
  }
  if (cur !== "") lines.push(cur);
  const extra = Math.ceil(spec.titleSize * 1.25) * (lines.length - 1);
  // Plotly grows a multi-line title pinned at the top upwards: pad it down by the extra lines.
  layout.title = {
    ...layout.title,
    text: lines.join("<br>"),
    ...(extra > 0 ? { pad: { t: 4 + extra } } : {}),
  };
  if (extra > 0)
    layout.margin = { ...(isObj(layout.margin) ? layout.margin : {}), t: spec.margin.t + extra };
  return extra;
}

/**
 * Log axes left to Plotly's tick choice over 2–6 decades get one label per decade: Plotly would
 * otherwise label 2× and 5× ticks at 75 % of the font size, below the 7 pt minimum. Applies to
 * every preset.
 */
export function fitLogTicks(layout: Obj, data: Data[]): void {
  for (const { axis, span } of logAxes(layout, data)) {
    if (axis.dtick !== undefined || axis.tickvals !== undefined || span === null) continue;
    // Over more decades Plotly labels whole decades itself, spaced to fit.
    if (span >= 2 && span <= 6) axis.dtick = 1;
  }
}

/** Log axes without tick values, with the decades they span (from range or data; null). */
function logAxes(
  layout: Obj,
  data: Data[],
): { key: string; letter: "x" | "y"; axis: Obj; span: number | null }[] {
  const out: { key: string; letter: "x" | "y"; axis: Obj; span: number | null }[] = [];
  for (const letter of ["x", "y"] as const) {
    for (const key of axisKeys(layout, letter)) {
      const axis = layout[key] as Obj;
      if (!isObj(axis) || axis.type !== "log" || axis.tickvals !== undefined) continue;
      const values = (data as Obj[])
        .filter((t) => axisKey(t[`${letter}axis`], letter) === key)
        .flatMap((t) => listOf(t[letter]))
        .filter((v): v is number => typeof v === "number" && v > 0);
      const span = Array.isArray(axis.range)
        ? Math.abs(Number(axis.range[1]) - Number(axis.range[0]))
        : values.length > 0
          ? Math.log10(Math.max(...values) / Math.min(...values))
          : null;
      out.push({ key, letter, axis, span: span !== null && Number.isFinite(span) ? span : null });
    }
  }
  return out;
}

/** Labels every d-th decade of a log axis when one label per decade would not fit its length. */
function fitLogDensity(layout: Obj, data: Data[], spec: PresetSpec, area: [number, number]): void {
  const rows = isObj(layout.grid) && typeof layout.grid.rows === "number" ? layout.grid.rows : 1;
  const cols =
    isObj(layout.grid) && typeof layout.grid.columns === "number" ? layout.grid.columns : 1;
  for (const { letter, axis, span } of logAxes(layout, data)) {
    if (span === null) continue;
    const domain = Array.isArray(axis.domain) ? (axis.domain as number[]) : null;
    const fraction = domain ? domain[1] - domain[0] : 1 / (letter === "y" ? rows : cols);
    const length = (letter === "y" ? area[1] : area[0]) * fraction;
    // a power label (10 with a superscript) is about 2 font sizes tall and 4 characters wide
    const per = letter === "y" ? spec.fontSize * 2 : 4 * CHAR_EM * spec.fontSize + 8;
    const fit = Math.max(2, Math.floor(length / per));
    const dtick = typeof axis.dtick === "number" ? axis.dtick : 1;
    if (span / dtick > fit) axis.dtick = Math.ceil(span / fit);
  }
}

/** Whether the figure's own legend sits inside the plot area (kept there by the refit). */
function legendInside(layout: Obj): boolean {
  const legend = isObj(layout.legend) ? layout.legend : {};
  const { x, y } = legend;
  return (
    legend.yref !== "container" &&
    typeof x === "number" &&
    typeof y === "number" &&
    x >= 0 &&
    x <= 1 &&
    y >= 0 &&
    y <= 1
  );
}

/**
 * Refits `layout` and `data` (already deep copies) in place for a compact preset; `spec` is the
 * resolved preset (options applied). Returns the figure height: the preset's (taller for a grid
 * of panels), plus the legend's rows beyond the first when it sits above the plot, so a long
 * legend does not squeeze the plot.
 */
export function fitLayout(layout: Obj, data: Data[], spec: PresetSpec): number {
  const rows = isObj(layout.grid) && typeof layout.grid.rows === "number" ? layout.grid.rows : 1;
  let h = Math.round(spec.height * (1 + spec.extraRowHeight * (Math.max(1, rows) - 1)));
  h += fitTitle(layout, spec);
  const hasTitle = isObj(layout.title) && Boolean(layout.title.text);
  const width = plotArea(spec, h, hasTitle)[0];
  const above = !legendInside(layout) && layout.showlegend !== false;
  const legendPx = above ? legendHeight(data, spec, width) : 0;
  h += Math.round(Math.max(0, legendPx - legendHeight([{ name: "x" }], spec, width)));
  const area = plotArea(spec, h, hasTitle);
  area[1] -= legendPx;
  fitLegend(layout, spec, h);
  fitPanelGaps(layout, spec, area[0]);
  fitGridGaps(layout, spec, area);
  fitLogDensity(layout, data, spec, area);
  fitHeatmaps(layout, data, spec, area);
  fitAnnotations(layout, spec);
  return h;
}
