import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  deltaPassAtKFigure,
  deltaTradeoffFigure,
  modelCurvesFigure,
  pHatScatterFigure,
  weightShareBinsFigure,
} from "../lib/plots/realData";
import { checkFigure } from "../lib/export/render";
import { ROLE_COLORS } from "../lib/plots/style";
import { matchSnapshot } from "./helpers/snapshot";

type Trace = {
  name?: string;
  x: unknown[];
  y: unknown[];
  fill?: string;
  stackgroup?: string;
  text?: string[];
  marker?: { color: unknown; size?: unknown };
};

const curves = [
  {
    name: "A",
    k: [1, 2, 4],
    y: [0.2, 0.3, 0.4],
    ci: [[0.1, 0.3], [0.2, 0.4], null] as ([number, number] | null)[],
  },
  { name: "B", k: [1, 2, 4], y: [0.5, 0.6, null] },
];

describe("modelCurvesFigure", () => {
  test("matches its snapshot", () => {
    matchSnapshot("plots-realData-curves", modelCurvesFigure(curves));
  });
  test("one line per curve, a band only where intervals are given; export check passes", () => {
    const fig = modelCurvesFigure(curves, { yTitle: "share", yRange: null });
    const names = (fig.data as Trace[]).map((t) => t.name ?? "");
    assert.deepEqual(names, ["", "A 95% CI", "A", "B"]);
    checkFigure(fig, "curves");
    assert.throws(() => modelCurvesFigure([]), /at least one curve/);
    const hl = modelCurvesFigure(curves, { highlight: ["B"] }).data as (Trace & {
      showlegend?: boolean;
    })[];
    assert.deepEqual(
      hl.map((t) => [t.name, t.showlegend]),
      [
        ["A", false],
        ["B", undefined],
      ],
    );
    assert.throws(
      () => modelCurvesFigure(curves, { highlight: ["C"] }),
      /highlight names no curve/,
    );
    assert.throws(() => modelCurvesFigure([{ name: "x", k: [1, 2], y: [0.1] }]), /y/);
  });
});

describe("weightShareBinsFigure", () => {
  const input = {
    k: [1, 2, 4],
    bins: [
      { bin: "c = 0", prompts: 3, share: [0.3, 0.5, 0.7] },
      { bin: "c = n", prompts: 7, share: [0.7, 0.5, 0.3] },
    ],
  };
  test("matches its snapshot", () => {
    matchSnapshot("plots-realData-bins", weightShareBinsFigure(input));
  });
  test("stacks one area per bin, labelled with its prompt count", () => {
    const traces = weightShareBinsFigure(input).data as Trace[];
    assert.deepEqual(
      traces.map((t) => t.stackgroup),
      ["share", "share"],
    );
    assert.match(traces[0].name ?? "", /^c = 0 \(3 prompts\)/);
  });
});

describe("deltaPassAtKFigure", () => {
  const input = {
    k: [1, 2, 4, 8],
    delta: [-0.03, -0.01, 0.02, 0.1],
    deltaCI: [
      [-0.05, -0.01],
      [-0.03, 0.01],
      [0, 0.04],
      [0.05, 0.15],
    ] as [number, number][],
    crossingK: 4,
  };
  test("matches its snapshot", () => {
    matchSnapshot("plots-realData-delta", deltaPassAtKFigure(input));
  });
  test("band, signed markers and the crossing line; no line without a crossing", () => {
    const fig = deltaPassAtKFigure(input);
    const line = (fig.data as Trace[])[2];
    assert.deepEqual(line.marker?.color, [
      ROLE_COLORS.negative,
      ROLE_COLORS.negative,
      ROLE_COLORS.positive,
      ROLE_COLORS.positive,
    ]);
    const shapes = fig.layout?.shapes as { x0: number }[];
    assert.equal(shapes.length, 2);
    assert.equal(shapes[1].x0, 4);
    const none = deltaPassAtKFigure({ ...input, crossingK: null });
    assert.equal((none.layout?.shapes as unknown[]).length, 1);
    assert.match(String((none.layout?.title as { text: string }).text), /no crossing/);
  });
});

describe("pHatScatterFigure", () => {
  const input = { pBefore: [0, 0, 0.5, 1, 0.5], pAfter: [0.1, 0.1, 0.5, 0.2, 0.5] };
  test("matches its snapshot", () => {
    matchSnapshot("plots-realData-scatter", pHatScatterFigure(input));
  });
  test("equal pairs pooled into one marker with the count; fell / rose / unchanged split", () => {
    const t = pHatScatterFigure(input).data as Trace[];
    assert.deepEqual(
      t.map((x) => x.name),
      ["p̂ after = p̂ before", "p̂ fell", "p̂ rose", "unchanged"],
    );
    assert.deepEqual(t[2].x, [0]);
    assert.deepEqual(t[2].text, ["2 prompts"]);
    assert.deepEqual(t[1].x, [1]);
    assert.deepEqual(t[3].text, ["2 prompts"]);
    assert.throws(() => pHatScatterFigure({ pBefore: [0], pAfter: [] }), /pAfter/);
  });
});

describe("deltaTradeoffFigure", () => {
  const input = { names: ["a", "b"], delta1: [-0.05, 0.01], deltaK: [0.1, 0.02], k: 10 };
  test("matches its snapshot", () => {
    matchSnapshot("plots-realData-tradeoff", deltaTradeoffFigure(input));
  });
  test("trade-off points (Δpass@1 < 0 < Δpass@k) in the pass@k colour", () => {
    const t = (deltaTradeoffFigure(input).data as Trace[])[0];
    assert.deepEqual(t.marker?.color, [ROLE_COLORS.passK, ROLE_COLORS.pass1]);
  });
});
