import { test, describe } from "node:test";
import { TOL } from "../lib/core/tolerances";
import assert from "node:assert/strict";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { agreementScoresEstimate, diagnose, headline, summaryRows } from "../lib/diagnostic/index";
import { runAnalyze } from "../scripts/analyze";
import { SampleAccumulator, type SampleData } from "../lib/diagnostic/read";
import { passAtKEstimate, promptWeightEstimate } from "../lib/theory/estimators";
import { agreementScores, conflictProfile } from "../lib/theory/interference";
import { crossFitConflict } from "../lib/sim/crossFit";
import { logisticPolicy, logLinearSoftmaxPolicy, type Policy } from "../lib/sim/policies";
import { easyHardBandit } from "../lib/sim/populations";
import { createRng, type Rng } from "../lib/core/rng";
import type { Population } from "../lib/core/types";

/**
 * n_x sampled responses per prompt from a policy with exact p and ∇p (lib/sim/policies.ts), with
 * their exact scores, as the diagnostic's input. `nPer` gives each prompt's n (default n).
 */
function sampleData(
  policy: Policy,
  theta: ArrayLike<number>,
  rng: Rng,
  n: number,
  nPer?: ArrayLike<number>,
): SampleData {
  const batch = policy.sample(theta, rng, n);
  const acc = new SampleAccumulator();
  for (let x = 0; x < policy.N; x++) {
    const scores = Array.from({ length: policy.K }, (_, a) => policy.score(theta, x, a));
    const nx = nPer ? nPer[x] : n;
    for (let j = 0; j < nx; j++)
      acc.add(`x${x}`, batch.correct[x * n + j] === 1, scores[batch.actions[x * n + j]]);
  }
  return acc.finish();
}

/** The population restricted to prompts with `keep`, with uniform mass over them. */
function subPopulation(pop: Population, keep: (x: number) => boolean): Population {
  const idx = Array.from({ length: pop.N }, (_, x) => x).filter(keep);
  const gradP = new Float64Array(idx.length * pop.d);
  idx.forEach((x, r) => gradP.set(pop.gradP.subarray(x * pop.d, (x + 1) * pop.d), r * pop.d));
  return {
    N: idx.length,
    d: pop.d,
    mass: new Float64Array(idx.length).fill(1 / idx.length),
    p: Float64Array.from(idx, (x) => pop.p[x]),
    gradP,
  };
}

function meanAndSE(xs: number[]): { mean: number; se: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, se: Math.sqrt(v / xs.length) };
}

function assertWithin4SE(xs: number[], exact: number, what: string): void {
  const { mean, se } = meanAndSE(xs);
  assert.ok(
    Math.abs(mean - exact) <= 4 * se,
    `${what}: mean ${mean} vs exact ${exact}, 4·SE = ${4 * se}`,
  );
}

/**
 * A K-action log-linear softmax over N prompts with N(0, 1) features in R^d and a random correct
 * action.
 */
function randomLogLinearPolicy(rng: Rng, N: number, K: number, d: number): Policy {
  return logLinearSoftmaxPolicy({
    K,
    d,
    features: Array.from({ length: N * K * d }, () => rng.normal()),
    correctAction: Array.from({ length: N }, () => rng.int(0, K - 1)),
  });
}

/** Our easy/hard toy (PAPER.md §6) at a θ where pass@k conflicts with pass@1 from k = 3 on. */
function toy(M: number, seed: number, labels: "stratified" | "iid" = "stratified") {
  const contexts = easyHardBandit({ M, rho: 0.3, delta: 1, rng: createRng(seed), labels });
  const policy = logisticPolicy(contexts);
  const theta = [0.8, 1.5];
  return { policy, theta, pop: policy.population(theta) };
}

describe("cross-fitted estimators on synthetic samples with known p(x) and ∇p(x)", () => {
  test("a two-prompt example worked by hand: ⟨∇J_1,∇J_1⟩ = 0.125, ⟨∇J_2,∇J_1⟩ = 0, â = (0.5, −0.25)", () => {
    // q: A = samples 0, 2 (both correct: S⁺_A = (2, 1)), B = 1, 3 (one correct: S⁺_B = (2, 0));
    // r: S⁺_A = (0, −1), S⁺_B = (−1, 2). Ĝ^A = mean(S⁺_A/2) = (0.5, 0), Ĝ^B = (0.25, 0.5).
    // k = 2, loo−1 weight C(n_h−c_h, 1)/C(2, 2): 0 for q's A half (c = 2), 1 otherwise:
    // Ĥ^A = (0, −0.5), Ĥ^B = (0.5, 1); ½(⟨Ĥ^A, Ĝ^B⟩ + ⟨Ĥ^B, Ĝ^A⟩) = ½(−0.25 + 0.25) = 0.
    const acc = new SampleAccumulator();
    acc.add("q", true, [1, 0]);
    acc.add("q", false, [0, 1]);
    acc.add("q", true, [1, 1]);
    acc.add("q", true, [2, 0]);
    acc.add("r", false, [1, 1]);
    acc.add("r", true, [-1, 2]);
    acc.add("r", true, [0, -1]);
    acc.add("r", false, [1, 0]);
    const res = diagnose(acc.finish(), { k: [1, 2], bootstrap: 0 });
    assert.deepEqual(res.innerProduct, [0.125, 0]);
    assert.deepEqual(
      res.gradJkNormSq,
      [0.125, -0.5],
      "cross-fitted ‖∇J_2‖² = ⟨Ĥ^A, Ĥ^B⟩ can be negative",
    );
    assert.deepEqual(
      res.perPrompt.map((p) => p.agreement),
      [0.5, -0.25],
    );
    assert.equal(res.passAtK[0], 0.625);
    assert.ok(Math.abs(res.passAtK[1]! - 11 / 12) <= TOL.roundoff, "pass@2: (1 + 5/6)/2");
  });

  test("⟨∇J_k,∇J_1⟩, ‖∇J_k‖², ‖∇J_1‖² and â(x) are unbiased: means over 300 datasets lie within 4 standard errors of the exact values (our easy/hard toy)", () => {
    const { policy, theta, pop } = toy(40, 4);
    const ks = [1, 2, 3, 4];
    const exact = conflictProfile(pop, ks);
    const a = agreementScores(pop);
    const watch = [0, 39]; // an easy and a hard prompt
    const rng = createRng(2);
    const ip: number[][] = ks.map(() => []);
    const nk: number[][] = ks.map(() => []);
    const n1: number[] = [];
    const agree: number[][] = watch.map(() => []);
    for (let r = 0; r < 300; r++) {
      const data = sampleData(policy, theta, rng, 8);
      const res = diagnose(data, { k: ks, bootstrap: 0 });
      ks.forEach((_, s) => {
        ip[s].push(res.innerProduct[s]!);
        nk[s].push(res.gradJkNormSq[s]!);
      });
      n1.push(res.gradJ1NormSq!);
      watch.forEach((x, w) => agree[w].push(res.perPrompt[x].agreement!));
    }
    assert.ok(
      exact.innerProduct[0] > 0 && exact.innerProduct[2] < 0,
      "the toy conflicts at k = 3 but not at k = 1",
    );
    ks.forEach((k, s) => {
      assertWithin4SE(ip[s], exact.innerProduct[s], `⟨∇J_${k},∇J_1⟩`);
      assertWithin4SE(nk[s], exact.normGradJk[s] ** 2, `‖∇J_${k}‖²`);
    });
    assertWithin4SE(n1, exact.normGradJ1 ** 2, "‖∇J_1‖²");
    watch.forEach((x, w) => assertWithin4SE(agree[w], a[x], `a(x${x})`));
  });

  test("on the same responses, the estimates equal lib/sim/sampledGradients' crossFitConflict (an independent implementation on the policy's compact batches)", () => {
    const rng = createRng(13);
    const policy = randomLogLinearPolicy(rng, 30, 5, 6);
    const theta = Array.from({ length: 6 }, () => rng.normal(0, 0.7));
    const n = 8;
    const h = n / 2;
    const batch = policy.sample(theta, rng, n);
    // crossFitConflict's halves are responses [0, h) and [h, n); added as A0, B0, A1, B1, … they
    // are exactly this module's even/odd halves.
    const acc = new SampleAccumulator();
    for (let x = 0; x < policy.N; x++) {
      for (let t = 0; t < h; t++) {
        for (const j of [t, h + t])
          acc.add(
            `x${x}`,
            batch.correct[x * n + j] === 1,
            policy.score(theta, x, batch.actions[x * n + j]),
          );
      }
    }
    const ks = [1, 2, 3, 4];
    const mine = diagnose(acc.finish(), { k: ks, bootstrap: 0 });
    const theirs = crossFitConflict(policy, batch, ks, {
      estimator: "pkpoLooMinusOne",
      agreement: true,
    });
    const close = (a: number, b: number, what: string) =>
      assert.ok(
        Math.abs(a - b) <= TOL.exact * Math.max(Math.abs(a), Math.abs(b), 1e-8),
        `${what}: ${a} vs ${b}`,
      );
    ks.forEach((k, s) => {
      close(mine.innerProduct[s]!, theirs.innerProduct[s], `⟨∇J_${k},∇J_1⟩`);
      close(mine.gradJkNormSq[s]!, theirs.normGradJkSq[s], `‖∇J_${k}‖²`);
    });
    close(mine.gradJ1NormSq!, theirs.normGradJ1Sq, "‖∇J_1‖²");
    mine.perPrompt.forEach((p, x) => close(p.agreement!, theirs.agreement![x], `â(x${x})`));
  });

  test("with unequal (odd) sample counts, the inner product at k is unbiased for the population of prompts with n ≥ 2k", () => {
    const rng = createRng(3);
    const N = 24;
    const d = 5;
    const policy = randomLogLinearPolicy(rng, N, 4, d);
    const theta = Array.from({ length: d }, () => rng.normal(0, 0.5));
    const pop = policy.population(theta);
    const nPer = Array.from({ length: N }, (_, x) => [3, 5, 8, 9][x % 4]);
    const ks = [1, 2, 3, 4];
    const exact = ks.map(
      (k) =>
        conflictProfile(
          subPopulation(pop, (x) => nPer[x] >= 2 * k),
          [k],
        ).innerProduct[0],
    );
    const ip: number[][] = ks.map(() => []);
    for (let r = 0; r < 400; r++) {
      const res = diagnose(sampleData(policy, theta, rng, 9, nPer), { k: ks, bootstrap: 0 });
      assert.deepEqual(res.gradientExcluded, [0, 6, 12, 12]);
      ks.forEach((_, s) => ip[s].push(res.innerProduct[s]!));
    }
    ks.forEach((k, s) =>
      assertWithin4SE(ip[s], exact[s], `⟨∇J_${k},∇J_1⟩ over prompts with n ≥ ${2 * k}`),
    );
  });

  test("95% prompt-bootstrap intervals cover the population ⟨∇J_k,∇J_1⟩ in at least 85% of 60 datasets whose prompts are drawn from D", () => {
    const ks = [1, 3];
    const truth = conflictProfile(toy(20000, 99, "iid").pop, ks).innerProduct; // D by a large sample
    const covered = ks.map(() => 0);
    const R = 60;
    for (let r = 0; r < R; r++) {
      const { policy, theta } = toy(60, 1000 + r, "iid");
      const res = diagnose(sampleData(policy, theta, createRng(r), 8), {
        k: ks,
        bootstrap: 150,
        seed: r,
      });
      ks.forEach((_, s) => {
        const [lo, hi] = res.innerProductCI[s]!;
        if (lo <= truth[s] && truth[s] <= hi) covered[s]++;
      });
    }
    ks.forEach((k, s) =>
      assert.ok(covered[s] >= 0.85 * R, `k = ${k}: covered ${covered[s]} of ${R}`),
    );
  });
});

describe("pass@k, exclusions, k* and the negative share", () => {
  test("pass@k is the mean of the unbiased estimator over prompts with n ≥ k (to 1e-12); prompts with n < k are excluded and counted, never counted as solved", () => {
    const counts = [
      [2, 2],
      [5, 1],
      [9, 0],
      [16, 7],
      [16, 16],
      [3, 1],
    ];
    const acc = new SampleAccumulator();
    counts.forEach(([n, c], x) => {
      for (let j = 0; j < n; j++) acc.add(`p${x}`, j < c);
    });
    const ks = [1, 2, 3, 4, 9, 16, 17];
    const res = diagnose(acc.finish(), { k: ks, bootstrap: 0 });
    ks.forEach((k, s) => {
      const used = counts.filter(([n]) => n >= k);
      assert.equal(res.passAtKExcluded[s], counts.length - used.length);
      if (used.length === 0) return assert.equal(res.passAtK[s], null);
      const expected = used.reduce((t, [n, c]) => t + passAtKEstimate(n, c, k), 0) / used.length;
      assert.ok(
        Math.abs(res.passAtK[s]! - expected) <= TOL.exact,
        `k = ${k}: ${res.passAtK[s]} vs ${expected}`,
      );
    });
    // the guard "n − c < k ⇒ 1" would count prompt p0 (n = 2, c = 2) as solved at k = 4
    const k4 = ks.indexOf(4);
    const wrong =
      counts.reduce((t, [n, c]) => t + (n - c < 4 ? 1 : passAtKEstimate(n, c, Math.min(4, n))), 0) /
      counts.length;
    assert.notEqual(res.passAtK[k4], wrong);
    assert.match(res.warnings.join("\n"), /k=4: 2 of 6/);
    assert.equal(res.gradients, false);
    assert.deepEqual(
      res.innerProduct,
      ks.map(() => null),
    );
    assert.equal(res.kStar, null);
  });

  test("k* is the first grid k whose row is negative, on an evenly sampled toy and with uneven n (each row over prompts with n ≥ 2k)", () => {
    const { policy, theta } = toy(60, 4);
    const ks = [1, 2, 3, 4, 5, 6, 7, 8];
    const even = diagnose(sampleData(policy, theta, createRng(5), 16), {
      k: ks,
      bootstrap: 50,
      seed: 3,
    });
    // Uneven n: most prompts have 16 samples, a third only 6 — rows k ≥ 4 lose them.
    const nPer = Array.from({ length: 60 }, (_, x) => (x % 3 === 0 ? 6 : 16));
    const uneven = diagnose(sampleData(policy, theta, createRng(6), 16, nPer), {
      k: [8, 1, 2, 4, 6], // any order
      bootstrap: 50,
      seed: 3,
    });
    for (const res of [even, uneven]) {
      const rows = res.k.map((k, s) => ({ k, ip: res.innerProduct[s] })).sort((a, b) => a.k - b.k);
      const first = rows.find(({ ip }) => ip !== null && ip < 0);
      assert.ok(first !== undefined, "the toy conflicts from k = 3 on");
      assert.equal(res.kStar, first.k);
      assert.match(headline(res).join("\n"), new RegExp(`k\\* \\(first grid k[^:]*: ${first.k},`));
      // the bootstrap k* interval brackets k*
      const [lo, hi] = res.kStarCI!;
      assert.ok(lo !== null && lo <= first.k && (hi === null || hi >= first.k));
    }
    assert.deepEqual(uneven.gradientExcluded, [20, 0, 0, 20, 20]);
    assert.equal(even.gradJ1NormSq, even.innerProduct[0]);
  });

  test("q_k's weight on {â < 0} and on prompts with c = 0 equal a direct computation from the per-prompt statistics", () => {
    const { policy, theta } = toy(50, 8);
    const data = sampleData(policy, theta, createRng(9), 10);
    const ks = [1, 2, 5];
    const res = diagnose(data, { k: ks, bootstrap: 0 });
    const a = agreementScoresEstimate(data);
    // â(x) by hand: ĝ^h(x) = S⁺_h/n_h, Ĝ^h = mean over prompts
    const d = data.d;
    const GA = new Float64Array(d);
    const GB = new Float64Array(d);
    for (const st of data.prompts) {
      for (let j = 0; j < d; j++) {
        GA[j] += st.sums![j] / Math.ceil(st.n / 2) / data.prompts.length;
        GB[j] += st.sums![2 * d + j] / Math.floor(st.n / 2) / data.prompts.length;
      }
    }
    data.prompts.forEach((st, x) => {
      let ab = 0;
      let ba = 0;
      for (let j = 0; j < d; j++) {
        ab += (st.sums![j] / Math.ceil(st.n / 2)) * GB[j];
        ba += (st.sums![2 * d + j] / Math.floor(st.n / 2)) * GA[j];
      }
      assert.ok(Math.abs(a[x] - 0.5 * (ab + ba)) <= 1e-14, `â(x${x})`);
      assert.equal(res.perPrompt[x].agreement, st.c === 0 ? null : a[x]);
    });
    ks.forEach((k, s) => {
      const w = data.prompts.map((st) => promptWeightEstimate(st.n, st.c, k));
      const total = w.reduce((t, v) => t + v, 0);
      const det = w.reduce((t, v, x) => t + (data.prompts[x].c > 0 ? v : 0), 0);
      const neg = w.reduce((t, v, x) => t + (data.prompts[x].c > 0 && a[x] < 0 ? v : 0), 0);
      const none = w.reduce((t, v, x) => t + (data.prompts[x].c === 0 ? v : 0), 0);
      assert.ok(none > 0, "the toy has prompts with no correct sample");
      const close = (u: number | null, v: number, what: string) =>
        assert.ok(Math.abs(u! - v) <= 1e-14, `k = ${k} ${what}: ${u} vs ${v}`);
      close(res.negativeAgreementWeight[s], neg / det, "point");
      close(res.negativeAgreementWeightBounds[s]![0], neg / total, "lower");
      close(res.negativeAgreementWeightBounds[s]![1], (neg + none) / total, "upper");
      close(res.undeterminedAgreementWeight[s], none / total, "undetermined");
    });
    // undetermined agreement is null per prompt
    data.prompts.forEach((st, x) => {
      if (st.c === 0) assert.equal(res.perPrompt[x].agreement, null);
    });
  });
});

describe("bootstrap intervals", () => {
  test("the same seed gives the same intervals and another seed different ones", () => {
    const { policy, theta } = toy(30, 10);
    const data = sampleData(policy, theta, createRng(11), 8);
    const a = diagnose(data, { k: [1, 2], bootstrap: 100, seed: 1 });
    const b = diagnose(data, { k: [1, 2], bootstrap: 100, seed: 1 });
    const c = diagnose(data, { k: [1, 2], bootstrap: 100, seed: 2 });
    assert.deepEqual(a.innerProductCI, b.innerProductCI);
    assert.deepEqual(a.passAtKCI, b.passAtKCI);
    assert.notDeepEqual(a.innerProductCI, c.innerProductCI);
  });

  test("intervals contain the point estimate even when within-prompt products dominate (40-dimensional noisy scores)", () => {
    // Without removing copy–copy products from bootstrap replicates, the interval of the
    // inner product sits above the estimate here (it did on the tfjs stand-in policy).
    const rng = createRng(12);
    const d = 40;
    const policy = randomLogLinearPolicy(rng, 40, 6, d);
    const theta = new Float64Array(d);
    const res = diagnose(sampleData(policy, theta, rng, 16), {
      k: [1, 2, 4],
      bootstrap: 400,
      seed: 5,
    });
    res.k.forEach((k, s) => {
      const [lo, hi] = res.innerProductCI[s]!;
      assert.ok(
        lo <= res.innerProduct[s]! && res.innerProduct[s]! <= hi,
        `k = ${k}: ${res.innerProduct[s]} not in [${lo}, ${hi}]`,
      );
      const [plo, phi] = res.passAtKCI[s]!;
      assert.ok(plo <= res.passAtK[s]! && res.passAtK[s]! <= phi);
    });
  });
});

describe("argument checks and output helpers", () => {
  const data = (() => {
    const acc = new SampleAccumulator();
    for (let j = 0; j < 4; j++) acc.add("a", j % 2 === 0, [1, j]);
    return acc.finish();
  })();

  test("diagnose rejects a bad k grid, bootstrap count or level, naming the argument", () => {
    assert.throws(
      () => diagnose(data, { k: [1, 0] }),
      /diagnose: k\[1\] must be an integer ≥ 1, got 0/,
    );
    assert.throws(
      () => diagnose(data, { k: [2.5] }),
      /diagnose: k\[0\] must be an integer, got 2.5/,
    );
    assert.throws(
      () => diagnose(data, { bootstrap: -1 }),
      /diagnose: bootstrap must be an integer ≥ 0, got -1/,
    );
    assert.throws(() => diagnose(data, { level: 1 }), /diagnose: level must be in \(0, 1\), got 1/);
    assert.throws(() => diagnose(null as unknown as SampleData), TypeError);
  });

  test("a file sorted by correctness triggers the warning about dependent halves", () => {
    const acc = new SampleAccumulator();
    for (let x = 0; x < 25; x++) for (let j = 0; j < 8; j++) acc.add(`p${x}`, j < 3, [1, x]);
    assert.match(
      diagnose(acc.finish(), { k: [1], bootstrap: 0 }).warnings.join("\n"),
      /looks sorted by correctness/,
    );
  });

  test("summaryRows gives one row per k with numbers, intervals as text and — where not estimable", () => {
    const res = diagnose(data, { k: [1, 2, 8], bootstrap: 20 });
    const rows = summaryRows(res);
    assert.equal(rows.length, 3);
    assert.equal(rows[0].k, 1);
    assert.equal(typeof rows[0]["pass@k"], "number");
    assert.match(String(rows[0]["pass@k 95% CI"]), /^\[[-\d.e]+, [-\d.e]+\]$/);
    assert.equal(rows[2]["⟨∇J_k,∇J_1⟩"], "—");
    assert.equal(rows[2]["n<2k excl."], 1);
  });
});

describe("npm run analyze (scripts/analyze.ts)", () => {
  const root = path.join(__dirname, "..");
  /** The command in-process: exit status and what it wrote. */
  const analyze = async (args: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await runAnalyze(
      args,
      (t) => (stdout += t),
      (t) => (stderr += t),
    );
    return { code, stdout, stderr };
  };
  const badFile = () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "passk-cli-")), "bad.jsonl");
    fs.writeFileSync(
      file,
      '{"prompt": "a", "correct": true, "grad": [1, 2]}\n{"prompt": "a", "correct": "no", "grad": [1, 2]}\n',
    );
    return file;
  };
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  test("--json prints one object with prompts, samples, k, passAtK, innerProduct, cosine, negativeAgreementWeight and kStar", async () => {
    const { code, stdout, stderr } = await analyze([
      path.join(root, "data/example-samples.jsonl"),
      "--json",
      "--k",
      "1,2,4,8,16",
      "--bootstrap",
      "50",
    ]);
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout);
    assert.equal(out.prompts, 50);
    assert.equal(out.samples, 800);
    assert.deepEqual(out.k, [1, 2, 4, 8, 16]);
    for (const key of [
      "passAtK",
      "innerProduct",
      "cosine",
      "negativeAgreementWeight",
      "innerProductCI",
      "passAtKExcluded",
      "gradientExcluded",
    ]) {
      assert.equal(out[key].length, 5, key);
    }
    assert.ok("kStar" in out && (out.kStar === null || Number.isInteger(out.kStar)));
    assert.equal(out.innerProduct[4], null, "k = 16 needs 32 samples per prompt; the file has 16");
    assert.equal(out.gradientExcluded[4], 50);
    assert.equal(out.perPrompt, undefined);
  });

  test("bad input gives status 1 and one line naming the file, line and field", async () => {
    const file = badFile();
    const { code, stdout, stderr } = await analyze([file, "--json"]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      `error: ${file}:2: field "correct": must be true, false, 0 or 1, got string "no"\n`,
    );
  });

  test("a bad command line gives status 2 and the usage", async () => {
    const { code, stderr } = await analyze(["data/example-samples.jsonl", "--k", "0,2"]);
    assert.equal(code, 2);
    assert.match(stderr, /--k must be an integer ≥ 1, got "0"/);
    assert.match(stderr, /usage: npm run --silent analyze/);
    assert.equal((await analyze([])).code, 2);
    assert.equal((await analyze(["a", "b"])).code, 2);
  });

  test("the table output (danfojs) lists every k and states how prompts with n < k are treated", async () => {
    const { code, stdout, stderr } = await analyze([
      path.join(root, "data/example-prompts.csv"),
      "--k",
      "1,4,16,32",
      "--bootstrap",
      "20",
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /50 prompts, 800 samples, no gradients/);
    for (const k of [1, 4, 16, 32]) assert.match(stdout, new RegExp(`^\\s*${k}\\s`, "m"));
    assert.match(stdout, /never counted as solved/);
    assert.match(stderr, /k=32: 50 of 50/, "warnings go to stderr");
    assert.match(stdout, /— in "pass@k" at k = 32: no prompt has the n ≥ k = 32 samples/);
  });

  test("--per-prompt writes one CSV row per prompt with p̂ = c/n and the agreement estimate", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "passk-cli-")), "per-prompt.csv");
    const { code, stderr } = await analyze([
      path.join(root, "data/example-samples.jsonl"),
      "--json",
      "--bootstrap",
      "0",
      "--per-prompt",
      out,
    ]);
    assert.equal(code, 0, stderr);
    const lines = fs.readFileSync(out, "utf8").trim().split("\n");
    assert.equal(lines[0], "prompt,n,c,p_hat,agreement");
    assert.equal(lines.length, 51);
    const [id, n, c, pHat, agreement] = lines[1].split(",");
    assert.equal(id, "0+0");
    assert.equal(Number(pHat), Number(c) / Number(n));
    assert.ok(Number.isFinite(Number(agreement)));
  });

  test("as a process, bad input exits with status 1 and prints no stack trace", async () => {
    const file = badFile();
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", path.join(root, "scripts", "analyze.ts"), file],
        { cwd: root },
        (err, _stdout, stderr) =>
          resolve({ code: err ? (err as unknown as { code: number }).code : 0, stderr }),
      );
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^error: ${escape(file)}:2: field "correct"`));
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
