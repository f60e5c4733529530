/**
 * Snapshot and structure tests of the mitigation builders (lib/plots/mitigations.ts,
 * notebook 07), on small seeded data.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ROLE_COLORS } from "../lib/plots/style";
import {
  mitigationOutcomeFigure,
  mitigationTrajectoriesFigure,
  projectionGuaranteeFigure,
} from "../lib/plots/mitigations";
import { createRng } from "../lib/core/rng";
import { matchSnapshot } from "./helpers/snapshot";

const rng = createRng(707);
type Trace = {
  x: number[];
  y: (number | string)[];
  name?: string;
  line?: { color?: string };
  xaxis?: string;
  showlegend?: boolean;
};

describe("mitigationTrajectoriesFigure", () => {
  const steps = [0, 50, 100];
  const runs = ["pass@4", "projection"].map((name) => ({
    name,
    steps,
    J1: steps.map(() => 0.69 + rng.normal(0, 0.01)),
    Jk: steps.map(() => 0.91 + rng.normal(0, 0.01)),
  }));

  test("matches its snapshot", () => {
    matchSnapshot("plots-mitigations-trajectories", mitigationTrajectoriesFigure(runs, { k: 4 }));
  });

  test("is the two-panel training-curve figure under its own builder name", () => {
    const fig = mitigationTrajectoriesFigure(runs, { k: 4 });
    assert.equal(fig.builder, "mitigationTrajectoriesFigure");
    assert.equal(fig.data.length, 4);
    assert.match(
      String((fig.layout.legend as { title: { text: string } }).title.text),
      /direction/,
    );
  });
});

describe("mitigationOutcomeFigure", () => {
  const methods = (scale: number) =>
    ["pass@1", "pass@4", "projection"].map((name) => ({
      name,
      deltaJ1: scale * rng.normal(),
      deltaJk: scale * rng.normal(),
    }));
  const groups = [
    { name: "toy", methods: methods(0.05) },
    { name: "private features", methods: methods(0.02) },
  ];

  test("matches its snapshot", () => {
    matchSnapshot("plots-mitigations-outcomes", mitigationOutcomeFigure({ k: 4, groups }));
  });

  test("one horizontal bar trace per population and panel, methods as categories in the given order", () => {
    const data = mitigationOutcomeFigure({ k: 4, groups }).data as Trace[];
    assert.equal(data.length, 4);
    assert.deepEqual(data[0].y, ["pass@1", "pass@4", "projection"]);
    assert.deepEqual(
      data.map((t) => t.xaxis),
      ["x", "x2", "x", "x2"],
    );
    assert.deepEqual(
      data.map((t) => t.showlegend),
      [true, false, true, false],
    );
  });

  test("groups naming different methods throw, naming the group", () => {
    const bad = [groups[0], { name: "other", methods: groups[1].methods.slice(0, 2) }];
    assert.throws(
      () => mitigationOutcomeFigure({ k: 4, groups: bad }),
      /^RangeError: mitigationOutcomeFigure: groups\[1\]\.methods must name the same methods as groups\[0\]/,
    );
  });
});

describe("projectionGuaranteeFigure", () => {
  const steps = [0, 10, 20, 30];
  const data = {
    k: 4,
    steps,
    c: steps.map(() => -7e-4 + rng.normal(0, 1e-5)),
    gJ1: [0, -1e-19, 2e-19, 0],
    gJk: [9e-4, 3e-4, 1e-4, 2e-5],
  };

  test("matches its snapshot", () => {
    matchSnapshot("plots-mitigations-projection", projectionGuaranteeFigure(data));
  });

  test("⟨g, ∇J_1⟩ is drawn in the pass@1 colour and ⟨g, ∇J_k⟩ in the pass@k colour", () => {
    const [, g1, gk] = projectionGuaranteeFigure(data).data as Trace[];
    assert.equal(g1.line?.color, ROLE_COLORS.pass1);
    assert.equal(gk.line?.color, ROLE_COLORS.passK);
  });

  test("a series whose length differs from steps throws", () => {
    assert.throws(() => projectionGuaranteeFigure({ ...data, gJk: [1] }), {
      name: "RangeError",
      message: "projectionGuaranteeFigure: gJk has length 1, but steps has length 4",
    });
  });
});
