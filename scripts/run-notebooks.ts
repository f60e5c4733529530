/**
 * `npm start [-- NAME...] [--fast] [--check] [--timeout SEC] [--no-write] [--no-png] [--jobs N]`
 *
 * Executes every notebook in notebooks/ in reading order (or those whose file name matches
 * NAME), each in its own tslab child process, writes the outputs back atomically, and prints a
 * summary table. Each notebook's figures are exported to figures/ as soon as it is written
 * (scripts/figureExport.ts), beside the notebooks still running; at the end exportFigures
 * (scripts/figures.ts) reuses them and writes figures/INDEX.md once. Exit code 1 if any cell
 * failed, a notebook was malformed, or (--check) outputs differ from the committed ones.
 *
 * Ctrl-C (SIGINT) or SIGTERM stops the run: the kernels are killed and no file is written from
 * then on (the notebook that was running keeps its committed outputs; no figure file, no
 * INDEX.md); exit 130 / 143. A second signal exits at once. Kernels also die if this process
 * is killed outright (their watchdog).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import {
  discoverNotebooks,
  formatTable,
  runNotebooks,
  DEFAULT_JOBS,
  MAX_CELL_TIMEOUT_SEC,
} from "./runner/run";
import type { Renderer } from "../lib/export/render";
import type { EarlyExport } from "./figureExport";

const USAGE = `usage: npm start -- [NAME...] [--fast] [--check] [--timeout SEC] [--no-write] [--no-png] [--dir DIR]
  NAME         run only notebooks whose file name starts with / contains NAME (e.g. 03)
  --fast       set FAST for the notebooks (small simulations; what npm test uses)
  --check      execute without writing and report cells whose text/numeric outputs
               differ from the committed ones (images not compared); exit 1 if any
  --timeout S  per-cell timeout in seconds (default 600); a hung cell is killed and reported
  --no-write   execute only; leave the .ipynb files untouched
  --no-png     do not add static PNG renderings of figures to the outputs
  --no-figures do not export the executed notebooks' figures to figures/
  --dir DIR    notebook folder (default notebooks/)
  --jobs N     notebooks executed at the same time (default ${DEFAULT_JOBS}); output stays in order`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        fast: { type: "boolean", default: false },
        check: { type: "boolean", default: false },
        timeout: { type: "string", default: "600" },
        jobs: { type: "string", default: String(DEFAULT_JOBS) },
        "no-write": { type: "boolean", default: false },
        "no-png": { type: "boolean", default: false },
        "no-figures": { type: "boolean", default: false },
        dir: { type: "string", default: path.join(__dirname, "..", "notebooks") },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const timeout = Number(args.values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_CELL_TIMEOUT_SEC) {
    process.stderr.write(
      `--timeout must be a number of seconds in (0, ${MAX_CELL_TIMEOUT_SEC}], got ${JSON.stringify(args.values.timeout)}\n`,
    );
    return 2;
  }
  const jobs = Number(args.values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    process.stderr.write(
      `--jobs must be a whole number ≥ 1, got ${JSON.stringify(args.values.jobs)}\n`,
    );
    return 2;
  }
  const dir = args.values.dir!;
  let isDir = false;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) {
    process.stderr.write(`error: --dir ${dir}: no such folder\n`);
    return 2;
  }
  const wantsWrite = !args.values.check && !args.values["no-write"];
  if (wantsWrite) {
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      process.stderr.write(
        `error: --dir ${dir}: folder is not writable (run with --no-write or --check to execute only)\n`,
      );
      return 1;
    }
  }
  const notebooks = discoverNotebooks(dir, args.positionals);
  if (notebooks.length === 0) {
    process.stderr.write(
      `no notebooks matched ${args.positionals.join(", ") || "*.ipynb"} in ${args.values.dir}\n`,
    );
    return 1;
  }
  const t0 = performance.now();
  const wrote = !args.values.check && !args.values["no-write"];
  // One Chromium, started on first need, for the notebooks' PNGs and the figure export.
  let opened: Promise<Renderer | null> | undefined;
  const getRenderer = (): Promise<Renderer | null> =>
    (opened ??= import("../lib/export/render")
      .then(({ openRenderer }) => openRenderer())
      .then(
        (r) => {
          if (!r)
            process.stderr.write(
              "note: no Chromium found: figures keep only the interactive output (apt-get install -y chromium adds PNG/SVG/PDF)\n",
            );
          return r;
        },
        (e) => {
          process.stderr.write(
            `note: Chromium did not start (${(e as Error).message.split("\n")[0]}); figures stay interactive-only\n`,
          );
          return null;
        },
      ));
  try {
    return await runAndExport(args, notebooks, t0, wrote, getRenderer);
  } finally {
    if (opened) await (await opened)?.close();
  }
}

async function runAndExport(
  args: { values: Record<string, string | boolean | undefined>; positionals: string[] },
  notebooks: string[],
  t0: number,
  wrote: boolean,
  getRenderer: () => Promise<Renderer | null>,
): Promise<number> {
  // Ctrl-C / SIGTERM: abort (kill the kernels, write nothing more); a second signal exits now.
  const abort = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (caught) process.exit(128 + (sig === "SIGINT" ? 2 : 15));
    caught = sig;
    process.stderr.write(`\n${sig}: stopping the kernels; no notebook is written from now on\n`);
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const exporting = wrote && !args.values["no-figures"];
  const timing = process.env.PASSK_RUNNER_TIMING === "1";
  const figuresDir = path.join(__dirname, "..", "figures");
  // Each notebook's figures are exported as soon as it is written, beside the notebooks still
  // running; exportFigures below reuses them and writes INDEX.md once.
  let early: Promise<EarlyExport> | undefined;
  const running = runNotebooks({
    signal: abort.signal,
    notebooks,
    fast: Boolean(args.values.fast),
    check: Boolean(args.values.check),
    write: !args.values["no-write"],
    png: !args.values["no-png"],
    cellTimeoutSec: Number(args.values.timeout),
    jobs: Number(args.values.jobs),
    getRenderer,
    onNotebookDone: (r, file) => {
      if (timing)
        process.stderr.write(
          `  ${r.notebook} done at ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
        );
      if (r.status !== "aborted" && r.figureIds.length > 0)
        void early?.then((e) => e.add(file, r.figureIds));
    },
  });
  // The export code loads once the kernels are starting (it is not needed before a notebook ends).
  if (exporting)
    early = import("./figureExport").then(({ startEarlyExport }) =>
      startEarlyExport({
        outDir: figuresDir,
        preset: "notebook",
        getRenderer,
        stopped: () => abort.signal.aborted,
        timeline: timing ? { t0, log: (l) => process.stderr.write(l + "\n") } : undefined,
      }),
    );
  const results = await running;
  if (caught) {
    await (await early)?.settle(); // a batch under way finishes rendering; it writes nothing now
    const done = results.filter((r) => r.status !== "aborted" && r.status !== "unwritten");
    process.stderr.write(
      `interrupted by ${caught}: ${done.length} notebook(s) finished before it; no figure exported after it, INDEX.md not written\n`,
    );
    return 128 + (caught === "SIGINT" ? 2 : 15);
  }
  const total = (performance.now() - t0) / 1000;
  process.stdout.write(
    "\n" +
      formatTable(results) +
      `\n\ntotal ${total.toFixed(1)} s${args.values.fast ? " (FAST)" : ""}\n`,
  );
  let figuresExit = 0;
  if (exporting) {
    // Export the figures of the notebooks just run (INDEX.md lists every notebook's figures).
    const ids = results.flatMap((r) => r.figureIds);
    const done = await (await early)?.settle();
    if (ids.length) {
      const { exportFigures } = await import("./figures");
      const res = await exportFigures({
        notebooksDir: String(args.values.dir),
        outDir: figuresDir,
        preset: "notebook",
        only: ids,
        renderer: await getRenderer(),
        done,
      });
      figuresExit = res.exitCode;
    }
  }
  const bad = results.filter((r) => r.status !== "ok");
  for (const r of bad) {
    if (r.failure)
      process.stderr.write(`FAILED ${r.notebook} cell ${r.failure.cell}: ${r.failure.message}\n`);
    if (r.differences)
      process.stderr.write(
        `DIFFERS ${r.notebook}: cells ${r.differences.map((d) => d.cell).join(", ")}\n`,
      );
  }
  // A plain closing line CI tools can read.
  process.stdout.write(`notebooks: ${results.length - bad.length} passed, ${bad.length} failed\n`);
  return bad.length || figuresExit ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`run-notebooks: ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
