/**
 * The headless notebook runner: executes notebooks in order, each in its own
 * child process (scripts/runner/kernel-child.js driving tslab), and writes the
 * outputs back as nbformat 4.5 — atomically, sources untouched.
 */
import * as path from "path";
import { fork, type ChildProcess } from "child_process";
import { writeFileAtomic } from "../../lib/export/atomicFile";
import { FIGURE_METADATA_KEY, PLOTLY_MIME, type PlotlyFigure } from "../../lib/plots/figure";
import {
  type CodeCell,
  type Notebook,
  type Output,
  ensureCellIds,
  joinSource,
  readNotebook,
  serializeNotebook,
  NotebookFormatError,
} from "./nbformat";
import type { ChildMessage, RunRequest } from "./protocol";
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
  /** Stream output (stdout + stderr) stored per cell, in bytes (default 1 MiB); the rest is
   * counted and replaced by a visible "output truncated" note. */
  maxStreamBytes?: number;
}

/** Largest per-cell timeout: setTimeout fires at once for delays ≥ 2^31 ms. */
export const MAX_CELL_TIMEOUT_SEC = Math.floor((2 ** 31 - 1) / 1000);
/** Default of {@link RunOptions.maxStreamBytes}. */
export const DEFAULT_MAX_STREAM_BYTES = 1 << 20;

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

const CHILD = path.join(__dirname, "kernel-child.js");

/** A kernel child process, started (and warming up) before its notebook is due. */
interface Kernel {
  child: ChildProcess;
  /** Set when the runner itself killed the kernel (timeout, end of notebook, abort). */
  killedByRunner: boolean;
  /** Resolves when the child has warmed its TypeScript converter; rejects if it dies first. */
  ready: Promise<void>;
  /** What the child wrote outside cells (crash messages). */
  output: () => string;
}

/** Live kernels, so an abort can kill every one of them. */
const liveKernels = new Set<Kernel>();

/**
 * Kills a kernel and everything it started: each kernel leads its own process group (so a
 * Ctrl-C at the terminal reaches the runner, not the kernels, and the runner decides).
 */
function killKernel(kernel: Kernel): void {
  kernel.killedByRunner = true;
  liveKernels.delete(kernel);
  const pid = kernel.child.pid;
  try {
    if (pid !== undefined) process.kill(-pid, "SIGKILL");
  } catch {
    kernel.child.kill("SIGKILL");
  }
}

const KEEP_KERNEL_TEXT = 64 * 1024;

function spawnKernel(file: string, opts: RunOptions): Kernel {
  const child = fork(CHILD, [], {
    execArgv: [],
    cwd: path.dirname(file),
    env: {
      ...process.env,
      PASSK_RUNNER: "1",
      PASSK_FAST: opts.fast ? "1" : "0",
      // The kernel's watchdog kills it when this process is gone (kernel-child.js).
      PASSK_RUNNER_PID: String(process.pid),
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    detached: true,
  });
  let text = "";
  // Only the tail is kept (it is shown when the kernel dies).
  const keep = (b: Buffer) => {
    text += b.toString();
    if (text.length > 2 * KEEP_KERNEL_TEXT) text = text.slice(-KEEP_KERNEL_TEXT);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const ready = new Promise<void>((resolve, reject) => {
    child.once("message", (m: ChildMessage) =>
      m.t === "ready" ? resolve() : reject(new Error(`unexpected first message ${m.t}`)),
    );
    child.once("exit", (code, signal) =>
      reject(
        new Error(
          `kernel process exited before it was ready (exit code ${code}, signal ${signal})`,
        ),
      ),
    );
  });
  ready.catch(() => {}); // observed by executeNotebook
  const kernel: Kernel = { child, killedByRunner: false, ready, output: () => text };
  liveKernels.add(kernel);
  child.once("exit", () => liveKernels.delete(kernel));
  return kernel;
}

/** Executes one notebook in its kernel child process; returns the new outputs per code cell. */
async function executeNotebook(
  file: string,
  nb: Notebook,
  opts: RunOptions,
  kernel: Kernel,
): Promise<{
  outputs: Map<number, Output[]>;
  counts: Map<number, number>;
  failure?: { cell: number; message: string; timeout: boolean };
  /** The kernel was killed by a signal the runner did not send (Ctrl-C, OOM killer). */
  killedBySignal?: string;
}> {
  const outputs = new Map<number, Output[]>();
  const counts = new Map<number, number>();
  const byDisplayId = new Map<string, Output & { output_type: "display_data" }>();
  const cells = nb.cells
    .map((c, index) => ({ c, index }))
    .filter(({ c }) => c.cell_type === "code")
    .map(({ c, index }) => ({ index, source: joinSource(c.source) }));
  const timeoutMs = (opts.cellTimeoutSec ?? 600) * 1000;
  const maxStream = opts.maxStreamBytes ?? DEFAULT_MAX_STREAM_BYTES;
  const { child } = kernel;
  let killedBySignal: string | undefined;
  /** Stream bytes stored and dropped per cell. */
  const streamBytes = new Map<number, { kept: number; dropped: number }>();

  let exec = 0;
  let running = -1;
  let timer: NodeJS.Timeout | undefined;
  let failure: { cell: number; message: string; timeout: boolean } | undefined;

  /** Keeps at most maxStream bytes of a cell's stream output (cut at a character boundary). */
  const pushStream = (index: number, name: "stdout" | "stderr", text: string) => {
    const tally = streamBytes.get(index) ?? { kept: 0, dropped: 0 };
    streamBytes.set(index, tally);
    const bytes = Buffer.byteLength(text);
    if (tally.kept + bytes <= maxStream) {
      tally.kept += bytes;
      push(index, { output_type: "stream", name, text });
      return;
    }
    const buf = Buffer.from(text);
    let room = Math.max(0, maxStream - tally.kept);
    while (room > 0 && (buf[room] & 0xc0) === 0x80) room--; // not inside a UTF-8 sequence
    if (room > 0) push(index, { output_type: "stream", name, text: buf.toString("utf8", 0, room) });
    tally.kept += room;
    tally.dropped += bytes - room;
  };
  const noteTruncation = () => {
    for (const [index, { dropped }] of streamBytes) {
      if (dropped === 0) continue;
      push(index, {
        output_type: "stream",
        name: "stderr",
        text:
          `\n[output truncated, ${dropped} bytes not stored: the runner keeps ` +
          `${maxStream} bytes of printed output per cell]\n`,
      });
    }
  };

  const push = (index: number, out: Output) => {
    const list = outputs.get(index) ?? [];
    const last = list[list.length - 1];
    if (out.output_type === "stream" && last?.output_type === "stream" && last.name === out.name) {
      last.text = (last.text as string) + (out.text as string);
    } else {
      list.push(out);
    }
    outputs.set(index, list);
  };

  await new Promise<void>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      noteTruncation();
      killKernel(kernel);
      resolve();
    };
    child.on("message", (m: ChildMessage) => {
      switch (m.t) {
        case "start":
          running = m.index;
          counts.set(m.index, ++exec);
          outputs.set(m.index, []);
          timer = setTimeout(() => {
            failure = {
              cell: m.index + 1,
              message: `cell timed out after ${timeoutMs / 1000} s (kernel killed)`,
              timeout: true,
            };
            push(m.index, {
              output_type: "error",
              ename: "CellTimeoutError",
              evalue: `cell ${m.index + 1} exceeded the per-cell timeout of ${timeoutMs / 1000} s; the kernel was killed`,
              traceback: [`CellTimeoutError: cell ${m.index + 1} exceeded ${timeoutMs / 1000} s`],
            });
            finish();
          }, timeoutMs);
          break;
        case "stream":
          if (m.index >= 0) pushStream(m.index, m.name, m.text);
          break;
        case "display": {
          if (m.index < 0) break;
          const existing = m.displayId ? byDisplayId.get(m.displayId) : undefined;
          if (m.update && existing) {
            existing.data = m.data;
            existing.metadata = m.metadata;
          } else {
            const out = {
              output_type: "display_data" as const,
              data: m.data,
              metadata: m.metadata,
            };
            push(m.index, out);
            if (m.displayId) byDisplayId.set(m.displayId, out);
          }
          break;
        }
        case "end":
          if (timer) clearTimeout(timer);
          if (process.env.PASSK_RUNNER_TIMING === "1")
            process.stderr.write(`  cell ${m.index + 1}: ${m.ms.toFixed(0)} ms\n`);
          running = -1;
          if (!m.ok && m.error) {
            push(m.index, { output_type: "error", ...m.error });
            failure = {
              cell: m.index + 1,
              message: `${m.error.ename}: ${m.error.evalue}`,
              timeout: false,
            };
          }
          break;
        case "done":
          finish();
          break;
      }
    });
    child.on("exit", (code, signal) => {
      if (!finished && signal !== null && !kernel.killedByRunner) {
        // Not a cell failure: someone else killed the kernel. Nothing of this run is stored.
        killedBySignal = signal;
        failure = {
          cell: (running >= 0 ? running : (cells[0]?.index ?? 0)) + 1,
          message: `kernel killed by ${signal} (not by the runner); notebook left unchanged`,
          timeout: false,
        };
        finish();
      } else if (!finished) {
        const at = running >= 0 ? running : (cells[0]?.index ?? 0);
        const tail = kernel.output().trim().split("\n").slice(-15);
        const message = `kernel process died (exit code ${code}, signal ${signal})`;
        push(at, {
          output_type: "error",
          ename: "KernelDied",
          evalue: message,
          traceback: [message, ...tail],
        });
        failure ??= {
          cell: at + 1,
          message: `${message}${tail.length ? `: ${tail[tail.length - 1]}` : ""}`,
          timeout: false,
        };
        finish();
      }
    });
    kernel.ready.then(
      () => child.send({ t: "run", notebook: path.resolve(file), cells } satisfies RunRequest),
      (e: Error) => {
        if (finished) return;
        const signal = kernel.child.signalCode;
        if (signal !== null && !kernel.killedByRunner) {
          killedBySignal = signal;
          failure = {
            cell: (cells[0]?.index ?? 0) + 1,
            message: `kernel killed by ${signal} (not by the runner) before it started; notebook left unchanged`,
            timeout: false,
          };
          finish();
          return;
        }
        const at = cells[0]?.index ?? 0;
        const tail = kernel.output().trim().split("\n").slice(-15);
        push(at, {
          output_type: "error",
          ename: "KernelDied",
          evalue: e.message,
          traceback: [e.message, ...tail],
        });
        failure = { cell: at + 1, message: e.message, timeout: false };
        finish();
      },
    );
  });
  return { outputs, counts, failure, killedBySignal };
}

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
  const write = opts.check ? false : (opts.write ?? true);
  const results: NotebookResult[] = [];
  let renderer: Renderer | null | undefined;
  const ownsRenderer = opts.getRenderer === undefined;
  const openOwn = async (): Promise<Renderer | null> => {
    if (renderer !== undefined) return renderer;
    try {
      const { openRenderer } = await import("../../lib/export/render");
      renderer = await openRenderer();
    } catch (e) {
      log(`  note: static figure rendering unavailable (${(e as Error).message})`);
      renderer = null;
    }
    if (renderer === null)
      log(
        "  note: no Chromium found: figures keep only the interactive Plotly output (apt-get install -y chromium adds PNGs)",
      );
    return renderer;
  };
  const getRenderer = opts.getRenderer ?? openOwn;
  const timeoutSec = opts.cellTimeoutSec ?? 600;
  if (!(timeoutSec > 0 && timeoutSec <= MAX_CELL_TIMEOUT_SEC))
    throw new RangeError(
      `runNotebooks: cellTimeoutSec must be in (0, ${MAX_CELL_TIMEOUT_SEC}] s, got ${timeoutSec}`,
    );
  const aborted = () => opts.signal?.aborted === true;
  const onAbort = () => {
    for (const k of [...liveKernels]) killKernel(k);
  };
  opts.signal?.addEventListener("abort", onAbort);

  // The next notebook's kernel starts while the current one runs (its ≈ 1.5 s warm-up overlaps).
  let nextKernel: Kernel | undefined;
  try {
    for (let i = 0; i < opts.notebooks.length && !aborted(); i++) {
      const file = opts.notebooks[i];
      const kernel = nextKernel ?? spawnKernel(file, opts);
      nextKernel =
        i + 1 < opts.notebooks.length ? spawnKernel(opts.notebooks[i + 1], opts) : undefined;
      const name = path.basename(file);
      const t0 = performance.now();
      let nb: Notebook;
      try {
        nb = readNotebook(file);
      } catch (e) {
        const message =
          e instanceof NotebookFormatError ? e.message : `${file}: ${(e as Error).message}`;
        log(`✗ ${name}: ${message}`);
        results.push({
          notebook: name,
          cells: 0,
          executed: 0,
          seconds: 0,
          status: "invalid",
          figureIds: [],
          failure: { cell: 0, message },
        });
        killKernel(kernel);
        continue;
      }
      const committed = JSON.parse(JSON.stringify(nb)) as Notebook;
      log(`▶ ${name}`);
      const { outputs, counts, failure, killedBySignal } = await executeNotebook(
        file,
        nb,
        opts,
        kernel,
      );
      if (aborted() || killedBySignal !== undefined) {
        // An interrupt is not a cell failure: nothing of this run is written.
        const status = aborted() ? "aborted" : "unwritten";
        const message = aborted()
          ? "run interrupted; notebook left unchanged"
          : (failure?.message ?? "kernel killed");
        log(`✗ ${name}: ${message}`);
        results.push({
          notebook: name,
          cells: nb.cells.filter((c) => c.cell_type === "code").length,
          executed: counts.size,
          seconds: (performance.now() - t0) / 1000,
          status,
          figureIds: figureIds(committed),
          failure: { cell: failure?.cell ?? 0, message },
        });
        continue;
      }
      // Cells that did not run (after a failure) keep their committed outputs, as in Jupyter.
      for (let i = 0; i < nb.cells.length; i++) {
        const cell = nb.cells[i];
        if (cell.cell_type !== "code" || !counts.has(i)) continue;
        (cell as CodeCell).outputs = (outputs.get(i) ?? []).map(normaliseOutput);
        (cell as CodeCell).execution_count = counts.get(i) ?? null;
      }
      ensureCellIds(nb);
      const seconds = (performance.now() - t0) / 1000;
      const result: NotebookResult = {
        notebook: name,
        cells: nb.cells.filter((c) => c.cell_type === "code").length,
        executed: counts.size,
        seconds,
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
        if (opts.png !== false) await addPngs(nb, getRenderer, log);
        keepCommittedPngs(nb, committed);
        if (aborted()) {
          log(`✗ ${name}: run interrupted; notebook left unchanged`);
          result.status = "aborted";
          results.push(result);
          break;
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
      results.push(result);
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    if (nextKernel) killKernel(nextKernel);
    if (renderer && ownsRenderer) await renderer.close();
  }
  return results;
}
