/**
 * Mitigation directions (PAPER.md §9, our derivation): projection (claim 12), the safe mixing
 * weight, capped weights and interference-aware weights — each guarantee checked.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fc from "fast-check";
import { agreementScores, gradJ1, gradJk } from "../lib/theory/interference";
import { dot } from "../lib/core/stats";
import {
  cappedWeightGradient,
  interferenceAwareCoefficients,
  interferenceAwareGradient,
  projectedDirection,
  safeMixingLambda,
} from "../lib/theory/mitigations";
import { populationPassAtK, promptWeight } from "../lib/theory/passAtK";
import { createRng } from "../lib/core/rng";
import { workedExamplePopulation } from "../lib/theory/threshold";
import { logisticBandit, randomPopulation } from "./fixtures/theory";

const vec = (d: number) =>
  fc
    .array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: d, maxLength: d })
    .map((v) => Float64Array.from(v));
const pair = fc.integer({ min: 1, max: 8 }).chain((d) => fc.tuple(vec(d), vec(d)));

describe("claim 12: projection", () => {
  test("claim 12: the projected direction keeps ⟨g, ∇J_1⟩ = max(0, c) ≥ 0 and ⟨g, ∇J_k⟩ ≥ 0 for any pair of gradients", () => {
    fc.assert(
      fc.property(pair, ([gk, g1]) => {
        const g = projectedDirection(gk, g1);
        const c = dot(gk, g1);
        const scale = TOL.exact * (1 + dot(gk, gk) + dot(g1, g1));
        assert.ok(dot(g, g1) >= -scale);
        assert.ok(Math.abs(dot(g, g1) - Math.max(0, c)) <= scale * 10);
        assert.ok(dot(g, gk) >= -scale);
        if (c >= 0) assert.deepEqual(Array.from(g), Array.from(gk));
      }),
      { seed: 1201, numRuns: 500 },
    );
  });

  test("claim 12: ascent along the projection does not lower J_1 to first order (finite-difference directional derivative on the logistic bandit)", () => {
    const { population, mass } = logisticBandit(1202, 400, 0.3, 1);
    const theta = Float64Array.of(0.4, 1.1);
    let checked = 0;
    for (const k of [2, 4, 8, 16]) {
      const pop = population(theta);
      const g1 = gradJ1(pop);
      const gk = gradJk(pop, k);
      if (!(dot(gk, g1) < 0)) continue;
      checked++;
      const g = projectedDirection(gk, g1);
      const h = 1e-6;
      const J1 = (s: number) =>
        populationPassAtK(
          mass,
          population(Float64Array.of(theta[0] + s * g[0], theta[1] + s * g[1])).p,
          1,
        );
      const slope = (J1(h) - J1(-h)) / (2 * h);
      assert.ok(
        Math.abs(slope) < 1e-8,
        `k=${k}: dJ_1 along g = ${slope}, expected 0 (c < 0 ⇒ ⟨g,∇J_1⟩ = 0)`,
      );
      const Jk = (s: number) =>
        populationPassAtK(
          mass,
          population(Float64Array.of(theta[0] + s * g[0], theta[1] + s * g[1])).p,
          k,
        );
      assert.ok((Jk(h) - Jk(-h)) / (2 * h) >= 0, `k=${k}: J_k decreases along g`);
      // Plain pass@k ascent does lower J_1 here, which is what the projection prevents.
      const J1k = (s: number) =>
        populationPassAtK(
          mass,
          population(Float64Array.of(theta[0] + s * gk[0], theta[1] + s * gk[1])).p,
          1,
        );
      assert.ok((J1k(h) - J1k(-h)) / (2 * h) < 0);
    }
    assert.ok(checked >= 2, `only ${checked} conflicting k at θ`);
  });
});

describe("safe mixing weight", () => {
  test("at λ = safeMixingLambda the mixed direction is orthogonal to ∇J_1; below it pass@1 rises, above it falls (first order)", () => {
    fc.assert(
      fc.property(pair, ([gk, g1]) => {
        const c = dot(gk, g1);
        const n1sq = dot(g1, g1);
        if (c >= 0) assert.equal(safeMixingLambda(n1sq, c), 1);
        // Skip conflicts too small to move λ off 1 in float64 (or ∇J_1 ≈ 0).
        if (c >= 0 || n1sq < 1e-6 || -c < 1e-9 * n1sq) return;
        const lambda = safeMixingLambda(n1sq, c);
        assert.ok(lambda > 0 && lambda < 1);
        const along = (l: number) => l * c + (1 - l) * n1sq; // ⟨λ∇J_k + (1−λ)∇J_1, ∇J_1⟩
        assert.ok(Math.abs(along(lambda)) <= TOL.exact * (n1sq - c));
        assert.ok(along(lambda * 0.99) > 0 && along(Math.min(1, lambda * 1.01 + 1e-9)) < 0);
      }),
      { seed: 1203, numRuns: 500 },
    );
  });

  test("the worked example's safe λ is 0.4/(0.4 + 0.043476) at k = 3, and 1 without a conflict", () => {
    assert.ok(Math.abs(safeMixingLambda(0.4, -0.043476) - 0.4 / 0.443476) < TOL.roundoff);
    assert.equal(safeMixingLambda(0.4, 0.1), 1);
    assert.throws(() => safeMixingLambda(0, -1), {
      name: "RangeError",
      message: /safeMixingLambda: c = -1 < 0 needs normGradJ1Sq > 0/,
    });
    assert.throws(() => safeMixingLambda(-1, 1), {
      name: "RangeError",
      message: /safeMixingLambda: normGradJ1Sq must be ≥ 0, got -1/,
    });
  });
});

describe("capped and interference-aware weights", () => {
  test("capped weights interpolate: τ ≥ k gives ∇J_k, τ ≤ min w_k gives τ∇J_1 (no conflict)", () => {
    const rng = createRng(1204);
    for (let rep = 0; rep < 20; rep++) {
      const pop = randomPopulation(rng, 3 + rng.int(0, 20), 3, { pHi: 0.95 });
      for (const k of [2, 5, 12]) {
        const full = cappedWeightGradient(pop, k, k);
        const gk = gradJk(pop, k);
        full.forEach((v, j) => assert.ok(Math.abs(v - gk[j]) < TOL.exact));
        let minW = Infinity;
        for (const p of pop.p) minW = Math.min(minW, promptWeight(p, k));
        const low = cappedWeightGradient(pop, k, minW);
        const g1 = gradJ1(pop);
        low.forEach((v, j) =>
          assert.ok(Math.abs(v - minW * g1[j]) < TOL.exact, `rep ${rep} k=${k}`),
        );
        assert.ok(dot(low, g1) >= 0);
      }
    }
  });

  test("interference-aware weights: ⟨g, ∇J_1⟩ = max(0, c), g = ∇J_k without conflict, weights ≥ 0 in pass@k's ratios (random populations)", () => {
    const rng = createRng(1205);
    let conflicts = 0;
    for (let rep = 0; rep < 60; rep++) {
      const pop = randomPopulation(rng, 2 + rng.int(0, 30), 1 + rng.int(0, 3), {
        shift: rng.normal(),
      });
      const g1 = gradJ1(pop);
      const a = agreementScores(pop);
      for (const k of [2, 4, 16, 64]) {
        const g = interferenceAwareGradient(pop, k);
        const gk = gradJk(pop, k);
        const c = dot(gk, g1);
        const scale = Math.abs(c) + dot(g1, g1);
        assert.ok(Math.abs(dot(g, g1) - Math.max(0, c)) <= TOL.exact * scale, `rep ${rep} k=${k}`);
        const coef = new Float64Array(pop.N);
        const s = interferenceAwareCoefficients(pop.mass, pop.p, a, k, coef);
        if (c >= 0) {
          assert.equal(s, 1);
          g.forEach((v, j) => assert.ok(Math.abs(v - gk[j]) <= TOL.exact * (1 + Math.abs(gk[j]))));
        } else {
          conflicts++;
          assert.ok(s >= 0 && s < 1, `rep ${rep} k=${k}: s = ${s}`);
        }
        for (let i = 0; i < pop.N; i++) {
          const expected = pop.mass[i] * promptWeight(pop.p[i], k) * (a[i] < 0 ? s : 1);
          assert.ok(Math.abs(coef[i] - expected) <= TOL.roundoff * (1 + expected));
        }
      }
    }
    assert.ok(conflicts > 20, `the guarantee was exercised on only ${conflicts} conflicting cases`);
  });

  test("interference-aware weights on the worked example: the interfering hard prompt is shrunk by s = A⁺/A⁻, so g is not ∇J_1", () => {
    const pop = workedExamplePopulation();
    const a = agreementScores(pop);
    // A⁺ = 0.7·w_3(0.8)·a_easy, A⁻ = −0.3·w_3(0.1)·a_hard (from the exact scores).
    const plus = 0.7 * 3 * 0.2 ** 2 * a[0];
    const minus = -0.3 * 3 * 0.9 ** 2 * a[1];
    const s = plus / minus;
    const coef = new Float64Array(2);
    assert.ok(Math.abs(interferenceAwareCoefficients(pop.mass, pop.p, a, 3, coef) - s) < 1e-14);
    const g = interferenceAwareGradient(pop, 3);
    const expected = [
      0.7 * 0.12 * 1 + 0.3 * 2.43 * s * -0.6,
      0.7 * 0.12 * 0.3 + 0.3 * 2.43 * s * 0.5,
    ];
    g.forEach((v, j) => assert.ok(Math.abs(v - expected[j]) < 1e-14, `g[${j}] = ${v}`));
    const g1 = gradJ1(pop);
    assert.ok(Math.abs(dot(g, g1)) < TOL.roundoff);
    assert.ok(Math.abs(g[0] - g1[0]) > 0.1, "not pass@1 in disguise");
    // Flip the scores: now the hard prompt agrees, there is no conflict under these scores: ∇J_3.
    const flipped = interferenceAwareGradient(pop, 3, Float64Array.of(-1, 1));
    const flippedExpected = [
      0.7 * 0.12 * 1 + 0.3 * 2.43 * -0.6,
      0.7 * 0.12 * 0.3 + 0.3 * 2.43 * 0.5,
    ];
    flipped.forEach((v, j) => assert.ok(Math.abs(v - flippedExpected[j]) < 1e-14));
  });

  test("bad input throws errors naming the function and the argument", () => {
    const pop = workedExamplePopulation();
    assert.throws(() => projectedDirection(Float64Array.of(1), Float64Array.of(1, 2)), {
      name: "RangeError",
      message: /projectedDirection: g1 has length 2, but gk has length 1/,
    });
    assert.throws(() => cappedWeightGradient(pop, 2, 0), {
      name: "RangeError",
      message: /cappedWeightGradient: tau must be > 0, got 0/,
    });
    assert.throws(() => interferenceAwareGradient(pop, 2, Float64Array.of(1)), {
      name: "RangeError",
      message: /interferenceAwareGradient: a has length 1, but pop.N has length 2/,
    });
  });
});
