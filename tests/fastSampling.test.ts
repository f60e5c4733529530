/**
 * Sampling without per-draw calls or branches (issue 17, sampled-step): Rng.fillUniform gives the
 * numbers, and leaves the state, of as many uniform() calls (pure-rand's generator stepped in
 * place), and SoftmaxPolicy.sample's branch-free inverse CDF draws the same actions as the linear
 * search it replaced, to the bit, for K below, at and above the unrolled 8 and with actions of
 * probability exactly 0.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRng, type Rng } from "../lib/core/rng";
import { logLinearSoftmaxPolicy, logisticPolicy, tabularSoftmaxPolicy } from "../lib/sim/policies";
import type { Policy, ResponseBatch } from "../lib/sim/policy";

describe("Rng.fillUniform", () => {
  test("equals the same number of uniform() calls, and the stream continues identically", () => {
    for (const count of [0, 1, 2, 7, 64, 1000]) {
      const a = createRng(count + 5);
      const b = createRng(count + 5);
      a.normal(); // leaves a spare normal in both: fillUniform must not touch it
      b.normal();
      const buf = new Float64Array(count + 3).fill(-1);
      a.fillUniform(buf, 2, count);
      assert.equal(buf[0], -1);
      assert.equal(buf[1], -1);
      assert.equal(buf[count + 2], -1);
      for (let i = 0; i < count; i++) assert.equal(buf[2 + i], b.uniform(), `draw ${i}`);
      assert.equal(a.normal(), b.normal());
      assert.equal(a.int(0, 1000), b.int(0, 1000));
      assert.equal(a.split().uniform(), b.split().uniform());
    }
    const whole = createRng(9).fillUniform(new Float64Array(10));
    const one = createRng(9);
    assert.deepEqual(
      whole,
      Float64Array.from({ length: 10 }, () => one.uniform()),
    );
  });

  test("rejects a non-Float64Array and a range past the end", () => {
    const rng = createRng(1);
    assert.throws(() => rng.fillUniform([0, 0] as unknown as Float64Array), TypeError);
    assert.throws(() => rng.fillUniform(new Float64Array(4), 2, 3), /offset \+ count/);
    assert.throws(() => rng.fillUniform(new Float64Array(4), -1, 1), RangeError);
  });
});

/** The sampler before issue 17's change: per-draw uniform() and a linear search. */
function referenceSample(policy: Policy, theta: Float64Array, rng: Rng, n: number): ResponseBatch {
  const { N, K, reward } = policy;
  const probs = policy.actionProbs(theta);
  const actions = new Int32Array(N * n);
  const correct = new Uint8Array(N * n);
  const cumulative = new Float64Array(K);
  for (let x = 0; x < N; x++) {
    const o = x * K;
    let acc = 0;
    let last = 0;
    for (let a = 0; a < K; a++) {
      acc += probs[o + a];
      cumulative[a] = acc;
      if (probs[o + a] > 0) last = a;
    }
    for (let j = 0; j < n; j++) {
      const u = rng.uniform() * acc;
      let a = 0;
      while (a < last && u >= cumulative[a]) a++;
      actions[x * n + j] = a;
      correct[x * n + j] = reward[o + a];
    }
  }
  return { N, n, K, actions, correct, probs };
}

/** An Rng without fillUniform (a user's own): sample falls back to uniform(). */
function withoutFill(rng: Rng): Rng {
  const r = Object.create(rng) as Rng;
  (r as { fillUniform?: unknown }).fillUniform = undefined;
  return r;
}

describe("SoftmaxPolicy.sample", () => {
  const cases: [string, Policy, Float64Array][] = [];
  const g = createRng(3);
  for (const K of [3, 8, 12]) {
    const N = 60;
    const d = 4;
    const features = Float64Array.from({ length: N * K * d }, () => g.normal());
    const correctAction = Array.from({ length: N }, () => g.int(0, K - 1));
    const theta = Float64Array.from({ length: d }, () => g.normal(0, 0.8));
    cases.push([
      `log-linear K = ${K}`,
      logLinearSoftmaxPolicy({ K, d, features, correctAction }),
      theta,
    ]);
  }
  // tabular K = 10: logits −800 give probability exactly 0 (last < K − 1, zeros in between)
  const K = 10;
  const tabTheta = Float64Array.from({ length: 30 * K }, (_, i) =>
    i % 3 === 2 || i % K === K - 1 ? -800 : g.normal(),
  );
  const correctAction = Array.from({ length: 30 }, () => g.int(0, K - 1));
  cases.push(["tabular K = 10 with zeros", tabularSoftmaxPolicy({ K, correctAction }), tabTheta]);
  const features = Float64Array.from({ length: 40 * 2 }, () => g.normal());
  const toy = {
    M: 40,
    m: 2,
    features,
    correctAction: Int32Array.from({ length: 40 }, (_, i) => i % 2),
    mass: new Float64Array(40).fill(1 / 40),
    group: new Int32Array(40),
    groupNames: ["all"],
  };
  cases.push(["logistic K = 2", logisticPolicy(toy), Float64Array.from([0.7, -1.1])]);

  for (const [name, policy, theta] of cases) {
    test(`${name}: same actions, rewards and probabilities as the linear search, to the bit`, () => {
      for (const n of [1, 5, 64]) {
        const want = referenceSample(policy, theta, createRng(n), n);
        assert.deepEqual(policy.sample(theta, createRng(n), n), want);
        assert.deepEqual(policy.sample(theta, withoutFill(createRng(n)), n), want);
        const out = policy.sample(theta, createRng(99), n);
        assert.deepEqual(policy.sample(theta, createRng(n), n, out), want);
      }
    });
  }
});
