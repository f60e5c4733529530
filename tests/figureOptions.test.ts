/**
 * The figures command's options (scripts/figureOptions.ts) and the INDEX.md gallery; the CLI run
 * end to end without a browser.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import {
  checkOnly,
  defaultOutDir,
  galleryMarkdown,
  parseFigureArgs,
  UsageError,
} from "../scripts/figureOptions";
import { collectFigures } from "../scripts/figures";
import { makeFixtureProject } from "./helpers/figureNotebooks";

const ROOT = path.resolve(__dirname, "..");

describe("figure options", () => {
  test("defaults: notebook preset, all formats, the committed figures/ folder", () => {
    const o = parseFigureArgs([]);
    assert.equal(o.preset, "notebook");
    assert.deepEqual(o.formats, ["svg", "png", "pdf", "html"]);
    assert.equal(o.outDir, "figures");
    assert.deepEqual(o.style, {});
    assert.equal(o.only, undefined);
  });

  test("any other preset or a style option goes to figures/<preset>/, unless --out says where", () => {
    assert.equal(parseFigureArgs(["--preset", "paper"]).outDir, path.join("figures", "paper"));
    assert.equal(parseFigureArgs(["--preset", "slide"]).outDir, path.join("figures", "slides"));
    assert.equal(parseFigureArgs(["--no-title"]).outDir, path.join("figures", "notebook"));
    assert.equal(parseFigureArgs(["--preset", "paper", "--out", "x"]).outDir, "x");
    assert.equal(defaultOutDir("notebook"), "figures");
  });

  test("--width, --font-size, --no-title, --formats and --only (comma lists, repeatable)", () => {
    const o = parseFigureArgs([
      "--preset",
      "paper-double",
      "--width",
      "500",
      "--font-size",
      "11",
      "--no-title",
      "--formats",
      "svg,png",
      "--only",
      "a,b",
      "--only",
      "c",
    ]);
    assert.deepEqual(o.style, { width: 500, fontSize: 11, title: false });
    assert.deepEqual(o.formats, ["svg", "png"]);
    assert.deepEqual(o.only, ["a", "b", "c"]);
  });

  test("bad values are usage errors naming the option", () => {
    const bad: [string[], RegExp][] = [
      [["--preset", "poster"], /^--preset must be one of notebook \| screen \| paper/],
      [["--width", "abc"], /^--width must be a positive number of px, got "abc"/],
      [["--preset", "paper", "--font-size", "8"], /^--font-size must be in \[9\.4, 72\] px/],
      [["--formats", "svg,gif"], /^--formats: unknown format "gif"; valid: svg, png, pdf, html/],
      [["--only", ","], /^--only: give at least one figure id/],
      [["--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [args, re] of bad) {
      assert.throws(
        () => parseFigureArgs(args),
        (err: Error) => {
          assert.ok(err instanceof UsageError, `${args}: ${err}`);
          assert.match(err.message, re);
          return true;
        },
      );
    }
  });

  test("an unknown --only id is an error listing the valid ids", () => {
    assert.doesNotThrow(() => checkOnly(["a"], ["a", "b"]));
    assert.throws(() => checkOnly(["a", "zz"], ["a", "b"]), {
      message: '--only: unknown figure id "zz"; valid ids: a, b',
    });
  });
});

describe("gallery", () => {
  test("every figure as an image with its caption and the notebook cell that makes it", () => {
    const root = makeFixtureProject();
    const { figures } = collectFigures(path.join(root, "notebooks"));
    const md = galleryMarkdown(figures, (f) => f === "fx-lines.png" || f === "fx-kernel.svg");
    assert.match(md, /## Gallery/);
    assert.match(md, /### fx-lines\n\n!\[Pass@1 falls[^\]]*\]\(fx-lines\.png\)/);
    assert.match(md, /!\[[^\]]*\]\(fx-kernel\.svg\)/, "SVG when there is no PNG");
    assert.match(md, /### fx-bars\n\n\(image not written\)/);
    assert.match(md, /\*Made by\* `notebooks\/01-a\.ipynb, cell 1` \*with\* `fixtureLines\(\)`/);
  });
});

describe("figures CLI", () => {
  const run = (root: string, ...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/figures.ts",
        "--notebooks",
        path.join(root, "notebooks"),
        ...args,
      ],
      { cwd: ROOT, env: { ...process.env, CHROMIUM_PATH: "none" }, encoding: "utf8" },
    );

  test("--only with an unknown id exits 2 listing the valid ids; --formats html writes only HTML", () => {
    const root = makeFixtureProject();
    const bad = run(root, "--only", "fx-lines,nope");
    assert.equal(bad.status, 2);
    assert.match(
      bad.stderr,
      /--only: unknown figure id "nope"; valid ids: fx-lines, fx-kernel, fx-bars/,
    );
    const out = path.join(root, "out");
    const ok = run(root, "--only", "fx-bars", "--formats", "html", "--out", out);
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    assert.ok(fs.existsSync(path.join(out, "fx-bars.html")));
    assert.ok(!fs.existsSync(path.join(out, "fx-lines.html")));
    assert.match(fs.readFileSync(path.join(out, "INDEX.md"), "utf8"), /## Gallery/);
  });
});
