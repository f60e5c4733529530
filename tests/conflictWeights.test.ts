/**
 * conflictProfile's per-prompt pass (lib/theory/conflictWeights.ts): four prompts at a time must
 * give the bits of one prompt at a time (same operations, each accumulator adding prompts in
 * order), on random shapes and grids, including N mod 4 ≠ 0, repeated k and the full bench shape.
 * The one-prompt path is the pre-issue-17 loop; conflictProfile's values themselves are checked
 * against independent references in tests/interference.test.ts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../lib/core/rng";
import {
  conflictChunk,
  gradJ1Blocked,
  type ConflictAccumulators,
} from "../lib/theory/conflictWeights";
import { conflictProfile, weightedGradientUnchecked } from "../lib/theory/interference";
import { makeInterferingPopulation } from "../bench/workloads/agreement";

function runChunks(
  N: number,
  d: number,
  sortedK: number[],
  seed: number,
  fourAtATime: boolean,
  chunk: number,
) {
  const pop = makeInterferingPopulation(N, d, seed);
  const g1 = new Float64Array(d);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < d; j++) g1[j] += pop.mass[i] * pop.gradP[i * d + j];
  const K = sortedK.length;
  const acc: ConflictAccumulators = {
    J: new Float64Array(K),
    Z: new Float64Array(K),
    inner: new Float64Array(K),
    negW: new Float64Array(K),
  };
  const a = new Float64Array(N);
  const coefs: Float64Array[] = [];
  let meanA = 0;
  for (let i0 = 0; i0 < N; i0 += chunk) {
    const rows = Math.min(chunk, N - i0);
    const R = pop.gradP.slice(i0 * d, (i0 + rows) * d);
    const coef = new Float64Array(rows * K);
    meanA = conflictChunk(
      { R, i0, rows, d, mass: pop.mass, p: pop.p, g1, sortedK, smallGaps: fourAtATime },
      a,
      coef,
      acc,
      meanA,
    );
    coefs.push(coef);
  }
  return { acc, a, coefs, meanA };
}

describe("conflictChunk", () => {
  test("four prompts at a time give the bits of one at a time (120 random shapes and grids)", () => {
    const rng = createRng(17);
    for (let trial = 0; trial < 120; trial++) {
      const N = 1 + Math.floor(rng.uniform() * 90);
      const d = 1 + Math.floor(rng.uniform() * 9);
      const K = 1 + Math.floor(rng.uniform() * 12);
      let k = 1;
      const ks: number[] = [];
      for (let s = 0; s < K; s++) {
        ks.push(k);
        k += Math.floor(rng.uniform() * 9); // gaps 0..8 (repeats included)
      }
      const chunk = 1 + Math.floor(rng.uniform() * 40);
      const one = runChunks(N, d, ks, trial, false, chunk);
      const four = runChunks(N, d, ks, trial, true, chunk);
      assert.deepEqual(four, one, `N = ${N}, d = ${d}, ks = ${ks}, chunk = ${chunk}`);
    }
  });

  test("the bench shape (N = 2 001, d = 64, k = 1..64, chunks of 64) gives the same bits", () => {
    const ks = Array.from({ length: 64 }, (_, s) => s + 1);
    const one = runChunks(2001, 64, ks, 3, false, 64);
    const four = runChunks(2001, 64, ks, 3, true, 64);
    assert.deepEqual(four, one);
    assert.ok(one.acc.inner.some((v) => v < 0) && one.acc.negW.some((v) => v > 0));
  });

  test("gradJ1Blocked gives weightedGradientUnchecked's bits, zero-mass rows included", () => {
    const rng = createRng(23);
    for (let trial = 0; trial < 60; trial++) {
      const N = 1 + Math.floor(rng.uniform() * 70);
      const d = 1 + Math.floor(rng.uniform() * 12);
      const pop = makeInterferingPopulation(N, d, trial);
      let zeros = 0;
      if (trial % 2 === 1) {
        // some zero masses, the rest renormalised
        for (let i = 0; i < N; i++) if (rng.uniform() < 0.3 && i > 0) pop.mass[i] = 0;
        let total = 0;
        for (let i = 0; i < N; i++) total += pop.mass[i];
        for (let i = 0; i < N; i++) pop.mass[i] /= total;
        for (let i = 0; i < N; i++) zeros += pop.mass[i] === 0 ? 1 : 0;
      }
      const { g1, skipped } = gradJ1Blocked(pop);
      assert.deepEqual(g1, weightedGradientUnchecked(pop, pop.mass), `N = ${N}, d = ${d}`);
      assert.equal(skipped, zeros);
    }
  });

  test("conflictProfile still rejects a non-finite ∇p entry by name, before any work", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const pop = makeInterferingPopulation(50, 7, 1);
      pop.gradP[123] = bad;
      assert.throws(
        () => conflictProfile(pop, [1, 2]),
        new RegExp(`conflictProfile: pop\\.gradP\\[123\\] must be a finite number, got ${bad}`),
      );
      const zeroMass = makeInterferingPopulation(8, 3, 1); // the bad entry in a D(x) = 0 row
      zeroMass.mass.fill(0);
      zeroMass.mass[0] = 1;
      zeroMass.gradP[10] = bad;
      assert.throws(() => conflictProfile(zeroMass, [1, 2]), /pop\.gradP\[10\] must be a finite/);
    }
  });
});
