/**
 * The headless notebook runner: executes notebooks in order, each in its own
 * child process (scripts/runner/kernel-child.js driving tslab), and writes the
 * outputs back as nbformat 4.5 — atomically, sources untouched.
 */
import * as os from "os";
import * as path from "path";
import { writeFileAtomic } from "../../lib/export/atomicFile";
import { FIGURE_METADATA_KEY, PLOTLY_MIME, type PlotlyFigure } from "../../lib/plots/figure";
import {
  type CodeCell,
  type Notebook,
  ensureCellIds,
  readNotebook,
  serializeNotebook,
  NotebookFormatError,
} from "./nbformat";
import type { LibView } from "./protocol";
import { executeNotebook, killKernel, liveKernels, spawnKernel, type Kernel } from "./kernel";
import { startLibView } from "./start-lib-view";
import { snapshotProblem } from "./kernel-snapshot";
import type { Renderer } from "../../lib/export/render";

export interface RunOptions {
  /** Notebook files to run (absolute or relative paths), in order. */
  notebooks: string[];
  /** Sets PASSK_FAST=1 for the kernels: notebooks shrink their simulations. */
  fast?: boolean;
  /** Execute into a temp copy and compare text/numeric outputs with the committed ones. */
  check?: boolean;
  /** Write outputs back into the .ipynb files (default true unless check). */
  write?: boolean;
  /** Per-cell timeout in seconds (default 600). */
  cellTimeoutSec?: number;
  /** Add an image/png to each figure output (needs Chromium; skipped with a note if absent). */
  png?: boolean;
  /**
   * Supplies the renderer for the PNGs, opened on first use and left open (the caller
   * shares it, e.g. with the figure export). Default: open one when needed, close at the end.
   */
  getRenderer?: () => Promise<Renderer | null>;
  /** Where progress lines go (default process.stderr). */
  log?: (line: string) => void;
  /**
   * Aborts the run (the CLI aborts it on SIGINT/SIGTERM): the kernels are killed, and no
   * notebook is written from then on; the results end with the notebook that was running.
   */
  signal?: AbortSignal;
  /**
   * Notebooks executed at the same time (default: 2, or 1 on a one-core machine). Results and
   * progress lines come in the notebooks' order whatever the order they finish in.
   */
  jobs?: number;
  /**
   * Called as each notebook finishes (in the order they finish, which with `jobs` > 1 need not
   * be reading order), after its file was written; `npm start` starts exporting its figures.
   */
  onNotebookDone?: (result: NotebookResult, file: string) => void;
  /** Stream output (stdout + stderr) stored per cell, in bytes (default 1 MiB); the rest is
   * counted and replaced by a visible "output truncated" note. */
  maxStreamBytes?: number;
}

/** Largest per-cell timeout: setTimeout fires at once for delays ≥ 2^31 ms. */
export const MAX_CELL_TIMEOUT_SEC = Math.floor((2 ** 31 - 1) / 1000);

/** Default of {@link RunOptions.jobs}: two notebooks at a time where there are two cores. */
export const DEFAULT_JOBS = Math.min(2, os.availableParallelism());

export { DEFAULT_MAX_STREAM_BYTES } from "./kernel";

export type NotebookStatus =
  "ok" | "error" | "timeout" | "invalid" | "differs" | "aborted" | "unwritten";

export interface NotebookResult {
  notebook: string;
  cells: number;
  executed: number;
  seconds: number;
  status: NotebookStatus;
  /** Ids of the figures the notebook showed (its outputs with FigureInfo metadata), in order. */
  figureIds: string[];
  /** 1-based cell number and message of the failure, if any. */
  failure?: { cell: number; message: string };
  /** --check: cells (1-based) whose text outputs differ, with a short description. */
  differences?: { cell: number; detail: string }[];
}

import {
  comparableOutputs,
  figureIds,
  firstDifference,
  keepCommittedPngs,
  normaliseOutput,
} from "./outputs";

export { comparableOutputs, discoverNotebooks, formatTable } from "./outputs";

/**
 * Adds image/png (static fallback for GitHub / nbconvert) to every figure output that lacks one.
 */
async function addPngs(
  nb: Notebook,
  getRenderer: () => Promise<Renderer | null>,
  log: (s: string) => void,
): Promise<void> {
  for (const c of nb.cells) {
    if (c.cell_type !== "code") continue;
    for (const o of c.outputs) {
      if (o.output_type !== "display_data" || !o.data[PLOTLY_MIME] || o.data["image/png"]) continue;
      const r = await getRenderer();
      if (!r) return;
      const fig = o.data[PLOTLY_MIME] as PlotlyFigure;
      try {
        const id = (o.metadata?.[FIGURE_METADATA_KEY] as { id?: string } | undefined)?.id;
        const png = await r.toImage(fig, { format: "png", scale: 1, id });
        o.data["image/png"] = png.toString("base64");
      } catch (e) {
        const id = (o.metadata?.[FIGURE_METADATA_KEY] as { id?: string } | undefined)?.id ?? "?";
        log(`  warning: could not render PNG for figure ${id}: ${(e as Error).message}`);
      }
    }
  }
}

export async function runNotebooks(opts: RunOptions): Promise<NotebookResult[]> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  let renderer: Promise<Renderer | null> | undefined;
  const ownsRenderer = opts.getRenderer === undefined;
  const openOwn = (): Promise<Renderer | null> =>
    (renderer ??= (async () => {
      let r: Renderer | null;
      try {
        const { openRenderer } = await import("../../lib/export/render");
        r = await openRenderer();
      } catch (e) {
        log(`  note: static figure rendering unavailable (${(e as Error).message})`);
        r = null;
      }
      if (r === null)
        log(
          "  note: no Chromium found: figures keep only the interactive Plotly output (apt-get install -y chromium adds PNGs)",
        );
      return r;
    })());
  const getRenderer = opts.getRenderer ?? openOwn;
  const timeoutSec = opts.cellTimeoutSec ?? 600;
  if (!(timeoutSec > 0 && timeoutSec <= MAX_CELL_TIMEOUT_SEC))
    throw new RangeError(
      `runNotebooks: cellTimeoutSec must be in (0, ${MAX_CELL_TIMEOUT_SEC}] s, got ${timeoutSec}`,
    );
  const n = opts.notebooks.length;
  const jobs = Math.max(1, Math.min(opts.jobs ?? DEFAULT_JOBS, n));
  if (!Number.isInteger(jobs)) throw new RangeError(`runNotebooks: jobs must be an integer ≥ 1`);
  const aborted = () => opts.signal?.aborted === true;
  const onAbort = () => {
    for (const k of [...liveKernels]) killKernel(k);
  };
  opts.signal?.addEventListener("abort", onAbort);
  const lib = startLibView(opts.notebooks, log);
  const snapshotFailed = snapshotProblem();
  if (snapshotFailed !== undefined)
    log(`  note: kernels start without their startup snapshot (${snapshotFailed})`);

  // Kernels start before their notebook is due (their ≈ 2 s warm-up overlaps running notebooks).
  const started = new Map<number, Kernel>();
  const prestart = (i: number) => {
    if (i < n && !started.has(i) && !aborted())
      started.set(i, spawnKernel(opts.notebooks[i], opts));
  };
  // Output order is the notebooks' order: a notebook's lines wait until those before it are done.
  const lines: string[][] = opts.notebooks.map(() => []);
  const finished: boolean[] = opts.notebooks.map(() => false);
  let head = 0;
  const logFor = (i: number) => (line: string) => (i === head ? log(line) : lines[i].push(line));
  const flush = (i: number) => {
    finished[i] = true;
    while (head < n && finished[head]) {
      head++;
      if (head < n) for (const line of lines[head].splice(0)) log(line);
    }
  };
  const results: (NotebookResult | undefined)[] = opts.notebooks.map(() => undefined);
  let next = 0;
  const worker = async () => {
    while (!aborted() && next < n) {
      const i = next++;
      const kernel = started.get(i) ?? spawnKernel(opts.notebooks[i], opts);
      started.delete(i);
      prestart(next);
      results[i] = await runOne(opts.notebooks[i], kernel, lib.view, opts, {
        log: logFor(i),
        getRenderer,
        aborted,
      });
      flush(i);
      opts.onNotebookDone?.(results[i]!, opts.notebooks[i]);
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    for (const i of finished.keys()) if (!finished[i]) flush(i);
    opts.signal?.removeEventListener("abort", onAbort);
    for (const k of started.values()) killKernel(k);
    lib.dispose();
    if (renderer && ownsRenderer) await (await renderer)?.close();
  }
  return results.filter((r): r is NotebookResult => r !== undefined);
}

/** Runs one notebook in its kernel: execute, compare (--check), add PNGs, write. */
async function runOne(
  file: string,
  kernel: Kernel,
  libView: Promise<LibView | undefined>,
  opts: RunOptions,
  ctx: {
    log: (line: string) => void;
    getRenderer: () => Promise<Renderer | null>;
    aborted: () => boolean;
  },
): Promise<NotebookResult> {
  const { log, aborted } = ctx;
  const write = opts.check ? false : (opts.write ?? true);
  const name = path.basename(file);
  const t0 = performance.now();
  let nb: Notebook;
  try {
    nb = readNotebook(file);
  } catch (e) {
    const message =
      e instanceof NotebookFormatError ? e.message : `${file}: ${(e as Error).message}`;
    log(`✗ ${name}: ${message}`);
    killKernel(kernel);
    return {
      notebook: name,
      cells: 0,
      executed: 0,
      seconds: 0,
      status: "invalid",
      figureIds: [],
      failure: { cell: 0, message },
    };
  }
  const committed = JSON.parse(JSON.stringify(nb)) as Notebook;
  log(`▶ ${name}`);
  const { outputs, counts, failure, killedBySignal } = await executeNotebook(
    file,
    nb,
    opts,
    kernel,
    libView,
  );
  const cells = nb.cells.filter((c) => c.cell_type === "code").length;
  if (aborted() || killedBySignal !== undefined) {
    // An interrupt is not a cell failure: nothing of this run is written.
    const message = aborted()
      ? "run interrupted; notebook left unchanged"
      : (failure?.message ?? "kernel killed");
    log(`✗ ${name}: ${message}`);
    return {
      notebook: name,
      cells,
      executed: counts.size,
      seconds: (performance.now() - t0) / 1000,
      status: aborted() ? "aborted" : "unwritten",
      figureIds: figureIds(committed),
      failure: { cell: failure?.cell ?? 0, message },
    };
  }
  // Cells that did not run (after a failure) keep their committed outputs, as in Jupyter.
  for (let i = 0; i < nb.cells.length; i++) {
    const cell = nb.cells[i];
    if (cell.cell_type !== "code" || !counts.has(i)) continue;
    (cell as CodeCell).outputs = (outputs.get(i) ?? []).map(normaliseOutput);
    (cell as CodeCell).execution_count = counts.get(i) ?? null;
  }
  ensureCellIds(nb);
  const result: NotebookResult = {
    notebook: name,
    cells,
    executed: counts.size,
    seconds: (performance.now() - t0) / 1000,
    status: failure ? (failure.timeout ? "timeout" : "error") : "ok",
    figureIds: figureIds(nb),
  };
  if (failure) {
    result.failure = { cell: failure.cell, message: failure.message };
    log(`✗ ${name}: cell ${failure.cell}: ${failure.message}`);
  }
  if (opts.check && !failure) {
    const diffs: { cell: number; detail: string }[] = [];
    nb.cells.forEach((cell, i) => {
      if (cell.cell_type !== "code") return;
      const before = comparableOutputs((committed.cells[i] as CodeCell).outputs ?? []);
      const after = comparableOutputs((cell as CodeCell).outputs);
      if (JSON.stringify(before) !== JSON.stringify(after))
        diffs.push({ cell: i + 1, detail: firstDifference(before, after) });
    });
    if (diffs.length) {
      result.status = "differs";
      result.differences = diffs;
      for (const d of diffs) log(`  ≠ ${name} cell ${d.cell}: ${d.detail}`);
    }
  }
  if (write) {
    // First the committed PNG of every figure whose Plotly data is unchanged (Chromium's
    // anti-aliasing is not byte-stable, so re-rendering would leave a diff in git after every
    // run), then a render for the figures that changed or are new.
    keepCommittedPngs(nb, committed);
    if (opts.png !== false) await addPngs(nb, ctx.getRenderer, log);
    if (aborted()) {
      log(`✗ ${name}: run interrupted; notebook left unchanged`);
      result.status = "aborted";
      return result;
    }
    try {
      writeFileAtomic(file, serializeNotebook(nb));
    } catch (e) {
      const message = `cannot write ${file}: ${(e as Error).message}`;
      log(`✗ ${name}: ${message}`);
      result.status = "unwritten";
      result.failure ??= { cell: 0, message };
    }
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
