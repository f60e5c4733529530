/**
 * The sketch sidecar reader and the projection-variance formula of lib/diagnostic/sketch.ts,
 * checked by seeded Monte Carlo over the projection (R, Q) on small dense matrices.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createRng, type Rng } from "../lib/core/rng";
import {
  kroneckerSketchVariance,
  readSketchSidecar,
  sketchInnerProductSdBound,
} from "../lib/diagnostic/sketch";

/** ⟨RᵀG₁Q, RᵀG₂Q⟩ for one draw of R (V × r1, N(0, 1/r1)) and Q (h × r2, N(0, 1/r2)). */
function sketchedInner(
  G1: Float64Array,
  G2: Float64Array,
  V: number,
  h: number,
  r1: number,
  r2: number,
  rng: Rng,
  kind: "gaussian" | "rademacher",
): number {
  const draw = (scale: number): number =>
    (kind === "gaussian" ? rng.normal() : rng.uniform() < 0.5 ? -1 : 1) * scale;
  const R = Float64Array.from({ length: V * r1 }, () => draw(1 / Math.sqrt(r1)));
  const Q = Float64Array.from({ length: h * r2 }, () => draw(1 / Math.sqrt(r2)));
  const sketch = (G: Float64Array): Float64Array => {
    const GQ = new Float64Array(V * r2);
    for (let v = 0; v < V; v++)
      for (let j = 0; j < h; j++)
        for (let b = 0; b < r2; b++) GQ[v * r2 + b] += G[v * h + j] * Q[j * r2 + b];
    const S = new Float64Array(r1 * r2);
    for (let a = 0; a < r1; a++)
      for (let v = 0; v < V; v++)
        for (let b = 0; b < r2; b++) S[a * r2 + b] += R[v * r1 + a] * GQ[v * r2 + b];
    return S;
  };
  const S1 = sketch(G1);
  const S2 = sketch(G2);
  let s = 0;
  for (let i = 0; i < S1.length; i++) s += S1[i] * S2[i];
  return s;
}

function moments(xs: Float64Array): {
  mean: number;
  variance: number;
  seVariance: number;
  seMean: number;
} {
  const N = xs.length;
  let m = 0;
  for (const x of xs) m += x;
  m /= N;
  let m2 = 0;
  let m4 = 0;
  for (const x of xs) {
    m2 += (x - m) ** 2;
    m4 += (x - m) ** 4;
  }
  m2 /= N - 1;
  m4 /= N;
  return {
    mean: m,
    variance: m2,
    seVariance: Math.sqrt((m4 - m2 * m2) / N),
    seMean: Math.sqrt(m2 / N),
  };
}

describe("projection variance of sketched inner products", () => {
  const V = 7;
  const h = 5;
  const setup = (seed: number, rankOne: boolean) => {
    const rng = createRng(seed);
    const G1 = Float64Array.from({ length: V * h }, () => rng.normal());
    const G2 = Float64Array.from({ length: V * h }, (_, t) => 0.6 * G1[t] + rng.normal());
    if (rankOne) {
      // a single-token score e ⊗ h is rank one: the hardest case for a Kronecker sketch
      const u = Array.from({ length: V }, () => rng.normal());
      const w = Array.from({ length: h }, () => rng.normal());
      for (let v = 0; v < V; v++) for (let j = 0; j < h; j++) G1[v * h + j] = u[v] * w[j];
    }
    let c = 0;
    let n1 = 0;
    let n2 = 0;
    for (let t = 0; t < V * h; t++) {
      c += G1[t] * G2[t];
      n1 += G1[t] ** 2;
      n2 += G2[t] ** 2;
    }
    return { G1, G2, c, n1, n2 };
  };

  for (const [r1, r2, rankOne] of [
    [3, 4, false],
    [2, 6, true],
    [8, 3, false],
  ] as const) {
    test(`Gaussian R, Q with r1 = ${r1}, r2 = ${r2}${rankOne ? ", rank-one G1" : ""}: mean ⟨G1,G2⟩, variance = formula (within 3 SE), ≤ bound`, () => {
      const { G1, G2, c, n1, n2 } = setup(10 * r1 + r2, rankOne);
      const rng = createRng(1000 + r1 * r2);
      const xs = Float64Array.from({ length: 6000 }, () =>
        sketchedInner(G1, G2, V, h, r1, r2, rng, "gaussian"),
      );
      const mc = moments(xs);
      const exact = kroneckerSketchVariance(G1, G2, V, h, r1, r2);
      assert.ok(
        Math.abs(mc.mean - c) <= 3 * mc.seMean,
        `mean ${mc.mean} vs ${c} (SE ${mc.seMean})`,
      );
      assert.ok(
        Math.abs(mc.variance - exact) <= 3 * mc.seVariance,
        `variance ${mc.variance} vs formula ${exact} (SE ${mc.seVariance})`,
      );
      const bound = sketchInnerProductSdBound(n1, n2, c, r1, r2) ** 2;
      assert.ok(exact <= bound, `formula ${exact} ≤ bound ${bound}`);
    });
  }

  test("Rademacher R, Q: the Gaussian formula is an upper bound (variance within 3 SE below it or less)", () => {
    const { G1, G2 } = setup(77, false);
    const rng = createRng(78);
    const xs = Float64Array.from({ length: 6000 }, () =>
      sketchedInner(G1, G2, V, h, 3, 4, rng, "rademacher"),
    );
    const mc = moments(xs);
    assert.ok(mc.variance <= kroneckerSketchVariance(G1, G2, V, h, 3, 4) + 3 * mc.seVariance);
  });

  test("the formula is not the dense-projection variance: a wrong formula fails the same check", () => {
    // Test of the test: (n + c²)/(r1 r2), a dense r1·r2 projection's variance, is far too small.
    const { G1, G2, c, n1, n2 } = setup(34, true);
    const rng = createRng(35);
    const xs = Float64Array.from({ length: 6000 }, () =>
      sketchedInner(G1, G2, V, h, 2, 6, rng, "gaussian"),
    );
    const mc = moments(xs);
    const dense = (n1 * n2 + c * c) / 12;
    assert.ok(Math.abs(mc.variance - dense) > 3 * mc.seVariance);
  });

  test("the bound's closed form at n = 1, c = 0, r1 = r2 = 64", () => {
    const expected = Math.sqrt(2 * (2 / 64) + 3 / 4096);
    assert.equal(sketchInnerProductSdBound(1, 1, 0, 64, 64), expected);
    assert.equal(sketchInnerProductSdBound(-0.1, 1, 0, 64, 64), 0); // a negative norm estimate counts as 0
    assert.throws(() => sketchInnerProductSdBound(1, 1, 0, 0, 64), /r1 must be an integer ≥ 1/);
  });
});

describe("readSketchSidecar", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-sketch-"));
  const samples = path.join(dir, "s.jsonl");
  const good = {
    format: "passk-sketch/1",
    projection: "gaussian",
    seed: 3,
    r1: 8,
    r2: 4,
    vocab_size: 50,
    hidden_size: 16,
    model: "tiny",
    dtype: "float64",
  };
  test("no sidecar: null; a good one: its fields; d must be r1·r2", () => {
    assert.equal(readSketchSidecar(samples), null);
    fs.writeFileSync(`${samples}.sketch.json`, JSON.stringify(good));
    const info = readSketchSidecar(samples, 32);
    assert.deepEqual(
      [info?.projection, info?.r1, info?.r2, info?.vocabSize, info?.hiddenSize, info?.model],
      ["gaussian", 8, 4, 50, 16, "tiny"],
    );
    assert.throws(
      () => readSketchSidecar(samples, 31),
      /s\.jsonl\.sketch\.json:1: field "r1": r1·r2 = 32/,
    );
  });
  test("bad sidecars name the file and the field", () => {
    for (const [patch, re] of [
      [{ format: "x" }, /field "format"/],
      [{ r2: 0 }, /field "r2": must be an integer ≥ 1/],
      [{ projection: "sparse" }, /field "projection"/],
      [{ seed: "a" }, /field "seed"/],
    ] as const) {
      fs.writeFileSync(`${samples}.sketch.json`, JSON.stringify({ ...good, ...patch }));
      assert.throws(() => readSketchSidecar(samples), re);
    }
    fs.writeFileSync(`${samples}.sketch.json`, "{not json");
    assert.throws(() => readSketchSidecar(samples), /sketch\.json:1: not valid JSON/);
  });
});
