/**
 * lib/studies/clusteredStudy.ts: exact k* on our clustered family over d × overlap × spread
 * (notebook 06 §5). k* is checked against an independent brute-force scan of ⟨∇J_k, ∇J_1⟩
 * computed from the gradients themselves; the cosines against what the construction forces
 * (one value per cluster without spread, a continuum with it).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../lib/core/rng";
import { dot } from "../lib/core/stats";
import { TOL } from "../lib/core/tolerances";
import { warmClustered } from "../lib/sim/clustered";
import { warmToy } from "../lib/sim/toy";
import { gradJ1, gradJk } from "../lib/theory/interference";
import { agreementCosines, clusteredKStarStudy, cosineSpread } from "../lib/studies/clusteredStudy";

const grid = {
  M: 150,
  ds: [8, 12],
  clusters: 4,
  overlaps: [0, 0.6, 0.9],
  spreads: [0.25, 0.5, 1],
  kMax: 64,
};

describe("clusteredKStarStudy", () => {
  const study = clusteredKStarStudy({ ...grid, rng: createRng(3) });

  test("k* equals a brute-force scan of ⟨∇J_k, ∇J_1⟩ from the gradients, k = 1 … kMax", () => {
    // the study draws one contexts seed per d from its rng, in order
    const seeds = createRng(3);
    let finite = 0;
    let none = 0;
    grid.ds.forEach((d, i) => {
      const seed = seeds.int(0, 2 ** 31 - 1);
      grid.overlaps.forEach((overlap, j) =>
        grid.spreads.forEach((spread, l) => {
          const pop = warmClustered({
            M: grid.M,
            d,
            clusters: 4,
            overlap,
            spread,
            rng: createRng(seed),
          }).population;
          const g1 = gradJ1(pop);
          let brute: number | null = null;
          for (let k = 1; k <= grid.kMax && brute === null; k++)
            if (dot(gradJk(pop, k), g1) < 0) brute = k;
          const got = study.cells[i][j][l].kStar;
          assert.equal(got, brute, `d ${d}, overlap ${overlap}, spread ${spread}`);
          if (got === null) none++;
          else finite++;
        }),
      );
    });
    // the grid covers both outcomes, so the comparison can fail either way
    assert.ok(finite > 0 && none > 0, `finite ${finite}, none ${none}`);
  });

  test("on this grid k* never rises with the overlap or with the spread (none counts as ∞)", () => {
    const v = (k: number | null) => k ?? Infinity;
    for (const byO of study.cells) {
      byO.forEach((byS, j) =>
        byS.forEach((c, l) => {
          if (j > 0) assert.ok(v(c.kStar) <= v(byO[j - 1][l].kStar), `overlap step ${j}`);
          if (l > 0) assert.ok(v(c.kStar) <= v(byS[l - 1].kStar), `spread step ${l}`);
        }),
      );
    }
  });

  test("without spread (equal shares) no prompt interferes, so nothing conflicts", () => {
    const flat = clusteredKStarStudy({
      ...grid,
      ds: [8, 64],
      spreads: [0],
      kMax: 4096,
      rng: createRng(5),
    });
    for (const c of flat.cells.flat(2)) {
      assert.equal(c.negativeMass, 0);
      assert.equal(c.kStar, null);
    }
  });

  test("the same rng seed gives the same study; the mass with a < 0 is a share", () => {
    const again = clusteredKStarStudy({ ...grid, rng: createRng(3) });
    assert.deepEqual(again.cells, study.cells);
    for (const c of study.cells.flat(2)) assert.ok(c.negativeMass >= 0 && c.negativeMass <= 1);
  });

  test("rejects an empty grid and a bad kMax, naming them", () => {
    assert.throws(
      () => clusteredKStarStudy({ ...grid, ds: [], rng: createRng(1) }),
      /clusteredKStarStudy: ds must be non-empty/,
    );
    assert.throws(
      () => clusteredKStarStudy({ ...grid, kMax: 0, rng: createRng(1) }),
      /clusteredKStarStudy: kMax/,
    );
  });
});

describe("cosines of ∇p(x) with ∇J_1 on the clustered family", () => {
  const opts = { M: 400, d: 16, clusters: 4, overlap: 0.5 };

  test("without spread they take at most one value per cluster", () => {
    const pop = warmClustered({ ...opts, spread: 0, rng: createRng(4) }).population;
    const values = new Set(Array.from(agreementCosines(pop), (v) => v.toFixed(9)));
    assert.ok(values.size <= opts.clusters, `${values.size} values`);
  });

  test("with spread they take a continuum of values, none near ±1, unlike our toy", () => {
    const pop = warmClustered({ ...opts, spread: 0.75, rng: createRng(4) }).population;
    const cos = agreementCosines(pop);
    for (const v of cos) assert.ok(Math.abs(v) <= 1 + TOL.exact, `cos ${v}`);
    const distinct = new Set(Array.from(cos, (v) => v.toFixed(3))).size;
    assert.ok(distinct > pop.N / 2, `${distinct} distinct values among ${pop.N}`);
    const rich = cosineSpread(pop, [0.05, 0.95]);
    assert.equal(rich.nearUnitShare, 0);
    assert.ok(rich.quantiles[1] - rich.quantiles[0] > 0.3, `${rich.quantiles}`);
    // both signs: some prompts pull against ∇J_1, some with it
    assert.ok(rich.quantiles[0] < 0 && rich.quantiles[1] > 0);
    const toy = cosineSpread(
      warmToy({ M: 400, rho: 0.3, delta: 1, rng: createRng(1) }).population,
      [0.5],
    );
    assert.ok(toy.nearUnitShare > 0.1, `toy near ±1: ${toy.nearUnitShare}`);
  });

  test("cos = a(x)/(‖∇p(x)‖‖∇J_1‖) on a hand-made two-prompt population", () => {
    // ∇p = (1, 0) and (1, 1), masses 1/2: ∇J_1 = (1, 1/2)
    const pop = {
      N: 2,
      d: 2,
      mass: Float64Array.from([0.5, 0.5]),
      p: Float64Array.from([0.5, 0.5]),
      gradP: Float64Array.from([1, 0, 1, 1]),
    };
    const cos = agreementCosines(pop);
    const n1 = Math.sqrt(1.25);
    assert.ok(Math.abs(cos[0] - 1 / n1) < TOL.exact);
    assert.ok(Math.abs(cos[1] - 1.5 / (Math.SQRT2 * n1)) < TOL.exact);
  });
});
