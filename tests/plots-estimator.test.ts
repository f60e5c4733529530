import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  estimatorDistributionFigure,
  estimatorErrorFigure,
  EXACT_FLOOR,
} from "../lib/plots/estimator";
import { estimatorDistribution } from "../lib/studies/estimatorStudy";
import { ROLE_COLORS } from "../lib/plots/style";
import { matchSnapshot } from "./helpers/snapshot";

describe("estimatorErrorFigure", () => {
  const series = [
    {
      name: "naive, c = 5",
      method: "naive" as const,
      n: [10, 100, 2000],
      relError: [1e-16, 3e-14, NaN],
    },
    {
      name: "stable, c = 5",
      method: "stable" as const,
      n: [10, 100, 2000],
      relError: [0, 5e-17, 1e-16],
      dash: "dash" as const,
    },
  ];

  test("matches its snapshot", () => {
    matchSnapshot("plots-estimator-error", estimatorErrorFigure(series));
  });

  test("a NaN result becomes a gap in its line and a cross at relative error 1", () => {
    const fig = estimatorErrorFigure(series);
    const naive = fig.data[0] as { y: (number | null)[] };
    assert.equal(naive.y[2], null);
    const failed = fig.data.find((t) => (t as { name?: string }).name?.startsWith("NaN")) as {
      x: number[];
      y: number[];
    };
    assert.deepEqual(failed.x, [2000]);
    assert.deepEqual(failed.y, [1]);
  });

  test("a bit-exact result (error 0) is drawn at the floor, not dropped from the log axis", () => {
    const stable = estimatorErrorFigure(series).data[1] as { y: number[] };
    assert.equal(stable.y[0], EXACT_FLOOR);
  });

  test("naive curves are vermillion (pass@k role) and stable ones blue", () => {
    const fig = estimatorErrorFigure(series);
    assert.equal((fig.data[0] as { line: { color: string } }).line.color, ROLE_COLORS.passK);
    assert.equal((fig.data[1] as { line: { color: string } }).line.color, ROLE_COLORS.pass1);
    assert.equal(fig.builder, "estimatorErrorFigure");
  });

  test("mismatched lengths throw naming the series", () => {
    assert.throws(
      () => estimatorErrorFigure([{ name: "x", method: "naive", n: [1, 2], relError: [1] }]),
      /estimatorErrorFigure: series\[0\]\.relError has length 1/,
    );
  });
});

describe("estimatorDistributionFigure", () => {
  const panels = [
    estimatorDistribution(6, 1, 0.3),
    estimatorDistribution(6, 3, 0.3),
    estimatorDistribution(12, 3, 0.3),
  ];

  test("matches its snapshot", () => {
    matchSnapshot("plots-estimator-distribution", estimatorDistributionFigure(panels, { p: 0.3 }));
  });

  test("lays panels out two per row, one x/y axis pair and one title each", () => {
    const fig = estimatorDistributionFigure(panels);
    const layout = fig.layout as Record<string, any>;
    assert.deepEqual([layout.grid.rows, layout.grid.columns], [2, 2]);
    assert.ok(layout.xaxis3 && layout.yaxis3 && !layout.xaxis4);
    assert.deepEqual(
      layout.annotations.map((a: { text: string }) => a.text),
      ["n = 6, k = 1", "n = 6, k = 3", "n = 12, k = 3"],
    );
  });

  test("each panel's label sits in the top corner away from the mass: left when pass@k > 1/2", () => {
    const fig = estimatorDistributionFigure(panels);
    const anns = (fig.layout as Record<string, any>).annotations as Array<{ x: number }>;
    assert.deepEqual(
      anns.map((a) => a.x < 0.5),
      panels.map((p) => p.truth > 0.5),
    );
    assert.ok(panels.some((p) => p.truth > 0.5) && panels.some((p) => p.truth <= 0.5));
  });

  test("the true pass@k line of each panel sits at the estimand and legends are not repeated", () => {
    const fig = estimatorDistributionFigure(panels);
    const truths = fig.data.filter(
      (t) => (t as { name?: string }).name === "true pass@k",
    ) as Array<{ x: number[]; showlegend: boolean }>;
    assert.deepEqual(
      truths.map((t) => t.x[0]),
      panels.map((p) => p.truth),
    );
    assert.deepEqual(
      truths.map((t) => t.showlegend),
      [true, false, false],
    );
  });

  test("stems skip values with negligible probability", () => {
    const fig = estimatorDistributionFigure([
      { n: 3, k: 1, value: [0, 1 / 3, 2 / 3, 1], prob: [0.5, 0.5, 1e-9, 0], truth: 0.5 },
    ]);
    assert.deepEqual((fig.data[0] as { x: (number | null)[] }).x, [0, 0, null, 1 / 3, 1 / 3, null]);
  });

  test("a probability array of the wrong length throws", () => {
    assert.throws(
      () =>
        estimatorDistributionFigure([{ n: 2, k: 1, value: [0, 0.5, 1], prob: [1], truth: 0.5 }]),
      /estimatorDistributionFigure: panels\[0\]\.prob has length 1/,
    );
  });
});
