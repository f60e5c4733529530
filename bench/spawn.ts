/**
 * The parent side of `npm run bench`: starts a workload child (fork of bench/run.ts) and the numpy
 * reference (bench/numpy/run.py), paced so that their runs interleave, and compares their outputs.
 */
import type { ChildReport, NumpyReport } from "./harness";
import { fork, spawn } from "child_process";
import * as readline from "readline";
import * as path from "path";

/** A process that runs one timed run per `go()` and reports when done (TS child or numpy). */
export interface Paced {
  /** Resolves once setup and warm-up are done. */
  ready: Promise<void>;
  /** Starts one timed run; resolves when it has finished. */
  go(): Promise<void>;
}

/** The TS side of one workload, in a child process; `paced` lets the parent start each run. */
export function startChild(
  name: string,
  args: string[],
  paced: boolean,
): Paced & { report: Promise<ChildReport>; plan: Promise<{ runs: number; warmup: number }> } {
  const child = fork(
    path.join(__dirname, "run.ts"),
    ["--child", name, ...args, ...(paced ? ["--paced"] : [])],
    {
      execArgv: ["--import", "tsx", "--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
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
export function startNumpy(
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
export function compareSummaries(
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
