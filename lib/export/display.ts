/**
 * Notebook display helpers (thin adapters; no science here).
 *
 * In a tslab kernel (Jupyter, VS Code, or the headless runner) these emit Jupyter
 * display_data messages; outside a kernel (unit tests, scripts) they print a text
 * fallback to stdout, so lib code that calls them never breaks.
 *
 * Figures are emitted as one mime bundle:
 * - `application/vnd.plotly.v1+json` — interactive in VS Code and JupyterLab;
 * - `text/plain` — a one-line description;
 * - `image/png` — a static rendering for viewers that run no scripts (GitHub,
 *   nbconvert HTML). The headless runner adds it after the notebook finishes
 *   (one Chromium for the whole run); in a live kernel `showFigure` renders it
 *   itself when Chromium is installed (first figure ≈ 3–4 s, then ≈ 0.2 s).
 * The 4.8 MB Plotly bundle is never inlined into a notebook.
 */
import {
  FIGURE_METADATA_KEY,
  PLOTLY_MIME,
  type FigureInfo,
  type PlotlyFigure,
} from "../plots/figure";
import { applyStyle } from "../plots/style";
import { openRenderer, type Renderer } from "./render";

type DisplayData = {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
};
type Writer = (d: DisplayData, update: boolean) => void;

function kernelWriter(): Writer | null {
  try {
    // tslab sets this on every execute request; null outside a kernel.

    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: Writer | null };
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** True inside a tslab kernel (Jupyter, VS Code or the headless runner). */
export function inKernel(): boolean {
  return kernelWriter() !== null;
}

/** True when the headless runner executes the notebook (`npm start`). */
export function inRunner(): boolean {
  return process.env.PASSK_RUNNER === "1";
}

/**
 * The FAST switch notebooks read in their parameter cell: true when run with
 * `npm start -- --fast` / `npm test` (PASSK_FAST=1). A reader may simply overwrite
 * it (`const FAST = false`).
 */
export function fastMode(): boolean {
  return process.env.PASSK_FAST === "1";
}

let displayCounter = 0;
function newDisplayId(): string {
  return `passk-${process.pid}-${++displayCounter}`;
}

/** Emit one display_data bundle (several mime types at once). */
export function displayBundle(
  data: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
  displayId?: string,
  update = false,
): void {
  const write = kernelWriter();
  if (!write) {
    const text = data["text/plain"] ?? data["text/markdown"] ?? data["text/latex"] ?? "";
    process.stdout.write(String(text) + "\n");
    return;
  }
  write({ data, metadata, transient: displayId ? { display_id: displayId } : {} }, update);
}

/** Escape text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** Markdown (rendered by every frontend). */
export function showMarkdown(md: string): void {
  displayBundle({ "text/markdown": md, "text/plain": md });
}

/**
 * LaTeX, displayed as math. Pass the body without delimiters; `$$…$$` is added.
 * Works with mathjs: `showLatex(math.parse("1-(1-p)^k").toTex())`.
 */
export function showLatex(tex: string): void {
  const body = tex.trim().replace(/^\$\$?|\$\$?$/g, "");
  displayBundle({ "text/latex": `$$${body}$$`, "text/plain": body });
}

/** The notebook file name of the running kernel, when known (its cwd is the notebook folder). */
let notebookName: string | undefined;

/** Tell the display helper which notebook is running (the parameter cell does this). */
export function setNotebook(name: string): void {
  notebookName = name;
}

let liveRenderer: Promise<Renderer | null> | undefined;

async function livePng(fig: PlotlyFigure): Promise<string | undefined> {
  if (process.env.PASSK_NO_PNG === "1") return undefined;
  try {
    // Started on the first figure (Chromium ≈ 3 s), then reused for the kernel's lifetime.
    liveRenderer ??= openRenderer();
    const r = await liveRenderer;
    if (!r) return undefined;
    return (await r.toImage(fig, { format: "png", scale: 1 })).toString("base64");
  } catch (e) {
    process.stderr.write(`showFigure: no PNG (${(e as Error).message})\n`);
    return undefined;
  }
}

/**
 * Show a Plotly figure from a lib builder, styled with the notebook preset, and
 * record its id and caption so `npm run figures` can export it.
 *
 * Await it (`await showFigure(fig, {...})`): in a live kernel it may render a PNG.
 */
export async function showFigure(
  fig: PlotlyFigure,
  info: { id: string; caption: string },
): Promise<void> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(info.id)) {
    throw new RangeError(
      `showFigure: id must match [a-z0-9-]+ (it becomes a file name), got ${JSON.stringify(info.id)}`,
    );
  }
  const styled = applyStyle(fig, "notebook");
  const { builder, ...spec } = styled;
  const meta: FigureInfo = {
    id: info.id,
    caption: info.caption,
    notebook: notebookName,
    builder: builder ?? fig.builder,
  };
  const data: Record<string, unknown> = {
    [PLOTLY_MIME]: spec,
    "text/plain": `[figure ${info.id}] ${info.caption}`,
  };
  if (inKernel() && !inRunner()) {
    const png = await livePng(spec);
    if (png) data["image/png"] = png;
  }
  displayBundle(data, { [FIGURE_METADATA_KEY]: meta });
}

/**
 * Anything with danfojs DataFrame's shape (kept structural so this module does not load danfojs).
 */
export interface TableLike {
  columns: string[];
  index: (string | number)[];
  values: unknown[][] | unknown[];
}

function formatCell(v: unknown, digits: number): string {
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    if (v === 0 || !Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    return a >= 1e-3 && a < 1e6
      ? v
          .toPrecision(digits)
          .replace(/(\.\d*?)0+$/, "$1")
          .replace(/\.$/, "")
      : v.toExponential(digits - 1);
  }
  if (v === null || v === undefined) return "";
  return String(v);
}

/**
 * Render a table (a danfojs DataFrame, or an array of row objects) as HTML plus an
 * aligned plain-text version. danfojs has no HTML output of its own.
 */
export function tableHtml(
  table: TableLike | Record<string, unknown>[],
  opts: { digits?: number; caption?: string; showIndex?: boolean } = {},
): { html: string; text: string } {
  const digits = opts.digits ?? 4;
  let columns: string[];
  let rows: unknown[][];
  let index: (string | number)[];
  if (Array.isArray(table)) {
    columns = Array.from(new Set(table.flatMap((r) => Object.keys(r))));
    rows = table.map((r) => columns.map((c) => r[c]));
    index = table.map((_, i) => i);
  } else {
    columns = table.columns;
    const vals = table.values as unknown[];
    rows = vals.map((r) => (Array.isArray(r) ? r : [r]));
    index = table.index;
  }
  const showIndex = opts.showIndex ?? !Array.isArray(table);
  const head = (showIndex ? [""] : []).concat(columns);
  const body = rows.map((r, i) =>
    (showIndex ? [String(index[i])] : []).concat(r.map((v) => formatCell(v, digits))),
  );
  const html =
    `<table class="passk-table">` +
    (opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : "") +
    `<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${body.map((r) => `<tr>${r.map((c) => `<td style="text-align:right">${escapeHtml(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => c.padStart(widths[j])).join("  ");
  const text = [opts.caption ?? "", line(head), ...body.map(line)]
    .filter((l) => l !== "")
    .join("\n");
  return { html, text };
}

/** Show a table (danfojs DataFrame or row objects) as HTML with a text fallback. */
export function showTable(
  table: TableLike | Record<string, unknown>[],
  opts: { digits?: number; caption?: string; showIndex?: boolean } = {},
): void {
  const { html, text } = tableHtml(table, opts);
  displayBundle({ "text/html": html, "text/plain": text });
}

/** An updatable progress line for long simulations. */
export interface Progress {
  /** Set the number of finished units (updates at most ~10 times per second). */
  update(done: number, note?: string): void;
  /** Mark finished. */
  done(note?: string): void;
}

/**
 * A progress display that updates in place (Jupyter update_display_data). Its
 * output is marked volatile so `npm start -- --check` ignores it.
 * Use with the training loop: `train({ ..., onProgress: (i, n) => bar.update(i) })`.
 */
export function progress(label: string, total: number): Progress {
  const id = newDisplayId();
  const metadata = { passk_volatile: true };
  let last = 0;
  const render = (done: number, note?: string) => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const text = `${label} ${bar} ${done}/${total}${note ? ` ${note}` : ""}`;
    return { "text/plain": text, "text/html": `<pre>${escapeHtml(text)}</pre>` };
  };
  if (inKernel()) displayBundle(render(0), metadata, id, false);
  return {
    update(done: number, note?: string) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      if (inKernel()) displayBundle(render(done, note), metadata, id, true);
    },
    done(note?: string) {
      if (inKernel()) displayBundle(render(total, note ?? "done"), metadata, id, true);
    },
  };
}

/** Versions of everything a result depends on, for the first cell of each notebook. */
export function versions(): Record<string, string> {
  const v: Record<string, string> = { node: process.version };
  for (const pkg of [
    "tslab",
    "mathjs",
    "danfojs-node",
    "@tensorflow/tfjs",
    "plotly.js-dist",
    "pure-rand",
  ]) {
    try {
      v[pkg] = (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      v[pkg] = "not installed";
    }
  }
  return v;
}

/**
 * The standard opening of a notebook: records its name for figure metadata and
 * prints the seed, FAST and the versions.
 */
export function notebookHeader(name: string, params: Record<string, unknown>): void {
  setNotebook(name);
  const v = versions();
  const lines = [
    `notebook ${name}`,
    `parameters ${Object.entries(params)
      .map(([k, x]) => `${k}=${JSON.stringify(x)}`)
      .join(" ")}`,
    `versions ${Object.entries(v)
      .map(([k, x]) => `${k} ${x}`)
      .join(", ")}`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
}
