/**
 * `analyze-1e6`: the analyze command (`scripts/analyze.ts FILE --json`, what `npm run analyze`
 * runs, without npm's own start-up) on 10^6 per-sample JSONL lines with d = 32 gradients over
 * 10^4 prompts. The file is generated first (untimed) from a seeded K-action log-linear policy,
 * with full-precision numbers as `JSON.stringify` writes them (≈ 0.7 GB). Each timed run is a
 * fresh process; its peak RSS comes from bench/rss-probe.cjs. Targets (issue 7): < 10 s, < 500 MB.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { logLinearSoftmaxPolicy } from "../../lib/sim/policies";
import { createRng } from "../../lib/core/rng";
import { runProbedScript } from "./childRss";
import type { Params, Workload } from "./types";

const ROOT = path.join(__dirname, "..", "..");

export interface AnalyzeInputs {
  file: string;
  lines: number;
  bytes: number;
  args: string[];
  /** Per run (warm-ups included): the analyze process's peak RSS (MB) and CPU time (ms). */
  peakRssMb: number[];
  cpuMs: number[];
}

/**
 * Writes `prompts × perPrompt` lines {"prompt","correct","grad"} in sampling order: responses
 * drawn from a log-linear softmax over K actions with random features (d dims) and one correct
 * action per prompt; `grad` is the exact score ∇log π(y|x) of the sampled action.
 */
export function writeSampleFile(
  file: string,
  prompts: number,
  perPrompt: number,
  K: number,
  d: number,
  seed: number,
): { lines: number; bytes: number } {
  const rng = createRng(seed);
  const features = Float64Array.from({ length: prompts * K * d }, () => rng.normal());
  const correctAction = Int32Array.from({ length: prompts }, () => rng.int(0, K - 1));
  const theta = Float64Array.from({ length: d }, () => rng.normal(0, 0.4));
  const policy = logLinearSoftmaxPolicy({ K, d, features, correctAction });
  const batch = policy.sample(theta, rng, perPrompt);
  const fd = fs.openSync(file, "w");
  let bytes = 0;
  try {
    for (let x = 0; x < prompts; x++) {
      const grads = Array.from({ length: K }, (_, a) =>
        JSON.stringify(Array.from(policy.score(theta, x, a))),
      );
      const parts: string[] = [];
      for (let j = 0; j < perPrompt; j++) {
        const a = batch.actions[x * perPrompt + j];
        parts.push(
          `{"prompt":"q${x}","correct":${batch.correct[x * perPrompt + j] === 1},"grad":${grads[a]}}\n`,
        );
      }
      const chunk = parts.join("");
      bytes += fs.writeSync(fd, chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
  return { lines: prompts * perPrompt, bytes };
}

/** Runs the analyze CLI once; resolves with its parsed --json output. */
export async function runAnalyze(inputs: AnalyzeInputs): Promise<Record<string, unknown>> {
  const run = await runProbedScript(path.join(ROOT, "scripts", "analyze.ts"), [
    inputs.file,
    ...inputs.args,
  ]);
  inputs.peakRssMb.push(run.peakRssMb);
  inputs.cpuMs.push(run.cpuMs);
  if (run.code !== 0)
    throw new Error(
      `analyze exited with code ${run.code}: ${run.stderr.trim().split("\n").slice(-3).join(" | ")}`,
    );
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`analyze --json printed something that is not JSON: ${(e as Error).message}`);
  }
}

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
const at = (v: unknown, i: number): number | null => (Array.isArray(v) ? num(v[i]) : null);

export const workload: Workload<AnalyzeInputs, Record<string, unknown>> = {
  name: "analyze-1e6",
  description:
    "analyze command on 10^6 per-sample JSONL lines (d = 32, 10^4 prompts), wall time + peak RSS",
  params: { prompts: 10_000, perPrompt: 100, K: 4, d: 32 },
  runs: 3,
  warmup: 1,
  setup: (p: Params, seed: number) => {
    const file = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), "passk-bench-analyze-")),
      "samples.jsonl",
    );
    const { lines, bytes } = writeSampleFile(
      file,
      Number(p.prompts),
      Number(p.perPrompt),
      Number(p.K),
      Number(p.d),
      seed,
    );
    return { file, lines, bytes, args: ["--json"], peakRssMb: [], cpuMs: [] };
  },
  run: runAnalyze,
  summary: (r) => ({
    prompts: num(r.prompts),
    samples: num(r.samples),
    passAt1: at(r.passAtK, 0),
    innerProduct_k2: at(r.innerProduct, 1),
    kStar: num(r.kStar),
  }),
  extra: (inputs) => ({
    file_mb: +(inputs.bytes / 2 ** 20).toFixed(1),
    lines: inputs.lines,
    peak_rss_mb_per_run: inputs.peakRssMb.map((x) => +x.toFixed(1)),
  }),
  // the warm-up run's peak counts too: every run is the same command on the same file
  childStats: (inputs) => ({ peakRssMb: Math.max(...inputs.peakRssMb), cpuMsPerRun: inputs.cpuMs }),
  exportFiles: (inputs) => ({ samples: inputs.file }),
  teardown: (inputs) => fs.rmSync(path.dirname(inputs.file), { recursive: true, force: true }),
};
