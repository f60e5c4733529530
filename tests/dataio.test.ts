import { test, describe, before, after } from "node:test";
import { TOL } from "../lib/core/tolerances";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  InputError,
  SampleAccumulator,
  forEachLine,
  loadData,
  splitCsvLine,
  type SampleData,
} from "../lib/diagnostic/read";
import { createRng } from "../lib/core/rng";

let dir = "";
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-dataio-"));
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function write(name: string, text: string | Buffer): string {
  const file = path.join(dir, `${counter++}-${name}`);
  fs.writeFileSync(file, text);
  return file;
}

/**
 * Loads `text` and expects an InputError at `line` naming `field`, with `pattern` in its message.
 */
async function rejects(
  name: string,
  text: string,
  line: number,
  field: string | null,
  pattern: RegExp,
): Promise<void> {
  const file = write(name, text);
  await assert.rejects(loadData(file), (err: unknown) => {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.equal(err.line, line);
    assert.equal(err.field, field);
    assert.match(err.message, pattern);
    assert.ok(err.message.startsWith(`${file}:${line}: `), err.message);
    if (field !== null) assert.ok(err.message.includes(`field "${field}"`), err.message);
    return true;
  });
}

const ok = (o: object) => JSON.stringify(o);
const L1 = ok({ prompt: "q1", correct: true, grad: [1, 2] });

/**
 * Reference sufficient statistics computed the obvious way from parsed records (JSON.parse,
 * everything in memory): counts, half-A correct count and the four score sums per prompt.
 */
function reference(
  records: { prompt: string; correct: boolean; grad: number[] }[],
  d: number,
): Map<string, { n: number; c: number; cA: number; sums: number[] }> {
  const out = new Map<string, { n: number; c: number; cA: number; sums: number[] }>();
  for (const r of records) {
    let st = out.get(r.prompt);
    if (!st) out.set(r.prompt, (st = { n: 0, c: 0, cA: 0, sums: new Array(4 * d).fill(0) }));
    const half = st.n % 2;
    st.n++;
    if (r.correct) st.c++;
    if (r.correct && half === 0) st.cA++;
    const block = 2 * half + (r.correct ? 0 : 1);
    r.grad.forEach((v, j) => (st!.sums[block * d + j] += v));
  }
  return out;
}

function assertMatches(data: SampleData, ref: ReturnType<typeof reference>, tol: number): void {
  assert.equal(data.prompts.length, ref.size);
  for (const st of data.prompts) {
    const r = ref.get(st.id)!;
    assert.ok(r, `unexpected prompt ${st.id}`);
    assert.equal(st.n, r.n);
    assert.equal(st.c, r.c);
    assert.equal(st.cA, r.cA);
    r.sums.forEach((v, j) =>
      assert.ok(
        Math.abs(st.sums![j] - v) <= tol * (1 + Math.abs(v)),
        `${st.id} sums[${j}]: ${st.sums![j]} vs ${v}`,
      ),
    );
  }
}

describe("per-sample JSONL: the sufficient statistics", () => {
  test("a small file gives n, c, c_A and the four half sums of each prompt (even sample index → half A)", async () => {
    const lines = [
      { prompt: "x", correct: true, grad: [1, 10] }, // x#0 A correct
      { prompt: "y", correct: 0, grad: [5, 5] }, // y#0 A incorrect
      { prompt: "x", correct: false, grad: [2, 20] }, // x#1 B incorrect
      { prompt: "x", correct: 1, grad: [3, 30] }, // x#2 A correct
      { prompt: "x", correct: true, grad: [4, 40] }, // x#3 B correct
    ];
    const data = await loadData(write("small.jsonl", lines.map(ok).join("\n") + "\n"));
    assert.equal(data.format, "samples");
    assert.equal(data.d, 2);
    assert.equal(data.samples, 5);
    assert.equal(data.records, 5);
    const [x, y] = data.prompts;
    assert.deepEqual([x.id, x.n, x.c, x.cA, x.line], ["x", 4, 3, 2, 1]);
    assert.deepEqual(Array.from(x.sums!), [4, 40, 0, 0, 4, 40, 2, 20]);
    assert.deepEqual([y.id, y.n, y.c, y.cA, y.line], ["y", 1, 0, 0, 2]);
    assert.deepEqual(Array.from(y.sums!), [0, 0, 5, 5, 0, 0, 0, 0]);
  });

  test("CRLF line ends, a byte-order mark, blank lines, integer ids and extra fields are accepted", async () => {
    const text =
      "\ufeff" +
      [
        ok({ prompt: 7, correct: true, grad: [1], text: "ignored" }),
        "",
        "   ",
        ok({ prompt: "7", correct: false, grad: [2] }),
      ].join("\r\n") +
      "\r\n";
    const data = await loadData(write("crlf.jsonl", text));
    assert.equal(data.prompts.length, 1, 'integer id 7 and string id "7" are the same prompt');
    assert.deepEqual([data.prompts[0].n, data.prompts[0].c], [2, 1]);
    assert.equal(data.records, 2);
  });

  test("a multi-megabyte file with interleaved prompts and lines across chunk boundaries matches JSON.parse of every line", async () => {
    const rng = createRng(11);
    const d = 64;
    const records = Array.from({ length: 3000 }, () => ({
      prompt: `p${rng.int(0, 40)}`,
      correct: rng.bernoulli(0.3),
      grad: Array.from({ length: d }, () => rng.normal()),
    }));
    const file = write("big.jsonl", records.map(ok).join("\n")); // no final newline
    assert.ok(fs.statSync(file).size > 3 * (1 << 20), "spans several 1 MiB chunks");
    const data = await loadData(file);
    assert.equal(data.samples, records.length);
    assertMatches(data, reference(records, d), TOL.exact);
  });

  test("a line longer than the read chunk is assembled from several chunks", async () => {
    const long = ok({
      prompt: "long",
      correct: true,
      grad: Array.from({ length: 150000 }, (_, j) => j / 7),
    });
    assert.ok(long.length > 2 * (1 << 20));
    const file = write(
      "long.jsonl",
      [ok({ prompt: "s", correct: true, grad: new Array(150000).fill(1) }), long, long].join("\n") +
        "\n",
    );
    const seen: number[] = [];
    await forEachLine(file, (text, line) => seen.push(line, text.length));
    assert.deepEqual(
      seen.filter((_, i) => i % 2 === 0),
      [1, 2, 3],
    );
    assert.equal(seen[3], long.length);
    const data = await loadData(file);
    assert.equal(data.prompts[1].sums![7], 7 / 7, "sample 0 of 'long' is in half A, correct");
  });

  test("SampleAccumulator gives the same statistics as loading the same samples from a file", async () => {
    const rng = createRng(5);
    const records = Array.from({ length: 400 }, () => ({
      prompt: `p${rng.int(0, 9)}`,
      correct: rng.bernoulli(0.5),
      grad: [rng.normal(), rng.normal(), rng.normal()],
    }));
    const acc = new SampleAccumulator();
    for (const r of records) acc.add(r.prompt, r.correct, r.grad);
    const fromFile = await loadData(write("acc.jsonl", records.map(ok).join("\n")));
    const inMemory = acc.finish();
    assertMatches(inMemory, reference(records, 3), 0);
    assertMatches(fromFile, reference(records, 3), 0);
  });

  test("records without gradients give d = 0 and no sums (pass@k only)", async () => {
    const data = await loadData(
      write(
        "nograd.jsonl",
        [ok({ prompt: "a", correct: true }), ok({ prompt: "a", correct: false, grad: null })].join(
          "\n",
        ),
      ),
    );
    assert.equal(data.d, 0);
    assert.equal(data.prompts[0].sums, null);
    assert.deepEqual([data.prompts[0].n, data.prompts[0].c], [2, 1]);
  });

  test("prompts whose outcomes are sorted (all correct first) are counted for the sortedness warning", async () => {
    const lines: string[] = [];
    for (let x = 0; x < 3; x++)
      for (let j = 0; j < 6; j++) lines.push(ok({ prompt: `s${x}`, correct: j < 2, grad: [1] }));
    for (let j = 0; j < 6; j++)
      lines.push(ok({ prompt: "mixed", correct: j % 2 === 0, grad: [1] }));
    const data = await loadData(write("sorted.jsonl", lines.join("\n")));
    assert.deepEqual(data.sortedPrompts, { sorted: 3, mixed: 4 });
  });
});

describe("per-prompt counts", () => {
  test("JSONL and CSV counts give the same prompts, n and c; quoted CSV ids may contain commas", async () => {
    const json = await loadData(
      write(
        "counts.jsonl",
        [ok({ prompt: "a,b", n: 8, c: 3 }), ok({ prompt: "z", n: 4, c: 0 })].join("\n"),
      ),
    );
    const csv = await loadData(write("counts.csv", 'c,prompt,n\n3,"a,b",8\n0.0,z,4.0\n'));
    for (const data of [json, csv]) {
      assert.equal(data.format, "counts");
      assert.deepEqual(
        data.prompts.map((p) => [p.id, p.n, p.c, p.cA]),
        [
          ["a,b", 8, 3, null],
          ["z", 4, 0, null],
        ],
      );
      assert.equal(data.samples, 12);
      assert.equal(data.d, 0);
    }
  });

  test("splitCsvLine follows RFC 4180 quoting and reports an unterminated quote as null", () => {
    assert.deepEqual(splitCsvLine('a, "b ""c""",d'), ["a", 'b "c"', "d"]);
    assert.deepEqual(splitCsvLine("x,,y"), ["x", "", "y"]);
    assert.deepEqual(splitCsvLine('"q" , 2'), ["q", "2"]);
    assert.equal(splitCsvLine('"q"x,2'), null);
    assert.equal(splitCsvLine('"open,1,2'), null);
  });
});

describe("bad input: InputError with file, line and field", () => {
  test("malformed JSON names the line", () =>
    rejects("bad.jsonl", `${L1}\n{"prompt": "q1", "correct": true,\n`, 2, null, /malformed JSON/));
  test("a record that is not an object", () =>
    rejects("arr.jsonl", `${L1}\n[1, 2]\n`, 2, null, /expected a JSON object, got an array/));
  test("missing prompt", () =>
    rejects("np.jsonl", `${L1}\n{"correct": true, "grad": [1, 2]}\n`, 2, "prompt", /missing/));
  test("prompt of the wrong type (float, boolean, object, empty string)", async () => {
    await rejects(
      "pf.jsonl",
      `${L1}\n{"prompt": 1.5, "correct": true, "grad": [1, 2]}\n`,
      2,
      "prompt",
      /string or an integer, got number 1.5/,
    );
    await rejects(
      "pb.jsonl",
      `{"prompt": true, "correct": true}\n`,
      1,
      "prompt",
      /got boolean true/,
    );
    await rejects(
      "po.jsonl",
      `{"prompt": {"id": 1}, "correct": true}\n`,
      1,
      "prompt",
      /got an object/,
    );
    await rejects(
      "pe.jsonl",
      `{"prompt": "", "correct": true}\n`,
      1,
      "prompt",
      /must not be empty/,
    );
  });
  test("missing correct", () =>
    rejects("nc.jsonl", `${L1}\n{"prompt": "q1", "grad": [1, 2]}\n`, 2, "correct", /missing/));
  test("correct that is not a boolean, 0 or 1", async () => {
    await rejects(
      "c2.jsonl",
      `${L1}\n{"prompt": "q1", "correct": 2, "grad": [1, 2]}\n`,
      2,
      "correct",
      /true, false, 0 or 1, got number 2/,
    );
    await rejects(
      "cs.jsonl",
      `{"prompt": "q1", "correct": "yes"}\n`,
      1,
      "correct",
      /got string "yes"/,
    );
    await rejects(
      "cn.jsonl",
      `${L1}\n{"prompt": "q1", "correct": null}\n`,
      2,
      "correct",
      /got null/,
    );
  });
  test("grad that is not an array of numbers", async () => {
    await rejects(
      "gs.jsonl",
      `{"prompt": "q", "correct": true, "grad": "1,2"}\n`,
      1,
      "grad",
      /array of numbers/,
    );
    await rejects(
      "ge.jsonl",
      `${L1}\n{"prompt": "q", "correct": true, "grad": [1, "2"]}\n`,
      2,
      "grad[1]",
      /must be a number, got string "2"/,
    );
    await rejects(
      "gn.jsonl",
      `{"prompt": "q", "correct": true, "grad": [null]}\n`,
      1,
      "grad[0]",
      /got null/,
    );
    await rejects(
      "g0.jsonl",
      `{"prompt": "q", "correct": true, "grad": []}\n`,
      1,
      "grad",
      /must not be empty/,
    );
  });
  test("gradient length mismatch names the line and the first record's length", () =>
    rejects(
      "len.jsonl",
      `${L1}\n${L1}\n{"prompt": "q2", "correct": false, "grad": [1, 2, 3]}\n`,
      3,
      "grad",
      /length 3, but the first record \(line 1\) has length 2/,
    ));
  test("a gradient on some lines and not on others", async () => {
    await rejects(
      "gm.jsonl",
      `${L1}\n{"prompt": "q", "correct": false}\n`,
      2,
      "grad",
      /missing, but the first record \(line 1\) has a gradient of length 2/,
    );
    await rejects(
      "gp.jsonl",
      `{"prompt": "q", "correct": false}\n${L1}\n`,
      2,
      "grad",
      /present here, but the first record \(line 1\) has no gradient/,
    );
  });
  test("NaN and Infinity (as Python's json module writes them) name the field", async () => {
    await rejects(
      "nan.jsonl",
      `${L1}\n{"prompt": "q", "correct": true, "grad": [1, NaN]}\n`,
      2,
      "grad",
      /NaN is not a finite number/,
    );
    await rejects(
      "inf.jsonl",
      `{"prompt": "q", "correct": true, "grad": [-Infinity, 1]}\n`,
      1,
      "grad",
      /-Infinity is not a finite number/,
    );
    await rejects(
      "ninf.jsonl",
      `{"prompt": "q", "n": Infinity, "c": 1}\n`,
      1,
      "n",
      /Infinity is not a finite number/,
    );
  });
  test("a number that overflows to Infinity", () =>
    rejects(
      "ovf.jsonl",
      `{"prompt": "q", "correct": true, "grad": [1, 1e999]}\n`,
      1,
      "grad[1]",
      /must be finite, got Infinity/,
    ));
  test("an empty file, or one with only blank lines", async () => {
    await rejects("empty.jsonl", "", 1, null, /no records \(empty file\)/);
    await rejects("blank.jsonl", "\n  \n\n", 1, null, /no records/);
    await rejects("empty.csv", "", 1, null, /no records/);
    await rejects("header.csv", "prompt,n,c\n", 2, null, /header but no rows/);
  });
  test("a file that does not exist", async () => {
    const file = path.join(dir, "does-not-exist.jsonl");
    await assert.rejects(
      loadData(file),
      (err: unknown) =>
        err instanceof InputError && err.line === 0 && /cannot read the file/.test(err.message),
    );
  });
  test("counts: c > n, n = 0, negative c, non-integer n, missing n", async () => {
    await rejects(
      "cgt.jsonl",
      `{"prompt": "a", "n": 4, "c": 3}\n{"prompt": "b", "n": 4, "c": 5}\n`,
      2,
      "c",
      /must be ≤ n = 4/,
    );
    await rejects(
      "n0.jsonl",
      `{"prompt": "a", "n": 0, "c": 0}\n`,
      1,
      "n",
      /must be ≥ 1 \(a prompt needs at least one sample\), got 0/,
    );
    await rejects("cneg.jsonl", `{"prompt": "a", "n": 3, "c": -1}\n`, 1, "c", /must be ≥ 0/);
    await rejects(
      "nfrac.jsonl",
      `{"prompt": "a", "n": 2.5, "c": 1}\n`,
      1,
      "n",
      /must be an integer, got 2.5/,
    );
    await rejects(
      "nmiss.jsonl",
      `{"prompt": "a", "n": 3, "c": 1}\n{"prompt": "b", "c": 1}\n`,
      2,
      "n",
      /missing/,
    );
    await rejects(
      "nstr.jsonl",
      `{"prompt": "a", "n": "3", "c": 1}\n`,
      1,
      "n",
      /must be an integer, got string "3"/,
    );
  });
  test("counts: a prompt listed twice, and a per-sample record inside a counts file", async () => {
    await rejects(
      "dup.jsonl",
      `{"prompt": "a", "n": 3, "c": 1}\n{"prompt": "a", "n": 3, "c": 2}\n`,
      2,
      "prompt",
      /already appeared on line 1/,
    );
    await rejects(
      "mix.jsonl",
      `{"prompt": "a", "n": 3, "c": 1}\n{"prompt": "b", "correct": true}\n`,
      2,
      "correct",
      /per-prompt counts file/,
    );
    await rejects(
      "mix2.jsonl",
      `${L1}\n{"prompt": "b", "n": 3, "c": 1}\n`,
      2,
      "correct",
      /looks like a per-prompt record/,
    );
  });
  test("a first record of neither format", () =>
    rejects(
      "neither.jsonl",
      `{"prompt": "a", "score": 1}\n`,
      1,
      "correct",
      /per-sample record .* or a per-prompt record/,
    ));
  test("CSV: a header without a required column, a short row, an unterminated quote, a non-number, NaN, inf, c > n", async () => {
    await rejects("h.csv", "prompt,n\na,3\n", 1, "c", /missing from the header row/);
    await rejects(
      "short.csv",
      "prompt,n,c\na,3,1\nb,3\n",
      3,
      null,
      /expected 3 fields like the header, got 2/,
    );
    await rejects("quote.csv", 'prompt,n,c\n"a,3,1\n', 2, null, /unterminated quote/);
    await rejects("abc.csv", "prompt,n,c\na,abc,1\n", 2, "n", /must be an integer, got "abc"/);
    await rejects("nan.csv", "prompt,n,c\na,10,NaN\n", 2, "c", /must be an integer, got "NaN"/);
    await rejects("inf.csv", "prompt,n,c\na,inf,1\n", 2, "n", /must be an integer, got "inf"/);
    await rejects("frac.csv", "prompt,n,c\na,10,2.5\n", 2, "c", /must be an integer, got 2.5/);
    await rejects("cgt.csv", "prompt,n,c\na,10,11\n", 2, "c", /must be ≤ n = 10/);
    await rejects("empty-cell.csv", "prompt,n,c\na,,1\n", 2, "n", /missing/);
    await rejects("n0.csv", "prompt,n,c\na,0,0\n", 2, "n", /must be ≥ 1/);
  });
  test("SampleAccumulator rejects a mistyped sample and a gradient length change, naming the argument", () => {
    const acc = new SampleAccumulator();
    assert.throws(
      () => acc.add("", true, [1]),
      /SampleAccumulator.add: prompt must be a non-empty string/,
    );
    assert.throws(
      () => acc.add("a", 1 as unknown as boolean, [1]),
      /correct must be a boolean, got 1/,
    );
    assert.throws(() => acc.add("a", true, [1, NaN]), /grad\[1\] must be a finite number, got NaN/);
    acc.add("a", true, [1, 2]);
    assert.throws(
      () => acc.add("a", true, [1]),
      /grad has length 1, but the first sample's grad has length 2/,
    );
    assert.throws(() => new SampleAccumulator().finish(), /no samples were added/);
  });
});
