import { test, describe, before, after } from "node:test";
import { TOL } from "../lib/core/tolerances";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diagnose } from "../lib/diagnostic/index";
import { loadData } from "../lib/diagnostic/read";
import { conflictProfile } from "../lib/theory/interference";
import {
  batchSampleData,
  createNeuralPolicy,
  modularTask,
  pairedPassAt1Change,
  randomProjection,
  verify,
  writeSamplesJsonl,
  type NeuralPolicy,
} from "../lib/sim/neuralPolicy";
import { createRng } from "../lib/core/rng";

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** (f(θ + h e_j) − f(θ − h e_j))/(2h) over the last layer; leaves θ_L at `theta`. */
function centralDifference(
  policy: NeuralPolicy,
  theta: Float64Array,
  j: number,
  h: number,
  f: () => number,
): number {
  const shifted = Float64Array.from(theta);
  shifted[j] = theta[j] + h;
  policy.setLastLayer(shifted);
  const plus = f();
  shifted[j] = theta[j] - h;
  policy.setLastLayer(shifted);
  const minus = f();
  policy.setLastLayer(theta);
  return (plus - minus) / (2 * h);
}

describe("the verifiable task", () => {
  test("answers are (a op b) mod m for +, − and ×, and the verifier accepts exactly them", () => {
    const task = modularTask(5, ["+", "-", "*"]);
    assert.equal(task.N, 75);
    for (let x = 0; x < task.N; x++) {
      const [a, b] = [task.a[x], task.b[x]];
      const v = [a + b, a - b, a * b][task.op[x]];
      assert.equal(task.answer[x], ((v % 5) + 5) % 5);
      assert.equal(task.ids[x], `${a}${"+-*"[task.op[x]]}${b}`);
      for (let y = 0; y < 5; y++) assert.equal(verify(task, x, y), y === task.answer[x]);
    }
    assert.throws(() => modularTask(1), /modularTask: modulus must be an integer ≥ 2, got 1/);
    assert.throws(() => modularTask(3, ["/" as "+"]), /operations must be a non-empty list/);
  });
});

describe("a tiny tfjs network (m = 3, H = 2): last-layer scores", () => {
  let policy: NeuralPolicy;
  before(async () => {
    policy = await createNeuralPolicy({
      modulus: 3,
      operations: ["+", "-"],
      hidden: 2,
      rng: createRng(1),
    });
    policy.train({ steps: 5, learningRate: 0.1, objective: "crossEntropy" }); // move off the symmetric start
  });
  after(() => policy.dispose());

  test("the closed form ĥ ⊗ (e_y − π) equals tfjs autodiff of log π(y|x) (float32 network)", () => {
    assert.equal(policy.d, 9);
    for (let x = 0; x < policy.task.N; x += 5) {
      for (let y = 0; y < 3; y++) {
        const diff = maxAbsDiff(policy.lastLayerScore(x, y), policy.lastLayerScoreAutodiff(x, y));
        assert.ok(diff < 1e-6, `x = ${x}, y = ${y}: ${diff}`);
      }
    }
  });

  test("the closed form equals central finite differences of log π(y|x) in each last-layer parameter", () => {
    const theta = policy.lastLayer();
    const h = 1e-2; // float32 network: larger steps keep rounding error (≈ 1e-7/h) below the O(h²) error
    for (const [x, y] of [
      [0, 0],
      [4, 2],
      [13, 1],
    ]) {
      const score = policy.lastLayerScore(x, y);
      for (let j = 0; j < policy.d; j++) {
        const fd = centralDifference(policy, theta, j, h, () => policy.logProb(x, y));
        assert.ok(
          Math.abs(fd - score[j]) < 2e-3,
          `x = ${x}, y = ${y}, j = ${j}: fd ${fd} vs ${score[j]}`,
        );
      }
    }
  });

  test("the exact ∇p(x) equals π(y*|x)·s(x, y*) and central finite differences of p(x)", () => {
    const pop = policy.population();
    const theta = policy.lastLayer();
    const h = 1e-2;
    for (const x of [2, 11]) {
      const y = policy.task.answer[x];
      const s = policy.lastLayerScore(x, y);
      const row = pop.gradP.subarray(x * pop.d, (x + 1) * pop.d);
      assert.ok(
        maxAbsDiff(
          row,
          s.map((v) => pop.p[x] * v),
        ) < TOL.exact,
      );
      for (let j = 0; j < pop.d; j++) {
        const fd = centralDifference(policy, theta, j, h, () => policy.passAt1()[x]);
        assert.ok(Math.abs(fd - row[j]) < 1e-3, `x = ${x}, j = ${j}`);
      }
    }
  });
});

describe("the stand-in LLM: (a ± b) mod 7, 16 hidden units, warm start then pass@1", () => {
  let policy: NeuralPolicy;
  let trace: { sft: number[]; rl: number[] };
  before(async () => {
    policy = await createNeuralPolicy({
      modulus: 7,
      operations: ["+", "-"],
      hidden: 16,
      rng: createRng(7),
    });
    const sft = policy.train({
      steps: 200,
      learningRate: 0.02,
      targetPassAt1: 0.3,
      objective: "crossEntropy",
    }).passAt1;
    const rl = policy.train({ steps: 20, learningRate: 0.01, objective: "passAt1" }).passAt1;
    trace = { sft, rl };
  });
  after(() => policy.dispose());

  test("training raises pass@1 and leaves prompts from hard (p < 0.1) to easy (p > 0.7)", () => {
    assert.ok(trace.sft[0] < 0.16, "starts near 1/m");
    assert.ok(trace.sft.at(-1)! >= 0.3 && trace.sft.length < 200, "warm start stops at the target");
    assert.ok(
      trace.rl.at(-1)! > trace.rl[0] + 0.05,
      `pass@1 steps raise J_1: ${trace.rl[0]} → ${trace.rl.at(-1)}`,
    );
    const p = Array.from(policy.passAt1()).sort((a, b) => a - b);
    assert.ok(
      p[Math.floor(0.1 * p.length)] < 0.1 && p[Math.floor(0.9 * p.length)] > 0.7,
      `p deciles ${p[9]} … ${p[88]}`,
    );
  });

  test("sampled answers are correct at rate p(x): total correct within 4 standard errors of Σ n·p(x)", () => {
    const n = 200;
    const batch = policy.sample(n, createRng(3));
    const p = policy.passAt1(batch.probs);
    let correct = 0;
    let mean = 0;
    let variance = 0;
    for (let x = 0; x < batch.N; x++) {
      for (let j = 0; j < n; j++) correct += batch.correct[x * n + j];
      mean += n * p[x];
      variance += n * p[x] * (1 - p[x]);
    }
    assert.ok(
      Math.abs(correct - mean) <= 4 * Math.sqrt(variance),
      `${correct} vs ${mean} ± ${Math.sqrt(variance)}`,
    );
  });

  test("the diagnostic on sampled responses is unbiased for the exact last-layer ⟨∇J_k,∇J_1⟩ (30 batches, within 4 standard errors)", () => {
    const ks = [1, 4, 16];
    const exact = conflictProfile(policy.population(), ks).innerProduct;
    assert.ok(
      exact[0] > 0 && exact[2] < 0,
      `the stand-in conflicts at k = 16: ${Array.from(exact)}`,
    );
    const rng = createRng(4);
    const values: number[][] = ks.map(() => []);
    for (let r = 0; r < 30; r++) {
      const res = diagnose(batchSampleData(policy, policy.sample(32, rng)), {
        k: ks,
        bootstrap: 0,
      });
      ks.forEach((_, s) => values[s].push(res.innerProduct[s]!));
    }
    ks.forEach((k, s) => {
      const v = values[s];
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const se = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1) / v.length);
      assert.ok(Math.abs(mean - exact[s]) <= 4 * se, `k = ${k}: ${mean} vs ${exact[s]} (SE ${se})`);
    });
  });

  test("exported JSONL loads back to the same sufficient statistics as the in-memory batch", async () => {
    const batch = policy.sample(6, createRng(5));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "passk-nn-")), "samples.jsonl");
    writeSamplesJsonl(file, policy, batch);
    const fromFile = await loadData(file);
    const inMemory = batchSampleData(policy, batch);
    assert.equal(fromFile.prompts.length, 98);
    assert.equal(fromFile.d, policy.d);
    fromFile.prompts.forEach((st, x) => {
      const ref = inMemory.prompts[x];
      assert.deepEqual([st.id, st.n, st.c, st.cA], [ref.id, ref.n, ref.c, ref.cA]);
      assert.ok(maxAbsDiff(st.sums!, ref.sums!) === 0, "17 significant digits round-trip exactly");
    });
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  test("one step along ∇J_k changes exact J_1 by η⟨∇J_k,∇J_1⟩ to first order; fresh paired samples measure it within 4 SE; θ_L is restored", () => {
    const before = policy.lastLayer();
    for (const k of [1, 32]) {
      const r = pairedPassAt1Change(policy, { k, eta: 1, freshSamples: 10000, rng: createRng(6) });
      const exactChange = r.exactAfter - r.exactBefore;
      assert.ok(
        Math.abs(exactChange - r.predictedChange) <= 0.25 * Math.abs(r.predictedChange),
        `k = ${k}: ${exactChange} vs ${r.predictedChange}`,
      );
      assert.ok(
        Math.abs(r.measuredChange - exactChange) <= 4 * r.measuredChangeSE,
        `k = ${k}: measured ${r.measuredChange} ± ${r.measuredChangeSE} vs ${exactChange}`,
      );
      assert.ok(r.passAtKAfter > r.passAtKBefore, "the step raises J_k");
      assert.equal(Math.sign(exactChange), k === 1 ? 1 : -1);
    }
    assert.deepEqual(policy.lastLayer(), before);
  });
});

test("a random projection keeps inner products in expectation: E⟨Pu, Pv⟩ = ⟨u, v⟩ within 4 SE over 400 projections", () => {
  const rng = createRng(8);
  const u = Float64Array.from({ length: 30 }, () => rng.normal());
  const v = Float64Array.from({ length: 30 }, (_, j) => 0.5 * u[j] + rng.normal());
  const exact = u.reduce((t, x, j) => t + x * v[j], 0);
  const values: number[] = [];
  for (let r = 0; r < 400; r++) {
    const dOut = 4;
    const P = randomProjection(30, dOut, rng);
    let t = 0;
    for (let i = 0; i < dOut; i++) {
      let pu = 0;
      let pv = 0;
      for (let j = 0; j < 30; j++) {
        pu += P[i * 30 + j] * u[j];
        pv += P[i * 30 + j] * v[j];
      }
      t += pu * pv;
    }
    values.push(t);
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const se = Math.sqrt(
    values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) / values.length,
  );
  assert.ok(Math.abs(mean - exact) <= 4 * se, `${mean} vs ${exact} (SE ${se})`);
});
