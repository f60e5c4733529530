/**
 * pass@k(p), w_k(p), influence, J_k and the q_k reweighting: exact fixtures (Python decimal at
 * 800 digits), identities, monotonicity properties and claim 3.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fc from "fast-check";
import {
  influence,
  normalisedWeights,
  passAtK,
  passAtKSecondDerivative,
  populationPassAtK,
  promptWeight,
  weightShareBelow,
} from "../lib/theory/passAtK";
import { createRng } from "../lib/core/rng";
import { checkMass } from "../lib/theory/passAtK";
import { checkProbabilityArray } from "../lib/core/validate";
import { assertClose, randomPopulation, theoryFixtures } from "./fixtures/theory";

const FX = theoryFixtures();

describe("pass@k and w_k against exact values", () => {
  test(`passAtK and promptWeight match 1 − (1−p)^k and k(1−p)^(k−1) from exact decimals, p from 5e-324 to 1, k up to 10^6 (${FX.passAtK.rows.length} cases, rel ≤ 1e-12)`, () => {
    for (const [pText, k, pass, weight] of FX.passAtK.rows) {
      const p = Number(pText);
      assertClose(passAtK(p, k), Number(pass), TOL.exact, `passAtK(${pText}, ${k})`);
      assertClose(promptWeight(p, k), Number(weight), TOL.exact, `promptWeight(${pText}, ${k})`);
    }
  });

  test("pass@k keeps full relative precision for tiny p, where 1 − (1 − p)^k would round to 0", () => {
    assert.equal(1 - (1 - 1e-20) ** 3, 0);
    assertClose(passAtK(1e-20, 3), 3e-20, TOL.roundoff, "passAtK(1e-20, 3)");
  });

  test("pass@1 = p exactly and w_1 ≡ 1, including p = 0 and p = 1", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (p) => {
        assert.equal(passAtK(p, 1), p);
        assert.equal(promptWeight(p, 1), 1);
      }),
      { seed: 1, numRuns: 300 },
    );
    assert.equal(promptWeight(1, 1), 1);
  });

  test("w_k(0) = k, w_k(1) = 0 for k ≥ 2, and w_k is non-increasing in p", () => {
    for (const k of [2, 3, 10, 1000]) {
      assert.equal(promptWeight(0, k), k);
      assert.equal(promptWeight(1, k), 0);
    }
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 2, max: 500 }),
        (p, q, k) => {
          const [lo, hi] = p < q ? [p, q] : [q, p];
          assert.ok(promptWeight(lo, k) >= promptWeight(hi, k));
        },
      ),
      { seed: 2, numRuns: 300 },
    );
  });

  test("w_k is the derivative of pass@k and w_k' = −k(k−1)(1−p)^(k−2) (central finite differences)", () => {
    const h = 1e-6;
    for (const k of [1, 2, 3, 7, 40]) {
      for (const p of [0.01, 0.2, 0.5, 0.9]) {
        const fd1 = (passAtK(p + h, k) - passAtK(p - h, k)) / (2 * h);
        assert.ok(Math.abs(fd1 - promptWeight(p, k)) < 1e-7 * k, `w_${k}(${p})`);
        const fd2 = (promptWeight(p + h, k) - promptWeight(p - h, k)) / (2 * h);
        assert.ok(Math.abs(fd2 - passAtKSecondDerivative(p, k)) < 1e-6 * k * k, `w'_${k}(${p})`);
      }
    }
    assert.equal(passAtKSecondDerivative(1, 2), -2);
    assert.equal(passAtKSecondDerivative(1, 1), 0);
    assert.equal(passAtKSecondDerivative(1, 3), -0);
  });
});

describe("population pass@k J_k", () => {
  test("J_k lies in [0, 1] and is non-decreasing in k", () => {
    const rng = createRng(3);
    for (let rep = 0; rep < 50; rep++) {
      const pop = randomPopulation(rng, 1 + rng.int(0, 30), 1);
      let prev = -Infinity;
      for (let k = 1; k <= 64; k++) {
        const J = populationPassAtK(pop.mass, pop.p, k);
        assert.ok(J >= 0 && J <= 1 + TOL.roundoff, `J_${k} = ${J}`);
        assert.ok(J >= prev - TOL.roundoff, `J_${k} = ${J} < J_${k - 1} = ${prev}`);
        prev = J;
      }
    }
  });

  test("J_k = Σ mass·pass@k(p) and J_1 = E[p]", () => {
    const mass = [0.2, 0.3, 0.5];
    const p = [0.1, 0.5, 0.95];
    assertClose(populationPassAtK(mass, p, 1), 0.02 + 0.15 + 0.475, TOL.roundoff, "J_1");
    assertClose(
      populationPassAtK(mass, p, 3),
      0.2 * 0.271 + 0.3 * 0.875 + 0.5 * (1 - 0.05 ** 3),
      TOL.roundoff,
      "J_3",
    );
  });
});

describe("claim 3: the reweighting q_k and the influence", () => {
  test("claim 3: q_k's mass on {p < τ} is non-decreasing in k", () => {
    const rng = createRng(4);
    for (let rep = 0; rep < 40; rep++) {
      const pop = randomPopulation(rng, 2 + rng.int(0, 40), 1);
      const tau = rng.uniform();
      let prev = -Infinity;
      for (let k = 1; k <= 80; k++) {
        const share = weightShareBelow(pop.mass, pop.p, k, tau);
        assert.ok(share >= prev - TOL.exact, `τ=${tau} k=${k}: ${share} < ${prev}`);
        prev = share;
      }
    }
  });

  test("claim 3: the influence k p (1−p)^(k−1) peaks at p = 1/k with value (1 − 1/k)^(k−1), decreasing to 1/e", () => {
    let prevPeak = Infinity;
    for (const k of [2, 3, 4, 8, 16, 100, 1000]) {
      const peak = influence(1 / k, k);
      assertClose(peak, (1 - 1 / k) ** (k - 1), 1e-13, `peak k=${k}`);
      for (let t = 0; t <= 2000; t++)
        assert.ok(influence(t / 2000, k) <= peak + TOL.roundoff, `k=${k} p=${t / 2000}`);
      assert.ok(peak < prevPeak && peak > 1 / Math.E);
      prevPeak = peak;
    }
    assert.equal(influence(0, 5), 0); // unsolvable prompts do not move J_k
    assert.equal(influence(1, 5), 0);
  });

  test("q_k sums to 1 and is proportional to D·w_k", () => {
    const q = normalisedWeights([0.5, 0.25, 0.25], [0.1, 0.5, 0.9], 3);
    const raw = [0.5 * 3 * 0.81, 0.25 * 3 * 0.25, 0.25 * 3 * 0.01];
    const z = raw[0] + raw[1] + raw[2];
    raw.forEach((r, i) => assertClose(q[i], r / z, TOL.roundoff, `q[${i}]`));
  });

  test("q_k is undefined (RangeError) when every prompt with mass has p = 1 and k ≥ 2", () => {
    assert.throws(() => normalisedWeights([0.5, 0.5], [1, 1], 2), {
      name: "RangeError",
      message: /normalisedWeights: Z_k = E\[w_k\(p\)\] is 0 for k = 2/,
    });
    assert.deepEqual(Array.from(normalisedWeights([0.5, 0.5], [1, 1], 1)), [0.5, 0.5]);
  });
});

describe("bad input", () => {
  test("p outside [0, 1], NaN, non-integer or < 1 k, bad masses and mismatched lengths throw errors naming function, argument and value", () => {
    assert.throws(() => passAtK(1.5, 2), {
      name: "RangeError",
      message: "passAtK: p must be in [0, 1], got 1.5",
    });
    assert.throws(() => passAtK(NaN, 2), {
      name: "TypeError",
      message: "passAtK: p must be a number, got NaN",
    });
    assert.throws(() => promptWeight(0.5, 0), {
      name: "RangeError",
      message: "promptWeight: k must be an integer ≥ 1, got 0",
    });
    assert.throws(() => influence(0.5, 2.5), {
      name: "RangeError",
      message: "influence: k must be an integer, got 2.5",
    });
    assert.throws(() => populationPassAtK([0.5, 0.5], [0.1], 2), {
      name: "RangeError",
      message: /populationPassAtK: mass has length 2, but p has length 1/,
    });
    assert.throws(() => populationPassAtK([0.5, 0.6], [0.1, 0.2], 2), {
      name: "RangeError",
      message: /populationPassAtK: mass must sum to 1.*1.1/,
    });
    assert.throws(() => populationPassAtK([1.5, -0.5], [0.1, 0.2], 2), {
      name: "RangeError",
      message: /populationPassAtK: mass\[1\] must be ≥ 0, got -0.5/,
    });
    assert.throws(() => normalisedWeights([1], [-0.1], 2), {
      name: "RangeError",
      message: /normalisedWeights: p\[0\] must be in \[0, 1\], got -0.1/,
    });
    assert.throws(() => weightShareBelow([1], [0.1], 2, 2), {
      name: "RangeError",
      message: /weightShareBelow: tau must be in \[0, 1\], got 2/,
    });
  });

  test("checkMass and checkProbabilityArray raise the same errors for a Float64Array (their one-pass fast path) as for an array", () => {
    const outcome = (f: () => void): string => {
      try {
        f();
        return "ok";
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
    };
    const masses: [number[], number | undefined][] = [
      [[0.5, 0.5], 2],
      [[1.5, -0.5], 2],
      [[NaN, 1], 2],
      [[Infinity, 0], 2],
      [[-Infinity, 1], 2],
      [[0.4, 0.4], 2],
      [[0.5, 0.5], 3],
      [[NaN, 1], 3],
      [[1e308, 1e308], 2],
      [[0.25, 0.75], undefined],
    ];
    const seen = new Set<string>();
    for (const [m, n] of masses) {
      const want = outcome(() => checkMass("w", m, n));
      seen.add(want);
      assert.equal(
        outcome(() => checkMass("w", Float64Array.from(m), n)),
        want,
        `mass ${m}`,
      );
    }
    assert.ok(seen.size >= 7, "the cases reach the different errors");
    for (const p of [[0, 1], [0.5, -0.1], [1.1], [NaN], [Infinity], [-Infinity], [-0]]) {
      const want = outcome(() => checkProbabilityArray("w", "p", p));
      const got = outcome(() => checkProbabilityArray("w", "p", Float64Array.from(p)));
      assert.equal(got, want, `p ${p}`);
    }
  });
});
