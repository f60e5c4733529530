import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  hardShareFigure,
  influenceCurvesFigure,
  promptWeightCurvesFigure,
  reweightedDensityFigure,
} from "../lib/plots/reweighting";
import { normalisedWeights, weightShareBelow } from "../lib/theory/passAtK";
import { uShapedDifficulty } from "../lib/sim/index";
import { createRng } from "../lib/core/rng";
import { matchSnapshot } from "./helpers/snapshot";

describe("promptWeightCurvesFigure", () => {
  test("matches its snapshot", () => {
    matchSnapshot(
      "plots-reweighting-weight-curves",
      promptWeightCurvesFigure([1, 3, 8], { points: 11 }),
    );
  });

  test("each curve starts at w_k(0) = k and ends at w_k(1) = 0 for k ≥ 2", () => {
    const fig = promptWeightCurvesFigure([1, 3, 8], { points: 5 });
    const ys = fig.data.map((t) => (t as { y: number[] }).y);
    assert.deepEqual(
      ys.map((y) => y[0]),
      [1, 3, 8],
    );
    assert.deepEqual(
      ys.map((y) => y[y.length - 1]),
      [1, 0, 0],
    );
  });

  test("a non-integer k throws", () => {
    assert.throws(
      () => promptWeightCurvesFigure([1, 2.5]),
      /promptWeightCurvesFigure: ks\[1\] must be an integer/,
    );
  });
});

describe("reweightedDensityFigure", () => {
  const prompts = uShapedDifficulty({ N: 200, rng: createRng(5) });
  const reweighted = [2, 8].map((k) => ({ k, q: normalisedWeights(prompts.mass, prompts.p, k) }));

  test("matches its snapshot", () => {
    matchSnapshot(
      "plots-reweighting-density",
      reweightedDensityFigure({ p: prompts.p, mass: prompts.mass, reweighted, bins: 10 }),
    );
  });

  test("each binned density integrates to 1 (Σ density × bin width)", () => {
    const fig = reweightedDensityFigure({ p: prompts.p, mass: prompts.mass, reweighted, bins: 10 });
    for (const trace of fig.data) {
      const total = (trace as { y: number[] }).y.reduce((s, v) => s + v / 10, 0);
      assert.ok(Math.abs(total - 1) < 1e-12, `${(trace as { name: string }).name}: ∫ = ${total}`);
    }
  });

  test("p = 1 falls into the last bin", () => {
    const fig = reweightedDensityFigure({ p: [1, 0], mass: [0.5, 0.5], reweighted: [], bins: 4 });
    assert.deepEqual((fig.data[0] as { y: number[] }).y, [2, 0, 0, 2]);
  });

  test("a q_k of the wrong length throws", () => {
    assert.throws(
      () => reweightedDensityFigure({ p: [0.5], mass: [1], reweighted: [{ k: 2, q: [0.5, 0.5] }] }),
      /reweightedDensityFigure: reweighted\[0\]\.q has length 2/,
    );
  });
});

describe("hardShareFigure", () => {
  test("matches its snapshot", () => {
    const prompts = uShapedDifficulty({ N: 200, rng: createRng(6) });
    const ks = [1, 2, 4, 8, 16];
    const series = [0.1, 0.5].map((tau) => ({
      tau,
      share: ks.map((k) => weightShareBelow(prompts.mass, prompts.p, k, tau)),
    }));
    matchSnapshot("plots-reweighting-hard-share", hardShareFigure({ ks: ks, series: series }));
  });

  test("log k axis ticks are the powers of two in range", () => {
    const fig = hardShareFigure({ ks: [3, 5, 40], series: [{ tau: 0.2, share: [0.1, 0.2, 0.3] }] });
    assert.deepEqual((fig.layout.xaxis as { tickvals: number[] }).tickvals, [4, 8, 16, 32]);
  });

  test("a share series of the wrong length throws", () => {
    assert.throws(
      () => hardShareFigure({ ks: [1, 2], series: [{ tau: 0.2, share: [0.1] }] }),
      /hardShareFigure: series\[0\]\.share has length 1, but ks has length 2/,
    );
  });
});

describe("influenceCurvesFigure", () => {
  test("matches its snapshot", () => {
    matchSnapshot("plots-reweighting-influence", influenceCurvesFigure([1, 2, 5], { points: 11 }));
  });

  test("peak markers sit at p = 1/k with height (1 − 1/k)^(k−1)", () => {
    const fig = influenceCurvesFigure([2, 4, 10], { points: 11 });
    const peaks = fig.data.find((t) => (t as { name?: string }).name === "peak at p = 1/k") as {
      x: number[];
      y: number[];
    };
    assert.deepEqual(peaks.x, [0.5, 0.25, 0.1]);
    [2, 4, 10].forEach((k, j) => assert.ok(Math.abs(peaks.y[j] - (1 - 1 / k) ** (k - 1)) < 1e-15));
  });
});
