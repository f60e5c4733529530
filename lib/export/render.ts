/**
 * Static export of Plotly figures (SVG, PNG, PDF) through headless Chromium.
 *
 * One browser and one page with Plotly loaded once serve every figure; calls are queued,
 * so concurrent callers are safe. Each figure is plotted once and every format comes from
 * that plot: the PDF prints the page, the PNG is a screenshot, the SVG serialises the DOM.
 * Chromium is Debian's (`apt-get install -y chromium`) driven by playwright-core; without it
 * `openRenderer` resolves to `null` and callers fall back to interactive-only output.
 *
 * This module is imported by scripts (figures, notebook runner), not by notebooks, but it
 * still compiles without the DOM lib: browser-side code is a string, and playwright is
 * required lazily through the small structural types below.
 */
import * as fs from "fs";
import * as path from "path";
import type { PlotlyFigure } from "../plots/figure";
import { figureSize } from "../plots/style";
import {
  acquireProfile,
  contentHash,
  defaultProfileDir,
  RENDER_HOST,
  serveStatic,
  type RenderProfile,
  type StaticServer,
} from "./renderCache";

export type ImageFormat = "png" | "svg" | "pdf";

export const IMAGE_FORMATS: readonly ImageFormat[] = ["svg", "png", "pdf"];

/** The steps of rendering one figure: plotting it, then exporting each format. */
export type RenderStep = "plot" | ImageFormat;

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

/** One figure of a batch: the figure, its id for messages, and optionally its pixel size. */
export interface BatchItem {
  fig: PlotlyFigure;
  id: string;
  width?: number;
  height?: number;
}

/** What a batch gives back for each item, in order: its images, or why it failed. */
export type BatchResult =
  | { id: string; images: Partial<Record<ImageFormat, Buffer>>; error?: undefined }
  | { id: string; error: Error; images?: undefined };

export interface BatchOptions {
  formats: readonly ImageFormat[];
  /** PNG pixel ratio (default 2). */
  scale?: number;
  warn?: (message: string) => void;
}

export interface Renderer {
  /** Renders one format. Rejects with an Error naming the figure if it is malformed. */
  toImage(fig: PlotlyFigure, opts: ImageOptions): Promise<Buffer>;
  /** Plots once and exports several formats (cheaper than one `toImage` per format). */
  toImages(
    fig: PlotlyFigure,
    opts: MultiImageOptions,
  ): Promise<Partial<Record<ImageFormat, Buffer>>>;
  /**
   * Renders many figures, each plotted once; their PDFs come from one print of the whole
   * batch (a print costs ~0.1 s however many pages it has), split into one file per figure.
   * A figure that fails gets an `error` naming it; the others are still rendered.
   */
  renderBatch(items: readonly BatchItem[], opts: BatchOptions): Promise<BatchResult[]>;
  /** Trace types the loaded Plotly bundle knows (from `Plotly.PlotSchema`). */
  traceTypes(): Promise<string[]>;
  /** Closes the browser; further calls reject. */
  close(): Promise<void>;
  readonly executablePath: string;
  readonly plotlyVersion: string;
  /** Milliseconds spent so far in each step, summed over figures (for progress reports). */
  timings(): Record<RenderStep, number>;
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
function figureLabel(fig: PlotlyFigure, id?: string): string {
  if (id) return id;
  const title = (fig?.layout as { title?: string | { text?: string } } | undefined)?.title;
  const text = typeof title === "string" ? title : title?.text;
  return typeof text === "string" && text !== "" ? text : "figure";
}

// Runs in the page. `plot` draws a figure into a new div on the stage (top-left corner, where
// screenshots are taken) and reports any text outside the image; `keep` moves it off the
// stage into the print queue; `printLayout` lays the queued plots out one per named page
// (each page exactly its figure's size); `svg` serialises a plot without plotting it again
// (Plotly.toImage would clone and re-plot it) and frees it. Serialising rearranges the
// plot's DOM, so it comes after the screenshot and the print.
const PAGE_SCRIPT = `
window.__passk = (function () {
  var stage = document.getElementById("stage");
  var queue = document.getElementById("print");
  var pages = document.getElementById("pages");
  var kept = [];
  function free(div) { Plotly.purge(div); div.remove(); }
  return {
    plot: async function (fig, o) {
      while (stage.firstChild) free(stage.firstChild);
      var gd = document.createElement("div");
      gd.style.width = o.width + "px";
      gd.style.height = o.height + "px";
      gd.style.overflow = "hidden";
      stage.appendChild(gd);
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
      return { clipped: clipped };
    },
    keep: function (o) {
      var gd = stage.firstChild;
      gd.remove();
      gd.style.page = "p" + kept.length;
      kept.push({ gd: gd, width: o.width, height: o.height });
    },
    printLayout: function () {
      while (stage.firstChild) free(stage.firstChild);
      pages.textContent = kept.map(function (k, i) {
        return "@page p" + i + " { size: " + k.width + "px " + k.height + "px; margin: 0 }";
      }).join("\\n");
      kept.forEach(function (k) { queue.appendChild(k.gd); });
    },
    unprint: function () {
      kept.forEach(function (k) { k.gd.remove(); });
    },
    svg: function (i) {
      var gd = i === undefined ? stage.firstChild : kept[i].gd;
      var svg = Plotly.Snapshot.toSVG(gd);
      free(gd);
      return svg;
    },
    clear: function () {
      while (stage.firstChild) free(stage.firstChild);
      kept.forEach(function (k) { free(k.gd); });
      kept = [];
      pages.textContent = "";
    }
  };
})();
`;

const RENDER_TIMEOUT_MS = 60_000;
/** Device pixel ratio Chromium draws the render page at (the PNG scale of `npm run figures`). */
const SCREENSHOT_DPR = 2;
/** Figures per print: bounds the plots the page holds at once. */
const PRINT_BATCH = 40;
/** Chromium's window (CSS px); larger figures are still captured whole, only more slowly. */
const WINDOW = { width: 1600, height: 1200 };
const LOAD_TIMEOUT_MS = 180_000;

// The little of playwright-core we use, typed structurally so that no DOM types leak in.
interface PageLike {
  goto(url: string, opts?: { timeout?: number }): Promise<unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- page results: JSON, any shape
  evaluate(expression: string): Promise<any>;
  pdf(opts: Record<string, unknown>): Promise<Buffer>;
  on(event: "pageerror", listener: (err: Error) => void): unknown;
}
interface CdpLike {
  send(method: string, params?: Record<string, unknown>): Promise<unknown>;
}
interface ContextLike {
  pages(): PageLike[];
  newPage(): Promise<PageLike>;
  newCDPSession(page: PageLike): Promise<CdpLike>;
  close(): Promise<void>;
  on(event: "close", listener: () => void): unknown;
}

/** What a renderer holds: Chromium's context and page, the bundle server and the profile. */
interface Session {
  context: ContextLike;
  page: PageLike;
  cdp: CdpLike;
  server: StaticServer;
  profile: RenderProfile;
  pageErrors: string[];
  executablePath: string;
  /** False once Chromium has gone away (closed or crashed). */
  connected: boolean;
}

/**
 * Starts headless Chromium with Plotly loaded. Resolves to `null` when no Chromium
 * executable is found (see `findChromium`); rejects if one is found but fails to start.
 * `bundle` is the Plotly bundle to start with (default "cartesian"; the renderer moves to
 * the full bundle by itself when a figure needs it). `profileDir` is the Chromium profile
 * that keeps the bundle's compiled code between runs (default: lib/export/renderCache's
 * `defaultProfileDir()`; null for a temporary profile).
 */
export async function openRenderer(
  opts: { executablePath?: string; bundle?: PlotlyBundle; profileDir?: string | null } = {},
): Promise<Renderer | null> {
  const executablePath = findChromium(opts.executablePath);
  if (executablePath === null) return null;
  const { chromium } = require("playwright-core") as {
    chromium: {
      launchPersistentContext(dir: string, o: Record<string, unknown>): Promise<ContextLike>;
    };
  };
  const profile = acquireProfile(
    opts.profileDir === undefined ? defaultProfileDir() : opts.profileDir,
  );
  let server: StaticServer | undefined;
  let context: ContextLike | undefined;
  try {
    server = await serveStatic({
      "/favicon.ico": { body: "", type: "image/x-icon", immutable: true },
    });
    context = await chromium.launchPersistentContext(profile.dir, {
      executablePath,
      args: [
        ...CHROMIUM_ARGS,
        `--host-resolver-rules=MAP ${RENDER_HOST} 127.0.0.1:${server.port}`,
        // Drawn at DPR 2 for real (not emulated), so a scale-2 screenshot needs no re-raster.
        `--force-device-scale-factor=${SCREENSHOT_DPR}`,
        `--window-size=${WINDOW.width},${WINDOW.height}`,
      ],
      timeout: LOAD_TIMEOUT_MS,
      viewport: null,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    const session: Session = {
      context,
      page,
      cdp,
      server,
      profile,
      pageErrors: [],
      executablePath,
      connected: true,
    };
    context.on("close", () => {
      session.connected = false;
    });
    page.on("pageerror", (err) => session.pageErrors.push(err.message));
    const bundle = opts.bundle ?? "cartesian";
    const plotlyVersion = await loadPlotly(session, bundle);
    return makeRenderer(session, plotlyVersion, bundle);
  } catch (err) {
    await context?.close().catch(() => undefined);
    await server?.close();
    profile.release();
    throw err;
  }
}

/**
 * Navigates the render page to a document that loads `bundle` over HTTP from the session's
 * server; resolves to Plotly.version. With the persistent profile, the first load of a
 * bundle is followed by a second one: Chromium writes V8's code cache for a script the second
 * time it runs it (cheap then: the renderer still holds the compiled code), so every later
 * run starts from the cache.
 */
async function loadPlotly(session: Session, bundle: PlotlyBundle): Promise<string> {
  const { page, server, profile, pageErrors } = session;
  const source = fs.readFileSync(bundleFile(bundle));
  const script = `/plotly-${bundle}-${contentHash(source)}.min.js`;
  server.set(script, { body: source, type: "text/javascript", immutable: true });
  server.set(`/render-${bundle}.html`, {
    type: "text/html; charset=utf-8",
    body:
      `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="${script}"></script>` +
      `<style id="pages"></style><style>body { margin: 0 } @media print { #stage { display: none } }</style></head>` +
      `<body><div id="stage"></div><div id="print"></div><script>${PAGE_SCRIPT}</script></body></html>`,
  });
  const url = `http://${RENDER_HOST}/render-${bundle}.html`;
  const warmMarker = path.join(profile.dir, `passk-warm${script.replace(/\//g, "-")}`);
  const loads = profile.persistent && !fs.existsSync(warmMarker) ? 2 : 1;
  for (let n = 0; n < loads; n++) {
    pageErrors.length = 0;
    // Evaluating the bundle takes 0.3–4 s on an idle core but 30 s+ on a saturated machine.
    await page.goto(url, { timeout: LOAD_TIMEOUT_MS });
  }
  const version: unknown = await page.evaluate(
    "typeof Plotly === 'object' ? Plotly.version : null",
  );
  if (typeof version !== "string") {
    throw new Error(
      `openRenderer: Plotly (${bundle} bundle) did not load (${pageErrors.join("; ") || "no page error"})`,
    );
  }
  if (loads === 2) fs.writeFileSync(warmMarker, "");
  return version;
}

function makeRenderer(
  session: Session,
  plotlyVersion: string,
  initialBundle: PlotlyBundle,
): Renderer {
  const { page, pageErrors, executablePath } = session;
  let bundle = initialBundle;
  const spent: Record<RenderStep, number> = { plot: 0, svg: 0, png: 0, pdf: 0 };
  const timed = async <T>(step: RenderStep, job: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await job();
    } finally {
      spent[step] += performance.now() - t0;
    }
  };
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };

  /** Checks an item and fills in its size; throws an Error naming the figure. */
  function prepare(
    item: BatchItem,
    opts: BatchOptions,
  ): { name: string; width: number; height: number } {
    const name = figureLabel(item.fig, item.id);
    checkFigure(item.fig, name);
    const size = figureSize(item.fig);
    const width = item.width ?? size.width;
    const height = item.height ?? size.height;
    for (const [k, v] of [
      ["width", width],
      ["height", height],
      ["scale", opts.scale ?? 2],
    ] as const) {
      if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) {
        throw new RangeError(
          `figure ${JSON.stringify(name)}: ${k} must be a positive number, got ${String(v)}`,
        );
      }
    }
    return { name, width, height };
  }

  async function renderBatch(
    items: readonly BatchItem[],
    opts: BatchOptions,
  ): Promise<BatchResult[]> {
    if (closed || !session.connected) throw new Error("renderer is closed");
    for (const f of opts.formats) {
      if (!IMAGE_FORMATS.includes(f))
        throw new RangeError(`toImage: format must be svg | png | pdf, got ${JSON.stringify(f)}`);
    }
    // Switch bundles before plotting: loading a bundle reloads the page, which would drop
    // plots waiting for the print.
    if (bundle === "cartesian" && items.some((it) => bundleFor(it.fig) === "full")) {
      await loadPlotly(session, "full");
      bundle = "full";
    }
    const results: BatchResult[] = [];
    for (let c = 0; c < items.length; c += PRINT_BATCH) {
      results.push(...(await renderChunk(items.slice(c, c + PRINT_BATCH), opts)));
    }
    return results;
  }

  async function renderChunk(
    items: readonly BatchItem[],
    opts: BatchOptions,
  ): Promise<BatchResult[]> {
    const wants = new Set(opts.formats);
    const scale = opts.scale ?? 2;
    const results: BatchResult[] = items.map((it) => ({ id: it.id, images: {} }));
    const fail = (i: number, err: unknown) => {
      results[i] = { id: items[i].id, error: err instanceof Error ? err : new Error(String(err)) };
    };
    const printed: { index: number; name: string }[] = []; // items waiting for the print, in page order
    try {
      for (let i = 0; i < items.length; i++) {
        let name = items[i].id;
        try {
          const size = prepare(items[i], opts);
          name = size.name;
          const { width, height } = size;
          const step = (what: string) => (err: unknown) => {
            throw figureError(name, what, err);
          };
          const { fig } = items[i];
          const payload = JSON.stringify({
            data: fig.data,
            layout: fig.layout ?? {},
            config: fig.config ?? {},
          });
          pageErrors.length = 0;
          const plotted: { clipped: string[] } = await timed("plot", () =>
            withTimeout(
              page.evaluate(`__passk.plot(${payload}, ${JSON.stringify({ width, height })})`),
              RENDER_TIMEOUT_MS,
              "rendering timed out",
            ),
          ).catch(step("Plotly failed"));
          if (pageErrors.length > 0)
            throw new Error(
              `figure ${JSON.stringify(name)}: page error while plotting: ${pageErrors.join("; ")}`,
            );
          if (plotted.clipped.length > 0 && opts.warn) {
            const texts = plotted.clipped
              .slice(0, 5)
              .map((t) => JSON.stringify(t.length > 40 ? `${t.slice(0, 37)}...` : t));
            opts.warn(
              `figure ${JSON.stringify(name)}: text outside the ${width}×${height} image: ${texts.join(", ")}${plotted.clipped.length > 5 ? ", …" : ""}`,
            );
          }
          const images = results[i].images!;
          if (wants.has("png"))
            images.png = await timed("png", () =>
              screenshotPng(session.cdp, width, height, scale),
            ).catch(step("PNG export failed"));
          if (wants.has("pdf")) {
            await page.evaluate(`__passk.keep(${JSON.stringify({ width, height })})`);
            printed.push({ index: i, name });
          } else if (wants.has("svg")) {
            images.svg = Buffer.from(
              await timed("svg", () => page.evaluate("__passk.svg()")).catch(
                step("SVG export failed"),
              ),
              "utf8",
            );
          }
        } catch (err) {
          fail(i, err);
        }
      }
      if (printed.length === 0) return results;
      try {
        const pdfs = await timed("pdf", async () => {
          await page.evaluate("__passk.printLayout()");
          const pdf = await printPdf(page);
          await page.evaluate("__passk.unprint()"); // serialising detached plots is faster
          return splitPages(pdf, printed.length);
        });
        printed.forEach(({ index }, p) => (results[index].images!.pdf = pdfs[p]));
      } catch (err) {
        for (const { index, name } of printed)
          fail(index, figureError(name, "PDF export failed", err));
      }
      if (wants.has("svg")) {
        for (const [p, { index, name }] of printed.entries()) {
          if (results[index].error) continue;
          try {
            const svg: string = await timed("svg", () => page.evaluate(`__passk.svg(${p})`));
            results[index].images!.svg = Buffer.from(svg, "utf8");
          } catch (err) {
            fail(index, figureError(name, "SVG export failed", err));
          }
        }
      }
      return results;
    } finally {
      await page.evaluate("__passk.clear()").catch(() => undefined);
    }
  }

  async function single(
    fig: PlotlyFigure,
    opts: MultiImageOptions,
  ): Promise<Partial<Record<ImageFormat, Buffer>>> {
    const id = figureLabel(fig, opts.id);
    if (closed || !session.connected)
      throw new Error(`figure ${JSON.stringify(id)}: renderer is closed`);
    const [result] = await renderBatch([{ fig, id, width: opts.width, height: opts.height }], opts);
    if (result.error) throw result.error;
    return result.images;
  }

  return {
    executablePath,
    plotlyVersion,
    toImages: (fig, opts) => serial(() => single(fig, opts)),
    toImage: (fig, opts) =>
      serial(async () => {
        const { format, ...rest } = opts;
        const out = await single(fig, { ...rest, formats: [format] });
        return out[format] as Buffer;
      }),
    renderBatch: (items, opts) => serial(() => renderBatch(items, opts)),
    get bundle() {
      return bundle;
    },
    timings: () => ({ ...spent }),
    traceTypes: () =>
      serial(() => page.evaluate("Object.keys(Plotly.PlotSchema.get().traces).sort()")),
    close: async () => {
      if (closed) return;
      closed = true;
      await queue;
      await session.context.close().catch(() => undefined);
      await session.server.close();
      session.profile.release();
    },
  };
}

/**
 * Prints the page: every plot queued by `__passk.printLayout`, one per page, each page
 * exactly its figure's width × height CSS px (96 px = 1 in), vector.
 */
function printPdf(page: PageLike): Promise<Buffer> {
  return page.pdf({
    preferCSSPageSize: true,
    printBackground: true,
    margin: { top: "0", right: "0", bottom: "0", left: "0" },
  });
}

/**
 * Splits Chromium's printed PDF into one single-page PDF per figure (pdf-lib copies each page
 * with the fonts and images it uses). Throws if the print has not exactly `count` pages.
 * The parts carry no creation date or producer, so the same figure gives the same bytes.
 */
async function splitPages(pdf: Buffer, count: number): Promise<Buffer[]> {
  const { PDFDocument, ParseSpeeds } = require("pdf-lib") as typeof import("pdf-lib");
  // pdf-lib yields to the event loop every 50–100 objects by default (for browsers' UIs);
  // here that only adds timer waits: parsing and saving without it is 2–4× faster.
  const whole = await PDFDocument.load(pdf, {
    updateMetadata: false,
    parseSpeed: ParseSpeeds.Fastest,
  });
  if (whole.getPageCount() !== count) {
    throw new Error(`the print has ${whole.getPageCount()} pages for ${count} figures`);
  }
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const part = await PDFDocument.create({ updateMetadata: false });
    const [pageCopy] = await part.copyPages(whole, [i]);
    part.addPage(pageCopy);
    // Without object streams the page dictionary (and its MediaBox) stays plain text.
    parts.push(Buffer.from(await part.save({ useObjectStreams: false, objectsPerTick: Infinity })));
  }
  return parts;
}

/**
 * PNG of the plot on the render page at `scale` pixels per CSS px: a screenshot through the
 * devtools protocol. The page is drawn at device pixel ratio SCREENSHOT_DPR, so at scale 2
 * the screenshot reads back what is already drawn (other scales are re-rasterised by
 * Chromium). Cheaper than Plotly.toImage, which plots the figure again and rasterises its SVG.
 */
async function screenshotPng(
  cdp: CdpLike,
  width: number,
  height: number,
  scale: number,
): Promise<Buffer> {
  const { data } = (await cdp.send("Page.captureScreenshot", {
    format: "png",
    clip: { x: 0, y: 0, width, height, scale: scale / SCREENSHOT_DPR },
    captureBeyondViewport: width > WINDOW.width || height > WINDOW.height,
  })) as { data: string };
  return Buffer.from(data, "base64");
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** `figure "<name>": <what>: <first line of err>` — how every per-figure failure reads. */
function figureError(name: string, what: string, err: unknown): Error {
  return new Error(`figure ${JSON.stringify(name)}: ${what}: ${firstLine(err)}`);
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^page\.evaluate: /, "").split("\n")[0];
}
