/**
 * Snapshot and structure tests of the from-samples builders (lib/plots/sampling.ts,
 * notebook 06), on small seeded data.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  crossFitFigure,
  estimatorBiasVarianceFigure,
  sampledConflictFigure,
} from "../lib/plots/sampling";
import { createRng } from "../lib/core/rng";
import { matchSnapshot } from "./helpers/snapshot";

const rng = createRng(606);
const ns = [4, 8, 16, 32];
type Trace = {
  x: number[];
  y: number[];
  error_y?: { array: number[]; arrayminus?: number[] };
  xaxis?: string;
  yaxis?: string;
};

describe("estimatorBiasVarianceFigure", () => {
  const estimators = [
    {
      name: "plug-in",
      bias: ns.map((n) => 2.3 / n),
      sd: ns.map((n) => 0.2 / Math.sqrt(n) + rng.uniform() * 0.01),
    },
    {
      name: "PKPO",
      bias: [1e-16, 0, 2e-16, 1e-15],
      sd: ns.map((n) => 1.7 / Math.sqrt(n)),
      biasSe: [0.01, 0.01, 0.005, 0.002],
    },
  ];

  test("matches its snapshot", () => {
    matchSnapshot(
      "plots-sampling-bias-spread",
      estimatorBiasVarianceFigure({ k: 4, ns, estimators }),
    );
  });

  test("bias goes on the left axes and spread on the right; error bars only where a standard error is given", () => {
    const data = estimatorBiasVarianceFigure({ k: 4, ns, estimators }).data as Trace[];
    assert.deepEqual(
      data.map((t) => t.yaxis),
      ["y", "y2", "y", "y2"],
    );
    assert.equal(data[0].error_y, undefined);
    assert.deepEqual(data[2].error_y?.array, [0.02, 0.02, 0.01, 0.004]);
  });

  test("a spread array of the wrong length throws, naming the estimator", () => {
    assert.throws(
      () =>
        estimatorBiasVarianceFigure({
          k: 4,
          ns,
          estimators: [{ name: "x", bias: [0, 0, 0, 0], sd: [1] }],
        }),
      {
        name: "RangeError",
        message: "estimatorBiasVarianceFigure: estimators[0].sd has length 1, but ns has length 4",
      },
    );
  });
});

describe("crossFitFigure", () => {
  const exact = 0.0029;
  const data = {
    label: "‖∇J<sub>1</sub>‖²",
    errLabel: "2 SE",
    ns,
    exact,
    naive: {
      mean: ns.map((n) => exact + 0.006 / n + rng.normal(0, 1e-5)),
      err: ns.map((n) => 1e-4 / Math.sqrt(n)),
    },
    crossFit: {
      mean: ns.map(() => exact + rng.normal(0, 1e-5)),
      err: ns.map((n) => 1.5e-4 / Math.sqrt(n)),
    },
  };

  test("matches its snapshot", () => {
    matchSnapshot("plots-sampling-cross-fit", crossFitFigure(data));
  });

  test("the two estimators are drawn at slightly offset n so their error bars do not overlap; the exact value spans the axis", () => {
    const [naive, cross, ex] = crossFitFigure(data).data as Trace[];
    assert.ok(naive.x.every((x, i) => x < ns[i]) && cross.x.every((x, i) => x > ns[i]));
    assert.deepEqual(ex.y, [exact, exact]);
    assert.ok(ex.x[0] < ns[0] && ex.x[1] > ns[ns.length - 1]);
  });
});

describe("sampledConflictFigure", () => {
  const ks = [1, 2, 3, 4];
  const exact = [3e-3, 7e-4, -3e-4, -7e-4];
  const mean = exact.map((v) => v + rng.normal(0, 2e-5));
  const data = {
    ks,
    exact,
    mean,
    lo: mean.map((m) => m - 3e-4),
    hi: mean.map((m) => m + 2e-4),
    n: 32,
    kStarExact: 3,
  };

  test("matches its snapshot", () => {
    matchSnapshot("plots-sampling-conflict", sampledConflictFigure(data));
  });

  test("asymmetric error bars reach exactly from lo to hi", () => {
    const est = sampledConflictFigure(data).data[1] as Trace;
    est.y.forEach((y, i) => {
      assert.ok(Math.abs(y + est.error_y!.array[i] - data.hi[i]) < 1e-18);
      assert.ok(Math.abs(y - est.error_y!.arrayminus![i] - data.lo[i]) < 1e-18);
    });
  });

  test("a non-integer k* throws before building", () => {
    assert.throws(() => sampledConflictFigure({ ...data, kStarExact: 2.5 }), {
      name: "RangeError",
      message: "sampledConflictFigure: kStarExact must be an integer, got 2.5",
    });
  });
});
