/**
 * `diagnose`: the diagnostic's point estimates (estimate.ts) with percentile-bootstrap intervals
 * over prompts (issue 7, issue 14; notebook 08).
 *
 * Each replicate redraws the prompt set with replacement (multiplicities ω ~ Multinomial(m; 1/m,
 * …), seeded) and recomputes everything from the same sufficient statistics, so it carries both
 * prompt and response-sampling noise. The intervals are for the prompt distribution D the file's
 * prompts were drawn from; when the prompts are the whole task, they are wider than the response
 * noise alone (notebook 08 shows both). [D, our choice]
 *
 * Bounded statistics keep their bounds: each replicate's statistic is computed in its range
 * (a cosine clipped to [−1, 1], shares and probabilities are ratios of non-negative sums), so its
 * percentiles lie there too. A statistic undefined in some replicates (a cosine, a share with
 * Σŵ = 0) gets its interval from the others unless more than 10% are undefined.
 */
import { quantileSorted } from "../core/stats";
import { createRng } from "../core/rng";
import { checkInteger, checkKGrid, show } from "../core/validate";
import type { SampleData } from "../core/samples";
import { Diagnostic } from "./estimate";
import { diagnosticWarnings, nullReasons } from "./report";
import {
  DEFAULT_K_GRID,
  type DiagnosticOptions,
  type DiagnosticResult,
  type Estimates,
  type Interval,
  type PromptEstimate,
} from "./types";

/**
 * Largest share of bootstrap replicates in which a statistic may be undefined and still get an
 * interval.
 */
export const MAX_UNDEFINED_REPLICATES = 0.1;

/**
 * Percentile interval of bootstrap values over the replicates where the statistic is defined;
 * null when more than {@link MAX_UNDEFINED_REPLICATES} of them are not (NaN) — e.g. a cosine
 * whose cross-fitted squared norms are ≤ 0 in many replicates is not determined by the data.
 */
function percentile(values: Float64Array, level: number): Interval | null {
  const defined = values.filter((v) => !Number.isNaN(v));
  if (defined.length === 0 || defined.length < (1 - MAX_UNDEFINED_REPLICATES) * values.length)
    return null;
  const sorted = defined.sort();
  const alpha = (1 - level) / 2;
  return [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)];
}

/** Inverse-ECDF (type 1) quantile, for the integer k*. */
function quantileDiscrete(sorted: ArrayLike<number>, q: number): number {
  const idx = Math.max(0, Math.ceil(sorted.length * q) - 1);
  return sorted[idx];
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The per-k statistics that get bootstrap intervals. */
const PER_K = [
  "passAtK",
  "passHatK",
  "innerProduct",
  "cosine",
  "negativeShare",
  "negativeLower",
  "negativeUpper",
  "negativeFromFailures",
  "mixingLambda",
] as const;
type PerK = (typeof PER_K)[number];

/**
 * Runs the diagnostic of PAPER.md §7 on loaded samples: pass@k and pass^k, the cross-fitted
 * ⟨∇J_k, ∇J_1⟩ and cosine, q_k's weight on negatively interfering prompts (point and bounds),
 * k*, the safe k and the smallest safe mixing weight, each with a bootstrap interval.
 *
 *   ⟨∇J_k, ∇J_1⟩ ≈ ½(⟨Ĥ_k^A, Ĝ^B⟩ + ⟨Ĥ_k^B, Ĝ^A⟩)   [D, estimator for the identity of PAPER.md §4]
 *   k* = min{k in the grid : ⟨∇J_k, ∇J_1⟩ < 0 in row k}   [P: k* exists; D: this estimate]
 *
 * See lib/diagnostic/estimate.ts for the estimators, their (un)biasedness and the exclusion rule.
 * Counts-only input (no gradients) gives pass@k, pass^k and null gradient fields.
 * Cost: O(prompts·d) to pool sums plus O(groups·d) per k, times (1 + B).
 *
 * @example
 * // prompt q: A half (samples 0, 2) both correct, B half (1, 3) one correct; prompt r: one correct
 * // per half
 * const acc = new SampleAccumulator();
 * acc.add("q", true, [1, 0]); acc.add("q", false, [0, 1]); acc.add("q", true, [1, 1]);
 * acc.add("q", true, [2, 0]); acc.add("r", false, [1, 1]); acc.add("r", true, [-1, 2]);
 * acc.add("r", true, [0, -1]); acc.add("r", false, [1, 0]);
 * diagnose(acc.finish(), { k: [1, 2], bootstrap: 0 }).innerProduct // => [0.125, 0]
 */
export function diagnose(data: SampleData, opts: DiagnosticOptions = {}): DiagnosticResult {
  const where = "diagnose";
  if (data == null || !Array.isArray(data.prompts))
    throw new TypeError(
      `${where}: data must be SampleData (lib/diagnostic/read.ts), got ${show(data)}`,
    );
  if (data.prompts.length === 0) throw new RangeError(`${where}: data has no prompts`);
  const ks = Array.from(checkKGrid(where, "k", opts.k ?? DEFAULT_K_GRID));
  const B = checkInteger(where, "bootstrap", opts.bootstrap ?? 200, 0);
  const seed = checkInteger(where, "seed", opts.seed ?? 0, 0);
  const level = opts.level ?? 0.95;
  if (typeof level !== "number" || !(level > 0 && level < 1))
    throw new RangeError(`${where}: level must be in (0, 1), got ${show(level)}`);

  const diag = new Diagnostic(data, ks);
  const point = diag.evaluate(null);
  const K = ks.length;
  const prompts = data.prompts;

  const boot = Object.fromEntries(
    PER_K.map((key) => [key, ks.map(() => new Float64Array(B))]),
  ) as Record<PerK, Float64Array[]>;
  const bootKStar = new Float64Array(B);
  if (B > 0) {
    const rng = createRng(seed);
    const m = prompts.length;
    const omega = new Float64Array(m);
    for (let b = 0; b < B; b++) {
      omega.fill(0);
      for (let t = 0; t < m; t++) omega[rng.int(0, m - 1)]++;
      const e: Estimates = diag.evaluate(omega);
      for (const key of PER_K) for (let s = 0; s < K; s++) boot[key][s][b] = e[key][s];
      bootKStar[b] = e.kStar;
    }
  }
  const ci = (key: PerK) =>
    ks.map((_, s) =>
      B > 0 && Number.isFinite(point[key][s]) ? percentile(boot[key][s], level) : null,
    );
  const gradients = diag.rows.length > 0;

  let kStarCI: [number | null, number | null] | null = null;
  if (B > 0 && gradients) {
    const sorted = Float64Array.from(bootKStar).sort();
    const alpha = (1 - level) / 2;
    kStarCI = [
      orNull(quantileDiscrete(sorted, alpha)),
      orNull(quantileDiscrete(sorted, 1 - alpha)),
    ];
  }

  // Per-prompt agreement against ∇J_1 of all gradient prompts; null where undetermined.
  const perPrompt: PromptEstimate[] = prompts.map((st) => ({
    id: st.id,
    n: st.n,
    c: st.c,
    pHat: st.c / st.n,
    agreement: null,
  }));
  if (gradients) {
    const agree = diag.agreementScores();
    diag.rows.forEach((i, r) => {
      if (!diag.undetermined(r, agree[r])) perPrompt[i].agreement = agree[r];
    });
  }

  const innerProductCI = ci("innerProduct");
  const lowerCI = ci("negativeLower");
  const upperCI = ci("negativeUpper");
  // Safe k: the longest prefix of the sorted grid whose inner-product intervals lie above 0.
  let safeK: number | null = null;
  for (const s of ks.map((_, s) => s).sort((a, b) => ks[a] - ks[b])) {
    const iv = innerProductCI[s];
    if (iv === null || !(iv[0] > 0)) break;
    safeK = ks[s];
  }
  const pairs = (lo: Float64Array, hi: Float64Array) =>
    ks.map((_, s): [number, number] | null =>
      Number.isFinite(lo[s]) && Number.isFinite(hi[s]) ? [lo[s], hi[s]] : null,
    );

  const result: DiagnosticResult = {
    source: data.source,
    prompts: prompts.length,
    samples: data.samples,
    d: data.d,
    gradients,
    k: ks,
    passAtK: Array.from(point.passAtK, orNull),
    passAtKCI: ci("passAtK"),
    passHatK: Array.from(point.passHatK, orNull),
    passHatKCI: ci("passHatK"),
    passAtKExcluded: ks.map((k) => prompts.filter((st) => st.n < k).length),
    gradientExcluded: ks.map((k) =>
      gradients ? prompts.filter((st) => st.n < 2 * k || st.sums === null).length : prompts.length,
    ),
    innerProduct: Array.from(point.innerProduct, orNull),
    innerProductCI,
    gradJkNormSq: Array.from(point.gradJkNormSq, orNull),
    gradJ1NormSqAtK: Array.from(point.gradJ1NormSqAt, orNull),
    cosine: Array.from(point.cosine, orNull),
    cosineCI: ci("cosine"),
    negativeAgreementWeight: Array.from(point.negativeShare, orNull),
    negativeAgreementWeightCI: ci("negativeShare"),
    negativeAgreementWeightBounds: pairs(point.negativeLower, point.negativeUpper),
    negativeAgreementWeightBoundsCI: ks.map((_, s) =>
      Number.isFinite(point.negativeLower[s]) ? [lowerCI[s], upperCI[s]] : null,
    ),
    negativeAgreementWeightFromFailures: Array.from(point.negativeFromFailures, orNull),
    negativeAgreementWeightFromFailuresCI: ci("negativeFromFailures"),
    undeterminedAgreementWeight: Array.from(point.undeterminedShare, orNull),
    gradJ1NormSq: orNull(point.gradJ1NormSq),
    kStar: orNull(point.kStar),
    kStarCI,
    safeK: B > 0 && gradients ? safeK : null,
    mixingLambda: Array.from(point.mixingLambda, orNull),
    mixingLambdaCI: ci("mixingLambda"),
    perPrompt,
    bootstrap: B,
    seed,
    level,
    nullReasons: [],
    warnings: [],
  };
  result.nullReasons = nullReasons(result);
  result.warnings = diagnosticWarnings(data, result);
  return result;
}

/**
 * Per-prompt agreement estimates â(x) for the prompts with n ≥ 2 and gradients (in input order),
 * against ∇J_1 of those prompts (c = 0 gives 0 here: ĝ(x) = 0; `diagnose` reports null there).
 *
 * â(x) = ½(⟨ĝ^A(x), Ĝ^B⟩ + ⟨ĝ^B(x), Ĝ^A⟩),  ĝ^h(x) = S⁺_h/n_h   [D; unbiased for a(x) = ⟨∇p(x),
 * ∇J_1⟩]
 *
 * @example agreementScoresEstimate(data) // => Float64Array [0.5, -0.25]  (the two prompts of
 * diagnose's example)
 */
export function agreementScoresEstimate(data: SampleData): Float64Array {
  if (data == null || !Array.isArray(data.prompts))
    throw new TypeError(
      `agreementScoresEstimate: data must be SampleData (lib/diagnostic/read.ts), got ${show(data)}`,
    );
  const diag = new Diagnostic(data, [1]);
  return diag.rows.length === 0 ? new Float64Array(0) : diag.agreementScores();
}
