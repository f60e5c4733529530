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
import type { Row } from "./harness";
import { childMain, loadWorkload } from "./child";
import { compareSummaries, startChild, startNumpy, type Paced } from "./spawn";
import { compareRuns, formatTable, machine } from "./report";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { median, type Params } from "./workloads/types";
import { WORKLOADS } from "./workloads/index";

const USAGE = `usage: npm run bench -- [--only NAME[,NAME]] [--runs N] [--warmup N] [--seed S] [--numpy] [--param key=value] [--out FILE] [--list]
  --only NAME   run only these workloads (${WORKLOADS.map((w) => w.name).join(", ")});
                opt-in, run only when named: ${WORKLOADS.filter((w) => w.optIn)
                  .map((w) => w.name)
                  .join(", ")}
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
  // opt-in workloads (issue 17's end-to-end commands) run only when named
  const selected = only.length
    ? WORKLOADS.filter((w) => only.includes(w.name))
    : WORKLOADS.filter((w) => !w.optIn || values.list);
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
