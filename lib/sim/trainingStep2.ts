/**
 * Loops of the fused exact step (lib/sim/trainingStep.ts): the k-grid passes of its record, and
 * its d = 2 loops (our toy has ψ = [1, s]) — the same sums as the general loops, each
 * accumulator adding the prompts in the same order with the same operations, but both components
 * of ∇p read in one pass instead of one pass per component, and a(x), J_1 and the negative share
 * in one pass (so the same bits: the general loops' accumulators are independent of each other).
 * The k-grid pass has no per-prompt branch on the grid position (the first k starts from arrays
 * filled with (1 − p)^0 = 1 and pass@1 = p) and the rare gap > 8 is its own loop. Measured on
 * train-toy (bench/RESULTS.md, issue 17).
 */
import { passAtKUnchecked } from "../theory/passAtK";

/**
 * outA = Σ_x coefA(x)∇p(x), outB = Σ_x coefB(x)∇p(x) for d = 2, in prompt order, prompts with
 * coefficient 0 skipped (weightedSum2 of trainingStep.ts)   [D]
 */
export function weightedSum2D2(
  gradP: Float64Array,
  N: number,
  coefA: Float64Array,
  outA: Float64Array,
  coefB: Float64Array,
  outB: Float64Array,
): void {
  let a0 = 0;
  let a1 = 0;
  let b0 = 0;
  let b1 = 0;
  for (let i = 0; i < N; i++) {
    const r0 = gradP[2 * i];
    const r1 = gradP[2 * i + 1];
    const ca = coefA[i];
    const cb = coefB[i];
    if (ca !== 0) {
      a0 += ca * r0;
      a1 += ca * r1;
    }
    if (cb !== 0) {
      b0 += cb * r0;
      b1 += cb * r1;
    }
  }
  outA[0] = a0;
  outA[1] = a1;
  outB[0] = b0;
  outB[1] = b1;
}

/** out = Σ_x coef(x)∇p(x) for d = 2 (weightedSum of trainingStep.ts)   [D] */
export function weightedSumD2(
  gradP: Float64Array,
  N: number,
  coef: Float64Array,
  out: Float64Array,
): void {
  let s0 = 0;
  let s1 = 0;
  for (let i = 0; i < N; i++) {
    const c = coef[i];
    if (c !== 0) {
      s0 += c * gradP[2 * i];
      s1 += c * gradP[2 * i + 1];
    }
  }
  out[0] = s0;
  out[1] = s1;
}

/**
 * a(x) = (0 + ∇p(x)_0(∇J_1)_0) + ∇p(x)_1(∇J_1)_1 (agreementScores' sum)   [D, PAPER.md §3];
 * out = [J_1 = Σ_x D(x)p(x)  [P, PAPER.md §1],  Σ_x D(x)·1{a(x) < 0}  [D, PAPER.md §3]], d = 2.
 */
export function agreementAndSumsD2(
  gradP: Float64Array,
  N: number,
  g1: Float64Array,
  mass: Float64Array,
  p: Float64Array,
  a: Float64Array,
  out: Float64Array,
): void {
  const g0 = g1[0];
  const g1v = g1[1];
  let j1 = 0;
  let negative = 0;
  for (let i = 0; i < N; i++) {
    const ai = 0 + gradP[2 * i] * g0 + gradP[2 * i + 1] * g1v;
    a[i] = ai;
    const m = mass[i];
    j1 += m * p[i];
    if (ai < 0) negative += m;
  }
  out[0] = j1;
  out[1] = negative;
}

/**
 * {@link agreementAndSumsD2} that also yields the k = 1 record and the k* gather in the same
 * pass: out = [J_1, negative share, E[w_1 a] = Σ_x D(x)a(x)] and, for the prompts with
 * D(x)a(x) ≠ 0 in order, coef = D·a and ratio = 1 − p (kStarScanUnchecked's input, with
 * kOut = [max ratio, 1 if some coef < 0 else 0]); returns their number. The same terms in the
 * same order as gridSteps at k = 1 (D·1·1 = D) and the gather of lib/theory/threshold.ts   [D]
 */
export function agreementGatherD2(
  gradP: Float64Array,
  N: number,
  g1: Float64Array,
  mass: Float64Array,
  p: Float64Array,
  a: Float64Array,
  coef: Float64Array,
  ratio: Float64Array,
  out: Float64Array,
  kOut: Float64Array,
): number {
  const g0 = g1[0];
  const g1v = g1[1];
  let j1 = 0;
  let negative = 0;
  let inner = 0;
  let n = 0;
  let anyNegative = 0;
  let uMax = 0;
  for (let i = 0; i < N; i++) {
    const ai = 0 + gradP[2 * i] * g0 + gradP[2 * i + 1] * g1v;
    a[i] = ai;
    const m = mass[i];
    const pi = p[i];
    j1 += m * pi;
    if (ai < 0) negative += m;
    const c = m * ai;
    inner += c;
    if (c === 0) continue;
    const u = 1 - pi;
    coef[n] = c;
    ratio[n] = u;
    n++;
    if (c < 0) anyNegative = 1;
    if (u > uMax) uMax = u;
  }
  out[0] = j1;
  out[1] = negative;
  out[2] = inner;
  kOut[0] = uMax;
  kOut[1] = anyNegative;
  return n;
}

/**
 * G[g0 + j] = Σ_x cw(x)∇p(x)_j for d = 2, four prompts' rows per update associated
 * ((c0r0 + c1r1) + c2r2) + c3r3, the last N mod 4 one by one, coefficient 0 skipped
 * (addRowBlocks of trainingStep.ts)   [P, PAPER.md §2]
 */
export function addRowBlocksD2(
  gradP: Float64Array,
  N: number,
  cw: Float64Array,
  G: Float64Array,
  g0: number,
): void {
  const N4 = N - (N % 4);
  let s0 = 0;
  let s1 = 0;
  for (let i = 0; i < N4; i += 4) {
    const c0 = cw[i];
    const c1 = cw[i + 1];
    const c2 = cw[i + 2];
    const c3 = cw[i + 3];
    const at = 2 * i;
    s0 += c0 * gradP[at] + c1 * gradP[at + 2] + c2 * gradP[at + 4] + c3 * gradP[at + 6];
    s1 += c0 * gradP[at + 1] + c1 * gradP[at + 3] + c2 * gradP[at + 5] + c3 * gradP[at + 7];
  }
  for (let i = N4; i < N; i++) {
    const c = cw[i];
    if (c !== 0) {
      s0 += c * gradP[2 * i];
      s1 += c * gradP[2 * i + 1];
    }
  }
  G[g0] = s0;
  G[g0 + 1] = s1;
}

/**
 * One k of the record's sorted grid, `delta` ≤ 8 after the previous one, per prompt by repeated
 * multiplication (gaps > 8: {@link gridJump}, in one step; non-negative terms, no cancellation):
 *
 *   pass@(k'+1) = pass@k' + p(1 − p)^{k'},  pass@(k'+Δ) = pass@k' + (1 − p)^{k'}·pass@Δ,
 *   w_k = k(1 − p)^{k−1}   [D from P, PAPER.md §1–2]
 *
 * (1 − p)^{k−1} into pow, pass@k into pass, D·w_k into cw; out = [J_k = Σ D·pass@k,
 * E[w_k a] = Σ D·w_k·a] in prompt order.
 */
export function gridSteps(
  mass: Float64Array,
  p: Float64Array,
  a: Float64Array,
  pow: Float64Array,
  pass: Float64Array,
  cw: Float64Array,
  k: number,
  delta: number,
  out: Float64Array,
): void {
  let J = 0;
  let inner = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const u = 1 - pi;
    let pw = pow[i];
    let ps = pass[i];
    for (let step = 0; step < delta; step++) {
      pw *= u;
      ps += pi * pw;
    }
    pow[i] = pw;
    pass[i] = ps;
    const m = mass[i];
    const c = m * k * pw;
    cw[i] = c;
    J += m * ps;
    inner += c * a[i];
  }
  out[0] = J;
  out[1] = inner;
}

/** {@link gridSteps} for a gap delta > 8: one step by pass@Δ and exp∘log1p   [D] */
export function gridJump(
  mass: Float64Array,
  p: Float64Array,
  a: Float64Array,
  pow: Float64Array,
  pass: Float64Array,
  cw: Float64Array,
  k: number,
  delta: number,
  out: Float64Array,
): void {
  let J = 0;
  let inner = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const u = 1 - pi;
    let pw = pow[i];
    let ps = pass[i];
    ps += pw * u * passAtKUnchecked(pi, delta);
    pw *= Math.exp(delta * Math.log1p(-pi));
    pow[i] = pw;
    pass[i] = ps;
    const m = mass[i];
    const c = m * k * pw;
    cw[i] = c;
    J += m * ps;
    inner += c * a[i];
  }
  out[0] = J;
  out[1] = inner;
}
