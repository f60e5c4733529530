/**
 * The headless notebook runner (scripts/runner): outputs, errors, timeouts,
 * malformed input and crash safety. Each test executes real tslab kernels in
 * child processes on small notebooks written to a scratch folder inside the repo
 * (tslab resolves types and packages from the notebook's folder upwards).
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { runNotebooks, comparableOutputs } from "../scripts/runner/run";
import { parseNotebook, type CodeCell, type Notebook } from "../scripts/runner/nbformat";
import type { Renderer } from "../lib/export/renderTypes";

const ROOT = path.join(__dirname, "..");
let dir: string;

function notebook(cells: { type: "code" | "markdown"; src: string }[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: cells.map((c) =>
      c.type === "code"
        ? { cell_type: "code", metadata: {}, source: c.src, outputs: [], execution_count: null }
        : { cell_type: "markdown", metadata: {}, source: c.src },
    ),
  };
}

function writeNb(name: string, nb: Notebook): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
  return file;
}

const read = (file: string) => parseNotebook(file, fs.readFileSync(file, "utf8"));
const quiet = () => {};

before(() => {
  fs.mkdirSync(path.join(ROOT, ".tmp"), { recursive: true });
  dir = fs.mkdtempSync(path.join(ROOT, ".tmp", "runner-test-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("headless notebook runner", () => {
  test("stores streams, displays (with updates applied), execution counts and leaves sources unchanged", async () => {
    const srcs = [
      `const x: number = await Promise.resolve(21);\nconsole.log("x =", x * 2);`,
      `import * as tslab from "tslab";\nconst h = tslab.newDisplay();\nh.text("first");\nh.text("second");\ntslab.display.html("<b>bold</b>");`,
      `x + 1`,
    ];
    const nb = notebook([
      { type: "markdown", src: "# title" },
      ...srcs.map((src) => ({ type: "code" as const, src })),
    ]);
    const file = writeNb("a-ok.ipynb", nb);
    const [r] = await runNotebooks({ notebooks: [file], log: quiet, png: false });
    assert.equal(r.status, "ok");
    assert.equal(r.executed, 3);
    const out = read(file);
    assert.equal(out.nbformat, 4);
    assert.equal(out.nbformat_minor, 5);
    const code = out.cells.filter((c): c is CodeCell => c.cell_type === "code");
    assert.deepEqual(
      code.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)),
      srcs,
    );
    assert.deepEqual(
      code.map((c) => c.execution_count),
      [1, 2, 3],
    );
    assert.ok(
      out.cells.every((c) => typeof c.id === "string" && c.id.length > 0),
      "every cell has an id",
    );
    assert.deepEqual(comparableOutputs(code[0].outputs), ["stdout: x = 42\n"]);
    // The updatable display keeps one output holding the last value.
    assert.deepEqual(comparableOutputs(code[1].outputs), [
      "text/plain: second",
      "text/html: <b>bold</b>",
    ]);
    assert.deepEqual(comparableOutputs(code[2].outputs), ["stdout: 22\n"]);
  });

  test("a throwing cell is stored as a real error output, stops its notebook, and the next notebook still runs", async () => {
    const bad = writeNb(
      "b-bad.ipynb",
      notebook([
        { type: "code", src: `console.log("before");` },
        {
          type: "code",
          src: `function f(p: number) { if (p > 1) throw new RangeError("p must be in [0, 1], got " + p); }\nf(1.5);`,
        },
        { type: "code", src: `console.log("never");` },
      ]),
    );
    const good = writeNb(
      "c-good.ipynb",
      notebook([{ type: "code", src: `console.log("still runs");` }]),
    );
    const [rb, rg] = await runNotebooks({ notebooks: [bad, good], log: quiet, png: false });
    assert.equal(rb.status, "error");
    assert.equal(rb.failure?.cell, 2);
    assert.match(rb.failure!.message, /RangeError: p must be in \[0, 1\], got 1\.5/);
    const cells = read(bad).cells as CodeCell[];
    const err = cells[1].outputs.find((o) => o.output_type === "error");
    assert.ok(err && err.output_type === "error");
    assert.equal(err.ename, "RangeError");
    assert.equal(err.evalue, "p must be in [0, 1], got 1.5");
    assert.ok(err.traceback.length > 0 && err.traceback.some((l) => l.includes("RangeError")));
    assert.deepEqual(cells[2].outputs, [], "cells after the failure are not executed");
    assert.equal(cells[2].execution_count, null);
    assert.equal(rg.status, "ok");
    assert.deepEqual(comparableOutputs((read(good).cells[0] as CodeCell).outputs), [
      "stdout: still runs\n",
    ]);
  });

  test("a figure whose Plotly data is unchanged keeps its committed PNG; a changed one is rendered", async () => {
    const cell = (id: string, y: number) =>
      `import { showFigure } from "./lib/export/display";\n` +
      `await showFigure({ data: [{ type: "scatter", x: [0, 1], y: [0, ${y}] }], layout: {} }, { id: "${id}", caption: "c" });`;
    // tslab compiles only files under the notebook's folder: lib is linked in, as in notebooks/
    if (!fs.existsSync(path.join(dir, "lib")))
      fs.symlinkSync(path.join(ROOT, "lib"), path.join(dir, "lib"));
    // A stand-in renderer: each call returns a new image, as Chromium's anti-aliasing may.
    let calls = 0;
    const renderer = {
      toImage: async () => Buffer.from(`render ${++calls}`),
      close: async () => {},
    } as unknown as Renderer;
    const run = (file: string) =>
      runNotebooks({ notebooks: [file], log: quiet, getRenderer: async () => renderer });
    const pngOf = (file: string, cellIndex: number) => {
      const o = (read(file).cells[cellIndex] as CodeCell).outputs.find(
        (x) => x.output_type === "display_data",
      );
      return Buffer.from(
        String((o as { data: Record<string, unknown> }).data["image/png"]),
        "base64",
      ).toString();
    };
    // Two figures in one notebook: the second run leaves the first unchanged and changes the
    // second, so one re-run shows both what is kept and what is rendered again.
    const file = writeNb(
      "f-figure.ipynb",
      notebook([
        { type: "code", src: cell("t-fig-kept", 1) },
        { type: "code", src: cell("t-fig-changed", 3) },
      ]),
    );
    assert.equal((await run(file))[0].status, "ok");
    assert.deepEqual([pngOf(file, 0), pngOf(file, 1)], ["render 1", "render 2"]);
    const nb = read(file);
    (nb.cells[1] as CodeCell).source = cell("t-fig-changed", 2);
    fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
    assert.equal((await run(file))[0].status, "ok");
    assert.equal(
      pngOf(file, 0),
      "render 1",
      "unchanged data: the committed PNG stays, nothing rendered",
    );
    assert.equal(pngOf(file, 1), "render 3", "changed data: rendered again");
    assert.equal(calls, 3, "the re-run rendered the changed figure only");
    fs.unlinkSync(path.join(dir, "lib")); // the other tests run without lib beside them
  });

  test("a TypeScript type error becomes an error output naming the line", async () => {
    const file = writeNb("d-type.ipynb", notebook([{ type: "code", src: `const s: string = 3;` }]));
    const [r] = await runNotebooks({ notebooks: [file], log: quiet, png: false });
    assert.equal(r.status, "error");
    const err = (read(file).cells[0] as CodeCell).outputs[0];
    assert.ok(err.output_type === "error");
    assert.equal(err.ename, "TypeScriptError");
    assert.match(err.evalue, /line 1:7 - Type 'number' is not assignable to type 'string'/);
  });

  test("a hung cell is killed at the per-cell timeout and reported", async () => {
    const file = writeNb(
      "e-hang.ipynb",
      notebook([
        { type: "code", src: `console.log("start");` },
        // Blocks the kernel's thread for good, as \`while (true) {}\` does, without burning a core
        // for the whole timeout: the kernel cannot answer, only the runner's kill ends the cell.
        { type: "code", src: `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);` },
      ]),
    );
    const t0 = Date.now();
    const [r] = await runNotebooks({
      notebooks: [file],
      log: quiet,
      png: false,
      cellTimeoutSec: 2,
    });
    assert.ok(Date.now() - t0 < 30_000);
    assert.equal(r.status, "timeout");
    assert.equal(r.failure?.cell, 2);
    const out = (read(file).cells[1] as CodeCell).outputs;
    assert.equal(out[0].output_type, "error");
    assert.equal((out[0] as { ename: string }).ename, "CellTimeoutError");
  });

  test("no kernel process outlives the run (also the pre-started one of a notebook that turned out malformed)", async () => {
    const good = writeNb("i-kernels.ipynb", notebook([{ type: "code", src: `console.log(1);` }]));
    const bad = path.join(dir, "j-kernels.ipynb");
    fs.writeFileSync(bad, "{ not json");
    await runNotebooks({ notebooks: [good, bad, good], log: quiet, png: false });
    const kernels = () =>
      spawnSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" })
        .stdout.split("\n")
        .filter((l) => l.includes("kernel-child.js") && !l.includes("<defunct>"));
    const t0 = Date.now();
    while (kernels().length > 0 && Date.now() - t0 < 5000)
      await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(kernels(), []);
  });

  test("a malformed notebook gets an error naming the file and the place, and is left byte-for-byte untouched", async () => {
    const file = path.join(dir, "f-malformed.ipynb");
    const text = `{"nbformat": 4, "nbformat_minor": 5, "metadata": {},\n "cells": [ {"cell_type": "code", "source": "1" ,, ] }\n`;
    fs.writeFileSync(file, text);
    const lines: string[] = [];
    const [r] = await runNotebooks({ notebooks: [file], log: (l) => lines.push(l), png: false });
    assert.equal(r.status, "invalid");
    assert.match(r.failure!.message, /f-malformed\.ipynb: not valid JSON at line 2/);
    assert.equal(fs.readFileSync(file, "utf8"), text);
    const wrongShape = path.join(dir, "g-shape.ipynb");
    const shapeText = JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ cell_type: "code", source: 7 }],
    });
    fs.writeFileSync(wrongShape, shapeText);
    const [r2] = await runNotebooks({ notebooks: [wrongShape], log: quiet, png: false });
    assert.match(
      r2.failure!.message,
      /g-shape\.ipynb: cell 1: field "source" must be a string or a list of strings/,
    );
    assert.equal(fs.readFileSync(wrongShape, "utf8"), shapeText);
  });

  test("a run killed in the middle of writing a notebook leaves the previous file intact", () => {
    const nb = notebook([{ type: "code", src: `console.log("new output");` }]);
    const file = writeNb("h-crash.ipynb", nb);
    const before = fs.readFileSync(file, "utf8");
    const res = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(ROOT, "scripts/run-notebooks.ts"),
        "--dir",
        dir,
        "h-crash",
        "--no-png",
      ],
      {
        env: { ...process.env, PASSK_TEST_CRASH_MID_WRITE: "h-crash.ipynb" },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    assert.equal(
      res.signal,
      "SIGKILL",
      `the runner should have been killed mid-write (status ${res.status}, stderr ${res.stderr})`,
    );
    assert.equal(fs.readFileSync(file, "utf8"), before);
    assert.doesNotThrow(() => read(file));
  });

  test("the CLI exits non-zero and names notebook, cell and error; --check finds changed outputs", () => {
    const cli = (args: string[]) =>
      spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(ROOT, "scripts/run-notebooks.ts"),
          "--dir",
          dir,
          "--no-png",
          ...args,
        ],
        {
          encoding: "utf8",
          timeout: 60_000,
        },
      );
    const bad = cli(["b-bad"]);
    assert.equal(bad.status, 1);
    assert.match(
      bad.stderr,
      /FAILED b-bad\.ipynb cell 2: RangeError: p must be in \[0, 1\], got 1\.5/,
    );
    // c-good was executed by an earlier test: an unchanged re-run passes --check...
    const ok = cli(["c-good", "--check"]);
    assert.equal(ok.status, 0, ok.stderr);
    // ...and a tampered committed output is reported.
    const file = path.join(dir, "c-good.ipynb");
    const nb = read(file);
    (nb.cells[0] as CodeCell).outputs = [
      { output_type: "stream", name: "stdout", text: ["something else\n"] },
    ];
    fs.writeFileSync(file, JSON.stringify(nb));
    const differs = cli(["c-good", "--check"]);
    assert.equal(differs.status, 1);
    assert.match(differs.stderr, /DIFFERS c-good\.ipynb: cells 1/);
    assert.match(differs.stdout + differs.stderr, /differs/);
  });
});
