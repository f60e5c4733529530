import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  diagnosticConflictFigure,
  negativeWeightShareFigure,
  stepPredictionFigure,
} from "../lib/plots/diagnostic";
import { checkFigure } from "../lib/export/render";
import { ROLE_COLORS } from "../lib/plots/style";
import { matchSnapshot } from "./helpers/snapshot";

type Trace = {
  name?: string;
  x: unknown[];
  y: unknown[];
  fill?: string;
  xaxis?: string;
  yaxis?: string;
  marker?: { color: unknown };
  error_x?: { array: number[]; arrayminus: number[] };
  error_y?: { array: number[] };
};

const conflict = {
  k: [1, 2, 4, 8],
  innerProduct: [3e-3, 1e-3, -2e-4, null],
  innerProductCI: [[1e-3, 5e-3], [-1e-3, 3e-3], [-1e-3, 6e-4], null] as ([number, number] | null)[],
  cosine: [1, 0.5, -0.1, null],
  cosineCI: [null, null, null, null],
  exact: {
    k: [1, 2, 3, 4, 5, 6, 7, 8],
    innerProduct: [3e-3, 1.1e-3, 2e-4, -3e-4, -5e-4, -6e-4, -6e-4, -5e-4],
    cosine: [1, 0.6, 0.1, -0.1, -0.2, -0.3, -0.3, -0.3],
  },
  kStar: 4,
};

describe("diagnosticConflictFigure", () => {
  test("matches its snapshot", () => {
    matchSnapshot("plots-diagnostic-conflict", diagnosticConflictFigure(conflict));
  });

  test("draws a band, the exact curve and the estimate in the top panel, no band where every interval is null, and passes the export check", () => {
    const fig = diagnosticConflictFigure(conflict);
    const traces = fig.data as Trace[];
    const top = traces.filter((t) => (t.yaxis ?? "y") === "y");
    const bottom = traces.filter((t) => t.yaxis === "y2");
    assert.deepEqual(
      top.map((t) => t.name ?? ""),
      ["", "95% bootstrap interval", "exact", "cross-fitted estimate"],
    );
    assert.equal(top[1].fill, "tonexty");
    assert.deepEqual(
      bottom.map((t) => t.name),
      ["exact", "cross-fitted estimate"],
      "the cosine has no interval here",
    );
    assert.deepEqual(top[3].y, [3e-3, 1e-3, -2e-4, null], "a missing estimate stays a gap");
    assert.deepEqual(top[3].marker!.color, [
      ROLE_COLORS.positive,
      ROLE_COLORS.positive,
      ROLE_COLORS.negative,
      ROLE_COLORS.positive,
    ]);
    assert.match(String((fig.layout.title as { text: string }).text), /estimated k\* = 4/);
    assert.equal(fig.builder, "diagnosticConflictFigure");
    checkFigure(fig, "conflict");
  });

  test("a cosine band reaching past ±1 is clipped to [−1, 1], and the cosine axis stays within ±1.05", () => {
    const fig = diagnosticConflictFigure({
      ...conflict,
      cosineCI: [[0.8, 1.3], [0.2, 0.9], [-1.4, 0.3], null],
    });
    const band = (fig.data as Trace[]).filter((t) => t.yaxis === "y2" && t.name !== "exact");
    const ends = band
      .slice(0, 2)
      .flatMap((t) => t.y)
      .filter((v): v is number => typeof v === "number");
    assert.deepEqual([Math.min(...ends), Math.max(...ends)], [-1, 1]);
    const range = (fig.layout as unknown as { yaxis2: { range: number[] } }).yaxis2.range;
    assert.ok(range[0] >= -1.05 && range[1] <= 1.05, `range ${range}`);
    assert.ok(range[0] <= -1 && range[1] >= 1, "the clipped band is inside the range");
  });

  test("without a cosine it is one panel; mismatched lengths throw naming the argument", () => {
    const fig = diagnosticConflictFigure({ k: [1, 2], innerProduct: [1, -1] });
    assert.equal((fig.data as Trace[]).length, 1);
    assert.equal((fig.layout as Record<string, unknown>).yaxis2, undefined);
    assert.throws(
      () => diagnosticConflictFigure({ k: [1, 2], innerProduct: [1] }),
      /diagnosticConflictFigure: innerProduct has length 1, but k has length 2/,
    );
    assert.throws(
      () => diagnosticConflictFigure({ k: [1, 2], innerProduct: [1, NaN] }),
      /innerProduct\[1\] must be a number, got NaN/,
    );
  });
});

describe("negativeWeightShareFigure", () => {
  const input = {
    k: [1, 2, 4],
    negative: [0.2, 0.4, 0.6],
    negativeCI: [
      [0.1, 0.3],
      [0.3, 0.5],
      [0.4, 0.8],
    ] as [number, number][],
    undetermined: [0, 0.05, 0.1],
    exactNegative: [0.25, 0.45, 0.7],
  };

  test("matches its snapshot", () => {
    matchSnapshot("plots-diagnostic-share", negativeWeightShareFigure(input));
  });

  test("shows the band, the estimate, the undetermined share and the exact share on a [0, 1] axis", () => {
    const fig = negativeWeightShareFigure(input);
    assert.deepEqual(
      (fig.data as Trace[]).map((t) => t.name ?? ""),
      [
        "",
        "95% bootstrap interval",
        "estimated, â(x) < 0",
        "no correct sample (sign unknown)",
        "exact, a(x) < 0",
      ],
    );
    assert.deepEqual((fig.layout.yaxis as { range: number[] }).range, [0, 1]);
    checkFigure(fig, "share");
  });

  test("a share band reaching past [0, 1] is clipped to it", () => {
    const fig = negativeWeightShareFigure({
      ...input,
      negativeCI: [
        [-0.1, 0.4],
        [0.2, 0.7],
        [0.6, 1.2],
      ],
    });
    const ends = (fig.data as Trace[])
      .slice(0, 2)
      .flatMap((t) => t.y)
      .filter((v): v is number => typeof v === "number");
    assert.deepEqual([Math.min(...ends), Math.max(...ends)], [0, 1]);
  });
});

describe("stepPredictionFigure", () => {
  const points = [
    {
      k: 1,
      predicted: 1.6e-3,
      predictedCI: [0, 4e-3] as [number, number],
      measured: 1.5e-3,
      measuredSE: 4e-5,
    },
    { k: 16, predicted: -1e-3, predictedCI: null, measured: -1.2e-3, measuredSE: 7e-5 },
  ];

  test("matches its snapshot", () => {
    matchSnapshot("plots-diagnostic-step", stepPredictionFigure(points));
  });

  test("one labelled point per step with the prediction's interval as horizontal bars, ±2 SE vertical bars and the diagonal", () => {
    const fig = stepPredictionFigure(points);
    const [diagonal, steps] = fig.data as Trace[];
    assert.deepEqual(diagonal.x, diagonal.y);
    assert.ok(
      (diagonal.x[0] as number) <= -1.2e-3 && (diagonal.x[1] as number) >= 4e-3,
      "the diagonal spans every point and interval",
    );
    assert.deepEqual(steps.x, [1.6e-3, -1e-3]);
    assert.deepEqual(steps.error_x!.array, [4e-3 - 1.6e-3, 0]);
    assert.deepEqual(steps.error_x!.arrayminus, [1.6e-3, 0]);
    assert.deepEqual(steps.error_y!.array, [8e-5, 1.4e-4]);
    checkFigure(fig, "step");
    assert.throws(() => stepPredictionFigure([]), /points must be a non-empty array/);
    assert.throws(
      () => stepPredictionFigure([{ k: 1, predicted: NaN, measured: 0, measuredSE: 0 }]),
      /points\[0\]\.predicted must be a number, got NaN/,
    );
  });
});
