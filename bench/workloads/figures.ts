/**
 * `figures`: the figure export (`scripts/figures.ts`, what `npm run figures` runs, without
 * npm's own start-up) of every figure of the committed notebooks, in all four formats, into a
 * temporary folder. Each timed run is a fresh process with one Chromium start, as a user's run
 * is. Target (issue 6): under 15 s for the whole suite.
 *
 * `--param cache=off` sets PASSK_RENDER_CACHE=off: a throwaway Chromium profile every run, so
 * every start compiles Plotly from scratch (what the first run on a new machine pays). With the
 * default `cache=on`, the warm-up run leaves V8's code cache in the shared profile.
 * CPU time and peak RSS are the export process's own (bench/rss-probe.cjs); Chromium's
 * processes are not included.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runProbedScript } from "./childRss";
import type { Params, Workload } from "./types";

const ROOT = path.join(__dirname, "..", "..");

export interface FiguresInputs {
  notebooksDir: string;
  outDir: string;
  cache: boolean;
  peakRssMb: number[];
  cpuMs: number[];
  /** The summary line of each run (`figures: 31/31 written … (browser start …; plot …)`). */
  lines: string[];
}

export interface FiguresRun {
  written: number;
  total: number;
  browserStartSeconds: number;
}

/** Runs the export once; resolves with the counts from its summary line. */
export async function runFigures(inputs: FiguresInputs): Promise<FiguresRun> {
  const run = await runProbedScript(
    path.join(ROOT, "scripts", "figures.ts"),
    ["--notebooks", inputs.notebooksDir, "--out", inputs.outDir, "--require-static"],
    inputs.cache ? {} : { PASSK_RENDER_CACHE: "off" },
  );
  inputs.peakRssMb.push(run.peakRssMb);
  inputs.cpuMs.push(run.cpuMs);
  const out = run.stdout + run.stderr;
  const line =
    out.split("\n").find((l) => l.startsWith("figures: ") && l.includes(" written to ")) ?? "";
  inputs.lines.push(line);
  const tail = () => out.trim().split("\n").slice(-3).join(" | ");
  if (run.code !== 0) throw new Error(`figures exited with code ${run.code}: ${tail()}`);
  const m = /^figures: (\d+)\/(\d+) written .*browser start ([\d.]+) s/.exec(line);
  if (!m) throw new Error(`figures printed no summary line: ${tail()}`);
  return { written: Number(m[1]), total: Number(m[2]), browserStartSeconds: Number(m[3]) };
}

export const workload: Workload<FiguresInputs, FiguresRun> = {
  name: "figures",
  description:
    "figure export of every notebook figure (HTML, SVG, PNG, PDF), one Chromium start per run",
  params: { notebooks: "notebooks/", cache: "on" },
  runs: 5,
  warmup: 1,
  setup: (p: Params) => ({
    notebooksDir: path.resolve(ROOT, String(p.notebooks)),
    outDir: fs.mkdtempSync(path.join(os.tmpdir(), "passk-bench-figures-")),
    cache: String(p.cache) !== "off",
    peakRssMb: [],
    cpuMs: [],
    lines: [],
  }),
  run: runFigures,
  summary: (r) => ({ written: r.written, total: r.total }),
  extra: (inputs) => ({
    summary_lines: inputs.lines,
    browser_start_s: inputs.lines.map((l) =>
      Number(/browser start ([\d.]+) s/.exec(l)?.[1] ?? NaN),
    ),
  }),
  childStats: (inputs) => ({ peakRssMb: Math.max(...inputs.peakRssMb), cpuMsPerRun: inputs.cpuMs }),
  teardown: (inputs) => fs.rmSync(inputs.outDir, { recursive: true, force: true }),
};
