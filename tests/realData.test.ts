import { describe, test } from "node:test";
import { TOL } from "../lib/core/tolerances";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promptWeightEstimate } from "../lib/theory/estimators";
import {
  countsDiagnostics,
  defaultKGrid,
  difficultyBin,
  DIFFICULTY_BINS,
  drawClassCounts,
  groupedCountsDiagnostics,
} from "../lib/diagnostic/counts";
import { compareCounts, type LinedCounts } from "../lib/diagnostic/compare";
import { readCountTable } from "../lib/diagnostic/readTable";
import { InputError } from "../lib/core/samples";
import { createRng } from "../lib/core/rng";

interface Fixture {
  estimates: { n: number; c: number; k: number; w: string }[];
  laws: { n: number; k: number; p: string; mean: string; truth: string }[];
}
const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, "fixtures", "weightEstimator.json"), "utf8"),
) as Fixture;

/** Exact rationals in BigInt. */
type Q = [bigint, bigint];
const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
};
const norm = ([a, b]: Q): Q => {
  const g = gcd(a, b) || 1n;
  return b < 0n ? [-a / g, -b / g] : [a / g, b / g];
};
const parse = (s: string): Q => {
  const [a, b] = s.split("/");
  return norm([BigInt(a), BigInt(b)]);
};
const add = (x: Q, y: Q): Q => norm([x[0] * y[1] + y[0] * x[1], x[1] * y[1]]);
const mul = (x: Q, y: Q): Q => norm([x[0] * y[0], x[1] * y[1]]);
const pow = (x: Q, e: number): Q => {
  let r: Q = [1n, 1n];
  for (let i = 0; i < e; i++) r = mul(r, x);
  return r;
};
const comb = (n: number, r: number): bigint => {
  let v = 1n;
  for (let i = 0; i < r; i++) v = (v * BigInt(n - i)) / BigInt(i + 1);
  return v;
};

describe("unbiased weight estimate ŵ_k = k·C(n−c,k−1)/C(n,k−1)", () => {
  const exact = new Map(fixture.estimates.map((e) => [`${e.n},${e.c},${e.k}`, parse(e.w)]));

  test("the implementation equals the exact fractions (Python fractions) to 4e-16 relative", () => {
    assert.ok(fixture.estimates.length > 200);
    for (const e of fixture.estimates) {
      const [a, b] = parse(e.w);
      const want = Number(a) / Number(b);
      const got = promptWeightEstimate(e.n, e.c, e.k);
      assert.ok(
        Math.abs(got - want) <= 4e-16 * Math.abs(want),
        `n=${e.n} c=${e.c} k=${e.k}: ${got} vs ${want}`,
      );
    }
  });

  test("E_{c~Bin(n,p)}[ŵ_k] = k(1−p)^{k−1} exactly, in BigInt rationals, for n ≤ 8, k ≤ n+1, 6 values of p", () => {
    assert.ok(fixture.laws.length > 200);
    for (const law of fixture.laws) {
      const p = parse(law.p);
      const q: Q = norm([p[1] - p[0], p[1]]);
      let mean: Q = [0n, 1n];
      for (let c = 0; c <= law.n; c++) {
        const prob = mul([comb(law.n, c), 1n], mul(pow(p, c), pow(q, law.n - c)));
        mean = add(mean, mul(prob, exact.get(`${law.n},${c},${law.k}`) as Q));
      }
      const truth = mul([BigInt(law.k), 1n], pow(q, law.k - 1));
      assert.deepEqual(mean, truth, `n=${law.n} k=${law.k} p=${law.p}`);
      assert.deepEqual(truth, parse(law.truth));
    }
  });

  test("countsDiagnostics' mean weight on a population with exactly binomial counts is w_k(p); k−1 > n excluded and counted", () => {
    // p = 1/3, n = 4: C(4,c)·1^c·2^(4−c) prompts with c correct (81 in all).
    const prompts = [];
    for (let c = 0; c <= 4; c++)
      for (let i = 0; i < Number(comb(4, c)) * 2 ** (4 - c); i++) prompts.push({ n: 4, c });
    assert.equal(prompts.length, 81);
    const r = countsDiagnostics(prompts, { k: [1, 2, 3, 5, 6], bootstrap: 0 });
    const want = [1, 2, 3, 5].map((k) => k * (2 / 3) ** (k - 1));
    want.forEach((w, s) => assert.ok(Math.abs((r.meanWeight[s] as number) - w) < 1e-13));
    assert.equal(r.meanWeight[4], null);
    assert.deepEqual(r.weightExcluded, [0, 0, 0, 0, 81]);
    assert.deepEqual(r.passAtKExcluded, [0, 0, 0, 81, 81]);
  });
});

describe("counts diagnostics", () => {
  test("difficulty bins follow the issue's edges exactly", () => {
    const cases: [number, number, number][] = [
      [10, 0, 0],
      [10, 1, 1],
      [11, 1, 1],
      [9, 1, 2],
      [10, 3, 2],
      [10, 4, 3],
      [10, 7, 3],
      [10, 8, 4],
      [10, 9, 4],
      [10, 10, 5],
      [1, 1, 5],
      [100, 30, 2],
      [100, 31, 3],
    ];
    for (const [n, c, bin] of cases) assert.equal(difficultyBin(n, c), bin, `${c}/${n}`);
    assert.equal(DIFFICULTY_BINS.length, 6);
    assert.deepEqual(defaultKGrid(10), [1, 2, 4, 8, 10]);
    assert.deepEqual(defaultKGrid(8), [1, 2, 4, 8]);
  });

  test("shares sum to 1, match a hand computation, ESS = (Σw)²/Σw²; bootstrap is seeded", () => {
    const prompts = [
      { n: 4, c: 0 },
      { n: 4, c: 0 },
      { n: 4, c: 1 },
      { n: 4, c: 2 },
      { n: 4, c: 4 },
    ];
    const r = countsDiagnostics(prompts, { k: [1, 2, 4], bootstrap: 300, seed: 3 });
    // k = 2: ŵ = 2(n−c)/n = 2, 2, 1.5, 1, 0 → Σ = 6.5, Σw² = 11.25
    assert.ok(Math.abs((r.weightShare[0].share[1] as number) - 4 / 6.5) < TOL.roundoff);
    assert.ok(Math.abs((r.ess[1] as number) - 6.5 ** 2 / 11.25) < TOL.exact);
    for (let s = 0; s < 3; s++) {
      const total = r.weightShare.reduce((a, b) => a + (b.share[s] as number), 0);
      assert.ok(Math.abs(total - 1) < TOL.exact);
    }
    assert.deepEqual(
      r.weightShare.map((b) => b.prompts),
      [2, 0, 1, 1, 0, 1],
    );
    const again = countsDiagnostics(prompts, { k: [1, 2, 4], bootstrap: 300, seed: 3 });
    assert.deepEqual(again, r);
    const other = countsDiagnostics(prompts, { k: [1, 2, 4], bootstrap: 300, seed: 4 });
    assert.notDeepEqual(other.passAtKCI, r.passAtKCI);
    const [lo, hi] = r.passAtKCI[0] as [number, number];
    assert.ok(lo <= (r.passAtK[0] as number) && (r.passAtK[0] as number) <= hi);
  });

  test("bootstrap: class counts sum to m on both routes; the interval width matches the standard error of a mean", () => {
    const rng = createRng(5);
    const out = new Float64Array(3);
    const few = Int32Array.from({ length: 1000 }, (_, i) => i % 3);
    drawClassCounts(rng, few, [334, 333, 333], out); // 300 < 1000: conditional binomials
    assert.equal(out[0] + out[1] + out[2], 1000);
    const many = Int32Array.from({ length: 200 }, (_, i) => i % 3);
    drawClassCounts(rng, many, [67, 67, 66], out); // index draws
    assert.equal(out[0] + out[1] + out[2], 200);
    // 3000 prompts, n = 4, c ∈ {0, 2, 4} equally: p̂ ∈ {0, ½, 1}, SD ½·sqrt(2/3); SE = SD/sqrt(m).
    const prompts = Array.from({ length: 3000 }, (_, i) => ({ n: 4, c: 2 * (i % 3) }));
    const r = countsDiagnostics(prompts, { k: [1], bootstrap: 2000, seed: 9 });
    const se = (0.5 * Math.sqrt(2 / 3)) / Math.sqrt(3000);
    const [lo, hi] = r.passAtKCI[0] as [number, number];
    // 95% percentile interval ≈ ±1.96 SE; 2000 replicates pin its width to ≈ 3%.
    assert.ok(
      Math.abs((hi - lo) / (2 * 1.96 * se) - 1) < 0.1,
      `width ${hi - lo} vs ${2 * 1.96 * se}`,
    );
  });

  test("groups: each group gets the same keys as the whole, computed on its own prompts", () => {
    const prompts = [
      { n: 2, c: 0, group: "b" },
      { n: 2, c: 2, group: "a" },
      { n: 2, c: 1, group: "a" },
    ];
    const r = groupedCountsDiagnostics(prompts, { bootstrap: 0 });
    assert.deepEqual(Object.keys(r.groups ?? {}), ["a", "b"]);
    assert.deepEqual(
      Object.keys(r.groups?.a ?? {}).sort(),
      Object.keys(r)
        .filter((x) => x !== "groups")
        .sort(),
    );
    assert.equal(r.groups?.a.passAtK[0], 0.75);
    assert.equal(r.groups?.b.passAtK[0], 0);
  });
});

const P = (id: string, n: number, c: number, line = 1): LinedCounts => ({ id, line, n, c });

describe("compareCounts on hand-made pairs", () => {
  // x: always solved → 2 of 4; y: never → 2 of 4; w: never → never; v: 1 of 4 → never.
  const before = [
    P("x", 4, 4, 1),
    P("y", 4, 0, 2),
    P("z", 4, 2, 3),
    P("w", 4, 0, 4),
    P("v", 4, 1, 5),
  ];
  const after = [
    P("y", 4, 2, 1),
    P("x", 4, 2, 2),
    P("u", 4, 3, 3),
    P("w", 4, 0, 4),
    P("v", 4, 0, 5),
  ];

  test("Δpass@k, crossing k, bins, fell share and unmatched counts are the hand values", () => {
    const r = compareCounts(before, after, { k: [1, 2, 3, 4], bootstrap: 0 });
    // ρ(4,1,k) = 1/4, 1/2, 3/4, 1 and ρ(4,2,k) = 1/2, 5/6, 1, 1 for k = 1…4.
    // Before: (1 + 0 + 0 + ρ(4,1,k))/4; after: (2ρ(4,2,k) + 0 + 0)/4.
    const want = [-1 / 16, 1 / 24, 1 / 16, 0];
    r.deltaPassAtK.forEach((d, s) =>
      assert.ok(Math.abs(d - want[s]) < TOL.roundoff, `k=${r.k[s]}`),
    );
    assert.equal(r.crossingK, 2);
    assert.equal(r.matched, 4);
    assert.equal(r.unmatchedBefore, 1);
    assert.equal(r.unmatchedAfter, 1);
    const bin = (
      range: string,
      prompts: number,
      gained: number,
      lost: number,
      meanDeltaP: number,
    ) => ({ range, prompts, gained, lost, meanDeltaP });
    assert.deepEqual(r.bins[0], bin("c = 0", 2, 1, 0, 0.25));
    assert.deepEqual(r.bins[1], {
      range: "(0, 0.1]",
      prompts: 0,
      gained: 0,
      lost: 0,
      meanDeltaP: null,
    });
    assert.deepEqual(r.bins[2], bin("(0.1, 0.3]", 1, 0, 1, -0.25));
    assert.deepEqual(r.bins[5], bin("c = n", 1, 0, 0, -0.5));
    // BEFORE ŵ_k: x (c = n) 1 at k = 1, else 0; y, w (c = 0) k; v (c = 1) 1, 3/2, 3/2, 1.
    // x and v fell: (1 + 1)/4, (3/2)/(11/2), (3/2)/(15/2), 1/9.
    const fell = [0.5, 3 / 11, 0.2, 1 / 9];
    r.fellWeightShare.forEach((f, s) =>
      assert.ok(Math.abs((f as number) - fell[s]) < TOL.roundoff),
    );
    assert.match(r.verdict, /lowers pass@1.*from k = 2/);
  });

  test("no crossing when AFTER is better at every k; 1 is added to the grid", () => {
    const r = compareCounts([P("a", 4, 1), P("b", 4, 0)], [P("a", 4, 2), P("b", 4, 1)], {
      k: [2, 4],
      bootstrap: 100,
    });
    assert.deepEqual(r.k, [1, 2, 4]);
    assert.ok(r.deltaPassAtK.every((d) => d > 0));
    assert.equal(r.crossingK, null);
    assert.deepEqual(r.crossingKCI, [null, null]);
    assert.match(r.verdict, /raises pass@k at every k/);
  });

  test("paired bootstrap: identical files give Δ = 0 with a zero-width interval", () => {
    const same = [P("a", 8, 3), P("b", 8, 0), P("c", 8, 8)];
    const r = compareCounts(same, same, { bootstrap: 50 });
    for (const ci of r.deltaPassAtKCI) assert.deepEqual(ci, [0, 0]);
  });

  test("errors: no overlap, duplicate id, k beyond n — naming file and line", () => {
    const opts = { beforeLabel: "before.jsonl", afterLabel: "after.jsonl" };
    assert.throws(
      () => compareCounts([P("a", 4, 1)], [P("b", 4, 1)], opts),
      (e: unknown) =>
        e instanceof InputError && /after\.jsonl.*no prompt id in common/.test(e.message),
    );
    assert.throws(
      () => compareCounts([P("a", 4, 1, 1), P("a", 4, 2, 7)], [P("a", 4, 1)], opts),
      (e: unknown) => e instanceof InputError && e.file === "before.jsonl" && e.line === 7,
    );
    assert.throws(
      () => compareCounts([P("a", 8, 1)], [P("a", 4, 1, 5)], { ...opts, k: [1, 8] }),
      (e: unknown) =>
        e instanceof InputError &&
        e.file === "after.jsonl" &&
        e.line === 5 &&
        /k = 8/.test(e.message),
    );
  });
});

describe("readCountTable", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-readtable-"));
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  test("multi-model CSV, --model filter, per-sample JSONL with a group field", async () => {
    const csv = write("m.csv", "model,prompt,n,c\nA,p1,4,1\nA,p2,4,0\nB,p1,4,4\n");
    const t = await readCountTable(csv);
    assert.deepEqual([...t.models.keys()], ["A", "B"]);
    assert.equal(t.models.get("A")?.length, 2);
    const only = await readCountTable(csv, { model: "B" });
    assert.deepEqual([...only.models.keys()], ["B"]);
    const js = write(
      "s.jsonl",
      [
        '{"prompt":1,"correct":1,"level":2}',
        '{"prompt":2,"correct":false,"level":5}',
        '{"prompt":1,"correct":0,"level":2}',
      ].join("\n"),
    );
    const s = await readCountTable(js, { groupBy: "level" });
    assert.deepEqual(s.models.get(""), [
      { id: "1", line: 1, n: 2, c: 1, group: "2" },
      { id: "2", line: 2, n: 1, c: 0, group: "5" },
    ]);
  });

  test("errors name file, line and field", async () => {
    const cases: [string, string, object, RegExp][] = [
      ["d.csv", "model,prompt,n,c\nA,p1,4,1\nA,p1,4,2\n", {}, /d\.csv:3: field "prompt".*line 2/],
      ["c.csv", "prompt,n,c\np1,4,5\n", {}, /c\.csv:2: field "c"/],
      [
        "g.jsonl",
        '{"prompt":1,"correct":1,"level":2}\n{"prompt":1,"correct":1,"level":3}\n',
        { groupBy: "level" },
        /g\.jsonl:2: field "level"/,
      ],
      [
        "x.jsonl",
        '{"prompt":1,"correct":1}\n{"prompt":2,"correct":"yes"}\n',
        {},
        /x\.jsonl:2: field "correct"/,
      ],
      ["m.jsonl", '{"prompt":1,"correct":1}\n', { model: "A" }, /m\.jsonl:1: field "model"/],
      ["e.jsonl", "", {}, /e\.jsonl:1: the file has no records/],
    ];
    for (const [name, text, opts, re] of cases) {
      const f = write(name, text);
      await assert.rejects(
        readCountTable(f, opts),
        (e: unknown) => e instanceof InputError && re.test(e.message),
      );
    }
    await assert.rejects(readCountTable(path.join(dir, "missing.jsonl")), /cannot read/);
  });
});
