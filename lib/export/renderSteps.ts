/**
 * The renderer's per-format steps and small helpers: print to PDF, split the print into one PDF
 * per figure (pdf-lib), screenshot a PNG through the devtools protocol, time-outs and the one
 * form every per-figure error takes.
 */

/**
 * Prints the page: every plot queued by `__passk.printLayout`, one per page, each page
 * exactly its figure's width × height CSS px (96 px = 1 in), vector.
 */
export function printPdf(page: PageLike): Promise<Buffer> {
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
export async function splitPages(pdf: Buffer, count: number): Promise<Buffer[]> {
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
export async function screenshotPng(
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

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** `figure "<name>": <what>: <first line of err>` — how every per-figure failure reads. */
export function figureError(name: string, what: string, err: unknown): Error {
  return new Error(`figure ${JSON.stringify(name)}: ${what}: ${firstLine(err)}`);
}

export function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^page\.evaluate: /, "").split("\n")[0];
}

/** Device pixel ratio Chromium draws the render page at (the PNG scale of `npm run figures`). */
export const SCREENSHOT_DPR = 2;

/** Chromium's window (CSS px); larger figures are still captured whole, only more slowly. */
export const WINDOW = { width: 1600, height: 1200 };

export interface PageLike {
  goto(url: string, opts?: { timeout?: number }): Promise<unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- page results: JSON, any shape
  evaluate(expression: string): Promise<any>;
  pdf(opts: Record<string, unknown>): Promise<Buffer>;
  on(event: "pageerror", listener: (err: Error) => void): unknown;
}

export interface CdpLike {
  send(method: string, params?: Record<string, unknown>): Promise<unknown>;
}
