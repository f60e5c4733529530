/**
 * The symbolic derivative of pass@k (mathjs) against the library's closed forms and against
 * finite differences of passAtK.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "mathjs";
import { passAtK } from "../lib/theory/passAtK";
import { checkSymbolic, deriveGradient } from "../lib/theory/symbolic";

describe("symbolic derivatives", () => {
  test("mathjs differentiates 1 − (1 − p)^k to k(1 − p)^(k−1) = w_k and again to (k − k²)(1 − p)^(k−2)", () => {
    const d = deriveGradient();
    assert.equal(d.passAtK, "1 - (1 - p) ^ k");
    assert.equal(d.derivative, "k * (1 - p) ^ (k - 1)");
    assert.equal(d.secondDerivative, "(k - k ^ 2) * (1 - p) ^ (k - 2)");
    assert.match(d.derivativeTex, /\\left\(1- p\\right\)\}\^\{ k-1\}/);
    assert.match(d.secondDerivativeTex, /k-2/);
  });

  test("the symbolic derivatives evaluated numerically agree with promptWeight and passAtKSecondDerivative to ≤ 1e-12·k²", () => {
    const ps = Array.from({ length: 50 }, (_, t) => t / 50);
    for (let k = 1; k <= 60; k++) {
      const diff = checkSymbolic(k, ps);
      assert.ok(diff <= TOL.exact * k * k, `k=${k}: ${diff}`);
    }
  });

  test("the symbolic first derivative matches central finite differences of passAtK (an independent path)", () => {
    const d = parse(deriveGradient().derivative).compile();
    const h = 1e-6;
    for (const k of [1, 2, 5, 20]) {
      for (const p of [0.05, 0.3, 0.6, 0.9]) {
        const fd = (passAtK(p + h, k) - passAtK(p - h, k)) / (2 * h);
        assert.ok(Math.abs((d.evaluate({ k, p }) as number) - fd) < 1e-7 * k);
      }
    }
  });

  test("checkSymbolic rejects p = 1 (0·∞ in the symbolic second derivative at k = 1) and non-integer k", () => {
    assert.throws(() => checkSymbolic(2, [0.5, 1]), {
      name: "RangeError",
      message: /checkSymbolic: ps\[1\] must be in \[0, 1\), got 1/,
    });
    assert.throws(() => checkSymbolic(1.5, [0.5]), {
      name: "RangeError",
      message: /checkSymbolic: k must be an integer, got 1.5/,
    });
  });
});
