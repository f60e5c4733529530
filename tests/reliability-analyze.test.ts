/**
 * Issue 21 / 14 for `npm run analyze`: --per-prompt respects what is at the target path and
 * writes a CSV that analyze reads back (RFC 4180 quoting, hostile prompt ids, undetermined
 * agreement left empty); a folder as FILE is a one-line error; the reader rejects counts beyond
 * 2^53, invalid UTF-8 and gradients whose squares overflow, and stops a file without newlines
 * at a line-length cap with a hint.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { runAnalyze } from "../scripts/analyze";
import { forEachLine, loadData, splitCsvLine, formatCsvRow } from "../lib/diagnostic/read";

const ROOT = path.join(__dirname, "..");
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "passk-rel-analyze-"));

async function analyze(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runAnalyze(
    args,
    (t) => (stdout += t),
    (t) => (stderr += t),
  );
  return { code, stdout, stderr };
}

/** Per-sample JSONL with hostile prompt ids; "never" has no correct sample (undetermined). */
const HOSTILE = [
  "plain",
  "with,comma",
  'with "quotes"',
  "with\nnewline",
  "with\r\ncrlf",
  " padded ",
  '",",',
  "never",
];

function hostileSamples(dir: string): string {
  const file = path.join(dir, "hostile.jsonl");
  const lines: string[] = [];
  HOSTILE.forEach((id, i) => {
    for (let j = 0; j < 8; j++) {
      const correct = id === "never" ? false : (i + j) % 3 === 0;
      lines.push(
        JSON.stringify({ prompt: id, correct, grad: [((i * 7 + j) % 5) - 2, (j % 3) - 1] }),
      );
    }
  });
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

describe("--per-prompt CSV", () => {
  test("hostile prompt ids (commas, quotes, newlines, spaces) round-trip through analyze", async () => {
    const dir = tmpDir();
    const input = hostileSamples(dir);
    const csv = path.join(dir, "per-prompt.csv");
    const first = await analyze([input, "--json", "--bootstrap", "0", "--per-prompt", csv]);
    assert.equal(first.code, 0, first.stderr);
    const back = await loadData(csv);
    assert.deepEqual(
      back.prompts.map((p) => p.id),
      HOSTILE.map((id) => id.replace(/\r\n/g, "\n")).map((id) => id),
    );
    assert.deepEqual(
      back.prompts.map((p) => [p.n, p.c]),
      HOSTILE.map((id, i) => [
        8,
        id === "never" ? 0 : [0, 1, 2, 3, 4, 5, 6, 7].filter((j) => (i + j) % 3 === 0).length,
      ]),
    );
    // analyze reads its own output: pass@k equals the original run's.
    const again = await analyze([csv, "--json", "--bootstrap", "0"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).passAtK, JSON.parse(first.stdout).passAtK);
  });

  test("agreement is left empty where it is undetermined (c = 0), a number elsewhere", async () => {
    const dir = tmpDir();
    const csv = path.join(dir, "pp.csv");
    const r = await analyze([
      hostileSamples(dir),
      "--bootstrap",
      "0",
      "--json",
      "--per-prompt",
      csv,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const text = fs.readFileSync(csv, "utf8");
    const never = text.split("\n").find((l) => l.startsWith("never,"));
    assert.equal(never, "never,8,0,0,");
    const plain = text.split("\n").find((l) => l.startsWith("plain,"))!;
    assert.ok(Number.isFinite(Number(splitCsvLine(plain)![4])), plain);
  });

  test("formatCsvRow quotes per RFC 4180 and splitCsvLine reads it back", () => {
    const fields = ["a", "b,c", 'd "e"', " f ", "", "g"];
    const row = formatCsvRow(fields);
    assert.equal(row, 'a,"b,c","d ""e"""," f ",,g');
    assert.deepEqual(splitCsvLine(row), fields);
  });

  test("the target: symlink written through, mode kept; FIFO, device, folder, missing folder and the input file refused", async () => {
    const dir = tmpDir();
    const input = hostileSamples(dir);
    const target = path.join(dir, "real.csv");
    fs.writeFileSync(target, "old");
    fs.chmodSync(target, 0o640);
    const link = path.join(dir, "link.csv");
    fs.symlinkSync("real.csv", link);
    const ok = await analyze([input, "--json", "--bootstrap", "0", "--per-prompt", link]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.match(fs.readFileSync(target, "utf8"), /^prompt,n,c,p_hat,agreement\n/);
    assert.equal(fs.statSync(target).mode & 0o777, 0o640);

    const fifo = path.join(dir, "fifo");
    assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
    const inputLink = path.join(dir, "input-link.jsonl");
    fs.symlinkSync(input, inputLink);
    const before = fs.readFileSync(input, "utf8");
    const cases: [string, RegExp][] = [
      [fifo, /named pipe.*not a regular file/],
      ["/dev/null", /device.*not a regular file/],
      [dir, /is a folder/],
      [path.join(dir, "missing", "out.csv"), /no such folder/],
      [input, /is the input file/],
      [inputLink, /is the input file/],
    ];
    for (const [out, message] of cases) {
      const r = await analyze([input, "--json", "--bootstrap", "0", "--per-prompt", out]);
      assert.equal(r.code, 1, `${out}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.equal(r.stdout, "", "refused before any analysis is printed");
    }
    assert.ok(fs.statSync(fifo).isFIFO());
    assert.equal(fs.readFileSync(input, "utf8"), before);
  });
});

describe("analyze input errors are one line, not a stack trace", () => {
  test("a folder given as FILE", () => {
    const dir = tmpDir();
    const res = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "scripts/analyze.ts"), dir],
      { encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(res.status, 1, res.stderr);
    assert.equal(res.stderr.trim(), `error: ${dir}: is a folder, not a file`);
  });
});

describe("the reader rejects what would give wrong answers or hang", () => {
  const write = (name: string, text: string | Buffer) => {
    const file = path.join(tmpDir(), name);
    fs.writeFileSync(file, text);
    return file;
  };

  test("counts beyond 2^53 − 1 are rejected (JSONL and CSV)", async () => {
    const big = "9007199254740993";
    await assert.rejects(
      loadData(write("big.jsonl", `{"prompt": "a", "n": ${big}, "c": 1}\n`)),
      /big\.jsonl:1: field "n": must be an integer ≤ 2\^53 − 1/,
    );
    await assert.rejects(
      loadData(write("big.csv", `prompt,n,c\na,4,${big}\n`)),
      /big\.csv:2: field "c": must be an integer ≤ 2\^53 − 1/,
    );
    await assert.rejects(
      loadData(
        write(
          "sum.jsonl",
          `{"prompt": "a", "n": 9007199254740991, "c": 1}\n{"prompt": "b", "n": 2, "c": 1}\n`,
        ),
      ),
      /sum\.jsonl:2: field "n": the total number of samples over prompts exceeds 2\^53 − 1/,
    );
    await assert.rejects(
      loadData(write("huge.jsonl", `{"prompt": "a", "n": 1e300, "c": 1}\n`)),
      /field "n": must be an integer ≤ 2\^53 − 1/,
    );
  });

  test("invalid UTF-8 in a prompt id is rejected, not merged with another prompt", async () => {
    const a = Buffer.from('{"prompt": "x\xff", "n": 4, "c": 1}\n', "latin1");
    const b = Buffer.from('{"prompt": "x\xfe", "n": 4, "c": 2}\n', "latin1");
    await assert.rejects(
      loadData(write("bad-utf8.jsonl", Buffer.concat([a, b]))),
      /bad-utf8\.jsonl:1: invalid UTF-8/,
    );
    // A real U+FFFD (valid UTF-8) is an ordinary character.
    const ok = await loadData(write("fffd.jsonl", '{"prompt": "x\uFFFD", "n": 4, "c": 1}\n'));
    assert.equal(ok.prompts[0].id, "x\uFFFD");
  });

  test("gradients whose squares overflow float64 are rejected", async () => {
    const file = write(
      "overflow.jsonl",
      '{"prompt": "a", "correct": true, "grad": [1, 2]}\n' +
        '{"prompt": "a", "correct": false, "grad": [1e300, 2]}\n',
    );
    await assert.rejects(loadData(file), /overflow\.jsonl:2: field "grad\[0\]": .*overflow/);
  });

  test("a file without newlines stops at the line-length cap with a JSON-array hint, in linear time", async () => {
    const cap = 1 << 20;
    const record = '{"prompt": "a", "n": 4, "c": 1}, ';
    const text = "[" + record.repeat(Math.ceil((3 * cap) / record.length)) + "]";
    const file = write("array.json", text);
    const t0 = performance.now();
    await assert.rejects(
      forEachLine(file, () => {}, { maxLineBytes: cap }),
      /array\.json:1: .*longer than 1 MiB.*JSON array instead of JSONL/,
    );
    // Lines just under the cap are read whole, also when split over many 1 MiB chunks.
    const long = "x".repeat(cap - 10);
    const okFile = write("long.txt", `${long}\nshort\n`);
    const seen: number[] = [];
    await forEachLine(okFile, (t) => seen.push(t.length), { maxLineBytes: cap });
    assert.deepEqual(seen, [cap - 10, 5]);
    assert.ok(performance.now() - t0 < 10_000);
  });

  test("joining a long line is linear: 48 MiB in 16 KiB chunks under the default cap", async () => {
    const size = 48 << 20;
    const file = write("one-line.txt", Buffer.alloc(size, 0x61));
    const t0 = performance.now();
    let len = 0;
    await forEachLine(file, (t) => (len = t.length), { chunkBytes: 1 << 14 });
    assert.equal(len, size);
    // Quadratic joining (a Buffer.concat per chunk) copies ~70 GB here (minutes).
    assert.ok(performance.now() - t0 < 5_000, `${performance.now() - t0} ms`);
  });
});
