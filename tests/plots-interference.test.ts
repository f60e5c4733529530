import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { agreementScatterFigure, kernelHeatmapFigure } from "../lib/plots/interference";
import { agreementScores, interferenceKernel } from "../lib/theory/interference";
import { logisticPolicy } from "../lib/sim/policies";
import { easyHardBandit } from "../lib/sim/populations";
import { createRng } from "../lib/core/rng";
import { ROLE_COLORS } from "../lib/plots/style";
import { matchSnapshot } from "./helpers/snapshot";

const toy = easyHardBandit({ M: 12, rho: 0.25, delta: 1, rng: createRng(3) });
const pop = logisticPolicy(toy).population([1.2, 1.4]);

describe("kernelHeatmapFigure", () => {
  test("matches its snapshot", () => {
    matchSnapshot(
      "plots-interference-kernel",
      kernelHeatmapFigure({ kappa: interferenceKernel(pop), p: pop.p, groups: toy }),
    );
  });

  test("without groups, rows and columns are sorted by p ascending (hardest first)", () => {
    const fig = kernelHeatmapFigure({ kappa: [4, 2, 0, 2, 1, -1, 0, -1, 9], p: [0.5, 0.9, 0.1] });
    assert.deepEqual((fig.data[0] as { z: number[][] }).z, [
      [9, 0, -1],
      [0, 4, 2],
      [-1, 2, 1],
    ]);
  });

  test("with groups, the hardest group's block comes first, sorted by p inside, with a separator line", () => {
    // Group 1 (mean p 0.2) before group 0 (mean p 0.7); within group 0: p 0.6 before 0.8.
    const fig = kernelHeatmapFigure({
      kappa: [1, 0, 0, 0, 2, 0, 0, 0, 3],
      p: [0.8, 0.6, 0.2],
      groups: { group: [0, 0, 1], groupNames: ["easy", "hard"] },
    });
    const z = (fig.data[0] as { z: number[][] }).z;
    assert.deepEqual(
      z.map((row, i) => row[i]),
      [3, 2, 1],
    );
    assert.deepEqual((fig.layout.xaxis as { ticktext: string[] }).ticktext, [
      "hard (1), p ↑",
      "easy (2), p ↑",
    ]);
    assert.equal((fig.layout.shapes as unknown[]).length, 2);
  });

  test("the colour scale is symmetric about zero", () => {
    const trace = kernelHeatmapFigure({ kappa: [1, -3, -3, 2], p: [0.3, 0.6] }).data[0] as {
      zmin: number;
      zmax: number;
      zmid: number;
    };
    assert.deepEqual([trace.zmin, trace.zmax, trace.zmid], [-3, 3, 0]);
  });

  test("a kernel that is not N × N throws", () => {
    assert.throws(
      () => kernelHeatmapFigure({ kappa: [1, 2, 3], p: [0.1, 0.2] }),
      /kernelHeatmapFigure: kappa has length 3, but p × p has length 4/,
    );
  });
});

describe("agreementScatterFigure", () => {
  test("matches its snapshot", () => {
    matchSnapshot(
      "plots-interference-agreement",
      agreementScatterFigure({ p: pop.p, a: agreementScores(pop), groups: toy }),
    );
  });

  test("one trace per group in the easy/hard role colours, counts in the legend, plus the zero line", () => {
    const fig = agreementScatterFigure({
      p: [0.9, 0.2, 0.8],
      a: [0.01, -0.02, 0.005],
      groups: { group: [0, 1, 0], groupNames: ["easy", "hard"] },
    });
    const traces = fig.data as Array<{ name: string; x: number[]; marker?: { color: string } }>;
    assert.deepEqual(
      traces.map((t) => t.name),
      ["easy (2)", "hard (1)", "a = 0"],
    );
    assert.deepEqual(traces[0].x, [0.9, 0.8]);
    assert.equal(traces[0].marker!.color, ROLE_COLORS.easy);
    assert.equal(traces[1].marker!.color, ROLE_COLORS.hard);
  });

  test("mismatched lengths throw naming the argument", () => {
    assert.throws(
      () =>
        agreementScatterFigure({
          p: [0.1],
          a: [1, 2],
          groups: { group: [0], groupNames: ["all"] },
        }),
      /agreementScatterFigure: a has length 2/,
    );
  });
});
