/**
 * The per-prompt part of `conflictProfile` (lib/theory/interference.ts) for a chunk of prompts:
 * a(x), the weights D(x)·w_k(p(x)) on the grid into the chunk's coefficient block, and the
 * accumulators J_k, Z_k, ⟨∇J_k,∇J_1⟩ and q_k's mass on {a < 0}.
 *
 * Four prompts go through the k-grid together, so each accumulator is loaded and stored once
 * per four prompts instead of once per prompt; every accumulator still adds the prompts one at
 * a time in prompt order, and each prompt's recurrence is the same sequence of operations, so
 * the results are the bits of the one-prompt loop (tests/interference.test.ts compares them).
 */
import type { Population } from "../core/types";
import { passAtKUnchecked } from "./passAtK";

/** Accumulators of the conflict profile, indexed like the sorted grid. */
export interface ConflictAccumulators {
  J: Float64Array;
  Z: Float64Array;
  inner: Float64Array;
  negW: Float64Array;
}

/** What one chunk reads: rows R (chunk-local, rows × d) of prompts i0 … i0 + rows − 1. */
export interface ConflictChunk {
  R: Float64Array;
  i0: number;
  rows: number;
  d: number;
  mass: ArrayLike<number>;
  p: ArrayLike<number>;
  g1: Float64Array;
  /** Sorted grid of k. */
  sortedK: readonly number[];
  /** True when no gap between consecutive grid values (from k = 1) exceeds 8. */
  smallGaps: boolean;
}

/** a(x) = ⟨R row t, g1⟩. */
function dotRow(R: Float64Array, t: number, d: number, g1: Float64Array): number {
  let s = 0;
  for (let j = 0, base = t * d; j < d; j++) s += R[base + j] * g1[j];
  return s;
}

/** a(x) for chunk rows t … t + 3 into DOTS: four independent sums, each j ascending as dotRow. */
const DOTS = new Float64Array(4);
function dotRows4(R: Float64Array, t: number, d: number, g1: Float64Array): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const b0 = t * d;
  for (let j = 0; j < d; j++) {
    const g = g1[j];
    s0 += R[b0 + j] * g;
    s1 += R[b0 + d + j] * g;
    s2 += R[b0 + 2 * d + j] * g;
    s3 += R[b0 + 3 * d + j] * g;
  }
  DOTS[0] = s0;
  DOTS[1] = s1;
  DOTS[2] = s2;
  DOTS[3] = s3;
}

/**
 * One prompt (chunk row t): a(x), its weights into coef, its terms into the accumulators.
 * Returns meanA + D(x)·a(x).
 *
 * Weights by the recurrence (1 − p)^{k−1} ← (1 − p)^{k−2}·(1 − p) and pass@k ← pass@(k−1) +
 * p(1 − p)^{k−1}; a gap Δ > 8 jumps with one exp: pass@(k'+Δ) = pass@k' + (1−p)^{k'}·pass@Δ   [D]
 */
function onePrompt(
  c: ConflictChunk,
  t: number,
  a: Float64Array,
  coef: Float64Array,
  acc: ConflictAccumulators,
  meanA: number,
): number {
  const { sortedK } = c;
  const K = sortedK.length;
  const { J, Z, inner, negW } = acc;
  const i = c.i0 + t;
  const m = c.mass[i];
  const pi = c.p[i];
  const ai = dotRow(c.R, t, c.d, c.g1);
  a[i] = ai;
  meanA += m * ai;
  const u = 1 - pi;
  let pass = pi; // pass@k and (1−p)^{k−1} at k = kPrev, starting from k = 1
  let pow = 1;
  let kPrev = 1;
  for (let s = 0; s < K; s++) {
    const k = sortedK[s];
    const delta = k - kPrev;
    if (delta > 8) {
      pass += pow * u * passAtKUnchecked(pi, delta);
      pow *= Math.exp(delta * Math.log1p(-pi));
    } else {
      for (let step = 0; step < delta; step++) {
        pow *= u;
        pass += pi * pow;
      }
    }
    kPrev = k;
    const cw = m * k * pow;
    coef[t * K + s] = cw;
    J[s] += m * pass;
    Z[s] += cw;
    inner[s] += cw * ai;
    if (ai < 0) negW[s] += cw;
  }
  return meanA;
}

/**
 * All prompts of the chunk, four at a time where the grid has no gap > 8 (else one at a time).
 * Writes a(x) for the chunk's prompts and coef (rows × K); returns the updated Σ D·a.
 */
export function conflictChunk(
  c: ConflictChunk,
  a: Float64Array,
  coef: Float64Array,
  acc: ConflictAccumulators,
  meanA: number,
): number {
  const { sortedK, i0, rows, mass, p } = c;
  const K = sortedK.length;
  const { J, Z, inner, negW } = acc;
  let t = 0;
  if (c.smallGaps) {
    for (; t + 4 <= rows; t += 4) {
      const i = i0 + t;
      const m0 = mass[i];
      const m1 = mass[i + 1];
      const m2 = mass[i + 2];
      const m3 = mass[i + 3];
      const p0 = p[i];
      const p1 = p[i + 1];
      const p2 = p[i + 2];
      const p3 = p[i + 3];
      dotRows4(c.R, t, c.d, c.g1); // the four dot products interleaved (same sums)
      const a0 = DOTS[0];
      const a1 = DOTS[1];
      const a2 = DOTS[2];
      const a3 = DOTS[3];
      a[i] = a0;
      a[i + 1] = a1;
      a[i + 2] = a2;
      a[i + 3] = a3;
      meanA += m0 * a0;
      meanA += m1 * a1;
      meanA += m2 * a2;
      meanA += m3 * a3;
      const u0 = 1 - p0;
      const u1 = 1 - p1;
      const u2 = 1 - p2;
      const u3 = 1 - p3;
      let pass0 = p0;
      let pass1 = p1;
      let pass2 = p2;
      let pass3 = p3;
      let pow0 = 1;
      let pow1 = 1;
      let pow2 = 1;
      let pow3 = 1;
      let kPrev = 1;
      const o0 = t * K;
      for (let s = 0; s < K; s++) {
        const k = sortedK[s];
        const delta = k - kPrev;
        for (let step = 0; step < delta; step++) {
          pow0 *= u0;
          pass0 += p0 * pow0;
          pow1 *= u1;
          pass1 += p1 * pow1;
          pow2 *= u2;
          pass2 += p2 * pow2;
          pow3 *= u3;
          pass3 += p3 * pow3;
        }
        kPrev = k;
        const cw0 = m0 * k * pow0;
        const cw1 = m1 * k * pow1;
        const cw2 = m2 * k * pow2;
        const cw3 = m3 * k * pow3;
        coef[o0 + s] = cw0;
        coef[o0 + K + s] = cw1;
        coef[o0 + 2 * K + s] = cw2;
        coef[o0 + 3 * K + s] = cw3;
        let j = J[s];
        j += m0 * pass0;
        j += m1 * pass1;
        j += m2 * pass2;
        j += m3 * pass3;
        J[s] = j;
        let z = Z[s];
        z += cw0;
        z += cw1;
        z += cw2;
        z += cw3;
        Z[s] = z;
        let q = inner[s];
        q += cw0 * a0;
        q += cw1 * a1;
        q += cw2 * a2;
        q += cw3 * a3;
        inner[s] = q;
        let n = negW[s];
        if (a0 < 0) n += cw0;
        if (a1 < 0) n += cw1;
        if (a2 < 0) n += cw2;
        if (a3 < 0) n += cw3;
        negW[s] = n;
      }
    }
  }
  for (; t < rows; t++) meanA = onePrompt(c, t, a, coef, acc, meanA);
  return meanA;
}

/**
 * ∇J_1 = Σ_x D(x)∇p(x)   [P, PAPER.md §1] — the bits of `weightedGradientUnchecked(pop, mass)`:
 * rows with D(x) = 0 are skipped and every coordinate adds the rows in order, here four rows per
 * load and store of the accumulator. `skipped` counts the zero-mass rows (their entries were not
 * read, so a finiteness check cannot rely on ∇J_1 for them).
 */
export function gradJ1Blocked(pop: Population): { g1: Float64Array; skipped: number } {
  const { N, d, mass, gradP } = pop;
  const out = new Float64Array(d);
  let skipped = 0;
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const c0 = mass[i];
    const c1 = mass[i + 1];
    const c2 = mass[i + 2];
    const c3 = mass[i + 3];
    if (c0 === 0 || c1 === 0 || c2 === 0 || c3 === 0) {
      for (let t = i; t < i + 4; t++) skipped += addRow(out, gradP, mass[t], t * d, d);
      continue;
    }
    const b0 = i * d;
    for (let j = 0; j < d; j++) {
      let o = out[j];
      o += c0 * gradP[b0 + j];
      o += c1 * gradP[b0 + d + j];
      o += c2 * gradP[b0 + 2 * d + j];
      o += c3 * gradP[b0 + 3 * d + j];
      out[j] = o;
    }
  }
  for (; i < N; i++) skipped += addRow(out, gradP, mass[i], i * d, d);
  return { g1: out, skipped };
}

/** out += c·row (skipped when c = 0, as weightedGradientUnchecked); returns 1 if skipped. */
function addRow(
  out: Float64Array,
  gradP: Float64Array,
  c: number,
  base: number,
  d: number,
): number {
  if (c === 0) return 1;
  for (let j = 0; j < d; j++) out[j] += c * gradP[base + j];
  return 0;
}
