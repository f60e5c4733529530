/**
 * gradJk's d = 2 path with the checks folded into its pass (lib/theory/gradJkOnePass.ts): the same
 * bits as gradJkUnchecked after checkPopulation, and for every kind of bad input the same error as
 * the separate checks raise (it declines and they run).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkPopulation, gradJk, gradJkUnchecked } from "../lib/theory/interference";
import { gradJkOnePass2 } from "../lib/theory/gradJkOnePass";
import { createRng } from "../lib/core/rng";
import type { Population } from "../lib/core/types";
import { randomPopulation } from "./fixtures/theory";

function outcome(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

/** The error (or "ok") of the separate checks, as gradJk raised them before the one-pass path. */
function separateChecks(pop: Population, k: number): string {
  return outcome(() => {
    checkPopulation("gradJk", pop);
    if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k`);
  });
}

describe("gradJk, d = 2, checks folded into the pass", () => {
  test("equals gradJkUnchecked to the bit (zero masses, p = 0 and 1, k = 1 … 200)", () => {
    const rng = createRng(17);
    for (const N of [1, 2, 5, 64, 1000]) {
      for (const k of [1, 2, 3, 4, 7, 64, 65, 200]) {
        const pop = randomPopulation(rng, N, 2);
        if (N > 2) {
          pop.p[0] = 0;
          pop.p[1] = 1;
          pop.mass[N - 1] += pop.mass[2];
          pop.mass[2] = 0;
        }
        const fast = gradJkOnePass2(pop, k);
        assert.ok(fast !== null, `N = ${N}, k = ${k}: took the one-pass path`);
        assert.deepEqual(fast, gradJkUnchecked(pop, k));
        assert.deepEqual(gradJk(pop, k), gradJkUnchecked(pop, k));
      }
    }
  });

  test("declines every bad input, and gradJk raises what the separate checks raise", () => {
    const rng = createRng(18);
    const defects: [string, (pop: Population) => void][] = [
      ["negative mass", (q) => ((q.mass[1] = -q.mass[1]), (q.mass[0] += 2 * -q.mass[1]))],
      ["NaN mass", (q) => (q.mass[2] = NaN)],
      ["infinite mass", (q) => (q.mass[0] = Infinity)],
      ["mass sum", (q) => (q.mass[0] += 0.01)],
      ["p > 1", (q) => (q.p[3] = 1.5)],
      ["p < 0", (q) => (q.p[3] = -1e-300)],
      ["NaN p", (q) => (q.p[0] = NaN)],
      ["NaN ∇p", (q) => (q.gradP[5] = NaN)],
      ["infinite ∇p", (q) => (q.gradP[0] = -Infinity)],
      ["∇p of a zero-mass prompt", (q) => ((q.mass[4] = 0), (q.gradP[9] = Infinity))],
      ["short p", (q) => ((q as { p: Float64Array }).p = q.p.subarray(0, 5))],
      ["long ∇p", (q) => ((q as { gradP: Float64Array }).gradP = new Float64Array(14))],
    ];
    for (const [name, spoil] of defects) {
      const pop = randomPopulation(rng, 6, 2);
      spoil(pop);
      assert.equal(gradJkOnePass2(pop, 4), null, name);
      const want = separateChecks(pop, 4);
      assert.notEqual(want, "ok", `${name}: the separate checks reject it`);
      assert.equal(
        outcome(() => gradJk(pop, 4)),
        want,
        name,
      );
    }
    const pop = randomPopulation(rng, 6, 2);
    for (const k of [0, 2.5, NaN, -1]) {
      assert.equal(gradJkOnePass2(pop, k), null, `k = ${k}`);
      assert.throws(() => gradJk(pop, k), /gradJk: k must be/);
    }
    assert.equal(gradJkOnePass2(randomPopulation(rng, 6, 3), 4), null, "d = 3");
  });
});
