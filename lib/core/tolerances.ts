/**
 * Named numerical tolerances, each with the reason for its size. Tests and lib checks use these
 * names instead of bare literals, so a reader sees what a comparison claims.
 *
 * float64 has unit round-off u = 2^-53 ≈ 1.1e-16 (machine epsilon 2.2e-16).
 */
const TOLERANCES = {
  /**
   * A few float64 operations on O(1) quantities: a handful of ulps. Used for identities that
   * hold exactly in real arithmetic and are computed in a few steps (e.g. a(x) ≥ 0 ⇒ no conflict).
   */
  roundoff: 1e-15,
  /**
   * A float64 result against an exact-rational or 64-digit reference after accumulated rounding:
   * sums over up to ~10^4 terms or products of ~10^2 factors lose at most a few hundred ulps
   * relative (u·√N growth for sums, u·N worst case for products), well inside 1e-12.
   */
  exact: 1e-12,
  /**
   * Two float64 algorithms for the same quantity that round differently (fused vs generic
   * training step, wasm vs JS kernel, closed form vs scan): both are within `exact` of the truth,
   * so they differ by at most a few times that; 1e-10 leaves room for ill-conditioned sums.
   */
  algorithmsAgree: 1e-10,
  /**
   * Masses of a population must sum to one: user-supplied shares are often rounded to 8–9
   * significant digits, and renormalising hides nothing larger.
   */
  massSum: 1e-8,
  /**
   * Central finite differences at their best step h ≈ u^{1/3} ≈ 5e-6: truncation O(h²) and
   * round-off O(u/h) balance near u^{2/3} ≈ 2e-11 relative for smooth O(1) functions; 1e-6
   * allows third derivatives up to ~10^4 times the function's scale.
   */
  finiteDifference: 1e-6,
} as const;

/** The tolerances above, frozen. */
export const TOL: typeof TOLERANCES = Object.freeze(TOLERANCES);
