/**
 * Reporting for `npm run bench`: the machine description, the results table, and the comparison
 * of several saved runs.
 */
import type { Row } from "./harness";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export function machine(): Record<string, unknown> {
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

export function formatTable(rows: Row[]): string {
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
export function compareRuns(files: string[]): string {
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
