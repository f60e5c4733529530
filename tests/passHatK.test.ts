/**
 * pass^k and the weighted family (lib/theory/passHatK.ts, family.ts, objectives.ts; issue 19):
 * the estimators against exact rationals (tests/fixtures/make_passhatk_fixtures.py) and by exact
 * summation over c ~ Bin(n, p); ∇J^k against central finite differences; the conflict identity;
 * the mirror symmetry p ↔ 1 − p between pass@k and pass^k; the thresholds (scan, two-group closed
 * form, bound); the conflict sign on our toy (hard prompts interfere) and on its mirror (easy
 * ones do).
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  binomialPmf,
  passAtKEstimate,
  passHatKEstimate,
  passHatKSampleWeights,
  passHatKWeightEstimate,
} from "../lib/theory/estimators";
import {
  generalBoundHatParts,
  gradJHatK,
  kStarHatExact,
  mirrorPopulation,
  passHatK,
  passHatKInnerProduct,
  passHatKWeight,
  populationPassHatK,
  twoGroupKStarHat,
} from "../lib/theory/passHatK";
import { familyConflict, familyWeights, objectiveDirection } from "../lib/theory/family";
import { objectiveEntry, objectiveWeights, OBJECTIVE_KINDS } from "../lib/theory/objectives";
import { agreementScores, conflictProfile, gradJ1, gradJk } from "../lib/theory/interference";
import { populationPassAtK, promptWeight } from "../lib/theory/passAtK";
import { kStarExact, twoGroupKStar } from "../lib/theory/threshold";
import { dot } from "../lib/core/stats";
import { createRng } from "../lib/core/rng";
import { mirrorToy, warmToy } from "../lib/sim/toy";
import { train } from "../lib/sim/training";
import { expectedSampledGradient } from "../lib/sim/sampledGradients";
import { assertClose, logisticBandit, randomPopulation, relError } from "./fixtures/theory";

type Row = [number, number, number, string];
const FX = JSON.parse(readFileSync(join(__dirname, "fixtures", "passHatK.json"), "utf8")) as Record<
  string,
  { rows: Row[] }
>;

/** E_{c~Bin(n,p)}[f(c)] by exact summation. */
function expectOverC(n: number, p: number, f: (c: number) => number): number {
  const pmf = binomialPmf(n, p);
  let s = 0;
  for (let c = 0; c <= n; c++) if (pmf[c] > 0) s += pmf[c] * f(c);
  return s;
}

describe("pass^k estimators against exact rationals (make_passhatk_fixtures.py)", () => {
  const cases: [string, (n: number, c: number, k: number) => number][] = [
    ["passHatKEstimate", passHatKEstimate],
    ["passHatKWeightEstimate", passHatKWeightEstimate],
    ["passHatKSampleWeights", (n, c, k) => passHatKSampleWeights(n, c, k).correct],
  ];
  for (const [name, fn] of cases) {
    const rows = FX[name].rows;
    test(`${name}: relative error ≤ 1e-12 for n up to 100 000 (${rows.length} cases)`, () => {
      let worst = 0;
      for (const [n, c, k, value] of rows) {
        const expected = Number(value);
        const got = fn(n, c, k);
        // "0" in the fixture: exactly 0, or an exact value below float64's range (underflow).
        if (expected === 0) assert.ok(got >= 0 && got < 1e-300, `${name}(${n}, ${c}, ${k})`);
        else assertClose(got, expected, TOL.exact, `${name}(${n}, ${c}, ${k})`);
        worst = Math.max(worst, expected === 0 ? 0 : relError(got, expected));
      }
      assert.ok(worst < TOL.exact, `worst ${worst}`);
    });
  }

  test("passHatK and passHatKWeight match p^k and k p^(k−1) of the exact float64 p", () => {
    for (const [p, k, value, weight] of FX.passHatK.rows as unknown as [
      number,
      number,
      string,
      string,
    ][]) {
      assertClose(passHatK(p, k), Number(value), TOL.exact, `passHatK(${p}, ${k})`, 1e-300);
      assertClose(passHatKWeight(p, k), Number(weight), TOL.exact, `w^${k}(${p})`, 1e-300);
    }
  });

  test("passHatKEstimate(n, c, k) = 1 − passAtKEstimate(n, n − c, k) (the mirror), 0 below k, 1 at c = n", () => {
    for (const [n, c, k] of FX.passHatKEstimate.rows) {
      assert.ok(
        Math.abs(passHatKEstimate(n, c, k) - (1 - passAtKEstimate(n, n - c, k))) < TOL.exact,
      );
      if (c < k) assert.equal(passHatKEstimate(n, c, k), 0);
      if (c === n) assert.equal(passHatKEstimate(n, c, k), 1);
    }
  });

  test("unbiased: E_c[ρ^] = p^k, E_c[ŵ^k] = k p^(k−1), n·E_c'[s⁺(c'+1)] = k p^(k−1) (exact sums)", () => {
    for (const n of [1, 2, 5, 16, 100]) {
      for (const k of [1, 2, 3, n]) {
        if (k > n) continue;
        for (const p of [0, 0.03, 0.2, 0.5, 0.77, 0.95, 1]) {
          const mean = expectOverC(n, p, (c) => passHatKEstimate(n, c, k));
          assert.ok(Math.abs(mean - p ** k) < TOL.exact, `ρ^ n=${n} k=${k} p=${p}`);
          const w = expectOverC(n, p, (c) => passHatKWeightEstimate(n, c, k));
          assert.ok(Math.abs(w - k * p ** (k - 1)) < TOL.exact * k, `ŵ n=${n} k=${k} p=${p}`);
          const s = n * expectOverC(n - 1, p, (c) => passHatKSampleWeights(n, c + 1, k).correct);
          assert.ok(Math.abs(s - k * p ** (k - 1)) < TOL.exact * k, `s⁺ n=${n} k=${k} p=${p}`);
        }
      }
    }
  });

  test("stable at n = 10^5: ρ^ stays in [0, 1] and equals the product formula's exact value", () => {
    const n = 100_000;
    for (const [c, k] of [
      [99_990, 10],
      [50_000, 1000],
      [99_999, 50_000],
      [1000, 3],
    ]) {
      const v = passHatKEstimate(n, c, k);
      assert.ok(v >= 0 && v <= 1 && Number.isFinite(v));
      // log C(c,k)/C(n,k) = Σ_{i<k} log((c−i)/(n−i)), summed in log space as an independent check
      let log = 0;
      for (let i = 0; i < k; i++) log += Math.log((c - i) / (n - i));
      assert.ok(Math.abs(v - Math.exp(log)) <= 1e-9 * Math.exp(log) + 1e-300, `(${c}, ${k})`);
    }
  });

  test("bad input names the function and the argument", () => {
    assert.throws(() => passHatKEstimate(4, 5, 2), /passHatKEstimate: c must be an integer/);
    assert.throws(() => passHatKEstimate(4, 2, 5), /passHatKEstimate: k must be ≤ n/);
    assert.throws(() => passHatK(1.5, 2), /passHatK: p/);
  });
});

describe("∇J^k and the conflict identity", () => {
  test("∇J^k matches central finite differences of J^k on the logistic bandit (k = 1, 2, 4, 9)", () => {
    const { population } = logisticBandit(901, 200);
    const theta = Float64Array.of(0.7, 1.1);
    const pop = population(theta);
    const h = 1e-6;
    for (const k of [1, 2, 4, 9]) {
      const g = gradJHatK(pop, k);
      for (let j = 0; j < 2; j++) {
        const up = Float64Array.from(theta);
        const dn = Float64Array.from(theta);
        up[j] += h;
        dn[j] -= h;
        const fd =
          (populationPassHatK(pop.mass, population(up).p, k) -
            populationPassHatK(pop.mass, population(dn).p, k)) /
          (2 * h);
        assert.ok(
          Math.abs(g[j] - fd) <= 1e-7 * (1 + Math.abs(fd)),
          `k=${k} j=${j}: ${g[j]} vs ${fd}`,
        );
      }
      // The registry's direction is the same vector.
      assert.deepEqual(Array.from(objectiveDirection(pop, { kind: "passHatK", k })), Array.from(g));
    }
  });

  test("⟨∇J^k, ∇J_1⟩ = E[w^k(p) a(x)] on random populations (relative 1e-12)", () => {
    const rng = createRng(1901);
    for (let rep = 0; rep < 40; rep++) {
      const pop = randomPopulation(rng, 2 + rng.int(0, 30), 1 + rng.int(0, 4), {
        shift: rng.normal(),
      });
      const g1 = gradJ1(pop);
      const a = agreementScores(pop);
      for (const k of [1, 2, 5, 17, 64]) {
        const direct = dot(gradJHatK(pop, k), g1);
        const identity = passHatKInnerProduct(pop.mass, pop.p, a, k);
        const scale = k * dot(g1, g1) + Math.abs(direct) + 1e-300;
        assert.ok(Math.abs(direct - identity) <= TOL.exact * scale, `rep ${rep} k=${k}`);
        const fam = familyConflict(pop, { kind: "passHatK", k }, [k]);
        assert.ok(Math.abs(fam.identity[0] - identity) <= TOL.exact * scale);
        assert.ok(Math.abs(fam.innerProduct[0] - direct) <= TOL.exact * scale);
      }
    }
  });

  test("the sampled pass^k estimator is unbiased: its exact mean is ∇J^k", () => {
    const toy = warmToy({ M: 60, rho: 0.3, delta: 1, rng: createRng(1902) });
    for (const [n, k] of [
      [4, 2],
      [8, 8],
      [16, 5],
    ]) {
      const mean = expectedSampledGradient(toy.policy, toy.theta, n, "passHatKUnbiased", k);
      const exact = gradJHatK(toy.population, k);
      mean.forEach((v, j) =>
        assert.ok(Math.abs(v - exact[j]) <= TOL.exact * (1 + Math.abs(exact[j]))),
      );
    }
  });
});

describe("the mirror symmetry p ↔ 1 − p between pass@k and pass^k", () => {
  test("on random populations: J^k(mirror) = 1 − J_k, w^k(1−p) = w_k(p), equal inner products, equal k*", () => {
    const rng = createRng(1903);
    let conflicts = 0;
    for (let rep = 0; rep < 60; rep++) {
      const pop = randomPopulation(rng, 2 + rng.int(0, 25), 1 + rng.int(0, 3), {
        shift: rng.normal(),
      });
      const m = mirrorPopulation(pop);
      const a = agreementScores(pop);
      const am = agreementScores(m);
      a.forEach((v, i) => assert.ok(Math.abs(v - am[i]) <= 1e-14 * (1 + Math.abs(v))));
      const ks = [1, 2, 3, 8, 32];
      const prof = conflictProfile(pop, ks);
      ks.forEach((k, s) => {
        const jHat = populationPassHatK(m.mass, m.p, k);
        assert.ok(Math.abs(jHat - (1 - populationPassAtK(pop.mass, pop.p, k))) < TOL.exact);
        const ip = passHatKInnerProduct(m.mass, m.p, am, k);
        const scale = k * prof.normGradJ1 ** 2 + Math.abs(ip);
        assert.ok(Math.abs(ip - prof.innerProduct[s]) <= 1e-11 * scale, `rep ${rep} k=${k}`);
        for (const p of [0, 0.3, 0.9])
          assert.ok(Math.abs(passHatKWeight(1 - p, k) - promptWeight(p, k)) <= 1e-14 * k);
      });
      const kStar = kStarExact(pop.mass, pop.p, a, { kMax: 512 });
      if (kStar !== null) conflicts++;
      assert.equal(kStarHatExact(m.mass, m.p, am, { kMax: 512 }), kStar, `rep ${rep}`);
    }
    assert.ok(conflicts >= 5, `only ${conflicts} populations conflict`);
  });

  test("the two-group closed forms mirror each other: twoGroupKStarHat(g) = twoGroupKStar(mirror of g)", () => {
    const rng = createRng(1904);
    for (let rep = 0; rep < 200; rep++) {
      const pH = 0.9 * rng.uniform();
      const pE = pH + (1 - pH) * (0.05 + 0.95 * rng.uniform());
      const g = {
        piE: 0.1 + rng.uniform(),
        pE,
        aE: -0.01 - rng.uniform(),
        piH: 0.1 + rng.uniform(),
        pH,
        aH: 0.01 + rng.uniform(),
      };
      const mirrored = { piE: g.piH, pE: 1 - g.pH, aE: g.aH, piH: g.piE, pH: 1 - g.pE, aH: g.aE };
      const hat = twoGroupKStarHat(g);
      assert.ok(
        Math.abs(hat - twoGroupKStar(mirrored)) <= 1e-9 * (1 + Math.abs(hat)),
        `rep ${rep}`,
      );
    }
  });
});

describe("pass^k thresholds", () => {
  test("two groups: the scan's first conflicting k is ⌊k^*⌋ + 1 and the bound equals the closed form", () => {
    const rng = createRng(1905);
    let checked = 0;
    for (let rep = 0; rep < 300; rep++) {
      const pH = 0.8 * rng.uniform();
      const pE = pH + (1 - pH) * (0.1 + 0.85 * rng.uniform());
      const g = { piE: 0.3, pE, aE: -0.05 - rng.uniform(), piH: 0.7, pH, aH: 0.05 + rng.uniform() };
      const kStar = twoGroupKStarHat(g);
      if (Math.abs(kStar - Math.round(kStar)) < 1e-6 || kStar > 2000) continue;
      const scan = kStarHatExact([g.piE, g.piH], [g.pE, g.pH], [g.aE, g.aH]);
      assert.equal(scan, Math.max(1, Math.floor(kStar) + 1), `rep ${rep}: k^* = ${kStar}`);
      const parts = generalBoundHatParts([g.piE, g.piH], [g.pE, g.pH], [g.aE, g.aH]);
      assert.ok(parts !== null, `rep ${rep}`);
      assert.ok(Math.abs(parts.bound - kStar) <= 1e-9 * (1 + Math.abs(kStar)), `rep ${rep}`);
      checked++;
    }
    assert.ok(checked > 200, `checked ${checked}`);
  });

  test("the bound is conservative on random populations whose interfering prompts are the easiest", () => {
    const rng = createRng(1906);
    let applied = 0;
    for (let rep = 0; rep < 300; rep++) {
      const N = 3 + rng.int(0, 20);
      const mass = Float64Array.from({ length: N }, () => 0.05 + rng.uniform());
      const tot = mass.reduce((s, v) => s + v, 0);
      mass.forEach((_, i) => (mass[i] /= tot));
      const cut = 0.2 + 0.6 * rng.uniform();
      const neg = Array.from({ length: N }, () => rng.uniform() < 0.4);
      const p = Float64Array.from(neg, (n) =>
        n ? cut + (1 - cut) * rng.uniform() : cut * rng.uniform(),
      );
      const a = Float64Array.from(neg, (n) => (n ? -rng.uniform() : rng.uniform()));
      const parts = generalBoundHatParts(mass, p, a);
      if (parts === null || !Number.isFinite(parts.bound) || parts.bound > 3000) continue;
      const scan = kStarHatExact(mass, p, a);
      assert.ok(scan !== null && scan <= Math.max(1, Math.floor(parts.bound) + 1), `rep ${rep}`);
      for (let k = Math.max(1, Math.floor(parts.bound) + 1); k < parts.bound + 20; k++)
        assert.ok(passHatKInnerProduct(mass, p, a, k) < 0, `rep ${rep} k=${k}`);
      applied++;
    }
    assert.ok(applied > 100, `applied ${applied}`);
  });
});

describe("the conflict sign when the interferers are the hardest or the easiest (derived)", () => {
  test("interferers all harder ⇒ pass^k never conflicts; all easier ⇒ pass@k never conflicts", () => {
    const rng = createRng(1910);
    let both = 0;
    for (let rep = 0; rep < 200; rep++) {
      const pop = randomPopulation(rng, 3 + rng.int(0, 20), 1 + rng.int(0, 3), {
        shift: rng.normal(),
      });
      const a = agreementScores(pop);
      // Sort p so that the interferers (a < 0) get the smallest values, then the largest.
      const sorted = Array.from(pop.p).sort((x, y) => x - y);
      const order = Array.from(a, (_, i) => i).sort((i, j) => a[i] - a[j]);
      const hardFirst = new Float64Array(pop.N);
      const easyFirst = new Float64Array(pop.N);
      order.forEach((i, r) => {
        hardFirst[i] = sorted[r]; // most negative a → smallest p
        easyFirst[i] = sorted[pop.N - 1 - r];
      });
      if (a.some((v) => v < 0)) both++;
      assert.equal(kStarHatExact(pop.mass, hardFirst, a, { kMax: 256 }), null, `rep ${rep}`);
      assert.equal(kStarExact(pop.mass, easyFirst, a, { kMax: 256 }), null, `rep ${rep}`);
    }
    assert.ok(both > 100);
  });
});

describe("the conflict sign on our toy and on its mirror (derived in lib/theory/passHatK.ts)", () => {
  const toy = warmToy({ M: 2000, rho: 0.3, delta: 1, rng: createRng(1907) });
  const mirror = mirrorToy(toy);
  const ks = [1, 2, 3, 4, 8, 16, 32];

  test("our toy (hard prompts interfere): pass@k conflicts beyond k*, pass^k never does", () => {
    const pop = toy.population;
    const a = agreementScores(pop);
    const kStar = kStarExact(pop.mass, pop.p, a);
    assert.ok(kStar !== null && kStar >= 2);
    const passK = familyConflict(pop, { kind: "passK", k: 1 }, ks);
    const hat = familyConflict(pop, { kind: "passHatK", k: 1 }, ks);
    ks.forEach((k, s) => {
      assert.equal(passK.innerProduct[s] < 0, k >= kStar!, `pass@${k}`);
      assert.ok(hat.innerProduct[s] > 0, `pass^${k}`);
    });
    assert.equal(kStarHatExact(pop.mass, pop.p, a), null);
  });

  test("the mirror (easy prompts interfere): pass^k conflicts beyond the same k^*, pass@k never does", () => {
    const pop = mirror.population;
    const a = agreementScores(pop);
    const kStarHat = kStarHatExact(pop.mass, pop.p, a);
    assert.equal(
      kStarHat,
      kStarExact(toy.population.mass, toy.population.p, agreementScores(toy.population)),
    );
    assert.equal(kStarExact(pop.mass, pop.p, a), null);
    const hat = familyConflict(pop, { kind: "passHatK", k: 1 }, ks);
    ks.forEach((k, s) => assert.equal(hat.innerProduct[s] < 0, k >= kStarHat!, `pass^${k}`));
    // One exact step: ascent on pass^8 lowers J_1 on the mirror, pass@8 raises it.
    const step = (kind: "passK" | "passHatK") =>
      train({
        policy: mirror.policy,
        theta0: mirror.theta,
        steps: 1,
        lr: 1e-3,
        objective: { kind, k: 8 },
        record: { ks: [1] },
      }).history.J1;
    const [j0, jHat] = step("passHatK");
    const [, jAt] = step("passK");
    assert.ok(jHat < j0 && jAt > j0, `${j0} → pass^8 ${jHat}, pass@8 ${jAt}`);
  });
});

describe("the registry and the weighted family", () => {
  test("every kind has an entry with its kind, provenance, label and a checked schedule", () => {
    for (const kind of OBJECTIVE_KINDS) {
      const e = objectiveEntry("t", { kind } as never);
      assert.equal(e.kind, kind);
      assert.ok(e.provenance === "P" || e.provenance === "D");
    }
    assert.throws(
      () => objectiveEntry("train", { kind: "passAtK" } as never),
      /train: objective.kind must be one of pass1, passK, passHatK/,
    );
  });

  test("the family functions accept every kind, an annealed schedule checked against its own length", () => {
    const pop = randomPopulation(createRng(1909), 6, 2);
    const g = objectiveDirection(pop, { kind: "annealed", schedule: [3, 1] }, 3);
    const gk = gradJk(pop, 3);
    g.forEach((v, j) => assert.equal(v, gk[j]));
    assert.throws(
      () => objectiveDirection(pop, { kind: "annealed", schedule: [3, 0] }),
      /objectiveDirection: objective.schedule\[1\]/,
    );
    assert.throws(
      () => familyWeights({ kind: "projected", k: 2 }, pop.mass, pop.p),
      /not a reweighting/,
    );
  });

  test("a user's W: pass@k and pass^k written as W give the registry's directions; w defaults to W's difference", () => {
    const rng = createRng(1908);
    const pop = randomPopulation(rng, 12, 3);
    const k = 4;
    const viaW = objectiveDirection(pop, {
      kind: "weighted",
      W: (p) => 1 - (1 - p) ** k,
      w: (p) => k * (1 - p) ** (k - 1),
    });
    const gk = gradJk(pop, k);
    viaW.forEach((v, j) => assert.ok(Math.abs(v - gk[j]) <= TOL.exact * (1 + Math.abs(gk[j]))));
    const numeric = objectiveDirection(pop, { kind: "weighted", W: (p) => p ** k });
    const gh = gradJHatK(pop, k);
    numeric.forEach((v, j) => assert.ok(Math.abs(v - gh[j]) <= 1e-6 * (1 + Math.abs(gh[j]))));
    assert.throws(
      () => objectiveDirection(pop, { kind: "weighted", W: (p) => p * p, w: (p) => p }),
      /objective.w must be W'/,
    );
  });

  test("q-distributions: pass@k moves weight to hard prompts, pass^k to easy ones, and the weights curves mirror", () => {
    const mass = [0.5, 0.5];
    const p = [0.1, 0.9];
    assert.deepEqual(
      Array.from(familyWeights({ kind: "passHatK", k: 2 }, mass, p)).map((v) => +v.toFixed(12)),
      [0.1, 0.9],
    );
    const ps = [0, 0.25, 0.5, 1];
    const a = objectiveWeights({ kind: "passK", k: 5 }, ps);
    const b = objectiveWeights(
      { kind: "passHatK", k: 5 },
      ps.map((v) => 1 - v),
    );
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-12));
  });
});
