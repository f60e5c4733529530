/**
 * Minimal nbformat 4.5 model: parse + validate a notebook file with errors that
 * name the file and the offending place, and serialise it the way Jupyter does
 * (1-space indent, trailing newline, multi-line strings as line lists).
 */
import * as fs from "fs";
import * as crypto from "crypto";

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  execution_count: number | null;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  outputs: Output[];
  execution_count: number | null;
}
export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

export class NotebookFormatError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "NotebookFormatError";
  }
}

export function joinSource(src: MultilineString): string {
  return Array.isArray(src) ? src.join("") : src;
}

/** Split text the way nbformat stores it: lines keep their "\n". */
export function splitLines(text: string): string[] {
  const parts = text.split(/(?<=\n)/);
  return parts.length === 1 && parts[0] === "" ? [] : parts;
}

function isMultiline(x: unknown): x is MultilineString {
  return typeof x === "string" || (Array.isArray(x) && x.every((s) => typeof s === "string"));
}

/** Parse and validate; throws NotebookFormatError naming the file and the place. */
export function parseNotebook(file: string, text: string): Notebook {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    let where = "";
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split("\n").length;
      const col = pos - before.lastIndexOf("\n");
      where = ` at line ${line}, column ${col}`;
    }
    throw new NotebookFormatError(file, `not valid JSON${where} (${msg})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new NotebookFormatError(
      file,
      "top level must be a JSON object with nbformat, metadata, cells",
    );
  }
  const nb = raw as Record<string, unknown>;
  if (nb.nbformat !== 4)
    throw new NotebookFormatError(
      file,
      `field "nbformat" must be 4, got ${JSON.stringify(nb.nbformat)}`,
    );
  if (typeof nb.nbformat_minor !== "number")
    throw new NotebookFormatError(file, `field "nbformat_minor" must be a number`);
  if (nb.metadata === null || typeof nb.metadata !== "object")
    throw new NotebookFormatError(file, `field "metadata" must be an object`);
  if (!Array.isArray(nb.cells))
    throw new NotebookFormatError(file, `field "cells" must be an array`);
  nb.cells.forEach((c: unknown, i: number) => {
    const where = `cell ${i + 1}`;
    if (c === null || typeof c !== "object")
      throw new NotebookFormatError(file, `${where} must be an object`);
    const cell = c as Record<string, unknown>;
    if (cell.cell_type !== "code" && cell.cell_type !== "markdown" && cell.cell_type !== "raw") {
      throw new NotebookFormatError(
        file,
        `${where}: field "cell_type" must be code, markdown or raw, got ${JSON.stringify(cell.cell_type)}`,
      );
    }
    if (!isMultiline(cell.source))
      throw new NotebookFormatError(
        file,
        `${where}: field "source" must be a string or a list of strings`,
      );
    if (cell.metadata === undefined) cell.metadata = {};
    if (cell.cell_type === "code") {
      if (cell.outputs === undefined) cell.outputs = [];
      if (!Array.isArray(cell.outputs))
        throw new NotebookFormatError(file, `${where}: field "outputs" must be an array`);
      if (cell.execution_count === undefined) cell.execution_count = null;
    }
  });
  return raw as Notebook;
}

export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new NotebookFormatError(file, `cannot read (${(e as Error).message})`);
  }
  return parseNotebook(file, text);
}

/** nbformat 4.5 requires cell ids; add stable ones where missing (sources untouched). */
export function ensureCellIds(nb: Notebook): void {
  const seen = new Set<string>();
  nb.cells.forEach((cell, i) => {
    if (
      typeof cell.id !== "string" ||
      !/^[a-zA-Z0-9-_]{1,64}$/.test(cell.id) ||
      seen.has(cell.id)
    ) {
      cell.id = crypto
        .createHash("sha1")
        .update(`${i}:${joinSource(cell.source)}`)
        .digest("hex")
        .slice(0, 8);
    }
    seen.add(cell.id);
  });
  if (nb.nbformat_minor < 5) nb.nbformat_minor = 5;
}

/** Jupyter's on-disk form: sorted keys are not required; 1-space indent and a final newline. */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}
