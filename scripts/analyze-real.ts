/**
 * Counts-only analysis of real sampling results and paired comparison of two checkpoints
 * (issue 15), reached through `npm run analyze` (scripts/analyze.ts delegates here):
 *
 *   npm run analyze -- FILE --counts [--group FIELD] [--model NAME] [--figures DIR] [...]
 *   npm run analyze -- --compare BEFORE AFTER [--model NAME] [--group FIELD] [--figures DIR] [...]
 *
 * Common options: --k, --json, --seed, --bootstrap, --level (as in scripts/analyze.ts).
 * Readers: lib/diagnostic/readTable.ts; estimators: lib/diagnostic/counts.ts, compare.ts;
 * figures: lib/plots/realData.ts written like `npm run figures` (scripts/figures.ts).
 * Exit status: 0 success; 1 bad input (file, line, field) or an unwritable --figures directory;
 * 2 bad command line.
 */
import { intArg, levelArg, UsageError } from "./cliArgs";
import { parseArgs } from "node:util";
import { InputError } from "../lib/core/samples";
import { readCountTable, type CountTable, type PromptCounts } from "../lib/diagnostic/readTable";
import { groupedCountsDiagnostics, type GroupedCountsResult } from "../lib/diagnostic/counts";
import { compareCounts, type CompareResult } from "../lib/diagnostic/compare";
import { forEachLine, splitCsvLine } from "../lib/diagnostic/read";
import {
  checkFiguresDir,
  FigureDirError,
  gradientFigure,
  realFigures,
  writeFiguresDir,
} from "./analyze-real-figures";

const USAGE = `usage: npm run analyze -- FILE --counts [--group FIELD] [--model NAME] [--figures DIR] [options]
       npm run analyze -- --compare BEFORE AFTER [--model NAME] [--group FIELD] [--figures DIR] [options]

FILE, BEFORE, AFTER  per-prompt counts (CSV prompt,n,c or JSONL {"prompt","n","c"}) or per-sample
      flags (JSONL {"prompt","correct"} or CSV prompt,correct); optional "model" column/field
--counts      counts-only diagnostics (pass@k, ŵ_k, q_k by difficulty, ESS); implied by the options
              below and by a file with a model column
--compare     paired comparison, prompts matched by id (AFTER − BEFORE)
--group FIELD results per value of a column/field (e.g. level), plus the whole
--model NAME  keep one model of a multi-model file
--figures DIR write figures (HTML; SVG/PNG/PDF with Chromium) into the existing directory DIR
--k           k grid (default: powers of two up to the largest n, and n; for --compare the smallest n)
--json        one JSON object instead of tables
--seed S, --bootstrap B (default 200), --level L (default 0.95)`;

interface RealArgs {
  files: string[];
  compare: boolean;
  group: string | null;
  model: string | null;
  figures: string | null;
  k: number[] | undefined;
  json: boolean;
  seed: number;
  bootstrap: number;
  level: number;
}

const FLAGS = ["--compare", "--counts", "--group", "--model", "--figures"];

async function hasModelField(file: string): Promise<boolean> {
  let first: string | null = null;
  try {
    await forEachLine(file, (text) => {
      if (first === null && text.trim() !== "") {
        first = text;
        throw new Error("stop");
      }
    });
  } catch {
    // the first line is all we need; unreadable files are reported by the analysis
  }
  if (first === null) return false;
  if (file.toLowerCase().endsWith(".csv")) return (splitCsvLine(first) ?? []).includes("model");
  try {
    const o = JSON.parse(first) as Record<string, unknown>;
    return o !== null && typeof o === "object" && "model" in o;
  } catch {
    return false;
  }
}

/**
 * Whether this module handles the command line: one of --counts, --compare, --group, --model,
 * --figures, or a FILE with a `model` column/field (scripts/analyze.ts's reader rejects it as
 * duplicate prompt ids).
 */
export async function handlesArgs(argv: string[]): Promise<boolean> {
  if (argv.some((a) => FLAGS.includes(a.split("=")[0]))) return true;
  const valued = ["--k", "--seed", "--bootstrap", "--level", "--per-prompt"];
  const files = argv.filter(
    (x, i) => !x.startsWith("-") && (i === 0 || !valued.includes(argv[i - 1])),
  );
  return files.length === 1 && (await hasModelField(files[0]));
}

function parse(argv: string[]): RealArgs | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        compare: { type: "boolean", default: false },
        counts: { type: "boolean", default: false },
        group: { type: "string" },
        model: { type: "string" },
        figures: { type: "string" },
        k: { type: "string" },
        json: { type: "boolean", default: false },
        seed: { type: "string" },
        bootstrap: { type: "string" },
        level: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return null;
  const want = v.compare ? 2 : 1;
  if (positionals.length !== want)
    throw new UsageError(
      v.compare
        ? `--compare needs two files, BEFORE and AFTER, got ${positionals.length}`
        : positionals.length === 0
          ? "missing FILE"
          : `expected one FILE, got ${positionals.length}`,
    );
  const level = levelArg(v.level);
  for (const name of ["group", "model", "figures"] as const)
    if (v[name] === "") throw new UsageError(`--${name} needs a value`);
  return {
    files: positionals,
    compare: v.compare === true,
    group: v.group ?? null,
    model: v.model ?? null,
    figures: v.figures ?? null,
    k: v.k === undefined ? undefined : v.k.split(",").map((s) => intArg("k", s, 1)),
    json: v.json === true,
    seed: v.seed === undefined ? 0 : intArg("seed", v.seed, 0),
    bootstrap: v.bootstrap === undefined ? 200 : intArg("bootstrap", v.bootstrap, 0),
    level,
  };
}

/** The single model of a table (the selected one, or a file without a model field). */
function onlyModel(t: CountTable, role: string): PromptCounts[] {
  if (t.models.size !== 1) {
    const names = [...t.models.keys()];
    throw new UsageError(
      `${role} ${t.source} has ${names.length} models (${names.slice(0, 4).join(", ")}, …); ` +
        "choose one with --model NAME",
    );
  }
  return [...t.models.values()][0];
}

/** Single-file JSON: the results, `models` side by side for a multi-model file. */
export type FileReport = Record<string, unknown>;

function analyzeTable(t: CountTable, a: RealArgs, k?: number[]): FileReport {
  const opts = { k: k ?? a.k, bootstrap: a.bootstrap, seed: a.seed, level: a.level };
  const head = { source: t.source, format: t.format, records: t.records };
  if (t.hasModel && a.model === null) {
    const models: Record<string, GroupedCountsResult> = {};
    for (const [name, prompts] of t.models) models[name] = groupedCountsDiagnostics(prompts, opts);
    return { ...head, models };
  }
  const prompts = onlyModel(t, "FILE");
  const model = a.model === null ? {} : { model: a.model };
  return { ...head, ...model, ...groupedCountsDiagnostics(prompts, opts) };
}

const f3 = (x: number | null) => (x === null ? "—" : x.toFixed(3));
const ci3 = (c: [number, number] | null) => (c === null ? "" : ` [${f3(c[0])}, ${f3(c[1])}]`);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, j) => c.padEnd(widths[j]))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

function resultTable(r: GroupedCountsResult): string {
  const rows = [["k", "pass@k [CI]", "mean ŵ_k", "q_k on c=0", "q_k on c=n", "ESS", "excluded"]];
  r.k.forEach((k, s) =>
    rows.push([
      String(k),
      f3(r.passAtK[s]) + ci3(r.passAtKCI[s]),
      f3(r.meanWeight[s]),
      f3(r.weightShare[0].share[s]) + ci3(r.weightShare[0].shareCI[s]),
      f3(r.weightShare[5].share[s]),
      r.ess[s] === null ? "—" : (r.ess[s] as number).toFixed(1),
      String(r.passAtKExcluded[s]),
    ]),
  );
  return table(rows);
}

function printFile(rep: FileReport, print: (s: string) => void): void {
  print(`analyze ${rep.source} (${rep.format}, ${rep.records} records)\n`);
  const one = (r: GroupedCountsResult, label: string) => {
    print(`\n${label}: ${r.prompts} prompts, ${r.samples} samples\n`);
    print(resultTable(r));
    for (const [g, gr] of Object.entries(r.groups ?? {})) {
      print(`\n  group ${g}: ${gr.prompts} prompts\n`);
      print(resultTable(gr as GroupedCountsResult));
    }
  };
  const models = rep.models as Record<string, GroupedCountsResult> | undefined;
  if (models === undefined) one(rep as unknown as GroupedCountsResult, String(rep.model ?? "all"));
  else {
    const names = Object.keys(models);
    const kk = models[names[0]].k;
    const last = kk.length - 1;
    const rows = [
      ["model", "prompts", "pass@1", `pass@${kk[last]}`, `q_${kk[last]} on c=0`, "ESS"],
    ];
    for (const n of names) {
      const r = models[n];
      rows.push([
        n,
        String(r.prompts),
        f3(r.passAtK[0]),
        f3(r.passAtK[last]),
        f3(r.weightShare[0].share[last]),
        (r.ess[last] ?? 0).toFixed(1),
      ]);
    }
    print(`\n${names.length} models side by side (--model NAME for one model's full table)\n`);
    print(table(rows));
  }
  print(
    "\nnote: ŵ_k = k·C(n−c,k−1)/C(n,k−1) is the unbiased estimate of w_k(p) = k(1−p)^{k−1}; q_k on c=0: share of Σŵ_k on prompts no sample solved.\n",
  );
}

/**
 * The counts-only weight diagnostics of one file (ŵ_k, q_k by difficulty, ESS), for the main
 * command's gradient-free input: its JSON report and its tables as text.
 */
export async function countsSection(
  file: string,
  opts: { k: readonly number[]; seed: number; bootstrap: number; level: number },
): Promise<{ report: FileReport; text: string }> {
  const t = await readCountTable(file, { groupBy: null, model: null });
  const a: RealArgs = {
    files: [file],
    compare: false,
    group: null,
    model: null,
    figures: null,
    k: [...opts.k],
    json: false,
    seed: opts.seed,
    bootstrap: opts.bootstrap,
    level: opts.level,
  };
  const report = analyzeTable(t, a);
  let text = "";
  printFile(report, (x) => (text += x));
  return { report, text };
}

function printCompare(c: CompareResult, files: string[], print: (s: string) => void): void {
  print(`compare ${files[0]} → ${files[1]}: ${c.matched} matched prompts`);
  print(` (unmatched: ${c.unmatchedBefore} in BEFORE, ${c.unmatchedAfter} in AFTER)\n\n`);
  const rows = [["k", "pass@k before", "pass@k after", "Δpass@k [CI]", "q_k(BEFORE) on p̂ fell"]];
  c.k.forEach((k, s) =>
    rows.push([
      String(k),
      f3(c.passAtKBefore[s]),
      f3(c.passAtKAfter[s]),
      f3(c.deltaPassAtK[s]) + ci3(c.deltaPassAtKCI[s]),
      f3(c.fellWeightShare[s]),
    ]),
  );
  print(table(rows));
  const ci = c.crossingKCI;
  const end = (x: number | null) => (x === null ? `>${c.k[c.k.length - 1]}` : String(x));
  print(
    `\ncrossing k: ${c.crossingK ?? "none"}${ci ? ` (CI [${end(ci[0])}, ${end(ci[1])}])` : ""}\n`,
  );
  print(`verdict: ${c.verdict}\n\n`);
  const bins = [["BEFORE p̂ bin", "prompts", "gained", "lost", "mean Δp̂"]];
  for (const b of c.bins)
    bins.push([b.range, String(b.prompts), String(b.gained), String(b.lost), f3(b.meanDeltaP)]);
  print(table(bins));
}

/**
 * Runs the command on `argv` (without "node script"); resolves with the exit status. Input,
 * usage and figure-directory errors become messages; anything else (a bug) is thrown.
 */
export async function runAnalyzeReal(
  argv: string[],
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  try {
    const a = parse(argv);
    if (a === null) {
      out(USAGE + "\n");
      return 0;
    }
    if (a.figures !== null) checkFiguresDir(a.figures); // fail before the analysis
    const read = (f: string) => readCountTable(f, { groupBy: a.group, model: a.model });
    let json: Record<string, unknown>;
    if (a.compare) {
      const [tb, ta] = [await read(a.files[0]), await read(a.files[1])];
      const c = compareCounts(onlyModel(tb, "BEFORE"), onlyModel(ta, "AFTER"), {
        k: a.k,
        bootstrap: a.bootstrap,
        seed: a.seed,
        level: a.level,
        beforeLabel: a.files[0],
        afterLabel: a.files[1],
      });
      const warn = (s: string) => (a.json ? err : out)(`warning: ${s}\n`);
      if (c.unmatchedBefore > 0 || c.unmatchedAfter > 0)
        warn(
          `${c.unmatchedBefore} BEFORE and ${c.unmatchedAfter} AFTER prompts have no match and are excluded`,
        );
      const { pairs, ...rest } = c;
      const before = analyzeTable(tb, a, c.k);
      const after = analyzeTable(ta, a, c.k);
      json = { compare: rest, before, after };
      if (a.figures !== null)
        await writeFiguresDir(
          a.figures,
          realFigures({ compare: c, pairs, before, after, files: a.files }),
        );
      if (!a.json) printCompare(c, a.files, out);
    } else {
      json = analyzeTable(await read(a.files[0]), a);
      if (a.figures !== null) {
        const figs = realFigures({ file: json });
        const grad = await gradientFigure(a.files[0], { ...a, k: a.k });
        if (grad !== null) figs.push(grad);
        await writeFiguresDir(a.figures, figs);
      }
      if (!a.json) printFile(json, out);
    }
    if (a.json) out(JSON.stringify(json) + "\n");
    return 0;
  } catch (e: unknown) {
    if (e instanceof InputError || e instanceof FigureDirError) {
      err(`error: ${e.message}\n`);
      return 1;
    }
    if (e instanceof UsageError) {
      err(`error: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  runAnalyzeReal(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  ).then((code) => {
    process.exitCode = code;
  });
}
