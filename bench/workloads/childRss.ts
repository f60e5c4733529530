/**
 * Peak RSS of child processes, for workloads that time a command (`analyze-1e6`) or the
 * notebook runner's kernels (`notebooks`). The children preload bench/rss-probe.cjs, which
 * writes each process's own `process.resourceUsage().maxRSS` to a directory; this module
 * creates that directory and reads it back. (Chosen over /usr/bin/time -v, which is not on every
 * machine, and over polling /proc/<pid>/status, which misses a peak between two polls.)
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Absolute path of the probe to pass as `--require`. */
export const RSS_PROBE = path.join(__dirname, "..", "rss-probe.cjs");

export interface ProcessRss {
  pid: number;
  argv: string[];
  /** True for the notebook runner's kernel processes (PASSK_RUNNER=1 in their environment). */
  kernel: boolean;
  start: number;
  end: number;
  maxRssKb: number;
  /** User + system CPU time of the process (its own threads, not its children). */
  cpuMs: number;
}

/** A fresh, empty directory for the probe records of one measured run. */
export function freshRssDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "passk-bench-rss-"));
}

/** The probe records in `dir`, oldest process first; removes the directory. */
export function collectRss(dir: string): ProcessRss[] {
  const records: ProcessRss[] = [];
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith(".json"))
      records.push(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as ProcessRss);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return records.sort((a, b) => a.start - b.start);
}

/** What {@link runProbedScript} saw of one run. */
export interface ProbedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Largest peak RSS of the run's probed processes (MB) and their summed CPU time (ms). */
  peakRssMb: number;
  cpuMs: number;
}

/**
 * Runs `node --import tsx --require <probe> <script> ...args` in the project root (what an
 * `npm run` command runs, without npm's own start-up) with `env` added to this process's
 * environment, and resolves when it exits, whatever its exit code.
 */
export function runProbedScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ProbedRun> {
  const rssDir = freshRssDir();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--require", RSS_PROBE, script, ...args],
      {
        cwd: path.join(__dirname, "..", ".."),
        env: { ...process.env, ...env, BENCH_RSS_DIR: rssDir },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const rss = collectRss(rssDir);
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr,
        peakRssMb: Math.max(0, ...rss.map((r) => r.maxRssKb)) / 1024,
        cpuMs: rss.reduce((sum, r) => sum + r.cpuMs, 0),
      });
    });
  });
}

/**
 * Runs `command args…` in `cwd` with every Node process it starts (npm, tsx, test workers, notebook
 * kernels) preloading the probe through NODE_OPTIONS, and resolves when it exits, whatever its
 * exit code. CPU time is the sum over those Node processes (Chromium's are not included); wall
 * time is measured here, from spawn to exit.
 */
export function runProbedCommand(
  command: string,
  args: readonly string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<ProbedRun & { wallMs: number }> {
  const rssDir = freshRssDir();
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ""} --require ${RSS_PROBE}`.trim();
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env, NODE_OPTIONS: nodeOptions, BENCH_RSS_DIR: rssDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - t0;
      const rss = collectRss(rssDir);
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        peakRssMb: Math.max(0, ...rss.map((r) => r.maxRssKb)) / 1024,
        cpuMs: rss.reduce((sum, r) => sum + r.cpuMs, 0),
        wallMs,
      });
    });
  });
}
