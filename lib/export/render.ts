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
import {
  acquireProfile,
  contentHash,
  defaultProfileDir,
  RENDER_HOST,
  serveStatic,
  type RenderProfile,
  type StaticServer,
} from "./renderCache";
import { CHROMIUM_ARGS, findChromium } from "./chromium";
import { bundleFile, bundleFor, checkItem, figureLabel, type PlotlyBundle } from "./figureCheck";
import { PAGE_SCRIPT } from "./pageScript";
import {
  figureError,
  printPdf,
  screenshotPng,
  SCREENSHOT_DPR,
  splitPages,
  WINDOW,
  withTimeout,
  type CdpLike,
  type PageLike,
} from "./renderSteps";

export { CHROMIUM_ARGS, CHROMIUM_HINT, findChromium } from "./chromium";
import {
  type BatchItem,
  type BatchOptions,
  type BatchResult,
  type ImageFormat,
  IMAGE_FORMATS,
  type MultiImageOptions,
  type Renderer,
  type RenderStep,
} from "./renderTypes";

export * from "./renderTypes";
export {
  bundleFor,
  CARTESIAN_TRACE_TYPES,
  checkFigure,
  PLOTLY_TRACE_TYPES,
  plotlyBundlePath,
  type PlotlyBundle,
} from "./figureCheck";

const RENDER_TIMEOUT_MS = 60_000;
/** Figures per print: bounds the plots the page holds at once. */
const PRINT_BATCH = 40;
const LOAD_TIMEOUT_MS = 180_000;

// The little of playwright-core we use, typed structurally so that no DOM types leak in.
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
          const size = checkItem(items[i], opts.scale ?? 2);
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
              items[i].id,
            );
          }
          const images = results[i].images!;
          if (wants.has("png") && !items[i].skip?.includes("png"))
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
