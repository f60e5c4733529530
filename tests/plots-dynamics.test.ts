/**
 * Snapshot and structure tests of the training-dynamics builders (lib/plots/dynamics.ts,
 * notebook 05), on small seeded data.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ROLE_COLORS } from "../lib/plots/style";
import {
  finiteDifferenceFigure,
  logTickValues,
  oneStepFigure,
  emptiestLevel,
  smoothnessBoundsFigure,
  tradeoffFrontierFigure,
  trainingCurvesFigure,
} from "../lib/plots/dynamics";
import { createRng } from "../lib/core/rng";
import { matchSnapshot } from "./helpers/snapshot";

const rng = createRng(505);
const noisy = (xs: number[], sd: number) => xs.map((x) => x + rng.normal(0, sd));
type Trace = {
  x: number[];
  y: number[];
  name?: string;
  line?: { color?: string };
  xaxis?: string;
  yaxis?: string;
  showlegend?: boolean;
};

describe("finiteDifferenceFigure", () => {
  const h = [1e-8, 1e-6, 1e-4, 1e-2];
  const data = {
    h,
    curves: [
      { k: 1, relError: noisy([1e-8, 1e-10, 1e-9, 1e-5], 1e-12) },
      { k: 4, relError: [2e-8, 0, 3e-9, 4e-5] },
    ],
  };

  test("matches its snapshot", () => {
    matchSnapshot("plots-dynamics-finite-differences", finiteDifferenceFigure(data));
  });

  test("an error of exactly 0 is drawn at 1e-17 so the log axis keeps it", () => {
    const fig = finiteDifferenceFigure(data);
    assert.equal((fig.data[1] as Trace).y[1], 1e-17);
    assert.equal(fig.builder, "finiteDifferenceFigure");
    assert.equal((fig.layout.xaxis as { type: string }).type, "log");
  });

  test("a curve whose length differs from h throws, naming the curve", () => {
    assert.throws(() => finiteDifferenceFigure({ h, curves: [{ k: 2, relError: [1, 2] }] }), {
      name: "RangeError",
      message: "finiteDifferenceFigure: curves[0].relError has length 2, but h has length 4",
    });
  });
});

describe("oneStepFigure", () => {
  const eta = [0.01, 0.1, 1, 10];
  const data = {
    eta,
    deltaJ1: eta.map((e) => -0.0016 * e - 1e-4 * e * e),
    deltaJk: eta.map((e) => 0.0015 * e - 2e-4 * e * e),
    k: 4,
    theoremEtaMax: 0.07,
    observedEtaMax: 1,
  };

  test("matches its snapshot", () => {
    matchSnapshot("plots-dynamics-one-step", oneStepFigure(data));
  });

  test("plots ΔJ/η in the role colours and shades (min η, theorem's η_max) in data coordinates", () => {
    const fig = oneStepFigure(data);
    const [jk, j1] = fig.data as Trace[];
    assert.equal(jk.line?.color, ROLE_COLORS.passK);
    assert.equal(j1.line?.color, ROLE_COLORS.pass1);
    assert.ok(Math.abs(j1.y[0] - (-0.0016 - 1e-6)) < 1e-15);
    const rect = (fig.layout.shapes ?? []).find((s) => s.type === "rect") as {
      x0: number;
      x1: number;
    };
    assert.deepEqual([rect.x0, rect.x1], [0.01, 0.07]);
    // annotations on a log axis take log10 coordinates
    assert.ok(
      Math.abs(((fig.layout.annotations ?? [])[0] as { x: number }).x - Math.log10(0.07)) < 1e-15,
    );
  });

  test("with no conflict (theoremEtaMax null) nothing is shaded and the interval is not labelled", () => {
    const fig = oneStepFigure({ ...data, theoremEtaMax: null, observedEtaMax: undefined });
    assert.equal((fig.layout.shapes ?? []).filter((s) => s.type === "rect").length, 0);
    assert.equal((fig.layout.annotations ?? []).length, 0);
    assert.equal(fig.data.length, 2);
  });

  test("the interval's label sits at a level no curve reaches inside the shaded interval", () => {
    const fig = oneStepFigure(data);
    const y = ((fig.layout.annotations ?? [])[0] as { y: number; yref: string }).y;
    assert.equal(((fig.layout.annotations ?? [])[0] as { yref: string }).yref, "y");
    for (const t of fig.data as Trace[]) {
      const inside = t.y.filter((_, i) => eta[i] <= data.theoremEtaMax);
      const [lo, hi] = [Math.min(...inside), Math.max(...inside)];
      // at least a tenth of the y range away from each curve's span there
      const all = (fig.data as Trace[]).flatMap((u) => u.y);
      const gap = 0.1 * (Math.max(...all) - Math.min(...all));
      assert.ok(y < lo - gap || y > hi + gap, `label at ${y}, curve within [${lo}, ${hi}]`);
    }
  });

  test("emptiestLevel: the middle of the widest gap between curve spans and the zero line", () => {
    assert.equal(
      emptiestLevel(
        [
          [1, 1.1],
          [-1, -0.9],
        ],
        [-1, 1.1, 0],
      ),
      0.5,
    );
    assert.equal(emptiestLevel([[1, 2]], [0, 2, 10]), 6, "above the curve when that is wider");
  });

  test("a non-positive step size throws before building", () => {
    assert.throws(() => oneStepFigure({ ...data, eta: [0, 0.1, 1, 10] }), {
      name: "RangeError",
      message: "oneStepFigure: eta[0] must be > 0, got 0",
    });
  });
});

describe("trainingCurvesFigure", () => {
  const steps = [0, 10, 20, 30];
  const runs = [
    {
      name: "pass@1 ascent",
      steps,
      J1: noisy([0.69, 0.71, 0.72, 0.73], 1e-3),
      Jk: noisy([0.91, 0.88, 0.86, 0.85], 1e-3),
    },
    {
      name: "pass@4 ascent",
      steps,
      J1: noisy([0.69, 0.65, 0.6, 0.57], 1e-3),
      Jk: noisy([0.91, 0.93, 0.95, 0.953], 1e-3),
      dash: "dash" as const,
    },
  ];

  test("matches its snapshot", () => {
    matchSnapshot("plots-dynamics-training-curves", trainingCurvesFigure(runs, { k: 4 }));
  });

  test("each run has a J_1 trace on the left axes and a J_k trace on the right, one legend entry per run", () => {
    const data = trainingCurvesFigure(runs, { k: 4 }).data as Trace[];
    assert.equal(data.length, 4);
    assert.deepEqual(
      data.map((t) => [t.xaxis, t.yaxis]),
      [
        ["x", "y"],
        ["x2", "y2"],
        ["x", "y"],
        ["x2", "y2"],
      ],
    );
    assert.deepEqual(
      data.map((t) => t.showlegend),
      [undefined, false, undefined, false],
    );
  });

  test("no runs, or a run with mismatched lengths, throws", () => {
    assert.throws(
      () => trainingCurvesFigure([], { k: 4 }),
      /trainingCurvesFigure: runs must be a non-empty list/,
    );
    assert.throws(
      () => trainingCurvesFigure([{ ...runs[0], Jk: [1] }], { k: 4 }),
      /trainingCurvesFigure: runs\[0\]\.Jk has length 1, but runs\[0\]\.steps has length 4/,
    );
  });
});

describe("tradeoffFrontierFigure", () => {
  const data = {
    evalK: 16,
    start: { J1: 0.69, Jk: 0.98 },
    runs: [
      { k: 1, J1: [0.69, 0.72, 0.74], Jk: [0.98, 0.92, 0.87] },
      { k: 4, J1: [0.69, 0.6, 0.57], Jk: [0.98, 0.995, 0.9999] },
    ],
  };

  test("matches its snapshot", () => {
    matchSnapshot("plots-dynamics-tradeoff", tradeoffFrontierFigure(data));
  });

  test("labels each run's end point with its training k", () => {
    const ends = tradeoffFrontierFigure(data).data[2] as Trace & { text: string[] };
    assert.deepEqual(ends.x, [0.74, 0.57]);
    assert.deepEqual(ends.text, ["k = 1", "k = 4"]);
  });
});

describe("smoothnessBoundsFigure", () => {
  const ks = [1, 2, 4, 8];
  test("matches its snapshot", () => {
    matchSnapshot(
      "plots-dynamics-smoothness",
      smoothnessBoundsFigure({
        ks,
        crude: [29, 79, 297, 1154],
        refined: [29, 46, 22, 19],
        observed: noisy([0.04, 0.07, 0.08, 0.05], 1e-3),
        gradNorm: [0.04, 0.01, 0.04, 0.04],
        G: 4.8,
      }),
    );
  });

  test("optional series are added only when given", () => {
    assert.equal(
      smoothnessBoundsFigure({ ks, crude: [1, 2, 3, 4], refined: [1, 1, 1, 1] }).data.length,
      2,
    );
    assert.equal(
      smoothnessBoundsFigure({ ks, crude: [1, 2, 3, 4], refined: [1, 1, 1, 1], G: 2 }).data.length,
      3,
    );
  });
});

describe("logTickValues", () => {
  test("gives the 1-2-5 ticks from the last one at or below min to the first one at or above max", () => {
    assert.deepEqual(logTickValues(0.03, 0.9), [0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    assert.deepEqual(logTickValues(2, 2), [2]);
    assert.deepEqual(logTickValues(0.26, 49), [0.2, 0.5, 1, 2, 5, 10, 20, 50]);
  });

  test("rejects a non-positive or reversed range", () => {
    assert.throws(() => logTickValues(0, 1), {
      name: "RangeError",
      message: "logTickValues: need 0 < min ≤ max < ∞, got min = 0, max = 1",
    });
    assert.throws(() => logTickValues(2, 1), RangeError);
  });
});
