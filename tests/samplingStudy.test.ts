/**
 * Monte-Carlo studies of the sampled estimators (lib/studies/samplingStudy.ts): exact bias against
 * closed forms, Monte-Carlo means against exact expectations, the self-pairing bias that
 * cross-fitting removes, and the sampled conflict diagnosis.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { agreementScores } from "../lib/theory/interference";
import { typedPromptContexts } from "../lib/sim/populations";
import { logisticPolicy } from "../lib/sim/policies";
import { createRng } from "../lib/core/rng";
import {
  conflictFromSamples,
  crossFitStudy,
  gradientEstimatorStudy,
} from "../lib/studies/samplingStudy";
import { quantile } from "../lib/core/stats";
import { kStarExact } from "../lib/theory/threshold";
import { train } from "../lib/sim/training";
import { warmToy } from "../lib/sim/toy";

function warm(policy: ReturnType<typeof logisticPolicy>) {
  return train({
    policy,
    theta0: new Array(policy.d).fill(0),
    steps: 10,
    lr: 2,
    objective: { kind: "pass1" },
    record: { ks: [1], every: 10 },
  }).theta;
}

function toy(M: number, seed: number) {
  return warmToy({ M, rho: 0.3, delta: 1, rng: createRng(seed) });
}

describe("quantile", () => {
  test("linear interpolation between order statistics (type 7, numpy's default)", () => {
    assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
    assert.equal(quantile([4, 1, 3, 2], 0), 1);
    assert.equal(quantile([4, 1, 3, 2], 1), 4);
    assert.ok(Math.abs(quantile([10, 20, 30, 40, 50], 0.05) - 12) < TOL.exact);
  });

  test("rejects an empty array and q outside [0, 1]", () => {
    assert.throws(() => quantile([], 0.5), {
      name: "RangeError",
      message: "quantile: values must be non-empty, got []",
    });
    assert.throws(() => quantile([1], 1.5), {
      name: "RangeError",
      message: "quantile: q must be in [0, 1], got 1.5",
    });
  });
});

describe("gradientEstimatorStudy", () => {
  const { policy, theta } = toy(150, 11);
  const ns = [4, 8, 16];
  const study = gradientEstimatorStudy(policy, theta, {
    k: 3,
    ns,
    estimators: ["pkpo", "pkpoLooMinusOne", "unbiasedWeight", "plugIn"],
    reps: 200,
    rng: createRng(12),
  });

  test("claim 11: both PKPO estimators have zero exact bias (to rounding) at every n", () => {
    for (const e of [0, 1])
      for (const b of study.relBias[e]) assert.ok(b < TOL.exact, `${study.estimators[e]}: ${b}`);
  });

  test("the same-sample unbiased-weight estimator has mean (n−k+1)/n·∇J_k: relative bias exactly (k−1)/n, direction exact", () => {
    ns.forEach((n, i) => {
      assert.ok(
        Math.abs(study.relBias[2][i] - 2 / n) < TOL.exact,
        `n = ${n}: ${study.relBias[2][i]}`,
      );
      assert.ok(Math.abs(study.cosine[2][i] - 1) < TOL.exact);
      assert.ok(Math.abs(study.scale[2][i] - (n - 2) / n) < TOL.exact);
    });
  });

  test("the plug-in estimator's bias is visible and shrinks as n grows", () => {
    const b = study.relBias[3];
    assert.ok(b[0] > 0.05 && b[1] < b[0] && b[2] < b[1], `${b}`);
  });

  test("Monte-Carlo means over 200 seeded batches lie within 4.5 standard errors of the exact expectations", () => {
    for (const row of study.maxZ) for (const z of row) assert.ok(z < 4.5, `|z| = ${z}`);
  });

  test("n below k is rejected before sampling, naming the argument", () => {
    assert.throws(
      () =>
        gradientEstimatorStudy(policy, theta, {
          k: 4,
          ns: [8, 2],
          estimators: ["pkpo"],
          reps: 10,
          rng: createRng(1),
        }),
      { name: "RangeError", message: "gradientEstimatorStudy: opts.ns[1] must be ≥ k = 4, got 2" },
    );
  });
});

describe("crossFitStudy", () => {
  test("at k = 1 the same-sample ⟨Ĝ, Ĝ⟩ overshoots ‖∇J_1‖² by many standard errors; the cross-fitted estimate is centred", () => {
    const rng = createRng(21);
    const dir = (s: number) => [1, s, ...new Array(20).fill(0)];
    const policy = logisticPolicy(
      typedPromptContexts({
        M: 40,
        noise: 1,
        rng: rng.split(),
        types: [
          { name: "easy", share: 0.7, direction: dir(0.5), correctAction: 1 },
          { name: "hard", share: 0.3, direction: dir(-0.5), correctAction: 0 },
        ],
      }),
    );
    const cf = crossFitStudy(policy, warm(policy), {
      k: 1,
      ns: [2, 8],
      reps: 400,
      rng: rng.split(),
    });
    for (let i = 0; i < 2; i++) {
      assert.ok(
        Math.abs(cf.crossFit.mean[i] - cf.exact) < 4 * cf.crossFit.se[i],
        `cross-fit n = ${cf.ns[i]}`,
      );
      assert.ok(
        cf.sameSample.mean[i] - cf.exact > 6 * cf.sameSample.se[i],
        `same-sample n = ${cf.ns[i]}`,
      );
    }
    assert.ok(
      cf.sameSample.mean[0] - cf.exact > cf.sameSample.mean[1] - cf.exact,
      "the bias shrinks with n",
    );
  });

  test("n < 2k is rejected (each half needs k samples)", () => {
    const { policy, theta } = toy(20, 3);
    assert.throws(
      () => crossFitStudy(policy, theta, { k: 4, ns: [6], reps: 5, rng: createRng(1) }),
      {
        name: "RangeError",
        message: "crossFitStudy: opts.ns[0] must be ≥ 2k = 8 (k samples per half), got 6",
      },
    );
  });
});

describe("conflictFromSamples", () => {
  const { policy, theta } = toy(300, 31);
  const ks = [1, 2, 3, 4, 5, 6, 7, 8];
  const diag = conflictFromSamples(policy, theta, { n: 16, ks, reps: 60, rng: createRng(32) });

  test("the exact first conflicting k of a consecutive grid equals lib/theory/threshold's k*_exact", () => {
    const pop = policy.population(theta);
    assert.equal(diag.kStarExact, kStarExact(pop.mass, pop.p, agreementScores(pop)));
  });

  test("the cross-fitted means lie within their 90% bands and the band brackets the exact value at k = 1", () => {
    ks.forEach((_, i) => assert.ok(diag.lo[i] <= diag.mean[i] && diag.mean[i] <= diag.hi[i]));
    assert.ok(diag.lo[0] <= diag.exact[0] && diag.exact[0] <= diag.hi[0]);
    assert.equal(diag.kStarHat.length, 60);
    for (const s of diag.signAgreement) assert.ok(s >= 0 && s <= 1);
  });

  test("a k above n/2 is rejected by the cross-fitted estimator", () => {
    assert.throws(
      () => conflictFromSamples(policy, theta, { n: 8, ks: [1, 5], reps: 2, rng: createRng(1) }),
      /crossFitConflict: ks\[1\] must be ≤ ⌊n\/2⌋ = 4/,
    );
  });
});
