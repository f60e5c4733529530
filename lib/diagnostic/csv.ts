/**
 * CSV records (RFC 4180): splitting a record into fields, writing a row with quoting where
 * needed, and reading a file record by record when quoted fields hold line breaks.
 */
import { InputError } from "../core/samples";
import { forEachLine, MAX_LINE_BYTES } from "./lines";

/**
 * Splits one CSV record into fields (RFC 4180 quoting; a quoted field may hold line breaks when
 * the caller joined the record's lines, as {@link loadCountsCsv} does; spaces around unquoted
 * fields are dropped). Returns null for an unterminated quote or text after a closing quote.
 *
 * @example splitCsvLine('a, "b ""c""",d') // => ["a", 'b "c"', "d"]
 */
export function splitCsvLine(text: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let q0 = i;
    while (text[q0] === " " || text[q0] === "\t") q0++; // spaces before a quoted field
    if (text[q0] === '"') {
      i = q0;
      let v = "";
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) return null; // unterminated quote
        v += text.slice(i, q);
        if (text[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      while (text[i] === " " || text[i] === "\t") i++;
      if (i === text.length) return out;
      if (text[i] !== ",") return null;
      i++;
    } else {
      const comma = text.indexOf(",", i);
      if (comma === -1) {
        out.push(text.slice(i).trim());
        return out;
      }
      out.push(text.slice(i, comma).trim());
      i = comma + 1;
    }
  }
}

/**
 * One CSV record (no line terminator) per RFC 4180: a field holding a comma, a double quote, a
 * line break, or leading/trailing spaces (which {@link splitCsvLine} would drop) is quoted, with
 * its quotes doubled. Numbers are written as JavaScript prints them (shortest round trip);
 * null/undefined as an empty field.
 *
 * @example formatCsvRow(["a", 'b "c"', 1.5, null]) // => 'a,"b ""c""",1.5,'
 */
export function formatCsvRow(fields: readonly (string | number | null | undefined)[]): string {
  return fields
    .map((f) => {
      if (f === null || f === undefined) return "";
      const s = String(f);
      return /[",\r\n]|^[ \t]|[ \t]$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(",");
}

export function countQuotes(text: string): number {
  let q = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) q++;
  return q;
}

/**
 * Loads a per-prompt counts CSV: a header row naming (at least) the columns `prompt`, `n`, `c`
 * in any order, then one row per prompt. n and c must be integer values (`12` or `12.0`; not
 * `12.5`, `NaN`, `inf` or empty).
 * A quoted field may span lines (RFC 4180), so prompt ids with line breaks read back (as \n);
 * errors name the line the record starts on.
 * Same errors as the counts case of {@link loadJsonl}, plus a missing column in the header and
 * a row with the wrong number of fields.
 */
/**
 * Calls `onRecord(text, line)` for each CSV record of a file: like {@link forEachLine}, but a
 * record whose quoted field holds line breaks (RFC 4180) is joined into one text (with \n) and
 * reported at its first line. A quote never closed within MAX_LINE_BYTES is an error.
 */
export async function forEachCsvRecord(
  file: string,
  onRecord: (text: string, line: number) => void,
): Promise<number> {
  let open: { parts: string[]; line: number; quotes: number; length: number } | null = null;
  const lines = await forEachLine(file, (lineText, lineNo) => {
    if (open !== null) {
      open.parts.push(lineText);
      open.quotes += countQuotes(lineText);
      open.length += lineText.length + 1;
      if (open.length > MAX_LINE_BYTES)
        throw new InputError(file, open.line, null, "malformed CSV (a quote is never closed)");
      if (open.quotes % 2 === 1) return;
      const rec = open;
      open = null;
      onRecord(rec.parts.join("\n"), rec.line);
      return;
    }
    const quotes = countQuotes(lineText);
    if (quotes % 2 === 1) {
      open = { parts: [lineText], line: lineNo, quotes, length: lineText.length };
      return;
    }
    onRecord(lineText, lineNo);
  });
  if (open !== null) {
    const rec: { line: number } = open;
    throw new InputError(
      file,
      rec.line,
      null,
      "malformed CSV (unterminated quote: it is never closed)",
    );
  }
  return lines;
}
