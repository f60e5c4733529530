/**
 * Streaming import of exported samples for the LLM diagnostic (issue 7; PAPER.md §7; notebook 08).
 *
 * Two input formats:
 * - per-sample JSONL, one sampled response per line:
 *   `{"prompt": "<id>", "correct": true|false|0|1, "grad": [numbers]}`; `grad` (optional) is the
 *   score ∇log π(y|x), or a fixed random projection of it, with the same length on every line;
 * - per-prompt counts, JSONL `{"prompt": "<id>", "n": 16, "c": 3}` or CSV with a header row
 *   containing the columns `prompt,n,c` (pass@k only).
 * `prompt` is a non-empty string or an integer. Extra fields are ignored. Blank lines are skipped.
 *
 * Nothing is kept per line. Per prompt the loader keeps only the sufficient statistics
 * of the diagnostic (why they suffice: lib/diagnostic/estimate.ts):
 *   n, c, and, with gradients, for the two halves h ∈ {A, B} of the prompt's samples — A the
 *   samples with even index within the prompt (0, 2, 4, …, in file order), B the odd ones —
 *   c^A and the sums S⁺_h = Σ_{j∈h, r_j=1} s_j and S⁻_h = Σ_{j∈h, r_j=0} s_j.
 * Memory is O(prompts) without gradients and O(prompts × d) with them, whatever the file size.
 *
 * The halves are independent only if the order of a prompt's lines does not depend on their
 * outcomes (write samples in sampling order, not sorted by correctness); `sortedPrompts` counts
 * prompts whose outcomes look sorted so the analysis can warn.
 *
 * Every problem in the input throws an {@link InputError} naming the file, the line and the field.
 *
 * Speed (issue 8, `analyze-1e6`: 10^6 lines, d = 32, 0.66 GB): the hot path is V8's JSON.parse of
 * each line, ≈ 4–5 s of CPU; a hand-written byte-level parser measured no faster on the 17-digit
 * numbers JSON.stringify writes (most need a correctly rounded fallback), so lines go through
 * JSON.parse. Line splitting uses Buffer.indexOf on 1 MiB chunks (see {@link forEachLine}).
 */
import * as fs from "fs";
import { Accumulator, InputError, type PromptStats, type SampleData } from "../core/samples";
import { show } from "../core/validate";

import { forEachLine } from "./lines";
import { forEachCsvRecord, splitCsvLine } from "./csv";

export { InputError, SampleAccumulator, type PromptStats, type SampleData } from "../core/samples";
export { forEachLine, MAX_LINE_BYTES, type LineOptions } from "./lines";
export { forEachCsvRecord, formatCsvRow, splitCsvLine } from "./csv";

/**
 * Largest |grad entry| accepted [D, our choice]: the diagnostic sums products of per-prompt
 * gradient sums over prompts and coordinates; with entries ≤ 1e100, n, prompts and d up to
 * 10^9 each, such sums stay below 1e227, far from float64's 1.8e308. Beyond, squares overflow
 * (1e155² = Infinity) and the statistics become non-finite.
 */
export const MAX_ABS_GRAD = 1e100;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array ${show(v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${show(v)}`;
}

/** Why JSON.parse rejected a line, in the user's terms. */
function jsonProblem(text: string, err: unknown): { field: string | null; detail: string } {
  const nonFinite = /(?:^|[\s,:[])(-?(?:NaN|Infinity|inf|nan))(?=[\s,\]}]|$)/i.exec(text);
  if (nonFinite !== null) {
    const before = text.slice(0, nonFinite.index);
    const key = /"([^"\\]+)"\s*:\s*\[?[^"]*$/.exec(before);
    const field = key === null ? null : key[1];
    return {
      field,
      detail: `${nonFinite[1]} is not a finite number (and not valid JSON); every value must be finite`,
    };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { field: null, detail: `malformed JSON (${msg})` };
}

function promptId(file: string, line: number, v: unknown): string {
  if (v === undefined) throw new InputError(file, line, "prompt", "missing");
  if (typeof v === "string") {
    if (v === "") throw new InputError(file, line, "prompt", "must not be empty");
    return v;
  }
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  throw new InputError(file, line, "prompt", `must be a string or an integer, got ${describe(v)}`);
}

function countField(file: string, line: number, name: "n" | "c", v: unknown, min: number): number {
  if (v === undefined || v === "") throw new InputError(file, line, name, "missing");
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new InputError(file, line, name, `must be an integer, got ${describe(v)}`);
  if (!Number.isInteger(v))
    throw new InputError(file, line, name, `must be an integer, got ${show(v)}`);
  if (!Number.isSafeInteger(v))
    // Beyond 2^53 − 1 float64 cannot hold every integer (n + 1 === n): loops over counts hang.
    throw new InputError(file, line, name, `must be an integer ≤ 2^53 − 1, got ${show(v)}`);
  if (v < min) {
    const why = name === "n" ? " (a prompt needs at least one sample)" : "";
    throw new InputError(file, line, name, `must be ≥ ${min}${why}, got ${show(v)}`);
  }
  return v;
}

/** Per-prompt counts: builds the records and rejects duplicates and c > n. */
class CountTable {
  readonly prompts: PromptStats[] = [];
  private readonly seen = new Map<string, number>();
  samples = 0;

  constructor(readonly file: string) {}

  add(line: number, id: string, nRaw: unknown, cRaw: unknown): void {
    const n = countField(this.file, line, "n", nRaw, 1);
    const c = countField(this.file, line, "c", cRaw, 0);
    if (c > n)
      throw new InputError(
        this.file,
        line,
        "c",
        `must be ≤ n = ${n} (c counts correct samples among n), got ${c}`,
      );
    const earlier = this.seen.get(id);
    if (earlier !== undefined)
      throw new InputError(
        this.file,
        line,
        "prompt",
        `${show(id)} already appeared on line ${earlier}`,
      );
    if (!Number.isSafeInteger(this.samples + n))
      throw new InputError(
        this.file,
        line,
        "n",
        "the total number of samples over prompts exceeds 2^53 − 1 (float64 cannot count it)",
      );
    this.seen.set(id, line);
    this.prompts.push({ id, line, n, c, cA: null, sums: null, switches: 0 });
    this.samples += n;
  }

  result(records: number): SampleData {
    return {
      source: this.file,
      format: "counts",
      prompts: this.prompts,
      samples: this.samples,
      d: 0,
      records,
      sortedPrompts: { sorted: 0, mixed: 0 },
    };
  }
}

function emptyFile(file: string): InputError {
  return new InputError(file, 1, null, "the file has no records (empty file)");
}

/**
 * Loads a JSONL file of either format (decided by its first record: `correct` ⇒ per-sample,
 * `n`/`c` ⇒ per-prompt counts), streaming it line by line.
 *
 * Throws {@link InputError} for: malformed JSON; a record that is not an object; a missing or
 * mistyped `prompt`, `correct` (must be true, false, 0 or 1), `n`, `c`; a `grad` that is not an
 * array of finite numbers, or whose length differs from the first record's, or that is present
 * on some lines and absent on others; NaN/Infinity (written by Python's json module as bare
 * `NaN`, `Infinity`); c > n; n = 0; a prompt listed twice in a counts file; an empty file; a
 * record of the other format in the middle of the file.
 */
export async function loadJsonl(file: string): Promise<SampleData> {
  let format: "samples" | "counts" | null = null;
  const acc = new Accumulator(file);
  const counts = new CountTable(file);
  let records = 0;
  await forEachLine(file, (text, line) => {
    if (text.trim() === "") return;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch (err) {
      const { field, detail } = jsonProblem(text, err);
      throw new InputError(file, line, field, detail);
    }
    if (rec === null || typeof rec !== "object" || Array.isArray(rec)) {
      throw new InputError(file, line, null, `expected a JSON object, got ${describe(rec)}`);
    }
    const o = rec as Record<string, unknown>;
    records++;
    if (format === null) {
      if ("correct" in o) format = "samples";
      else if ("n" in o || "c" in o) format = "counts";
      else {
        throw new InputError(
          file,
          line,
          "correct",
          'missing: expected a per-sample record {"prompt", "correct", "grad"?} or a per-prompt record {"prompt", "n", "c"}',
        );
      }
    }
    const id = promptId(file, line, o.prompt);
    if (format === "counts") {
      if ("correct" in o)
        throw new InputError(
          file,
          line,
          "correct",
          "unexpected: line 1 started a per-prompt counts file (prompt, n, c)",
        );
      counts.add(line, id, o.n, o.c);
      return;
    }
    const cr = o.correct;
    let correct: boolean;
    if (cr === true || cr === 1) correct = true;
    else if (cr === false || cr === 0) correct = false;
    else if (cr === undefined) {
      const hint =
        "n" in o || "c" in o
          ? " (this looks like a per-prompt record, but the file started with per-sample records)"
          : "";
      throw new InputError(file, line, "correct", `missing${hint}`);
    } else
      throw new InputError(
        file,
        line,
        "correct",
        `must be true, false, 0 or 1, got ${describe(cr)}`,
      );
    const g = o.grad;
    let grad: unknown[] | null = null;
    if (g !== undefined && g !== null) {
      if (!Array.isArray(g))
        throw new InputError(file, line, "grad", `must be an array of numbers, got ${describe(g)}`);
      if (g.length === 0)
        throw new InputError(
          file,
          line,
          "grad",
          "must not be empty (omit the field when there is no gradient)",
        );
      for (let j = 0; j < g.length; j++) {
        const v = g[j];
        if (typeof v !== "number")
          throw new InputError(file, line, `grad[${j}]`, `must be a number, got ${describe(v)}`);
        if (!Number.isFinite(v))
          throw new InputError(
            file,
            line,
            `grad[${j}]`,
            `must be finite, got ${show(v)} (overflow?)`,
          );
        if (Math.abs(v) > MAX_ABS_GRAD)
          throw new InputError(
            file,
            line,
            `grad[${j}]`,
            `|${show(v)}| > 1e100: sums of squares and inner products of such values overflow ` +
              "float64; rescale the gradients (a common factor changes no sign, share or cosine)",
          );
      }
      grad = g;
    }
    const d = grad === null ? 0 : grad.length;
    if (acc.d === -1) {
      acc.d = d;
      acc.dLine = line;
    } else if (d !== acc.d) {
      const detail =
        acc.d === 0
          ? `present here, but the first record (line ${acc.dLine}) has no gradient; give every line a gradient or none`
          : d === 0
            ? `missing, but the first record (line ${acc.dLine}) has a gradient of length ${acc.d}`
            : `has length ${d}, but the first record (line ${acc.dLine}) has length ${acc.d}`;
      throw new InputError(file, line, "grad", detail);
    }
    acc.push(id, correct, grad as number[] | null, line);
  });
  if (records === 0) throw emptyFile(file);
  return format === "counts" ? counts.result(records) : acc.result("samples", records);
}

export async function loadCountsCsv(file: string): Promise<SampleData> {
  const table = new CountTable(file);
  let header: string[] | null = null;
  let col = { prompt: -1, n: -1, c: -1 };
  let records = 0;
  await forEachCsvRecord(file, (text, line) => {
    if (text.trim() === "") return;
    const fields = splitCsvLine(text);
    if (fields === null)
      throw new InputError(
        file,
        line,
        null,
        "malformed CSV (unterminated quote or text after a closing quote)",
      );
    if (header === null) {
      header = fields;
      col = { prompt: fields.indexOf("prompt"), n: fields.indexOf("n"), c: fields.indexOf("c") };
      for (const name of ["prompt", "n", "c"] as const) {
        if (col[name] === -1)
          throw new InputError(
            file,
            line,
            name,
            `missing from the header row (got columns ${fields.join(",")}; need prompt,n,c)`,
          );
      }
      return;
    }
    records++;
    if (fields.length !== header.length) {
      throw new InputError(
        file,
        line,
        null,
        `expected ${header.length} fields like the header, got ${fields.length}`,
      );
    }
    const num = (name: "n" | "c"): unknown => {
      const s = fields[col[name]];
      if (s === "") return undefined;
      if (/^[+-]?\d+$/.test(s)) return Number(s);
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s); // rejected below as non-integer
      throw new InputError(file, line, name, `must be an integer, got ${show(s)}`);
    };
    const id = fields[col.prompt];
    if (id === "") throw new InputError(file, line, "prompt", "missing");
    table.add(line, id, num("n"), num("c"));
  });
  if (header === null) throw emptyFile(file);
  if (records === 0) throw new InputError(file, 2, null, "the file has a header but no rows");
  return table.result(records);
}

/** Loads either format: `.csv` ⇒ {@link loadCountsCsv}, anything else ⇒ {@link loadJsonl}. */
export async function loadData(file: string): Promise<SampleData> {
  try {
    await fs.promises.access(file, fs.constants.R_OK);
  } catch {
    throw new InputError(file, 0, null, "cannot read the file (missing or not readable)");
  }
  if ((await fs.promises.stat(file)).isDirectory())
    throw new InputError(file, 0, null, "is a folder, not a file");
  return file.toLowerCase().endsWith(".csv") ? loadCountsCsv(file) : loadJsonl(file);
}
