/**
 * A notebook's kernel, seen from the runner: the child process (scripts/runner/kernel-child.js
 * driving tslab) and the protocol that executes a notebook in it, cell by cell, with the per-cell
 * timeout, the stream cap and the ways a kernel can die (split from run.ts).
 */
import * as path from "path";
import { fork, type ChildProcess } from "child_process";
import { joinSource, type Notebook, type Output } from "./nbformat";
import { snapshotExecArgv } from "./kernel-snapshot";
import type { ChildMessage, LibView, RunRequest } from "./protocol";

/** Default of {@link KernelOptions.maxStreamBytes}. */
export const DEFAULT_MAX_STREAM_BYTES = 1 << 20;

/** What a kernel needs of the run's options (see RunOptions in run.ts). */
export interface KernelOptions {
  fast?: boolean;
  cellTimeoutSec?: number;
  maxStreamBytes?: number;
}

const CHILD = path.join(__dirname, "kernel-child.js");

/** A kernel child process, started (and warming up) before its notebook is due. */
export interface Kernel {
  child: ChildProcess;
  /** Set when the runner itself killed the kernel (timeout, end of notebook, abort). */
  killedByRunner: boolean;
  /** Resolves when the child has warmed its TypeScript converter; rejects if it dies first. */
  ready: Promise<void>;
  /** What the child wrote outside cells (crash messages). */
  output: () => string;
  /**
   * Once ready: the declaration files the kernel took parsed from the startup snapshot
   * (kernel-snapshot.js); undefined when it started without one.
   */
  snapshotHits?: number;
}

/** Live kernels, so an abort can kill every one of them. */
export const liveKernels = new Set<Kernel>();

/**
 * Kills a kernel and everything it started: each kernel leads its own process group (so a
 * Ctrl-C at the terminal reaches the runner, not the kernels, and the runner decides).
 */
export function killKernel(kernel: Kernel): void {
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

export function spawnKernel(file: string, opts: KernelOptions): Kernel {
  const child = fork(CHILD, [], {
    // The startup snapshot (TypeScript and package declarations already parsed), when built.
    execArgv: snapshotExecArgv(),
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
    child.once("message", (m: ChildMessage) => {
      if (m.t !== "ready") return reject(new Error(`unexpected first message ${m.t}`));
      kernel.snapshotHits = m.snapshotHits;
      resolve();
    });
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

/**
 * Executes one notebook in its kernel child process; returns the new outputs per code cell.
 * `libView` (awaited with the kernel's warm-up) is the declaration view of lib/ for the kernel.
 */
export async function executeNotebook(
  file: string,
  nb: Notebook,
  opts: KernelOptions,
  kernel: Kernel,
  libView?: Promise<LibView | undefined>,
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
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
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
    };
    // A pre-started kernel may have died (killed by a signal) before its notebook was due.
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    child.on("exit", onExit);
    Promise.all([kernel.ready, libView]).then(
      ([, view]) => {
        if (finished) return;
        if (exited()) return onExit(child.exitCode, child.signalCode);
        // A kernel dying from here on is reported by the "exit" handler, not by send.
        if (!child.connected) return;
        child.send(
          { t: "run", notebook: path.resolve(file), cells, libView: view } satisfies RunRequest,
          () => {},
        );
      },
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
