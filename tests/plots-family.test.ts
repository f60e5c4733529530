/**
 * Snapshot and property tests of lib/plots/family.ts (notebook 10's figures).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  familyConflictFigure,
  familyDensityFigure,
  familyTrajectoriesFigure,
  familyWeightsFigure,
} from "../lib/plots/family";
import { objectiveWeights } from "../lib/theory/objectives";
import { familyWeights } from "../lib/theory/family";
import { uShapedDifficulty } from "../lib/sim/index";
import { createRng } from "../lib/core/rng";
import { matchSnapshot } from "./helpers/snapshot";

const ps = Array.from({ length: 11 }, (_, i) => i / 10);

describe("familyWeightsFigure", () => {
  const fig = familyWeightsFigure({
    p: ps,
    curves: [
      { name: "pass@4", w: objectiveWeights({ kind: "passK", k: 4 }, ps) },
      { name: "pass^4", w: objectiveWeights({ kind: "passHatK", k: 4 }, ps), dash: "dash" },
    ],
  });
  test("matches its snapshot", () => matchSnapshot("plots-family-weights", fig));
  test("the two curves are mirror images: w^k(p) = w_k(1 − p)", () => {
    const [a, b] = fig.data.map((t) => (t as { y: number[] }).y);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[ps.length - 1 - i]) < 1e-3 * (1 + v)));
  });
  test("a curve of the wrong length names it", () => {
    assert.throws(
      () => familyWeightsFigure({ p: ps, curves: [{ name: "x", w: [1] }] }),
      /familyWeightsFigure: curves\[0\].w has length 1/,
    );
  });
});

describe("familyDensityFigure", () => {
  const pr = uShapedDifficulty({ N: 200, rng: createRng(10) });
  const members = [
    { name: "pass@8", q: familyWeights({ kind: "passK", k: 8 }, pr.mass, pr.p) },
    { name: "pass^8", q: familyWeights({ kind: "passHatK", k: 8 }, pr.mass, pr.p) },
  ];
  const fig = familyDensityFigure({ p: pr.p, mass: pr.mass, members, bins: 10 });
  test("matches its snapshot", () => matchSnapshot("plots-family-density", fig));
  test("each density integrates to 1", () => {
    for (const t of fig.data) {
      const total = (t as { y: number[] }).y.reduce((s, v) => s + v / 10, 0);
      assert.ok(Math.abs(total - 1) < 1e-3, `${(t as { name: string }).name}: ${total}`);
    }
  });
  test("pass@8 sits left of pass^8 (mean p of the density)", () => {
    const mean = (t: unknown) => {
      const { x, y } = t as { x: number[]; y: number[] };
      return x.reduce((s, xi, i) => s + (xi * y[i]) / 10, 0);
    };
    assert.ok(mean(fig.data[1]) < mean(fig.data[0]) && mean(fig.data[0]) < mean(fig.data[2]));
  });
});

describe("familyConflictFigure and familyTrajectoriesFigure", () => {
  const conflict = familyConflictFigure({
    ks: [1, 2, 4, 8],
    panels: [
      {
        name: "our toy",
        curves: [
          { name: "pass@k", cosine: [1, -0.2, -0.8, -0.9] },
          { name: "pass^k", cosine: [1, 0.9, 0.8, 0.7], dash: "dash" },
        ],
      },
      {
        name: "mirror",
        curves: [
          { name: "pass@k", cosine: [1, 0.9, 0.8, 0.7] },
          { name: "pass^k", cosine: [1, -0.2, -0.8, -0.9], dash: "dash" },
        ],
      },
    ],
  });
  test("conflict matches its snapshot; one legend entry per family", () => {
    matchSnapshot("plots-family-conflict", conflict);
    assert.equal(conflict.data.filter((t) => (t as { showlegend: boolean }).showlegend).length, 2);
  });
  test("trajectories match their snapshot", () => {
    matchSnapshot(
      "plots-family-trajectories",
      familyTrajectoriesFigure({
        panels: [
          {
            name: "our toy",
            runs: [
              { name: "pass@1", steps: [0, 5, 10], J1: [0.6, 0.62, 0.63] },
              { name: "pass@4", steps: [0, 5, 10], J1: [0.6, 0.58, 0.55] },
            ],
          },
          {
            name: "mirror",
            runs: [
              { name: "pass@1", steps: [0, 5, 10], J1: [0.3, 0.35, 0.4] },
              { name: "pass@4", steps: [0, 5, 10], J1: [0.3, 0.36, 0.42] },
            ],
          },
        ],
      }),
    );
  });
  test("bad input names the builder and the field", () => {
    assert.throws(
      () => familyConflictFigure({ ks: [1, 2], panels: [] }),
      /familyConflictFigure: panels must be a non-empty list/,
    );
    assert.throws(
      () =>
        familyConflictFigure({
          ks: [1, 2],
          panels: [{ name: "a", curves: [{ name: "b", cosine: [1] }] }],
        }),
      /panels\[0\].curves\[0\].cosine has length 1/,
    );
  });
});
