/**
 * Symbolic derivation of the pass@k gradient and curvature with mathjs, and a numeric check
 * of the result against promptWeight / passAtKSecondDerivative (PAPER.md §2, §5; notebook 02).
 *
 * mathjs is loaded on first use (it takes ~0.9 s), so importing lib/index stays fast.
 */
import type * as MathJs from "mathjs";
import { passAtKSecondDerivative, promptWeight } from "./passAtK";
import { checkFiniteArray, checkInteger } from "../core/validate";

/** The expression differentiated: population-free pass@k as a function of p. */
export const PASS_AT_K_EXPRESSION = "1 - (1 - p)^k";

interface Derived {
  passAtK: MathJs.MathNode;
  first: MathJs.MathNode;
  second: MathJs.MathNode;
  firstFn: MathJs.EvalFunction;
  secondFn: MathJs.EvalFunction;
}

let derived: Derived | undefined;

function derive(): Derived {
  if (derived === undefined) {
    const math = require("mathjs") as typeof MathJs;
    const passAtK = math.parse(PASS_AT_K_EXPRESSION);
    const first = math.derivative(passAtK, "p");
    const second = math.derivative(first, "p");
    derived = { passAtK, first, second, firstFn: first.compile(), secondFn: second.compile() };
  }
  return derived;
}

/** The symbolic pass@k, its first and second derivative in p, as text and LaTeX. */
export interface SymbolicGradient {
  passAtK: string;
  derivative: string;
  derivativeTex: string;
  secondDerivative: string;
  secondDerivativeTex: string;
}

/**
 * Differentiates pass@k = 1 − (1 − p)^k twice in p with mathjs.
 *
 * d/dp = k(1 − p)^{k−1} = w_k(p) [P, PAPER.md §2];  d²/dp² = −k(k−1)(1 − p)^{k−2} [D, §5]
 *
 * @example deriveGradient().derivative // => "k * (1 - p) ^ (k - 1)"
 * @example deriveGradient().secondDerivative // => "(k - k ^ 2) * (1 - p) ^ (k - 2)"
 */
export function deriveGradient(): SymbolicGradient {
  const d = derive();
  return {
    passAtK: d.passAtK.toString(),
    derivative: d.first.toString(),
    derivativeTex: d.first.toTex(),
    secondDerivative: d.second.toString(),
    secondDerivativeTex: d.second.toTex(),
  };
}

/**
 * Largest absolute difference, over the points `ps`, between the symbolic derivatives
 * evaluated numerically and the library's promptWeight(p, k) and passAtKSecondDerivative(p, k).
 *
 * max_p max(|∂pass@k/∂p − w_k(p)|, |∂²pass@k/∂p² − (−k(k−1)(1−p)^{k−2})|)   [D]
 *
 * ps must lie in [0, 1): at p = 1 the symbolic second derivative is 0·∞ for k = 1 while the
 * library returns the limit 0. A result of a few ulps (≲ 1e−12·k²) means they agree.
 *
 * @example checkSymbolic(5, [0, 0.1, 0.5, 0.9]) // => 0 (or a few 1e−16)
 */
export function checkSymbolic(k: number, ps: ArrayLike<number>): number {
  checkInteger("checkSymbolic", "k", k);
  checkFiniteArray("checkSymbolic", "ps", ps);
  for (let i = 0; i < ps.length; i++) {
    if (!(ps[i] >= 0 && ps[i] < 1))
      throw new RangeError(`checkSymbolic: ps[${i}] must be in [0, 1), got ${ps[i]}`);
  }
  const d = derive();
  let worst = 0;
  for (let i = 0; i < ps.length; i++) {
    const scope = { k, p: ps[i] };
    const first = Math.abs((d.firstFn.evaluate(scope) as number) - promptWeight(ps[i], k));
    const second = Math.abs(
      (d.secondFn.evaluate(scope) as number) - passAtKSecondDerivative(ps[i], k),
    );
    worst = Math.max(worst, first, second);
  }
  return worst;
}
