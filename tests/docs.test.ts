/**
 * The docs stay true to the tree: every repository path named in a tracked source or markdown
 * file exists, ARCHITECTURE.md names every lib/ file in its folder's row, and README's layout
 * block names every top-level lib/ folder.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
  .split("\n")
  .filter((f) => f !== "" && fs.existsSync(path.join(ROOT, f)));

/** Paths like lib/theory/passAtK.ts or scripts/runner/run.ts mentioned in text. */
const PATH_RE =
  /(?<![\w/.-])((?:lib|scripts|tests|bench|exporters|notebooks|data)\/[\w./-]*\w\.(?:ts|js|cjs|py|wat|ipynb|md|json|csv|jsonl))\b/g;

describe("docs name files that exist", () => {
  test("every repository path mentioned in tracked .ts/.js/.md/.py files and notebooks exists", () => {
    const missing: string[] = [];
    for (const f of tracked) {
      if (!/\.(ts|js|cjs|mjs|md|py|ipynb)$/.test(f) || f.startsWith("tests/__snapshots__/"))
        continue;
      if (f === "bench/RESULTS.md") continue; // a dated log: it may name files since removed
      if (f.startsWith("data/real/")) continue; // copied unchanged: paths in the upstream repositories
      const text = fs.readFileSync(path.join(ROOT, f), "utf8");
      for (const m of text.matchAll(PATH_RE)) {
        const p = m[1];
        if (p.includes("*") || p.includes("NN") || /\bx\.test\.ts$/.test(p)) continue; // patterns
        // relative to the repository or to the file's folder or one of its parents
        const bases = path
          .dirname(f)
          .split("/")
          .map((_, i, parts) => parts.slice(0, i + 1).join("/"));
        const found = ["", ...bases].some((b) => fs.existsSync(path.join(ROOT, b, p)));
        if (!found) missing.push(`${f}: ${p}`);
      }
    }
    assert.deepEqual(
      missing,
      [],
      `paths named in files but not in the tree:\n${missing.join("\n")}`,
    );
  });

  test("ARCHITECTURE.md names every lib/ file in its folder's row", () => {
    const arch = fs.readFileSync(path.join(ROOT, "ARCHITECTURE.md"), "utf8");
    const rows = new Map<string, string>();
    for (const line of arch.split("\n")) {
      const m = /^\| `(\w+)\/` \| (.*) \|$/.exec(line);
      if (m) rows.set(m[1], m[2]);
    }
    const unnamed: string[] = [];
    for (const dir of fs.readdirSync(path.join(ROOT, "lib"))) {
      const full = path.join(ROOT, "lib", dir);
      if (!fs.statSync(full).isDirectory()) continue;
      const row = rows.get(dir);
      if (row === undefined) {
        unnamed.push(`lib/${dir}/ has no row`);
        continue;
      }
      for (const file of fs.readdirSync(full)) {
        const base = file.replace(/\.(ts|wat)$/, "");
        if (base === "index" || !/\.ts$/.test(file)) continue;
        if (!row.includes(`\`${base}\``) && !row.includes(`\`${base}/\``))
          unnamed.push(`lib/${dir}/${file}`);
      }
    }
    assert.deepEqual(
      unnamed,
      [],
      `lib files ARCHITECTURE.md does not name:\n${unnamed.join("\n")}`,
    );
  });

  test("README's layout block names every lib/ folder", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const layout = readme.slice(readme.indexOf("## Layout"), readme.indexOf("## Dependencies"));
    for (const dir of fs.readdirSync(path.join(ROOT, "lib"))) {
      if (!fs.statSync(path.join(ROOT, "lib", dir)).isDirectory()) continue;
      assert.match(layout, new RegExp(`\\n  ${dir}/ `), `README layout lacks lib/${dir}/`);
    }
  });
});
