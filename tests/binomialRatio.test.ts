/**
 * The factorial table behind R(n, c, m) = C(n−c, m)/C(n, m) (lib/theory/binomialRatio.ts):
 * every entry against m! computed exactly with BigInt, and R from the table against the exact
 * rational C(n−c, m)/C(n, m) within the stated bound of 7 roundings.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  binomialRatio,
  binomialRatioComplement,
  factorialEntry,
  FACTORIAL_TABLE_MAX,
  PRODUCT_MAX_FACTORS,
  productRatio,
} from "../lib/theory/binomialRatio";
import { createRng } from "../lib/core/rng";
import { theoryFixtures } from "./fixtures/theory";

const U = 2 ** -53;

function bitLength(x: bigint): number {
  return x.toString(2).length;
}

/** The exact rational num/den (num > 0) as a float64 good to ~2^−80 relative. */
function ratioToNumber(num: bigint, den: bigint): number {
  const shift = bitLength(den) - bitLength(num) + 80;
  const q = (num << BigInt(shift)) / den;
  return Number(q) * 2 ** -Math.min(shift, 1000) * 2 ** -Math.max(0, shift - 1000);
}

function binomial(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

describe("factorial table", () => {
  test(`m! = mant·2^exp is m! correctly rounded to 53 bits for every m ≤ ${FACTORIAL_TABLE_MAX} (BigInt)`, () => {
    let f = 1n;
    for (let m = 0; m <= FACTORIAL_TABLE_MAX; m++) {
      if (m > 0) f *= BigInt(m);
      const len = bitLength(f);
      // round f to 53 significant bits, ties to even
      const drop = Math.max(0, len - 53);
      let top = f >> BigInt(drop);
      if (drop > 0) {
        const rest = f - (top << BigInt(drop));
        const half = 1n << BigInt(drop - 1);
        if (rest > half || (rest === half && (top & 1n) === 1n)) top += 1n;
      }
      let exp = len - 1;
      if (bitLength(top) > 53) {
        top >>= 1n;
        exp += 1;
      }
      const [mant, e] = factorialEntry(m);
      assert.equal(e, exp, `exponent of ${m}!`);
      assert.equal(mant, Number(top) / 2 ** (bitLength(top) - 1), `mantissa of ${m}!`);
    }
  });

  test("R from the table is within 7 roundings of the exact C(n−c, m)/C(n, m); 1 − R within them too", () => {
    const rng = createRng(17);
    let tableCases = 0;
    for (let t = 0; t < 1500; t++) {
      const n = rng.int(PRODUCT_MAX_FACTORS + 1, FACTORIAL_TABLE_MAX);
      const c = rng.int(PRODUCT_MAX_FACTORS + 1, n);
      const m = rng.int(PRODUCT_MAX_FACTORS + 1, n);
      if (n - c < m) continue;
      tableCases++;
      const den = binomial(n, m);
      const num = binomial(n - c, m);
      const exact = ratioToNumber(num, den);
      const got = binomialRatio(n, c, m);
      assert.ok(
        Math.abs(got - exact) <= 7.01 * U * exact,
        `R(${n}, ${c}, ${m}) = ${got} vs ${exact}`,
      );
      const complement = ratioToNumber(den - num, den);
      const gotC = binomialRatioComplement(n, c, m);
      // below R = 1/2: 1 − R inherits R's absolute error, ≤ 7u·R ≤ 7u·(1 − R), plus one rounding
      assert.ok(Math.abs(gotC - complement) <= 8.01 * U * complement, `1 − R(${n}, ${c}, ${m})`);
    }
    assert.ok(tableCases > 300, `only ${tableCases} cases reached the table`);
  });

  test("up to PRODUCT_MAX_FACTORS factors, and above the table's n, R is the product form (same bits)", () => {
    for (const [n, c, m] of [
      [64, 10, 3],
      [64, 2, 40],
      [1025, 500, 300],
      [100000, 10, 1000],
    ])
      assert.equal(binomialRatio(n, c, m), productRatio(n, c, m), `(${n}, ${c}, ${m})`);
  });

  test("the exact-rational fixtures exercise the table (n ≤ 1024, min(c, m) > 3)", () => {
    const rows = theoryFixtures().oneMinusPPowEstimate.rows;
    const hits = rows.filter(
      ([n, c, m]) => n <= FACTORIAL_TABLE_MAX && n - c >= m && Math.min(c, m) > PRODUCT_MAX_FACTORS,
    );
    assert.ok(hits.length >= 20, `${hits.length} fixture rows reach the table`);
  });
});
