/**
 * Gradients, agreement scores, the kernel and the conflict profile: claim 1 against central
 * finite differences of J_k, the inner-product identity, claims 2 and 6, and the worked example.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  agreementScores,
  conflictProfile,
  gradJ1,
  gradJk,
  innerProductFromAgreement,
  interferenceKernel,
  KERNEL_MAX_N,
  weightedGradient,
} from "../lib/theory/interference";
import { dot } from "../lib/core/stats";
import { normalisedWeights, populationPassAtK, promptWeight } from "../lib/theory/passAtK";
import { kStarExact, workedExamplePopulation } from "../lib/theory/threshold";
import { createRng, type Rng } from "../lib/core/rng";
import type { Population } from "../lib/core/types";
import { assertClose, randomPopulation } from "./fixtures/theory";

/** p_i(θ) = σ(⟨φ_i, θ⟩): a population whose ∇p is known in closed form. */
function logisticPopulation(
  mass: Float64Array,
  phi: Float64Array,
  theta: Float64Array,
): Population {
  const N = mass.length;
  const d = theta.length;
  const p = new Float64Array(N);
  const gradP = new Float64Array(N * d);
  for (let i = 0; i < N; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += phi[i * d + j] * theta[j];
    p[i] = 1 / (1 + Math.exp(-z));
    for (let j = 0; j < d; j++) gradP[i * d + j] = p[i] * (1 - p[i]) * phi[i * d + j];
  }
  return { N, d, mass, p, gradP };
}

function randomLogistic(rng: Rng, N: number, d: number) {
  const base = randomPopulation(rng, N, d);
  const phi = Float64Array.from({ length: N * d }, () => rng.normal());
  const theta = Float64Array.from({ length: d }, () => rng.normal(0, 0.8));
  return { mass: base.mass, phi, theta };
}

const norm = (v: ArrayLike<number>) => Math.sqrt(dot(v, v));

describe("claim 1: pass@k gradient", () => {
  test("claim 1: ∇J_k = E[w_k ∇p] equals central finite differences of J_k on random logistic populations", () => {
    const rng = createRng(101);
    for (let rep = 0; rep < 8; rep++) {
      const { mass, phi, theta } = randomLogistic(rng, 5 + rng.int(0, 20), 1 + rng.int(0, 5));
      const d = theta.length;
      for (const k of [1, 2, 5, 16, 64]) {
        const g = gradJk(logisticPopulation(mass, phi, theta), k);
        for (let j = 0; j < d; j++) {
          const h = 1e-5;
          const tp = Float64Array.from(theta);
          const tm = Float64Array.from(theta);
          tp[j] += h;
          tm[j] -= h;
          const J = (t: Float64Array) =>
            populationPassAtK(mass, logisticPopulation(mass, phi, t).p, k);
          const fd = (J(tp) - J(tm)) / (2 * h);
          assert.ok(
            Math.abs(fd - g[j]) < 1e-8 * Math.max(1, Math.abs(g[j])),
            `rep ${rep} k=${k} j=${j}: ${g[j]} vs ${fd}`,
          );
        }
      }
    }
  });

  test("∇J_1 is the mass-weighted sum of the rows and ∇J_k with k = 1 equals it", () => {
    const pop = workedExamplePopulation();
    const g1 = gradJ1(pop);
    assertClose(g1[0], 0.52, TOL.roundoff, "∇J_1[0]");
    assertClose(g1[1], 0.36, TOL.roundoff, "∇J_1[1]");
    assert.deepEqual(Array.from(gradJk(pop, 1)), Array.from(g1));
    assert.deepEqual(Array.from(weightedGradient(pop, pop.mass)), Array.from(g1));
  });
});

describe("agreement scores and the kernel", () => {
  test("worked example (PAPER.md §4): a_e = 0.628, a_h = −0.132", () => {
    const a = agreementScores(workedExamplePopulation());
    assertClose(a[0], 0.628, 1e-14, "a_e");
    assertClose(a[1], -0.132, 1e-14, "a_h");
  });

  test("a(x) = E_x'[κ(x, x')] — the O(N·d) agreement scores equal the kernel averaged over D; κ is symmetric", () => {
    const rng = createRng(102);
    const pop = randomPopulation(rng, 40, 7);
    const kappa = interferenceKernel(pop);
    const a = agreementScores(pop);
    for (let i = 0; i < pop.N; i++) {
      let s = 0;
      for (let l = 0; l < pop.N; l++) {
        s += pop.mass[l] * kappa[i * pop.N + l];
        assert.equal(kappa[i * pop.N + l], kappa[l * pop.N + i]);
      }
      assert.ok(Math.abs(s - a[i]) < TOL.exact * Math.max(1, Math.abs(a[i])), `a[${i}]`);
    }
    assert.deepEqual(Array.from(agreementScores(pop, gradJ1(pop))), Array.from(a));
  });

  test(`the full kernel is refused above N = ${KERNEL_MAX_N} with a RangeError pointing to agreementScores`, () => {
    const N = KERNEL_MAX_N + 1;
    const pop: Population = {
      N,
      d: 1,
      mass: new Float64Array(N).fill(1 / N),
      p: new Float64Array(N),
      gradP: new Float64Array(N),
    };
    assert.throws(() => interferenceKernel(pop), {
      name: "RangeError",
      message: /interferenceKernel: pop.N must be ≤ 4096.*agreementScores/,
    });
  });
});

describe("the conflict ⟨∇J_k, ∇J_1⟩", () => {
  test("inner-product identity: ⟨∇J_k, ∇J_1⟩ = E[w_k a] (direct gradients, innerProductFromAgreement and conflictProfile agree)", () => {
    const rng = createRng(103);
    for (let rep = 0; rep < 20; rep++) {
      const pop = randomPopulation(rng, 1 + rng.int(0, 60), 1 + rng.int(0, 9));
      const g1 = gradJ1(pop);
      const a = agreementScores(pop);
      const ks = [1, 2, 3, 7, 30, 200];
      const prof = conflictProfile(pop, ks);
      ks.forEach((k, s) => {
        const direct = dot(gradJk(pop, k), g1);
        const viaA = innerProductFromAgreement(pop.mass, pop.p, a, k);
        const tol = TOL.exact * Math.max(1, norm(gradJk(pop, k)) * norm(g1));
        assert.ok(Math.abs(direct - viaA) < tol, `rep ${rep} k=${k}: ${direct} vs ${viaA}`);
        assert.ok(Math.abs(direct - prof.innerProduct[s]) < tol, `profile rep ${rep} k=${k}`);
      });
    }
  });

  test("conflictProfile equals the one-k-at-a-time functions for an unsorted grid with repeats and long gaps", () => {
    const rng = createRng(104);
    const pop = randomPopulation(rng, 50, 6, { shift: 0.5 });
    pop.p[0] = 0;
    pop.p[1] = 1;
    pop.p[2] = 1e-9;
    const ks = [64, 1, 3, 3, 2, 1000, 4096, 9, 10];
    const prof = conflictProfile(pop, ks);
    const g1 = gradJ1(pop);
    const a = agreementScores(pop);
    const meanA = innerProductFromAgreement(pop.mass, pop.p, a, 1);
    assertClose(prof.normGradJ1, norm(g1), 1e-14, "‖∇J_1‖");
    assert.deepEqual(Array.from(prof.gradJ1), Array.from(g1));
    prof.agreement.forEach((v, i) => assertClose(v, a[i], 1e-13, `a[${i}]`, TOL.roundoff));
    ks.forEach((k, s) => {
      const gk = gradJk(pop, k);
      const at = `k=${k}`;
      assert.equal(prof.k[s], k);
      assertClose(prof.passAtK[s], populationPassAtK(pop.mass, pop.p, k), 1e-13, `J ${at}`);
      assertClose(prof.normGradJk[s], norm(gk), TOL.exact, `‖∇J_k‖ ${at}`);
      let Z = 0;
      for (let i = 0; i < pop.N; i++) Z += pop.mass[i] * promptWeight(pop.p[i], k);
      assertClose(prof.meanWeight[s], Z, TOL.exact, `Z ${at}`);
      assertClose(prof.cosine[s], dot(gk, g1) / (norm(gk) * norm(g1)), 1e-10, `cos ${at}`);
      assertClose(
        prof.covariance[s],
        prof.innerProduct[s] - Z * meanA,
        TOL.exact,
        `cov ${at}`,
        1e-14,
      );
      const q = normalisedWeights(pop.mass, pop.p, k);
      let neg = 0;
      for (let i = 0; i < pop.N; i++) if (a[i] < 0) neg += q[i];
      assertClose(prof.negativeAgreementWeight[s], neg, TOL.exact, `q_k(a<0) ${at}`, 1e-14);
    });
  });

  test("claim 6: conflict ⇔ Cov(w_k, a) < −E[w_k]‖∇J_1‖² ⇔ E_{q_k}[a] < 0", () => {
    const rng = createRng(105);
    let conflicts = 0;
    let total = 0;
    for (let rep = 0; rep < 60; rep++) {
      const pop = randomPopulation(rng, 2 + rng.int(0, 30), 1 + rng.int(0, 3), {
        shift: rng.normal(),
      });
      const ks = Array.from({ length: 40 }, (_, t) => t + 1);
      const prof = conflictProfile(pop, ks);
      const a = agreementScores(pop);
      const n1sq = prof.normGradJ1 ** 2;
      ks.forEach((k, s) => {
        const c = prof.innerProduct[s];
        if (Math.abs(c) < TOL.exact) return; // sign undecidable at rounding level
        const q = normalisedWeights(pop.mass, pop.p, k);
        const qMeanA = dot(q, a);
        assert.equal(
          c < 0,
          prof.covariance[s] < -prof.meanWeight[s] * n1sq,
          `rep ${rep} k=${k} covariance form`,
        );
        assert.equal(c < 0, qMeanA < 0, `rep ${rep} k=${k} E_q[a]`);
        total++;
        if (c < 0) conflicts++;
      });
    }
    // Both signs must actually occur, or the test would prove nothing.
    assert.ok(conflicts > 50 && total - conflicts > 50, `${conflicts} conflicts of ${total}`);
  });

  test("claim 2: k = 1 never conflicts (⟨∇J_1, ∇J_1⟩ = E[a] = ‖∇J_1‖² ≥ 0)", () => {
    const rng = createRng(106);
    for (let rep = 0; rep < 30; rep++) {
      const pop = randomPopulation(rng, 1 + rng.int(0, 30), 1 + rng.int(0, 5));
      const prof = conflictProfile(pop, [1]);
      assertClose(prof.innerProduct[0], prof.normGradJ1 ** 2, TOL.exact, "E[a]", TOL.roundoff);
      assert.ok(prof.innerProduct[0] >= 0);
    }
  });

  test("claim 2: when every a(x) ≥ 0 no k conflicts", () => {
    const rng = createRng(107);
    for (let rep = 0; rep < 30; rep++) {
      const pop = randomPopulation(rng, 2 + rng.int(0, 30), 3);
      // All gradients in the positive orthant ⇒ ∇J_1 there too ⇒ every a(x) ≥ 0.
      for (let t = 0; t < pop.gradP.length; t++) pop.gradP[t] = Math.abs(pop.gradP[t]);
      const a = agreementScores(pop);
      assert.ok(a.every((v) => v >= 0));
      const prof = conflictProfile(
        pop,
        Array.from({ length: 200 }, (_, t) => t + 1),
      );
      assert.ok(prof.innerProduct.every((v) => v >= 0));
      assert.equal(kStarExact(pop.mass, pop.p, a), null);
    }
  });

  test("worked example profile: ⟨∇J_k, ∇J_1⟩ = 0.4, 0.10456, −0.043476 at k = 1, 2, 3 (hand computation)", () => {
    const prof = conflictProfile(workedExamplePopulation(), [1, 2, 3]);
    [0.4, 0.10456, -0.043476].forEach((v, s) =>
      assertClose(prof.innerProduct[s], v, 1e-13, `k=${s + 1}`),
    );
    assert.ok(prof.cosine[2] < 0 && prof.cosine[1] > 0);
  });

  test("degenerate populations give NaN cosines and q_k shares instead of throwing", () => {
    const pop: Population = {
      N: 2,
      d: 2,
      mass: Float64Array.of(0.5, 0.5),
      p: Float64Array.of(1, 1),
      gradP: new Float64Array(4),
    };
    const prof = conflictProfile(pop, [1, 2]);
    assert.ok(Number.isNaN(prof.cosine[0]) && Number.isNaN(prof.negativeAgreementWeight[1]));
    assert.equal(prof.meanWeight[1], 0);
    assert.deepEqual(Array.from(prof.passAtK), [1, 1]);
  });
});

describe("bad input", () => {
  test("inconsistent populations, bad grids and wrong vector lengths throw errors naming function and argument", () => {
    const pop = workedExamplePopulation();
    assert.throws(() => gradJ1({ ...pop, gradP: new Float64Array(3) }), {
      name: "RangeError",
      message: /gradJ1: pop.gradP has length 3, but pop.N × pop.d has length 4/,
    });
    assert.throws(() => gradJk({ ...pop, mass: Float64Array.of(0.7, 0.7) }, 2), {
      name: "RangeError",
      message: /gradJk: mass must sum to 1/,
    });
    assert.throws(() => gradJk(pop, 0), {
      name: "RangeError",
      message: /gradJk: k must be an integer ≥ 1, got 0/,
    });
    assert.throws(() => agreementScores(pop, Float64Array.of(1)), {
      name: "RangeError",
      message: /agreementScores: g1 has length 1, but pop.d has length 2/,
    });
    assert.throws(() => conflictProfile(pop, []), {
      name: "RangeError",
      message: /conflictProfile: ks must be a non-empty list/,
    });
    assert.throws(() => conflictProfile(pop, [1, 2.5]), {
      name: "RangeError",
      message: /conflictProfile: ks\[1\] must be an integer, got 2.5/,
    });
    assert.throws(() => conflictProfile({ ...pop, p: Float64Array.of(0.8, NaN) }, [1]), {
      name: "TypeError",
      message: /conflictProfile: p\[1\] must be a finite number, got NaN/,
    });
    assert.throws(() => innerProductFromAgreement([1], [0.5], [1, 2], 2), {
      name: "RangeError",
      message: /innerProductFromAgreement: a has length 2, but p has length 1/,
    });
    assert.throws(() => weightedGradient(pop, [1]), {
      name: "RangeError",
      message: /weightedGradient: coef has length 1, but pop.N has length 2/,
    });
  });
});
