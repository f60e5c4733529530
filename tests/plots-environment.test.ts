import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { passAtKCurvesFigure } from "../lib/plots/environment";
import { matchSnapshot } from "./helpers/snapshot";

describe("passAtKCurvesFigure", () => {
  test("matches its snapshot", () => {
    matchSnapshot(
      "plots-environment-pass-at-k-curves",
      passAtKCurvesFigure([1, 2, 8], { points: 11 }),
    );
  });

  test("each curve runs from pass@k(0) = 0 to pass@k(1) = 1, and pass@1 is the diagonal", () => {
    const fig = passAtKCurvesFigure([1, 2, 8], { points: 5 });
    const ys = fig.data.map((t) => (t as { y: number[] }).y);
    assert.deepEqual(
      ys.map((y) => [y[0], y[y.length - 1]]),
      [
        [0, 1],
        [0, 1],
        [0, 1],
      ],
    );
    assert.deepEqual(ys[0], [0, 0.25, 0.5, 0.75, 1]);
    // 1 − (1 − 0.25)^2 = 0.4375 exactly in binary floating point.
    assert.equal(ys[1][1], 0.4375);
  });

  test("a non-integer k or too few points throws, naming the argument", () => {
    assert.throws(
      () => passAtKCurvesFigure([1, 2.5]),
      /passAtKCurvesFigure: ks\[1\] must be an integer/,
    );
    assert.throws(
      () => passAtKCurvesFigure([1], { points: 1 }),
      /passAtKCurvesFigure: points must be an integer ≥ 2/,
    );
  });
});
