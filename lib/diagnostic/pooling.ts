/**
 * Pooling of the diagnostic's per-prompt sufficient statistics by half (estimate.ts): prompts
 * sharing (n, c_h) share the REINFORCE and PKPO weights of half h, so their score sums are added
 * before any weight is applied. And the per-prompt pass^k estimate.
 */
import type { PromptStats } from "../core/samples";
import { oneMinusPPowEstimate, pkpoLooMinusOneWeights } from "../theory/estimators";

/** Prompts pooled by (n, c_h): the PKPO/REINFORCE weights of a half depend only on these. */
export interface HalfGroups {
  /** Group of each gradient prompt (index into the arrays below). */
  of: Int32Array;
  /** n of the group's prompts (the inclusion rule is on n). */
  n: number[];
  /** Half size n_h and correct count c_h. */
  size: number[];
  correct: number[];
}

export function halfGroups(prompts: PromptStats[], rows: number[], half: 0 | 1): HalfGroups {
  const key = new Map<string, number>();
  const g: HalfGroups = { of: new Int32Array(rows.length), n: [], size: [], correct: [] };
  rows.forEach((i, r) => {
    const st = prompts[i];
    const size = half === 0 ? Math.ceil(st.n / 2) : Math.floor(st.n / 2);
    const correct = half === 0 ? st.cA! : st.c - st.cA!;
    const id = `${st.n},${correct}`;
    let idx = key.get(id);
    if (idx === undefined) {
      idx = g.n.length;
      key.set(id, idx);
      g.n.push(st.n);
      g.size.push(size);
      g.correct.push(correct);
    }
    g.of[r] = idx;
  });
  return g;
}

/** PKPO loo−1 weight s⁺ = C(n_h−c_h, k−1)/C(n_h, k) of each half group (NaN where n_h < k). */
export function correctWeights(g: HalfGroups, k: number): Float64Array {
  return Float64Array.from(g.size, (size, t) =>
    size >= k ? pkpoLooMinusOneWeights(size, g.correct[t], k).correct : NaN,
  );
}

/**
 * Unbiased pass^k estimate of one prompt: the fraction of k-subsets of its n samples that are all
 * correct.
 *
 * C(c, k)/C(n, k) = Π_{i<k} (c − i)/(n − i),   E_{c~Bin(n,p)}[·] = p^k for k ≤ n   [D; issue 19]
 *
 * Computed as oneMinusPPowEstimate(n, n − c, k) = C(n − (n − c), k)/C(n, k), the same stable
 * product. TODO(issue 19): switch to lib/theory's `passHatKEstimate` once that branch is merged.
 *
 * @example passHatKPromptEstimate(10, 3, 2) // => 0.06666666666666667  (C(3,2)/C(10,2) = 3/45)
 */
export function passHatKPromptEstimate(n: number, c: number, k: number): number {
  if (!(Number.isInteger(k) && k >= 1 && k <= n))
    throw new RangeError(`passHatKPromptEstimate: k must be an integer in 1…n = ${n}, got ${k}`);
  return oneMinusPPowEstimate(n, n - c, k);
}
