/**
 * Step-level checks on a policy (PAPER.md §2, §5, §9; notebooks 05 and 07): finite
 * differences of J_k against the analytic gradient (claim 1), the score bounds G and F of the
 * logistic policy, the local curvature of J_k (claim 10), the change of J_1 and J_k after one
 * pass@k step over a grid of step sizes (claim 7), and the projected direction's inner
 * products along a run (claim 12).
 *
 * Everything here is a composition of lib/ calls (policies, interference, mitigations,
 * training); nothing re-derives a gradient.
 */
import { dot } from "../core/stats";
import { gradJ1, gradJk } from "../theory/interference";
import { projectedDirection } from "../theory/mitigations";
import { populationPassAtK } from "../theory/passAtK";
import type { LogisticPolicy, Policy } from "../sim/policies";
import { train } from "../sim/training";
import {
  checkFiniteArray,
  checkInteger,
  checkKGrid,
  checkLength,
  checkPositive,
  show,
} from "../core/validate";

function checkTheta(where: string, policy: Policy, theta: ArrayLike<number>): void {
  if (policy == null || typeof policy.population !== "function")
    throw new TypeError(
      `${where}: policy must be a Policy (lib/sim/policies.ts), got ${show(policy)}`,
    );
  checkFiniteArray(where, "theta", theta);
  checkLength(where, "theta", theta, policy.d, "the policy's parameter dimension d");
}

function checkPositiveArray(where: string, name: string, xs: ArrayLike<number>): void {
  checkFiniteArray(where, name, xs);
  if (xs.length === 0) throw new RangeError(`${where}: ${name} must be non-empty, got []`);
  for (let i = 0; i < xs.length; i++)
    if (!(xs[i] > 0))
      throw new RangeError(`${where}: ${name}[${i}] must be > 0, got ${show(xs[i])}`);
}

const norm = (v: ArrayLike<number>): number => Math.sqrt(dot(v, v));

/**
 * Population pass@k of a policy at θ.
 *
 * J_k(θ) = E_x[1 − (1 − p_θ(x))^k]   [P, PAPER.md §1]
 *
 * @example passAtKAt(policy, [0, 0], 1) // => 0.5 (to rounding) for the logistic toy: every p =
 * σ(0)
 */
export function passAtKAt(policy: Policy, theta: ArrayLike<number>, k: number): number {
  checkTheta("passAtKAt", policy, theta);
  checkInteger("passAtKAt", "k", k);
  const pop = policy.population(theta);
  return populationPassAtK(pop.mass, pop.p, k);
}

/**
 * Central finite differences of a scalar function.
 *
 * ∂f/∂θ_j ≈ [f(θ + h e_j) − f(θ − h e_j)] / (2h), error O(h²) + O(ε/h)   [standard]
 *
 * @example centralDifferenceGradient((t) => t[0] * t[0] + 3 * t[1], [2, 0], 1e-4) // =>
 * Float64Array [4.000000000004, 3.00000000000189]
 */
export function centralDifferenceGradient(
  f: (theta: Float64Array) => number,
  theta: ArrayLike<number>,
  h: number,
): Float64Array {
  const where = "centralDifferenceGradient";
  if (typeof f !== "function")
    throw new TypeError(`${where}: f must be a function, got ${show(f)}`);
  checkFiniteArray(where, "theta", theta);
  checkPositive(where, "h", h);
  const d = theta.length;
  const t = Float64Array.from(theta);
  const g = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const v = t[j];
    t[j] = v + h;
    const up = f(t);
    t[j] = v - h;
    const down = f(t);
    t[j] = v;
    g[j] = (up - down) / (2 * h);
  }
  return g;
}

/** Result of {@link finiteDifferenceErrors}. */
export interface FiniteDifferenceErrors {
  ks: number[];
  hs: number[];
  /** ‖∇_FD J_k − ∇J_k‖ / ‖∇J_k‖, indexed [k index][h index]. */
  relError: number[][];
  /** ‖∇J_k‖ at θ, per k. */
  normGradJk: number[];
}

/**
 * Claim 1: relative error of central finite differences of θ ↦ J_k(θ) against the analytic
 * ∇J_k = E[w_k(p)∇p] (lib/theory/interference gradJk), for each k and step h.
 *
 * relError(k, h) = ‖∇_FD^h J_k − E[w_k ∇p]‖ / ‖E[w_k ∇p]‖   [P: the gradient; the check is ours]
 *
 * A zero analytic gradient gives NaN (no relative error). Cost: 2·d·|hs|·|ks| evaluations of p.
 *
 * @example finiteDifferenceErrors(policy, theta, [4], [1e-4]).relError[0][0] // => ≈ 3e-9 on the
 * warm-started toy (M = 4000)
 */
export function finiteDifferenceErrors(
  policy: Policy,
  theta: ArrayLike<number>,
  ks: ArrayLike<number>,
  hs: ArrayLike<number>,
): FiniteDifferenceErrors {
  const where = "finiteDifferenceErrors";
  checkTheta(where, policy, theta);
  checkKGrid(where, "ks", ks);
  checkPositiveArray(where, "hs", hs);
  const pop = policy.population(theta);
  const out: FiniteDifferenceErrors = {
    ks: Array.from(ks),
    hs: Array.from(hs),
    relError: [],
    normGradJk: [],
  };
  for (const k of out.ks) {
    const g = gradJk(pop, k);
    const gn = norm(g);
    const f = (t: Float64Array) => {
      const q = policy.population(t);
      return populationPassAtK(q.mass, q.p, k);
    };
    out.normGradJk.push(gn);
    out.relError.push(
      out.hs.map((h) => {
        const fd = centralDifferenceGradient(f, theta, h);
        for (let j = 0; j < fd.length; j++) fd[j] -= g[j];
        return gn > 0 ? norm(fd) / gn : NaN;
      }),
    );
  }
  return out;
}

/**
 * Score bounds of the two-action logistic policy over its (finite) set of contexts.
 *
 * s(x, a) = (a − σ(θᵀψ))ψ ⇒ ‖s‖ ≤ ‖ψ‖;  ∇²log π = −σ(1−σ)ψψᵀ ⇒ ‖∇²log π‖ ≤ ‖ψ‖²/4.
 * So G = max_x ‖ψ(x)‖, F = G²/4, for every θ   [D, the assumptions of PAPER.md §5]
 *
 * @example logisticScoreBounds(logisticPolicy(contextsFromArrays({ features: [1, 2], m: 2,
 * correctAction: [1] }))) // => { G: 2.23606797749979, F: 1.25 }
 */
export function logisticScoreBounds(policy: LogisticPolicy): { G: number; F: number } {
  if (policy == null || policy.kind !== "logistic" || !(policy.features instanceof Float64Array)) {
    throw new TypeError(
      `logisticScoreBounds: policy must be a logistic policy (lib/sim/policies.ts logisticPolicy), got ${show(policy && policy.kind)}`,
    );
  }
  const { N, d, features } = policy;
  let maxSq = 0;
  for (let x = 0; x < N; x++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += features[x * d + j] ** 2;
    if (s > maxSq) maxSq = s;
  }
  return { G: Math.sqrt(maxSq), F: maxSq / 4 };
}

/**
 * The local curvature of J_k at θ: the spectral norm of its Hessian, a lower bound on the
 * smoothness constant L_k (claim 10 compares it with the bounds).
 *
 * ‖∇²J_k(θ)‖₂ with ∇²J_k from central differences of the analytic ∇J_k (step h, then
 * symmetrised); the largest |eigenvalue| by power iteration on H²   [D]
 *
 * @example hessianNorm(policy, theta, 4) // => ≈ 0.08 on the warm-started toy (M = 4000)
 */
export function hessianNorm(policy: Policy, theta: ArrayLike<number>, k: number, h = 1e-5): number {
  const where = "hessianNorm";
  checkTheta(where, policy, theta);
  checkInteger(where, "k", k);
  checkPositive(where, "h", h);
  const d = policy.d;
  const H = new Float64Array(d * d);
  const t = Float64Array.from(theta);
  for (let j = 0; j < d; j++) {
    const v = t[j];
    t[j] = v + h;
    const up = gradJk(policy.population(t), k);
    t[j] = v - h;
    const down = gradJk(policy.population(t), k);
    t[j] = v;
    for (let i = 0; i < d; i++) H[i * d + j] = (up[i] - down[i]) / (2 * h);
  }
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const s = 0.5 * (H[i * d + j] + H[j * d + i]);
      H[i * d + j] = s;
      H[j * d + i] = s;
    }
  }
  // Power iteration on H² (positive semi-definite) finds max |λ(H)| whatever its sign.
  let v = new Float64Array(d).fill(1 / Math.sqrt(d));
  const mul = (x: Float64Array): Float64Array => {
    const y = new Float64Array(d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) y[i] += H[i * d + j] * x[j];
    return y;
  };
  let lambdaSq = 0;
  for (let it = 0; it < 1000; it++) {
    const w = mul(mul(v));
    const nw = norm(w);
    if (nw === 0) return 0;
    const next = dot(v, w);
    v = w.map((x) => x / nw);
    if (it > 0 && Math.abs(next - lambdaSq) <= 1e-14 * next) {
      lambdaSq = next;
      break;
    }
    lambdaSq = next;
  }
  return Math.sqrt(lambdaSq);
}

/** Result of {@link oneStepScan}. */
export interface OneStepScan {
  etas: number[];
  /** J_1(θ + η∇J_k) − J_1(θ) per η. */
  deltaJ1: number[];
  /** J_k(θ + η∇J_k) − J_k(θ) per η. */
  deltaJk: number[];
  /** c = ⟨∇J_k, ∇J_1⟩ at θ. */
  c: number;
  normGradJk: number;
  normGradJ1: number;
  /**
   * Largest η of the grid up to which every step had ΔJ_1 < 0 < ΔJ_k (null if the smallest did
   * not).
   */
  observedEtaMax: number | null;
}

/**
 * Claim 7: the exact change of J_1 and J_k after one pass@k ascent step, for each step size.
 *
 * θ⁺ = θ + η∇J_k;  ΔJ_m(η) = J_m(θ⁺) − J_m(θ), m ∈ {1, k}   [P: the one-step result; the scan is
 * ours]
 *
 * To first order ΔJ_1 ≈ ηc and ΔJ_k ≈ η‖∇J_k‖². `etas` are sorted ascending in the output.
 *
 * @example oneStepScan(policy, theta, 4, [0.01, 1]).deltaJ1 // => ≈ [0.01·c, 1·c] with c < 0 on the
 * toy
 */
export function oneStepScan(
  policy: Policy,
  theta: ArrayLike<number>,
  k: number,
  etas: ArrayLike<number>,
): OneStepScan {
  const where = "oneStepScan";
  checkTheta(where, policy, theta);
  checkInteger(where, "k", k);
  checkPositiveArray(where, "etas", etas);
  const pop = policy.population(theta);
  const gk = gradJk(pop, k);
  const g1 = gradJ1(pop);
  const J1 = populationPassAtK(pop.mass, pop.p, 1);
  const Jk = populationPassAtK(pop.mass, pop.p, k);
  const sorted = Array.from(etas).sort((a, b) => a - b);
  const out: OneStepScan = {
    etas: sorted,
    deltaJ1: [],
    deltaJk: [],
    c: dot(gk, g1),
    normGradJk: norm(gk),
    normGradJ1: norm(g1),
    observedEtaMax: null,
  };
  const t = new Float64Array(policy.d);
  let stillTradeOff = true;
  for (const eta of sorted) {
    for (let j = 0; j < t.length; j++) t[j] = theta[j] + eta * gk[j];
    const q = policy.population(t);
    const d1 = populationPassAtK(q.mass, q.p, 1) - J1;
    const dk = populationPassAtK(q.mass, q.p, k) - Jk;
    out.deltaJ1.push(d1);
    out.deltaJk.push(dk);
    if (stillTradeOff && d1 < 0 && dk > 0) out.observedEtaMax = eta;
    else stillTradeOff = false;
  }
  return out;
}

/** Result of {@link projectionTrace}. */
export interface ProjectionTrace {
  /** Step index of each checkpoint (0, every, 2·every, …, steps). */
  step: number[];
  J1: number[];
  Jk: number[];
  /** c = ⟨∇J_k, ∇J_1⟩ (the unprojected conflict). */
  c: number[];
  /** ⟨g, ∇J_1⟩ for the projected direction g (claim 12: ≥ 0). */
  gJ1: number[];
  /** ⟨g, ∇J_k⟩ (claim 12: ≥ 0). */
  gJk: number[];
}

/**
 * Claim 12 along a run: ascent on the projected direction g = ∇J_k − (min(0,c)/‖∇J_1‖²)∇J_1
 * (lib/sim/training.ts, objective "projected", exact gradients), with ⟨g, ∇J_1⟩ and ⟨g, ∇J_k⟩
 * computed afresh from lib/theory/mitigations.ts projectedDirection at every checkpoint.
 *
 * ⟨g, ∇J_1⟩ = max(0, c) ≥ 0,  ⟨g, ∇J_k⟩ = ‖∇J_k‖² − min(0,c)²/‖∇J_1‖² ≥ 0   [D, PAPER.md §9]
 *
 * The run is made of train() calls of `every` steps each, so θ follows exactly the path of one
 * train() call with the same options.
 *
 * @example projectionTrace(policy, theta, { k: 4, steps: 400, lr: 0.5, every: 20 }).gJ1 // => all ≥
 * 0
 */
export function projectionTrace(
  policy: Policy,
  theta0: ArrayLike<number>,
  opts: { k: number; steps: number; lr: number; every?: number },
): ProjectionTrace {
  const where = "projectionTrace";
  checkTheta(where, policy, theta0);
  const k = checkInteger(where, "opts.k", opts.k);
  const steps = checkInteger(where, "opts.steps", opts.steps, 0);
  const lr = checkPositive(where, "opts.lr", opts.lr);
  const every = opts.every === undefined ? 1 : checkInteger(where, "opts.every", opts.every);
  const out: ProjectionTrace = { step: [], J1: [], Jk: [], c: [], gJ1: [], gJk: [] };
  let theta = Float64Array.from(theta0);
  let done = 0;
  for (;;) {
    const pop = policy.population(theta);
    const gk = gradJk(pop, k);
    const g1 = gradJ1(pop);
    const g = projectedDirection(gk, g1);
    out.step.push(done);
    out.J1.push(populationPassAtK(pop.mass, pop.p, 1));
    out.Jk.push(populationPassAtK(pop.mass, pop.p, k));
    out.c.push(dot(gk, g1));
    out.gJ1.push(dot(g, g1));
    out.gJk.push(dot(g, gk));
    if (done === steps) break;
    const chunk = Math.min(every, steps - done);
    theta = train({
      policy,
      theta0: theta,
      steps: chunk,
      lr,
      objective: { kind: "projected", k },
      record: { ks: [1], every: chunk, kStarMax: 1 },
    }).theta;
    done += chunk;
  }
  return out;
}
