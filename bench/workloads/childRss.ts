/**
 * Peak RSS of child processes, for workloads that time a command (`analyze-1e6`) or the
 * notebook runner's kernels (`notebooks`). The children preload bench/rss-probe.cjs, which
 * writes each process's own `process.resourceUsage().maxRSS` to a directory; this module
 * creates that directory and reads it back. (Chosen over /usr/bin/time -v, which is not on every
 * machine, and over polling /proc/<pid>/status, which misses a peak between two polls.)
 */
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
    if (f.endsWith(".json")) records.push(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as ProcessRss);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return records.sort((a, b) => a.start - b.start);
}
