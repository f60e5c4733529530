/**
 * Markdown in the notebooks renders the same in JupyterLab, VS Code, GitHub and nbconvert: no `*`
 * that would be read as emphasis where none is meant (scripts/markdownStars.ts). The fixer is
 * scripts/fix-markdown-stars.ts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  fixStrayStars,
  fixTemplateStars,
  notebookStrayStars,
  strayStars,
} from "../scripts/markdownStars";
import { main as fixMain } from "../scripts/fix-markdown-stars";

const ROOT = path.resolve(__dirname, "..");
const stars = (s: string) => strayStars(s).map((x) => x.offset);

describe("stray stars", () => {
  test("emphasis, bold, bullets, rules, code, math and escapes are not flagged", () => {
    for (const ok of [
      "*italic* and **bold** and ***both***",
      "* a bullet\n* another, with *emphasis*",
      "***",
      "`k*` in code and ```\nk* in a fence\n```",
      "$k^*$ and $$k^* = 3$$ and \\(k^*\\)",
      "an escaped k\\* star",
      'a <span style="a*b">tag</span>',
      "**Claim 2** (PAPER.md): *positively* if $\\kappa > 0$.",
    ])
      assert.deepEqual(stars(ok), [], ok);
  });

  test("k* in prose, intraword stars and unmatched openers are flagged, at the star", () => {
    assert.deepEqual(stars("the first conflicting k* grows"), [23]);
    assert.deepEqual(stars("k* and k* again"), [1, 8]);
    assert.deepEqual(stars("a *b c"), [2]);
    assert.deepEqual(stars("2 * 3"), [2]);
    assert.deepEqual(stars("*a*\n\nb*"), [6], "emphasis does not cross a blank line");
  });

  test("the fix writes $k^*$ for a letter, \\* otherwise, and leaves nothing stray", () => {
    assert.equal(fixStrayStars("the first k* grows"), "the first $k^*$ grows");
    assert.equal(fixStrayStars("2 * 3 and *emph*"), "2 \\* 3 and *emph*");
    for (const s of ["k* and k*", "x*y*z", "a *b c", "**bold** k*"])
      assert.deepEqual(strayStars(fixStrayStars(s)), [], s);
  });

  test("in code, only template-literal text gets k\\*: expressions, strings and comments are kept", () => {
    const src =
      "showMarkdown(`closed form k* = **${x * 2}**, ⌊k*⌋ + 1 = ${f(`k*`)}`); // k* here\n" +
      'const s = "k*"; const p = k*(2);';
    const fixed = fixTemplateStars(src);
    assert.equal(
      fixed,
      "showMarkdown(`closed form k\\\\* = **${x * 2}**, ⌊k\\\\*⌋ + 1 = ${f(`k\\\\*`)}`); // k* here\n" +
        'const s = "k*"; const p = k*(2);',
    );
    // what the fixed template builds: a markdown string with k\* (a literal star)
    const built = "closed form k\\* = **4**";
    assert.deepEqual(strayStars(built), []);
  });

  test("the fixer script rewrites only stray stars, keeps the runner's JSON format, --check exits 1", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-md-"));
    const nb = {
      cells: [
        { cell_type: "markdown", metadata: {}, source: ["# T\n", "k* grows, *really*\n"] },
        { cell_type: "code", metadata: {}, source: ["const k* = 1"], outputs: [] },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    const file = path.join(dir, "01-a.ipynb");
    fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
    const log = console.log;
    console.log = () => undefined;
    try {
      assert.equal(fixMain(["--check", "--dir", dir]), 1);
      assert.equal(fixMain(["--dir", dir]), 0);
      assert.equal(fixMain(["--check", "--dir", dir]), 0);
    } finally {
      console.log = log;
    }
    const text = fs.readFileSync(file, "utf8");
    const out = JSON.parse(text);
    assert.equal(text, JSON.stringify(out, null, 1) + "\n");
    assert.deepEqual(out.cells[0].source, ["# T\n", "$k^*$ grows, *really*\n"]);
    assert.deepEqual(out.cells[1].source, ["const k* = 1"], "code cells untouched");
  });
});

describe("notebooks", () => {
  const files = fs
    .readdirSync(path.join(ROOT, "notebooks"))
    .filter((f) => f.endsWith(".ipynb"))
    .sort();
  test("no markdown cell, and no markdown a code cell displayed, has a star read as emphasis where none is meant", () => {
    const failures = files.flatMap((f) =>
      notebookStrayStars(
        JSON.parse(fs.readFileSync(path.join(ROOT, "notebooks", f), "utf8")),
      ).flatMap(({ cell, kind, stars: s }) =>
        s.map(
          (x) =>
            `notebooks/${f}: cell ${cell} (${kind === "markdown" ? "markdown" : "the markdown it displayed"}), ` +
            `line ${x.line}: ${x.context}`,
        ),
      ),
    );
    assert.deepEqual(
      failures,
      [],
      `\n  ${failures.join("\n  ")}\n  fix: npx tsx scripts/fix-markdown-stars.ts, then re-run the ` +
        "notebooks whose code cells it changed (their outputs are built from template strings)",
    );
  });
});
