/**
 * Static export of Plotly figures (SVG, PNG, PDF) through headless Chromium.
 *
 * One browser and one page with Plotly loaded once serve every figure; calls are queued,
 * so concurrent callers are safe. Each figure is plotted once and every format comes from
 * that plot: the PDF prints the page, the PNG is a screenshot, the SVG serialises the DOM. Chromium is Debian's (`apt-get install -y
 * chromium`) driven by playwright-core; without it `openRenderer` resolves to `null` and
 * callers fall back to interactive-only output.
 *
 * This module is imported by scripts (figures, notebook runner), not by notebooks, but it
 * still compiles without the DOM lib: browser-side code is a string, and playwright is
 * required lazily through the small structural types below.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import type { PlotlyFigure } from "./figure";
import { figureSize } from "./figureStyle";

export type ImageFormat = "png" | "svg" | "pdf";

export const IMAGE_FORMATS: readonly ImageFormat[] = ["svg", "png", "pdf"];

export interface ImageOptions {
  format: ImageFormat;
  /** Pixel size; default `figureSize(fig)` (layout, then style template, then 720 × 440). */
  width?: number;
  height?: number;
  /** PNG pixel ratio (default 2); ignored for SVG and PDF, which are vector. */
  scale?: number;
  /** Figure id used in error messages (default: the title, else "figure"). */
  id?: string;
  /** Called with a message when some text (label, legend, title) falls outside the image. */
  warn?: (message: string) => void;
}

export interface MultiImageOptions extends Omit<ImageOptions, "format"> {
  formats: readonly ImageFormat[];
}

export interface Renderer {
  /** Renders one format. Rejects with an Error naming the figure if it is malformed. */
  toImage(fig: PlotlyFigure, opts: ImageOptions): Promise<Buffer>;
  /** Plots once and exports several formats (cheaper than one `toImage` per format). */
  toImages(fig: PlotlyFigure, opts: MultiImageOptions): Promise<Partial<Record<ImageFormat, Buffer>>>;
  /** Trace types the loaded Plotly bundle knows (from `Plotly.PlotSchema`). */
  traceTypes(): Promise<string[]>;
  /** Closes the browser; further calls reject. */
  close(): Promise<void>;
  readonly executablePath: string;
  readonly plotlyVersion: string;
  /** The bundle on the page now: "cartesian" until a figure needs the full one. */
  readonly bundle: PlotlyBundle;
}

/** Chromium flags that work as root in this sandbox (see ECOSYSTEM.md); playwright adds
 * --headless, --no-sandbox and a fresh --user-data-dir itself. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

/** The one-line hint printed when static formats are unavailable. */
export const CHROMIUM_HINT = "install Chromium for SVG/PNG/PDF export: apt-get install -y chromium";

/**
 * Finds a Chromium executable: `explicit`, else $CHROMIUM_PATH, else the usual Debian
 * paths. `CHROMIUM_PATH=none` (or empty) means "no browser" (used by tests).
 */
export function findChromium(explicit?: string): string | null {
  const requested = explicit ?? process.env.CHROMIUM_PATH;
  if (requested !== undefined) {
    if (requested === "" || requested === "none") return null;
    return isExecutable(requested) ? requested : null;
  }
  return CHROMIUM_CANDIDATES.find(isExecutable) ?? null;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

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
  "bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
  "image", "pie", "scatter", "scatterternary", "violin",
]);

/** The Plotly bundles the renderer can load: the full one and the cartesian subset. */
export type PlotlyBundle = "cartesian" | "full";

function bundleFile(bundle: PlotlyBundle): string {
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
  "bar", "barpolar", "box", "candlestick", "carpet", "choropleth", "choroplethmap", "cone",
  "contour", "contourcarpet", "densitymap", "funnel", "funnelarea", "heatmap", "histogram",
  "histogram2d", "histogram2dcontour", "icicle", "image", "indicator", "isosurface", "mesh3d",
  "ohlc", "parcats", "parcoords", "pie", "quiver", "sankey", "scatter", "scatter3d",
  "scattercarpet", "scattergeo", "scattergl", "scattermap", "scatterpolar", "scatterpolargl",
  "scattersmith", "scatterternary", "splom", "streamtube", "sunburst", "surface", "table",
  "treemap", "violin", "volume", "waterfall",
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
  if (layout !== undefined && (layout === null || typeof layout !== "object" || Array.isArray(layout))) {
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
        if ("0" in v) bad(`${label}: ${key} is an object with index keys (a typed array serialised by JSON.stringify?)`);
        continue; // e.g. Plotly's {dtype, bdata} encoding
      }
      if (v.length > 0 && !hasUsableValue(v)) {
        bad(`${label}: ${key} has ${v.length} entries but none is a finite number (NaN-only data?)`);
      }
    }
  });
}

function hasUsableValue(values: readonly unknown[]): boolean {
  return values.some((v) =>
    (typeof v === "number" && Number.isFinite(v)) ||
    (typeof v === "string" && v !== "") ||
    (Array.isArray(v) && hasUsableValue(v)),
  );
}

/** Best human name for error messages. */
function figureLabel(fig: PlotlyFigure, id?: string): string {
  if (id) return id;
  const title = (fig?.layout as any)?.title;
  const text = typeof title === "string" ? title : title?.text;
  return typeof text === "string" && text !== "" ? text : "figure";
}

// Runs in the page. `__passkPlot` plots into #gd at the export size and reports the trace
// count and any text outside the image; `__passkSvg` serialises the live plot (no re-plot:
// Plotly.toImage would clone and plot the figure again) and leaves #gd empty;
// `__passkPng` is the fallback for PNG scales the page cannot screenshot at.
const PAGE_SCRIPT = `
window.__passkPlot = async function (fig, o) {
  var gd = document.getElementById("gd");
  Plotly.purge(gd);
  gd.style.width = o.width + "px";
  gd.style.height = o.height + "px";
  var layout = Object.assign({}, fig.layout || {}, { width: o.width, height: o.height, autosize: false });
  var config = Object.assign({}, fig.config || {}, { staticPlot: true, responsive: false });
  await Plotly.newPlot(gd, fig.data, layout, config);
  var box = gd.getBoundingClientRect();
  var clipped = [];
  gd.querySelectorAll("text").forEach(function (t) {
    var b = t.getBoundingClientRect();
    if (t.textContent.trim() === "" || b.width === 0) return;
    if (b.left < box.left - 1 || b.top < box.top - 1 || b.right > box.right + 1 || b.bottom > box.bottom + 1) {
      clipped.push(t.textContent.trim());
    }
  });
  return { traces: gd._fullData.length, clipped: clipped };
};
window.__passkSvg = function () {
  var gd = document.getElementById("gd");
  var svg = Plotly.Snapshot.toSVG(gd);
  Plotly.purge(gd);
  return svg;
};
window.__passkPng = async function (o) {
  var url = await Plotly.toImage(document.getElementById("gd"), { format: "png", width: o.width, height: o.height, scale: o.scale });
  return url.slice(url.indexOf(",") + 1);
};
`;

const RENDER_TIMEOUT_MS = 60_000;
/** Device pixel ratio of the render page: PNGs at this scale or at 1 are screenshots. */
const SCREENSHOT_DPR = 2;
const LOAD_TIMEOUT_MS = 180_000;

// The little of playwright-core we use, typed structurally so that no DOM types leak in.
interface PageLike {
  goto(url: string, opts?: { timeout?: number }): Promise<unknown>;
  evaluate(expression: string): Promise<any>;
  pdf(opts: Record<string, unknown>): Promise<Buffer>;
  screenshot(opts: Record<string, unknown>): Promise<Buffer>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  viewportSize(): { width: number; height: number } | null;
  on(event: "pageerror", listener: (err: Error) => void): unknown;
}
interface BrowserLike {
  newPage(opts?: Record<string, unknown>): Promise<PageLike>;
  close(): Promise<void>;
  isConnected(): boolean;
}

/**
 * Starts headless Chromium with Plotly loaded. Resolves to `null` when no Chromium
 * executable is found (see `findChromium`); rejects if one is found but fails to start.
 * `bundle` is the Plotly bundle to start with (default "cartesian"; the renderer moves to
 * the full bundle by itself when a figure needs it).
 */
export async function openRenderer(
  opts: { executablePath?: string; bundle?: PlotlyBundle } = {},
): Promise<Renderer | null> {
  const executablePath = findChromium(opts.executablePath);
  if (executablePath === null) return null;
  const { chromium } = require("playwright-core") as {
    chromium: { launch(o: Record<string, unknown>): Promise<BrowserLike> };
  };
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout: LOAD_TIMEOUT_MS });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-render-"));
  try {
    // The page renders at device pixel ratio 2, so a screenshot of the plot is the
    // scale-2 PNG (and scale 1 is the same screenshot at CSS resolution).
    const page = await browser.newPage({ deviceScaleFactor: SCREENSHOT_DPR, viewport: { width: 800, height: 600 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const bundle = opts.bundle ?? "cartesian";
    const plotlyVersion = await loadPlotly(page, bundle, workDir, pageErrors);
    return makeRenderer(browser, page, pageErrors, executablePath, plotlyVersion, bundle, workDir);
  } catch (err) {
    await browser.close().catch(() => undefined);
    fs.rmSync(workDir, { recursive: true, force: true });
    throw err;
  }
}

/** Navigates the render page to a document that loads `bundle`; resolves to Plotly.version. */
async function loadPlotly(page: PageLike, bundle: PlotlyBundle, workDir: string, pageErrors: string[]): Promise<string> {
  // Loading the bundle by <script src> from a file is about twice as fast as
  // page.addScriptTag, which ships the source over the devtools protocol.
  const html = path.join(workDir, `render-${bundle}.html`);
  fs.writeFileSync(
    html,
    `<!DOCTYPE html><html><head><meta charset="utf-8">` +
      `<script src="${pathToFileURL(bundleFile(bundle)).href}"></script></head>` +
      `<body style="margin:0"><div id="gd"></div><script>${PAGE_SCRIPT}</script></body></html>`,
  );
  pageErrors.length = 0;
  // Evaluating the bundle takes 1–4 s on an idle core but 30 s+ on a saturated machine.
  await page.goto(pathToFileURL(html).href, { timeout: LOAD_TIMEOUT_MS });
  const version: unknown = await page.evaluate("typeof Plotly === 'object' ? Plotly.version : null");
  if (typeof version !== "string") {
    throw new Error(`openRenderer: Plotly (${bundle} bundle) did not load (${pageErrors.join("; ") || "no page error"})`);
  }
  return version;
}

function makeRenderer(
  browser: BrowserLike,
  page: PageLike,
  pageErrors: string[],
  executablePath: string,
  plotlyVersion: string,
  initialBundle: PlotlyBundle,
  workDir: string,
): Renderer {
  let bundle = initialBundle;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };

  async function renderOnce(fig: PlotlyFigure, opts: MultiImageOptions): Promise<Partial<Record<ImageFormat, Buffer>>> {
    const name = figureLabel(fig, opts.id);
    if (closed || !browser.isConnected()) throw new Error(`figure ${JSON.stringify(name)}: renderer is closed`);
    checkFigure(fig, name);
    for (const f of opts.formats) {
      if (!IMAGE_FORMATS.includes(f)) throw new RangeError(`toImage: format must be svg | png | pdf, got ${JSON.stringify(f)}`);
    }
    const size = figureSize(fig);
    const width = opts.width ?? size.width;
    const height = opts.height ?? size.height;
    const scale = opts.scale ?? 2;
    for (const [k, v] of [["width", width], ["height", height], ["scale", scale]] as const) {
      if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) {
        throw new RangeError(`toImage: ${k} must be a positive number, got ${String(v)}`);
      }
    }
    if (bundle === "cartesian" && bundleFor(fig) === "full") {
      await loadPlotly(page, "full", workDir, pageErrors);
      bundle = "full";
    }
    const wants = new Set(opts.formats);
    const payload = JSON.stringify({ data: fig.data, layout: fig.layout ?? {}, config: fig.config ?? {} });
    const fail = (what: string) => (err: unknown) => {
      throw new Error(`figure ${JSON.stringify(name)}: ${what}: ${firstLine(err)}`);
    };
    pageErrors.length = 0;
    const plotted: { traces: number; clipped: string[] } = await withTimeout(
      page.evaluate(`window.__passkPlot(${payload}, ${JSON.stringify({ width, height })})`),
      RENDER_TIMEOUT_MS,
      "rendering timed out",
    ).catch(fail("Plotly failed"));
    try {
      if (pageErrors.length > 0) {
        throw new Error(`figure ${JSON.stringify(name)}: page error while plotting: ${pageErrors.join("; ")}`);
      }
      if (plotted.clipped.length > 0 && opts.warn) {
        const texts = plotted.clipped.slice(0, 5).map((t) => JSON.stringify(t.length > 40 ? `${t.slice(0, 37)}...` : t));
        opts.warn(`figure ${JSON.stringify(name)}: text outside the ${width}×${height} image: ${texts.join(", ")}${plotted.clipped.length > 5 ? ", …" : ""}`);
      }
      // Every format comes from the one live plot: the PDF prints the page, the PNG is a
      // screenshot of it, and the SVG serialises it last (serialising rearranges the plot's
      // DOM, so it must come after the other two).
      const out: Partial<Record<ImageFormat, Buffer>> = {};
      if (wants.has("pdf")) out.pdf = await printPdf(page, width, height).catch(fail("PDF export failed"));
      if (wants.has("png")) out.png = await screenshotPng(page, width, height, scale).catch(fail("PNG export failed"));
      if (wants.has("svg")) {
        const svg: string = await page.evaluate("window.__passkSvg()").catch(fail("SVG export failed"));
        out.svg = Buffer.from(svg, "utf8");
      }
      return out;
    } finally {
      await page.evaluate(`Plotly.purge(document.getElementById("gd"))`).catch(() => undefined);
    }
  }

  return {
    executablePath,
    plotlyVersion,
    toImages: (fig, opts) => serial(() => renderOnce(fig, opts)),
    toImage: (fig, opts) =>
      serial(async () => {
        const { format, ...rest } = opts;
        const out = await renderOnce(fig, { ...rest, formats: [format] });
        return out[format] as Buffer;
      }),
    get bundle() {
      return bundle;
    },
    traceTypes: () => serial(() => page.evaluate("Object.keys(Plotly.PlotSchema.get().traces).sort()")),
    close: async () => {
      if (closed) return;
      closed = true;
      await queue;
      await browser.close().catch(() => undefined);
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * Prints the plot on the render page (#gd at the top-left corner, nothing else visible)
 * as a one-page vector PDF of exactly width × height CSS px (96 px = 1 in).
 */
function printPdf(page: PageLike, width: number, height: number): Promise<Buffer> {
  return page.pdf({
    width: `${width}px`,
    height: `${height}px`,
    printBackground: true,
    margin: { top: "0", right: "0", bottom: "0", left: "0" },
    pageRanges: "1",
  });
}

/**
 * PNG of the plot on the render page at `scale` pixels per CSS px. Scales 1 and
 * SCREENSHOT_DPR are screenshots (about half the cost of Plotly.toImage, which plots the
 * figure again and rasterises its SVG); other scales fall back to Plotly.toImage.
 */
async function screenshotPng(page: PageLike, width: number, height: number, scale: number): Promise<Buffer> {
  if (scale !== 1 && scale !== SCREENSHOT_DPR) {
    const b64: string = await page.evaluate(`window.__passkPng(${JSON.stringify({ width, height, scale })})`);
    return Buffer.from(b64, "base64");
  }
  const view = page.viewportSize();
  if (view === null || view.width < width || view.height < height) {
    await page.setViewportSize({ width: Math.max(width, view?.width ?? 0), height: Math.max(height, view?.height ?? 0) });
  }
  return page.screenshot({
    clip: { x: 0, y: 0, width, height },
    scale: scale === 1 ? "css" : "device",
    type: "png",
    animations: "disabled",
    caret: "hide",
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^page\.evaluate: /, "").split("\n")[0];
}
