/**
 * Sampled gradient estimators against the exact gradients of lib/theory/interference.ts:
 * - exact expectations (closed form over Binomial(n−1, p)) of the unbiased estimators equal
 *   ∇J_k / ∇J_1 to rounding, and the biased ones are off by the stated amounts;
 * - seeded Monte Carlo means lie within 4 standard errors of the exact gradient (unbiased
 *   estimators) or of their exact expectation (biased ones), and the plug-in's bias is many
 *   standard errors wide at small n;
 * - cross-fitted ⟨∇J_k, ∇J_1⟩, ‖∇J_1‖² and a(x) are unbiased, the same-sample inner product is not.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../lib/core/rng";
import { easyHardBandit, typedPromptContexts } from "../lib/sim/populations";
import { logisticPolicy, sharedFeatureSoftmaxPolicy, type Policy } from "../lib/sim/policies";
import { agreementScores, conflictProfile, gradJ1, gradJk } from "../lib/theory/interference";
import { crossFitConflict } from "../lib/sim/crossFit";
import {
  expectedSampledGradient,
  perSampleWeights,
  reinforceGradient,
  sampledGradient,
  type GradientEstimator,
} from "../lib/sim/sampledGradients";

const toy = easyHardBandit({ M: 40, rho: 0.3, delta: 1, rng: createRng(30) });
const logistic = logisticPolicy(toy);
const thetaToy = Float64Array.from([0.5, 1.2]);

const typed = typedPromptContexts({
  M: 12,
  noise: 0.4,
  rng: createRng(31),
  types: [
    { name: "a", share: 0.5, direction: [1, 1], correctAction: 0 },
    { name: "b", share: 0.25, direction: [1, 0.3], correctAction: 1 },
    { name: "c", share: 0.25, direction: [0.2, 1], correctAction: 2 },
  ],
});
const softmax = sharedFeatureSoftmaxPolicy(typed, 4);
const thetaSoftmax = Float64Array.from({ length: softmax.d }, (_, i) => 0.3 * Math.cos(i));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function scaled(v: ArrayLike<number>, s: number): Float64Array {
  return Float64Array.from(v, (x) => x * s);
}

/** Mean and standard error per coordinate of R replicates of f. */
function monteCarlo(
  R: number,
  d: number,
  f: () => ArrayLike<number>,
): { mean: Float64Array; se: Float64Array } {
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let r = 0; r < R; r++) {
    const g = f();
    for (let j = 0; j < d; j++) {
      sum[j] += g[j];
      sq[j] += g[j] * g[j];
    }
  }
  const mean = sum.map((s) => s / R);
  const se = sq.map((s, j) => Math.sqrt(Math.max(0, s / R - mean[j] ** 2) / (R - 1)));
  return { mean, se };
}

/** Largest |mean − target| / SE over the coordinates. */
function maxZ(mc: { mean: Float64Array; se: Float64Array }, target: ArrayLike<number>): number {
  let z = 0;
  for (let j = 0; j < target.length; j++)
    z = Math.max(z, Math.abs(mc.mean[j] - target[j]) / mc.se[j]);
  return z;
}

const cases: { name: string; policy: Policy; theta: Float64Array }[] = [
  { name: "logistic toy", policy: logistic, theta: thetaToy },
  { name: "4-action shared-feature softmax", policy: softmax, theta: thetaSoftmax },
];

describe("exact expectations", () => {
  for (const { name, policy, theta } of cases) {
    const pop = policy.population(theta);
    const scale = Math.max(...Array.from(gradJ1(pop), Math.abs));
    test(`${name}: REINFORCE (with and without the leave-one-out baseline) has mean ∇J_1`, () => {
      for (const n of [2, 5, 16]) {
        for (const e of ["reinforce", "reinforceLeaveOneOut"] as const) {
          assert.ok(
            maxAbsDiff(expectedSampledGradient(policy, theta, n, e), gradJ1(pop)) < 1e-13 * scale,
            `${e} n=${n}`,
          );
        }
      }
    });

    test(`${name}: PKPO and PKPO loo−1 weights have mean ∇J_k for every k ≤ n`, () => {
      for (const n of [4, 8, 33]) {
        for (const k of [1, 2, 3, n]) {
          const target = gradJk(pop, k);
          for (const e of ["pkpo", "pkpoLooMinusOne"] as const) {
            assert.ok(
              maxAbsDiff(expectedSampledGradient(policy, theta, n, e, k), target) < 1e-13 * scale,
              `${e} n=${n} k=${k}`,
            );
          }
        }
      }
    });

    test(`${name}: the unbiased weight ŵ_k times ∇̂p from the same samples has mean (n−k+1)/n·∇J_k, not ∇J_k`, () => {
      for (const [n, k] of [
        [8, 4],
        [16, 4],
        [5, 6],
      ]) {
        const mean = expectedSampledGradient(policy, theta, n, "unbiasedWeight", k);
        assert.ok(
          maxAbsDiff(mean, scaled(gradJk(pop, k), (n - k + 1) / n)) < 1e-13 * scale,
          `n=${n} k=${k}`,
        );
      }
    });
  }

  test("plug-in w_k(p̂) is biased at small n: on the toy at n = 8, k = 4 its mean is (0.93, 0.68) × ∇J_4 coordinate-wise, and the bias shrinks by n = 64", () => {
    const pop = logistic.population(thetaToy);
    const g4 = gradJk(pop, 4);
    const ratio8 = Array.from(
      expectedSampledGradient(logistic, thetaToy, 8, "plugIn", 4),
      (v, j) => v / g4[j],
    );
    const ratio64 = Array.from(
      expectedSampledGradient(logistic, thetaToy, 64, "plugIn", 4),
      (v, j) => v / g4[j],
    );
    assert.ok(
      Math.abs(ratio8[0] - 0.932) < 5e-3 && Math.abs(ratio8[1] - 0.676) < 5e-3,
      `n = 8 ratios ${ratio8}`,
    );
    for (let j = 0; j < 2; j++)
      assert.ok(Math.abs(1 - ratio64[j]) < Math.abs(1 - ratio8[j]) / 5, `n = 64 ratios ${ratio64}`);
  });

  test("the Pass@k-Training advantages do not estimate ∇J_k: on the toy at n = 64, k = 4 the mean is (1.00, 0.20) × ∇J_4", () => {
    const pop = logistic.population(thetaToy);
    const g4 = gradJk(pop, 4);
    const ratio = Array.from(
      expectedSampledGradient(logistic, thetaToy, 64, "passKTraining", 4),
      (v, j) => v / g4[j],
    );
    assert.ok(
      Math.abs(ratio[0] - 1.002) < 5e-3 && Math.abs(ratio[1] - 0.204) < 5e-3,
      `ratios ${ratio}`,
    );
  });
});

describe("seeded Monte Carlo", () => {
  const R = 2000;
  const n = 8;
  const k = 4;
  const pop = logistic.population(thetaToy);

  for (const [estimator, target] of [
    ["reinforce", gradJ1(pop)],
    ["reinforceLeaveOneOut", gradJ1(pop)],
    ["pkpo", gradJk(pop, k)],
    ["pkpoLooMinusOne", gradJk(pop, k)],
  ] as [GradientEstimator, Float64Array][]) {
    test(`${estimator}: the mean of ${R} seeded estimates (n = ${n}) lies within 4 SE of the exact gradient`, () => {
      const rng = createRng(40);
      const mc = monteCarlo(R, 2, () =>
        sampledGradient(logistic, logistic.sample(thetaToy, rng, n), estimator, k),
      );
      assert.ok(maxZ(mc, target) < 4, `z = ${maxZ(mc, target)}`);
    });
  }

  test("the 4-action softmax: PKPO loo−1 estimates average to ∇J_3 within 4 SE in every coordinate", () => {
    const rng = createRng(41);
    const target = gradJk(softmax.population(thetaSoftmax), 3);
    const mc = monteCarlo(R, softmax.d, () =>
      sampledGradient(softmax, softmax.sample(thetaSoftmax, rng, 6), "pkpoLooMinusOne", 3),
    );
    assert.ok(maxZ(mc, target) < 4, `z = ${maxZ(mc, target)}`);
  });

  test("plug-in, unbiased-weight and Pass@k-Training estimates average to their exact (biased) expectations, and the plug-in is > 8 SE from ∇J_4", () => {
    for (const [estimator, seed] of [
      ["plugIn", 42],
      ["unbiasedWeight", 43],
      ["passKTraining", 44],
    ] as const) {
      const rng = createRng(seed);
      const mc = monteCarlo(R, 2, () =>
        sampledGradient(logistic, logistic.sample(thetaToy, rng, n), estimator, k),
      );
      const expected = expectedSampledGradient(logistic, thetaToy, n, estimator, k);
      assert.ok(maxZ(mc, expected) < 4, `${estimator}: z vs its expectation ${maxZ(mc, expected)}`);
      if (estimator === "plugIn")
        assert.ok(maxZ(mc, gradJk(pop, k)) > 8, `plug-in z vs ∇J_4 = ${maxZ(mc, gradJk(pop, k))}`);
    }
  });
});

describe("compact form", () => {
  test("the per-action compact estimate equals Σ_j u(r_j, c) ∇log π(y_j|x) summed response by response", () => {
    const n = 7;
    const k = 3;
    const batch = softmax.sample(thetaSoftmax, createRng(45), n);
    const table = perSampleWeights("pkpo", n, k);
    const explicit = new Float64Array(softmax.d);
    for (let x = 0; x < softmax.N; x++) {
      let c = 0;
      for (let j = 0; j < n; j++) c += batch.correct[x * n + j];
      for (let j = 0; j < n; j++) {
        const u = batch.correct[x * n + j] ? table.correct[c] : table.incorrect[c];
        const s = softmax.score(thetaSoftmax, x, batch.actions[x * n + j]);
        for (let i = 0; i < softmax.d; i++) explicit[i] += softmax.mass[x] * u * s[i];
      }
    }
    assert.ok(maxAbsDiff(sampledGradient(softmax, batch, "pkpo", k), explicit) < 1e-14);
  });

  test("reinforceGradient is the REINFORCE sampled gradient", () => {
    const batch = logistic.sample(thetaToy, createRng(46), 5);
    assert.deepEqual(
      reinforceGradient(logistic, batch),
      sampledGradient(logistic, batch, "reinforce"),
    );
    assert.deepEqual(
      reinforceGradient(logistic, batch, { baseline: "leaveOneOut" }),
      sampledGradient(logistic, batch, "reinforceLeaveOneOut"),
    );
  });
});

describe("cross-fitting", () => {
  const R = 2000;
  const n = 8;
  const ks = [1, 2, 4];
  const pop = logistic.population(thetaToy);
  const exact = conflictProfile(pop, ks);

  test("cross-fitted ⟨∇J_k, ∇J_1⟩ (k = 1, 2, 4) and ‖∇J_1‖² are unbiased (4 SE); the same-sample ⟨∇̂J_1, ∇̂J_1⟩ is biased upward by Σ_x D(x)² tr Cov(ĝ(x))", () => {
    const rng = createRng(47);
    const mc = monteCarlo(R, 7, () => {
      const cf = crossFitConflict(logistic, logistic.sample(thetaToy, rng, n), ks);
      return [...cf.innerProduct, cf.normGradJ1Sq, ...cf.sameSampleInnerProduct];
    });
    const target = [...exact.innerProduct, exact.normGradJ1 ** 2];
    for (let s = 0; s < 4; s++) {
      const z = Math.abs(mc.mean[s] - target[s]) / mc.se[s];
      assert.ok(z < 4, `cross-fitted entry ${s}: z = ${z}`);
    }
    // ĝ(x) = (1/n)Σ_j r_j s_j: tr Cov = (E[r‖s‖²] − ‖∇p(x)‖²)/n, prompts independent.
    let bias = 0;
    const probs = logistic.actionProbs(thetaToy);
    for (let x = 0; x < logistic.N; x++) {
      let eRS2 = 0;
      for (let y = 0; y < 2; y++) {
        if (logistic.reward[2 * x + y] === 0) continue;
        const s = logistic.score(thetaToy, x, y);
        eRS2 += probs[2 * x + y] * (s[0] ** 2 + s[1] ** 2);
      }
      const g2 = pop.gradP[2 * x] ** 2 + pop.gradP[2 * x + 1] ** 2;
      bias += logistic.mass[x] ** 2 * ((eRS2 - g2) / n);
    }
    const zSame = Math.abs(mc.mean[4] - (exact.innerProduct[0] + bias)) / mc.se[4];
    assert.ok(zSame < 4, `same-sample k = 1 vs its biased expectation: z = ${zSame}`);
    const zTruth = (mc.mean[4] - exact.innerProduct[0]) / mc.se[4];
    assert.ok(zTruth > 4, `same-sample k = 1 vs ‖∇J_1‖²: z = ${zTruth}`);
    // here 2.1% of ‖∇J_1‖² (M = 40, n = 8): small, but 5–8 SE of a 2000-replicate mean
    assert.ok(
      bias > 0.02 * exact.innerProduct[0],
      `bias ${bias} vs ‖∇J_1‖² ${exact.innerProduct[0]}`,
    );
  });

  test("cross-fitted agreement scores â(x) average to a(x) within 4 SE for every prompt, and the sign of ⟨∇J_4, ∇J_1⟩ < 0 is recovered on average", () => {
    const rng = createRng(48);
    const a = agreementScores(pop);
    const mc = monteCarlo(R, logistic.N + 1, () => {
      const cf = crossFitConflict(logistic, logistic.sample(thetaToy, rng, n), [4], {
        agreement: true,
      });
      return [...(cf.agreement as Float64Array), cf.innerProduct[0]];
    });
    assert.ok(
      maxZ({ mean: mc.mean.subarray(0, logistic.N), se: mc.se.subarray(0, logistic.N) }, a) < 4,
    );
    assert.ok(exact.innerProduct[2] < 0 && mc.mean[logistic.N] + 4 * mc.se[logistic.N] < 0);
  });

  test("sameSample: false leaves every cross-fitted field bit-identical (with and without agreement scores) and only the same-sample estimates NaN", () => {
    const rng = createRng(50);
    for (const agreement of [false, true]) {
      const batch = logistic.sample(thetaToy, rng, n);
      const full = crossFitConflict(logistic, batch, ks, { agreement });
      const lean = crossFitConflict(logistic, batch, ks, { agreement, sameSample: false });
      assert.ok(full.sameSampleInnerProduct.every(Number.isFinite));
      assert.ok(lean.sameSampleInnerProduct.every(Number.isNaN));
      const { sameSampleInnerProduct: _a, ...fullRest } = full;
      const { sameSampleInnerProduct: _b, ...leanRest } = lean;
      assert.deepStrictEqual(leanRest, fullRest);
    }
  });
});

describe("bad input", () => {
  test("k > n, unknown estimators, mismatched batches and k > n/2 in cross-fitting are rejected before any work", () => {
    const batch = logistic.sample(thetaToy, createRng(49), 4);
    assert.throws(
      () => sampledGradient(logistic, batch, "pkpo", 5),
      /sampledGradient: k must be ≤ n = 4 for the pkpo estimator, got 5/,
    );
    assert.throws(
      () => sampledGradient(logistic, batch, "magic" as GradientEstimator, 2),
      /estimator must be one of/,
    );
    assert.throws(
      () => sampledGradient(softmax, batch, "pkpo", 2),
      /batch has N = 40, K = 2, but the policy has N = 12, K = 4/,
    );
    assert.throws(() => crossFitConflict(logistic, batch, [1, 3]), /ks\[1\] must be ≤ ⌊n\/2⌋ = 2/);
    assert.throws(() => crossFitConflict(logistic, batch, [1.5]), /ks\[0\] must be an integer/);
    assert.throws(
      () => perSampleWeights("reinforceLeaveOneOut", 1, 1),
      /n must be an integer ≥ 2, got 1/,
    );
  });
});
