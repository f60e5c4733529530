/**
 * Layout checks in a real browser: every text of a figure's exported SVG, measured by
 * Chromium, must not overlap another text, must lie inside the image, and must be at least
 * the preset's minimum font size.
 *
 * One Chromium page with Plotly loaded serves a whole batch. Each figure is plotted the way
 * lib/export/render.ts's page does (at `figureSize`, autosize off, staticPlot), serialised
 * with Plotly.Snapshot.toSVG (what `npm run figures` writes as .svg), and that SVG is put
 * back into the page to measure: each <text>'s getBBox() in its own coordinates, mapped
 * through its transform (getScreenCTM), gives a rotated rectangle. Pairs are tested with the
 * separating-axis theorem, so rotated axis titles are not inflated to their bounding squares.
 *
 * The checks (`layoutProblems`) are pure functions of the measured boxes, tested on their
 * own and on a deliberately overlapping fixture (tests/layout.test.ts).
 */
import { chromium, type Browser, type Page } from "playwright-core";
import type { PlotlyFigure } from "../../lib/plots/figure";
import { figureSize } from "../../lib/plots/style";
import { CHROMIUM_ARGS, plotlyBundlePath } from "../../lib/export/render";

export type Point = [number, number];

/** One text element as measured: its corners (image px, clockwise) and font sizes. */
export interface TextBox {
  text: string;
  corners: Point[];
  /** Font size (px) of the element itself. */
  fontPx: number;
  /** Smallest font size (px) of a sub- or superscript in it, or null. */
  scriptPx: number | null;
}

/** What the page measured for one figure. */
export interface Measured {
  id: string;
  width: number;
  height: number;
  boxes: TextBox[];
}

/** Tolerances, px: glyph boxes include line spacing above and below the letters. */
export const LAYOUT_TOLERANCE = {
  /** Pixels a text may reach beyond the image edge (anti-aliasing). */
  edge: 0.5,
  /** Each box is shrunk by this fraction of its font size at top and bottom (leading). */
  leading: 0.12,
  /** Minimum depth (px) of an overlap that counts. */
  depth: 0.5,
} as const;

/** Sub/superscripts are set at 70 % of the text (Plotly); they may be that much smaller. */
export const SCRIPT_RATIO = 0.7;

// Runs in the page: plot, serialise, re-insert the SVG, measure every text.
const MEASURE = `async (items) => {
  const out = [];
  const stage = document.getElementById("stage");
  for (const it of items) {
    const gd = document.createElement("div");
    gd.style.width = it.width + "px";
    gd.style.height = it.height + "px";
    stage.appendChild(gd);
    const size = { width: it.width, height: it.height, autosize: false };
    const layout = Object.assign({}, it.fig.layout || {}, size);
    const config = Object.assign({}, it.fig.config || {}, { staticPlot: true, responsive: false });
    await Plotly.newPlot(gd, it.fig.data, layout, config);
    const svgText = Plotly.Snapshot.toSVG(gd);
    Plotly.purge(gd);
    gd.remove();
    const holder = document.createElement("div");
    holder.innerHTML = svgText;
    stage.appendChild(holder);
    const svg = holder.querySelector("svg");
    const root = svg.getBoundingClientRect();
    const boxes = [];
    for (const t of svg.querySelectorAll("text")) {
      const text = t.textContent.trim();
      if (text === "") continue;
      const style = getComputedStyle(t);
      if (style.display === "none" || style.visibility === "hidden") continue;
      if (style.opacity === "0") continue;
      const b = t.getBBox();
      if (b.width === 0 || b.height === 0) continue;
      const m = t.getScreenCTM();
      const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      const pt = (x, y) =>
        [m.a * x + m.c * y + m.e - root.left, m.b * x + m.d * y + m.f - root.top];
      const corners = [pt(b.x, b.y), pt(b.x + b.width, b.y), pt(b.x + b.width, b.y + b.height), pt(b.x, b.y + b.height)];
      let scriptPx = null;
      for (const s of t.querySelectorAll("tspan")) {
        if (s.textContent.trim() === "") continue;
        const px = parseFloat(getComputedStyle(s).fontSize) * scale;
        if (px < parseFloat(style.fontSize) * scale - 0.01) scriptPx = scriptPx === null ? px : Math.min(scriptPx, px);
      }
      boxes.push({ text, corners, fontPx: parseFloat(style.fontSize) * scale, scriptPx });
    }
    holder.remove();
    out.push({ id: it.id, width: it.width, height: it.height, boxes });
  }
  return out;
}`;

/** One Chromium with Plotly loaded, measuring batches of figures. */
export interface LayoutPage {
  measure(items: ReadonlyArray<{ id: string; fig: PlotlyFigure }>): Promise<Measured[]>;
  close(): Promise<void>;
}

export async function openLayoutPage(executablePath: string): Promise<LayoutPage> {
  const browser: Browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  try {
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"></head>
      <body style="margin:0"><div id="stage"></div></body></html>`);
    await page.addScriptTag({ path: plotlyBundlePath() });
    return {
      measure: async (items) => {
        const payload = items.map(({ id, fig }) => ({
          id,
          fig: { data: fig.data, layout: fig.layout ?? {}, config: fig.config ?? {} },
          ...figureSize(fig),
        }));
        return (await page.evaluate(`(${MEASURE})(${JSON.stringify(payload)})`)) as Measured[];
      },
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** The box shrunk by `dx` along its first edge and `dy` along its second, about its centre. */
function shrink(corners: Point[], dx: number, dy: number): Point[] {
  const [a, b, , d] = corners;
  const ux = [b[0] - a[0], b[1] - a[1]];
  const uy = [d[0] - a[0], d[1] - a[1]];
  const lx = Math.hypot(ux[0], ux[1]) || 1;
  const ly = Math.hypot(uy[0], uy[1]) || 1;
  const sx = Math.min(dx, lx / 2 - 0.01) / lx;
  const sy = Math.min(dy, ly / 2 - 0.01) / ly;
  const [p0, p1, p2, p3] = [
    [sx, sy],
    [-sx, sy],
    [-sx, -sy],
    [sx, -sy],
  ];
  return corners.map((c, i) => {
    const [fx, fy] = [p0, p1, p2, p3][i];
    return [c[0] + fx * ux[0] + fy * uy[0], c[1] + fx * ux[1] + fy * uy[1]];
  });
}

/** Depth (px) of the overlap of two convex quadrilaterals; 0 if they are apart (SAT). */
export function overlapDepth(p: Point[], q: Point[]): number {
  let depth = Infinity;
  for (const poly of [p, q]) {
    for (let i = 0; i < poly.length; i++) {
      const [x0, y0] = poly[i];
      const [x1, y1] = poly[(i + 1) % poly.length];
      const len = Math.hypot(x1 - x0, y1 - y0);
      if (len === 0) continue;
      const n: Point = [-(y1 - y0) / len, (x1 - x0) / len];
      const proj = (s: Point[]) => s.map(([x, y]) => x * n[0] + y * n[1]);
      const a = proj(p);
      const b = proj(q);
      const d = Math.min(Math.max(...a), Math.max(...b)) - Math.max(Math.min(...a), Math.min(...b));
      if (d <= 0) return 0;
      depth = Math.min(depth, d);
    }
  }
  return depth === Infinity ? 0 : depth;
}

const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);

/**
 * Problems of one measured figure: overlapping texts, texts cut off by the image edge, fonts
 * below `minFontPx` (sub/superscripts below SCRIPT_RATIO × `minFontPx`). Empty when it is fine.
 */
export function layoutProblems(m: Measured, minFontPx: number): string[] {
  const problems: string[] = [];
  const t = LAYOUT_TOLERANCE;
  const shrunk = m.boxes.map((b) => shrink(b.corners, 0.5, t.leading * b.fontPx));
  for (let i = 0; i < m.boxes.length; i++) {
    for (let j = i + 1; j < m.boxes.length; j++) {
      const d = overlapDepth(shrunk[i], shrunk[j]);
      if (d > t.depth)
        problems.push(
          `texts overlap by ${d.toFixed(1)} px: ${quote(m.boxes[i].text)} and ${quote(m.boxes[j].text)}`,
        );
    }
  }
  for (const [i, b] of m.boxes.entries()) {
    const xs = shrunk[i].map((c) => c[0]);
    const ys = shrunk[i].map((c) => c[1]);
    if (
      Math.min(...xs) < -t.edge ||
      Math.min(...ys) < -t.edge ||
      Math.max(...xs) > m.width + t.edge ||
      Math.max(...ys) > m.height + t.edge
    ) {
      const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      problems.push(
        `text cut off by the ${m.width}×${m.height} image: ${quote(b.text)} at ` +
          box.map((v) => v.toFixed(0)).join(","),
      );
    }
    if (b.fontPx < minFontPx - 0.01)
      problems.push(`font ${b.fontPx.toFixed(1)} px < ${minFontPx} px: ${quote(b.text)}`);
    if (b.scriptPx !== null && b.scriptPx < SCRIPT_RATIO * minFontPx - 0.01)
      problems.push(
        `sub/superscript ${b.scriptPx.toFixed(1)} px < ${(SCRIPT_RATIO * minFontPx).toFixed(1)} px: ${quote(b.text)}`,
      );
  }
  return problems;
}
