/**
 * `first-cell` (opt-in, issue 17): how long a reader waits for the first code cell of each
 * notebook. For every notebook, a copy cut after its first code cell (in a fresh clone, so the
 * real notebooks are never touched) runs through the notebook runner (scripts/runner/run.ts)
 * with `PASSK_RUNNER_TIMING=1`, one notebook and one new kernel at a time, no PNGs. Two numbers
 * per notebook:
 *
 * - `cell_ms`: the first cell's own execution time as the kernel reports it (the cell's imports
 *   and tslab's type-check of the cell included) — what a reader waits after pressing Run in a
 *   kernel that is already up. Target (issue 17): ≤ 2 s.
 * - `kernel_ms`: from starting the kernel process to the cell's end (kernel start-up, tslab's
 *   warm-up, then the cell) — what `npm start` pays per notebook before its first output.
 *
 * The workload's own time is all notebooks in sequence; the summary reports the largest and the
 * median of both numbers over the notebooks. CPU time: the kernels' (bench/rss-probe.cjs).
 */
import * as fs from "fs";
import * as path from "path";
import { discoverNotebooks, runNotebooks } from "../../scripts/runner/run";
import { collectRss, freshRssDir, RSS_PROBE } from "./childRss";
import { removeClone, tempClone } from "./clone";
import { median, type Workload } from "./types";

export interface FirstCellInputs {
  clone: string;
  files: string[];
  /** Per run: notebook → [cell_ms, kernel_ms]. */
  runs: Record<string, [number, number]>[];
  cpuMs: number[];
  peakRssMb: number[];
}

/** Cuts every notebook in `dir` after its first code cell (in place); returns the files. */
export function cutAfterFirstCodeCell(dir: string): string[] {
  const files = discoverNotebooks(dir, []);
  for (const f of files) {
    const nb = JSON.parse(fs.readFileSync(f, "utf8")) as { cells: { cell_type: string }[] };
    const first = nb.cells.findIndex((c) => c.cell_type === "code");
    if (first < 0) throw new Error(`${f}: no code cell`);
    nb.cells = nb.cells.slice(0, first + 1);
    fs.writeFileSync(f, JSON.stringify(nb, null, 1) + "\n");
  }
  return files;
}

/** The first `cell N: M ms` line the runner prints with PASSK_RUNNER_TIMING=1, in ms. */
export function parseCellMs(text: string): number {
  const m = /cell \d+: (\d+) ms/.exec(text);
  return m ? Number(m[1]) : NaN;
}

async function runOnce(inputs: FirstCellInputs): Promise<Record<string, [number, number]>> {
  const rssDir = freshRssDir();
  const saved = {
    opts: process.env.NODE_OPTIONS,
    dir: process.env.BENCH_RSS_DIR,
    timing: process.env.PASSK_RUNNER_TIMING,
  };
  process.env.NODE_OPTIONS = `${saved.opts ?? ""} --require ${RSS_PROBE}`.trim();
  process.env.BENCH_RSS_DIR = rssDir;
  process.env.PASSK_RUNNER_TIMING = "1";
  const write = process.stderr.write.bind(process.stderr);
  let captured = "";
  // the runner prints its timing lines to this process's stderr
  process.stderr.write = ((chunk: string | Uint8Array) => {
    captured += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stderr.write;
  const out: Record<string, [number, number]> = {};
  try {
    for (const file of inputs.files) {
      captured = "";
      const t0 = performance.now();
      const [r] = await runNotebooks({
        notebooks: [file],
        write: false,
        png: false,
        log: () => {},
      });
      const kernelMs = performance.now() - t0;
      if (r.status !== "ok")
        throw new Error(`${path.basename(file)}: ${r.status} ${r.failure?.message ?? ""}`);
      out[path.basename(file)] = [parseCellMs(captured), Math.round(kernelMs)];
    }
  } finally {
    process.stderr.write = write;
    for (const [k, v] of [
      ["NODE_OPTIONS", saved.opts],
      ["BENCH_RSS_DIR", saved.dir],
      ["PASSK_RUNNER_TIMING", saved.timing],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const kernels = collectRss(rssDir).filter((r) => r.kernel);
  inputs.cpuMs.push(kernels.reduce((s, k) => s + k.cpuMs, 0));
  inputs.peakRssMb.push(Math.max(0, ...kernels.map((k) => k.maxRssKb / 1024)));
  inputs.runs.push(out);
  return out;
}

export const workload: Workload<FirstCellInputs, Record<string, [number, number]>> = {
  name: "first-cell",
  description: "first code cell of each notebook: its own time and kernel start → its end",
  params: { notebooks: "notebooks/" },
  runs: 1,
  warmup: 0,
  setup: () => {
    const clone = tempClone("passk-bench-firstcell-");
    const files = cutAfterFirstCodeCell(path.join(clone, "notebooks"));
    return { clone, files, runs: [], cpuMs: [], peakRssMb: [] };
  },
  run: runOnce,
  summary: (r) => {
    const cell = Object.values(r).map((v) => v[0]);
    const kernel = Object.values(r).map((v) => v[1]);
    return {
      notebooks: cell.length,
      max_cell_ms: Math.max(...cell),
      median_cell_ms: median(cell),
      max_kernel_ms: Math.max(...kernel),
      median_kernel_ms: median(kernel),
    };
  },
  extra: (inputs) => ({ per_notebook_cell_ms_kernel_ms: inputs.runs }),
  childStats: (inputs) => ({
    peakRssMb: Math.max(0, ...inputs.peakRssMb),
    cpuMsPerRun: inputs.cpuMs,
  }),
  teardown: (inputs) => removeClone(inputs.clone),
};
