/**
 * Arbitrary-precision references for the pass@k estimator (mathjs BigNumber, 64 significant
 * digits) and the naive float64 formula, to show where float64 breaks (PAPER.md §8; notebook 01).
 *
 * mathjs is loaded on first use (it takes ~0.9 s).
 */
import type * as MathJs from "mathjs";
import { checkSamples } from "./estimators";

/** Significant decimal digits of the BigNumber references. */
export const EXACT_PRECISION = 64;

let big: MathJs.MathJsInstance | undefined;

function bigMath(): MathJs.MathJsInstance {
  if (big === undefined) {
    const math = require("mathjs") as typeof MathJs;
    big = math.create(math.all, { number: "BigNumber", precision: EXACT_PRECISION });
  }
  return big;
}

/**
 * The pass@k estimator 1 − C(n−c, k)/C(n, k) to 64 significant digits, as a decimal string
 * (possibly in exponent form, e.g. "1.5e-7"; `Number(s)` parses it to the nearest double).
 *
 * Each factor (n−c−i)/(n−i) of the ratio is formed from exact integers and multiplied at 64
 * digits, so the relative error is ≲ min(c,k)·1e−64 — far below float64's 1e−16. Requires
 * 1 ≤ k ≤ n, 0 ≤ c ≤ n; returns "1" when n − c < k.
 *
 * @example exactPassAtKEstimate(10, 3, 2) // =>
 * "0.5333333333333333333333333333333333333333333333333333333333333333"
 */
export function exactPassAtKEstimate(n: number, c: number, k: number): string {
  checkSamples("exactPassAtKEstimate", n, c, "k", k, 1, 1);
  if (n - c < k) return "1";
  const m = bigMath();
  const one = m.bignumber(1);
  let ratio = one;
  const terms = Math.min(c, k);
  for (let i = 0; i < terms; i++) {
    // m ≤ c: Π_{i<k} (n−c−i)/(n−i); else Π_{j=n−c+1}^{n} (j−k)/j — the same ratio
    const num = k <= c ? n - c - i : n - c + 1 + i - k;
    const den = k <= c ? n - i : n - c + 1 + i;
    ratio = ratio.times(m.bignumber(num)).div(m.bignumber(den));
  }
  return one.minus(ratio).toString();
}

/**
 * The pass@k estimator the way a naive user writes it in float64: binomial coefficients by
 * the multiplicative formula, then 1 − comb(n−c, k)/comb(n, k).
 *
 * Fails in two ways (shown in notebook 01): comb(n, k) overflows to ∞ once it exceeds
 * ~1.8e308 (n = 1030, k = n/2), giving ∞/∞ = NaN; and 1 − ratio cancels when the ratio is
 * near 1 (small c/n), losing relative accuracy. Use {@link passAtKEstimate} instead.
 *
 * @example naivePassAtKEstimate(2000, 10, 1000) // => NaN
 */
export function naivePassAtKEstimate(n: number, c: number, k: number): number {
  checkSamples("naivePassAtKEstimate", n, c, "k", k, 1, 1);
  return 1 - naiveComb(n - c, k) / naiveComb(n, k);
}

function naiveComb(n: number, k: number): number {
  let r = 1;
  for (let i = 0; i < k; i++) r = (r * (n - i)) / (i + 1);
  return r;
}
