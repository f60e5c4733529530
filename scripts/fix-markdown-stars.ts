/**
 * `npx tsx scripts/fix-markdown-stars.ts [--check] [--dir DIR]`
 *
 * Escapes the `*` in notebook markdown cells that would be read as emphasis where none is meant
 * (scripts/markdownStars.ts): `k*` becomes `$k^*$`, any other stray star `\*`. A code cell whose
 * displayed markdown (showMarkdown) has such a star gets `k\\*` in its template strings instead
 * (re-run the notebook to refresh its outputs). Rewrites only the
 * notebooks that change, as the notebook runner writes them (JSON, one-space indent, final
 * newline), atomically. With --check it changes nothing, lists the cells and exits 1 if any.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { writeFileAtomic } from "../lib/export/atomicFile";
import { fixStrayStars, fixTemplateStars, notebookStrayStars } from "./markdownStars";

/** Splits a cell source into nbformat's list of lines (each but the last ends with "\n"). */
function toLines(text: string): string[] {
  return text.split(/(?<=\n)/).filter((l) => l !== "");
}

export function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      check: { type: "boolean", default: false },
      dir: { type: "string", default: "notebooks" },
    },
    strict: true,
  });
  let found = 0;
  for (const file of fs
    .readdirSync(values.dir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()) {
    const nbPath = path.join(values.dir, file);
    const nb = JSON.parse(fs.readFileSync(nbPath, "utf8"));
    const stray = notebookStrayStars(nb);
    if (stray.length === 0) continue;
    for (const { cell, kind, stars } of stray) {
      found += stars.length;
      const what = kind === "markdown" ? "markdown" : "markdown output";
      for (const s of stars)
        console.log(`${nbPath}: cell ${cell} (${what}), line ${s.line}: ${s.context}`);
    }
    if (values.check) continue;
    for (const { cell, kind } of stray) {
      const c = nb.cells[cell];
      const source = Array.isArray(c.source) ? c.source.join("") : c.source;
      // A code cell's markdown comes from its template strings; its outputs change on re-run.
      const fixed = kind === "markdown" ? fixStrayStars(source) : fixTemplateStars(source);
      c.source = Array.isArray(c.source) ? toLines(fixed) : fixed;
    }
    writeFileAtomic(nbPath, JSON.stringify(nb, null, 1) + "\n");
    console.log(`${nbPath}: fixed ${stray.length} cell(s)`);
  }
  if (found === 0) console.log("markdown stars: none stray");
  return values.check && found > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
