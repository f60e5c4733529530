/**
 * Vector and summary-statistics helpers, once for the whole library (dot, norm, mean, standard
 * deviation, quantiles). Plain loops over ArrayLike<number>; no allocation except where noted.
 */
import { checkFiniteArray, checkLength, show } from "./validate";

/** Dot product of two equal-length vectors. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLength("dot", "y", y, x.length, "x");
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * y[j];
  return s;
}

/** Euclidean norm ‖v‖. */
export function norm(v: ArrayLike<number>): number {
  return Math.sqrt(dot(v, v));
}

/** Arithmetic mean (NaN for an empty array). */
export function mean(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  return m / xs.length;
}

/** Mean and (n − 1)-normalised standard deviation. */
export function meanSd(xs: ArrayLike<number>): { mean: number; sd: number } {
  const m = mean(xs);
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return { mean: m, sd: Math.sqrt(v / (xs.length - 1)) };
}

/**
 * Linear-interpolation (type 7, numpy's default) quantile of already sorted values; no checks.
 * @example quantileSorted([1, 2, 3, 4], 0.5) // => 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Linear-interpolation (type 7) quantile of unsorted values (sorts a copy).
 * @example quantile([3, 1, 2], 0.5) // => 2
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  checkFiniteArray("quantile", "values", values);
  if (values.length === 0) throw new RangeError("quantile: values must be non-empty, got []");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${show(q)}`);
  return quantileSorted(Float64Array.from(values).sort(), q);
}
