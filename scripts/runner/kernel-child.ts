/**
 * One notebook's kernel: drives tslab's own converter + executor in this process
 * (the same code path as the tslab Jupyter kernel, minus ZeroMQ) and reports
 * streams, displays and errors to the parent runner over IPC.
 *
 * One child per notebook: tslab executes in the host's global context, so a fresh
 * process gives each notebook a clean state, and the parent can kill a hung cell.
 */
import * as path from "path";
import * as util from "util";
import type { ChildMessage, RunRequest, CellError } from "./protocol";

// tslab internals (pinned exactly in package.json; tests/runner.test.ts guards the contract).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { createConverter } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { createExecutor } = require("tslab/dist/executor") as typeof import("tslab/dist/executor");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const jupyter = require("tslab/dist/jupyter") as {
  lastWriteDisplayData:
    | ((d: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient?: { display_id?: string } }, update: boolean) => void)
    | null;
};

function send(msg: ChildMessage): void {
  process.send!(msg);
}

let current = -1;
const realStdout = process.stdout.write.bind(process.stdout);
const realStderr = process.stderr.write.bind(process.stderr);

function captureWrite(name: "stdout" | "stderr") {
  return (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    if (current >= 0) send({ t: "stream", index: current, name, text });
    else (name === "stdout" ? realStdout : realStderr)(text);
    const callback = typeof encoding === "function" ? encoding : cb;
    if (typeof callback === "function") callback();
    return true;
  };
}

/** Turn what tslab's executor passes to console.error into a Jupyter error record. */
function toCellError(args: unknown[]): CellError {
  const [first] = args;
  if (typeof first === "string" && first.startsWith("%s%d:%d - %s")) {
    // A TypeScript diagnostic: (fileName, line, col, message).
    const [, file, line, col, message] = args as [string, string, number, number, string];
    const where = file ? `${file} ${line}:${col}` : `line ${line}:${col}`;
    return { ename: "TypeScriptError", evalue: `${where} - ${message}`, traceback: [`TypeScriptError: ${where} - ${message}`] };
  }
  if (first instanceof Error || (first && typeof first === "object" && "stack" in (first as object))) {
    const e = first as Error;
    const stack = (e.stack ?? `${e.name}: ${e.message}`).split("\n");
    return { ename: e.name || "Error", evalue: e.message ?? String(e), traceback: stack };
  }
  const text = util.format(...args);
  return { ename: "Error", evalue: text, traceback: [text] };
}

async function main(req: RunRequest): Promise<void> {
  process.chdir(path.dirname(req.notebook));
  process.stdout.write = captureWrite("stdout") as typeof process.stdout.write;
  process.stderr.write = captureWrite("stderr") as typeof process.stderr.write;

  let nodeConv: ReturnType<typeof createConverter> | undefined;
  let browserConv: ReturnType<typeof createConverter> | undefined;
  const convs = {
    get node() {
      return (nodeConv ??= createConverter({ isJS: false, isBrowser: false }));
    },
    get browser() {
      return (browserConv ??= createConverter({ isJS: false, isBrowser: true }));
    },
    close() {
      nodeConv?.close();
      browserConv?.close();
    },
  };

  convs.node; // warm the TypeScript converter (several hundred ms) before the first cell's clock starts
  let errors: CellError[] = [];
  const executor = createExecutor(process.cwd(), convs, {
    log: (...args: unknown[]) => process.stdout.write(util.format(...args) + "\n"),
    error: (...args: unknown[]) => {
      errors.push(toCellError(args));
    },
  });

  jupyter.lastWriteDisplayData = (d, update) => {
    send({
      t: "display",
      index: current,
      data: d.data,
      metadata: d.metadata ?? {},
      displayId: d.transient?.display_id,
      update,
    });
  };
  process.on("unhandledRejection", (reason) => {
    process.stderr.write(`UnhandledPromiseRejection: ${util.inspect(reason)}\n`);
  });
  process.on("uncaughtException", (err) => {
    process.stderr.write(`UncaughtException: ${err.stack ?? String(err)}\n`);
  });

  for (const cell of req.cells) {
    current = cell.index;
    errors = [];
    send({ t: "start", index: cell.index });
    const t0 = performance.now();
    let ok: boolean;
    try {
      ok = await executor.execute(cell.source);
    } catch (e) {
      errors.push(toCellError([e]));
      ok = false;
    }
    const ms = performance.now() - t0;
    if (!ok) {
      const error: CellError =
        errors.length <= 1
          ? errors[0] ?? { ename: "Error", evalue: "cell failed", traceback: [] }
          : {
              ename: errors[0].ename,
              evalue: errors.map((e) => e.evalue).join("\n"),
              traceback: errors.flatMap((e) => e.traceback),
            };
      send({ t: "end", index: cell.index, ok: false, error, ms });
      break; // like nbconvert: stop the notebook at the first failing cell
    }
    send({ t: "end", index: cell.index, ok: true, ms });
  }
  current = -1;
  send({ t: "done" });
  convs.close();
  // Cells may leave timers, workers or browsers behind: the parent kills this
  // process once it has received "done" (exiting here could drop queued IPC messages).
}

process.on("disconnect", () => process.exit(0));

process.once("message", (req: RunRequest) => {
  main(req).catch((e) => {
    realStderr(`kernel-child: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
});
send({ t: "ready" });
