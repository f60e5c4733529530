import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { layerAgreementFigure, sampledTrainingFigure } from "../lib/plots/neural";
import { checkFigure } from "../lib/export/render";
import { matchSnapshot } from "./helpers/snapshot";

type Trace = { name?: string; x: number[]; y: number[]; xaxis?: string; yaxis?: string };

const layer = {
  aLast: [2, -1, 1, 0],
  aFull: [4, -2, -1, 1],
  k: [1, 2, 3, 4],
  cosineLast: [1, 0.2, -0.1, -0.3],
  cosineFull: [1, 0.4, 0.1, -0.2],
  kStarLast: 3,
  kStarFull: 4,
};

describe("layerAgreementFigure", () => {
  test("matches its snapshot and passes the export check", () => {
    const fig = layerAgreementFigure(layer);
    matchSnapshot("plots-neural-layers", fig);
    checkFigure(fig, "layers");
  });

  test("scales each score vector by its own RMS and marks each k* on the k panel", () => {
    const fig = layerAgreementFigure(layer);
    const pts = (fig.data as Trace[]).find((t) => t.name === "prompts")!;
    const rms = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
    assert.deepEqual(
      pts.y,
      layer.aLast.map((v) => v / rms(layer.aLast)),
    );
    assert.deepEqual(
      pts.x,
      layer.aFull.map((v) => v / rms(layer.aFull)),
    );
    const marks = (fig.layout.shapes ?? []).filter((s) => s.xref === "x2").map((s) => s.x0);
    assert.deepEqual(marks, [3, 4]);
    assert.throws(() => layerAgreementFigure({ ...layer, aFull: [1] }), /aFull/);
  });
});

const band = (v: number[]) => ({ mean: v, lo: v.map((t) => t - 0.01), hi: v.map((t) => t + 0.01) });
const training = {
  steps: [0, 1, 2],
  ks: [2, 8],
  bandLabel: "±2 SE over 3 seeds",
  arms: [
    {
      name: "pass@k, PKPO",
      k: 2,
      J1: band([0.3, 0.32, 0.34]),
      Jk: [band([0.4, 0.43, 0.45]), band([0.7, 0.7, 0.71])],
    },
    {
      name: "pass@k, PKPO",
      k: 8,
      J1: band([0.3, 0.29, 0.28]),
      Jk: [band([0.4, 0.4, 0.4]), band([0.7, 0.72, 0.74])],
    },
    {
      name: "pass@1",
      k: 1,
      J1: band([0.3, 0.35, 0.4]),
      Jk: [band([0.4, 0.45, 0.5]), band([0.7, 0.69, 0.68])],
    },
  ],
};

describe("sampledTrainingFigure", () => {
  test("matches its snapshot and passes the export check", () => {
    const fig = sampledTrainingFigure(training);
    matchSnapshot("plots-neural-training", fig);
    checkFigure(fig, "training");
  });

  test("one row per k: each pass@k arm in its own row, pass@1 in every row, one legend entry per name", () => {
    const fig = sampledTrainingFigure(training);
    const means = (fig.data as Trace[]).filter((t) => t.name !== undefined);
    const at = (axis: string) => means.filter((t) => (t.yaxis ?? "y") === axis).map((t) => t.y);
    assert.deepEqual(at("y"), [
      [0.3, 0.32, 0.34],
      [0.3, 0.35, 0.4],
    ]);
    assert.deepEqual(at("y4"), [
      [0.7, 0.72, 0.74],
      [0.7, 0.69, 0.68],
    ]);
    const legend = (fig.data as { showlegend?: boolean; name?: string }[]).filter(
      (t) => t.showlegend !== false,
    );
    assert.deepEqual(
      legend.map((t) => t.name),
      ["pass@k, PKPO", "pass@1"],
    );
    assert.throws(() => sampledTrainingFigure({ ...training, arms: [] }), /non-empty/);
  });
});
