/**
 * Estimators from n samples with c correct: agreement with exact rationals (Python fixtures),
 * unbiasedness by exact summation over c ~ Binomial(n, p), the PKPO gradient identity checked
 * against a finite-difference derivative, and the Pass@k-Training relation (claim 11).
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fc from "fast-check";
import { all, create } from "mathjs";
import {
  binomialPmf,
  oneMinusPPowEstimate,
  passAtKEstimate,
  passKTrainingAdvantages,
  pkpoLooMinusOneWeights,
  pkpoWeights,
  promptWeightEstimate,
} from "../lib/theory/estimators";
import { exactPassAtKEstimate, naivePassAtKEstimate } from "../lib/theory/highPrecision";
import { passAtK, promptWeight } from "../lib/theory/passAtK";
import { assertClose, relError, theoryFixtures } from "./fixtures/theory";

const FX = theoryFixtures();

/** E_{c~Bin(n,p)}[f(c)] by exact summation over c = 0..n. */
function expectOverC(n: number, p: number, f: (c: number) => number): number {
  const pmf = binomialPmf(n, p);
  let s = 0;
  for (let c = 0; c <= n; c++) if (pmf[c] > 0) s += pmf[c] * f(c);
  return s;
}

const PS = [0, 1e-6, 0.03, 0.2, 0.5, 0.77, 0.95, 1];

describe("agreement with exact rationals (tests/fixtures/make_fixtures.py)", () => {
  const cases: [
    string,
    (n: number, c: number, m: number) => number,
    [number, number, number, string][],
  ][] = [
    ["passAtKEstimate", passAtKEstimate, FX.passAtKEstimate.rows],
    ["oneMinusPPowEstimate", oneMinusPPowEstimate, FX.oneMinusPPowEstimate.rows],
    ["promptWeightEstimate", promptWeightEstimate, FX.promptWeightEstimate.rows],
  ];
  for (const [name, fn, rows] of cases) {
    test(`${name} matches C(n−c,·)/C(n,·) from exact integers to relative error ≤ 1e-12 for n = 1 … 100 000 (${rows.length} cases)`, () => {
      let worst = 0;
      let worstCase = "";
      for (const [n, c, m, value] of rows) {
        const expected = Number(value);
        const got = fn(n, c, m);
        assertClose(got, expected, TOL.exact, `${name}(${n}, ${c}, ${m})`);
        const e = relError(got, expected);
        if (e > worst) [worst, worstCase] = [e, `(${n}, ${c}, ${m})`];
      }
      // Recorded so a regression in accuracy shows up even while it is inside the tolerance.
      assert.ok(worst < TOL.exact, `worst ${worst} at ${worstCase}`);
    });
  }

  test("passAtKEstimate is exactly 1 when n − c < k and exactly 0 when c = 0", () => {
    for (const [n, c, k, value] of FX.passAtKEstimate.rows) {
      if (n - c < k) assert.equal(passAtKEstimate(n, c, k), 1, `(${n}, ${c}, ${k})`);
      if (c === 0) assert.equal(passAtKEstimate(n, c, k), 0, `(${n}, ${c}, ${k})`);
      if (value === "1") assert.ok(n - c < k);
    }
  });

  test("PKPO weights, loo−1 weights and Pass@k-Training advantages match the papers' formulas evaluated in exact rationals (rel ≤ 1e-12)", () => {
    for (const f of FX.sampleWeights) {
      const at = `(n=${f.n}, c=${f.c}, k=${f.k})`;
      const w = pkpoWeights(f.n, f.c, f.k);
      assertClose(w.correct, Number(f.pkpoCorrect), TOL.exact, `pkpo correct ${at}`);
      assertClose(w.incorrect, Number(f.pkpoIncorrect), TOL.exact, `pkpo incorrect ${at}`);
      const loo = pkpoLooMinusOneWeights(f.n, f.c, f.k);
      assertClose(loo.correct, Number(f.looCorrect), TOL.exact, `loo−1 correct ${at}`);
      assert.equal(loo.incorrect, 0);
      const adv = passKTrainingAdvantages(f.n, f.c, f.k);
      assertClose(adv.rho, Number(f.rho), TOL.exact, `rho ${at}`);
      assertClose(adv.sigma, Number(f.sigma), TOL.exact, `sigma ${at}`);
      // A⁻ = (1 − ρ − C(n−c−1,k−1)/C(n−1,k−1))/σ is the papers' form; ours is rearranged.
      assertClose(adv.positive, Number(f.advPositive), TOL.exact, `A+ ${at}`, 1e-13);
      assertClose(adv.negative, Number(f.advNegative), TOL.exact, `A- ${at}`, 1e-13);
    }
  });

  test("exactPassAtKEstimate (mathjs BigNumber) agrees with Python's exact value to 55 significant digits", () => {
    const big = create(all, { number: "BigNumber", precision: 80 });
    for (const [n, c, k, value60] of FX.exactPassAtKEstimate.rows) {
      const ours = big.bignumber(exactPassAtKEstimate(n, c, k));
      const ref = big.bignumber(value60);
      const rel = ours.minus(ref).abs().div(ref);
      assert.ok(
        rel.lt(big.bignumber("1e-55")),
        `(${n}, ${c}, ${k}): ${ours.toString()} vs ${value60}`,
      );
    }
  });

  test("the naive float64 binomial ratio fails where the product form does not: NaN once C(n,k) overflows, lost digits when the ratio is near 1", () => {
    assert.ok(Number.isNaN(naivePassAtKEstimate(2000, 10, 1000)));
    const exact = Number(exactPassAtKEstimate(2000, 10, 1000));
    assert.ok(relError(passAtKEstimate(2000, 10, 1000), exact) < 1e-14);
    // Small c/n: 1 − ratio cancels. The stable form stays within 1e-14.
    const [n, c, k] = [100000, 1, 1];
    const ex = Number(exactPassAtKEstimate(n, c, k));
    assert.ok(relError(passAtKEstimate(n, c, k), ex) < 1e-14);
    assert.ok(
      relError(naivePassAtKEstimate(n, c, k), ex) > 1e-13,
      `naive: ${naivePassAtKEstimate(n, c, k)} vs ${ex}`,
    );
  });
});

describe("claim 11: unbiasedness by exact summation over c ~ Binomial(n, p)", () => {
  test("binomialPmf equals C(n,c) p^c (1−p)^(n−c) from exact integer binomials", () => {
    const n = 20;
    let comb = 1;
    const pmf = binomialPmf(n, 0.3);
    for (let c = 0; c <= n; c++) {
      if (c > 0) comb = (comb * (n - c + 1)) / c; // exact: intermediate values are integers < 2^53
      assertClose(pmf[c], comb * 0.3 ** c * 0.7 ** (n - c), 1e-13, `pmf[${c}]`);
    }
  });

  test("claim 11: E[1 − C(n−c,k)/C(n,k)] = 1 − (1−p)^k for every k ≤ n", () => {
    for (const n of [1, 2, 5, 17, 60]) {
      for (const p of PS) {
        for (let k = 1; k <= n; k++) {
          const mean = expectOverC(n, p, (c) => passAtKEstimate(n, c, k));
          assert.ok(
            Math.abs(mean - passAtK(p, k)) < 1e-13,
            `n=${n} p=${p} k=${k}: ${mean} vs ${passAtK(p, k)}`,
          );
        }
      }
    }
  });

  test("E[C(n−c,m)/C(n,m)] = (1−p)^m for m = 0 … n, and E[k·C(n−c,k−1)/C(n,k−1)] = w_k(p) for k − 1 ≤ n", () => {
    for (const n of [0, 1, 3, 12, 40]) {
      for (const p of PS) {
        for (let m = 0; m <= n; m++) {
          const mean = expectOverC(n, p, (c) => oneMinusPPowEstimate(n, c, m));
          assert.ok(Math.abs(mean - (1 - p) ** m) < 1e-13, `(1−p)^m: n=${n} p=${p} m=${m}`);
        }
        for (let k = 1; k <= n + 1; k++) {
          const mean = expectOverC(n, p, (c) => promptWeightEstimate(n, c, k));
          assert.ok(
            Math.abs(mean - promptWeight(p, k)) < TOL.exact * k,
            `w_k: n=${n} p=${p} k=${k}: ${mean} vs ${promptWeight(p, k)}`,
          );
        }
      }
    }
  });

  // E[Σ_i s_i ∇log π(y_i)] = ∇pass@k reduces, with E[r∇log π] = ∇p and E[(1−r)∇log π] = −∇p,
  // to n·E_{c'~Bin(n−1,p)}[s⁺(c'+1) − s⁻(c')] = w_k(p), c' = correct among the other samples.
  for (const [name, weights] of [
    ["PKPO", pkpoWeights],
    ["PKPO loo−1", pkpoLooMinusOneWeights],
  ] as const) {
    test(`claim 11: ${name} weights are unbiased for ∇pass@k: n·E[s⁺(c'+1) − s⁻(c')] = k(1−p)^(k−1)`, () => {
      for (const n of [1, 2, 4, 9, 32]) {
        for (const p of PS) {
          for (let k = 1; k <= n; k++) {
            const mean = expectOverC(
              n - 1,
              p,
              (c) => n * (weights(n, c + 1, k).correct - weights(n, c, k).incorrect),
            );
            assert.ok(
              Math.abs(mean - promptWeight(p, k)) < TOL.exact * k,
              `n=${n} p=${p} k=${k}: ${mean} vs ${promptWeight(p, k)}`,
            );
          }
        }
      }
    });

    test(`claim 11: ${name} on a one-parameter Bernoulli policy: E[Σ_i s_i d log π(y_i)/dθ] equals the finite-difference derivative of pass@k(σ(θ))`, () => {
      const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
      for (const theta of [-3, -0.4, 0.7, 2.5]) {
        const p = sigmoid(theta);
        for (const [n, k] of [
          [8, 1],
          [8, 3],
          [8, 8],
          [25, 6],
        ]) {
          // d log π/dθ is 1 − p for a correct sample and −p for an incorrect one.
          const estimate = expectOverC(n, p, (c) => {
            const w = weights(n, c, k);
            return c * w.correct * (1 - p) + (n - c) * w.incorrect * -p;
          });
          const h = 1e-5;
          const fd = (passAtK(sigmoid(theta + h), k) - passAtK(sigmoid(theta - h), k)) / (2 * h);
          assert.ok(
            Math.abs(estimate - fd) < 1e-8,
            `θ=${theta} n=${n} k=${k}: ${estimate} vs ${fd}`,
          );
        }
      }
    });
  }

  test("claim 11: the Pass@k-Training advantages are the standardised PKPO weights, A_i = ((n/k)s_i − ρ)/σ", () => {
    for (let n = 1; n <= 30; n++) {
      for (let k = 1; k <= n; k++) {
        for (let c = 0; c <= n; c++) {
          const adv = passKTrainingAdvantages(n, c, k);
          if (adv.sigma === 0) continue;
          const s = pkpoWeights(n, c, k);
          const at = `n=${n} c=${c} k=${k}`;
          // The right-hand side subtracts two numbers near ρ: its own rounding error scales with
          // ((n/k)s + ρ)/σ, which is the tolerance used here (the fixtures test A± to 1e-12).
          for (const [A, si] of [
            [adv.positive, s.correct],
            [adv.negative, s.incorrect],
          ]) {
            const rhs = ((n / k) * si - adv.rho) / adv.sigma;
            const scale = ((n / k) * si + adv.rho) / adv.sigma;
            assert.ok(Math.abs(A - rhs) <= 1e-14 * scale, `${at}: ${A} vs ${rhs}`);
          }
        }
      }
    }
  });

  test("Pass@k-Training advantages are 0 in a group with no signal (σ = 0: c = 0 or n − c < k)", () => {
    assert.deepEqual(passKTrainingAdvantages(8, 0, 3), {
      positive: 0,
      negative: 0,
      rho: 0,
      sigma: 0,
    });
    assert.deepEqual(passKTrainingAdvantages(8, 6, 3), {
      positive: 0,
      negative: 0,
      rho: 1,
      sigma: 0,
    });
  });
});

describe("properties", () => {
  const nck = fc
    .integer({ min: 1, max: 3000 })
    .chain((n) =>
      fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer({ min: 1, max: n })),
    );

  test("the pass@k estimate lies in [0, 1], is non-decreasing in c and in k, and equals 1 − oneMinusPPowEstimate", () => {
    fc.assert(
      fc.property(nck, ([n, c, k]) => {
        const v = passAtKEstimate(n, c, k);
        assert.ok(v >= 0 && v <= 1);
        // Monotone up to rounding (a few ulps of 1).
        if (c < n) assert.ok(passAtKEstimate(n, c + 1, k) >= v - 4 * Number.EPSILON);
        if (k < n) assert.ok(passAtKEstimate(n, c, k + 1) >= v - 4 * Number.EPSILON);
        assert.ok(Math.abs(v - (1 - oneMinusPPowEstimate(n, c, k))) <= 2 * Number.EPSILON);
      }),
      { seed: 11, numRuns: 400 },
    );
  });

  test("with k = 1 every estimator reduces to the empirical rate: ρ = c/n, ŵ_1 = 1, PKPO = REINFORCE (1/n, 0)", () => {
    fc.assert(
      fc.property(nck, ([n, c]) => {
        assert.ok(Math.abs(passAtKEstimate(n, c, 1) - c / n) <= Number.EPSILON);
        assert.equal(promptWeightEstimate(n, c, 1), 1);
        assert.deepEqual(pkpoWeights(n, c, 1), { correct: 1 / n, incorrect: 0 });
      }),
      { seed: 12, numRuns: 200 },
    );
  });
});

describe("bad input", () => {
  test("k > n, c outside [0, n], non-integers, NaN and n < 0 throw errors naming the function, the argument and the value", () => {
    assert.throws(() => passAtKEstimate(5, 2, 6), {
      name: "RangeError",
      message: /passAtKEstimate: k must be ≤ n = 5.*got 6/,
    });
    assert.throws(() => passAtKEstimate(5, 6, 2), {
      name: "RangeError",
      message: /passAtKEstimate: c must be .*\[0, 5\], got 6/,
    });
    assert.throws(() => passAtKEstimate(5, -1, 2), {
      name: "RangeError",
      message: /passAtKEstimate: c .*got -1/,
    });
    assert.throws(() => passAtKEstimate(5, 2, 1.5), {
      name: "RangeError",
      message: /passAtKEstimate: k must be an integer, got 1.5/,
    });
    assert.throws(() => passAtKEstimate(NaN, 2, 1), {
      name: "TypeError",
      message: /passAtKEstimate: n must be a number, got NaN/,
    });
    assert.throws(() => passAtKEstimate(5, 2, 0), {
      name: "RangeError",
      message: /passAtKEstimate: k must be an integer ≥ 1, got 0/,
    });
    assert.throws(() => oneMinusPPowEstimate(-1, 0, 0), {
      name: "RangeError",
      message: /oneMinusPPowEstimate: n .*got -1/,
    });
    assert.throws(() => promptWeightEstimate(3, 1, 5), {
      name: "RangeError",
      message: /promptWeightEstimate: k must be ≤ n \+ 1 = 4/,
    });
    assert.throws(() => pkpoWeights(3, 1, 4), { name: "RangeError", message: /pkpoWeights: k/ });
    assert.throws(() => binomialPmf(3, 1.2), {
      name: "RangeError",
      message: /binomialPmf: p must be in \[0, 1\], got 1.2/,
    });
    assert.throws(() => exactPassAtKEstimate(3, 1, 4), {
      name: "RangeError",
      message: /exactPassAtKEstimate: k/,
    });
  });
});
