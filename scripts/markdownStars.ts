/**
 * Finds `*` in notebook markdown that a renderer would read as emphasis where none is meant
 * (e.g. "k* grows" or "k*-th": JupyterLab, VS Code and GitHub follow CommonMark, nbconvert's
 * mistune does not, and they disagree on such stars), and fixes them.
 *
 * A star counts as intended when it is part of a matched emphasis pair: an opening run (`*`,
 * `**`, `***`) at the start of a word (after a space, punctuation or the line start, before a
 * non-space) closed by a run of the same length at the end of a word, in the same paragraph; or
 * a list bullet (`* ` at the start of a line); or a rule (`***` alone). Everything else is
 * flagged. Stars inside code (fenced blocks, `code spans`), math ($…$, $$…$$, \(…\), \[…\])
 * and HTML tags are ignored, as are escaped stars (`\*`).
 *
 * Fixes: a single letter with a star (`k*`) becomes `$k^*$`; any other flagged star is escaped
 * as `\*`.
 */

/** One flagged star: offset in the cell source, and the line around it for messages. */
export interface StrayStar {
  offset: number;
  line: number;
  context: string;
}

/** `text` with code, math, HTML tags and escaped stars replaced by "x" (same length). */
export function maskIgnored(text: string): string {
  // Masked spans read as a word (letters), so `**`code`**` is still bold around them.
  const blank = (s: string) => s.replace(/[^\n]/g, "x");
  const patterns = [
    /^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\1[^\n]*$|$(?![\s\S]))/gm, // fenced code
    /\$\$[\s\S]*?\$\$/g, // display math
    /\\\[[\s\S]*?\\\]/g,
    /\\\([\s\S]*?\\\)/g,
    /(`+)[\s\S]*?\1/g, // code spans
    /(?<![\\$])\$(?!\s)(?:\\.|[^$\n\\])+?(?<!\s)\$/g, // inline math
    /<[A-Za-z/!][^>\n]*>/g, // HTML tags
    /\\\*/g, // escaped stars
  ];
  let out = text;
  for (const re of patterns) out = out.replace(re, blank);
  return out;
}

const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/** Stars in `source` (a markdown cell's text) that are not meant as emphasis. */
export function strayStars(source: string): StrayStar[] {
  const masked = maskIgnored(source);
  const flagged: number[] = [];
  // Paragraphs: emphasis never spans a blank line.
  const paragraphs = [...masked.matchAll(/(?:[^\n]*\S[^\n]*(?:\n|$))+/g)];
  for (const para of paragraphs) {
    const base = para.index ?? 0;
    const text = para[0];
    const stack: { at: number; len: number }[] = [];
    const runs = [...text.matchAll(/\*+/g)];
    for (const run of runs) {
      const at = run.index ?? 0;
      const len = run[0].length;
      const prev = text[at - 1];
      const next = text[at + len];
      const lineStart = text.lastIndexOf("\n", at - 1) + 1;
      const before = text.slice(lineStart, at);
      const after = text.slice(
        at + len,
        text.indexOf("\n", at) === -1 ? undefined : text.indexOf("\n", at),
      );
      if (len === 1 && /^\s*$/.test(before) && next === " ") continue; // list bullet
      if (len >= 3 && /^\s*$/.test(before) && /^[\s*]*$/.test(after)) continue; // rule
      const canOpen = !isSpace(next) && !isWordChar(prev);
      const canClose = !isSpace(prev) && !isWordChar(next);
      const match = canClose ? stack.map((s) => s.len).lastIndexOf(len) : -1;
      if (match >= 0) {
        // The matched opener closes here; openers after it in the stack stay unmatched.
        for (const s of stack.splice(match).slice(1))
          for (let i = 0; i < s.len; i++) flagged.push(base + s.at + i);
        continue;
      }
      if (canOpen) stack.push({ at, len });
      else for (let i = 0; i < len; i++) flagged.push(base + at + i);
    }
    for (const s of stack) for (let i = 0; i < s.len; i++) flagged.push(base + s.at + i);
  }
  return flagged
    .sort((a, b) => a - b)
    .map((offset) => {
      const lineNo = source.slice(0, offset).split("\n").length;
      const start = source.lastIndexOf("\n", offset - 1) + 1;
      const end = source.indexOf("\n", offset);
      const line = source.slice(start, end === -1 ? undefined : end);
      const col = offset - start;
      const context =
        line.slice(Math.max(0, col - 30), col) + "⟦*⟧" + line.slice(col + 1, col + 31);
      return { offset, line: lineNo, context };
    });
}

/** `source` with every stray star fixed: `k*` → `$k^*$`, other stars → `\*`. */
export function fixStrayStars(source: string): string {
  const stars = strayStars(source);
  let out = source;
  // Right to left, so earlier offsets stay valid.
  for (const { offset } of [...stars].reverse()) {
    const letter = out[offset - 1];
    const beforeLetter = out[offset - 2];
    const next = out[offset + 1];
    if (
      /^[A-Za-z]$/.test(letter ?? "") &&
      !isWordChar(beforeLetter) &&
      beforeLetter !== "\\" &&
      beforeLetter !== "$" &&
      !isWordChar(next) &&
      next !== "*" &&
      next !== "$"
    ) {
      out = `${out.slice(0, offset - 1)}$${letter}^*$${out.slice(offset + 1)}`;
    } else {
      out = `${out.slice(0, offset)}\\*${out.slice(offset + 1)}`;
    }
  }
  return out;
}

/**
 * A notebook's cells with stray stars: markdown cells (in their source) and code cells (in the
 * markdown they displayed). Cell index, kind, and the stars.
 */
export function notebookStrayStars(
  nb: unknown,
): { cell: number; kind: "markdown" | "output"; stars: StrayStar[] }[] {
  const cells = (nb as { cells?: unknown[] })?.cells;
  if (!Array.isArray(cells)) return [];
  const out: { cell: number; kind: "markdown" | "output"; stars: StrayStar[] }[] = [];
  cells.forEach((c, i) => {
    const cell = c as { cell_type?: string; source?: string | string[] };
    const markdown = cell?.cell_type === "markdown";
    const text = markdown
      ? Array.isArray(cell.source)
        ? cell.source.join("")
        : (cell.source ?? "")
      : markdownOutputs(cell);
    const stars = strayStars(text);
    if (stars.length > 0) out.push({ cell: i, kind: markdown ? "markdown" : "output", stars });
  });
  return out;
}

/**
 * Markdown a code cell displayed (`text/markdown` outputs, e.g. from showMarkdown), joined; ""
 * when it displayed none.
 */
export function markdownOutputs(cell: unknown): string {
  const outputs = (cell as { outputs?: unknown[] })?.outputs;
  if (!Array.isArray(outputs)) return "";
  return outputs
    .map((o) => (o as { data?: Record<string, unknown> })?.data?.["text/markdown"])
    .filter((md) => md !== undefined)
    .map((md) => (Array.isArray(md) ? md.join("") : String(md)))
    .join("\n\n");
}

/**
 * In TypeScript source, the text parts of template literals (outside `${…}`) with `k*` (a
 * single letter and a star, as in prose about k*) written `k\\*`, so the markdown the cell
 * builds shows a literal star. Comments, quoted strings and expressions are left alone.
 */
export function fixTemplateStars(source: string): string {
  let out = "";
  let i = 0;
  const fixText = (t: string) => t.replace(/(?<![\\\w$])([A-Za-z])\*(?![*A-Za-z0-9$])/g, "$1\\\\*");
  // Copies code from i up to the end or an unmatched "}" (end of a ${…}), handling templates.
  const code = (inTemplate: boolean): void => {
    let depth = 0;
    while (i < source.length) {
      const c = source[i];
      if (c === "/" && source[i + 1] === "/") {
        const end = source.indexOf("\n", i);
        const stop = end === -1 ? source.length : end;
        out += source.slice(i, stop);
        i = stop;
      } else if (c === "/" && source[i + 1] === "*") {
        const end = source.indexOf("*/", i + 2);
        const stop = end === -1 ? source.length : end + 2;
        out += source.slice(i, stop);
        i = stop;
      } else if (c === '"' || c === "'") {
        let j = i + 1;
        while (j < source.length && source[j] !== c && source[j] !== "\n")
          j += source[j] === "\\" ? 2 : 1;
        out += source.slice(i, j + 1);
        i = j + 1;
      } else if (c === "`") {
        out += c;
        i++;
        template();
      } else if (c === "{") {
        depth++;
        out += c;
        i++;
      } else if (c === "}") {
        if (inTemplate && depth === 0) return;
        depth--;
        out += c;
        i++;
      } else {
        out += c;
        i++;
      }
    }
  };
  // Copies a template literal's body after its opening backtick, through the closing one.
  const template = (): void => {
    let text = "";
    while (i < source.length) {
      const c = source[i];
      if (c === "\\") {
        text += source.slice(i, i + 2);
        i += 2;
      } else if (c === "`") {
        out += fixText(text) + c;
        i++;
        return;
      } else if (c === "$" && source[i + 1] === "{") {
        out += fixText(text) + "${";
        text = "";
        i += 2;
        code(true);
        if (i < source.length) out += "}";
        i++;
      } else {
        text += c;
        i++;
      }
    }
    out += fixText(text);
  };
  code(false);
  return out;
}
