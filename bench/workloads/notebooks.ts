/**
 * `notebooks`: every notebook at full size, as `npm start -- --no-write` runs them
 * (scripts/runner/run.ts runNotebooks: one tslab kernel process per notebook, outputs not
 * written back). Reports the total and, in `extra`, seconds and kernel peak RSS per notebook.
 * Kernel peak RSS comes from bench/rss-probe.cjs, preloaded into the kernels via NODE_OPTIONS.
 */
import * as path from "path";
import { discoverNotebooks, runNotebooks, type NotebookResult } from "../../scripts/runner/run";
import { collectRss, freshRssDir, RSS_PROBE } from "./childRss";
import type { Params, Workload } from "./types";

const NOTEBOOK_DIR = path.join(__dirname, "..", "..", "notebooks");

interface NotebookRun {
  results: NotebookResult[];
  /** Kernel processes in start order (the runner runs notebooks one after another). */
  kernels: { maxRssKb: number; cpuMs: number }[];
}

export interface NotebookInputs {
  files: string[];
  runs: NotebookRun[];
}

async function runAll(inputs: NotebookInputs): Promise<NotebookRun> {
  const rssDir = freshRssDir();
  const saved = { opts: process.env.NODE_OPTIONS, dir: process.env.BENCH_RSS_DIR };
  // the runner forks each kernel with {...process.env}: the probe rides along
  process.env.NODE_OPTIONS = `${saved.opts ?? ""} --require ${RSS_PROBE}`.trim();
  process.env.BENCH_RSS_DIR = rssDir;
  let results: NotebookResult[];
  try {
    results = await runNotebooks({
      notebooks: inputs.files,
      write: false,
      png: false,
      log: (s) => process.stderr.write(`  ${s}\n`),
    });
  } finally {
    if (saved.opts === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved.opts;
    if (saved.dir === undefined) delete process.env.BENCH_RSS_DIR;
    else process.env.BENCH_RSS_DIR = saved.dir;
  }
  const kernels = collectRss(rssDir).filter((r) => r.kernel);
  const run = { results, kernels };
  inputs.runs.push(run);
  return run;
}

export const workload: Workload<NotebookInputs, NotebookRun> = {
  name: "notebooks",
  description: "all notebooks at full size (npm start -- --no-write), total and per notebook",
  params: { dir: "notebooks/", fast: false },
  runs: 2,
  warmup: 0,
  setup: (_p: Params) => ({ files: discoverNotebooks(NOTEBOOK_DIR, []), runs: [] }),
  run: runAll,
  summary: ({ results }) => ({
    notebooks: results.length,
    failed: results.filter((r) => r.status !== "ok").length,
    cells: results.reduce((s, r) => s + r.executed, 0),
  }),
  extra: ({ runs }) => {
    const per: Record<
      string,
      { seconds: number[]; cpu_seconds: number[]; peak_rss_mb: number; status: string }
    > = {};
    for (const run of runs) {
      run.results.forEach((r, i) => {
        const entry = (per[r.notebook] ??= {
          seconds: [],
          cpu_seconds: [],
          peak_rss_mb: 0,
          status: r.status,
        });
        entry.seconds.push(+r.seconds.toFixed(2));
        entry.cpu_seconds.push(+((run.kernels[i]?.cpuMs ?? NaN) / 1000).toFixed(2));
        entry.peak_rss_mb = Math.max(
          entry.peak_rss_mb,
          +((run.kernels[i]?.maxRssKb ?? 0) / 1024).toFixed(1),
        );
        if (r.status !== "ok") entry.status = r.status;
      });
    }
    return { per_notebook: per };
  },
  childStats: ({ runs }) => ({
    peakRssMb: Math.max(0, ...runs.flatMap((r) => r.kernels.map((k) => k.maxRssKb / 1024))),
    cpuMsPerRun: runs.map((r) => r.kernels.reduce((s, k) => s + k.cpuMs, 0)),
  }),
};
