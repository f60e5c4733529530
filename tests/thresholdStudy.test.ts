import { describe, test } from "node:test";
import { TOL } from "../lib/core/tolerances";
import assert from "node:assert/strict";
import { kStarPhaseDiagram, spreadPopulation } from "../lib/studies/thresholdStudy";
import { agreementScores, conflictProfile } from "../lib/theory/interference";
import { generalBound, kStarExact, workedExamplePopulation } from "../lib/theory/threshold";
import { logisticPolicy } from "../lib/sim/policies";
import { easyHardBandit } from "../lib/sim/populations";
import { createRng } from "../lib/core/rng";
import { train } from "../lib/sim/training";

describe("spreadPopulation", () => {
  const base = workedExamplePopulation();

  test("spread 0 is equivalent to the original population: same J_k and ⟨∇J_k, ∇J_1⟩ for k = 1..8", () => {
    const ks = [1, 2, 3, 4, 5, 6, 7, 8];
    const a = conflictProfile(base, ks);
    const b = conflictProfile(spreadPopulation(base, 0, 5), ks);
    for (let i = 0; i < ks.length; i++) {
      assert.ok(Math.abs(a.passAtK[i] - b.passAtK[i]) < TOL.roundoff);
      assert.ok(Math.abs(a.innerProduct[i] - b.innerProduct[i]) < TOL.roundoff);
    }
  });

  test("each prompt's copies keep its mass, its mean p and its gradient, so the agreement scores are unchanged", () => {
    const spread = spreadPopulation(base, 0.15, 7);
    assert.equal(spread.N, 14);
    const a0 = agreementScores(base);
    const a1 = agreementScores(spread);
    for (let x = 0; x < 2; x++) {
      let mass = 0;
      let meanP = 0;
      for (let j = 0; j < 7; j++) {
        mass += spread.mass[x * 7 + j];
        meanP += spread.p[x * 7 + j] / 7;
        assert.deepEqual(
          Array.from(spread.gradP.subarray((x * 7 + j) * 2, (x * 7 + j + 1) * 2)),
          Array.from(base.gradP.subarray(x * 2, x * 2 + 2)),
        );
        assert.ok(Math.abs(a1[x * 7 + j] - a0[x]) < TOL.roundoff);
      }
      assert.ok(Math.abs(mass - base.mass[x]) < TOL.roundoff);
      assert.ok(Math.abs(meanP - base.p[x]) < TOL.roundoff);
    }
  });

  test("the spread is capped at the distance to 0 and 1 (p_h = 0.1 spreads over [0, 0.2] at spread 0.3)", () => {
    const spread = spreadPopulation(base, 0.3, 3);
    assert.deepEqual(
      Array.from(spread.p).map((v) => Math.round(v * 1e12) / 1e12),
      [0.6, 0.8, 1, 0, 0.1, 0.2],
    );
  });

  test("claim 5 on spread groups: the exact first conflicting k never exceeds ⌊B⌋ + 1, and B is missing exactly when the bands overlap", () => {
    let compared = 0;
    for (const pH of [0.02, 0.1, 0.3, 0.5, 0.55]) {
      for (const s of [0.02, 0.1, 0.14]) {
        const pop = spreadPopulation({ ...base, p: Float64Array.of(0.8, pH) }, s, 9);
        const a = agreementScores(pop);
        const exact = kStarExact(pop.mass, pop.p, a);
        const bound = generalBound(pop.mass, pop.p, a);
        assert.ok(exact !== null, `pH=${pH} s=${s}`);
        // p_N = pH + s (hard band's top) must lie below p_P = 0.8 − s (easy band's bottom).
        assert.equal(
          bound === null,
          pH + Math.min(s, pH) >= 0.8 - s,
          `pH=${pH} s=${s}: bound ${bound}`,
        );
        if (bound === null) continue;
        assert.ok(
          exact <= Math.floor(bound) + 1,
          `pH=${pH} s=${s}: exact ${exact}, bound ${bound}`,
        );
        compared++;
      }
    }
    assert.equal(compared, 14);
  });

  test("bad arguments throw naming the argument", () => {
    assert.throws(
      () => spreadPopulation(base, 1.5, 3),
      /spreadPopulation: spread must be in \[0, 1\], got 1.5/,
    );
    assert.throws(
      () => spreadPopulation(base, 0.1, 0),
      /spreadPopulation: copies must be an integer ≥ 1, got 0/,
    );
  });
});

describe("kStarPhaseDiagram", () => {
  test("each cell equals the warm start + exact scan done by hand", () => {
    const phase = kStarPhaseDiagram({ deltas: [0.5, 3], rhos: [0.3], M: 300, seed: 9 });
    phase.deltas.forEach((delta, j) => {
      const policy = logisticPolicy(easyHardBandit({ M: 300, rho: 0.3, delta, rng: createRng(9) }));
      const theta = train({
        policy,
        theta0: [0, 0],
        steps: 10,
        lr: 2,
        objective: { kind: "pass1" },
      }).theta;
      const pop = policy.population(theta);
      const a = agreementScores(pop);
      assert.equal(phase.kStar[0][j], kStarExact(pop.mass, pop.p, a, { kMax: 256 }));
      assert.ok(
        Math.abs(phase.J1[0][j] - pop.p.reduce((s, p, x) => s + pop.mass[x] * p, 0)) < TOL.exact,
      );
      assert.ok(
        Math.abs(
          phase.negativeShare[0][j] - a.reduce((s, v, x) => s + (v < 0 ? pop.mass[x] : 0), 0),
        ) < TOL.exact,
      );
    });
  });

  test("claim 9 on a small grid: k* is non-decreasing in Δ and the mass of {a < 0} falls from Δ = 0.5 to Δ = 6", () => {
    const phase = kStarPhaseDiagram({ deltas: [0.5, 1, 2, 4, 6], rhos: [0.3], M: 1000, seed: 1 });
    const ks = phase.kStar[0].map((k) => k ?? Infinity);
    for (let j = 1; j < ks.length; j++) assert.ok(ks[j] >= ks[j - 1], `k* = ${phase.kStar[0]}`);
    assert.ok(
      phase.negativeShare[0][4] < phase.negativeShare[0][0],
      `mass of a < 0 = ${phase.negativeShare[0]}`,
    );
  });

  test("bad grids throw before any work", () => {
    assert.throws(
      () => kStarPhaseDiagram({ deltas: [-1], rhos: [0.3], M: 10, seed: 1 }),
      /kStarPhaseDiagram: deltas\[0\] must be ≥ 0, got -1/,
    );
    assert.throws(
      () => kStarPhaseDiagram({ deltas: [1], rhos: [1.3], M: 10, seed: 1 }),
      /kStarPhaseDiagram: rhos\[0\] must be in \[0, 1\], got 1.3/,
    );
    assert.throws(
      () => kStarPhaseDiagram({ deltas: [], rhos: [0.3], M: 10, seed: 1 }),
      /deltas and rhos must be non-empty/,
    );
  });
});
