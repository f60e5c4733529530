/**
 * Populations: the easy/hard bandit's label counts and score distributions (moments within
 * 4 standard errors), typed prompt populations, Beta-mixture difficulty populations, and the
 * argument checks.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../lib/core/rng";
import {
  betaDifficulty,
  betaMixtureDifficulty,
  contextsFromArrays,
  easyHardBandit,
  typedPromptContexts,
  uShapedDifficulty,
  U_SHAPED_MATH_COMPONENTS,
} from "../lib/sim/index";

function meanAndVar(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe("easyHardBandit", () => {
  test("stratified labels give exactly round(ρM) hard contexts, ψ = [1, s], correct action 1 for easy and 0 for hard", () => {
    const toy = easyHardBandit({ M: 4000, rho: 0.3, delta: 1, rng: createRng(1) });
    let hard = 0;
    for (let x = 0; x < toy.M; x++) {
      assert.equal(toy.features[2 * x], 1);
      assert.equal(toy.correctAction[x], toy.group[x] === 1 ? 0 : 1);
      hard += toy.group[x];
    }
    assert.equal(hard, 1200);
    assert.deepEqual(toy.groupNames, ["easy", "hard"]);
    assert.ok(Math.abs(toy.mass.reduce((a, b) => a + b, 0) - 1) < TOL.exact);
  });

  test("s | easy ~ N(+Δ/2, 1) and s | hard ~ N(−Δ/2, 1): means and variances within 4 SE", () => {
    const delta = 2;
    const toy = easyHardBandit({ M: 20000, rho: 0.4, delta, rng: createRng(2) });
    for (const [g, mu] of [
      [0, delta / 2],
      [1, -delta / 2],
    ] as const) {
      const s: number[] = [];
      for (let x = 0; x < toy.M; x++) if (toy.group[x] === g) s.push(toy.features[2 * x + 1]);
      const { mean, variance } = meanAndVar(s);
      assert.ok(Math.abs(mean - mu) < 4 * Math.sqrt(1 / s.length), `group ${g} mean ${mean}`);
      assert.ok(
        Math.abs(variance - 1) < 4 * Math.sqrt(2 / s.length),
        `group ${g} variance ${variance}`,
      );
    }
  });

  test("iid labels give a hard count within 4 SE of ρM, and the same seed gives the same bandit", () => {
    const a = easyHardBandit({ M: 10000, rho: 0.3, delta: 1, rng: createRng(3), labels: "iid" });
    const hard = a.group.reduce((s, g) => s + g, 0);
    assert.ok(Math.abs(hard - 3000) < 4 * Math.sqrt(10000 * 0.21));
    const b = easyHardBandit({ M: 10000, rho: 0.3, delta: 1, rng: createRng(3), labels: "iid" });
    assert.deepEqual(a.features, b.features);
  });

  test("bad options are rejected naming the option", () => {
    const rng = createRng(0);
    assert.throws(
      () => easyHardBandit({ M: 0, rho: 0.3, delta: 1, rng }),
      /easyHardBandit: M must be an integer ≥ 1, got 0/,
    );
    assert.throws(
      () => easyHardBandit({ M: 10, rho: 1.3, delta: 1, rng }),
      /easyHardBandit: rho must be in \[0, 1\], got 1.3/,
    );
    assert.throws(
      () => easyHardBandit({ M: 10, rho: 0.3, delta: -1, rng }),
      /easyHardBandit: delta must be ≥ 0, got -1/,
    );
  });
});

describe("typedPromptContexts and contextsFromArrays", () => {
  test("types get their share of contexts, their direction and their correct action", () => {
    const ctx = typedPromptContexts({
      M: 10,
      types: [
        { name: "a", share: 0.25, direction: [1, 2], correctAction: 1 },
        { name: "b", share: 0.75, direction: [-1, 0], correctAction: 0 },
      ],
    });
    // 2.5 / 7.5 → largest remainder, ties broken by order: 3 and 7
    assert.deepEqual(Array.from(ctx.group), [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(ctx.features.subarray(0, 2)), [1, 2]);
    assert.deepEqual(Array.from(ctx.features.subarray(18, 20)), [-1, 0]);
    assert.deepEqual(Array.from(ctx.correctAction.subarray(2, 4)), [1, 0]);
  });

  test("feature noise has the requested standard deviation (4 SE)", () => {
    const ctx = typedPromptContexts({
      M: 5000,
      noise: 0.5,
      rng: createRng(4),
      types: [{ name: "a", share: 1, direction: [3], correctAction: 0 }],
    });
    const { mean, variance } = meanAndVar(Array.from(ctx.features));
    assert.ok(Math.abs(mean - 3) < (4 * 0.5) / Math.sqrt(5000));
    assert.ok(Math.abs(variance - 0.25) < 4 * 0.25 * Math.sqrt(2 / 5000));
  });

  test("mismatched directions, shares not summing to 1 and missing rng are rejected", () => {
    const a = { name: "a", share: 0.5, direction: [1, 2], correctAction: 1 };
    assert.throws(
      () => typedPromptContexts({ M: 4, types: [a, { ...a, direction: [1] }] }),
      /types\[1\].direction has length 1, but types\[0\].direction has length 2/,
    );
    assert.throws(
      () => typedPromptContexts({ M: 4, types: [a] }),
      /share must sum to 1, got sum 0.5/,
    );
    assert.throws(() => typedPromptContexts({ M: 4, noise: 1, types: [a, a] }), /rng is required/);
  });

  test("contextsFromArrays checks lengths and masses", () => {
    const ctx = contextsFromArrays({
      features: [1, 2, 3, 4],
      m: 2,
      correctAction: [0, 1],
      mass: [0.25, 0.75],
    });
    assert.equal(ctx.M, 2);
    assert.throws(
      () => contextsFromArrays({ features: [1, 2, 3], m: 2, correctAction: [0] }),
      /divisible by m = 2/,
    );
    assert.throws(
      () => contextsFromArrays({ features: [1, 2], m: 2, correctAction: [0, 1] }),
      /correctAction has length 2, but features \/ m has length 1/,
    );
    assert.throws(
      () => contextsFromArrays({ features: [1, 2], m: 2, correctAction: [0], mass: [0.5] }),
      /mass must sum to 1/,
    );
  });
});

describe("difficulty populations", () => {
  test("Beta(a, b) difficulties have mean a/(a+b) within 4 SE", () => {
    const pop = betaDifficulty({ N: 20000, a: 2, b: 5, rng: createRng(5) });
    const v = (2 * 5) / (49 * 8);
    const { mean } = meanAndVar(Array.from(pop.p));
    assert.ok(Math.abs(mean - 2 / 7) < 4 * Math.sqrt(v / 20000));
    assert.throws(
      () => betaDifficulty({ N: 10, a: 0, b: 1, rng: createRng(0) }),
      /betaDifficulty: a must be > 0, got 0/,
    );
  });

  test("the U-shaped mixture is U-shaped: more mass below 0.1 and above 0.9 than in any middle decile", () => {
    const pop = uShapedDifficulty({ N: 20000, rng: createRng(6) });
    const deciles = new Array(10).fill(0);
    for (const p of pop.p) deciles[Math.min(9, Math.floor(p * 10))]++;
    for (let i = 1; i < 9; i++) {
      assert.ok(deciles[0] > deciles[i] && deciles[9] > deciles[i], `deciles ${deciles}`);
    }
  });

  test("mixture components get their stratified share and their own mean (4 SE)", () => {
    const pop = betaMixtureDifficulty({
      N: 10000,
      components: U_SHAPED_MATH_COMPONENTS,
      rng: createRng(7),
    });
    U_SHAPED_MATH_COMPONENTS.forEach((c, ci) => {
      const ps = Array.from(pop.p).filter((_, x) => pop.component[x] === ci);
      assert.equal(ps.length, Math.round(c.weight * 10000));
      const m = c.a / (c.a + c.b);
      const v = (c.a * c.b) / ((c.a + c.b) ** 2 * (c.a + c.b + 1));
      assert.ok(
        Math.abs(meanAndVar(ps).mean - m) < 4 * Math.sqrt(v / ps.length),
        `component ${ci}`,
      );
    });
  });

  test("weights not summing to 1 are rejected", () => {
    assert.throws(
      () =>
        betaMixtureDifficulty({
          N: 10,
          components: [{ weight: 0.5, a: 1, b: 1 }],
          rng: createRng(0),
        }),
      /components\[\].weight must sum to 1, got sum 0.5/,
    );
  });
});
