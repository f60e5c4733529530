/**
 * The opt-in end-to-end bench workloads of issue 17 (bench/workloads/startCold.ts, npmTests.ts,
 * firstCell.ts, clone.ts): the throwaway clone holds exactly the tracked files and never aliases
 * the real notebooks; notebooks are cut after their first code cell; the parsers read the
 * commands' real closing lines. (The workloads themselves take minutes: run with
 * `npm run bench -- --only NAME`.)
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { removeClone, ROOT, tempClone } from "../bench/workloads/clone";
import { cutAfterFirstCodeCell, parseCellMs } from "../bench/workloads/firstCell";
import { parseFirstCellLine, writeKernelspec } from "../bench/workloads/firstCellJupyter";
import { parseStartOutput } from "../bench/workloads/startCold";
import { parseNotebookCounts, parseTestCounts } from "../bench/workloads/npmTests";
import { WORKLOADS } from "../bench/workloads/index";

describe("end-to-end bench workloads", () => {
  test("tempClone copies every tracked file (and nothing else) into a new folder", () => {
    const dir = tempClone();
    try {
      const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT })
        .toString()
        .trim()
        .split("\n");
      for (const rel of tracked.filter((f) => fs.existsSync(path.join(ROOT, f))))
        assert.ok(fs.existsSync(path.join(dir, rel)), `missing ${rel}`);
      assert.ok(!fs.existsSync(path.join(dir, "bench", "out")), "bench/out is not tracked");
      assert.equal(
        fs.realpathSync(path.join(dir, "node_modules")),
        fs.realpathSync(path.join(ROOT, "node_modules")),
      );
      // a copy, not a link: writing into the clone leaves the real notebook alone
      const nb = fs.readdirSync(path.join(dir, "notebooks")).find((f) => f.endsWith(".ipynb"))!;
      const real = fs.readFileSync(path.join(ROOT, "notebooks", nb), "utf8");
      fs.writeFileSync(path.join(dir, "notebooks", nb), "{}");
      assert.equal(fs.readFileSync(path.join(ROOT, "notebooks", nb), "utf8"), real);
    } finally {
      removeClone(dir);
    }
    assert.ok(!fs.existsSync(dir));
  });

  test("cutAfterFirstCodeCell keeps the cells up to and including the first code cell", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-bench-e2e-"));
    try {
      const cells = [
        { cell_type: "markdown", source: ["# t"] },
        { cell_type: "code", source: ["1"] },
        { cell_type: "code", source: ["2"] },
      ];
      fs.writeFileSync(path.join(dir, "a.ipynb"), JSON.stringify({ cells, nbformat: 4 }));
      const [file] = cutAfterFirstCodeCell(dir);
      const nb = JSON.parse(fs.readFileSync(file, "utf8"));
      assert.deepEqual(nb.cells, cells.slice(0, 2));
      fs.writeFileSync(path.join(dir, "a.ipynb"), JSON.stringify({ cells: [cells[0]] }));
      assert.throws(() => cutAfterFirstCodeCell(dir), /no code cell/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the parsers read the commands' closing lines", () => {
    assert.deepEqual(
      parseStartOutput(
        "total 298.8 s\nfigures: 31/31 written to x in 9 s\nnotebooks: 9 passed, 0 failed",
      ),
      { passed: 9, failed: 0, figuresWritten: 31, figuresTotal: 31 },
    );
    assert.ok(Number.isNaN(parseStartOutput("crashed").passed));
    assert.deepEqual(parseTestCounts("ℹ tests 480\nℹ suites 90\nℹ pass 479\nℹ fail 1\n"), {
      tests: 480,
      pass: 479,
      fail: 1,
    });
    assert.deepEqual(parseNotebookCounts("notebooks: 8 passed, 1 failed"), {
      passed: 8,
      failed: 1,
    });
    assert.equal(parseCellMs("  progress\n  cell 2: 1834 ms\n  cell 3: 5 ms\n"), 1834);
    assert.ok(Number.isNaN(parseCellMs("nothing")));
    const line = '{"notebook": "00.ipynb", "ready_s": 2.1, "first_cell_s": 0.6, "status": "ok"}';
    assert.deepEqual(parseFirstCellLine(`noise\n${line}\n`), JSON.parse(line));
    assert.throws(() => parseFirstCellLine('{"notebook": "x"}'), /no timing/);
  });

  test("first-cell-jupyter's kernelspec runs the given command as tslab install writes it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-kspec-"));
    try {
      writeKernelspec(dir, "/repo/scripts/tslab-kernel.js");
      const spec = JSON.parse(
        fs.readFileSync(path.join(dir, "kernels", "tslab", "kernel.json"), "utf8"),
      );
      assert.deepEqual(spec.argv, [
        "/repo/scripts/tslab-kernel.js",
        "kernel",
        "--config-path",
        "{connection_file}",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the end-to-end workloads are opt-in; the default set is unchanged", () => {
    const optIn = WORKLOADS.filter((w) => w.optIn).map((w) => w.name);
    assert.deepEqual(optIn, [
      "start-cold",
      "test-unit",
      "test-notebooks",
      "first-cell",
      "first-cell-jupyter",
    ]);
    assert.ok(WORKLOADS.filter((w) => !w.optIn).some((w) => w.name === "agreement"));
  });
});
