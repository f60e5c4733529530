/**
 * Small helpers shared by the plot builders: plain-array copies with length checks, log-axis
 * ticks, horizontal and vertical reference lines, and where a label crosses no curve.
 */
import type { Layout } from "./figure";
import { ROLE_COLORS } from "./style";
import { checkFiniteArray, checkLength } from "../core/validate";

/** Plain array copy (Plotly JSON and snapshots want arrays, not Float64Arrays). */
export function toArray(where: string, name: string, xs: ArrayLike<number>): number[] {
  return Array.from(checkFiniteArray(where, name, xs));
}

/** Same as toArray, and its length must equal `expected` (the length of `against`). */
export function toArrayOfLength(
  where: string,
  name: string,
  xs: ArrayLike<number>,
  expected: number,
  against: string,
): number[] {
  checkLength(where, name, xs, expected, against);
  return toArray(where, name, xs);
}

/**
 * Tick values 1, 2, 5 × 10^j covering [min, max] (positive), for log axes whose range is too
 * short for decade ticks alone; plotly's own minor labels ("2", "5") read as other numbers.
 * @example logTickValues(0.03, 0.9) // => [0.02, 0.05, 0.1, 0.2, 0.5, 1]
 */
export function logTickValues(min: number, max: number): number[] {
  if (!(min > 0 && max >= min && Number.isFinite(max)))
    throw new RangeError(`logTickValues: need 0 < min ≤ max < ∞, got min = ${min}, max = ${max}`);
  const all: number[] = [];
  for (let e = Math.floor(Math.log10(min)) - 1; e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) all.push(Number((m * 10 ** e).toPrecision(12)));
  }
  const lo = all.filter((v) => v <= min).pop() ?? all[0];
  const hi = all.find((v) => v >= max) ?? all[all.length - 1];
  return all.filter((v) => v >= lo && v <= hi);
}

/** A horizontal dashed reference line at y (e.g. zero) across the plot area of axis `yref`. */
export function horizontalLine(
  y: number,
  yref = "y",
  xref = "x domain",
): NonNullable<Layout["shapes"]>[number] {
  return {
    type: "line",
    xref: xref as "x",
    yref: yref as "y",
    x0: 0,
    x1: 1,
    y0: y,
    y1: y,
    line: { color: ROLE_COLORS.reference, width: 1, dash: "dash" },
    layer: "below",
  };
}

/** A vertical dashed reference line at x across the plot area of axis `xref`. */
export function verticalLine(
  x: number,
  xref = "x",
  yref = "y domain",
): NonNullable<Layout["shapes"]>[number] {
  return {
    type: "line",
    xref: xref as "x",
    yref: yref as "y",
    x0: x,
    x1: x,
    y0: 0,
    y1: 1,
    line: { color: ROLE_COLORS.reference, width: 1, dash: "dot" },
    layer: "below",
  };
}

/**
 * The middle of the widest gap between the curves' y spans (and the zero line) within the
 * overall y range of `all`: where a label in that x range crosses no curve.
 * @example emptiestLevel([[1, 1.1], [-1, -0.9]], [-1, 1.1, 0]) // => 0.5
 */
export function emptiestLevel(curves: readonly number[][], all: readonly number[]): number {
  const finite = all.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const taken = curves
    .map((ys) => ys.filter(Number.isFinite))
    .filter((ys) => ys.length > 0)
    .map((ys) => [Math.min(...ys), Math.max(...ys)] as const);
  taken.push([0, 0]);
  taken.sort((a, b) => a[0] - b[0]);
  let best: [number, number] = [lo, lo];
  let at = lo;
  for (const [a, b] of [...taken, [hi, hi] as const]) {
    if (a - at > best[1] - best[0]) best = [at, a];
    at = Math.max(at, b);
  }
  return (best[0] + best[1]) / 2;
}
