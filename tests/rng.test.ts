/**
 * The seeded generator: determinism, independent split streams, and the distribution of every
 * draw. Moments are checked within 4 standard errors; shapes with Kolmogorov–Smirnov and
 * chi-square tests at level 0.001 (critical values quoted from scipy.stats). All seeded, so a
 * test either always passes or always fails; the stated levels say how sharp each check is.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRng, type Rng } from "../lib/core/rng";

/** scipy.stats.chi2.ppf(0.999, df) */
const CHI2_999: Record<number, number> = {
  1: 10.828,
  5: 20.515,
  8: 26.124,
  9: 27.877,
  11: 31.264,
  39: 72.055,
};
/** Asymptotic Kolmogorov–Smirnov critical value at level 0.001: 1.9495 / √n. */
const ksCritical = (n: number): number => 1.9495 / Math.sqrt(n);

function draws(n: number, f: () => number): Float64Array {
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = f();
  return xs;
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

function variance(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return s / (xs.length - 1);
}

/** |sample mean − μ| ≤ 4 standard errors, with the SE from the true variance. */
function assertMeanWithin4SE(
  xs: ArrayLike<number>,
  mu: number,
  trueVar: number,
  what: string,
): void {
  const se = Math.sqrt(trueVar / xs.length);
  const z = (mean(xs) - mu) / se;
  assert.ok(Math.abs(z) < 4, `${what}: mean ${mean(xs)} vs ${mu} is ${z.toFixed(2)} SE away`);
}

/** Sample variance within 4 SE of σ², SE² ≈ (μ4 − σ⁴)/n for the given fourth central moment μ4. */
function assertVarianceWithin4SE(
  xs: ArrayLike<number>,
  trueVar: number,
  mu4: number,
  what: string,
): void {
  const se = Math.sqrt((mu4 - trueVar * trueVar) / xs.length);
  const z = (variance(xs) - trueVar) / se;
  assert.ok(
    Math.abs(z) < 4,
    `${what}: variance ${variance(xs)} vs ${trueVar} is ${z.toFixed(2)} SE away`,
  );
}

function ksStatistic(xs: Float64Array, cdf: (x: number) => number): number {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(s[i]);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d;
}

function chiSquare(counts: ArrayLike<number>, probs: ArrayLike<number>, n: number): number {
  let x2 = 0;
  for (let i = 0; i < counts.length; i++) {
    const e = n * probs[i];
    x2 += (counts[i] - e) ** 2 / e;
  }
  return x2;
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, far below the KS resolution used). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
const normalCdf = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));

function comb(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe("createRng and split", () => {
  test("the same seed gives the same sequence of every kind of draw", () => {
    const run = (rng: Rng) => [
      rng.uniform(),
      rng.normal(),
      rng.int(0, 9),
      rng.gamma(0.7),
      rng.beta(2, 3),
      rng.binomial(500, 0.2),
      rng.categorical([1, 2, 3]),
    ];
    assert.deepEqual(run(createRng(7)), run(createRng(7)));
  });

  test("neighbouring seeds give unrelated first draws (hashed seeding)", () => {
    const firsts = draws(
      2000,
      (() => {
        let s = 0;
        return () => createRng(s++).uniform();
      })(),
    );
    assert.ok(ksStatistic(firsts, (x) => x) < ksCritical(firsts.length));
  });

  test("negative and large safe-integer seeds are accepted and differ from small ones", () => {
    const a = createRng(-1).uniform();
    const b = createRng(2 ** 40 + 1).uniform();
    const c = createRng(1).uniform();
    assert.notEqual(a, c);
    assert.notEqual(b, c);
  });

  test("split is deterministic, and a child stream differs from its parent and from its sibling", () => {
    const p1 = createRng(3);
    const p2 = createRng(3);
    const c1 = p1.split();
    const c2 = p2.split();
    assert.equal(c1.uniform(), c2.uniform());
    const sibling = p1.split();
    const xs = draws(1000, () => c1.uniform());
    const ys = draws(1000, () => sibling.uniform());
    const zs = draws(1000, () => p1.uniform());
    assert.notDeepEqual(xs, ys);
    assert.notDeepEqual(xs, zs);
  });

  test("parent, child and grandchild streams are uncorrelated (|r| < 4/√n)", () => {
    const parent = createRng(11);
    const child = parent.split();
    const grandchild = child.split();
    const n = 20000;
    const streams = [parent, child, grandchild].map((r) => draws(n, () => r.uniform()));
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++) {
        const mi = mean(streams[i]);
        const mj = mean(streams[j]);
        let c = 0;
        for (let t = 0; t < n; t++) c += (streams[i][t] - mi) * (streams[j][t] - mj);
        const r = c / (n - 1) / Math.sqrt(variance(streams[i]) * variance(streams[j]));
        assert.ok(Math.abs(r) < 4 / Math.sqrt(n), `streams ${i},${j}: r = ${r}`);
      }
    }
  });

  test("a non-integer or non-finite seed is rejected with a message naming the seed", () => {
    assert.throws(() => createRng(1.5), /createRng: seed must be an integer, got 1.5/);
    assert.throws(() => createRng(NaN), TypeError);
    assert.throws(() => createRng(Infinity), RangeError);
  });
});

describe("uniform", () => {
  test("uniform draws lie in [0, 1) on the 2^-53 grid and pass a KS test", () => {
    const rng = createRng(1);
    const xs = draws(20000, () => rng.uniform());
    for (const x of xs) {
      assert.ok(x >= 0 && x < 1);
      assert.ok(Number.isInteger(x * 2 ** 53));
    }
    assert.ok(ksStatistic(xs, (x) => x) < ksCritical(xs.length));
  });
});

describe("normal", () => {
  test("standard normal draws have mean 0, variance 1 (4 SE) and pass a KS test", () => {
    const rng = createRng(2);
    const xs = draws(20000, () => rng.normal());
    assertMeanWithin4SE(xs, 0, 1, "normal");
    assertVarianceWithin4SE(xs, 1, 3, "normal");
    assert.ok(ksStatistic(xs, normalCdf) < ksCritical(xs.length));
  });

  test("normal(mean, sd) shifts and scales", () => {
    const rng = createRng(3);
    const xs = draws(20000, () => rng.normal(-2, 0.5));
    assertMeanWithin4SE(xs, -2, 0.25, "normal(-2, .5)");
    assertVarianceWithin4SE(xs, 0.25, 3 * 0.25 ** 2, "normal(-2, .5)");
  });

  test("a negative sd is rejected", () => {
    assert.throws(() => createRng(0).normal(0, -1), /Rng.normal: sd must be ≥ 0, got -1/);
  });
});

describe("bernoulli and int", () => {
  test("bernoulli(p) has mean p within 4 SE, and p = 0 / p = 1 are deterministic", () => {
    const rng = createRng(4);
    const xs = draws(20000, () => (rng.bernoulli(0.3) ? 1 : 0));
    assertMeanWithin4SE(xs, 0.3, 0.21, "bernoulli(.3)");
    for (let i = 0; i < 1000; i++) {
      assert.equal(rng.bernoulli(0), false);
      assert.equal(rng.bernoulli(1), true);
    }
    assert.throws(() => rng.bernoulli(1.5), /Rng.bernoulli: p must be in \[0, 1\], got 1.5/);
  });

  test("int(lo, hi) covers both ends and passes a chi-square test", () => {
    const rng = createRng(5);
    const n = 20000;
    const counts = new Float64Array(10);
    for (let i = 0; i < n; i++) {
      const v = rng.int(-3, 6);
      assert.ok(Number.isInteger(v) && v >= -3 && v <= 6);
      counts[v + 3]++;
    }
    assert.ok(chiSquare(counts, new Float64Array(10).fill(0.1), n) < CHI2_999[9]);
    assert.equal(rng.int(4, 4), 4);
    assert.throws(() => rng.int(3, 2), /Rng.int: hiInclusive must be an integer ≥ 3, got 2/);
  });
});

describe("categorical", () => {
  test("categorical draws follow the (unnormalised) weights and never pick a zero weight", () => {
    const rng = createRng(6);
    const w = [0.5, 0, 2, 1.5, 0, 1];
    const total = 5;
    const n = 20000;
    const counts = new Float64Array(w.length);
    for (let i = 0; i < n; i++) counts[rng.categorical(w)]++;
    assert.equal(counts[1], 0);
    assert.equal(counts[4], 0);
    const kept = [0, 2, 3, 5];
    const x2 = chiSquare(
      kept.map((i) => counts[i]),
      kept.map((i) => w[i] / total),
      n,
    );
    assert.ok(x2 < CHI2_999[5], `chi-square ${x2}`);
  });

  test("bad weights are rejected naming the entry", () => {
    const rng = createRng(0);
    assert.throws(() => rng.categorical([]), /non-empty/);
    assert.throws(
      () => rng.categorical([0.5, -1]),
      /Rng.categorical: probs\[1\] must be a finite number ≥ 0, got -1/,
    );
    assert.throws(() => rng.categorical([0, 0]), /positive sum/);
  });
});

describe("gamma and beta", () => {
  for (const [shape, scale] of [
    [0.3, 1],
    [1, 2],
    [4.5, 0.5],
  ] as const) {
    test(`gamma(${shape}, ${scale}) has mean shape·scale and variance shape·scale² (4 SE)`, () => {
      const rng = createRng(7);
      const xs = draws(30000, () => rng.gamma(shape, scale));
      const v = shape * scale * scale;
      assertMeanWithin4SE(xs, shape * scale, v, "gamma");
      // fourth central moment of Gamma: 3 k (k + 2) θ⁴
      assertVarianceWithin4SE(xs, v, 3 * shape * (shape + 2) * scale ** 4, "gamma");
    });
  }

  test("gamma(1) is Exponential(1) by a KS test", () => {
    const rng = createRng(8);
    const xs = draws(20000, () => rng.gamma(1));
    assert.ok(ksStatistic(xs, (x) => 1 - Math.exp(-x)) < ksCritical(xs.length));
  });

  for (const [a, b] of [
    [2, 5],
    [0.5, 0.5],
    [30, 3],
  ] as const) {
    test(`beta(${a}, ${b}) has mean a/(a+b) and variance ab/((a+b)²(a+b+1)) (4 SE)`, () => {
      const rng = createRng(9);
      const xs = draws(30000, () => rng.beta(a, b));
      const m = a / (a + b);
      const v = (a * b) / ((a + b) ** 2 * (a + b + 1));
      assertMeanWithin4SE(xs, m, v, "beta");
      // On [0, 1], E(X−m)^4 ≤ E(X−m)^2, so Var(sample variance) ≈ (μ4 − σ⁴)/n ≤ σ²/n: a
      // conservative SE that spares the long exact fourth-moment formula.
      assert.ok(
        Math.abs(variance(xs) - v) < 4 * Math.sqrt(v / xs.length),
        `beta variance ${variance(xs)} vs ${v}`,
      );
    });
  }

  test("beta(½, ½) is the arcsine law by a KS test", () => {
    const rng = createRng(10);
    const xs = draws(20000, () => rng.beta(0.5, 0.5));
    assert.ok(
      ksStatistic(xs, (x) => (2 / Math.PI) * Math.asin(Math.sqrt(x))) < ksCritical(xs.length),
    );
  });

  test("beta with tiny shapes stays in [0, 1] and puts its mass near the ends, with no NaN", () => {
    const rng = createRng(11);
    const xs = draws(5000, () => rng.beta(0.02, 0.02));
    let nearEnds = 0;
    for (const x of xs) {
      assert.ok(x >= 0 && x <= 1, `draw ${x}`);
      if (x < 1e-6 || x > 1 - 1e-6) nearEnds++;
    }
    // P(min(X, 1−X) < 1e-6) for Beta(.02,.02) is 0.759 (scipy.stats.beta.cdf): most draws hug an
    // end.
    assert.ok(
      Math.abs(nearEnds / xs.length - 0.759) < 4 * Math.sqrt((0.759 * 0.241) / xs.length),
      `${nearEnds} near the ends`,
    );
    assertMeanWithin4SE(xs, 0.5, 0.25 * (1 / 1.04), "beta(.02,.02)");
  });

  test("non-positive shape parameters are rejected", () => {
    const rng = createRng(0);
    assert.throws(() => rng.gamma(0), /Rng.gamma: shape must be > 0, got 0/);
    assert.throws(() => rng.beta(1, -2), /Rng.beta: b must be > 0, got -2/);
  });
});

describe("binomial", () => {
  test("binomial(n ≤ 64, p) follows the exact pmf (chi-square)", () => {
    const rng = createRng(12);
    const n = 10;
    const p = 0.37;
    const draws_ = 20000;
    const counts = new Float64Array(n + 1);
    for (let i = 0; i < draws_; i++) counts[rng.binomial(n, p)]++;
    const pmf = Array.from({ length: n + 1 }, (_, c) => comb(n, c) * p ** c * (1 - p) ** (n - c));
    // pool the two upper tails (expected counts < 5) into one cell
    const cells = counts.slice(0, 9);
    cells[8] += counts[9] + counts[10];
    const probs = pmf.slice(0, 9);
    probs[8] += pmf[9] + pmf[10];
    const x2 = chiSquare(cells, probs, draws_);
    assert.ok(x2 < CHI2_999[8], `chi-square ${x2}`);
  });

  test("binomial(n > 64, p) through Beta halving follows the exact pmf (chi-square on 40 cells)", () => {
    const rng = createRng(13);
    const n = 200;
    const p = 0.37;
    const draws_ = 20000;
    const lo = 54; // cells {≤ 54}, 55..92, {≥ 93}: 40 cells, each expected count ≥ 5
    const hi = 93;
    const counts = new Float64Array(hi - lo + 1);
    for (let i = 0; i < draws_; i++) counts[Math.min(hi, Math.max(lo, rng.binomial(n, p))) - lo]++;
    const pmf = Array.from({ length: n + 1 }, (_, c) =>
      Math.exp(logComb(n, c) + c * Math.log(p) + (n - c) * Math.log1p(-p)),
    );
    const probs = new Float64Array(hi - lo + 1);
    pmf.forEach((q, c) => (probs[Math.min(hi, Math.max(lo, c)) - lo] += q));
    const x2 = chiSquare(counts, probs, draws_);
    assert.ok(x2 < CHI2_999[39], `chi-square ${x2}`);
  });

  test("binomial(100000, 0.001) has mean np and variance np(1−p) within 4 SE", () => {
    const rng = createRng(14);
    const xs = draws(20000, () => rng.binomial(100000, 0.001));
    const v = 100000 * 0.001 * 0.999;
    assertMeanWithin4SE(xs, 100, v, "binomial");
    assertVarianceWithin4SE(xs, v, 3 * v * v + v * (1 - 6 * 0.001 * 0.999), "binomial");
  });

  test("binomial edge cases: n = 0, p = 0, p = 1; bad n rejected", () => {
    const rng = createRng(15);
    assert.equal(rng.binomial(0, 0.5), 0);
    assert.equal(rng.binomial(1000, 0), 0);
    assert.equal(rng.binomial(1000, 1), 1000);
    assert.equal(rng.binomial(50, 1), 50);
    assert.throws(() => rng.binomial(-1, 0.5), /Rng.binomial: n must be an integer ≥ 0, got -1/);
    assert.throws(() => rng.binomial(3, NaN), TypeError);
  });
});

function logComb(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}
