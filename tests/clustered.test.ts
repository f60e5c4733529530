/**
 * lib/sim/clustered.ts: the clustered d-dimensional family (our construction, issue 16). Checks the
 * geometry it promises (centre cosines = overlap, alternating actions, shares, spread), and that,
 * unlike the two-parameter toy, its per-prompt gradients are not all (anti)parallel to ∇J_1.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../lib/core/rng";
import { dot } from "../lib/core/stats";
import { clusteredContexts } from "../lib/sim/clustered";
import { logisticPolicy } from "../lib/sim/policies";
import { train } from "../lib/sim/training";
import { warmToy } from "../lib/sim/toy";
import { agreementScores, gradJ1 } from "../lib/theory/interference";
import type { Population } from "../lib/core/types";

const base = { M: 400, d: 8, clusters: 4, overlap: 0.3, spread: 0, rng: createRng(1) };

function warm(ctx: ReturnType<typeof clusteredContexts>) {
  const policy = logisticPolicy(ctx);
  const theta = train({
    policy,
    theta0: new Array(policy.d).fill(0),
    steps: 10,
    lr: 2,
    objective: { kind: "pass1" },
  }).theta;
  return policy.population(theta);
}

/** Share of prompts whose ∇p(x) has |cos| > 0.99 with ∇J_1. */
function nearlyParallel(pop: Population): number {
  const g1 = gradJ1(pop);
  let count = 0;
  for (let x = 0; x < pop.N; x++) {
    const g = pop.gradP.subarray(x * pop.d, (x + 1) * pop.d);
    if (Math.abs(dot(g, g1)) / Math.sqrt(dot(g, g) * dot(g1, g1)) > 0.99) count++;
  }
  return count / pop.N;
}

describe("clusteredContexts", () => {
  test("with no spread, centres have length scale and pairwise cosine = overlap", () => {
    const ctx = clusteredContexts({ ...base, scale: 3 });
    assert.equal(ctx.m, 9);
    const centre = (c: number) => {
      const x = Array.from(ctx.group).indexOf(c);
      return Array.from(ctx.features.subarray(x * ctx.m + 1, (x + 1) * ctx.m)); // drop intercept
    };
    for (let c = 0; c < 4; c++) {
      assert.ok(Math.abs(Math.sqrt(dot(centre(c), centre(c))) - 3) < TOL.exact);
      for (let c2 = c + 1; c2 < 4; c2++)
        assert.ok(Math.abs(dot(centre(c), centre(c2)) / 9 - 0.3) < TOL.exact);
    }
    for (let x = 0; x < ctx.M; x++) assert.equal(ctx.features[x * ctx.m], 1);
  });

  test("clusters alternate correct actions 1, 0, 1, 0 and follow the shares", () => {
    const ctx = clusteredContexts({ ...base, shares: [0.4, 0.3, 0.2, 0.1] });
    const counts = [0, 0, 0, 0];
    for (let x = 0; x < ctx.M; x++) {
      counts[ctx.group[x]]++;
      assert.equal(ctx.correctAction[x], ctx.group[x] % 2 === 0 ? 1 : 0);
    }
    assert.deepEqual(counts, [160, 120, 80, 40]);
  });

  test("spread is the per-coordinate standard deviation around the centre (within 4 SE)", () => {
    const spread = 0.7;
    const noisy = clusteredContexts({ ...base, M: 4000, spread, rng: createRng(5) });
    const clean = clusteredContexts({ ...base, M: 4000 });
    const dev: number[] = [];
    for (let i = 0; i < noisy.features.length; i++) dev.push(noisy.features[i] - clean.features[i]);
    const sd = Math.sqrt(dev.reduce((s, v) => s + v * v, 0) / dev.length);
    // SE of a sample sd from n normal draws ≈ σ/√(2n)
    assert.ok(Math.abs(sd - spread) < (4 * spread) / Math.sqrt(2 * dev.length), `sd ${sd}`);
  });

  test("unlike the two-parameter toy, few per-prompt gradients are (anti)parallel to ∇J_1", () => {
    const rich = warm(
      clusteredContexts({
        M: 1000,
        d: 16,
        clusters: 4,
        overlap: 0.5,
        spread: 0.75,
        rng: createRng(2),
      }),
    );
    const toy = warmToy({ M: 1000, rho: 0.3, delta: 1, rng: createRng(1) }).population;
    const richShare = nearlyParallel(rich);
    const toyShare = nearlyParallel(toy);
    assert.ok(richShare < 0.05, `clustered: ${richShare}`);
    assert.ok(toyShare > 0.1, `toy: ${toyShare}`);
  });

  test("a larger within-cluster spread gives more negatively interfering prompts", () => {
    const negShare = (spread: number) => {
      const a = agreementScores(
        warm(
          clusteredContexts({
            M: 1000,
            d: 16,
            clusters: 4,
            overlap: 0.5,
            spread,
            rng: createRng(2),
          }),
        ),
      );
      return a.filter((v) => v < 0).length / a.length;
    };
    assert.ok(negShare(1.5) > negShare(0.25) + 0.1);
  });

  test("rejects bad options with the field named", () => {
    assert.throws(() => clusteredContexts({ ...base, clusters: 8 }), /clusters must be ≤ d − 1/);
    assert.throws(() => clusteredContexts({ ...base, overlap: 1 }), /overlap must be in \[0, 1\)/);
    assert.throws(() => clusteredContexts({ ...base, spread: -1 }), /spread must be ≥ 0/);
    assert.throws(() => clusteredContexts({ ...base, shares: [1] }), /shares must have length/);
    assert.throws(() => clusteredContexts({ ...base, d: 1.5 }), /clusteredContexts: d/);
  });
});
