/**
 * The threshold k*: the worked example (claim 4), the two-group formula against the scan, the
 * general bound's conservativeness (claim 5), and the scan's behaviour at the edges.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fc from "fast-check";
import {
  agreementScores,
  conflictProfile,
  innerProductFromAgreement,
} from "../lib/theory/interference";
import {
  generalBound,
  generalBoundParts,
  K_STAR_SCAN_MAX,
  kStarExact,
  kStarExactUnchecked,
  kStarScratch,
  twoGroupKStar,
  workedExamplePopulation,
  type TwoGroupModel,
} from "../lib/theory/threshold";
import { createRng, type Rng } from "../lib/core/rng";
import { assertClose } from "./fixtures/theory";

const WORKED: TwoGroupModel = { piE: 0.7, pE: 0.8, aE: 0.628, piH: 0.3, pH: 0.1, aH: -0.132 };

/** ⟨∇J_k, ∇J_1⟩ of the two-group model at real k (PAPER.md §4). */
function twoGroupInner(g: TwoGroupModel, k: number): number {
  return k * (g.piE * g.aE * (1 - g.pE) ** (k - 1) + g.piH * g.aH * (1 - g.pH) ** (k - 1));
}

function randomTwoGroup(rng: Rng): TwoGroupModel {
  const pH = 0.6 * rng.uniform();
  const pE = pH + 0.05 + (0.94 - pH) * rng.uniform();
  const piE = 0.1 + 0.8 * rng.uniform();
  return { piE, pE, aE: 0.05 + rng.uniform(), piH: 1 - piE, pH, aH: -(0.01 + rng.uniform()) * 0.5 };
}

describe("claim 4: the two-group threshold", () => {
  test("claim 4: the worked example of PAPER.md §4 gives k* = 2.60 and first conflicting integer k = 3", () => {
    const pop = workedExamplePopulation();
    const a = agreementScores(pop);
    const kStar = twoGroupKStar({ piE: 0.7, pE: 0.8, aE: a[0], piH: 0.3, pH: 0.1, aH: a[1] });
    assert.equal(kStar.toFixed(2), "2.60");
    assert.equal(Math.floor(kStar) + 1, 3);
    assert.equal(kStarExact(pop.mass, pop.p, a), 3);
    const prof = conflictProfile(pop, [1, 2, 3, 4]);
    assert.deepEqual(
      Array.from(prof.innerProduct, (v) => v < 0),
      [false, false, true, true],
    );
  });

  test("claim 4: ⟨∇J_k, ∇J_1⟩ of the two-group model vanishes at the real k* and changes sign there", () => {
    const rng = createRng(201);
    for (let rep = 0; rep < 200; rep++) {
      const g = randomTwoGroup(rng);
      const kStar = twoGroupKStar(g);
      if (!(kStar > 1 && kStar < 500)) continue;
      const scale = g.piE * g.aE * (1 - g.pE) ** (kStar - 1) * kStar;
      assert.ok(Math.abs(twoGroupInner(g, kStar)) < 1e-9 * scale, `rep ${rep}: at k*=${kStar}`);
      assert.ok(
        twoGroupInner(g, kStar - 0.01) > 0 && twoGroupInner(g, kStar + 0.01) < 0,
        `rep ${rep}`,
      );
    }
  });

  test("claim 4: the integer scan kStarExact returns ⌊k*⌋ + 1 of the two-group formula", () => {
    const rng = createRng(202);
    let checked = 0;
    for (let rep = 0; rep < 300; rep++) {
      const g = randomTwoGroup(rng);
      const kStar = twoGroupKStar(g);
      if (Math.abs(kStar - Math.round(kStar)) < 1e-9) continue; // integer k*: the sign there is 0
      const expected = kStar < 1 ? 1 : Math.floor(kStar) + 1;
      const got = kStarExact([g.piE, g.piH], [g.pE, g.pH], [g.aE, g.aH], { kMax: 100000 });
      assert.equal(got, expected, `rep ${rep}: k* = ${kStar}`);
      checked++;
    }
    assert.ok(checked > 250);
  });

  test("p_e = 1 gives k* = 1: every k ≥ 2 conflicts because w_k(1) = 0", () => {
    assert.equal(twoGroupKStar({ ...WORKED, pE: 1 }), 1);
    assert.equal(kStarExact([0.7, 0.3], [1, 0.1], [0.628, -0.132]), 2);
  });
});

describe("claim 5: the general sufficient bound", () => {
  test("claim 5: on random two-sided populations k*_exact ≤ max(1, ⌊B⌋ + 1) and every integer k > B conflicts", () => {
    const rng = createRng(203);
    let applied = 0;
    let nontrivial = 0;
    for (let rep = 0; rep < 300; rep++) {
      const N = 2 + rng.int(0, 25);
      const split = 0.1 + 0.8 * rng.uniform();
      const mass = new Float64Array(N).fill(1 / N);
      const p = new Float64Array(N);
      const a = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        const negative = i === 0 || (i > 1 && rng.uniform() < 0.4); // at least one of each sign
        p[i] = negative ? split * rng.uniform() : split + (0.95 - split) * rng.uniform();
        a[i] = negative ? -0.3 * rng.uniform() - 1e-3 : rng.uniform() + 1e-3;
      }
      const B = generalBound(mass, p, a);
      assert.notEqual(B, null, `rep ${rep}: the bound must apply (p_N < p_P by construction)`);
      const bound = B as number;
      const kStar = kStarExact(mass, p, a, { kMax: 100000 });
      assert.notEqual(kStar, null);
      // B < 1 (A₊ < A₋, so even k = 1 conflicts) makes the first integer above B equal to 1.
      const first = Math.max(1, Math.floor(bound) + 1);
      assert.ok(
        (kStar as number) <= first,
        `rep ${rep}: k*_exact = ${kStar} > ⌊B⌋ + 1, B = ${bound}`,
      );
      for (let k = first; k < first + 40; k++) {
        assert.ok(
          innerProductFromAgreement(mass, p, a, k) < 0,
          `rep ${rep}: k = ${k} > B = ${bound} does not conflict`,
        );
      }
      applied++;
      if ((kStar as number) >= 3) nontrivial++;
    }
    assert.equal(applied, 300);
    assert.ok(nontrivial > 100, `only ${nontrivial} populations with k*_exact ≥ 3`);
  });

  test("claim 5: for two groups the general bound equals the two-group k* exactly (it is tight there)", () => {
    const rng = createRng(204);
    for (let rep = 0; rep < 100; rep++) {
      const g = randomTwoGroup(rng);
      assertClose(
        generalBound([g.piE, g.piH], [g.pE, g.pH], [g.aE, g.aH]) as number,
        twoGroupKStar(g),
        TOL.exact,
        `rep ${rep}`,
      );
    }
  });

  test("the general bound does not apply (null) without negatively interfering prompts or when p_N ≥ p_P", () => {
    assert.equal(generalBound([0.5, 0.5], [0.2, 0.8], [0.1, 0.3]), null);
    assert.equal(generalBound([0.5, 0.5], [0.9, 0.2], [-0.1, 0.3]), null); // the hard prompt agrees
  });

  test("prompts with a = 0 (e.g. unsolvable, p = 0, ∇p = 0) do not block the bound", () => {
    const parts = generalBoundParts([0.2, 0.5, 0.3], [0, 0.8, 0.1], [0, 0.628, -0.132]);
    assert.ok(parts !== null);
    assert.equal(parts.pP, 0.8);
    assert.equal(parts.pN, 0.1);
    assertClose(parts.aPlus, 0.5 * 0.628, TOL.roundoff, "A+");
    assertClose(parts.aMinus, 0.3 * 0.132, TOL.roundoff, "A-");
  });
});

describe("the k* scan", () => {
  test(`returns null when no k ≤ kMax conflicts (default kMax = ${K_STAR_SCAN_MAX})`, () => {
    assert.equal(K_STAR_SCAN_MAX, 4096);
    assert.equal(kStarExact([0.7, 0.3], [0.8, 0.1], [0.628, -0.132], { kMax: 2 }), null);
    assert.equal(kStarExact([0.5, 0.5], [0.2, 0.8], [0.1, 0.3]), null);
    assert.equal(kStarExact([0.5, 0.5], [1, 1], [0.1, -0.05]), null); // w_k = 0 for all k ≥ 2
  });

  test("finds k* ≈ 1141 where (1−p)^(k−1) underflows float64 for every prompt (scaled scan)", () => {
    const g: TwoGroupModel = { piE: 0.5, pE: 0.51, aE: 1, piH: 0.5, pH: 0.5, aH: -1e-10 };
    const kStar = twoGroupKStar(g);
    assert.ok(kStar > 1140 && kStar < 1142, `k* = ${kStar}`);
    assert.equal(0.49 ** kStar, 0); // the unscaled terms are gone
    assert.equal(kStarExact([0.5, 0.5], [0.51, 0.5], [1, -1e-10]), Math.floor(kStar) + 1);
  });

  test("the scan (four k per pass, reused scratch) returns what a plain one-k-at-a-time scan returns", () => {
    /**
     * The definition, term by term: first k with Σ D·a·((1−p)/u_max)^{k−1} < 0 over prompts with
     * D·a ≠ 0.
     */
    function reference(mass: number[], p: number[], a: number[], kMax: number): number | null {
      const act = mass.map((m, i) => ({ c: m * a[i], u: 1 - p[i] })).filter((x) => x.c !== 0);
      if (!act.some((x) => x.c < 0)) return null;
      const uMax = Math.max(0, ...act.map((x) => x.u));
      const pow = act.map(() => 1);
      for (let k = 1; k <= kMax; k++) {
        let s = 0;
        act.forEach((x, i) => (s += x.c * pow[i]));
        if (s < 0) return k;
        if (k === 1 && uMax === 0) return null;
        act.forEach((x, i) => (pow[i] *= uMax > 0 ? x.u / uMax : 0));
      }
      return null;
    }
    const scratch = kStarScratch(12);
    const prompt = fc.record({
      m: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1, noNaN: true })),
      p: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })),
      a: fc.oneof(fc.constant(0), fc.double({ min: -1, max: 1, noNaN: true })),
    });
    // Easy prompts agreeing with pass@1, hard ones against it with a small weight: conflicts at
    // larger k.
    const unit = fc.double({ min: 0.01, max: 1, noNaN: true });
    const member = fc.record({ m: unit, p: unit, a: unit });
    const twoGroups = fc
      .tuple(
        fc.array(member, { minLength: 1, maxLength: 6 }),
        fc.array(member, { minLength: 1, maxLength: 6 }),
      )
      .map(([easy, hard]) => [
        ...easy.map((x) => ({ m: x.m, p: 0.6 + 0.4 * x.p, a: x.a })),
        ...hard.map((x) => ({ m: x.m, p: 0.5 * x.p, a: -x.a * 1e-3 })),
      ]);
    fc.assert(
      fc.property(
        fc.oneof(fc.array(prompt, { minLength: 1, maxLength: 12 }), twoGroups),
        fc.integer({ min: 1, max: 40 }),
        (xs, kMax) => {
          const total = xs.reduce((t, x) => t + x.m, 0) || 1;
          const mass = xs.map((x) => x.m / total);
          const p = xs.map((x) => x.p);
          const a = xs.map((x) => x.a);
          const want = reference(mass, p, a, kMax);
          assert.equal(kStarExactUnchecked(mass, p, a, kMax, scratch), want);
          if (xs.some((x) => x.m > 0)) assert.equal(kStarExact(mass, p, a, { kMax }), want);
        },
      ),
      { seed: 4242, numRuns: 2000 },
    );
  });

  test("bad input throws errors naming the function, the argument and the value", () => {
    assert.throws(() => twoGroupKStar({ ...WORKED, pH: 0.9 }), {
      name: "RangeError",
      message: /twoGroupKStar: g.pH must be < g.pE.*pH = 0.9, pE = 0.8/,
    });
    assert.throws(() => twoGroupKStar({ ...WORKED, aH: 0.1 }), {
      name: "RangeError",
      message: /twoGroupKStar: g.aH must be < 0, got 0.1/,
    });
    assert.throws(() => twoGroupKStar({ ...WORKED, piE: 0 }), {
      name: "RangeError",
      message: /twoGroupKStar: g.piE must be > 0, got 0/,
    });
    assert.throws(() => twoGroupKStar({ ...WORKED, pE: NaN }), {
      name: "TypeError",
      message: /twoGroupKStar: g.pE must be a number, got NaN/,
    });
    assert.throws(() => kStarExact([1], [0.5], [1, 2]), {
      name: "RangeError",
      message: /kStarExact: a has length 2, but p has length 1/,
    });
    assert.throws(() => kStarExact([1], [0.5], [1], { kMax: 0 }), {
      name: "RangeError",
      message: /kStarExact: opts.kMax must be an integer ≥ 1, got 0/,
    });
    assert.throws(() => generalBound([1], [1.5], [1]), {
      name: "RangeError",
      message: /generalBound: p\[0\] must be in \[0, 1\], got 1.5/,
    });
  });
});
