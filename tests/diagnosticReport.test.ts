/**
 * Issue 14: the diagnostic's headline numbers, bounded intervals, pass^k, "what next", the
 * footnotes of every null, and the command as a process (JSON on stdout, EPIPE, the bin shim).
 */
import { TOL } from "../lib/core/tolerances";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  diagnose,
  footnotes,
  passHatKPromptEstimate,
  SampleAccumulator,
  summaryRows,
  type DiagnosticResult,
  type SampleData,
} from "../lib/diagnostic/index";
import { safeMixingLambda } from "../lib/theory/mitigations";
import { promptWeightEstimate } from "../lib/theory/estimators";
import { logLinearSoftmaxPolicy } from "../lib/sim/policies";
import { createRng, type Rng } from "../lib/core/rng";

const root = path.join(__dirname, "..");

/**
 * A hand-made logistic population with exact p(x) and ∇p(x): π_θ(correct | x) = σ(⟨θ, φ_x⟩), so
 * p = σ(⟨θ, φ_x⟩), ∇p = p(1 − p)φ_x and the score is (1 − p)φ_x on a correct sample, −pφ_x on an
 * incorrect one. Groups of `perGroup` prompts with n samples each: easy (p = 0.8, a(x) > 0),
 * hard-negative (p_hard, a(x) < 0) and hard-positive (p_hard, a(x) > 0). Returns the samples and
 * the exact share of q_k on {a < 0}: w_k(p_hard)/(w_k(0.8) + 2w_k(p_hard)), w_k(p) = k(1−p)^{k−1}.
 */
function logisticGroups(rng: Rng, perGroup: number, n: number, pHard: number, ks: number[]) {
  const logit = (p: number) => Math.log(p / (1 - p));
  // θ = (0, 0, 1) and φ_x = (u_x, 0, logit p_x): ⟨θ, φ_x⟩ = logit p_x.
  const groups = [
    { p: 0.8, phi: [2, 0, logit(0.8)] },
    { p: pHard, phi: [-3, 0, logit(pHard)] },
    { p: pHard, phi: [3, 0, logit(pHard)] },
  ];
  // ∇J_1 = mean over prompts of p(1 − p)φ (equal group sizes); a(x) = p(1 − p)⟨φ_x, ∇J_1⟩.
  const g1 = [0, 1, 2].map((j) => groups.reduce((t, g) => t + g.p * (1 - g.p) * g.phi[j], 0) / 3);
  const a = groups.map((g) => g.p * (1 - g.p) * g.phi.reduce((t, v, j) => t + v * g1[j], 0));
  assert.ok(a[0] > 0 && a[1] < 0 && a[2] > 0, `construction: agreement signs ${a}`);
  const truth = ks.map((k) => {
    const w = groups.map((g) => k * (1 - g.p) ** (k - 1));
    return w[1] / (w[0] + w[1] + w[2]);
  });
  const acc = new SampleAccumulator();
  groups.forEach((g, gi) => {
    for (let i = 0; i < perGroup; i++) {
      for (let j = 0; j < n; j++) {
        const correct = rng.uniform() < g.p;
        const f = correct ? 1 - g.p : -g.p;
        acc.add(
          `g${gi}-${i}`,
          correct,
          g.phi.map((v) => f * v),
        );
      }
    }
  });
  return { data: acc.finish(), truth };
}

const inUnit = (x: number) => x >= 0 && x <= 1;

describe("the share of q_k on negatively interfering prompts (exact logistic toy)", () => {
  const ks = [1, 2, 4, 8];

  test("the true share lies within [lower, upper] on 5 datasets where hard prompts often have no correct sample; the old share (lower bound) misses it", () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { data, truth } = logisticGroups(createRng(seed), 200, 16, 0.05, ks);
      const res = diagnose(data, { k: ks, bootstrap: 100, seed });
      ks.forEach((k, s) => {
        const [lo, hi] = res.negativeAgreementWeightBounds[s]!;
        assert.ok(
          lo <= truth[s] && truth[s] <= hi,
          `seed ${seed}, k = ${k}: ${truth[s]} ∉ [${lo}, ${hi}]`,
        );
        const point = res.negativeAgreementWeight[s]!;
        assert.ok(lo <= point && point <= hi);
        assert.ok(
          Math.abs(hi - lo - res.undeterminedAgreementWeight[s]!) <= TOL.exact,
          "upper − lower = undetermined weight",
        );
        const [ciLo, ciHi] = res.negativeAgreementWeightBoundsCI[s]!;
        assert.ok(ciLo![0] <= lo && hi <= ciHi![1]);
        for (const v of [...ciLo!, ...ciHi!, ...res.negativeAgreementWeightCI[s]!])
          assert.ok(inUnit(v), `share interval end ${v} outside [0, 1]`);
      });
      // at k = 8, 0.95^16 ≈ 44% of hard prompts have c = 0: counting them nowhere (the old
      // headline) falls far below the truth
      assert.ok(res.negativeAgreementWeightBounds[3]![0] < truth[3] - 0.1);
    }
  });

  test("with no undetermined prompt, the bounds collapse to the point estimate (and their intervals to its interval)", () => {
    const { data, truth } = logisticGroups(createRng(7), 100, 64, 0.3, ks);
    assert.ok(data.prompts.every((st) => st.c > 0));
    const res = diagnose(data, { k: ks, bootstrap: 100, seed: 7 });
    ks.forEach((k, s) => {
      const point = res.negativeAgreementWeight[s]!;
      assert.deepEqual(res.negativeAgreementWeightBounds[s], [point, point]);
      assert.equal(res.undeterminedAgreementWeight[s], 0);
      const ci = res.negativeAgreementWeightCI[s]!;
      assert.deepEqual(res.negativeAgreementWeightBoundsCI[s], [ci, ci]);
      assert.ok(ci[0] <= truth[s] && truth[s] <= ci[1], `k = ${k}: ${truth[s]} ∉ [${ci}]`);
    });
    assert.equal(
      summaryRows(res)[0]["q_k(a<0)"],
      String(Number(res.negativeAgreementWeight[0]!.toPrecision(3))),
      "the table shows one number, not 'between'",
    );
  });
});

describe("failed samples' scores classify prompts with no correct sample", () => {
  test("E[s | r = 0] = −∇p/(1 − p) exactly on a random log-linear softmax policy (30 prompts, 5 actions)", () => {
    const rng = createRng(21);
    const [N, K, d] = [30, 5, 4];
    const policy = logLinearSoftmaxPolicy({
      K,
      d,
      features: Array.from({ length: N * K * d }, () => rng.normal()),
      correctAction: Array.from({ length: N }, () => rng.int(0, K - 1)),
    });
    const theta = Array.from({ length: d }, () => rng.normal());
    const probs = policy.actionProbs(theta);
    const pop = policy.population(theta);
    for (let x = 0; x < N; x++) {
      const cond = new Float64Array(d);
      for (let a = 0; a < K; a++) {
        if (policy.reward[x * K + a] === 1) continue;
        const sc = policy.score(theta, x, a);
        for (let j = 0; j < d; j++) cond[j] += (probs[x * K + a] * sc[j]) / (1 - pop.p[x]);
      }
      for (let j = 0; j < d; j++) {
        const want = -pop.gradP[x * d + j] / (1 - pop.p[x]);
        assert.ok(Math.abs(cond[j] - want) <= TOL.exact * (1 + Math.abs(want)), `x${x}[${j}]`);
      }
    }
  });

  test("on the logistic toy (failure scores ∝ ∇p) the failure-based share classifies every c = 0 prompt by its true sign, and lies within the bounds", () => {
    const ks = [1, 2, 4, 8];
    for (let seed = 1; seed <= 3; seed++) {
      const { data, truth } = logisticGroups(createRng(seed), 200, 16, 0.05, ks);
      const res = diagnose(data, { k: ks, bootstrap: 50, seed });
      ks.forEach((k, s) => {
        const w = data.prompts.map((st) => promptWeightEstimate(st.n, st.c, k));
        const total = w.reduce((t, v) => t + v, 0);
        // c = 0 prompts of the hard-negative group (ids g1-…) are the negative undetermined ones
        const negZero = w.reduce(
          (t, v, x) =>
            t + (data.prompts[x].c === 0 && data.prompts[x].id.startsWith("g1-") ? v : 0),
          0,
        );
        const [lo, hi] = res.negativeAgreementWeightBounds[s]!;
        const f = res.negativeAgreementWeightFromFailures[s]!;
        assert.ok(Math.abs(f - (lo + negZero / total)) <= TOL.exact, `seed ${seed}, k = ${k}`);
        assert.ok(lo <= f && f <= hi);
        const ci = res.negativeAgreementWeightFromFailuresCI[s]!;
        assert.ok(inUnit(ci[0]) && inUnit(ci[1]));
        // closer to the truth than either bound where prompts are undetermined
        if (hi - lo > 0.05)
          assert.ok(Math.abs(f - truth[s]) < Math.min(truth[s] - lo, hi - truth[s]), `k = ${k}`);
      });
    }
  });
});

/** Data from a K-action softmax-like generator with noisy d-dimensional scores (no structure). */
function noisyData(rng: Rng, prompts: number, n: number, d: number): SampleData {
  const acc = new SampleAccumulator();
  for (let x = 0; x < prompts; x++) {
    const p = rng.uniform();
    for (let j = 0; j < n; j++)
      acc.add(
        `x${x}`,
        rng.uniform() < p,
        Array.from({ length: d }, () => rng.normal()),
      );
  }
  return acc.finish();
}

describe("bounded intervals", () => {
  test("cosines and their intervals stay in [−1, 1] where the unclipped ratio leaves it; shares and probabilities in [0, 1]", () => {
    let clipped = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const res = diagnose(noisyData(createRng(seed), 30, 8, 3), {
        k: [1, 2, 4],
        bootstrap: 200,
        seed,
      });
      res.k.forEach((_, s) => {
        const c = res.cosine[s];
        const ip = res.innerProduct[s]!;
        const nk = res.gradJkNormSq[s]!;
        const n1 = res.gradJ1NormSqAtK[s]!;
        if (nk > 0 && n1 > 0) {
          const raw = ip / Math.sqrt(nk * n1);
          assert.equal(c, Math.max(-1, Math.min(1, raw)));
          if (Math.abs(raw) > 1) clipped++;
        } else assert.equal(c, null);
        const ci = res.cosineCI[s];
        if (ci) assert.ok(ci[0] >= -1 && ci[1] <= 1 && ci[0] <= ci[1], `cos CI ${ci}`);
        for (const iv of [res.passAtKCI[s], res.passHatKCI[s], res.mixingLambdaCI[s]])
          if (iv) assert.ok(inUnit(iv[0]) && inUnit(iv[1]), `interval ${iv}`);
        const lam = res.mixingLambda[s];
        if (lam !== null) assert.ok(lam >= 0 && lam < 1);
      });
    }
    assert.ok(clipped > 0, "the test data must include cross-fitted cosines beyond ±1");
  });
});

describe("pass^k, the mixing weight and the safe k", () => {
  const fixtures = JSON.parse(
    fs.readFileSync(path.join(root, "tests/fixtures/passHatKDiagnostic.json"), "utf8"),
  ) as [number, number, number, string][];

  test(`C(c,k)/C(n,k) matches ${fixtures.length} exact rationals (Python math.comb) to 2.3e-16 relative per factor of the product`, () => {
    for (const [n, c, k, exact] of fixtures) {
      const v = passHatKPromptEstimate(n, c, k);
      const e = Number(exact);
      const factors = Math.min(k, n - c) + 1;
      assert.ok(Math.abs(v - e) <= 2.3e-16 * factors * e, `(${n}, ${c}, ${k}): ${v} vs ${exact}`);
    }
    assert.throws(() => passHatKPromptEstimate(3, 1, 4), /k must be an integer in 1…n = 3/);
  });

  test("passHatK is the mean over prompts with n ≥ k, and unbiased: Σ_c Bin(c; n, p)·C(c,k)/C(n,k) = p^k", () => {
    const acc = new SampleAccumulator();
    const counts = [
      [4, 3],
      [8, 8],
      [2, 1],
      [6, 0],
    ];
    counts.forEach(([n, c], x) => {
      for (let j = 0; j < n; j++) acc.add(`p${x}`, j < c);
    });
    const res = diagnose(acc.finish(), { k: [1, 3, 5], bootstrap: 0 });
    assert.deepEqual(res.passHatK, [
      (3 / 4 + 1 + 1 / 2 + 0) / 4,
      (1 / 4 + 1 + 0) / 3, // C(3,3)/C(4,3) = 1/4; n = 2 excluded
      (1 + 0) / 2,
    ]);
    const binom = (n: number, c: number) => {
      let r = 1;
      for (let i = 0; i < c; i++) r = (r * (n - i)) / (i + 1);
      return r;
    };
    for (const [n, k, p] of [
      [10, 3, 0.37],
      [16, 8, 0.9],
      [7, 7, 0.5],
    ]) {
      let e = 0;
      for (let c = 0; c <= n; c++)
        e += binom(n, c) * p ** c * (1 - p) ** (n - c) * passHatKPromptEstimate(n, c, k);
      assert.ok(Math.abs(e - p ** k) <= 1e-14, `n=${n} k=${k} p=${p}: ${e} vs ${p ** k}`);
    }
  });

  test("mixingLambda makes (1−λ)⟨∇J_k,∇J_1⟩ + λ‖∇J_1‖² = 0 where they conflict, is 0 elsewhere, and safeK is the longest prefix of positive intervals", () => {
    const { data } = logisticGroups(createRng(3), 100, 16, 0.05, [1]);
    const res = diagnose(data, { k: [1, 2, 4, 8, 3], bootstrap: 100, seed: 1 });
    let conflicts = 0;
    res.k.forEach((k, s) => {
      const ip = res.innerProduct[s]!;
      const n1 = res.gradJ1NormSqAtK[s]!;
      const lam = res.mixingLambda[s]!;
      assert.equal(lam, 1 - safeMixingLambda(n1, ip));
      if (ip >= 0) return assert.equal(lam, 0);
      conflicts++;
      assert.ok(Math.abs((1 - lam) * ip + lam * n1) <= TOL.exact * n1, `k = ${k}`);
    });
    assert.ok(conflicts > 0, "the toy conflicts at some k");
    const sorted = res.k.map((k, s) => ({ k, s })).sort((a, b) => a.k - b.k);
    let expected: number | null = null;
    for (const { k, s } of sorted) {
      if (!(res.innerProductCI[s]![0] > 0)) break;
      expected = k;
    }
    assert.equal(res.safeK, expected);
    assert.notEqual(res.safeK, null);
  });
});

/** Every null (per-k entries, interval ends inside pairs, scalars) has a reason. */
function assertNullsExplained(r: DiagnosticResult): void {
  const has = (field: string, k: number | null) =>
    r.nullReasons.some((e) => e.field === field && e.k === k);
  const perK = Object.entries(r).filter(
    ([key, v]) => Array.isArray(v) && v.length === r.k.length && key !== "k" && key !== "perPrompt",
  );
  for (const [field, values] of perK) {
    (values as unknown[]).forEach((v, s) => {
      const missing = v === null || (Array.isArray(v) && v.some((e) => e === null));
      if (missing) assert.ok(has(field, r.k[s]), `${field} at k = ${r.k[s]} has no reason`);
    });
  }
  for (const field of ["gradJ1NormSq", "kStar", "safeK"] as const)
    if (r[field] === null) assert.ok(has(field, null), field);
  if (r.kStarCI === null || r.kStarCI.includes(null)) assert.ok(has("kStarCI", null));
  if (r.perPrompt.some((p) => p.agreement === null)) assert.ok(has("perPrompt.agreement", null));
}

describe("every null is explained", () => {
  test("per-k, interval and scalar nulls each have a reason, and each '—' of the table a footnote", () => {
    const sample = logisticGroups(createRng(4), 20, 6, 0.05, [1]).data;
    const acc = new SampleAccumulator();
    for (let j = 0; j < 5; j++) acc.add("only", j < 2);
    const cases = [
      diagnose(sample, { k: [1, 2, 3, 4, 16], bootstrap: 30 }),
      diagnose(sample, { k: [1, 2, 3, 4, 16], bootstrap: 0 }),
      diagnose(noisyData(createRng(2), 12, 4, 5), { k: [1, 2, 3], bootstrap: 50 }),
      diagnose(acc.finish(), { k: [1, 5, 6], bootstrap: 10 }),
    ];
    for (const r of cases) {
      assertNullsExplained(r);
      const notes = footnotes(r).join("\n");
      for (const row of summaryRows(r))
        for (const [column, v] of Object.entries(row))
          if (v === "—")
            assert.match(
              notes,
              new RegExp(
                `"${column.replace(/[()^*|[\]\\.]/g, "\\$&")}" at k = [\\d, ]*\\b${row.k}\\b`,
              ),
            );
    }
    assert.ok(cases[1].nullReasons.some((e) => /--bootstrap 0/.test(e.reason)));
  });
});

/** Runs a shell pipeline from the repo root; resolves with its status, stdout and stderr. */
function sh(command: string, cwd = root) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile("bash", ["-c", command], { cwd, maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      resolve({
        code: err ? Number((err as unknown as { code: number }).code) : 0,
        stdout,
        stderr,
      }),
    );
  });
}

describe("the command as a process", () => {
  const file = path.join(root, "data/example-samples.jsonl");
  const shim = path.join(root, "scripts/analyze-bin.js");

  test("npm run --silent analyze -- FILE --json | python3 -m json.tool parses; warnings go to stderr", async () => {
    const r = await sh(
      `set -o pipefail; npm run --silent analyze -- ${file} --json --bootstrap 20 | python3 -m json.tool > /dev/null`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: /m);
  });

  test("the bin shim (scripts/analyze-bin.js) works from another directory: --json is one document, --help exits 0, bad input 1, bad usage 2", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "passk-bin-"));
    const json = await sh(`node ${shim} ${file} --json --bootstrap 10 --k 1,2`, tmp);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    for (const key of ["negativeAgreementWeightBounds", "safeK", "mixingLambda", "passHatK"])
      assert.ok(key in doc, key);
    const help = await sh(`node ${shim} --help`, tmp);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /npx passk-analyze FILE/);
    const bad = path.join(tmp, "bad.jsonl");
    fs.writeFileSync(bad, '{"prompt": "a", "correct": 2}\n');
    const input = await sh(`node ${shim} ${bad}`, tmp);
    assert.equal(input.code, 1);
    assert.match(input.stderr, /^error: .*bad\.jsonl:1: field "correct"/);
    assert.equal((await sh(`node ${shim} --k x ${file}`, tmp)).code, 2);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    assert.equal(pkg.bin["passk-analyze"], "scripts/analyze-bin.js");
  });

  test("a closed stdout (| head -1, | true) ends quietly with status 0, no stack trace", async () => {
    for (const reader of ["head -1", "true"]) {
      const r = await sh(
        `node ${shim} ${file} --bootstrap 10 --k 1,2 | ${reader}; echo "status=\${PIPESTATUS[0]}" >&2`,
      );
      assert.match(r.stderr, /status=0/, `${reader}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at |Error/, reader);
    }
  });
});
