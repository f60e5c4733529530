/**
 * Shared data shapes. Dense matrices are row-major Float64Arrays.
 *
 * A `Population` is what the theory functions consume: N prompts with masses
 * D(x) (non-negative, summing to 1), per-prompt success p(x) = E_y r(x, y), and
 * per-prompt gradients ∇p(x) ∈ R^d stored row by row in `gradP` (N × d).
 */
export interface Population {
  /** Number of prompts N. */
  readonly N: number;
  /** Parameter dimension d. */
  readonly d: number;
  /** Prompt masses D(x), length N, non-negative, sum 1. */
  readonly mass: Float64Array;
  /** Per-prompt pass@1, p(x) ∈ [0, 1], length N. */
  readonly p: Float64Array;
  /** Per-prompt gradients ∇p(x), N × d row-major. */
  readonly gradP: Float64Array;
}
