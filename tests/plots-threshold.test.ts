import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  conflictCurveFigure,
  phaseDiagramFigure,
  thresholdComparisonFigure,
} from "../lib/plots/threshold";
import { conflictProfile } from "../lib/theory/interference";
import { workedExamplePopulation } from "../lib/theory/threshold";
import { ROLE_COLORS } from "../lib/plots/style";
import { matchSnapshot } from "./helpers/snapshot";

describe("conflictCurveFigure", () => {
  const ks = [1, 2, 3, 4, 8, 16];
  const profile = conflictProfile(workedExamplePopulation(), ks);
  const input = { ks, innerProduct: profile.innerProduct, cosine: profile.cosine, kStar: 3 };

  test("matches its snapshot", () => {
    matchSnapshot("plots-threshold-conflict", conflictCurveFigure(input));
  });

  test("markers are blue where the inner product is positive and vermillion where it is negative", () => {
    const colors = (conflictCurveFigure(input).data[0] as { marker: { color: string[] } }).marker
      .color;
    assert.deepEqual(colors, [
      ROLE_COLORS.positive,
      ROLE_COLORS.positive,
      ...Array(4).fill(ROLE_COLORS.negative),
    ]);
  });

  test("k* is marked in both panels (one legend entry) and the region k ≥ k* is shaded", () => {
    const fig = conflictCurveFigure(input);
    const marks = fig.data.filter(
      (t) => (t as { legendgroup?: string }).legendgroup === "kstar",
    ) as Array<{ x: number[]; showlegend: boolean }>;
    assert.deepEqual(
      marks.map((t) => [t.x[0], t.showlegend]),
      [
        [3, true],
        [3, false],
      ],
    );
    assert.deepEqual(
      (fig.layout.shapes as Array<{ x0: number; x1: number }>).map((s) => [s.x0, s.x1]),
      [
        [3, 16],
        [3, 16],
      ],
    );
  });

  test("without a conflict nothing is shaded", () => {
    const fig = conflictCurveFigure({ ...input, kStar: null });
    assert.equal((fig.layout.shapes as unknown[]).length, 0);
  });

  test("a cosine grid of the wrong length throws", () => {
    assert.throws(
      () => conflictCurveFigure({ ...input, cosine: [1] }),
      /conflictCurveFigure: cosine has length 1, but ks has length 6/,
    );
  });
});

describe("thresholdComparisonFigure", () => {
  test("matches its snapshot", () => {
    matchSnapshot(
      "plots-threshold-comparison",
      thresholdComparisonFigure({
        x: [0.1, 0.3, 0.5],
        xTitle: "p<sub>h</sub>",
        exact: [3, 3, 4],
        twoGroup: [2.6, 2.92, 3.63],
        bound: [3.45, 4.47, null],
      }),
    );
  });

  test("optional series are left out when not given", () => {
    assert.equal(
      thresholdComparisonFigure({ x: [0, 1], xTitle: "s", exact: [2, null] }).data.length,
      1,
    );
  });

  test("a bound of the wrong length throws", () => {
    assert.throws(
      () => thresholdComparisonFigure({ x: [0, 1], xTitle: "s", exact: [2, 3], bound: [3] }),
      /thresholdComparisonFigure: bound has length 1, but x has length 2/,
    );
  });
});

describe("phaseDiagramFigure", () => {
  test("matches its snapshot", () => {
    matchSnapshot(
      "plots-threshold-phase",
      phaseDiagramFigure({
        deltas: [0.5, 2, 6],
        rhos: [0.1, 0.3],
        z: [
          [2, 3, null],
          [2, 3, 4],
        ],
        title: "k*",
        colorbarTitle: "k*",
      }),
    );
  });

  test("cells print their values with the requested decimals and '–' for null", () => {
    const fig = phaseDiagramFigure({
      deltas: [1, 2],
      rhos: [0.3],
      z: [[0.125, null]],
      title: "t",
      colorbarTitle: "c",
      decimals: 2,
    });
    assert.deepEqual((fig.data[0] as { text: string[][] }).text, [["0.13", "–"]]);
  });

  test("a row of the wrong length throws naming it", () => {
    assert.throws(
      () =>
        phaseDiagramFigure({
          deltas: [1, 2],
          rhos: [0.3],
          z: [[1]],
          title: "t",
          colorbarTitle: "c",
        }),
      /phaseDiagramFigure: z\[0\] has length 1, but deltas has length 2/,
    );
  });
});
