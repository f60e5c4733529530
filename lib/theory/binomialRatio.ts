/**
 * The ratio R(n, c, m) = C(n−c, m)/C(n, m) that every estimator of lib/theory/estimators.ts rests
 * on, and 1 − R without cancellation (PAPER.md §7–8).
 *
 * Two evaluations, both from exact integers:
 * - a product of min(c, m) factors in (0, 1], each an exact integer over an exact integer (2
 *   roundings per factor: 2·min(c, m) in all);
 * - for n ≤ {@link FACTORIAL_TABLE_MAX}, four entries of a table of factorials,
 *   R = (n−c)!·(n−m)! / ((n−c−m)!·n!), each entry m! = mant[m]·2^exp[m] with mant rounded once
 *   from a double-double product (so within half an ulp but for a 2^−90 chance), then two
 *   products and a division: at most 7 roundings, ≤ 7u ≈ 7.8e−16 relative, whatever min(c, m).
 *   The scale 2^(sum of exponents) is exact: R ≥ 1/C(1024, 512) ≈ 2^−1019 stays normal.
 * The table is used when min(c, m) > {@link PRODUCT_MAX_FACTORS}, where it is both more accurate
 * (7 roundings against more than 2·3) and O(1) instead of O(min(c, m)); the product keeps
 * k = 1 exactly c/n rounded once and every small case bit-identical to the product form. [D]
 */

/** Largest n whose R is read from the factorial table (2^−1019 ≤ R: no subnormal). */
export const FACTORIAL_TABLE_MAX = 1024;
/** Up to this many factors the product form is used (≤ 6 roundings, fewer than the table's 7). */
export const PRODUCT_MAX_FACTORS = 3;

/** m! = FACT_MANT[m]·2^FACT_EXP[m], FACT_MANT[m] ∈ [1, 2), for m ≤ FACTORIAL_TABLE_MAX. */
const FACT_MANT = new Float64Array(FACTORIAL_TABLE_MAX + 1);
const FACT_EXP = new Int32Array(FACTORIAL_TABLE_MAX + 1);
/** 2^e at [e + POW2_OFFSET] for e ∈ [−POW2_OFFSET, 4]: the exponent sums of R (≥ −1022). */
const POW2_OFFSET = 1100;
const POW2 = new Float64Array(POW2_OFFSET + 5);

/** Veltkamp's splitter 2^27 + 1: a·SPLIT splits a into two 26-bit halves (Dekker 1971). */
const SPLIT = 134217729;

function buildTables(): void {
  // (hi + lo)·2^e = m! in double-double; multiplying by m ≤ 1024 (11 bits, so its split has no
  // low half) with Dekker's exact product keeps ~104 bits; hi = fl(hi + lo) after each step.
  let hi = 1;
  let lo = 0;
  let e = 0;
  FACT_MANT[0] = 1;
  for (let m = 1; m <= FACTORIAL_TABLE_MAX; m++) {
    const p = hi * m;
    const t = SPLIT * hi;
    const hh = t - (t - hi);
    const hl = hi - hh;
    const err = hh * m - p + hl * m; // exact: hi·m − p
    const s = p + (lo * m + err);
    lo = lo * m + err - (s - p);
    hi = s;
    while (hi >= 2) {
      hi *= 0.5; // exact
      lo *= 0.5;
      e++;
    }
    FACT_MANT[m] = hi;
    FACT_EXP[m] = e;
  }
  for (let i = 0; i < POW2.length; i++) POW2[i] = Math.pow(2, i - POW2_OFFSET);
}
buildTables();

/** m! as [mantissa in [1, 2), binary exponent] from the table (tests compare it with BigInt). */
export function factorialEntry(m: number): [number, number] {
  return [FACT_MANT[m], FACT_EXP[m]];
}

/**
 * R(n, c, m) = C(n−c, m)/C(n, m) for valid integers 0 ≤ c ≤ n, 0 ≤ m ≤ n (not checked): 0 when
 * n − c < m, else the table or the product form (module note). Values below ~1e−308 (n > 1024
 * only) underflow to 0 or a subnormal.
 */
export function binomialRatio(n: number, c: number, m: number): number {
  const free = n - c;
  if (free < m) return 0;
  if (n <= FACTORIAL_TABLE_MAX && m > PRODUCT_MAX_FACTORS && c > PRODUCT_MAX_FACTORS) {
    const rest = free - m;
    const top = n - m;
    const scale = FACT_EXP[free] + FACT_EXP[top] - FACT_EXP[rest] - FACT_EXP[n];
    return (
      ((FACT_MANT[free] * FACT_MANT[top]) / (FACT_MANT[rest] * FACT_MANT[n])) *
      POW2[scale + POW2_OFFSET]
    );
  }
  return productRatio(n, c, m);
}

/** R as a product of min(c, m) factors in (0, 1] (n − c ≥ m). */
export function productRatio(n: number, c: number, m: number): number {
  let ratio = 1;
  if (m <= c) {
    for (let i = 0; i < m && ratio !== 0; i++) ratio *= (n - c - i) / (n - i); // Π_{i<m} (n−c−i)/(n−i)
  } else {
    for (let j = n - c + 1; j <= n && ratio !== 0; j++) ratio *= (j - m) / j; // Π_{j=n−c+1}^{n} (j−m)/j
  }
  return ratio;
}

/**
 * 1 − R(n, c, m) without cancellation. Below R = 1/2, 1 − R is as accurate as R (and rounds to
 * exactly 1 when it should); above, it is re-accumulated as 1 − Π f_j = Σ_j x_j Π_{l<j} f_l with
 * x_j = 1 − f_j formed from exact integers — all terms ≥ 0. That second pass runs only when
 * R ≥ 1/2, i.e. when few factors are far from 1.
 */
export function binomialRatioComplement(n: number, c: number, m: number): number {
  const ratio = binomialRatio(n, c, m);
  if (ratio < 0.5) return 1 - ratio;
  return complementSum(n, c, m);
}

/** 1 − R as a sum of non-negative terms (for R ≥ 1/2). */
function complementSum(n: number, c: number, m: number): number {
  let prod = 1;
  let complement = 0;
  if (m <= c) {
    for (let i = 0; i < m; i++) {
      const den = n - i;
      complement += prod * (c / den);
      prod *= (den - c) / den;
    }
  } else {
    for (let j = n - c + 1; j <= n; j++) {
      complement += prod * (m / j);
      prod *= (j - m) / j;
    }
  }
  return complement;
}
