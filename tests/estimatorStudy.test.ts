import { describe, test } from "node:test";
import { TOL } from "../lib/core/tolerances";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import {
  estimatorDistribution,
  monteCarloEstimatorMean,
  relativeErrorVsExact,
} from "../lib/studies/estimatorStudy";
import { passAtK } from "../lib/theory/passAtK";
import { createRng } from "../lib/core/rng";

interface LawFixture {
  n: number;
  k: number;
  p_num: number;
  p_den: number;
  mean: string;
  sd: string;
  plug_in_mean: string;
  truth: string;
}
interface RelFixture {
  value: string;
  exact: string;
  rel_error: string;
}
const fixtures = JSON.parse(
  fs.readFileSync(path.join(__dirname, "fixtures", "estimatorStudy.json"), "utf8"),
) as {
  laws: LawFixture[];
  relative_errors: RelFixture[];
};

/** |actual − expected| ≤ rel·|expected| + abs. */
function assertClose(
  actual: number,
  expected: number,
  rel: number,
  what: string,
  abs = 1e-300,
): void {
  assert.ok(
    Math.abs(actual - expected) <= rel * Math.abs(expected) + abs,
    `${what}: got ${actual}, expected ${expected} (rel ${rel}, abs ${abs})`,
  );
}

describe("estimatorDistribution", () => {
  test("the exact law's mean, sd and plug-in mean match exact rationals from Python's fractions", () => {
    for (const f of fixtures.laws) {
      const law = estimatorDistribution(f.n, f.k, f.p_num / f.p_den);
      const at = `n=${f.n} k=${f.k} p=${f.p_num}/${f.p_den}`;
      assertClose(law.mean, Number(f.mean), 1e-13, `${at} mean`);
      assertClose(law.truth, Number(f.truth), 1e-14, `${at} truth`);
      // The mean carries ~n·ε of rounding, which a tiny sd (1e−16 at p = 0.99, k = n) cannot
      // resolve.
      assertClose(law.sd, Number(f.sd), 1e-10, `${at} sd`, 4 * f.n * Number.EPSILON);
      assertClose(law.plugInMean, Number(f.plug_in_mean), 1e-13, `${at} plug-in mean`);
    }
  });

  test("the estimator is unbiased: its exact mean equals pass@k for n up to 500 (claim 11)", () => {
    for (const [n, k, p] of [
      [500, 1, 0.01],
      [500, 37, 0.003],
      [500, 250, 0.2],
      [200, 200, 0.5],
    ] as const) {
      const law = estimatorDistribution(n, k, p);
      assertClose(law.mean, passAtK(p, k), TOL.exact, `n=${n} k=${k} p=${p}`);
    }
  });

  test("the probabilities sum to 1 and the values are non-decreasing in c", () => {
    const law = estimatorDistribution(40, 7, 0.3);
    assertClose(
      law.prob.reduce((s, x) => s + x, 0),
      1,
      1e-14,
      "Σ P(c)",
    );
    for (let c = 1; c <= 40; c++)
      assert.ok(law.value[c] >= law.value[c - 1], `value[${c}] < value[${c - 1}]`);
  });

  test("the plug-in estimator's bias at k = 2 is exactly −p(1 − p)/n", () => {
    for (const [n, p] of [
      [5, 0.3],
      [50, 0.07],
      [300, 0.5],
    ] as const) {
      const law = estimatorDistribution(n, 2, p);
      assertClose(law.plugInMean - law.truth, -(p * (1 - p)) / n, 1e-9, `n=${n} p=${p}`);
    }
  });

  test("bad arguments throw naming the function and the argument", () => {
    assert.throws(
      () => estimatorDistribution(4, 5, 0.5),
      /estimatorDistribution: k must be ≤ n = 4/,
    );
    assert.throws(
      () => estimatorDistribution(0, 1, 0.5),
      /estimatorDistribution: n must be an integer ≥ 1, got 0/,
    );
    assert.throws(() => estimatorDistribution(4, 1.5, 0.5), RangeError);
    assert.throws(
      () => estimatorDistribution(4, 2, 1.2),
      /estimatorDistribution: p must be in \[0, 1\], got 1.2/,
    );
    assert.throws(() => estimatorDistribution(4, 2, NaN), TypeError);
  });
});

describe("monteCarloEstimatorMean", () => {
  test("the seeded Monte-Carlo mean lies within 4 standard errors of pass@k", () => {
    const rng = createRng(7);
    for (const [n, k, p] of [
      [16, 4, 0.05],
      [64, 32, 0.05],
      [10, 10, 0.3],
    ] as const) {
      const mc = monteCarloEstimatorMean(n, k, p, 20_000, rng.split());
      assert.ok(Math.abs(mc.z) < 4, `n=${n} k=${k}: z = ${mc.z}`);
      assert.equal(mc.truth, passAtK(p, k));
    }
  });

  test("its standard error agrees with the exact sd / √draws within 5 %", () => {
    const law = estimatorDistribution(16, 4, 0.2);
    const mc = monteCarloEstimatorMean(16, 4, 0.2, 20_000, createRng(11));
    assertClose(mc.se, law.sd / Math.sqrt(20_000), 0.05, "se");
  });

  test("the same seed gives the same result", () => {
    const a = monteCarloEstimatorMean(32, 8, 0.1, 1000, createRng(3));
    const b = monteCarloEstimatorMean(32, 8, 0.1, 1000, createRng(3));
    assert.deepEqual(a, b);
  });

  test("fewer than 2 draws is an error", () => {
    assert.throws(
      () => monteCarloEstimatorMean(4, 2, 0.5, 1, createRng(1)),
      /monteCarloEstimatorMean: draws must be an integer ≥ 2, got 1/,
    );
  });
});

describe("relativeErrorVsExact", () => {
  test("measures sub-ulp errors of doubles exactly, as Python's Fraction(float) does", () => {
    for (const f of fixtures.relative_errors) {
      assertClose(
        relativeErrorVsExact(Number(f.value), f.exact),
        Number(f.rel_error),
        TOL.exact,
        `${f.value} vs ${f.exact}`,
      );
    }
  });

  test("an exactly representable value has error 0 and a failed (NaN) value gives NaN", () => {
    assert.equal(relativeErrorVsExact(0.5, "0.5"), 0);
    assert.ok(Number.isNaN(relativeErrorVsExact(NaN, "0.5")));
    assert.ok(Number.isNaN(relativeErrorVsExact(Infinity, "0.5")));
  });

  test("an exact reference of 0 gives the absolute error", () => {
    assert.equal(relativeErrorVsExact(2 ** -60, "0"), 2 ** -60);
  });

  test("a reference that is not a decimal string is an error", () => {
    assert.throws(
      () => relativeErrorVsExact(0.5, "half"),
      /relativeErrorVsExact: exact must be a decimal string, got "half"/,
    );
    assert.throws(() => relativeErrorVsExact(0.5, 0.5 as unknown as string), TypeError);
  });
});
