/**
 * Static export of Plotly figures (SVG, PNG, PDF) through headless Chromium.
 *
 * One browser and one page with plotly.min.js loaded once serve every figure; calls are
 * queued, so concurrent callers are safe. Chromium is Debian's (`apt-get install -y
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
  /** Trace types this Plotly build knows (from `Plotly.PlotSchema`). */
  traceTypes(): Promise<string[]>;
  /** Closes the browser; further calls reject. */
  close(): Promise<void>;
  readonly executablePath: string;
  readonly plotlyVersion: string;
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

/** Absolute path of the minified Plotly bundle shipped by plotly.js-dist-min. */
export function plotlyBundlePath(): string {
  return require.resolve("plotly.js-dist-min/plotly.min.js");
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

// Runs in the page. Plots into #gd with the export size, then exports SVG and/or PNG.
const PAGE_SCRIPT = `
window.__passkRender = async function (fig, o) {
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
  var out = { traces: gd._fullData.length, clipped: clipped };
  if (o.svg) {
    var url = await Plotly.toImage(gd, { format: "svg", width: o.width, height: o.height });
    out.svg = decodeURIComponent(url.slice(url.indexOf(",") + 1));
  }
  if (o.png) {
    var purl = await Plotly.toImage(gd, { format: "png", width: o.width, height: o.height, scale: o.scale });
    out.png = purl.slice(purl.indexOf(",") + 1);
  }
  if (!o.keep) Plotly.purge(gd);
  return out;
};
`;

const RENDER_TIMEOUT_MS = 60_000;
const LOAD_TIMEOUT_MS = 180_000;

// The little of playwright-core we use, typed structurally so that no DOM types leak in.
interface PageLike {
  goto(url: string, opts?: { timeout?: number }): Promise<unknown>;
  evaluate(expression: string): Promise<any>;
  pdf(opts: Record<string, unknown>): Promise<Buffer>;
  on(event: "pageerror", listener: (err: Error) => void): unknown;
}
interface BrowserLike {
  newPage(): Promise<PageLike>;
  close(): Promise<void>;
  isConnected(): boolean;
}

/**
 * Starts headless Chromium with Plotly loaded. Resolves to `null` when no Chromium
 * executable is found (see `findChromium`); rejects if one is found but fails to start.
 */
export async function openRenderer(opts: { executablePath?: string } = {}): Promise<Renderer | null> {
  const executablePath = findChromium(opts.executablePath);
  if (executablePath === null) return null;
  const { chromium } = require("playwright-core") as {
    chromium: { launch(o: Record<string, unknown>): Promise<BrowserLike> };
  };
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout: LOAD_TIMEOUT_MS });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-render-"));
  try {
    // Loading the bundle by <script src> from a file is about twice as fast as
    // page.addScriptTag, which ships the 4.8 MB source over the devtools protocol.
    const html = path.join(workDir, "render.html");
    fs.writeFileSync(
      html,
      `<!DOCTYPE html><html><head><meta charset="utf-8">` +
        `<script src="${pathToFileURL(plotlyBundlePath()).href}"></script></head>` +
        `<body style="margin:0"><div id="gd"></div><script>${PAGE_SCRIPT}</script></body></html>`,
    );
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    // Evaluating the bundle takes ~1.5 s on an idle core but 30 s+ on a saturated machine.
    await page.goto(pathToFileURL(html).href, { timeout: LOAD_TIMEOUT_MS });
    const plotlyVersion: unknown = await page.evaluate("typeof Plotly === 'object' ? Plotly.version : null");
    if (typeof plotlyVersion !== "string") throw new Error(`openRenderer: Plotly did not load (${pageErrors.join("; ")})`);
    return makeRenderer(browser, page, pageErrors, executablePath, plotlyVersion, workDir);
  } catch (err) {
    await browser.close().catch(() => undefined);
    fs.rmSync(workDir, { recursive: true, force: true });
    throw err;
  }
}

function makeRenderer(
  browser: BrowserLike,
  page: PageLike,
  pageErrors: string[],
  executablePath: string,
  plotlyVersion: string,
  workDir: string,
): Renderer {
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
    const wants = new Set(opts.formats);
    // For PDF the plot stays on the page and the page itself is printed: cheaper than
    // re-parsing the exported SVG (seconds for figures with thousands of markers).
    const args = { width, height, scale, svg: wants.has("svg"), png: wants.has("png"), keep: wants.has("pdf") };
    const payload = JSON.stringify({ data: fig.data, layout: fig.layout ?? {}, config: fig.config ?? {} });
    pageErrors.length = 0;
    let result: { traces: number; clipped: string[]; svg?: string; png?: string };
    try {
      result = await withTimeout(
        page.evaluate(`window.__passkRender(${payload}, ${JSON.stringify(args)})`),
        RENDER_TIMEOUT_MS,
        "rendering timed out",
      );
    } catch (err) {
      throw new Error(`figure ${JSON.stringify(name)}: Plotly failed: ${firstLine(err)}`);
    }
    if (pageErrors.length > 0) {
      throw new Error(`figure ${JSON.stringify(name)}: page error while plotting: ${pageErrors.join("; ")}`);
    }
    if (result.clipped.length > 0 && opts.warn) {
      const texts = result.clipped.slice(0, 5).map((t) => JSON.stringify(t.length > 40 ? `${t.slice(0, 37)}...` : t));
      opts.warn(`figure ${JSON.stringify(name)}: text outside the ${width}×${height} image: ${texts.join(", ")}${result.clipped.length > 5 ? ", …" : ""}`);
    }
    const out: Partial<Record<ImageFormat, Buffer>> = {};
    if (wants.has("svg")) out.svg = Buffer.from(result.svg ?? "", "utf8");
    if (wants.has("png")) out.png = Buffer.from(result.png ?? "", "base64");
    if (wants.has("pdf")) out.pdf = await printPdf(page, width, height);
    return out;
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
 * Prints the plot left on the render page (#gd at the top-left corner, nothing else
 * visible) as a one-page vector PDF of exactly width × height CSS px (96 px = 1 in).
 */
async function printPdf(page: PageLike, width: number, height: number): Promise<Buffer> {
  try {
    return await page.pdf({
      width: `${width}px`,
      height: `${height}px`,
      printBackground: true,
      margin: { top: "0", right: "0", bottom: "0", left: "0" },
      pageRanges: "1",
    });
  } finally {
    await page.evaluate(`Plotly.purge(document.getElementById("gd"))`);
  }
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
