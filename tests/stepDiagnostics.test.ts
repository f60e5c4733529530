/**
 * Step-level checks (lib/studies/dynamicsStudy.ts): finite differences, score bounds, the Hessian
 * norm against closed forms, the one-step scan (claim 7) and the projected run (claim 12).
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { gradJ1, gradJk } from "../lib/theory/interference";
import { dot } from "../lib/core/stats";
import { contextsFromArrays } from "../lib/sim/populations";
import { logisticPolicy, tabularSoftmaxPolicy } from "../lib/sim/policies";
import { createRng } from "../lib/core/rng";
import { smoothnessBounds, oneStepInterval } from "../lib/theory/smoothness";
import {
  centralDifferenceGradient,
  finiteDifferenceErrors,
  hessianNorm,
  logisticScoreBounds,
  oneStepScan,
  passAtKAt,
  projectionTrace,
} from "../lib/studies/dynamicsStudy";
import { train } from "../lib/sim/training";
import { warmToy as libWarmToy } from "../lib/sim/toy";

/** Our PAPER.md §6 toy, small, warm-started by 10 steps of pass@1 ascent with lr 2. */
function warmToy(M = 400, seed = 7) {
  return libWarmToy({ M, rho: 0.3, delta: 1, rng: createRng(seed) });
}

const sigma = (z: number) => 1 / (1 + Math.exp(-z));

describe("finite differences (claim 1)", () => {
  test("central differences of a smooth function match its closed-form gradient to 1e-9", () => {
    const f = (t: Float64Array) => t[0] * t[0] * t[1] + Math.sin(t[1]);
    const g = centralDifferenceGradient(f, [1.3, -0.4], 1e-5);
    assert.ok(Math.abs(g[0] - 2 * 1.3 * -0.4) < 1e-9, `∂0: ${g[0]}`);
    assert.ok(Math.abs(g[1] - (1.3 * 1.3 + Math.cos(-0.4))) < 1e-9, `∂1: ${g[1]}`);
  });

  test("claim 1 on the toy: finite differences of J_k agree with E[w_k ∇p] to 1e-7 at the best h, for k = 1, 3, 16", () => {
    const { policy, theta } = warmToy();
    const hs = [1e-3, 1e-4, 1e-5, 1e-6];
    const fd = finiteDifferenceErrors(policy, theta, [1, 3, 16], hs);
    for (let i = 0; i < fd.ks.length; i++) {
      assert.ok(Math.min(...fd.relError[i]) < 1e-7, `k = ${fd.ks[i]}: ${fd.relError[i]}`);
    }
  });

  test("for large h the finite-difference error shrinks like h² (truncation of central differences)", () => {
    const { policy, theta } = warmToy();
    const fd = finiteDifferenceErrors(policy, theta, [4], [1e-1, 1e-2]);
    const ratio = fd.relError[0][0] / fd.relError[0][1];
    assert.ok(ratio > 50 && ratio < 200, `error ratio for a 10× smaller h: ${ratio}`);
  });

  test("passAtKAt is J_k of the policy's population: 0.5 for every k = 1 context at θ = 0", () => {
    const { policy } = warmToy(50);
    assert.ok(Math.abs(passAtKAt(policy, [0, 0], 1) - 0.5) < TOL.roundoff);
    assert.ok(Math.abs(passAtKAt(policy, [0, 0], 3) - 0.875) < TOL.roundoff);
  });
});

describe("score bounds and curvature (claim 10)", () => {
  test("logistic score bounds: G = max‖ψ‖, F = G²/4, and every score norm is ≤ G at random θ", () => {
    const policy = logisticPolicy(
      contextsFromArrays({ features: [1, 2, 1, -3, 1, 0.5], m: 2, correctAction: [1, 0, 1] }),
    );
    const { G, F } = logisticScoreBounds(policy);
    assert.ok(Math.abs(G - Math.sqrt(10)) < TOL.roundoff);
    assert.ok(Math.abs(F - 2.5) < TOL.roundoff);
    const rng = createRng(3);
    for (let rep = 0; rep < 50; rep++) {
      const theta = [rng.normal(0, 3), rng.normal(0, 3)];
      for (let x = 0; x < 3; x++)
        for (let a = 0; a < 2; a++) {
          const s = policy.score(theta, x, a);
          assert.ok(Math.sqrt(dot(s, s)) <= G + TOL.exact);
        }
    }
  });

  test("logisticScoreBounds rejects a non-logistic policy, naming the function", () => {
    assert.throws(
      () => logisticScoreBounds(tabularSoftmaxPolicy({ K: 2, correctAction: [0, 1] }) as never),
      { name: "TypeError", message: /^logisticScoreBounds: policy must be a logistic policy/ },
    );
  });

  test("the Hessian norm of J_1 and J_2 for one context equals the closed form |f''(z)|·‖ψ‖²", () => {
    const psi = [1, 0.7];
    const policy = logisticPolicy(contextsFromArrays({ features: psi, m: 2, correctAction: [1] }));
    const theta = [0.3, -1.1];
    const z = theta[0] * psi[0] + theta[1] * psi[1];
    const s = sigma(z);
    const s1 = s * (1 - s);
    const s2 = s1 * (1 - 2 * s);
    const psiSq = psi[0] ** 2 + psi[1] ** 2;
    // J_1 = σ(z); J_2 = 1 − (1 − σ)², f'' = 2(−σ'² + (1 − σ)σ'')
    const expected = new Map([
      [1, Math.abs(s2) * psiSq],
      [2, Math.abs(2 * (-s1 * s1 + (1 - s) * s2)) * psiSq],
    ]);
    for (const [k, want] of expected) {
      const got = hessianNorm(policy, theta, k);
      assert.ok(Math.abs(got - want) <= 1e-6 * want, `k = ${k}: ${got} vs ${want}`);
    }
  });

  test("claim 10 on the toy: the measured curvature stays below the refined bound for k up to 256", () => {
    const { policy, theta } = warmToy();
    const { G, F } = logisticScoreBounds(policy);
    for (const k of [1, 2, 8, 64, 256]) {
      assert.ok(hessianNorm(policy, theta, k) <= smoothnessBounds(G, F, k).refined, `k = ${k}`);
    }
  });
});

describe("one step (claim 7)", () => {
  test("for tiny η, ΔJ_1/η → c = ⟨∇J_k, ∇J_1⟩ and ΔJ_k/η → ‖∇J_k‖² (first order)", () => {
    const { policy, theta } = warmToy();
    const scan = oneStepScan(policy, theta, 4, [1e-4]);
    const pop = policy.population(theta);
    const gk = gradJk(pop, 4);
    const c = dot(gk, gradJ1(pop));
    assert.ok(Math.abs(scan.c - c) <= TOL.roundoff);
    assert.ok(Math.abs(scan.deltaJ1[0] / 1e-4 - c) <= 1e-3 * Math.abs(c));
    assert.ok(Math.abs(scan.deltaJk[0] / 1e-4 - dot(gk, gk)) <= 1e-3 * dot(gk, gk));
  });

  test("claim 7: every step size inside the theorem's interval raises J_4 and lowers J_1 on the toy", () => {
    const { policy, theta } = warmToy();
    const { G, F } = logisticScoreBounds(policy);
    const etas = Array.from({ length: 25 }, (_, i) => 10 ** (-4 + i * 0.25));
    const scan = oneStepScan(policy, theta, 4, etas);
    assert.ok(scan.c < 0, "the toy conflicts at k = 4");
    const b = smoothnessBounds(G, F, 4);
    const { etaMax } = oneStepInterval({
      c: scan.c,
      normGradJk: scan.normGradJk,
      L1: b.L1,
      Lk: b.refined,
    });
    const inside = scan.etas.map((eta, i) => i).filter((i) => scan.etas[i] < etaMax);
    assert.ok(inside.length >= 8, `${inside.length} grid points inside (0, ${etaMax})`);
    for (const i of inside)
      assert.ok(scan.deltaJ1[i] < 0 && scan.deltaJk[i] > 0, `η = ${scan.etas[i]}`);
    assert.ok(
      scan.observedEtaMax !== null &&
        scan.observedEtaMax >= Math.max(...inside.map((i) => scan.etas[i])),
    );
  });

  test("oneStepScan sorts the step sizes and rejects η ≤ 0, naming the argument", () => {
    const { policy, theta } = warmToy(50);
    assert.deepEqual(oneStepScan(policy, theta, 2, [1, 0.1]).etas, [0.1, 1]);
    assert.throws(() => oneStepScan(policy, theta, 2, [0.1, 0]), {
      name: "RangeError",
      message: "oneStepScan: etas[1] must be > 0, got 0",
    });
    assert.throws(() => oneStepScan(policy, [0], 2, [0.1]), {
      name: "RangeError",
      message: /^oneStepScan: theta has length 1/,
    });
  });
});

describe("projected ascent (claim 12)", () => {
  test("claim 12: along a projected run ⟨g, ∇J_1⟩ ≥ 0 and ⟨g, ∇J_k⟩ ≥ 0 at every checkpoint, and J_1 does not fall", () => {
    const { policy, theta } = warmToy();
    const tr = projectionTrace(policy, theta, { k: 4, steps: 120, lr: 0.5, every: 10 });
    assert.equal(tr.step.length, 13);
    assert.ok(tr.c[0] < 0, "the unprojected directions conflict at the start");
    for (let i = 0; i < tr.step.length; i++) {
      assert.ok(tr.gJ1[i] >= -TOL.roundoff, `⟨g, ∇J_1⟩ = ${tr.gJ1[i]} at step ${tr.step[i]}`);
      assert.ok(tr.gJk[i] >= 0, `⟨g, ∇J_k⟩ = ${tr.gJk[i]} at step ${tr.step[i]}`);
    }
    // Second-order drift only: each step moves J_1 by at most L_1 η²‖g‖²/2 (far below 1e-4 here).
    assert.ok(tr.J1.at(-1)! >= tr.J1[0] - 1e-4, `J_1 ${tr.J1[0]} → ${tr.J1.at(-1)}`);
    assert.ok(tr.Jk.at(-1)! > tr.Jk[0], "J_4 rises");
  });

  test("the chunked run follows the path of one train() call with the projected objective", () => {
    const { policy, theta } = warmToy(200);
    const tr = projectionTrace(policy, theta, { k: 3, steps: 30, lr: 0.5, every: 7 });
    const one = train({
      policy,
      theta0: theta,
      steps: 30,
      lr: 0.5,
      objective: { kind: "projected", k: 3 },
      record: { ks: [1, 3], every: 1 },
    }).history;
    assert.deepEqual(tr.step, [0, 7, 14, 21, 28, 30]);
    for (let i = 0; i < tr.step.length; i++) {
      // Same θ path; J_k is summed by two different routines, so equal to rounding.
      assert.ok(
        Math.abs(tr.J1[i] - one.J1[tr.step[i]]) <= TOL.roundoff,
        `J_1 at step ${tr.step[i]}`,
      );
      assert.ok(
        Math.abs(tr.Jk[i] - one.passAtK[1][tr.step[i]]) <= TOL.roundoff,
        `J_3 at step ${tr.step[i]}`,
      );
    }
  });
});
