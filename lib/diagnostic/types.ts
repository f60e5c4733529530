/**
 * The diagnostic's options and result (lib/diagnostic/bootstrap.ts `diagnose`), shared by the
 * estimators (estimate.ts), the bootstrap (bootstrap.ts), the report (report.ts) and
 * `npm run analyze`. Every per-k array is aligned with `k`; null = not estimable there, and
 * `nullReasons` says why for each null.
 */

/** The k grid of the `analyze` command when none is given. */
export const DEFAULT_K_GRID: readonly number[] = Object.freeze([1, 2, 4, 8, 16, 32, 64]);

/** Options of `diagnose`. */
export interface DiagnosticOptions {
  /** Grid of k (integers ≥ 1, any order); default {@link DEFAULT_K_GRID}. */
  k?: ArrayLike<number>;
  /** Bootstrap replicates B (0 = no intervals); default 200. */
  bootstrap?: number;
  /** Seed of the bootstrap; default 0. */
  seed?: number;
  /** Confidence level of the percentile intervals, in (0, 1); default 0.95. */
  level?: number;
}

/** A percentile interval [lo, hi]. */
export type Interval = [number, number];

/** One prompt's estimates. */
export interface PromptEstimate {
  id: string;
  n: number;
  c: number;
  /** p̂ = c/n. */
  pHat: number;
  /**
   * â(x) against ∇J_1 of all prompts with n ≥ 2; null without gradients, when n < 2, and when
   * the sign is undetermined (c = 0: ĝ(x) = 0, so â(x) = 0 says nothing about a(x)).
   */
  agreement: number | null;
}

/** Why a reported value is null: which field, at which k (null for scalars), and why. */
export interface NullReason {
  field: string;
  k: number | null;
  reason: string;
}

/** Everything the diagnostic reports. Arrays are aligned with `k`; null = not estimable. */
export interface DiagnosticResult {
  source: string;
  /** Number of prompts in the input. */
  prompts: number;
  /** Total samples Σ n. */
  samples: number;
  /** Gradient dimension (0 without gradients). */
  d: number;
  /** True when per-sample gradients were given. */
  gradients: boolean;
  /** The requested k grid (as given). */
  k: number[];
  /** Mean over prompts with n ≥ k of the unbiased pass@k estimator. */
  passAtK: (number | null)[];
  passAtKCI: (Interval | null)[];
  /** Mean over prompts with n ≥ k of the unbiased pass^k estimator C(c,k)/C(n,k) (J^k = E p^k). */
  passHatK: (number | null)[];
  passHatKCI: (Interval | null)[];
  /** Prompts with n < k, left out of passAtK and passHatK at that k. */
  passAtKExcluded: number[];
  /**
   * Prompts with ⌊n/2⌋ < k, left out of the gradient statistics at that k (all, without gradients).
   */
  gradientExcluded: number[];
  /** Cross-fitted ⟨∇J_k, ∇J_1⟩ over the prompts with n ≥ 2k. */
  innerProduct: (number | null)[];
  innerProductCI: (Interval | null)[];
  /** Cross-fitted ‖∇J_k‖² (can be ≤ 0 when the gradient is below the sampling noise). */
  gradJkNormSq: (number | null)[];
  /** Cross-fitted ‖∇J_1‖² over the prompts of row k (n ≥ 2k): the cosine's and λ's denominator. */
  gradJ1NormSqAtK: (number | null)[];
  /** Cross-fitted cosine of ∇J_k and ∇J_1, clipped to [−1, 1]. */
  cosine: (number | null)[];
  /** Over the replicates where the cosine is defined (each clipped); null when >10% are not. */
  cosineCI: (Interval | null)[];
  /**
   * Share of q_k ∝ ŵ_k on {â < 0} among the prompts whose agreement sign is determined (c > 0,
   * â ≠ 0): the point estimate if undetermined prompts split like determined ones.
   */
  negativeAgreementWeight: (number | null)[];
  negativeAgreementWeightCI: (Interval | null)[];
  /**
   * [lower, upper] of the share of q_k on negatively interfering prompts: every undetermined
   * prompt counted as positive (lower) or as negative (upper).
   */
  negativeAgreementWeightBounds: ([number, number] | null)[];
  /** [interval of the lower bound, interval of the upper bound]. */
  negativeAgreementWeightBoundsCI: ([Interval | null, Interval | null] | null)[];
  /**
   * The share with every prompt without a correct sample classified by its failed samples' scores
   * (E[s | r = 0] = −∇p/(1 − p); estimate.ts): within the bounds; plug-in.
   */
  negativeAgreementWeightFromFailures: (number | null)[];
  negativeAgreementWeightFromFailuresCI: (Interval | null)[];
  /**
   * Share of q_k on prompts whose agreement sign is undetermined (c = 0: ĝ(x) = 0, or â = 0).
   * These are the prompts pass@k weighs most (ŵ_k = k when c = 0): upper − lower.
   */
  undeterminedAgreementWeight: (number | null)[];
  /** Cross-fitted ‖∇J_1‖² over the prompts with n ≥ 2. */
  gradJ1NormSq: number | null;
  /** Smallest grid k whose row has a negative cross-fitted inner product; null if none. */
  kStar: number | null;
  /**
   * Percentile interval of the bootstrap k* (first negative grid k of each replicate); an end is
   * null when it lies beyond the grid (no negative row in those replicates).
   */
  kStarCI: [number | null, number | null] | null;
  /**
   * Largest grid k such that it and every smaller grid k have an inner-product interval entirely
   * above 0; null when none (or without bootstrap).
   */
  safeK: number | null;
  /**
   * Smallest weight λ of pass@1 in the objective (1 − λ)J_k + λJ_1 whose gradient keeps a
   * non-negative inner product with ∇J_1 (0 when ⟨∇J_k, ∇J_1⟩ ≥ 0), per k.
   */
  mixingLambda: (number | null)[];
  mixingLambdaCI: (Interval | null)[];
  perPrompt: PromptEstimate[];
  bootstrap: number;
  seed: number;
  level: number;
  /** Why each null above is null. */
  nullReasons: NullReason[];
  /** Plain-language notes about exclusions and suspicious input. */
  warnings: string[];
}

/** Point estimates of one (re)sample of prompts; NaN = not estimable. */
export interface Estimates {
  passAtK: Float64Array;
  passHatK: Float64Array;
  innerProduct: Float64Array;
  gradJkNormSq: Float64Array;
  /** Cross-fitted ‖∇J_1‖² over the row's population (n ≥ 2k). */
  gradJ1NormSqAt: Float64Array;
  cosine: Float64Array;
  /** Share of q_k on {â < 0} among determined prompts, and its lower and upper bounds. */
  negativeShare: Float64Array;
  negativeLower: Float64Array;
  negativeUpper: Float64Array;
  /** The share with each c = 0 prompt classified by the sign of its failure-based â⁻(x). */
  negativeFromFailures: Float64Array;
  undeterminedShare: Float64Array;
  mixingLambda: Float64Array;
  /** Cross-fitted ‖∇J_1‖² over all gradient prompts (n ≥ 2). */
  gradJ1NormSq: number;
  /** Smallest grid k with a negative inner product; Infinity when none. */
  kStar: number;
}
