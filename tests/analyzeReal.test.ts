import { describe, test } from "node:test";
import { TOL } from "../lib/core/tolerances";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runAnalyze } from "../scripts/analyze";
import { runCounts, writeCountsFile } from "../bench/workloads/counts1e6";

const REAL = path.join(__dirname, "..", "data", "real");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "passk-analyze-real-"));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runAnalyze(
    argv,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}

function write(name: string, text: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
}

const real = (f: string) => path.join(REAL, f);

describe("analyze on every file of data/real", () => {
  const files = fs.readdirSync(REAL).filter((f) => /\.(csv|jsonl)$/.test(f));

  test("there are nine data files, each with its licence notice in SOURCES.md", () => {
    assert.equal(files.length, 9);
    const sources = fs.readFileSync(real("SOURCES.md"), "utf8");
    for (const f of files)
      assert.ok(sources.includes(f.replace(/-temp0\.8/, "")) || sources.includes(f));
    assert.equal(fs.readdirSync(path.join(REAL, "LICENSES")).length, 5);
  });

  for (const f of files) {
    test(`${f}: --json succeeds with pass@k in [0, 1] for every model`, async () => {
      const plain = await run([real(f), "--json", "--bootstrap", "0"]);
      assert.equal(plain.code, 0, plain.err);
      const r = await run([real(f), "--counts", "--json", "--bootstrap", "20"]);
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out);
      const results = j.models ? Object.values(j.models) : [j];
      if (f.startsWith("cruxeval")) assert.equal(results.length, 31);
      for (const res of results as { passAtK: number[]; weightShare: unknown[] }[]) {
        assert.ok(res.passAtK.every((p) => p >= 0 && p <= 1));
        assert.equal(res.weightShare.length, 6);
      }
    });
  }

  test("the shipped summaries: Game of 24 IO pass@1 0.0734 and pass@100 0.33; MATH per level", async () => {
    const io = JSON.parse(
      (
        await run([
          real("game24-gpt4-standard.jsonl"),
          "--json",
          "--bootstrap",
          "0",
          "--k",
          "1,100",
        ])
      ).out,
    );
    assert.ok(Math.abs(io.passAtK[0] - 0.0734) < TOL.exact);
    assert.ok(Math.abs(io.passAtK[1] - 0.33) < TOL.exact);
    const m = JSON.parse(
      (
        await run([
          real("math-qwen25math-rm.jsonl"),
          "--group",
          "level",
          "--json",
          "--bootstrap",
          "0",
        ])
      ).out,
    );
    assert.deepEqual(Object.keys(m.groups), ["1", "2", "3", "4", "5"]);
    assert.deepEqual(
      Object.values(m.groups).map((g) => (g as { prompts: number }).prompts),
      [11, 16, 24, 24, 25],
    );
    assert.deepEqual(
      Object.keys(m.groups["1"]).sort(),
      Object.keys(m)
        .filter((k) => !["groups", "source", "format", "records"].includes(k))
        .sort(),
    );
  });
});

describe("analyze --compare", () => {
  test("Game of 24 IO → CoT: JSON keys of the issue, crossing at k = 6 on a fine grid", async () => {
    const r = await run([
      "--compare",
      real("game24-gpt4-standard.jsonl"),
      real("game24-gpt4-cot.jsonl"),
      "--k",
      "1,2,4,5,6,8,100",
      "--json",
      "--bootstrap",
      "50",
    ]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    for (const key of [
      "k",
      "deltaPassAtK",
      "deltaPassAtKCI",
      "crossingK",
      "crossingKCI",
      "matched",
      "unmatchedBefore",
      "unmatchedAfter",
      "bins",
    ])
      assert.ok(key in j.compare, key);
    assert.ok("before" in j && "after" in j);
    assert.equal(j.compare.crossingK, 6);
    assert.equal(j.compare.matched, 100);
    assert.ok(Math.abs(j.compare.deltaPassAtK[0] - (0.0403 - 0.0734)) < TOL.exact);
    assert.deepEqual(Object.keys(j.compare.bins[0]).sort(), [
      "gained",
      "lost",
      "meanDeltaP",
      "prompts",
      "range",
    ]);
  });

  test("one model of two multi-model CRUXEval files: T = 0.2 → 0.8 lowers pass@1, raises pass@10", async () => {
    const r = await run([
      "--compare",
      real("cruxeval-input-models.csv"),
      real("cruxeval-input-models-temp0.8.csv"),
      "--model",
      "codellama-13b",
      "--json",
      "--bootstrap",
      "0",
    ]);
    assert.equal(r.code, 0, r.err);
    const c = JSON.parse(r.out).compare;
    assert.deepEqual(c.k, [1, 2, 4, 8, 10]);
    assert.ok(c.deltaPassAtK[0] < 0 && c.deltaPassAtK[4] > 0);
    assert.equal(typeof c.crossingK, "number");
  });

  test("bad inputs: clear errors naming file and line", async () => {
    const a = write("a.jsonl", '{"prompt":"p","n":4,"c":1}\n{"prompt":"q","n":4,"c":0}\n');
    const b = write("b.jsonl", '{"prompt":"x","n":4,"c":1}\n');
    const dup = write("dup.jsonl", '{"prompt":"p","n":4,"c":1}\n{"prompt":"p","n":4,"c":2}\n');
    const small = write("small.jsonl", '{"prompt":"p","n":2,"c":1}\n');
    let r = await run(["--compare", a, b]);
    assert.equal(r.code, 1);
    assert.match(r.err, /b\.jsonl: field "prompt": no prompt id in common/);
    r = await run(["--compare", a, dup]);
    assert.equal(r.code, 1);
    assert.match(r.err, /dup\.jsonl:2: field "prompt": "p" .*line 1/);
    r = await run(["--compare", a, small, "--k", "1,4"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /small\.jsonl:1: field "n": .*n = 2 < k = 4/);
    r = await run(["--compare", a]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--compare needs two files/);
    r = await run([
      "--compare",
      real("cruxeval-input-models.csv"),
      real("cruxeval-output-models.csv"),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.err, /31 models.*--model NAME/);
    r = await run(["--compare", a, a, "--model", "m"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /a\.jsonl:1: field "model"/);
  });

  test("unmatched prompts are counted and warned about", async () => {
    const a = write("u1.jsonl", '{"prompt":"p","n":4,"c":1}\n{"prompt":"q","n":4,"c":0}\n');
    const b = write(
      "u2.jsonl",
      '{"prompt":"p","n":4,"c":2}\n{"prompt":"z","n":4,"c":0}\n{"prompt":"y","n":4,"c":0}\n',
    );
    const r = await run(["--compare", a, b, "--json", "--bootstrap", "0"]);
    const c = JSON.parse(r.out).compare;
    assert.deepEqual([c.matched, c.unmatchedBefore, c.unmatchedAfter], [1, 1, 2]);
    assert.match(r.err, /warning: 1 BEFORE and 2 AFTER prompts have no match/);
  });
});

describe("analyze --figures", () => {
  const game = [real("game24-gpt4-standard.jsonl"), "--counts", "--bootstrap", "10"];

  test("a missing or read-only directory: clear error, exit 1, nothing written", async () => {
    let r = await run([...game, "--figures", path.join(tmp, "nope")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /--figures .*nope: no such directory/);
    assert.equal(fs.existsSync(path.join(tmp, "nope")), false);
    const ro = path.join(tmp, "ro");
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o555);
    r = await run([...game, "--figures", ro]);
    assert.equal(r.code, 1);
    assert.match(r.err, /read-only; nothing was written/);
    assert.deepEqual(fs.readdirSync(ro), []);
  });

  test("a per-sample file with gradients also gets the inner-product figure", async () => {
    const dir = path.join(tmp, "figs-grad");
    fs.mkdirSync(dir);
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = "none";
    try {
      const sample = path.join(__dirname, "..", "data", "example-samples.jsonl");
      const r = await run([sample, "--figures", dir, "--bootstrap", "10", "--k", "1,2,4"]);
      assert.equal(r.code, 0, r.err);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), [
      "conflict.html",
      "passk.html",
      "plotly.min.js",
      "weight-share.html",
    ]);
  });

  test("HTML figures (no Chromium) written into place, no temporary directory left", async () => {
    const dir = path.join(tmp, "figs");
    fs.mkdirSync(dir);
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = "none";
    try {
      const r = await run([
        "--compare",
        game[0],
        real("game24-gpt4-cot.jsonl"),
        "--bootstrap",
        "10",
        "--figures",
        dir,
      ]);
      assert.equal(r.code, 0, r.err);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), [
      "delta-passk.html",
      "passk.html",
      "phat-scatter.html",
      "plotly.min.js",
      "weight-share.html",
    ]);
  });
});

describe("counts-1e6 bench workload", () => {
  test("the generated CSV has one row per prompt and analyze --counts reads it back in a probed child", async () => {
    const file = path.join(tmp, "bench.csv");
    writeCountsFile(file, 40, 16, 3);
    const rows = fs.readFileSync(file, "utf8").trim().split("\n");
    assert.equal(rows[0], "prompt,n,c");
    assert.equal(rows.length, 41);
    const cs = rows.slice(1).map((r) => Number(r.split(",")[2]));
    assert.ok(cs.every((c) => Number.isInteger(c) && c >= 0 && c <= 16));
    const inputs = {
      file,
      rows: 40,
      bytes: 0,
      args: ["--counts", "--json", "--bootstrap", "5"],
      peakRssMb: [],
      cpuMs: [],
    };
    const out = await runCounts(inputs);
    assert.equal(out.prompts, 40);
    const mean = cs.reduce((a, b) => a + b, 0) / (16 * 40);
    assert.ok(Math.abs((out.passAtK as number[])[0] - mean) < TOL.exact);
    assert.ok(inputs.peakRssMb[0] > 0);
  });
});
