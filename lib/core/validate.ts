/**
 * Argument checks shared by every lib module.
 *
 * Each check throws *before any work is done* with a message that names the
 * argument and shows the offending value, e.g.
 * `RangeError: promptWeight: p must be in [0, 1], got 1.5`.
 * Non-numbers and NaN are TypeErrors; numbers outside the domain are RangeErrors.
 */

/** Renders a value for an error message (numbers exactly, arrays abbreviated). */
export function show(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const arr = Array.from(value as ArrayLike<unknown>);
    const head = arr.slice(0, 4).map(show).join(", ");
    return `[${head}${arr.length > 4 ? `, … (${arr.length} items)` : ""}]`;
  }
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function fail(
  kind: "type" | "range",
  where: string,
  name: string,
  what: string,
  value: unknown,
): never {
  const msg = `${where}: ${name} must be ${what}, got ${show(value)}`;
  throw kind === "type" ? new TypeError(msg) : new RangeError(msg);
}

/** A finite number (not NaN, not ±Infinity). */
export function checkFinite(where: string, name: string, x: unknown): number {
  if (typeof x !== "number" || Number.isNaN(x)) fail("type", where, name, "a number", x);
  if (!Number.isFinite(x)) fail("range", where, name, "finite", x);
  return x;
}

/** A probability p ∈ [0, 1]. */
export function checkProbability(where: string, name: string, p: unknown): number {
  checkFinite(where, name, p);
  const v = p as number;
  if (v < 0 || v > 1) fail("range", where, name, "in [0, 1]", v);
  return v;
}

/** An integer ≥ min (default 1). */
export function checkInteger(where: string, name: string, k: unknown, min = 1): number {
  checkFinite(where, name, k);
  const v = k as number;
  if (!Number.isInteger(v)) fail("range", where, name, "an integer", v);
  if (v < min) fail("range", where, name, `an integer ≥ ${min}`, v);
  return v;
}

/** A strictly positive finite number (e.g. a learning rate). */
export function checkPositive(where: string, name: string, x: unknown): number {
  checkFinite(where, name, x);
  const v = x as number;
  if (!(v > 0)) fail("range", where, name, "> 0", v);
  return v;
}

/** Every entry finite; returns the array. */
export function checkFiniteArray<T extends ArrayLike<number>>(
  where: string,
  name: string,
  xs: T,
): T {
  if (xs == null || typeof (xs as ArrayLike<number>).length !== "number") {
    fail("type", where, name, "an array of numbers", xs);
  }
  // Float64Array: one monomorphic pass (v − v is 0 exactly for finite v, NaN for ±∞ and NaN);
  // the generic loop below then runs only to name the first bad entry.
  if (xs instanceof Float64Array && finiteF64(xs)) return xs;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      const msg = `${where}: ${name}[${i}] must be a finite number, got ${show(v)}`;
      throw typeof v !== "number" || Number.isNaN(v) ? new TypeError(msg) : new RangeError(msg);
    }
  }
  return xs;
}

/** True when every entry of `xs` is finite. */
function finiteF64(xs: Float64Array): boolean {
  for (let i = 0; i < xs.length; i++) if (xs[i] - xs[i] !== 0) return false;
  return true;
}

function probabilitiesF64(ps: Float64Array): boolean {
  for (let i = 0; i < ps.length; i++) if (!(ps[i] >= 0 && ps[i] <= 1)) return false;
  return true;
}

/** Every entry a probability in [0, 1]. */
export function checkProbabilityArray<T extends ArrayLike<number>>(
  where: string,
  name: string,
  ps: T,
): T {
  // Float64Array: one monomorphic pass (NaN fails v >= 0); the checks below name a bad entry.
  if (ps instanceof Float64Array && probabilitiesF64(ps)) return ps;
  checkFiniteArray(where, name, ps);
  for (let i = 0; i < ps.length; i++) {
    if (ps[i] < 0 || ps[i] > 1) {
      throw new RangeError(`${where}: ${name}[${i}] must be in [0, 1], got ${show(ps[i])}`);
    }
  }
  return ps;
}

/** Array length equals `expected` (named after what it must match). */
export function checkLength(
  where: string,
  name: string,
  xs: ArrayLike<unknown>,
  expected: number,
  against: string,
): void {
  if (xs.length !== expected) {
    throw new RangeError(
      `${where}: ${name} has length ${xs.length}, but ${against} has length ${expected}`,
    );
  }
}

/** Integer grid of k values, each ≥ 1. */
export function checkKGrid(where: string, name: string, ks: ArrayLike<number>): ArrayLike<number> {
  if (ks == null || ks.length === 0)
    fail("range", where, name, "a non-empty list of integers ≥ 1", ks);
  for (let i = 0; i < ks.length; i++) checkInteger(where, `${name}[${i}]`, ks[i], 1);
  return ks;
}
