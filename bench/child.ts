/**
 * The child side of `npm run bench`: loads one workload, runs its seeded setup, warm-up and timed
 * runs (each after a forced GC), optionally dumps its inputs for the numpy reference.
 */
import type { ChildReport } from "./harness";
import * as fs from "fs";
import * as path from "path";
import { type ExportedArray, type Params, type Workload } from "./workloads/types";
import { WORKLOADS } from "./workloads/index";

export async function loadWorkload(name: string): Promise<Workload> {
  const entry = WORKLOADS.find((w) => w.name === name);
  if (!entry) throw new Error(`unknown workload ${JSON.stringify(name)}`);
  const mod = (await import(entry.module.replace(/^\.\//, "./workloads/"))) as Record<
    string,
    Workload
  >;
  return mod[entry.export ?? "workload"];
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}

function dtypeOf(a: ExportedArray): string {
  if (a instanceof Float64Array) return "<f8";
  if (a instanceof Int32Array) return "<i4";
  return "|u1";
}

/** Writes the inputs as raw little-endian arrays plus a manifest numpy can read. */
function dumpInputs(dir: string, w: Workload, inputs: unknown, params: Params, seed: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const arrays = w.exportInputs ? w.exportInputs(inputs) : {};
  const manifest: Record<string, unknown> = { name: w.name, params, seed, arrays: {} };
  for (const [key, a] of Object.entries(arrays)) {
    fs.writeFileSync(
      path.join(dir, `${key}.bin`),
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    );
    (manifest.arrays as Record<string, unknown>)[key] = {
      file: `${key}.bin`,
      dtype: dtypeOf(a),
      length: a.length,
    };
  }
  const files: Record<string, string> = {};
  for (const [key, src] of Object.entries(w.exportFiles ? w.exportFiles(inputs) : {})) {
    const name = `${key}${path.extname(src)}`;
    const target = path.join(dir, name);
    fs.rmSync(target, { force: true });
    try {
      fs.linkSync(src, target); // same file system: no copy of a large file
    } catch {
      fs.copyFileSync(src, target);
    }
    files[key] = name;
  }
  manifest.files = files;
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 1));
}

/**
 * In paced mode the parent starts each timed run (so it can interleave the numpy reference's runs).
 */
function waitForGo(): Promise<void> {
  return new Promise((resolve) => process.once("message", () => resolve()));
}

export async function childMain(
  name: string,
  runs: number | undefined,
  warmup: number | undefined,
  seed: number,
  overrides: Params,
  dump?: string,
  paced = false,
): Promise<void> {
  const w = await loadWorkload(name);
  const params: Params = { ...w.params, ...overrides };
  const nRuns = runs ?? w.runs;
  const nWarm = warmup ?? w.warmup;
  const t0 = performance.now();
  const inputs = await w.setup(params, seed);
  const setupMs = performance.now() - t0;
  if (dump) dumpInputs(dump, w, inputs, params, seed);
  for (let i = 0; i < nWarm; i++) {
    await w.run(inputs);
    gc();
  }
  if (paced) process.send!({ t: "ready", runs: nRuns, warmup: nWarm });
  const times: number[] = [];
  const cpu: number[] = [];
  const summaries: string[] = [];
  let summary: Record<string, number | null> = {};
  for (let i = 0; i < nRuns; i++) {
    gc();
    if (paced) await waitForGo();
    const c0 = process.cpuUsage();
    const s = performance.now();
    const result = await w.run(inputs);
    times.push(performance.now() - s);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    if (paced) process.send!({ t: "ran" });
    summary = w.summary(result);
    summaries.push(JSON.stringify(summary));
  }
  const extra = w.extra?.(inputs) ?? {};
  const ownRss = process.resourceUsage().maxRSS / 1024;
  const child = w.childStats?.(inputs);
  if (child) {
    extra.bench_process_peak_rss_mb = +ownRss.toFixed(1);
    cpu.splice(0, cpu.length, ...child.cpuMsPerRun.slice(-nRuns));
  }
  await w.teardown?.(inputs);
  const report: ChildReport & { t: "report" } = {
    t: "report",
    name,
    params,
    setup_ms: setupMs,
    times_ms: times,
    cpu_ms: cpu,
    summary,
    deterministic: summaries.every((s) => s === summaries[0]),
    peak_rss_mb: child?.peakRssMb ?? ownRss,
    extra,
  };
  // The IPC channel keeps this process alive: leave once the report is flushed.
  process.send!(report, () => process.exit(0));
}

// ───────────────────────────── parent side ─────────────────────────────
