/**
 * `npm run analyze -- FILE [options]`, or `npx passk-analyze FILE [options]`
 * (scripts/analyze-bin.js, the package's `bin`).
 *
 * The paper's LLM diagnostic (PAPER.md §7) on exported samples: pass@k and pass^k, q_k's weight
 * on negatively interfering prompts (bounds and point), the cross-fitted ⟨∇J_k, ∇J_1⟩ and cosine
 * with bootstrap intervals, k*, and what to do next (safe k, mixing weight). Input formats:
 * lib/diagnostic/read.ts; estimators: lib/diagnostic/estimate.ts; report: lib/diagnostic/report.ts.
 *
 * Output: tables, notes, footnotes and suggestions on stdout, warnings on stderr; with --json,
 * exactly one JSON document on stdout and everything else on stderr. A closed stdout (EPIPE, e.g.
 * `| head -1`) ends the command quietly.
 * Exit status: 0 success; 1 bad input (message with file, line and field on stderr, no stack
 * trace); 2 bad command line. `runAnalyze` is the same command in-process (for tests), `main` the
 * process entry (used by the bin shim).
 */
import * as fs from "node:fs";
import { UnsafeTargetError, resolveWriteTarget, writeFileAtomic } from "../lib/export/atomicFile";
import { parseArgs } from "node:util";
import { intArg, levelArg, UsageError } from "./cliArgs";
import {
  DEFAULT_K_GRID,
  diagnose,
  footnotes,
  headline,
  suggestions,
  summaryRows,
  tableNotes,
  type DiagnosticResult,
} from "../lib/diagnostic/index";
import { InputError, formatCsvRow, loadData } from "../lib/diagnostic/read";
import { tableHtml } from "../lib/export/display";
import {
  readSketchSidecar,
  sketchInnerProductSdBound,
  type SketchInfo,
} from "../lib/diagnostic/sketch";
import { countsSection, handlesArgs, runAnalyzeReal } from "./analyze-real";

const USAGE = `usage: npm run --silent analyze -- FILE [--k 1,2,4,8,16,32,64] [--json] [--seed S] [--bootstrap B] [--level 0.95] [--per-prompt OUT.csv]
   or: npx passk-analyze FILE [same options]

FILE  per-sample JSONL  {"prompt": "<id>", "correct": true|false|0|1, "grad": [numbers]}  (grad optional)
      or per-prompt counts: JSONL {"prompt": "<id>", "n": 16, "c": 3} or CSV with columns prompt,n,c
--k           k grid (default ${DEFAULT_K_GRID.join(",")})
--json        print one JSON document on stdout instead of tables (warnings go to stderr)
--seed        bootstrap seed (default 0)
--bootstrap   bootstrap replicates over prompts (default 200; 0 = no intervals)
--level       confidence level of the percentile intervals (default 0.95)
--per-prompt  also write a CSV of per-prompt estimates (prompt, n, c, p_hat, agreement)

counts-only data, several models, groups, two checkpoints (see: npm run --silent analyze -- --counts --help):
--counts      counts-only weight diagnostics (ŵ_k, q_k by difficulty bin, ESS); shown anyway without gradients
--compare BEFORE AFTER   paired comparison of two checkpoints (Δpass@k, crossing k)
--group FIELD / --model NAME / --figures DIR

exit status: 0 success, 1 bad input, 2 bad command line`;

interface Args {
  file: string;
  k: number[];
  json: boolean;
  seed: number;
  bootstrap: number;
  level: number;
  perPrompt: string | null;
}

/** The parsed command line, or null for --help. */
function parseCommandLine(argv: string[]): Args | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        k: { type: "string" },
        json: { type: "boolean", default: false },
        seed: { type: "string" },
        bootstrap: { type: "string" },
        level: { type: "string" },
        "per-prompt": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? "missing FILE" : `expected one FILE, got ${positionals.length}`,
    );
  const k =
    values.k === undefined
      ? [...DEFAULT_K_GRID]
      : values.k.split(",").map((s) => intArg("k", s, 1));
  const level = levelArg(values.level);
  return {
    file: positionals[0],
    k,
    json: values.json === true,
    seed: values.seed === undefined ? 0 : intArg("seed", values.seed, 0),
    bootstrap: values.bootstrap === undefined ? 200 : intArg("bootstrap", values.bootstrap, 0),
    level,
    perPrompt: values["per-prompt"] ?? null,
  };
}

type Write = (text: string) => void;

async function printTables(r: DiagnosticResult, print: Write): Promise<void> {
  // danfojs (≈ 1.7 s to load) only for the human-readable output.
  const dfd = await import("danfojs-node");
  const df = new dfd.DataFrame(summaryRows(r));
  print(headline(r).join("\n") + "\n\n");
  print(tableHtml(df, { showIndex: false, digits: 4 }).text + "\n");
  print(
    "\n" +
      tableNotes(r)
        .map((n) => `note: ${n}\n`)
        .join(""),
  );
  const foot = footnotes(r);
  if (foot.length > 0) print("\n" + foot.map((n) => `${n}\n`).join(""));
  const next = suggestions(r);
  if (next.length > 0) print("\nwhat next:\n" + next.map((n) => `  ${n}\n`).join(""));
}

/**
 * Per k, the bound on the standard deviation that the exporter's fixed random projection adds to
 * the cross-fitted ⟨∇J_k, ∇J_1⟩ (lib/diagnostic/sketch.ts; not in the bootstrap intervals, which
 * hold the projection fixed); null where the inner product is undefined.
 */
function projectionErrors(r: DiagnosticResult, sketch: SketchInfo): (number | null)[] {
  return r.k.map((_, i) => {
    const ip = r.innerProduct[i];
    if (ip === null) return null;
    const nk = r.gradJkNormSq[i] ?? 0;
    const n1 = r.gradJ1NormSqAtK[i] ?? 0;
    return sketchInnerProductSdBound(nk, n1, ip, sketch.r1, sketch.r2);
  });
}

/** What the sketch is and how far its projection can move each inner product. */
function sketchNote(r: DiagnosticResult, sketch: SketchInfo, sd: (number | null)[]): string {
  const lines = [
    "",
    `sketch: the gradients are ${sketch.r1}×${sketch.r2} = ${sketch.r1 * sketch.r2}-dimensional ` +
      `${sketch.projection} sketches RᵀGQ of the last-layer score (V = ${sketch.vocabSize}, ` +
      `h = ${sketch.hiddenSize}; seed ${sketch.seed}${sketch.model ? `; model ${sketch.model}` : ""}).`,
    "  Inner products of sketches are unbiased, but the projection is drawn once: it adds an error",
    "  the bootstrap intervals do not contain. Its standard deviation is at most (lib/diagnostic/sketch.ts):",
  ];
  const risky: number[] = [];
  r.k.forEach((k, i) => {
    const s = sd[i];
    const ip = r.innerProduct[i];
    if (s === null || ip === null) return;
    lines.push(`    k = ${k}: ± ${s.toPrecision(2)} on ⟨∇J_k,∇J_1⟩ = ${ip.toPrecision(3)}`);
    if (Math.abs(ip) < 2 * s) risky.push(k);
  });
  if (risky.length > 0) {
    lines.push(
      `  At k = ${risky.join(", ")} the sign is within twice that error: a larger sketch (r1, r2)` +
        " or a second seed would tell.",
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Refuses a --per-prompt target before any work: not a regular file (a folder, FIFO, device),
 * in a missing folder, or the input file itself (also through a symlink or hard link).
 */
function checkPerPromptTarget(out: string, input: string): void {
  const { target } = resolveWriteTarget(out); // throws UnsafeTargetError
  const a = fs.statSync(input, { throwIfNoEntry: false });
  const b = fs.statSync(target, { throwIfNoEntry: false });
  if (a && b && a.dev === b.dev && a.ino === b.ino)
    throw new InputError(out, 0, null, `is the input file ${input}; refusing to overwrite it`);
}

/**
 * The per-prompt CSV (RFC 4180 quoting, so any prompt id reads back with `analyze`); agreement
 * is left empty where it is undetermined: no estimate (n < 2, no gradients) or c = 0, where
 * the estimated ∇p(x) is exactly zero whatever the true agreement.
 */
async function writePerPrompt(r: DiagnosticResult, file: string): Promise<void> {
  const rows = [formatCsvRow(["prompt", "n", "c", "p_hat", "agreement"])];
  for (const p of r.perPrompt) {
    const a = p.agreement;
    const determined = a !== null && Number.isFinite(a) && p.c > 0;
    rows.push(formatCsvRow([p.id, p.n, p.c, p.pHat, determined ? a : null]));
  }
  writeFileAtomic(file, rows.join("\n") + "\n");
}

/**
 * Runs the command on `argv` (without "node script"), writing to `out` and `err`; resolves with
 * the exit status. Input and usage errors become messages; anything else (a bug) is thrown.
 */
export async function runAnalyze(argv: string[], out: Write, err: Write): Promise<number> {
  // issue 15: --counts/--compare/--group/--model/--figures, multi-model files → analyze-real.ts
  if (await handlesArgs(argv)) return runAnalyzeReal(argv, out, err);
  try {
    const args = parseCommandLine(argv);
    if (args === null) {
      out(USAGE + "\n");
      return 0;
    }
    if (args.perPrompt !== null) checkPerPromptTarget(args.perPrompt, args.file);
    const data = await loadData(args.file);
    const result = diagnose(data, {
      k: args.k,
      bootstrap: args.bootstrap,
      seed: args.seed,
      level: args.level,
    });
    const sketch = data.d > 0 ? readSketchSidecar(args.file, data.d) : null;
    const projectionSd = sketch === null ? null : projectionErrors(result, sketch);
    // Without gradients, the counts-only weight diagnostics too (ŵ_k, q_k by difficulty, ESS).
    const counts =
      data.d === 0
        ? await countsSection(args.file, {
            k: result.k,
            seed: args.seed,
            bootstrap: args.bootstrap,
            level: args.level,
          })
        : null;
    if (args.perPrompt !== null) await writePerPrompt(result, args.perPrompt);
    if (args.json) {
      const { perPrompt: _omit, ...rest } = result;
      const sketchJson =
        sketch === null
          ? {}
          : {
              sketch: { ...sketch, dimension: sketch.r1 * sketch.r2 },
              innerProductProjectionSd: projectionSd,
            };
      const countsJson = counts === null ? {} : { counts: counts.report };
      out(JSON.stringify({ ...rest, ...sketchJson, ...countsJson }) + "\n");
    } else {
      await printTables(result, out);
      if (counts !== null) out("\ncounts-only weight diagnostics (--counts):\n" + counts.text);
      if (sketch !== null && projectionSd !== null) out(sketchNote(result, sketch, projectionSd));
    }
    for (const w of result.warnings) err(`warning: ${w}\n`);
    return 0;
  } catch (e: unknown) {
    if (e instanceof InputError || e instanceof UnsafeTargetError) {
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

/**
 * The command as a process: argv from `process.argv`, stdout/stderr, exit status in
 * `process.exitCode`. A reader that goes away (EPIPE on stdout, e.g. `| head -1`) ends the
 * process quietly with status 0 instead of a stack trace.
 */
export function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  return runAnalyze(
    argv,
    (s) => void process.stdout.write(s),
    (s) => void process.stderr.write(s),
  ).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) void main();
