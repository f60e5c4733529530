/**
 * `npm run analyze -- FILE [--k 1,2,4,8,16,32,64] [--json] [--seed S] [--bootstrap B]
 *                        [--level 0.95] [--per-prompt OUT.csv]`
 *
 * The paper's LLM diagnostic (PAPER.md §7) on exported samples: pass@k, q_k's weight on
 * negatively interfering prompts, the cross-fitted ⟨∇J_k, ∇J_1⟩ and cosine with bootstrap
 * intervals, and k*. Input formats: lib/diagnostic/read.ts; estimators: lib/diagnostic/estimate.ts.
 *
 * Exit status: 0 success; 1 bad input (message with file, line and field on stderr, no stack
 * trace); 2 bad command line. `runAnalyze` is the same command in-process (for tests).
 */
import { writeFileAtomic } from "../lib/export/atomicFile";
import { parseArgs } from "node:util";
import {
  DEFAULT_K_GRID,
  diagnose,
  summaryRows,
  type DiagnosticResult,
} from "../lib/diagnostic/estimate";
import { InputError, loadData } from "../lib/diagnostic/read";
import { tableHtml } from "../lib/export/display";
import { handlesArgs, runAnalyzeReal } from "./analyze-real";

const USAGE = `usage: npm run analyze -- FILE [--k 1,2,4,8,16,32,64] [--json] [--seed S] [--bootstrap B] [--level 0.95] [--per-prompt OUT.csv]

FILE  per-sample JSONL  {"prompt": "<id>", "correct": true|false|0|1, "grad": [numbers]}  (grad optional)
      or per-prompt counts: JSONL {"prompt": "<id>", "n": 16, "c": 3} or CSV with columns prompt,n,c
--k           k grid (default ${DEFAULT_K_GRID.join(",")})
--json        print one JSON object instead of tables
--seed        bootstrap seed (default 0)
--bootstrap   bootstrap replicates over prompts (default 200; 0 = no intervals)
--level       confidence level of the percentile intervals (default 0.95)
--per-prompt  also write a CSV of per-prompt estimates (prompt, n, c, p_hat, agreement)`;

class UsageError extends Error {}

interface Args {
  file: string;
  k: number[];
  json: boolean;
  seed: number;
  bootstrap: number;
  level: number;
  perPrompt: string | null;
}

function parseIntArg(name: string, s: string, min: number): number {
  if (!/^\d+$/.test(s.trim()) || Number(s) < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(s)}`);
  return Number(s);
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
      : values.k.split(",").map((s) => parseIntArg("k", s, 1));
  const level = values.level === undefined ? 0.95 : Number(values.level);
  if (!(level > 0 && level < 1))
    throw new UsageError(`--level must be in (0, 1), got ${JSON.stringify(values.level)}`);
  return {
    file: positionals[0],
    k,
    json: values.json === true,
    seed: values.seed === undefined ? 0 : parseIntArg("seed", values.seed, 0),
    bootstrap: values.bootstrap === undefined ? 200 : parseIntArg("bootstrap", values.bootstrap, 0),
    level,
    perPrompt: values["per-prompt"] ?? null,
  };
}

function fmtK(r: DiagnosticResult): string {
  if (!r.gradients) return "k*: needs per-sample gradients";
  const scanned = r.kScanMax > 0 ? `scanned k = 1…${r.kScanMax}` : "no k scanned";
  const value =
    r.kStar === null ? `none (no negative inner product, ${scanned})` : `${r.kStar} (${scanned})`;
  let ci = "";
  if (r.kStarCI !== null) {
    const [lo, hi] = r.kStarCI;
    const end = (x: number | null) => (x === null ? `>${r.kScanMax}` : String(x));
    ci = `, ${Math.round(r.level * 100)}% CI [${end(lo)}, ${end(hi)}]`;
  }
  return `k* (first k with ⟨∇J_k,∇J_1⟩ < 0): ${value}${ci}`;
}

type Write = (text: string) => void;

async function printTables(r: DiagnosticResult, print: Write): Promise<void> {
  // danfojs (≈ 1.7 s to load) only for the human-readable output.
  const dfd = await import("danfojs-node");
  const df = new dfd.DataFrame(summaryRows(r));
  const ci =
    r.bootstrap > 0
      ? `${r.bootstrap} bootstrap replicates over prompts (seed ${r.seed}), ${Math.round(r.level * 100)}% percentile intervals`
      : "no bootstrap";
  const lines = [
    `analyze ${r.source}`,
    `  ${r.prompts} prompts, ${r.samples} samples, ${r.gradients ? `gradient dimension ${r.d}` : "no gradients (pass@k only)"}; ${ci}`,
  ];
  if (r.gradients) {
    lines.push(
      `  cross-fitted ‖∇J_1‖² = ${r.gradJ1NormSq === null ? "—" : r.gradJ1NormSq.toPrecision(3)}`,
    );
    lines.push(`  ${fmtK(r)}`);
  }
  print(lines.join("\n") + "\n\n");
  print(tableHtml(df, { showIndex: false, digits: 4 }).text + "\n");
  const notes = [
    "pass@k: mean over prompts of the unbiased estimator 1 − C(n−c,k)/C(n,k); prompts with n < k are excluded at that k, never counted as solved.",
  ];
  if (r.gradients) {
    notes.push(
      "q_k(â<0): share of the pass@k weight q_k ∝ ŵ_k on prompts whose estimated agreement â(x) = ⟨∇p(x), ∇J_1⟩ is negative (plug-in).",
      "⟨∇J_k,∇J_1⟩, cos: cross-fitted between the even- and odd-indexed samples of each prompt (unbiased inner product); at k, only prompts with n ≥ 2k.",
    );
  }
  print("\n" + notes.map((n) => `note: ${n}\n`).join(""));
  for (const w of r.warnings) print(`warning: ${w}\n`);
}

async function writePerPrompt(r: DiagnosticResult, file: string): Promise<void> {
  const dfd = await import("danfojs-node");
  const df = new dfd.DataFrame(
    r.perPrompt.map((p) => ({
      prompt: p.id,
      n: p.n,
      c: p.c,
      p_hat: p.pHat,
      agreement: p.agreement === null ? "" : p.agreement,
    })),
  );
  writeFileAtomic(file, dfd.toCSV(df) as string);
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
    const data = await loadData(args.file);
    const result = diagnose(data, {
      k: args.k,
      bootstrap: args.bootstrap,
      seed: args.seed,
      level: args.level,
    });
    if (args.perPrompt !== null) await writePerPrompt(result, args.perPrompt);
    if (args.json) {
      const { perPrompt: _omit, ...rest } = result;
      out(JSON.stringify(rest) + "\n");
    } else {
      await printTables(result, out);
    }
    return 0;
  } catch (e: unknown) {
    if (e instanceof InputError) {
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
  runAnalyze(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  ).then((code) => {
    process.exitCode = code;
  });
}
