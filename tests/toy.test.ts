/**
 * lib/sim/toy.ts `warmToy`: our easy/hard toy at its warm start (PAPER.md §6), defined once for the
 * notebooks and tests. It must give bit for bit what writing the steps out gives (the reference
 * below is the notebooks' former code), draw from the rng it is handed and nothing else, and
 * reject bad options with a message naming the field.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../lib/core/rng";
import { easyHardBandit } from "../lib/sim/populations";
import { logisticPolicy } from "../lib/sim/policies";
import { train } from "../lib/sim/training";
import { warmToy } from "../lib/sim/toy";

/** The written-out warm start the notebooks used before warmToy existed. */
function byHand(M: number, rho: number, delta: number, seed: number, steps = 10, lr = 2) {
  const contexts = easyHardBandit({ M, rho, delta, rng: createRng(seed) });
  const policy = logisticPolicy(contexts);
  const theta = train({
    policy,
    theta0: [0, 0],
    steps,
    lr,
    objective: { kind: "pass1" },
    record: { ks: [1], every: Math.max(1, steps) },
  }).theta;
  return { contexts, theta, pop: policy.population(theta) };
}

describe("warmToy", () => {
  test("equals the written-out toy + 10 steps of pass@1 ascent with lr 2, bit for bit", () => {
    const ref = byHand(500, 0.3, 1, 11);
    const toy = warmToy({ M: 500, rho: 0.3, delta: 1, rng: createRng(11) });
    assert.deepEqual(Array.from(toy.theta), Array.from(ref.theta));
    assert.deepEqual(Array.from(toy.contexts.features), Array.from(ref.contexts.features));
    assert.deepEqual(Array.from(toy.population.p), Array.from(ref.pop.p));
    assert.deepEqual(Array.from(toy.population.gradP), Array.from(ref.pop.gradP));
  });

  test("passes warmSteps and warmLr through (here 25 steps of lr 0.5)", () => {
    const ref = byHand(300, 0.4, 2, 5, 25, 0.5);
    const toy = warmToy({
      M: 300,
      rho: 0.4,
      delta: 2,
      rng: createRng(5),
      warmSteps: 25,
      warmLr: 0.5,
    });
    assert.deepEqual(Array.from(toy.theta), Array.from(ref.theta));
  });

  test("warmSteps = 0 leaves θ = 0, where every context has p = 1/2", () => {
    const toy = warmToy({ M: 50, rho: 0.3, delta: 1, rng: createRng(1), warmSteps: 0 });
    assert.deepEqual(Array.from(toy.theta), [0, 0]);
    assert.ok(toy.population.p.every((p) => p === 0.5));
  });

  test("draws only the contexts from the rng: a split rng gives what the notebooks' rng.split() gave", () => {
    const a = createRng(20260206);
    const b = createRng(20260206);
    const toy = warmToy({ M: 200, rho: 0.3, delta: 1, rng: a.split() });
    const contexts = easyHardBandit({ M: 200, rho: 0.3, delta: 1, rng: b.split() });
    assert.deepEqual(Array.from(toy.contexts.features), Array.from(contexts.features));
    // the parents are in the same state afterwards: the next split draws agree
    assert.equal(a.split().uniform(), b.split().uniform());
  });

  test("the warm start raises J_1 above its value 1/2 at θ = 0 and serves easy contexts better", () => {
    const { population: pop, contexts } = warmToy({
      M: 2000,
      rho: 0.3,
      delta: 1,
      rng: createRng(2),
    });
    let J1 = 0,
      easyP = 0,
      hardP = 0,
      nEasy = 0;
    for (let x = 0; x < pop.N; x++) {
      J1 += pop.mass[x] * pop.p[x];
      if (contexts.group[x] === 0) {
        easyP += pop.p[x];
        nEasy++;
      } else hardP += pop.p[x];
    }
    assert.ok(J1 > 0.6, `J_1 = ${J1}`);
    assert.ok(easyP / nEasy > hardP / (pop.N - nEasy));
  });

  test("rejects bad options with the function and field named", () => {
    const rng = createRng(1);
    assert.throws(
      () => warmToy({ M: 10, rho: 0.3, delta: 1, rng, warmSteps: 1.5 }),
      /warmToy: warmSteps/,
    );
    assert.throws(() => warmToy({ M: 10, rho: 0.3, delta: 1, rng, warmLr: 0 }), /warmToy: warmLr/);
    assert.throws(() => warmToy({ M: 0, rho: 0.3, delta: 1, rng }), /easyHardBandit: M/);
  });
});
