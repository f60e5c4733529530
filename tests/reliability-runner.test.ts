/**
 * Issue 21 (data loss) and issue 14 (orphaned kernels) for the notebook runner: an interrupted
 * run writes nothing and leaves no kernel behind; a run without Chromium keeps the committed
 * PNGs; a failing cell keeps the committed outputs of the cells after it; a cell printing
 * megabytes stores a capped amount with a visible note. Every test runs the runner on small
 * notebooks in a scratch folder inside the repo (tslab resolves packages from there upwards).
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import { runNotebooks } from "../scripts/runner/run";
import { parseNotebook, type CodeCell, type Notebook } from "../scripts/runner/nbformat";

const ROOT = path.join(__dirname, "..");
const PLOTLY_MIME = "application/vnd.plotly.v1+json";
let dir: string;

function notebook(srcs: string[], outputs: unknown[][] = []): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: srcs.map((src, i) => ({
      cell_type: "code",
      id: `c${i}`,
      metadata: {},
      source: src,
      outputs: (outputs[i] ?? []) as CodeCell["outputs"],
      execution_count: outputs[i] ? i + 1 : null,
    })),
  } as Notebook;
}

function writeNb(name: string, nb: Notebook): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
  return file;
}

const read = (file: string) => parseNotebook(file, fs.readFileSync(file, "utf8"));
const quiet = () => {};
const committed = (text: string) => [{ output_type: "stream", name: "stdout", text: [text] }];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) counts as dead.
  const st = spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" });
  return st.stdout.trim() !== "" && !st.stdout.trim().startsWith("Z");
}

function childPids(pid: number): number[] {
  const r = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" });
  return r.stdout
    .split("\n")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

/**
 * Two notebooks with committed outputs; the first one's cell 2 and the second one's only cell
 * write a marker file and then block their thread for good (busy cells: their kernels' event loops
 * never run again). They block in `Atomics.wait`, which holds the thread as `while (true) {}` does
 * (tslab's SIGINT breaks either) but leaves the cores to the rest of the test run.
 * Returns the runner process, started in its own process group like a shell job, once the first
 * busy cell is running and both kernels exist (the runner runs the second notebook beside the
 * first, or pre-starts its kernel with --jobs 1): neither notebook may be written.
 */
async function startBusyRun(
  tag: string,
  viaTsxCli = false,
): Promise<{
  runner: ChildProcess;
  files: string[];
  before: string[];
  kernels: number[];
  stderr: () => string;
}> {
  const marker = path.join(dir, `${tag}.started`);
  const BLOCK = "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);";
  const a = writeNb(
    `${tag}-a.ipynb`,
    notebook(
      [
        `console.log("one");`,
        `require("fs").writeFileSync(${JSON.stringify(marker)}, "x");\n${BLOCK}`,
        `console.log("three");`,
      ],
      [committed("one\n"), committed("committed two\n"), committed("committed three\n")],
    ),
  );
  const b = writeNb(
    `${tag}-b.ipynb`,
    notebook(
      [`require("fs").writeFileSync(${JSON.stringify(marker + "-b")}, "x");\n${BLOCK}`],
      [committed("committed b\n")],
    ),
  );
  const files = [a, b];
  const before = files.map((f) => fs.readFileSync(f, "utf8"));
  const args = [path.join(ROOT, "scripts/run-notebooks.ts"), "--dir", dir, tag, "--no-png"];
  // `npm start` runs the tsx CLI, which runs the script in a child node process.
  const runner = viaTsxCli
    ? spawn(path.join(ROOT, "node_modules/.bin/tsx"), [...args, "--no-figures"], {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      })
    : spawn(process.execPath, ["--import", "tsx", ...args, "--no-figures"], {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
  let err = "";
  runner.stderr!.on("data", (b) => (err += b.toString()));
  runner.stdout!.resume();
  await waitFor(`cell 2 of ${tag}-a to start`, () => fs.existsSync(marker));
  // Both kernels are children of the runner (of the tsx CLI's child when run through it).
  const kernelPids = () =>
    viaTsxCli ? childPids(runner.pid!).flatMap((p) => childPids(p)) : childPids(runner.pid!);
  await waitFor("two kernels", () => kernelPids().length >= 2, 30_000);
  const kernels = kernelPids();
  return { runner, files, before, kernels, stderr: () => err };
}

before(() => {
  fs.mkdirSync(path.join(ROOT, ".tmp"), { recursive: true });
  dir = fs.mkdtempSync(path.join(ROOT, ".tmp", "reliability-runner-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("interrupting the runner loses nothing and orphans no kernel", () => {
  test("Ctrl-C (SIGINT to the process group, the kernels first): no notebook is rewritten, kernels die, exit 130", async () => {
    for (const viaTsxCli of [true, false]) {
      const run = await startBusyRun(viaTsxCli ? "sigint-cli" : "sigint", viaTsxCli);
      try {
        // What the issue saw: the kernels die of the SIGINT first, the runner a moment later.
        for (const p of run.kernels) process.kill(p, "SIGINT");
        await sleep(300);
        try {
          process.kill(-run.runner.pid!, "SIGINT");
        } catch {
          // The runner may already have finished: both its kernels were gone.
        }
        const { code, signal } = await exited(run.runner);
        assert.ok(
          code === 130 ||
            signal === "SIGINT" ||
            (code === 1 && /killed by SIGINT/.test(run.stderr())),
          `exit ${code}/${signal}: ${run.stderr()}`,
        );
        run.files.forEach((f, i) =>
          assert.equal(
            fs.readFileSync(f, "utf8"),
            run.before[i],
            `${path.basename(f)} rewritten: ${run.stderr()} ${run.kernels}`,
          ),
        );
        await waitFor("kernels to die", () => run.kernels.every((p) => !alive(p)), 10_000);
      } finally {
        for (const p of run.kernels) if (alive(p)) process.kill(p, "SIGKILL");
      }
    }
  });

  test("SIGTERM to the runner alone: nothing written, kernels die, exit 143", async () => {
    const run = await startBusyRun("sigterm");
    try {
      process.kill(run.runner.pid!, "SIGTERM");
      const { code, signal } = await exited(run.runner);
      assert.ok(code === 143 || signal === "SIGTERM", `exit ${code}/${signal}: ${run.stderr()}`);
      run.files.forEach((f, i) => assert.equal(fs.readFileSync(f, "utf8"), run.before[i]));
      await waitFor("kernels to die", () => run.kernels.every((p) => !alive(p)), 10_000);
    } finally {
      for (const p of run.kernels) if (alive(p)) process.kill(p, "SIGKILL");
    }
  });

  test("SIGKILL of the runner alone (OOM killer, job manager): the kernels, one in a busy cell, die too", async () => {
    const run = await startBusyRun("sigkill");
    process.kill(run.runner.pid!, "SIGKILL");
    await exited(run.runner);
    try {
      await waitFor("orphaned kernels to die", () => run.kernels.every((p) => !alive(p)), 10_000);
    } finally {
      for (const p of run.kernels) if (alive(p)) process.kill(p, "SIGKILL");
    }
    run.files.forEach((f, i) => assert.equal(fs.readFileSync(f, "utf8"), run.before[i]));
  });
});

describe("a run keeps what it cannot regenerate", () => {
  const FIG_CELL = `const j: any = require("tslab/dist/jupyter");
j.lastWriteDisplayData({ data: { "${PLOTLY_MIME}": { data: [{ x: [1, 2], y: [3, 4] }], layout: {} },
  "text/plain": "[figure fx-keep]" }, metadata: { passk_figure: { id: "fx-keep", caption: "c" } } }, false);`;

  test("without Chromium, an unchanged figure keeps its committed PNG", async () => {
    const png = Buffer.from("committed png bytes").toString("base64");
    const figOut = {
      output_type: "display_data",
      data: {
        [PLOTLY_MIME]: { data: [{ x: [1, 2], y: [3, 4] }], layout: {} },
        "image/png": png,
        "text/plain": ["[figure fx-keep]"],
      },
      metadata: { passk_figure: { id: "fx-keep", caption: "c" } },
    };
    const file = writeNb("png-keep.ipynb", notebook([FIG_CELL], [[figOut]]));
    const [r] = await runNotebooks({
      notebooks: [file],
      log: quiet,
      getRenderer: async () => null,
    });
    assert.equal(r.status, "ok");
    const out = (read(file).cells[0] as CodeCell).outputs[0];
    assert.ok(out.output_type === "display_data");
    assert.equal(out.data["image/png"], png, "the committed PNG was dropped");
  });

  test("a throwing cell keeps the committed outputs of the cells after it", async () => {
    const file = writeNb(
      "throw-keep.ipynb",
      notebook(
        [`console.log("fresh one");`, `throw new Error("boom");`, `console.log("three");`],
        [committed("old one\n"), committed("old two\n"), committed("committed three\n")],
      ),
    );
    const [r] = await runNotebooks({ notebooks: [file], log: quiet, png: false });
    assert.equal(r.status, "error");
    const cells = read(file).cells as CodeCell[];
    assert.deepEqual(cells[0].outputs, committed("fresh one\n"));
    assert.equal(cells[1].outputs[0].output_type, "error");
    assert.deepEqual(cells[2].outputs, committed("committed three\n"));
    assert.equal(cells[2].execution_count, 3, "its execution count is kept too");
  });
});

describe("runner: wrong answers, hangs and clear errors", () => {
  test("an uncaught error in a setTimeout callback fails its cell", async () => {
    const file = writeNb(
      "late-throw.ipynb",
      notebook([
        `setTimeout(() => { throw new Error("late boom"); }, 0);\nconsole.log("scheduled");`,
        `console.log("after");`,
      ]),
    );
    const [r] = await runNotebooks({ notebooks: [file], log: quiet, png: false });
    assert.equal(r.status, "error");
    assert.equal(r.failure?.cell, 1);
    assert.match(r.failure!.message, /late boom/);
  });

  test("a cell printing 3 MB stores 1 MiB and a visible 'output truncated, N bytes' note", async () => {
    const file = writeNb(
      "loud.ipynb",
      notebook([`for (let i = 0; i < 3000; i++) console.log("é".repeat(499));`, `1 + 1`]),
    );
    const [r] = await runNotebooks({ notebooks: [file], log: quiet, png: false });
    assert.equal(r.status, "ok");
    const outs = (read(file).cells[0] as CodeCell).outputs;
    const text = (o: (typeof outs)[number]) =>
      o.output_type === "stream" ? (Array.isArray(o.text) ? o.text.join("") : o.text) : "";
    const stdout = outs.filter((o) => o.output_type === "stream" && o.name === "stdout");
    const stored = Buffer.byteLength(stdout.map(text).join(""));
    assert.ok(stored <= 1 << 20 && stored > (1 << 20) - 4, `stored ${stored} bytes`);
    const total = 3000 * (499 * 2 + 1);
    const note = outs.map(text).find((t) => t.includes("output truncated"));
    assert.ok(note, "no truncation note");
    assert.match(note!, new RegExp(`output truncated, ${total - stored} bytes not stored`));
    assert.ok(fs.statSync(file).size < 3 << 20, "the notebook stays small");
  });

  test("CLI: --timeout beyond 2^31 ms and a missing --dir are one-line errors", () => {
    const cli = (args: string[]) =>
      spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(ROOT, "scripts/run-notebooks.ts"), ...args],
        { encoding: "utf8", timeout: 60_000 },
      );
    const t = cli(["--dir", dir, "--timeout", "3000000", "--no-png", "nothing-matches"]);
    assert.equal(t.status, 2);
    assert.match(t.stderr, /^--timeout must be a number of seconds in \(0, 2147483\]/);
    const d = cli(["--dir", path.join(dir, "no-such-folder")]);
    assert.equal(d.status, 2);
    assert.equal(
      d.stderr.trim(),
      `error: --dir ${path.join(dir, "no-such-folder")}: no such folder`,
    );
  });
});
