/**
 * Smoothness constants and the one-step result on a model where G and F are known exactly:
 * the easy/hard logistic bandit of PAPER.md §6 (two actions, π(1|x) = σ(θᵀψ), ψ = [1, s]).
 * Claims 7 and 10.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { gradJ1, gradJk } from "../lib/theory/interference";
import { dot } from "../lib/core/stats";
import { populationPassAtK } from "../lib/theory/passAtK";
import { createRng } from "../lib/core/rng";
import {
  maxCurvatureFactor,
  maxInfluence,
  oneStepInterval,
  smoothnessBounds,
} from "../lib/theory/smoothness";
import { logisticBandit as bandit } from "./fixtures/theory";

/** Spectral norm of a symmetric 2 × 2 matrix [[a, b], [b, c]]. */
function spectralNorm2(a: number, b: number, c: number): number {
  const mean = (a + c) / 2;
  const r = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  return Math.max(Math.abs(mean + r), Math.abs(mean - r));
}

describe("claim 10: smoothness constants", () => {
  test("maxInfluence and maxCurvatureFactor are the suprema over p of k p(1−p)^(k−1) and k(k−1)p²(1−p)^(k−2)", () => {
    for (const k of [1, 2, 3, 4, 10, 57, 400]) {
      let s1 = 0;
      let s2 = 0;
      for (let t = 0; t <= 20000; t++) {
        const p = t / 20000;
        s1 = Math.max(s1, k * p * (1 - p) ** (k - 1));
        s2 = Math.max(s2, k === 1 ? 0 : k * (k - 1) * p * p * (1 - p) ** (k - 2));
      }
      // The grid contains p = 1/k and p = 2/k only for some k: allow the grid's second-order gap.
      assert.ok(
        maxInfluence(k) >= s1 && maxInfluence(k) - s1 < 1e-6,
        `k=${k}: ${maxInfluence(k)} vs grid ${s1}`,
      );
      assert.ok(
        maxCurvatureFactor(k) >= s2 - TOL.roundoff && maxCurvatureFactor(k) - s2 < 1e-4 * k,
        `k=${k}: ${maxCurvatureFactor(k)} vs grid ${s2}`,
      );
    }
    assert.equal(maxCurvatureFactor(2), 2);
    assert.ok(Math.abs(maxCurvatureFactor(100000) - 4 / Math.E ** 2) < 1e-4);
  });

  test("claim 10: the refined L_k stays ≤ L_1 + 2G² for all k, the crude bound grows like k², ‖∇J_k‖ bound ≤ G", () => {
    for (const [G, F] of [
      [1, 0],
      [2, 3],
      [0.5, 10],
    ]) {
      const L1 = F + G * G;
      for (let k = 1; k <= 2000; k++) {
        const b = smoothnessBounds(G, F, k);
        assert.equal(b.L1, L1);
        assert.ok(
          b.refined <= L1 + 2 * G * G + TOL.exact && b.refined <= b.crude + TOL.exact,
          `k=${k}`,
        );
        assert.ok(b.gradBound <= G);
        assert.equal(b.crude, k * L1 + k * (k - 1) * G * G);
      }
      assert.ok(smoothnessBounds(G, F, 2000).crude / 2000 ** 2 >= G * G);
      assert.deepEqual(smoothnessBounds(G, F, 1), { L1, crude: L1, refined: L1, gradBound: G });
    }
  });

  test("claim 10: on the logistic bandit, ‖∇²J_k‖ (finite differences of ∇J_k) ≤ refined L_k and ‖∇J_k‖ ≤ G·maxInfluence(k) ≤ G, k = 1 … 64", () => {
    const { population, G, F } = bandit(301);
    const rng = createRng(302);
    let worstRatio = 0;
    for (let rep = 0; rep < 6; rep++) {
      const theta = Float64Array.of(rng.normal(0, 2), rng.normal(0, 2));
      for (const k of [1, 2, 3, 4, 8, 16, 32, 64]) {
        const h = 1e-5;
        const col = (j: number) => {
          const tp = Float64Array.from(theta);
          const tm = Float64Array.from(theta);
          tp[j] += h;
          tm[j] -= h;
          const gp = gradJk(population(tp), k);
          const gm = gradJk(population(tm), k);
          return [(gp[0] - gm[0]) / (2 * h), (gp[1] - gm[1]) / (2 * h)];
        };
        const [c0, c1] = [col(0), col(1)];
        const hess = spectralNorm2(c0[0], (c0[1] + c1[0]) / 2, c1[1]);
        const bounds = smoothnessBounds(G, F, k);
        assert.ok(
          hess <= bounds.refined,
          `rep ${rep} k=${k}: ‖∇²J_k‖ = ${hess} > ${bounds.refined}`,
        );
        const g = gradJk(population(theta), k);
        assert.ok(Math.sqrt(dot(g, g)) <= bounds.gradBound, `rep ${rep} k=${k}: ‖∇J_k‖`);
        worstRatio = Math.max(worstRatio, hess / bounds.refined);
      }
    }
    assert.ok(
      worstRatio > 1e-3,
      `the bound is checked against non-trivial curvature (max ratio ${worstRatio})`,
    );
  });
});

describe("claim 7: one step", () => {
  test("claim 7: one pass@k step with 0 < η < η_max raises J_k and lowers J_1 (logistic bandit after a pass@1 warm start)", () => {
    const { population, G, F, mass } = bandit(303, 400, 0.3, 1);
    // Warm start: 10 steps of pass@1 ascent with learning rate 2 from θ = 0 (PAPER.md §6).
    const theta = new Float64Array(2);
    for (let t = 0; t < 10; t++) {
      const g = gradJ1(population(theta));
      theta[0] += 2 * g[0];
      theta[1] += 2 * g[1];
    }
    let conflicting = 0;
    for (const k of [2, 3, 4, 8, 16]) {
      const pop = population(theta);
      const gk = gradJk(pop, k);
      const c = dot(gk, gradJ1(pop));
      if (!(c < 0)) continue;
      conflicting++;
      const b = smoothnessBounds(G, F, k);
      const { etaMax } = oneStepInterval({
        c,
        normGradJk: Math.sqrt(dot(gk, gk)),
        L1: b.L1,
        Lk: b.refined,
      });
      const J = (t: Float64Array, kk: number) => populationPassAtK(mass, population(t).p, kk);
      for (const f of [1e-3, 0.1, 0.5, 0.999]) {
        const eta = f * etaMax;
        const next = Float64Array.of(theta[0] + eta * gk[0], theta[1] + eta * gk[1]);
        assert.ok(J(next, k) > J(theta, k), `k=${k} η=${eta}: J_k did not rise`);
        assert.ok(J(next, 1) < J(theta, 1), `k=${k} η=${eta}: J_1 did not fall`);
      }
    }
    assert.ok(conflicting >= 3, `only ${conflicting} conflicting k at the warm start`);
  });

  test("η_max = min(2/L_k, 2|c|/(L_1‖∇J_k‖²)), and no interval exists without a conflict", () => {
    assert.deepEqual(oneStepInterval({ c: -0.1, normGradJk: 1, L1: 2, Lk: 4 }), { etaMax: 0.1 });
    assert.deepEqual(oneStepInterval({ c: -10, normGradJk: 1, L1: 2, Lk: 4 }), { etaMax: 0.5 });
    assert.throws(() => oneStepInterval({ c: 0, normGradJk: 1, L1: 2, Lk: 4 }), {
      name: "RangeError",
      message: /oneStepInterval: args.c = ⟨∇J_k, ∇J_1⟩ must be < 0.*got 0/,
    });
    assert.throws(() => oneStepInterval({ c: -1, normGradJk: 0, L1: 2, Lk: 4 }), {
      name: "RangeError",
      message: /oneStepInterval: args.normGradJk must be > 0, got 0/,
    });
    assert.throws(() => smoothnessBounds(-1, 0, 2), {
      name: "RangeError",
      message: /smoothnessBounds: G must be ≥ 0, got -1/,
    });
    assert.throws(() => smoothnessBounds(1, 0, 0), {
      name: "RangeError",
      message: /smoothnessBounds: k must be an integer ≥ 1, got 0/,
    });
  });
});
