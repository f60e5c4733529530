/**
 * `start-cold` (opt-in, issue 17): `npm start` on a fresh clone — every notebook at full size,
 * outputs and PNGs written back, then every figure exported in every format (HTML, SVG, PNG,
 * PDF) — with nothing cached: the clone is a new copy of the tracked files (bench/workloads/
 * clone.ts; the real notebooks and figures/ are never touched), `PASSK_RENDER_CACHE=off` gives
 * Chromium a throwaway profile (no V8 code cache for Plotly), `TSX_DISABLE_CACHE=1` makes tsx
 * compile every file again, `PASSK_LIB_VIEW_CACHE=off` makes the runner build lib's declarations
 * and `PASSK_KERNEL_SNAPSHOT` points at an empty folder of the clone, so the kernels' startup
 * snapshot is built during the run (the clone's node_modules is this checkout's, cache
 * included). Target (issue 17): ≤ 40 s on 2 cores.
 *
 * `--param cache=on` keeps the render, tsx, lib-view and kernel-snapshot caches (a second run on
 * the same machine).
 * Each timed run uses its own fresh clone; the copy (≈ 7 MB) happens before the command and is
 * inside the timed run only from the second run on (default: one run, no warm-up).
 * CPU time sums the Node processes (npm, the runner, the kernels); Chromium's are not included.
 */
import * as path from "path";
import { removeClone, tempClone } from "./clone";
import { runProbedCommand } from "./childRss";
import type { Params, Workload } from "./types";

export interface StartInputs {
  cache: boolean;
  /** `--param snapshot=off`: kernels without their startup snapshot (A/B of kernel-snapshot.js). */
  snapshot: boolean;
  /** The clone the next run uses (made in setup for the first run). */
  next: string | null;
  used: string[];
  cpuMs: number[];
  peakRssMb: number[];
  commandMs: number[];
  totals: string[];
  /** The runner's table (notebook, cells, seconds, …) and the export's summary line, per run. */
  tables: string[];
  figureLines: string[];
}

export interface StartRun {
  passed: number;
  failed: number;
  figuresWritten: number;
  figuresTotal: number;
}

/** The command's stdout/stderr lines the result is read from. */
export function parseStartOutput(out: string): StartRun {
  const nb = /notebooks: (\d+) passed, (\d+) failed/.exec(out);
  const fig = /figures: (\d+)\/(\d+) written/.exec(out);
  return {
    passed: nb ? Number(nb[1]) : NaN,
    failed: nb ? Number(nb[2]) : NaN,
    figuresWritten: fig ? Number(fig[1]) : NaN,
    figuresTotal: fig ? Number(fig[2]) : NaN,
  };
}

export const workload: Workload<StartInputs, StartRun> = {
  name: "start-cold",
  description:
    "npm start on a fresh clone: all notebooks at full size + every figure in every format, cold",
  params: { cache: "off", snapshot: "on" },
  runs: 1,
  warmup: 0,
  setup: (p: Params) => ({
    cache: String(p.cache) === "on",
    snapshot: String(p.snapshot) !== "off",
    next: tempClone("passk-bench-start-"),
    used: [],
    cpuMs: [],
    peakRssMb: [],
    commandMs: [],
    totals: [],
    tables: [],
    figureLines: [],
  }),
  run: async (inputs) => {
    const dir = inputs.next ?? tempClone("passk-bench-start-");
    inputs.next = null;
    inputs.used.push(dir);
    const env: NodeJS.ProcessEnv = inputs.cache
      ? {}
      : {
          PASSK_RENDER_CACHE: "off",
          TSX_DISABLE_CACHE: "1",
          PASSK_LIB_VIEW_CACHE: "off",
          // An empty folder: the kernels' snapshot is built during the run, as on a fresh clone.
          PASSK_KERNEL_SNAPSHOT: path.join(dir, ".kernel-snapshot-cache"),
        };
    if (!inputs.snapshot) env.PASSK_KERNEL_SNAPSHOT = "off";
    const run = await runProbedCommand("npm", ["start"], { cwd: dir, env });
    inputs.cpuMs.push(run.cpuMs);
    inputs.peakRssMb.push(run.peakRssMb);
    inputs.commandMs.push(run.wallMs);
    const out = run.stdout + "\n" + run.stderr;
    inputs.totals.push(/total ([\d.]+) s/.exec(out)?.[0] ?? "");
    inputs.tables.push(/^notebook .*?(?=\n\ntotal)/ms.exec(run.stdout)?.[0] ?? "");
    inputs.figureLines.push(out.split("\n").find((l) => /^figures: .* written /.test(l)) ?? "");
    if (run.code !== 0)
      throw new Error(`npm start exited with ${run.code}: ${out.trim().split("\n").slice(-5)}`);
    return parseStartOutput(out);
  },
  summary: (r) => ({
    notebooks_passed: r.passed,
    notebooks_failed: r.failed,
    figures_written: r.figuresWritten,
    figures_total: r.figuresTotal,
  }),
  extra: (inputs) => ({
    command_ms: inputs.commandMs.map((x) => Math.round(x)),
    runner_total_lines: inputs.totals,
    runner_tables: inputs.tables,
    figure_lines: inputs.figureLines,
  }),
  childStats: (inputs) => ({
    peakRssMb: Math.max(0, ...inputs.peakRssMb),
    cpuMsPerRun: inputs.cpuMs,
  }),
  teardown: (inputs) => {
    for (const dir of [...inputs.used, ...(inputs.next ? [inputs.next] : [])]) removeClone(dir);
  },
};
