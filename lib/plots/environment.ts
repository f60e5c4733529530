/**
 * Figure builders for notebook 00 (the environment check). Pure: data in, figure out.
 */
import type { PlotlyFigure } from "./figure";
import { COLORS } from "./style";
import { passAtK } from "../theory/passAtK";
import { checkInteger, checkKGrid } from "../core/validate";

/**
 * J_k(p) = 1 − (1 − p)^k against p, one curve per k (PAPER.md §1, [P]).
 * @example passAtKCurvesFigure([1, 4, 16], { points: 101 }).data.length // => 3
 */
export function passAtKCurvesFigure(
  ks: readonly number[],
  { points = 201 }: { points?: number } = {},
): PlotlyFigure {
  checkKGrid("passAtKCurvesFigure", "ks", ks);
  checkInteger("passAtKCurvesFigure", "points", points, 2);
  const ps = Array.from({ length: points }, (_, i) => i / (points - 1));
  return {
    builder: "passAtKCurvesFigure",
    data: ks.map((k, j) => ({
      type: "scatter",
      mode: "lines",
      name: `k = ${k}`,
      x: ps,
      y: ps.map((p) => passAtK(p, k)),
      line: { color: COLORS[j % COLORS.length] },
    })),
    layout: {
      title: { text: "pass@k of one prompt: J<sub>k</sub>(p) = 1 − (1 − p)<sup>k</sup>" },
      xaxis: { title: { text: "per-prompt success p" }, range: [0, 1] },
      yaxis: { title: { text: "pass@k" }, range: [0, 1.02] },
      legend: { title: { text: "samples k" } },
    },
  };
}
