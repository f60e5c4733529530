/**
 * `counts-1e6`: the counts-only analysis (`scripts/analyze.ts FILE --counts --json`, issue 15) on a
 * per-prompt counts CSV of 10^6 rows (`prompt,n,c`, n = 16, c ~ Binomial(n, p) with p ~ Beta(0.5,
 * 1.5): many hard prompts, as on real benchmarks). The file is generated first (untimed, seeded).
 * Each timed run is a fresh process with the default 200 bootstrap replicates over prompts; its
 * peak RSS comes from bench/rss-probe.cjs (childRss.ts). Memory is O(prompts): the reader keeps
 * (n, c) per prompt, the bootstrap works on the ≤ n + 1 distinct (n, c) classes.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createRng } from "../../lib/core/rng";
import { runProbedScript } from "./childRss";
import type { Params, Workload } from "./types";

const ROOT = path.join(__dirname, "..", "..");

export interface CountsInputs {
  file: string;
  rows: number;
  bytes: number;
  args: string[];
  peakRssMb: number[];
  cpuMs: number[];
}

/** Writes `rows` lines `q<i>,n,c` after a header, in 1 MB chunks; returns the bytes written. */
export function writeCountsFile(file: string, rows: number, n: number, seed: number): number {
  const rng = createRng(seed);
  const fd = fs.openSync(file, "w");
  let bytes = 0;
  try {
    bytes += fs.writeSync(fd, "prompt,n,c\n");
    let parts: string[] = [];
    for (let i = 0; i < rows; i++) {
      const p = rng.beta(0.5, 1.5);
      parts.push(`q${i},${n},${rng.binomial(n, p)}\n`);
      if (parts.length === 50_000 || i === rows - 1) {
        bytes += fs.writeSync(fd, parts.join(""));
        parts = [];
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/** Runs the counts analysis once in a probed child; resolves with its parsed --json output. */
export async function runCounts(inputs: CountsInputs): Promise<Record<string, unknown>> {
  const run = await runProbedScript(path.join(ROOT, "scripts", "analyze.ts"), [
    inputs.file,
    ...inputs.args,
  ]);
  inputs.peakRssMb.push(run.peakRssMb);
  inputs.cpuMs.push(run.cpuMs);
  if (run.code !== 0)
    throw new Error(
      `analyze --counts exited with code ${run.code}: ${run.stderr.trim().split("\n").slice(-3).join(" | ")}`,
    );
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const at = (v: unknown, i: number): number | null =>
  Array.isArray(v) && typeof v[i] === "number" ? (v[i] as number) : null;

export const workload: Workload<CountsInputs, Record<string, unknown>> = {
  name: "counts-1e6",
  description:
    "analyze --counts on a 10^6-row per-prompt counts CSV (n = 16, 200 bootstrap replicates), wall time + peak RSS",
  params: { rows: 1_000_000, n: 16 },
  runs: 3,
  warmup: 1,
  setup: (p: Params, seed: number) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "passk-bench-counts-")), "c.csv");
    const rows = Number(p.rows);
    const bytes = writeCountsFile(file, rows, Number(p.n), seed);
    return { file, rows, bytes, args: ["--counts", "--json"], peakRssMb: [], cpuMs: [] };
  },
  run: runCounts,
  summary: (r) => ({
    prompts: typeof r.prompts === "number" ? r.prompts : null,
    passAt1: at(r.passAtK, 0),
    passAt16: at(r.passAtK, (r.k as number[]).length - 1),
    ess_k16: at(r.ess, (r.k as number[]).length - 1),
  }),
  extra: (inputs) => ({
    file_mb: +(inputs.bytes / 2 ** 20).toFixed(1),
    rows: inputs.rows,
    peak_rss_mb_per_run: inputs.peakRssMb.map((x) => +x.toFixed(1)),
  }),
  childStats: (inputs) => ({ peakRssMb: Math.max(...inputs.peakRssMb), cpuMsPerRun: inputs.cpuMs }),
  teardown: (inputs) => fs.rmSync(path.dirname(inputs.file), { recursive: true, force: true }),
};
