/**
 * `npm run bench [-- --only NAME[,NAME]] [--runs N] [--warmup N] [--seed S] [--numpy] [--param
 * key=value]`
 *
 * Runs each workload of issue 8 in its own child process (so its peak RSS is its own and no JIT
 * or heap state leaks between workloads): untimed seeded setup, `warmup` untimed runs, then `runs`
 * timed runs, each after a forced GC. Prints one JSON line per workload to stdout
 * ({"name","params","runs","median_ms","min_ms","max_ms","peak_rss_mb", …}) and a table at the end.
 *
 * --numpy also runs the vectorised numpy reference of each workload (bench/numpy/run.py) on the
 * *same inputs* (the child writes them to bench/out/inputs/NAME/) and reports its timings, the
 * ratio TS/numpy (target < 1) and whether both computed the same numbers. Python is needed only for
 * this flag. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, which this workplace sets to work around old
 * OpenBLAS builds, are removed from that one child's environment so numpy runs its native
 * kernel; the kernel it ran is reported (threadpoolctl).
 */
import { fork, spawn } from "child_process";
import * as readline from "readline";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { median, type ExportedArray, type Params, type Workload } from "./workloads/types";
import { WORKLOADS } from "./workloads/index";

const USAGE = `usage: npm run bench -- [--only NAME[,NAME]] [--runs N] [--warmup N] [--seed S] [--numpy] [--param key=value] [--out FILE] [--list]
  --only NAME   run only these workloads (${WORKLOADS.map((w) => w.name).join(", ")})
  --runs N      timed runs per workload (default: the workload's own, 3-7; notebooks 2)
  --warmup N    untimed runs before timing (default: the workload's own)
  --seed S      seed of the generated inputs (default ${20260221})
  --numpy       also time the numpy reference on the same inputs (needs python3 + numpy);
                BLAS-heavy references run twice, with default and with one OpenBLAS thread
  --param k=v   override a workload parameter (e.g. --param triples=1000), for quick tries
  --out FILE    also append the JSON lines to FILE (default bench/out/bench-<time>.jsonl)
  --list        list the workloads and their parameters
  --compare F…  no run: a markdown table of earlier runs' JSON-lines files F… side by side
                (medians per run, spread between runs, numpy reference, ratios) for bench/RESULTS.md`;

const DEFAULT_SEED = 20260221;
const OUT_DIR = path.join(__dirname, "out");

/** What a child reports for one workload. */
interface ChildReport {
  name: string;
  params: Params;
  setup_ms: number;
  times_ms: number[];
  /**
   * CPU time (user + system) of each timed run: less sensitive than wall time to other processes.
   */
  cpu_ms: number[];
  summary: Record<string, number | null>;
  deterministic: boolean;
  peak_rss_mb: number;
  extra?: Record<string, unknown>;
}

/** One numpy reference's report (bench/numpy/run.py prints it as its last line). */
interface NumpyReport {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  median_cpu_ms?: number;
  runs: number;
  summary: Record<string, number | null>;
  blas?: { architecture?: string; num_threads?: number; version?: string }[];
  /** True when BLAS does much of the work: the reference is then also timed single-threaded. */
  blas_heavy?: boolean;
  note?: string;
}

interface Row {
  name: string;
  params: Params;
  runs: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  peak_rss_mb: number;
  median_cpu_ms: number;
  setup_ms: number;
  deterministic: boolean;
  summary: Record<string, number | null>;
  extra?: Record<string, unknown>;
  numpy?: NumpyReport | { error: string };
  /** The same reference with OPENBLAS_NUM_THREADS=1 (less hurt by other processes on 2 cores). */
  numpy_1thread?: NumpyReport | { error: string };
  /** The faster numpy median of the two: what TS is compared with. */
  numpy_best_ms?: number;
  /** median_ms / numpy_best_ms: below 1 meets the issue's target. */
  ratio_to_numpy?: number;
  /** median_cpu_ms / the single-threaded numpy's CPU time: the ratio least disturbed by load. */
  cpu_ratio_to_numpy?: number;
  numpy_agrees?: { max_rel_diff: number; tolerance: number; ok: boolean };
  error?: string;
}

// ───────────────────────────── child side ─────────────────────────────

async function loadWorkload(name: string): Promise<Workload> {
  const entry = WORKLOADS.find((w) => w.name === name);
  if (!entry) throw new Error(`unknown workload ${JSON.stringify(name)}`);
  const mod = (await import(entry.module.replace(/^\.\//, "./workloads/"))) as {
    workload: Workload;
  };
  return mod.workload;
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

async function childMain(
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

/** A process that runs one timed run per `go()` and reports when done (TS child or numpy). */
interface Paced {
  /** Resolves once setup and warm-up are done. */
  ready: Promise<void>;
  /** Starts one timed run; resolves when it has finished. */
  go(): Promise<void>;
}

/** The TS side of one workload, in a child process; `paced` lets the parent start each run. */
function startChild(
  name: string,
  args: string[],
  paced: boolean,
): Paced & { report: Promise<ChildReport>; plan: Promise<{ runs: number; warmup: number }> } {
  const child = fork(__filename, ["--child", name, ...args, ...(paced ? ["--paced"] : [])], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let onReady: (plan: { runs: number; warmup: number }) => void = () => {};
  let onRan: () => void = () => {};
  const plan = new Promise<{ runs: number; warmup: number }>((res) => (onReady = res));
  const report = new Promise<ChildReport>((resolve, reject) => {
    let rep: ChildReport | undefined;
    child.on("message", (m: { t: string; runs?: number; warmup?: number } & ChildReport) => {
      if (m.t === "ready") onReady({ runs: m.runs!, warmup: m.warmup! });
      else if (m.t === "ran") onRan();
      else if (m.t === "report") rep = m;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (rep) resolve(rep);
      else
        reject(
          new Error(`workload ${name} exited with ${signal ?? `code ${code}`} before reporting`),
        );
    });
  });
  return {
    plan,
    ready: plan.then(() => undefined),
    report,
    go: () =>
      new Promise<void>((resolve) => {
        onRan = resolve;
        child.send({ t: "go" });
      }),
  };
}

/**
 * The numpy reference as a paced process (bench/numpy/run.py --paced): it reads the inputs the TS
 * child wrote, warms up, then times one run per "go" line on stdin. python3 with numpy is needed
 * only for --numpy (the project never needs Python).
 */
function startNumpy(
  name: string,
  runs: number,
  warmup: number,
  inputsDir: string,
  threads?: number,
): Paced & { result: Promise<NumpyReport | { error: string }> } {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (threads !== undefined) env.OPENBLAS_NUM_THREADS = String(threads);
  const args = [
    path.join(__dirname, "numpy", "run.py"),
    name,
    "--inputs",
    inputsDir,
    "--runs",
    String(runs),
    "--warmup",
    String(warmup),
    "--paced",
  ];
  const py = spawn("python3", args, { env, stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  py.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const lines = readline.createInterface({ input: py.stdout });
  const waiting: ((line: string) => void)[] = [];
  const last: string[] = [];
  lines.on("line", (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else last.push(line);
  });
  const nextLine = () => new Promise<string>((res) => waiting.push(res));
  const failed = new Promise<{ error: string }>((res) => {
    py.on("error", (e) => res({ error: `python3: ${e.message}` }));
    py.on("exit", (code) => {
      if (code !== 0)
        res({ error: (err || `exit ${code}`).trim().split("\n").slice(-3).join(" | ") });
      for (const w of waiting.splice(0)) w("");
    });
  });
  const closed = new Promise<void>((res) => py.on("close", () => res()));
  const ready = Promise.race([nextLine().then(() => undefined), failed.then(() => undefined)]);
  const result = (async (): Promise<NumpyReport | { error: string }> => {
    await closed;
    const code = py.exitCode;
    if (code !== 0) return failed;
    const text = last.pop() ?? "";
    try {
      return JSON.parse(text) as NumpyReport;
    } catch {
      return { error: `unreadable numpy output: ${text.slice(0, 200)}` };
    }
  })();
  return {
    ready,
    result,
    go: async () => {
      if (py.exitCode !== null) return;
      py.stdin.write("go\n");
      await nextLine();
    },
  };
}

/** Largest relative difference between the summary numbers both sides report. */
function compareSummaries(
  ts: Record<string, number | null>,
  np: Record<string, number | null>,
): number {
  let worst = 0;
  for (const [key, v] of Object.entries(ts)) {
    if (key.startsWith("mc_")) continue; // Monte Carlo: each side draws its own samples
    const u = np[key];
    if (typeof v !== "number" || typeof u !== "number") continue;
    const scale = Math.max(Math.abs(v), Math.abs(u), 1e-300);
    worst = Math.max(worst, Math.abs(v - u) / scale);
  }
  return worst;
}

function machine(): Record<string, unknown> {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = /model name\s*:\s*(.*)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpu = m[1].trim();
  } catch {
    /* not Linux */
  }
  return {
    date: new Date().toISOString(),
    nproc: os.cpus().length,
    cpu,
    node: process.version,
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

const fmt = (x: number | undefined, digits = 1) =>
  x === undefined || !Number.isFinite(x) ? "–" : x >= 1000 ? x.toFixed(0) : x.toFixed(digits);

function formatTable(rows: Row[]): string {
  const header = [
    "workload",
    "runs",
    "median ms",
    "min ms",
    "max ms",
    "cpu ms",
    "peak RSS MB",
    "numpy ms",
    "numpy 1t ms",
    "numpy 1t cpu",
    "TS/numpy",
    "cpu TS/numpy",
    "same result",
    "result",
  ];
  const body = rows.map((r) => {
    const np = r.numpy && "median_ms" in r.numpy ? r.numpy : undefined;
    const one = r.numpy_1thread && "median_ms" in r.numpy_1thread ? r.numpy_1thread : undefined;
    const result = r.error
      ? `ERROR ${r.error.slice(0, 60)}`
      : Object.entries(r.summary)
          .slice(0, 3)
          .map(([k, v]) => `${k}=${typeof v === "number" ? +v.toPrecision(6) : v}`)
          .join(" ");
    return [
      r.name,
      String(r.runs),
      fmt(r.median_ms, 2),
      fmt(r.min_ms, 2),
      fmt(r.max_ms, 2),
      fmt(r.median_cpu_ms, 2),
      fmt(r.peak_rss_mb, 0),
      np ? fmt(np.median_ms, 2) : r.numpy ? "error" : "–",
      one ? fmt(one.median_ms, 2) : "–",
      one ? fmt(one.median_cpu_ms, 2) : np ? fmt(np.median_cpu_ms, 2) : "–",
      r.ratio_to_numpy !== undefined ? r.ratio_to_numpy.toFixed(2) : "–",
      r.cpu_ratio_to_numpy !== undefined ? r.cpu_ratio_to_numpy.toFixed(2) : "–",
      r.numpy_agrees
        ? r.numpy_agrees.ok
          ? "yes"
          : `NO (${r.numpy_agrees.max_rel_diff.toExponential(1)})`
        : "–",
      result,
    ];
  });
  const all = [header, ...body];
  const widths = header.map((_, j) => Math.max(...all.map((r) => r[j].length)));
  const line = (r: string[]) =>
    r
      .map((c, j) => (j === 0 || j === r.length - 1 ? c.padEnd(widths[j]) : c.padStart(widths[j])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** Markdown table of several runs' JSON-lines files (see --compare). */
function compareRuns(files: string[]): string {
  if (files.length === 0) throw new Error("--compare needs at least one JSON-lines file");
  const runs = files.map((f) => {
    const lines = fs
      .readFileSync(f, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const machineLine = lines.find((l) => "machine" in l) as
      { machine: { date: string; loadavg: number[] } } | undefined;
    return {
      file: f,
      machine: machineLine?.machine,
      rows: lines.filter((l) => "name" in l) as unknown as Row[],
    };
  });
  const names = [...new Set(runs.flatMap((r) => r.rows.map((w) => w.name)))];
  const out: string[] = [];
  out.push(
    runs
      .map(
        (r, i) =>
          `run ${i + 1}: ${r.machine?.date ?? "?"} (load average at start ${r.machine?.loadavg?.join(" ") ?? "?"}) — ${path.basename(r.file)}`,
      )
      .join("  \n"),
    "",
  );
  const head = [
    "workload",
    ...runs.map((_, i) => `TS median ms (run ${i + 1})`),
    "spread",
    ...runs.map((_, i) => `TS CPU ms (run ${i + 1})`),
    "numpy best ms",
    "numpy 1-thread CPU ms",
    "TS/numpy wall",
    "TS/numpy min",
    "TS/numpy CPU",
    "peak RSS MB",
    "same result",
  ];
  out.push(`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`);
  for (const name of names) {
    const rs = runs.map((r) => r.rows.find((w) => w.name === name));
    const meds = rs.map((w) => w?.median_ms);
    const ok = meds.filter((m): m is number => typeof m === "number" && Number.isFinite(m));
    const spread =
      ok.length > 1
        ? `${((100 * (Math.max(...ok) - Math.min(...ok))) / Math.min(...ok)).toFixed(0)}%`
        : "–";
    const np = rs.map((w) => w?.numpy_best_ms).filter((x): x is number => typeof x === "number");
    const cpuRef = rs
      .map((w) => {
        const one =
          w?.numpy_1thread && "median_cpu_ms" in w.numpy_1thread
            ? w.numpy_1thread
            : w?.numpy && "median_cpu_ms" in w.numpy
              ? w.numpy
              : undefined;
        return one?.median_cpu_ms;
      })
      .filter((x): x is number => typeof x === "number");
    const ratio = rs
      .map((w) => w?.ratio_to_numpy)
      .filter((x): x is number => typeof x === "number");
    const cpuRatio = rs
      .map((w) => w?.cpu_ratio_to_numpy)
      .filter((x): x is number => typeof x === "number");
    // fastest run against fastest run: other processes only ever add time, so minima are the least
    // disturbed
    const minRatio = rs
      .map((w) => {
        const mins = [w?.numpy, w?.numpy_1thread].map((n) =>
          n && "min_ms" in n ? n.min_ms : Infinity,
        );
        return w && Number.isFinite(Math.min(...mins)) ? w.min_ms / Math.min(...mins) : undefined;
      })
      .filter((x): x is number => typeof x === "number");
    const list = (xs: number[], digits: number) =>
      xs.length ? xs.map((x) => fmt(x, digits)).join(" / ") : "–";
    out.push(
      `| ${[
        name,
        ...meds.map((m) => (m === undefined ? "–" : fmt(m, 1))),
        spread,
        ...rs.map((w) => (w ? fmt(w.median_cpu_ms, 1) : "–")),
        list(np, 1),
        list(cpuRef, 1),
        list(ratio, 2),
        list(minRatio, 2),
        list(cpuRatio, 2),
        list(
          rs.map((w) => w?.peak_rss_mb).filter((x): x is number => typeof x === "number"),
          0,
        ),
        rs.map((w) => (w?.numpy_agrees ? (w.numpy_agrees.ok ? "yes" : "NO") : "–")).join(" / "),
      ].join(" | ")} |`,
    );
  }
  return out.join("\n");
}

function parseParam(s: string): [string, number | string | boolean] {
  const eq = s.indexOf("=");
  if (eq <= 0) throw new Error(`--param expects key=value, got ${JSON.stringify(s)}`);
  const key = s.slice(0, eq);
  const raw = s.slice(eq + 1);
  const v =
    raw === "true"
      ? true
      : raw === "false"
        ? false
        : raw.trim() !== "" && Number.isFinite(Number(raw))
          ? Number(raw)
          : raw;
  return [key, v];
}

function positiveInt(name: string, s: string | undefined, min: number): number | undefined {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(s)}`);
  return v;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      only: { type: "string", multiple: true },
      runs: { type: "string" },
      warmup: { type: "string" },
      seed: { type: "string" },
      numpy: { type: "boolean", default: false },
      param: { type: "string", multiple: true },
      out: { type: "string" },
      list: { type: "boolean", default: false },
      compare: { type: "boolean", default: false },
      child: { type: "string" },
      dump: { type: "string" },
      paced: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const runs = positiveInt("--runs", values.runs, 1);
  const warmup = positiveInt("--warmup", values.warmup, 0);
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isSafeInteger(seed))
    throw new Error(`--seed must be an integer, got ${JSON.stringify(values.seed)}`);
  const overrides: Params = Object.fromEntries((values.param ?? []).map(parseParam));

  if (values.compare) {
    process.stdout.write(compareRuns(positionals) + "\n");
    return 0;
  }
  if (positionals.length)
    throw new Error(
      `unexpected argument ${JSON.stringify(positionals[0])} (files are read only with --compare)`,
    );
  if (values.child) {
    await childMain(values.child, runs, warmup, seed, overrides, values.dump, values.paced);
    return 0;
  }

  const only = (values.only ?? []).flatMap((s) => s.split(",")).filter(Boolean);
  for (const n of only) {
    if (!WORKLOADS.some((w) => w.name === n))
      throw new Error(
        `unknown workload ${JSON.stringify(n)}; known: ${WORKLOADS.map((w) => w.name).join(", ")}`,
      );
  }
  const selected = only.length ? WORKLOADS.filter((w) => only.includes(w.name)) : WORKLOADS;
  if (values.list) {
    for (const { name } of selected) {
      try {
        const w = await loadWorkload(name);
        process.stdout.write(
          `${name.padEnd(16)} ${w.description}  ${JSON.stringify(w.params)}  runs=${w.runs} warmup=${w.warmup}\n`,
        );
      } catch (e) {
        process.stdout.write(
          `${name.padEnd(16)} (cannot load: ${(e as Error).message.split("\n")[0]})\n`,
        );
      }
    }
    return 0;
  }

  const info = machine();
  process.stderr.write(
    `bench: ${info.date}  ${info.nproc} cores  ${info.cpu}  node ${info.node}  load ${(info.loadavg as number[]).join(" ")}  seed ${seed}\n`,
  );
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const outFile =
    values.out ?? path.join(OUT_DIR, `bench-${String(info.date).replace(/[:.]/g, "-")}.jsonl`);
  fs.appendFileSync(
    outFile,
    JSON.stringify({ machine: info, seed, argv: process.argv.slice(2) }) + "\n",
  );

  const rows: Row[] = [];
  for (const { name } of selected) {
    process.stderr.write(`▶ ${name}\n`);
    const childArgs = ["--seed", String(seed)];
    if (runs !== undefined) childArgs.push("--runs", String(runs));
    if (warmup !== undefined) childArgs.push("--warmup", String(warmup));
    for (const p of values.param ?? []) childArgs.push("--param", p);
    const inputsDir = path.join(OUT_DIR, "inputs", name);
    const npFile = path.join(__dirname, "numpy", `${name.replace(/-/g, "_")}.py`);
    const withNumpy = values.numpy && fs.existsSync(npFile);
    if (withNumpy) childArgs.push("--dump", inputsDir);
    let row: Row;
    try {
      const ts = startChild(name, childArgs, withNumpy);
      let numpy:
        { np: ReturnType<typeof startNumpy>; one?: ReturnType<typeof startNumpy> } | undefined;
      if (withNumpy) {
        // Interleaved: TS run, numpy run(s), … in alternating order, so that bursts of load from
        // other processes hit both sides alike instead of whichever block ran during the burst.
        const plan = await ts.plan;
        const blasHeavy = !/^BLAS_HEAVY = False/m.test(fs.readFileSync(npFile, "utf8"));
        process.stderr.write(
          `  numpy reference${blasHeavy ? " (default threads and one BLAS thread)" : ""}, interleaved with the TS runs…\n`,
        );
        numpy = { np: startNumpy(name, plan.runs, plan.warmup, inputsDir) };
        if (blasHeavy) numpy.one = startNumpy(name, plan.runs, plan.warmup, inputsDir, 1);
        const sides: Paced[] = [ts, numpy.np, ...(numpy.one ? [numpy.one] : [])];
        await Promise.all(sides.map((s) => s.ready));
        for (let i = 0; i < plan.runs; i++) {
          for (const s of i % 2 === 0 ? sides : [...sides].reverse()) await s.go();
        }
      }
      const rep = await ts.report;
      row = {
        name,
        params: rep.params,
        runs: rep.times_ms.length,
        median_ms: median(rep.times_ms),
        min_ms: Math.min(...rep.times_ms),
        max_ms: Math.max(...rep.times_ms),
        peak_rss_mb: rep.peak_rss_mb,
        median_cpu_ms: median(rep.cpu_ms),
        setup_ms: rep.setup_ms,
        deterministic: rep.deterministic,
        summary: rep.summary,
        extra: rep.extra,
      };
      if (numpy) {
        const np = await numpy.np.result;
        row.numpy = np;
        if (numpy.one) row.numpy_1thread = await numpy.one.result;
        fs.rmSync(inputsDir, { recursive: true, force: true }); // can be large (analyze-1e6: 0.7 GB)
        if ("median_ms" in np) {
          const one =
            row.numpy_1thread && "median_ms" in row.numpy_1thread ? row.numpy_1thread : undefined;
          row.numpy_best_ms = Math.min(np.median_ms, one?.median_ms ?? Infinity);
          row.ratio_to_numpy = row.median_ms / row.numpy_best_ms;
          const cpuRef = one?.median_cpu_ms ?? np.median_cpu_ms;
          if (cpuRef !== undefined) row.cpu_ratio_to_numpy = row.median_cpu_ms / cpuRef;
          const tol = typeof np.summary.tolerance === "number" ? np.summary.tolerance : 1e-9;
          const diff = compareSummaries(row.summary, np.summary);
          row.numpy_agrees = { max_rel_diff: diff, tolerance: tol, ok: diff <= tol };
        }
      }
    } catch (e) {
      row = {
        name,
        params: {},
        runs: 0,
        median_ms: NaN,
        min_ms: NaN,
        max_ms: NaN,
        peak_rss_mb: NaN,
        median_cpu_ms: NaN,
        setup_ms: NaN,
        deterministic: false,
        summary: {},
        error: (e as Error).message,
      };
    }
    rows.push(row);
    // Timings to 6 significant digits; result numbers in full (they are compared).
    const line = JSON.stringify(row, (k, v) =>
      typeof v === "number" && /(_ms|_mb|ratio_to_numpy|max_rel_diff)$/.test(k)
        ? +v.toPrecision(6)
        : v,
    );
    process.stdout.write(line + "\n");
    fs.appendFileSync(outFile, line + "\n");
  }
  process.stdout.write("\n" + formatTable(rows) + "\n");
  const end = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  process.stdout.write(
    `\nload average at the end: ${end} (${os.cpus().length} cores; other processes add noise)\nJSON lines also in ${path.relative(process.cwd(), outFile)}\n`,
  );
  return rows.some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`bench: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
