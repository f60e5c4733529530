/**
 * Estimators from n sampled attempts of which c are correct (PAPER.md §7–8; notebooks 01 and 06).
 *
 * Everything here rests on one ratio of binomial coefficients,
 *
 *   R(n, c, m) = C(n−c, m) / C(n, m),   E_{c~Bin(n,p)}[R(n, c, m)] = (1 − p)^m  (m ≤ n),
 *
 * the chance that m of the n samples drawn without replacement are all incorrect.
 * It is evaluated (lib/theory/binomialRatio.ts) from exact integers — never as a ratio of
 * float64 binomials, which overflow from n ≈ 1030 —: for n ≤ 1024 and min(c, m) > 3 from a table
 * of factorials (≤ 7 roundings, O(1)), otherwise as a product of min(c, m) factors in (0, 1];
 * when R ≥ 1/2, 1 − R is accumulated as a sum of positive terms, so neither suffers cancellation.
 */
import { checkInteger, checkProbability } from "../core/validate";
import { binomialRatio, binomialRatioComplement } from "./binomialRatio";

/**
 * Checks sample counts: n (integer ≥ minN), c (integer in [0, n]) and `m` (integer in
 * [minM, n + mSlack]) in that order. Throws RangeError/TypeError naming `where`.
 */
export function checkSamples(
  where: string,
  n: number,
  c: number,
  mName: string,
  m: number,
  minM: number,
  minN: number,
  mSlack = 0,
): void {
  checkInteger(where, "n", n, minN);
  checkInteger(where, "c", c, 0);
  if (c > n) throw new RangeError(`${where}: c must be an integer in [0, n] = [0, ${n}], got ${c}`);
  checkInteger(where, mName, m, minM);
  if (m > n + mSlack) {
    const bound = mSlack === 0 ? "n" : `n + ${mSlack}`;
    throw new RangeError(
      `${where}: ${mName} must be ≤ ${bound} = ${n + mSlack} (the estimator needs enough samples), got ${m}`,
    );
  }
}

/** Module-local bindings (tsx's CommonJS interop calls imported functions through a getter). */
const ratioOf = binomialRatio;
const complementOf = binomialRatioComplement;

/**
 * n, c, m are int32 integers with 0 ≤ c ≤ n and minM ≤ m ≤ n (n ≥ 1 when minM ≥ 1): the common
 * case, tested in a few comparisons; anything else goes through {@link checkSamples}, which
 * throws the named error (or accepts, e.g. n ≥ 2^31).
 */
function isPlainTriple(n: number, c: number, m: number, minM: number): boolean {
  return (n | 0) === n && (c | 0) === c && (m | 0) === m && c >= 0 && c <= n && m >= minM && m <= n;
}

/**
 * The unbiased pass@k estimator of Chen et al. (2021) from n samples with c correct.
 *
 * ρ(n, c, k) = 1 − C(n−c, k)/C(n, k),   E_{c~Bin(n,p)}[ρ] = 1 − (1 − p)^k = pass@k(p)   [PAPER.md
 * §8]
 *
 * Returns exactly 1 when n − c < k (every k-subset contains a correct sample) and 0 when
 * c = 0. Requires 1 ≤ k ≤ n (k > n throws: the estimator needs n ≥ k samples).
 * R from exact integers — a factorial table for n ≤ 1024 and min(c, k) > 3, else the product form
 * of openai/human-eval — with 1 − R formed without cancellation: worst relative error 2e−16 over
 * 937 exact-rational fixtures with n up to 10^5 (tests/estimators.test.ts). O(1) time from the
 * table, else O(min(c, k)).
 *
 * @example passAtKEstimate(10, 3, 2) // => 0.5333333333333334  (8/15, 1 ulp high)
 */
export function passAtKEstimate(n: number, c: number, k: number): number {
  if (!isPlainTriple(n, c, k, 1)) checkSamples("passAtKEstimate", n, c, "k", k, 1, 1);
  return complementOf(n, c, k);
}

/**
 * Unbiased estimator of (1 − p)^m: the fraction of m-subsets of the n samples that are all
 * incorrect.
 *
 * R(n, c, m) = C(n−c, m)/C(n, m),   E_{c~Bin(n,p)}[R] = (1 − p)^m for 0 ≤ m ≤ n   [D, PAPER.md §7]
 *
 * m = 0 gives 1; n − c < m gives 0. Values below ~1e−308 underflow (to 0 or a subnormal).
 *
 * @example oneMinusPPowEstimate(10, 3, 2) // => 0.4666666666666666  (21/45, 1 ulp low)
 */
export function oneMinusPPowEstimate(n: number, c: number, m: number): number {
  if (!isPlainTriple(n, c, m, 0)) checkSamples("oneMinusPPowEstimate", n, c, "m", m, 0, 0);
  return ratioOf(n, c, m);
}

/**
 * Unbiased estimator of the prompt weight w_k(p) = k(1 − p)^{k−1}.
 *
 * ŵ_k = k·C(n−c, k−1)/C(n, k−1),   E_{c~Bin(n,p)}[ŵ_k] = w_k(p) for k − 1 ≤ n   [D, PAPER.md §7]
 *
 * k = 1 gives 1 for any (n, c) — the weight of pass@1 — so n = 0 is allowed only then.
 *
 * @example promptWeightEstimate(10, 3, 3) // => 1.4
 */
export function promptWeightEstimate(n: number, c: number, k: number): number {
  checkSamples("promptWeightEstimate", n, c, "k", k, 1, 0, 1);
  return k * binomialRatio(n, c, k - 1);
}

/**
 * The unbiased pass^k estimator from n samples with c correct: the fraction of k-subsets of the
 * samples that are all correct.
 *
 * ρ^(n, c, k) = C(c, k)/C(n, k) = R(n, n−c, k),   E_{c~Bin(n,p)}[ρ^] = p^k = pass^k(p)   [D,
 * issue 19; the mirror of 1 − ρ(n, n−c, k)]
 *
 * Unbiased because C(c, k)/C(n, k) is the chance that k of the n samples drawn without
 * replacement are all correct, and the samples are i.i.d. Bernoulli(p). Product form (min(n−c,
 * k) factors in (0, 1], each an exact integer over an exact integer; no cancellation): stable at
 * n = 10^5 (tests against exact rationals). Returns 0 when c < k and 1 when c = n. Requires
 * 1 ≤ k ≤ n. O(min(n−c, k)) time.
 *
 * @example passHatKEstimate(10, 7, 2) // => 0.4666666666666666  (C(7,2)/C(10,2) = 21/45)
 */
export function passHatKEstimate(n: number, c: number, k: number): number {
  checkSamples("passHatKEstimate", n, c, "k", k, 1, 1);
  return binomialRatio(n, n - c, k);
}

/**
 * Unbiased estimator of the pass^k prompt weight w^k(p) = k p^{k−1}: k times the fraction of
 * (k−1)-subsets that are all correct.
 *
 * ŵ^k = k·C(c, k−1)/C(n, k−1),   E_{c~Bin(n,p)}[ŵ^k] = w^k(p) for k − 1 ≤ n   [D, issue 19]
 *
 * @example passHatKWeightEstimate(10, 7, 3) // => 0.9333333333333332  (3·21/45)
 */
export function passHatKWeightEstimate(n: number, c: number, k: number): number {
  checkSamples("passHatKWeightEstimate", n, c, "k", k, 1, 0, 1);
  return k * binomialRatio(n, n - c, k - 1);
}

/**
 * Per-sample weights of the unbiased pass^k gradient estimate Σ_i s_i ∇log π(y_i) for binary
 * rewards: a correct sample is credited with the fraction of k-subsets containing it that are
 * all correct; incorrect samples get 0.
 *
 *   s_i = C(c−1, k−1)/C(n, k) if correct,   0 if incorrect   [D, issue 19]
 *
 * Unbiased [D]: for a correct sample the other n − 1 hold c' = c − 1 ~ Bin(n−1, p) correct, and
 * n·E[C(c', k−1)]/C(n, k) = n·C(n−1, k−1)p^{k−1}/C(n, k) = k p^{k−1}, independent of the sample's
 * own score, whose r·∇log π has mean ∇p; so the mean is k p^{k−1}∇p = ∇pass^k. The mirror of
 * PKPO's loo−1 weights C(n−c, k−1)/C(n, k). Computed as R(n−1, n−c, k−1)·k/n. Requires
 * 1 ≤ k ≤ n; c = 0 gives (0, 0).
 *
 * @example passHatKSampleWeights(4, 3, 2) // => { correct: 0.3333333333333333, incorrect: 0 }
 */
export function passHatKSampleWeights(n: number, c: number, k: number): SampleWeights {
  checkSamples("passHatKSampleWeights", n, c, "k", k, 1, 1);
  if (c === 0) return { correct: 0, incorrect: 0 };
  return { correct: (binomialRatio(n - 1, n - c, k - 1) * k) / n, incorrect: 0 };
}

/** Per-sample weights for correct and incorrect samples of one prompt. */
export interface SampleWeights {
  /** Weight s_i of each correct sample (r_i = 1). */
  correct: number;
  /** Weight s_i of each incorrect sample (r_i = 0). */
  incorrect: number;
}

/**
 * PKPO per-sample weights for binary rewards (Walder & Karkhanis 2025): the policy-gradient
 * estimate Σ_i s_i ∇log π(y_i) of ∇pass@k, with
 *
 *   s_i = k/n if y_i is correct,   s_i = (k/n)·ρ(n−1, c, k−1) if incorrect   [PAPER.md §8]
 *
 * (ρ = {@link passAtKEstimate}, ρ(·,·,0) = 0). Unbiased [D, proof in tests/estimators.test.ts]:
 * E[Σ_i s_i ∇log π(y_i)] = ∇pass@k = w_k(p)∇p. Since E[r ∇log π] = ∇p and
 * E[(1−r)∇log π] = −∇p, this is the scalar identity
 *
 *   n·E_{c'~Bin(n−1,p)}[s⁺(c'+1) − s⁻(c')] = k(1 − p)^{k−1}
 *
 * (c' = correct among the other n − 1 samples), which holds because ρ(n−1, c', k−1) is unbiased
 * for pass@(k−1). Requires 1 ≤ k ≤ n. k = 1 gives REINFORCE: (1/n, 0). When c = n no sample is
 * incorrect and `incorrect` is reported as 0.
 *
 * @example pkpoWeights(4, 1, 2) // => { correct: 0.5, incorrect: 0.16666666666666666 }
 */
export function pkpoWeights(n: number, c: number, k: number): SampleWeights {
  checkSamples("pkpoWeights", n, c, "k", k, 1, 1);
  const correct = k / n;
  if (c === n) return { correct, incorrect: 0 };
  return { correct, incorrect: correct * binomialRatioComplement(n - 1, c, k - 1) };
}

/**
 * PKPO's lowest-variance "loo−1" weights for binary rewards: a correct sample is credited
 * with the fraction of k-subsets in which it is the only correct one; incorrect samples get 0.
 *
 *   s_i = C(n−c, k−1)/C(n, k) if correct,   0 if incorrect   [PAPER.md §8]
 *
 * Same expectation as {@link pkpoWeights} [D]: n·E_{c'~Bin(n−1,p)}[s⁺(c'+1)] =
 * n·C(n−1, k−1)/C(n, k)·(1−p)^{k−1} = k(1 − p)^{k−1}, so Σ_i s_i ∇log π(y_i) is unbiased for
 * ∇pass@k. Computed as R(n, c, k−1)·k/(n−k+1). Requires 1 ≤ k ≤ n. k = 1 gives (1/n, 0).
 *
 * @example pkpoLooMinusOneWeights(4, 1, 2) // => { correct: 0.5, incorrect: 0 }
 */
export function pkpoLooMinusOneWeights(n: number, c: number, k: number): SampleWeights {
  checkSamples("pkpoLooMinusOneWeights", n, c, "k", k, 1, 1);
  return { correct: (binomialRatio(n, c, k - 1) * k) / (n - k + 1), incorrect: 0 };
}

/** Group statistics and analytic advantages of Pass@k Training. */
export interface PassKAdvantages {
  /** Advantage A⁺ of each correct sample. */
  positive: number;
  /** Advantage A⁻ of each incorrect sample. */
  negative: number;
  /** Group pass@k estimate ρ = ρ(n, c, k). */
  rho: number;
  /** σ = sqrt(ρ(1 − ρ)). */
  sigma: number;
}

/**
 * Analytic advantages of Pass@k Training (Chen et al. 2025, RUCAIBox/Passk_Training).
 *
 *   ρ = ρ(n, c, k),  σ = sqrt(ρ(1−ρ)),
 *   A⁺ = (1 − ρ)/σ,  A⁻ = (1 − ρ − C(n−c−1, k−1)/C(n−1, k−1))/σ   [PAPER.md §8]
 *
 * They are the PKPO weights standardised [D, PAPER.md §10 claim 11]: A_i = ((n/k)s_i − ρ)/σ
 * with s_i from {@link pkpoWeights}. Not unbiased for ∇pass@k (σ and the baseline ρ depend on
 * the sample). A⁻ is evaluated as −(c/n)·R(n−1, c, k−1)/σ, an exact rearrangement
 * (R(n,c,k) = (n−c)/n·R(n−1,c,k−1)) free of cancellation.
 * When σ = 0 (c = 0, or n − c < k so ρ = 1) both advantages are 0/0; they are returned as 0,
 * the usual convention of group-normalised advantages (no signal in a constant group).
 * Requires 1 ≤ k ≤ n.
 *
 * @example passKTrainingAdvantages(4, 1, 2) // => { positive: 1, negative: -0.3333333333333333,
 * rho: 0.5, sigma: 0.5 }
 */
export function passKTrainingAdvantages(n: number, c: number, k: number): PassKAdvantages {
  checkSamples("passKTrainingAdvantages", n, c, "k", k, 1, 1);
  const rho = binomialRatioComplement(n, c, k);
  const oneMinusRho = binomialRatio(n, c, k);
  const sigma = Math.sqrt(rho * oneMinusRho);
  if (sigma === 0) return { positive: 0, negative: 0, rho, sigma };
  // c ≤ n − 1 here: c = n forces ρ = 1, σ = 0
  return {
    positive: oneMinusRho / sigma,
    negative: -((c / n) * binomialRatio(n - 1, c, k - 1)) / sigma,
    rho,
    sigma,
  };
}

/**
 * The Binomial(n, p) probability mass function, P(c) for c = 0..n, for exact expectations
 * over the number of correct samples: E[f(c)] = Σ_c pmf[c]·f(c).
 *
 * P(c) = C(n, c) p^c (1−p)^{n−c}, evaluated in log space (log C by a running sum,
 * log1p for log(1−p)) so it neither overflows nor underflows prematurely for n up to ~10^6.
 * p = 0 and p = 1 put all mass on c = 0 and c = n.
 *
 * @example binomialPmf(2, 0.5) // => Float64Array [0.25, 0.5, 0.25]
 */
export function binomialPmf(n: number, p: number): Float64Array {
  checkInteger("binomialPmf", "n", n, 0);
  checkProbability("binomialPmf", "p", p);
  const pmf = new Float64Array(n + 1);
  if (p === 0 || p === 1) {
    pmf[p === 0 ? 0 : n] = 1;
    return pmf;
  }
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logComb = 0;
  for (let c = 0; c <= n; c++) {
    if (c > 0) logComb += Math.log((n - c + 1) / c);
    pmf[c] = Math.exp(logComb + c * logP + (n - c) * logQ);
  }
  return pmf;
}
