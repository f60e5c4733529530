import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { TOL } from "../lib/core/tolerances";
import { agreementScores, conflictProfile } from "../lib/theory/interference";
import { createRng } from "../lib/core/rng";
import {
  addToWeights,
  allScores,
  createNeuralPolicy,
  forwardPass,
  fullPopulation,
  lastLayerOffset,
  lastLayerPopulation,
  parameterCount,
  scoreSum,
  type NetworkWeights,
  type NeuralPolicy,
} from "../lib/sim/neuralPolicy";

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** float32 network against float64 closed forms: differences of a few float32 ulps. */
const FLOAT32 = 1e-5;

describe("the stand-in in float64: all parameters (m = 5, H = 4, + and −)", () => {
  let policy: NeuralPolicy;
  let net: NetworkWeights;
  before(async () => {
    policy = await createNeuralPolicy({
      modulus: 5,
      operations: ["+", "-"],
      hidden: 4,
      rng: createRng(3),
    });
    policy.train({ steps: 10, learningRate: 0.05, objective: "crossEntropy" });
    net = policy.weights();
  });
  after(() => policy.dispose());

  test("the float64 forward pass reproduces the tfjs network's π(·|x)", () => {
    assert.equal(parameterCount(net), 12 * 4 + 4 + 4 * 5 + 5); // F = 5 + 5 + 2
    const fwd = forwardPass(policy.task, net);
    assert.ok(maxAbsDiff(fwd.probs, policy.probs()) < FLOAT32);
  });

  test("the closed-form score of all parameters equals tfjs autodiff of log π(y|x)", () => {
    const fwd = forwardPass(policy.task, net);
    const S = allScores(policy.task, net, fwd);
    const D = parameterCount(net);
    const m = policy.task.modulus;
    for (const x of [0, 7, 31, 49]) {
      for (let y = 0; y < m; y++) {
        const row = S.subarray((x * m + y) * D, (x * m + y + 1) * D);
        const diff = maxAbsDiff(row, policy.fullScoreAutodiff(x, y));
        assert.ok(diff < FLOAT32, `x = ${x}, y = ${y}: ${diff}`);
        // its last-layer part is the existing last-layer closed form
        const last = policy.lastLayerScore(x, y);
        assert.ok(maxAbsDiff(row.subarray(lastLayerOffset(net)), last) < FLOAT32);
      }
    }
  });

  test("∇p(x) over all parameters equals central finite differences of p(x) (float64)", () => {
    const pop = fullPopulation(policy.task, net);
    const D = pop.d;
    const h = 1e-5;
    const unit = new Float64Array(D);
    for (const x of [3, 28]) {
      const y = policy.task.answer[x];
      const p = (w: NetworkWeights) => forwardPass(policy.task, w).probs[x * 5 + y];
      for (let j = 0; j < D; j++) {
        unit[j] = 1;
        const fd = (p(addToWeights(net, unit, h)) - p(addToWeights(net, unit, -h))) / (2 * h);
        unit[j] = 0;
        const g = pop.gradP[x * D + j];
        assert.ok(Math.abs(fd - g) < TOL.finiteDifference, `x = ${x}, j = ${j}: ${fd} vs ${g}`);
      }
    }
  });

  test("the last-layer slice equals NeuralPolicy.population() and scoreSum is linear in C", () => {
    const full = fullPopulation(policy.task, net);
    const last = lastLayerPopulation(full, net);
    const ref = policy.population();
    assert.equal(last.d, ref.d);
    assert.ok(maxAbsDiff(last.gradP, ref.gradP) < FLOAT32);
    assert.ok(maxAbsDiff(last.p, ref.p) < FLOAT32);
    const fwd = forwardPass(policy.task, net);
    const S = allScores(policy.task, net, fwd);
    const rng = createRng(9);
    const C = Float64Array.from({ length: policy.task.N * 5 }, () => rng.normal());
    const sum = scoreSum(policy.task, net, fwd, C);
    const byRows = new Float64Array(D(net));
    C.forEach((c, r) => {
      for (let j = 0; j < byRows.length; j++) byRows[j] += c * S[r * byRows.length + j];
    });
    assert.ok(maxAbsDiff(sum, byRows) < TOL.exact);
  });

  test("inner products add over blocks: a_full = a_last + a_lower, and so does ⟨∇J_k, ∇J_1⟩", () => {
    const full = fullPopulation(policy.task, net);
    const last = lastLayerPopulation(full, net);
    const off = lastLayerOffset(net);
    const lowerGrad = new Float64Array(full.N * off);
    for (let x = 0; x < full.N; x++)
      lowerGrad.set(full.gradP.subarray(x * full.d, x * full.d + off), x * off);
    const lower = { ...full, d: off, gradP: lowerGrad };
    const [aF, aL, aW] = [full, last, lower].map((pop) => agreementScores(pop));
    const scale = Math.max(...Array.from(aF, Math.abs));
    assert.ok(
      maxAbsDiff(
        aF,
        aL.map((v, x) => v + aW[x]),
      ) <
        TOL.exact * scale,
    );
    const ks = [1, 2, 5, 9];
    const [iF, iL, iW] = [full, last, lower].map((pop) => conflictProfile(pop, ks).innerProduct);
    assert.ok(
      maxAbsDiff(
        iF,
        iL.map((v, s) => v + iW[s]),
      ) <
        TOL.exact * Math.abs(iF[0]),
    );
  });
});

function D(net: NetworkWeights): number {
  return parameterCount(net);
}
