/**
 * One notebook's kernel: drives tslab's own converter + executor in this process
 * (the same code path as the tslab Jupyter kernel, minus ZeroMQ) and reports
 * streams, displays and errors to the parent runner over IPC.
 *
 * One child per notebook: tslab executes in the host's global context, so a fresh
 * process gives each notebook a clean state, and the parent can kill a hung cell.
 */
// @ts-check
// Plain JavaScript (type-checked by tsc through JSDoc), so the child starts without
// a TypeScript loader: that saves ~0.8 s per notebook. tslab compiles the notebook
// and the lib/ modules it imports itself.
"use strict";
const path = require("path");
const util = require("util");

/** @typedef {import("./protocol").ChildMessage} ChildMessage */
/** @typedef {import("./protocol").RunRequest} RunRequest */
/** @typedef {import("./protocol").CellError} CellError */

// Started with `--snapshot-blob` (kernel-snapshot.js, snapshot-adopt.js): TypeScript and the
// package declarations come parsed from the snapshot. Must run before anything requires TypeScript.
const snapshot = require("./snapshot-adopt");
snapshot.adopt();

// tslab internals (pinned exactly in package.json; tests/runner.test.ts guards the contract).
/** @type {typeof import("tslab/dist/converter")} */
const { createConverter } = require("tslab/dist/converter");
/** @type {typeof import("tslab/dist/executor")} */
const { createExecutor } = require("tslab/dist/executor");
/**
 * @type {{ lastWriteDisplayData: null | ((d: { data: Record<string, unknown>; metadata:
 * Record<string, unknown>; transient?: { display_id?: string } }, update: boolean) => void) }}
 */
const jupyter = /** @type {any} */ (require("tslab/dist/jupyter"));

/** @param {ChildMessage} msg */
function send(msg) {
  /** @type {NonNullable<typeof process.send>} */ (process.send)(msg);
}

let current = -1;
const realStdout = process.stdout.write.bind(process.stdout);
const realStderr = process.stderr.write.bind(process.stderr);

/** @param {"stdout" | "stderr"} name */
function captureWrite(name) {
  /** @type {(chunk: unknown, encoding?: unknown, cb?: unknown) => boolean} */
  return (chunk, encoding, cb) => {
    const text =
      typeof chunk === "string"
        ? chunk
        : Buffer.from(/** @type {Uint8Array} */ (chunk)).toString("utf8");
    if (current >= 0) send({ t: "stream", index: current, name, text });
    else (name === "stdout" ? realStdout : realStderr)(text);
    const callback = typeof encoding === "function" ? encoding : cb;
    if (typeof callback === "function") callback();
    return true;
  };
}

/** Turn what tslab's executor passes to console.error into a Jupyter error record. */
/**
 * @param {unknown[]} args
 * @returns {CellError}
 */
function toCellError(args) {
  const [first] = args;
  if (typeof first === "string" && first.startsWith("%s%d:%d - %s")) {
    // A TypeScript diagnostic: (fileName, line, col, message).
    const [, file, line, col, message] = /** @type {[string, string, number, number, string]} */ (
      args
    );
    const where = file ? `${file} ${line}:${col}` : `line ${line}:${col}`;
    return {
      ename: "TypeScriptError",
      evalue: `${where} - ${message}`,
      traceback: [`TypeScriptError: ${where} - ${message}`],
    };
  }
  if (first instanceof Error || (first && typeof first === "object" && "stack" in first)) {
    const e = /** @type {Error} */ (first);
    const stack = (e.stack ?? `${e.name}: ${e.message}`).split("\n");
    return { ename: e.name || "Error", evalue: e.message ?? String(e), traceback: stack };
  }
  const text = util.format(...args);
  return { ename: "Error", evalue: text, traceback: [text] };
}

/** @type {ReturnType<typeof createConverter> | undefined} */
let nodeConv;
/** @type {ReturnType<typeof createConverter> | undefined} */
let browserConv;
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

/** @param {RunRequest} req */
async function main(req) {
  process.chdir(path.dirname(req.notebook));
  // The type checker reads lib's declarations instead of its sources; lib runs through tsx.
  if (req.libView) require("./lib-view").useDeclarationView(req.libView);
  process.stdout.write = /** @type {typeof process.stdout.write} */ (captureWrite("stdout"));
  process.stderr.write = /** @type {typeof process.stderr.write} */ (captureWrite("stderr"));

  /** @type {CellError[]} */
  let errors = [];
  const executor = createExecutor(process.cwd(), convs, {
    log: (/** @type {unknown[]} */ ...args) => process.stdout.write(util.format(...args) + "\n"),
    error: (/** @type {unknown[]} */ ...args) => {
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
  // An error thrown in a callback (setTimeout, an event) after the cell's code returned is
  // still the notebook's error: it fails the cell that is running when it arrives.
  /** @type {CellError[]} */
  let uncaught = [];
  process.on("unhandledRejection", (reason) => {
    if (current < 0) realStderr(`UnhandledPromiseRejection: ${util.inspect(reason)}\n`);
    else uncaught.push(toCellError([reason instanceof Error ? reason : util.inspect(reason)]));
  });
  process.on("uncaughtException", (err) => {
    if (current < 0) realStderr(`UncaughtException: ${err.stack ?? String(err)}\n`);
    else uncaught.push(toCellError([err]));
  });

  for (const cell of req.cells) {
    current = cell.index;
    errors = [];
    send({ t: "start", index: cell.index });
    const t0 = performance.now();
    let ok;
    try {
      ok = await executor.execute(cell.source);
    } catch (e) {
      errors.push(toCellError([e]));
      ok = false;
    }
    // Let callbacks the cell scheduled for "now" (setTimeout 0, setImmediate) run first.
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (uncaught.length > 0) {
      errors.push(
        ...uncaught.map((e) => ({ ...e, evalue: `${e.evalue} (uncaught, in a callback)` })),
      );
      uncaught = [];
      ok = false;
    }
    const ms = performance.now() - t0;
    if (!ok && errors.some((e) => /interrupted by `SIGINT`/.test(e.evalue))) {
      // tslab runs cells with breakOnSigint, which turns a SIGINT into a cell error. It is an
      // interrupt, not a failure of the cell: die of it, so the runner keeps the notebook as is.
      process.removeAllListeners("SIGINT");
      process.kill(process.pid, "SIGINT");
      return;
    }
    if (!ok) {
      /** @type {CellError} */
      const error =
        errors.length <= 1
          ? (errors[0] ?? { ename: "Error", evalue: "cell failed", traceback: [] })
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

/**
 * Watchdog: the kernel dies with the runner in every case, also when the runner is killed by
 * SIGKILL (OOM killer, job manager) and cannot clean up, and also while a cell keeps this
 * thread busy (`while (true) {}` never lets a "disconnect" event run). A worker thread has its
 * own event loop: it polls the parent pid and kills this kernel's process group (the runner
 * starts each kernel as a group leader, so anything a cell spawned goes too).
 */
function startWatchdog() {
  const expected = Number(process.env.PASSK_RUNNER_PID);
  if (!Number.isInteger(expected) || expected <= 0) return;
  const { Worker } = require("worker_threads");
  const code = `
    const expected = ${expected};
    const kill = () => {
      try { process.kill(-${process.pid}, "SIGKILL"); } catch {}
      process.kill(${process.pid}, "SIGKILL");
    };
    const check = () => { if (process.ppid !== expected) kill(); };
    check();
    setInterval(check, 200);
  `;
  new Worker(code, { eval: true }).unref();
}
startWatchdog();

process.once("message", (/** @type {RunRequest} */ req) => {
  main(req).catch((e) => {
    realStderr(`kernel-child: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
});
// Warm the TypeScript converter (≈ 1.5 s of CPU; ≈ 0.7 s on the startup snapshot) before saying
// ready: the runner starts the next notebook's kernel while the current one runs, so this
// overlaps with real work.
void convs.node;
send(snapshot.stats.adopted ? { t: "ready", snapshotHits: snapshot.stats.hits } : { t: "ready" });
