/**
 * Agreement signs and the share of the pass@k weight on negatively interfering prompts
 * (issue 14; used by lib/diagnostic/estimate.ts for every replicate).
 *
 * - the share of q_k ∝ ŵ_k on negatively interfering prompts [D, issue 14]. A prompt with no
 *   correct sample (c = 0) has ĝ(x) = 0 and â(x) = 0: the sign of a(x) is not identified there
 *   ("undetermined"; so is any prompt with â = 0 exactly), yet ŵ_k = k is largest there. With
 *   N = Σ ŵ_k over determined prompts with â < 0, D = Σ ŵ_k over determined prompts and
 *   T = Σ ŵ_k over all (population of the row),
 *     point = N/D,   lower = N/T (undetermined counted positive),
 *     upper = (N + (T − D))/T (undetermined counted negative);
 *   lower ≤ point ≤ upper, and all three coincide when no prompt is undetermined. The sign of â
 *   is itself noisy: prompts with a(x) near 0 are misclassified at random (plug-in estimate);
 * - failed samples are informative [D]: E[s] = 0 gives E[(1 − r)s] = −∇p, and given c = 0 the n
 *   samples are iid failures, so E[s | r = 0] = −∇p(x)/(1 − p(x)) and, per half,
 *     â⁻(x) = ½(⟨−S⁻_A/n_A, Ĝ^B⟩ + ⟨−S⁻_B/n_B, Ĝ^A⟩)
 *   has conditional mean a(x)/(1 − p(x)) given c = 0 (Ĝ does not involve x: its S⁺ = 0): the sign
 *   of â⁻ estimates the sign of a(x) where â cannot. `negativeFromFailures` classifies each c = 0
 *   prompt by it: (N + Σ_{c=0, â⁻<0} ŵ_k)/T, within [lower, upper] by construction; plug-in, as
 *   noisy as the failure scores are (exact when a failure's score is a fixed multiple of ∇p, as
 *   for a logistic policy).
 */
import type { Diagnostic } from "./estimate";
import type { Estimates } from "./types";

/**
 * â(x) = ½(⟨ĝ^A(x), Ĝ^B⟩ + ⟨ĝ^B(x), Ĝ^A⟩) into `diag.agree` for rows with n ≥ minN (NaN for the
 * others), and â⁻(x) into `diag.agreeFail` for the c = 0 rows; U^h = M·Ĝ^h.
 */
export function agreementsInto(
  diag: Diagnostic,
  UA: Float64Array,
  UB: Float64Array,
  M: number,
  minN: number,
): void {
  const { d, splus, agree, rowN } = diag;
  for (let r = 0; r < agree.length; r++) {
    if (rowN[r] < minN) {
      agree[r] = NaN;
      continue;
    }
    const base = r * 2 * d;
    let a = 0;
    let b = 0;
    for (let j = 0; j < d; j++) {
      a += splus[base + j] * UB[j];
      b += splus[base + d + j] * UA[j];
    }
    agree[r] = (0.5 * (a / diag.rowNA[r] + b / diag.rowNB[r])) / M;
  }
  // â⁻(x) = ½(⟨−S⁻_A/n_A, Ĝ^B⟩ + ⟨−S⁻_B/n_B, Ĝ^A⟩) for the c = 0 rows.
  const { sminusZero, agreeFail } = diag;
  diag.zeroRows.forEach((r, z) => {
    if (rowN[r] < minN) return void (agreeFail[z] = NaN);
    const base = z * 2 * d;
    let a = 0;
    let b = 0;
    for (let j = 0; j < d; j++) {
      a += sminusZero[base + j] * UB[j];
      b += sminusZero[base + d + j] * UA[j];
    }
    agreeFail[z] = (-0.5 * (a / diag.rowNA[r] + b / diag.rowNB[r])) / M;
  });
}

/** The shares of q_k ∝ ŵ_k at grid index s: point, bounds and undetermined (module comment). */
export function sharesInto(
  diag: Diagnostic,
  est: Estimates,
  s: number,
  omega: Float64Array | null,
  minN: number,
): void {
  const wHat = diag.wHat[s];
  let neg = 0;
  let determined = 0;
  let tot = 0;
  let failNeg = 0;
  let z = 0;
  for (let r = 0; r < diag.rows.length; r++) {
    const zero = diag.rowC[r] === 0;
    if (zero) z++;
    if (diag.rowN[r] < minN) continue;
    const w = (omega === null ? 1 : omega[diag.rows[r]]) * wHat[r];
    tot += w;
    if (zero && diag.agreeFail[z - 1] < 0) failNeg += w;
    if (zero || !(diag.agree[r] !== 0)) continue; // undetermined
    determined += w;
    if (diag.agree[r] < 0) neg += w;
  }
  if (!(tot > 0)) return;
  est.negativeFromFailures[s] = (neg + failNeg) / tot;
  est.negativeLower[s] = neg / tot;
  est.negativeUpper[s] = Math.min(1, (neg + (tot - determined)) / tot);
  est.undeterminedShare[s] = (tot - determined) / tot;
  if (determined > 0) est.negativeShare[s] = neg / determined;
}
