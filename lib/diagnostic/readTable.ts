/**
 * Streaming reader of per-prompt correctness tables with extra fields (issue 15; data/real/):
 * several models in one file (a `model` column or field) and group fields (e.g. MATH `level`).
 * lib/diagnostic/read.ts reads one model's samples (with gradients); this reader reads counts only
 * and keeps, per (model, prompt), just n, c and the group value.
 *
 * Formats (decided by the first record):
 * - per-prompt counts: JSONL `{"prompt": "<id>", "n": 10, "c": 3, ...}` or CSV with a header row
 *   containing `prompt,n,c`;
 * - per-sample flags: JSONL `{"prompt": "<id>", "correct": true|false|0|1, ...}` or CSV with a
 *   header containing `prompt,correct`; the rows of one prompt need not be adjacent.
 * Either may carry a `model` field (then every record must) and any other fields; `groupBy`
 * names one of them, whose value must be the same on every record of a (model, prompt).
 *
 * Memory is O(models × prompts), whatever the number of lines. Every problem throws an
 * {@link InputError} naming the file, the line and the field.
 */
import * as fs from "fs";
import { InputError } from "../core/samples";
import { show } from "../core/validate";
import { forEachCsvRecord, forEachLine, splitCsvLine } from "./read";

/** One prompt's counts. */
export interface PromptCounts {
  /** Prompt id as written (integers as their decimal string). */
  readonly id: string;
  /** Line of the prompt's first record. */
  readonly line: number;
  /** Samples n ≥ 1. */
  n: number;
  /** Correct samples, 0 ≤ c ≤ n. */
  c: number;
  /** Value of the `groupBy` field (as a string), or null without `groupBy`. */
  readonly group: string | null;
}

/** A file read by {@link readCountTable}. */
export interface CountTable {
  /** The file path. */
  source: string;
  /** "counts": per-prompt (n, c) records; "samples": per-sample correct flags. */
  format: "counts" | "samples";
  /** Whether the file has a `model` field. */
  hasModel: boolean;
  /**
   * Model name → its prompts in order of first appearance; a file without a `model` field has the
   * single key "" . With `model` in the options, only that model.
   */
  models: Map<string, PromptCounts[]>;
  /** The field grouped by, or null. */
  groupBy: string | null;
  /** Records read (non-blank lines, without a CSV header), including other models' rows. */
  records: number;
}

/** Options of {@link readCountTable}. */
export interface ReadTableOptions {
  /** Field whose value each prompt is grouped by (`--group`). */
  groupBy?: string | null;
  /** Keep only this model (`--model`); the file must have a `model` field naming it. */
  model?: string | null;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${show(v)}`;
}

/** A string or integer key field (prompt, model, group value). */
function keyField(file: string, line: number, name: string, v: unknown): string {
  if (v === undefined || v === null || v === "") throw new InputError(file, line, name, "missing");
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "boolean") return String(v);
  throw new InputError(file, line, name, `must be a string or a number, got ${describe(v)}`);
}

function intField(file: string, line: number, name: string, v: unknown, min: number): number {
  if (v === undefined || v === null || v === "") throw new InputError(file, line, name, "missing");
  const x = typeof v === "string" && /^[+-]?\d+(\.0*)?$/.test(v.trim()) ? Number(v) : v;
  if (typeof x !== "number" || !Number.isInteger(x))
    throw new InputError(file, line, name, `must be an integer, got ${describe(v)}`);
  if (x < min) throw new InputError(file, line, name, `must be ≥ ${min}, got ${x}`);
  return x;
}

function correctField(file: string, line: number, v: unknown): boolean {
  if (v === true || v === 1 || v === "1" || v === "true" || v === "True") return true;
  if (v === false || v === 0 || v === "0" || v === "false" || v === "False") return false;
  if (v === undefined || v === "") throw new InputError(file, line, "correct", "missing");
  throw new InputError(file, line, "correct", `must be true, false, 0 or 1, got ${describe(v)}`);
}

/** Accumulates records of either format into per-model prompt tables. */
class TableBuilder {
  format: "counts" | "samples" | null = null;
  hasModel: boolean | null = null;
  records = 0;
  modelSeen = false;
  private readonly slots = new Map<string, Map<string, PromptCounts>>();

  constructor(
    readonly file: string,
    readonly groupBy: string | null,
    readonly model: string | null,
  ) {}

  /** `get(name)` returns the raw field value of the record, undefined when absent. */
  add(line: number, get: (name: string) => unknown, has: (name: string) => boolean): void {
    const file = this.file;
    this.records++;
    if (this.format === null) {
      if (has("correct")) this.format = "samples";
      else if (has("n") || has("c")) this.format = "counts";
      else
        throw new InputError(
          file,
          line,
          "correct",
          "missing: expected per-prompt counts (prompt, n, c) or per-sample flags (prompt, correct)",
        );
      this.hasModel = has("model");
      if (this.model !== null && !this.hasModel)
        throw new InputError(
          file,
          line,
          "model",
          `missing: a model (${show(this.model)}) was selected but the file has no model field`,
        );
    }
    const modelName = this.hasModel ? keyField(file, line, "model", get("model")) : "";
    if (this.model !== null && modelName !== this.model) return;
    this.modelSeen = true;
    const id = keyField(file, line, "prompt", get("prompt"));
    const group =
      this.groupBy === null ? null : keyField(file, line, this.groupBy, get(this.groupBy));
    let table = this.slots.get(modelName);
    if (table === undefined) {
      table = new Map();
      this.slots.set(modelName, table);
    }
    const slot = table.get(id);
    if (this.format === "counts") {
      if (has("correct"))
        throw new InputError(
          file,
          line,
          "correct",
          "unexpected: the file started as per-prompt counts",
        );
      const n = intField(file, line, "n", get("n"), 1);
      const c = intField(file, line, "c", get("c"), 0);
      if (c > n) throw new InputError(file, line, "c", `must be ≤ n = ${n}, got ${c}`);
      if (slot !== undefined) {
        const who = this.hasModel ? ` for model ${show(modelName)}` : "";
        throw new InputError(
          file,
          line,
          "prompt",
          `${show(id)}${who} already appeared on line ${slot.line} (duplicate prompt id)`,
        );
      }
      table.set(id, { id, line, n, c, group });
      return;
    }
    if (!has("correct")) {
      const hint = has("n") ? " (a per-prompt record in a per-sample file)" : "";
      throw new InputError(file, line, "correct", `missing${hint}`);
    }
    const ok = correctField(file, line, get("correct"));
    if (slot === undefined) {
      table.set(id, { id, line, n: 1, c: ok ? 1 : 0, group });
      return;
    }
    if (slot.group !== group)
      throw new InputError(
        file,
        line,
        this.groupBy as string,
        `${show(group)} differs from ${show(slot.group)} on line ${slot.line} for prompt ${show(id)}`,
      );
    slot.n++;
    if (ok) slot.c++;
  }

  result(): CountTable {
    const file = this.file;
    if (this.records === 0)
      throw new InputError(file, 1, null, "the file has no records (empty file)");
    if (this.model !== null && !this.modelSeen)
      throw new InputError(file, 0, "model", `no rows for model ${show(this.model)}`);
    const models = new Map<string, PromptCounts[]>();
    for (const [name, table] of this.slots) {
      models.set(name, [...table.values()]);
      table.clear(); // release the id index before the analysis
    }
    return {
      source: file,
      format: this.format as "counts" | "samples",
      hasModel: this.hasModel === true,
      models,
      groupBy: this.groupBy,
      records: this.records,
    };
  }
}

async function readJsonl(b: TableBuilder): Promise<void> {
  await forEachLine(b.file, (text, line) => {
    if (text.trim() === "") return;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch (err) {
      throw new InputError(b.file, line, null, `malformed JSON (${(err as Error).message})`);
    }
    if (rec === null || typeof rec !== "object" || Array.isArray(rec))
      throw new InputError(b.file, line, null, `expected a JSON object, got ${describe(rec)}`);
    const o = rec as Record<string, unknown>;
    b.add(
      line,
      (name) => o[name],
      (name) => o[name] !== undefined,
    );
  });
}

async function readCsv(b: TableBuilder): Promise<void> {
  let header: string[] | null = null;
  let col = new Map<string, number>();
  await forEachCsvRecord(b.file, (text, line) => {
    if (text.trim() === "") return;
    const fields = splitCsvLine(text);
    if (fields === null)
      throw new InputError(
        b.file,
        line,
        null,
        "malformed CSV (unterminated quote or text after a closing quote)",
      );
    if (header === null) {
      header = fields;
      col = new Map(fields.map((f, i) => [f, i]));
      if (!col.has("prompt"))
        throw new InputError(
          b.file,
          line,
          "prompt",
          `missing from the header row (got ${fields.join(",")})`,
        );
      if (!col.has("correct") && !(col.has("n") && col.has("c")))
        throw new InputError(
          b.file,
          line,
          col.has("n") ? "c" : "n",
          `missing from the header row (got ${fields.join(",")}; need prompt,n,c or prompt,correct)`,
        );
      if (b.groupBy !== null && !col.has(b.groupBy))
        throw new InputError(b.file, line, b.groupBy, `no such column (got ${fields.join(",")})`);
      return;
    }
    if (fields.length !== header.length)
      throw new InputError(
        b.file,
        line,
        null,
        `expected ${header.length} fields like the header, got ${fields.length}`,
      );
    b.add(
      line,
      (name) => {
        const i = col.get(name);
        return i === undefined ? undefined : fields[i];
      },
      (name) => col.has(name),
    );
  });
  if (header === null)
    throw new InputError(b.file, 1, null, "the file has no records (empty file)");
}

/**
 * Reads a counts or per-sample table (`.csv` ⇒ CSV, anything else ⇒ JSONL), streaming, into
 * per-model, per-prompt (n, c) tables. See the module comment for formats and errors; also throws
 * when `groupBy` is absent from a record, when its value changes between samples of one prompt,
 * and when `model` selects a model with no rows.
 *
 * @example (await readCountTable("data/real/cruxeval-input-models.csv", { model: "phi-1" }))
 *   .models.get("phi-1")?.length // => 800
 */
export async function readCountTable(
  file: string,
  opts: ReadTableOptions = {},
): Promise<CountTable> {
  try {
    await fs.promises.access(file, fs.constants.R_OK);
  } catch {
    throw new InputError(file, 0, null, "cannot read the file (missing or not readable)");
  }
  const b = new TableBuilder(file, opts.groupBy ?? null, opts.model ?? null);
  if (file.toLowerCase().endsWith(".csv")) await readCsv(b);
  else await readJsonl(b);
  return b.result();
}
