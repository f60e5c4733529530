/**
 * The two stand-in studies of notebook 08 §5–6 (issue 16), on the notebook's network: numbers
 * against independent computation, and the claims the notebook states.
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { TOL } from "../lib/core/tolerances";
import { createRng } from "../lib/core/rng";
import { dot } from "../lib/core/stats";
import { gradJ1, gradJk } from "../lib/theory/interference";
import {
  createNeuralPolicy,
  fullPopulation,
  sampledAscent,
  type NetworkWeights,
  type NeuralPolicy,
} from "../lib/sim/neuralPolicy";
import { layerAgreementStudy, type LayerAgreementResult } from "../lib/studies/neuralLayerStudy";
import { neuralTrainingStudy, type NeuralTrainingResult } from "../lib/studies/neuralTrainingStudy";

/** The float32 tfjs network against float64: a few float32 ulps on O(1) quantities. */
const FLOAT32 = 1e-5;

const flatten = (w: NetworkWeights) => Float64Array.from([...w.w1, ...w.b1, ...w.w2, ...w.b2]);

let policy: NeuralPolicy;
let net: NetworkWeights;
before(async () => {
  // notebook 08's network: SEED, warm start to pass@1 0.3, then 20 exact pass@1 steps
  const rng = createRng(20260226);
  policy = await createNeuralPolicy({
    modulus: 7,
    operations: ["+", "-"],
    hidden: 16,
    rng: rng.split(),
  });
  policy.train({ steps: 200, learningRate: 0.02, targetPassAt1: 0.3, objective: "crossEntropy" });
  policy.train({ steps: 20, learningRate: 0.01, objective: "passAt1" });
  net = policy.weights();
});
after(() => policy.dispose());

describe("last layer against all parameters (layerAgreementStudy)", () => {
  let res: LayerAgreementResult;
  before(() => {
    res = layerAgreementStudy(policy.task, net, {
      n: 32,
      ks: [1, 2, 4, 8, 16],
      kMax: 32,
      rng: createRng(5),
    });
  });

  test("a_last is the tfjs network's last-layer agreement; ⟨∇J_k,∇J_1⟩ = direct dot products", () => {
    const pop = policy.population(); // tfjs, last layer, its own closed form
    const g1 = gradJ1(pop);
    pop.p.forEach((_, x) => {
      const a = dot(pop.gradP.subarray(x * pop.d, (x + 1) * pop.d), g1);
      assert.ok(Math.abs(a - res.last.agreement[x]) < FLOAT32 * 1e-2, `x = ${x}`);
    });
    const full = fullPopulation(policy.task, net);
    const f1 = gradJ1(full);
    for (const k of [1, 3, 6, 20]) {
      const direct = dot(gradJk(full, k), f1);
      const rel = Math.abs(direct - res.full.exact.innerProduct[k - 1]) / Math.abs(direct);
      assert.ok(
        rel < TOL.algorithmsAgree,
        `k = ${k}: ${direct} vs ${res.full.exact.innerProduct[k - 1]}`,
      );
    }
    // k* of each side: the first k of the direct scan with a negative inner product
    for (const side of [res.last, res.full]) {
      const first = side.exact.innerProduct.findIndex((v) => v < 0) + 1;
      assert.equal(side.kStarExact, first);
    }
  });

  test("correlations and sign shares equal a direct computation", () => {
    const u = Array.from(res.last.agreement);
    const v = Array.from(res.full.agreement);
    const n = u.length;
    const z = (w: number[]) => {
      const m = w.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / n);
      return w.map((t) => (t - m) / sd);
    };
    const zu = z(u);
    const zv = z(v);
    const r = zu.reduce((a, t, i) => a + t * zv[i], 0) / n;
    assert.ok(Math.abs(r - res.pearson) < TOL.exact);
    // Spearman without ties: 1 − 6Σd²/(n(n²−1))
    const rank = (w: number[]) => {
      const order = w.map((t, i) => [t, i]).sort((a, b) => a[0] - b[0]);
      const out = new Array<number>(n);
      order.forEach(([, i], j) => (out[i] = j + 1));
      return out;
    };
    assert.equal(new Set(u).size, n);
    const ru = rank(u);
    const rv = rank(v);
    const d2 = ru.reduce((a, t, i) => a + (t - rv[i]) ** 2, 0);
    assert.ok(Math.abs(1 - (6 * d2) / (n * (n * n - 1)) - res.spearman) < TOL.exact);
    const agree = u.filter((t, i) => Math.sign(t) === Math.sign(v[i])).length;
    assert.equal(res.signAgreement, agree / n);
    // weighted by q_1 (uniform): the plain share
    assert.ok(Math.abs(res.signAgreementWeighted[0] - res.signAgreement) < TOL.exact);
  });

  test("the sampled inner products of both sides are unbiased: 20 batches within 4 SE of exact", () => {
    const rng = createRng(77);
    const R = 20;
    const ks = [2, 8];
    const sums = [0, 1].map(() => ks.map(() => [] as number[]));
    for (let r = 0; r < R; r++) {
      const again = layerAgreementStudy(policy.task, net, { n: 32, ks, kMax: 8, rng: rng.split() });
      [again.last, again.full].forEach((side, i) =>
        ks.forEach((_, s) => sums[i][s].push(side.sampled.innerProduct[s]!)),
      );
    }
    [res.last, res.full].forEach((side, i) =>
      ks.forEach((k, s) => {
        const v = sums[i][s];
        const m = v.reduce((a, b) => a + b, 0) / R;
        const se = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (R - 1) / R);
        const exact = side.exact.innerProduct[k - 1];
        assert.ok(Math.abs(m - exact) < 4 * se, `side ${i}, k = ${k}: ${m} vs ${exact} (SE ${se})`);
      }),
    );
  });

  test("the claim notebook 08 states: the last layer tracks the full network, k* one apart", () => {
    assert.equal(res.last.d, 119);
    assert.equal(res.full.d, 391);
    assert.ok(res.pearson > 0.8 && res.spearman > 0.8, `${res.pearson}, ${res.spearman}`);
    assert.ok(res.signAgreement > 0.85, `${res.signAgreement}`);
    assert.ok(res.last.kStarExact !== null && res.full.kStarExact !== null);
    assert.ok(Math.abs(res.last.kStarExact - res.full.kStarExact) <= 1);
  });
});

describe("multi-step sampled training (sampledAscent, neuralTrainingStudy)", () => {
  test("one step's ĝ is unbiased for ∇J_k (PKPO) and (n−k+1)/n·∇J_k (unbiased ŵ_k): 400 draws", () => {
    const full = fullPopulation(policy.task, net);
    const n = 16;
    const k = 4;
    const g1 = gradJ1(full);
    const gk = gradJk(full, k);
    const theta0 = flatten(net);
    const rng = createRng(3);
    for (const [estimator, factor] of [
      ["pkpo", 1],
      ["unbiasedWeight", (n - k + 1) / n],
    ] as const) {
      // projections of ĝ on ∇J_1 and on ∇J_k
      const proj: number[][] = [[], []];
      for (let r = 0; r < 400; r++) {
        const tr = sampledAscent(policy.task, net, {
          estimator,
          k,
          n,
          steps: 1,
          learningRate: k, // step η/k = 1: θ_1 − θ_0 = ĝ
          evalKs: [k],
          rng: rng.split(),
        });
        const g = flatten(tr.final).map((t, j) => t - theta0[j]);
        proj[0].push(dot(g, g1));
        proj[1].push(dot(g, gk));
      }
      [dot(gk, g1), dot(gk, gk)].forEach((want, i) => {
        const v = proj[i];
        const m = v.reduce((a, b) => a + b, 0) / v.length;
        const se = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) / v.length);
        assert.ok(
          Math.abs(m - factor * want) < 4 * se,
          `${estimator}, projection ${i}: ${m} vs ${factor * want} (SE ${se})`,
        );
      });
    }
  });

  let res: NeuralTrainingResult;
  test("the recorded J_1 is exact: the mean p(x) of the final weights", () => {
    res = neuralTrainingStudy(policy.task, net, {
      ks: [2, 12],
      n: 16,
      steps: 200,
      learningRate: 1,
      seeds: 5,
      seed: 11,
    });
    const tr = sampledAscent(policy.task, net, {
      estimator: "pkpo",
      k: 12,
      n: 16,
      steps: 200,
      learningRate: 1,
      evalKs: [2, 12],
      rng: createRng(11),
    });
    const p = fullPopulation(policy.task, tr.final).p;
    const j1 = p.reduce((a, b) => a + b, 0) / p.length;
    assert.ok(Math.abs(tr.J1[200] - j1) < TOL.exact);
    const arm = res.arms.find((a) => a.label === "pass@12, PKPO")!;
    assert.ok(Math.abs(arm.changeJ1.perSeed[0] - (j1 - tr.J1[0])) < TOL.exact);
  });

  test("the claim (5 seeds, 200 steps, margin 3 SE): k > k* lowers pass@1 and raises pass@k; k < k* raises both", () => {
    const kStar = res.kStarStart.full!;
    assert.equal(kStar, 6, "the starting k* over all parameters");
    for (const arm of res.arms) {
      const dJ1 = arm.changeJ1;
      if (arm.k === 1) {
        assert.ok(dJ1.mean > 3 * dJ1.se, `${arm.label}: ΔJ_1 ${dJ1.mean} ± ${dJ1.se}`);
        continue;
      }
      const dJk = arm.changeJk[res.ks.indexOf(arm.k)];
      assert.ok(dJk.mean > 3 * dJk.se, `${arm.label}: ΔJ_k ${dJk.mean} ± ${dJk.se}`);
      if (arm.k > kStar)
        assert.ok(dJ1.mean < -3 * dJ1.se, `${arm.label}: ΔJ_1 ${dJ1.mean} ± ${dJ1.se}`);
      else assert.ok(dJ1.mean > 3 * dJ1.se, `${arm.label}: ΔJ_1 ${dJ1.mean} ± ${dJ1.se}`);
    }
  });
});
