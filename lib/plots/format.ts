/**
 * Presentation helpers shared by the plot builders: tick values and display rounding.
 */

/**
 * 1, 2, 4, … between the smallest and largest value: uncluttered tick values for a log k axis
 * (Plotly's default log ticks label every minor step, "2 3 4 … 9").
 *
 * @example powersOfTwoWithin([3, 5, 40]) // => [4, 8, 16, 32]
 */
export function powersOfTwoWithin(values: readonly number[]): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const ticks: number[] = [];
  for (let t = 1; t <= hi; t *= 2) if (t >= lo) ticks.push(t);
  return ticks;
}

/**
 * Values rounded to `digits` significant digits for drawing: a figure with thousands of points
 * stored in a notebook is half the size, and nothing visible changes. Non-finite values pass
 * through.
 *
 * @example forDisplay([0.123456789, -2.5e-7]) // => [0.1235, -2.5e-7]
 */
export function forDisplay(values: ArrayLike<number>, digits = 4): number[] {
  return Array.from(values, (v) =>
    Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(digits)) : v,
  );
}
