/**
 * Shared by the second-parameter-set tests (tests/notebookParams*.test.ts): copy a notebook into a
 * temp folder with its parameter cell edited, run copies with the headless runner in FAST mode,
 * and read back what a cell printed (markdown, tables, logs) or a figure's Plotly data.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runNotebooks } from "../../scripts/runner/run";

export const ROOT = path.join(__dirname, "..", "..");

interface Cell {
  cell_type: string;
  source: string[] | string;
  outputs?: { text?: string[] | string; data?: Record<string, unknown> }[];
}
interface Nb {
  cells: Cell[];
}

export const join = (s: string[] | string | undefined) =>
  Array.isArray(s) ? s.join("") : (s ?? "");

/**
 * A temp folder the copies can run in: `<tmp>/notebooks` with lib/, node_modules and
 * notebooks/lib.ts linked, and `<tmp>/data` linked to data/ (notebooks 09 and 10 read
 * `../data/real`, relative to the folder they run in).
 */
export function makeParamDir(): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "passk-params-"));
  fs.symlinkSync(path.join(ROOT, "data"), path.join(base, "data"));
  const dir = path.join(base, "notebooks");
  fs.mkdirSync(dir);
  fs.symlinkSync(path.join(ROOT, "lib"), path.join(dir, "lib"));
  // tslab type-checks lib/ from the temp folder: its packages must resolve from there too
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  fs.copyFileSync(path.join(ROOT, "notebooks", "lib.ts"), path.join(dir, "lib.ts"));
  return dir;
}

/** Copy notebook `name` into `dir` with `edits` applied to its parameter cell (each must match). */
export function copyWithParams(dir: string, name: string, edits: [string, string][]): string {
  const nb = JSON.parse(fs.readFileSync(path.join(ROOT, "notebooks", name), "utf8")) as Nb;
  const cell = nb.cells.find((c) => c.cell_type === "code")!;
  let src = join(cell.source);
  for (const [from, to] of edits) {
    assert.ok(src.includes(from), `${name}: parameter cell has no "${from}"`);
    src = src.replace(from, to);
  }
  cell.source = src;
  for (const c of nb.cells) if (c.cell_type === "code") c.outputs = [];
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
  return file;
}

/**
 * Run the copies in FAST mode, without PNGs. `strict` (default): every one must finish without an
 * error. Otherwise the failures are returned by file, so that each test can fail for its own
 * notebook only.
 */
export async function runCopies(files: string[], strict = true): Promise<Map<string, string>> {
  const results = await runNotebooks({ notebooks: files, fast: true, png: false, log: () => {} });
  const failed = new Map<string, string>();
  for (const r of results) {
    const why = `${r.notebook}: cell ${r.failure?.cell}: ${r.failure?.message}`;
    if (strict) assert.equal(r.status, "ok", why);
    else if (r.status !== "ok") failed.set(path.basename(r.notebook), why);
  }
  return failed;
}

/** Text (markdown, plain, stream) of the outputs of the code cell whose source has `marker`. */
export function outputsOf(file: string, marker: string): string {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as Nb;
  const cell = nb.cells.find((c) => c.cell_type === "code" && join(c.source).includes(marker));
  assert.ok(cell, `${path.basename(file)}: no code cell containing "${marker}"`);
  return cell!
    .outputs!.map((o) => {
      if (o.text !== undefined) return join(o.text);
      const d = o.data ?? {};
      return join((d["text/markdown"] ?? d["text/plain"] ?? "") as string[] | string);
    })
    .join("\n");
}

/** A Plotly trace as the figure output stores it. */
export interface Trace {
  name?: string;
  x?: unknown[];
  y?: unknown[];
  z?: (number | null)[][];
  [key: string]: unknown;
}

/** Plotly figure data of the output with figure id `id`. */
export function figureData(file: string, id: string): Trace[] {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as Nb;
  for (const c of nb.cells)
    for (const o of c.outputs ?? []) {
      const d = o.data ?? {};
      if (join(d["text/plain"] as string[] | string).includes(`[figure ${id}]`))
        return (d["application/vnd.plotly.v1+json"] as { data: Trace[] }).data;
    }
  throw new Error(`no figure ${id} in ${file}`);
}

/** Rows of a printed table: lines starting with an integer k, as arrays of numbers. */
export function numericRows(text: string): number[][] {
  return text
    .split("\n")
    .filter((l) => /^\s*\d+\s+-?[\d.]/.test(l))
    .map((l) => l.trim().split(/\s+/).map(Number));
}

/** Rows of a printed table whose first cells are text: fields split on runs of ≥ 2 spaces. */
export function tableRows(text: string, startsWith: RegExp): string[][] {
  return text
    .split("\n")
    .filter((l) => startsWith.test(l.trim()))
    .map((l) => l.trim().split(/\s{2,}/));
}

/** The first capture group of `re` in `text` (fails the test when there is none). */
export const first = (text: string, re: RegExp): string => {
  const m = text.match(re);
  assert.ok(m, `no match for ${re} in:\n${text}`);
  return m![1];
};

/** Remove a temp folder made by {@link makeParamDir}. */
export const removeDir = (dir: string) =>
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
