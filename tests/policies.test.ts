/**
 * Policies: p(x) and ∇p(x) against central finite differences, scores against finite
 * differences of log π, the identity ∇p = E_y[r s] through an independent path (the score of
 * every action), sampling frequencies against π, and the tabular control's zero kernel.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../lib/core/rng";
import { contextsFromArrays, easyHardBandit, typedPromptContexts } from "../lib/sim/populations";
import {
  logisticPolicy,
  logLinearSoftmaxPolicy,
  sharedFeatureSoftmaxPolicy,
  tabularSoftmaxPolicy,
  type Policy,
} from "../lib/sim/policies";

function policiesUnderTest(): { name: string; policy: Policy; theta: Float64Array }[] {
  const rng = createRng(20);
  const toy = easyHardBandit({ M: 12, rho: 0.3, delta: 1, rng });
  const typed = typedPromptContexts({
    M: 9,
    noise: 0.3,
    rng,
    types: [
      { name: "a", share: 1 / 3, direction: [1, 1, 0], correctAction: 0 },
      { name: "b", share: 1 / 3, direction: [1, 0.5, 0.5], correctAction: 2 },
      { name: "c", share: 1 / 3, direction: [0, 1, -1], correctAction: 3 },
    ],
  });
  const N = 7;
  const K = 5;
  const d = 4;
  const features = Float64Array.from({ length: N * K * d }, () => rng.normal());
  const reward = Uint8Array.from({ length: N * K }, (_, i) =>
    i % K === 1 || (i % K === 3 && i % 2 === 0) ? 1 : 0,
  );
  const tab = tabularSoftmaxPolicy({
    K: 3,
    correctAction: [0, 2, 1, 1],
    mass: [0.1, 0.2, 0.3, 0.4],
  });
  const rand = (n: number) => Float64Array.from({ length: n }, () => rng.normal(0, 0.7));
  return [
    {
      name: "logistic (toy bandit)",
      policy: logisticPolicy(toy),
      theta: Float64Array.from([0.3, 0.9]),
    },
    {
      name: "shared-feature softmax (K = 4)",
      policy: sharedFeatureSoftmaxPolicy(typed, 4),
      theta: rand(12),
    },
    {
      name: "log-linear softmax (K = 5, two correct answers)",
      policy: logLinearSoftmaxPolicy({ K, d, features, reward }),
      theta: rand(d),
    },
    { name: "tabular softmax (K = 3)", policy: tab, theta: rand(tab.d) },
  ];
}

/** Central difference of f at θ along coordinate j. */
function centralDiff(
  f: (t: Float64Array) => number,
  theta: Float64Array,
  j: number,
  h = 1e-6,
): number {
  const tp = Float64Array.from(theta);
  const tm = Float64Array.from(theta);
  tp[j] += h;
  tm[j] -= h;
  return (f(tp) - f(tm)) / (2 * h);
}

describe("exact p and ∇p", () => {
  for (const { name, policy, theta } of policiesUnderTest()) {
    test(`${name}: ∇p(x) equals central finite differences of p(x) (|err| < 1e-8)`, () => {
      const pop = policy.population(theta);
      for (let x = 0; x < policy.N; x++) {
        for (let j = 0; j < policy.d; j++) {
          const fd = centralDiff((t) => policy.population(t).p[x], theta, j);
          assert.ok(
            Math.abs(pop.gradP[x * policy.d + j] - fd) < 1e-8,
            `x=${x} j=${j}: ${pop.gradP[x * policy.d + j]} vs ${fd}`,
          );
        }
      }
    });

    test(`${name}: the score ∇log π(y|x) equals finite differences of log π(y|x)`, () => {
      for (let x = 0; x < policy.N; x += 2) {
        for (let y = 0; y < policy.K; y++) {
          const s = policy.score(theta, x, y);
          for (let j = 0; j < policy.d; j++) {
            const fd = centralDiff(
              (t) => Math.log(policy.actionProbs(t)[x * policy.K + y]),
              theta,
              j,
            );
            assert.ok(Math.abs(s[j] - fd) < 1e-7, `x=${x} y=${y} j=${j}: ${s[j]} vs ${fd}`);
          }
        }
      }
    });

    test(`${name}: ∇p(x) = Σ_y π(y|x) r(x,y) s(x,y), summed action by action through score()`, () => {
      const pop = policy.population(theta);
      const probs = policy.actionProbs(theta);
      for (let x = 0; x < policy.N; x++) {
        const g = new Float64Array(policy.d);
        let p = 0;
        for (let y = 0; y < policy.K; y++) {
          if (policy.reward[x * policy.K + y] === 0) continue;
          p += probs[x * policy.K + y];
          const s = policy.score(theta, x, y);
          for (let j = 0; j < policy.d; j++) g[j] += probs[x * policy.K + y] * s[j];
        }
        assert.ok(Math.abs(pop.p[x] - p) < 1e-14);
        for (let j = 0; j < policy.d; j++)
          assert.ok(Math.abs(pop.gradP[x * policy.d + j] - g[j]) < 1e-14);
      }
    });

    test(`${name}: scoreSum of per-action sample counts equals the sum of the sampled responses' scores`, () => {
      const rng = createRng(21);
      const n = 5;
      const batch = policy.sample(theta, rng, n);
      const coef = new Float64Array(policy.N * policy.K);
      const explicit = new Float64Array(policy.d);
      for (let x = 0; x < policy.N; x++) {
        for (let j = 0; j < n; j++) {
          const y = batch.actions[x * n + j];
          const u = policy.mass[x] * (1 + j); // arbitrary per-response weights
          coef[x * policy.K + y] += u;
          const s = policy.score(theta, x, y);
          for (let i = 0; i < policy.d; i++) explicit[i] += u * s[i];
        }
      }
      const compact = policy.scoreSum(batch.probs, coef);
      for (let i = 0; i < policy.d; i++) assert.ok(Math.abs(compact[i] - explicit[i]) < TOL.exact);
      const rows = policy.scoreRows(batch.probs, coef);
      for (let i = 0; i < policy.d; i++) {
        let s = 0;
        for (let x = 0; x < policy.N; x++) s += rows[x * policy.d + i];
        assert.ok(Math.abs(s - explicit[i]) < TOL.exact);
      }
    });
  }
});

describe("sampling", () => {
  test("sampled action frequencies match π(·|x) (chi-square at level 0.001 per prompt)", () => {
    const { policy, theta } = policiesUnderTest()[2];
    const rng = createRng(22);
    const n = 4000;
    const batch = policy.sample(theta, rng, n);
    const probs = policy.actionProbs(theta);
    const K = policy.K;
    for (let x = 0; x < policy.N; x++) {
      const counts = new Float64Array(K);
      for (let j = 0; j < n; j++) counts[batch.actions[x * n + j]]++;
      let x2 = 0;
      for (let a = 0; a < K; a++)
        x2 += (counts[a] - n * probs[x * K + a]) ** 2 / (n * probs[x * K + a]);
      assert.ok(x2 < 18.467, `prompt ${x}: chi-square ${x2} (df 4, critical 18.467 from scipy)`);
      for (let j = 0; j < n; j++)
        assert.equal(batch.correct[x * n + j], policy.reward[x * K + batch.actions[x * n + j]]);
    }
  });

  test("sampling is deterministic for a seed", () => {
    const { policy, theta } = policiesUnderTest()[1];
    assert.deepEqual(
      policy.sample(theta, createRng(5), 16).actions,
      policy.sample(theta, createRng(5), 16).actions,
    );
  });
});

describe("policy forms", () => {
  test("the logistic policy gives p = σ(θᵀψ) for correct action 1 and 1 − σ(θᵀψ) for action 0, without overflow", () => {
    const ctx = contextsFromArrays({
      features: [1, 2, 1, -0.5, 1, 800],
      m: 2,
      correctAction: [1, 0, 0],
    });
    const pol = logisticPolicy(ctx);
    const pop = pol.population([0.5, 1]);
    const sigma = (z: number) => 1 / (1 + Math.exp(-z));
    assert.ok(Math.abs(pop.p[0] - sigma(2.5)) < TOL.roundoff);
    assert.ok(Math.abs(pop.p[1] - (1 - sigma(0))) < TOL.roundoff);
    assert.equal(pop.p[2], Math.exp(-800.5) / (1 + Math.exp(-800.5))); // underflows to 0, not NaN
    assert.ok(pop.gradP.every(Number.isFinite));
  });

  test("the logistic policy agrees with the generic log-linear form φ(x,0) = 0, φ(x,1) = ψ(x)", () => {
    const toy = easyHardBandit({ M: 50, rho: 0.3, delta: 2, rng: createRng(23) });
    const features = new Float64Array(50 * 2 * 2);
    for (let x = 0; x < 50; x++) features.set(toy.features.subarray(2 * x, 2 * x + 2), x * 4 + 2);
    const generic = logLinearSoftmaxPolicy({
      K: 2,
      d: 2,
      features,
      correctAction: toy.correctAction,
    });
    const a = logisticPolicy(toy).population([-0.4, 1.3]);
    const b = generic.population([-0.4, 1.3]);
    for (let x = 0; x < 50; x++) assert.ok(Math.abs(a.p[x] - b.p[x]) < TOL.roundoff);
    for (let i = 0; i < 100; i++) assert.ok(Math.abs(a.gradP[i] - b.gradP[i]) < TOL.roundoff);
  });

  test("the tabular policy's ∇p(x) lives in block x only, so κ(x, x') = 0 for x ≠ x'", () => {
    const pol = tabularSoftmaxPolicy({ K: 3, correctAction: [0, 1, 2, 0, 1] });
    const theta = Float64Array.from({ length: pol.d }, (_, i) => Math.sin(i));
    const pop = pol.population(theta);
    for (let x = 0; x < pol.N; x++) {
      let norm = 0;
      for (let j = 0; j < pol.d; j++) {
        const inBlock = Math.floor(j / pol.K) === x;
        if (!inBlock) assert.equal(pop.gradP[x * pol.d + j], 0);
        else norm += pop.gradP[x * pol.d + j] ** 2;
      }
      assert.ok(norm > 0);
    }
  });

  test("population(θ, out) reuses the given arrays", () => {
    const { policy, theta } = policiesUnderTest()[1];
    const pop = policy.population(theta);
    const again = policy.population(
      theta.map((t) => t + 0.1),
      pop,
    );
    assert.equal(again.gradP, pop.gradP);
    assert.notDeepEqual(again.p, policy.population(theta).p);
  });
});

describe("bad input", () => {
  test("θ of the wrong length or with a NaN is rejected naming theta", () => {
    const { policy } = policiesUnderTest()[0];
    assert.throws(
      () => policy.population([1, 2, 3]),
      /logisticPolicy.population: theta has length 3, but the policy's parameter dimension d has length 2/,
    );
    assert.throws(
      () => policy.population([1, NaN]),
      /logisticPolicy.population: theta\[1\] must be a finite number, got NaN/,
    );
    assert.throws(() => policy.sample([1, 2], createRng(1), 0), /n must be an integer ≥ 1, got 0/);
  });

  test("a correct action outside the action set, bad rewards and bad masses are rejected", () => {
    const ctx = contextsFromArrays({ features: [1, 2], m: 2, correctAction: [3] });
    assert.throws(() => logisticPolicy(ctx), /correctAction\[0\] must be 0 or 1/);
    assert.throws(
      () => sharedFeatureSoftmaxPolicy(ctx, 3),
      /correctAction\[0\] must be < K = 3, got 3/,
    );
    assert.throws(
      () => tabularSoftmaxPolicy({ K: 2, reward: [1, 2] }),
      /reward\[1\] must be 0 or 1, got 2/,
    );
    assert.throws(
      () => tabularSoftmaxPolicy({ K: 2, correctAction: [0, 1], mass: [0.5, 0.6] }),
      /mass must sum to 1/,
    );
    assert.throws(
      () => logLinearSoftmaxPolicy({ K: 2, d: 3, features: [1, 2, 3, 4], correctAction: [0] }),
      /not a positive multiple of K × d = 6/,
    );
  });
});
