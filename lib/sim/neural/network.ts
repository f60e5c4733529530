/**
 * The stand-in network of lib/sim/neuralPolicy.ts in plain float64, without tfjs: its forward
 * pass, the closed-form score of ALL parameters θ = (W₁, b₁, W₂, b₂), the exact per-prompt ∇p(x)
 * over all parameters and over the last layer alone, and sampled answers. Pure and seeded, so
 * studies (lib/studies/neuralLayerStudy.ts, neuralTrainingStudy.ts) can use it without loading
 * tfjs. The weights come from a trained {@link NeuralPolicy} (`policy.weights()`).
 *
 * Flattened parameter order: W₁ row-major (F × H, F = input width), b₁ (H), W₂ row-major (H × m),
 * b₂ (m). The last (H + 1)·m entries are the last layer θ_L in the order of
 * `NeuralPolicy.lastLayerScore`.
 */
import type { Rng } from "../../core/rng";
import type { Population } from "../../core/types";
import { checkInteger, checkLength, show } from "../../core/validate";

import type { ModularTask } from "./task";

/** The network's weights as float64 copies (see the module for the layout). */
export interface NetworkWeights {
  /** Input width F (one-hot a ⊕ one-hot b ⊕ one-hot operation when there is more than one). */
  readonly width: number;
  /** Hidden width H. */
  readonly hidden: number;
  /** Number of answers m. */
  readonly modulus: number;
  /** W₁, F × H row-major. */
  readonly w1: Float64Array;
  /** b₁, length H. */
  readonly b1: Float64Array;
  /** W₂, H × m row-major. */
  readonly w2: Float64Array;
  /** b₂, length m. */
  readonly b2: Float64Array;
}

/** Activations of every prompt at given weights. */
export interface ForwardPass {
  /** h(x) = tanh(W₁ᵀφ(x) + b₁), N × H. */
  readonly hidden: Float64Array;
  /** π(·|x) = softmax(W₂ᵀh(x) + b₂), N × m. */
  readonly probs: Float64Array;
}

/** Total parameter count D = F·H + H + H·m + m. */
export function parameterCount(net: NetworkWeights): number {
  return net.width * net.hidden + net.hidden + net.hidden * net.modulus + net.modulus;
}

/** Offset of the last layer θ_L = (W₂, b₂) in the flattened parameters. */
export function lastLayerOffset(net: NetworkWeights): number {
  return net.width * net.hidden + net.hidden;
}

/**
 * Input features of every prompt as the indices of its one-hot entries, `per` = 2 or 3 per prompt
 * (a, m + b, and 2m + operation when there is more than one), in one array: the passes below run
 * once per step, and an array per prompt and pass cost more than the arithmetic.
 */
function featureIndices(task: ModularTask): { idx: Int32Array; per: number } {
  const m = task.modulus;
  const per = task.operations.length > 1 ? 3 : 2;
  const idx = new Int32Array(task.N * per);
  for (let x = 0; x < task.N; x++) {
    idx[x * per] = task.a[x];
    idx[x * per + 1] = m + task.b[x];
    if (per === 3) idx[x * per + 2] = 2 * m + task.op[x];
  }
  return { idx, per };
}

function checkNet(where: string, task: ModularTask, net: NetworkWeights): void {
  if (net == null || typeof net !== "object")
    throw new TypeError(`${where}: net must be NetworkWeights, got ${show(net)}`);
  const width = 2 * task.modulus + (task.operations.length > 1 ? task.operations.length : 0);
  if (net.width !== width || net.modulus !== task.modulus)
    throw new RangeError(
      `${where}: net has width ${net.width}, m = ${net.modulus}; the task needs ${width}, ${task.modulus}`,
    );
  const H = checkInteger(where, "net.hidden", net.hidden, 1);
  checkLength(where, "net.w1", net.w1, width * H, "F × H");
  checkLength(where, "net.b1", net.b1, H, "H");
  checkLength(where, "net.w2", net.w2, H * net.modulus, "H × m");
  checkLength(where, "net.b2", net.b2, net.modulus, "m");
}

/**
 * The forward pass h(x) = tanh(W₁ᵀφ(x) + b₁), π(·|x) = softmax(W₂ᵀh(x) + b₂) in float64 (the
 * model of lib/sim/neuralPolicy.ts, our choice of stand-in [D]; a stable softmax, max logit
 * subtracted).
 */
export function forwardPass(task: ModularTask, net: NetworkWeights): ForwardPass {
  checkNet("forwardPass", task, net);
  const { N, modulus: m } = task;
  const H = net.hidden;
  const hidden = new Float64Array(N * H);
  const probs = new Float64Array(N * m);
  const z = new Float64Array(m);
  const { idx, per } = featureIndices(task);
  const { w1, b1 } = net;
  for (let x = 0; x < N; x++) {
    const o0 = idx[x * per] * H;
    const o1 = idx[x * per + 1] * H;
    const o2 = per === 3 ? idx[x * per + 2] * H : -1;
    for (let i = 0; i < H; i++) {
      let u = b1[i];
      u += w1[o0 + i];
      u += w1[o1 + i];
      if (o2 >= 0) u += w1[o2 + i];
      hidden[x * H + i] = Math.tanh(u);
    }
    let zMax = -Infinity;
    for (let j = 0; j < m; j++) {
      let v = net.b2[j];
      for (let i = 0; i < H; i++) v += hidden[x * H + i] * net.w2[i * m + j];
      z[j] = v;
      zMax = Math.max(zMax, v);
    }
    let sum = 0;
    for (let j = 0; j < m; j++) sum += z[j] = Math.exp(z[j] - zMax);
    for (let j = 0; j < m; j++) probs[x * m + j] = z[j] / sum;
  }
  return { hidden, probs };
}

/**
 * Σ_{x,a} C[x, a] ∇_θ log π(a|x) over all parameters, by backpropagation in closed form:
 *
 *   δz_x = C[x,·] − (Σ_a C[x,a]) π(·|x);  ∂W₂ = Σ_x h(x) δz_xᵀ, ∂b₂ = Σ_x δz_x;
 *   δu_x = (W₂ δz_x) ⊙ (1 − h(x)²);  ∂W₁ = Σ_x φ(x) δu_xᵀ, ∂b₁ = Σ_x δu_x   [D, chain rule]
 *
 * With C = e_{(x,y)} this is the score s(x, y); with C[x, a] = D(x)·#{j: y_xj = a}·u(r, c_x) it
 * is a sampled gradient estimate (lib/sim/sampledGradients.ts). Cost O(N·(F·H + H·m)).
 */
export function scoreSum(
  task: ModularTask,
  net: NetworkWeights,
  fwd: ForwardPass,
  coef: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const { N, modulus: m } = task;
  const H = net.hidden;
  checkLength("scoreSum", "coef", coef, N * m, "N × m");
  const g = out ?? new Float64Array(parameterCount(net));
  g.fill(0);
  const oB1 = net.width * H;
  const oW2 = oB1 + H;
  const oB2 = oW2 + H * m;
  const dz = new Float64Array(m);
  const { idx, per } = featureIndices(task);
  for (let x = 0; x < N; x++) {
    let total = 0;
    for (let a = 0; a < m; a++) total += coef[x * m + a];
    let any = total !== 0;
    for (let a = 0; a < m && !any; a++) any = coef[x * m + a] !== 0;
    if (!any) continue;
    for (let j = 0; j < m; j++) dz[j] = coef[x * m + j] - total * fwd.probs[x * m + j];
    const o0 = idx[x * per] * H;
    const o1 = idx[x * per + 1] * H;
    const o2 = per === 3 ? idx[x * per + 2] * H : -1;
    for (let i = 0; i < H; i++) {
      const h = fwd.hidden[x * H + i];
      let back = 0;
      for (let j = 0; j < m; j++) {
        g[oW2 + i * m + j] += h * dz[j];
        back += net.w2[i * m + j] * dz[j];
      }
      const du = back * (1 - h * h);
      g[oB1 + i] += du;
      g[o0 + i] += du;
      g[o1 + i] += du;
      if (o2 >= 0) g[o2 + i] += du;
    }
    for (let j = 0; j < m; j++) g[oB2 + j] += dz[j];
  }
  return g;
}

/**
 * The full-parameter score s(x, y) = ∇_θ log π(y|x) of every answer y to every prompt x,
 * N·m rows of length D (row x·m + y). [D, {@link scoreSum} with C = e_{(x,y)}]
 */
export function allScores(task: ModularTask, net: NetworkWeights, fwd: ForwardPass): Float64Array {
  const D = parameterCount(net);
  const { N, modulus: m } = task;
  const out = new Float64Array(N * m * D);
  const coef = new Float64Array(N * m);
  for (let r = 0; r < N * m; r++) {
    coef[r] = 1;
    scoreSum(task, net, fwd, coef, out.subarray(r * D, (r + 1) * D));
    coef[r] = 0;
  }
  return out;
}

/**
 * Exact per-prompt p(x) = π(y*(x)|x) and ∇p(x) over all parameters, uniform mass 1/N:
 *
 *   ∇_θ p(x) = π(y*|x)·s(x, y*)   [D: ∇p = E_y[r s], PAPER.md §1; r = 1 only at y*]
 */
export function fullPopulation(task: ModularTask, net: NetworkWeights): Population {
  const fwd = forwardPass(task, net);
  const { N, modulus: m, answer } = task;
  const D = parameterCount(net);
  const p = Float64Array.from({ length: N }, (_, x) => fwd.probs[x * m + answer[x]]);
  const gradP = new Float64Array(N * D);
  const coef = new Float64Array(N * m);
  for (let x = 0; x < N; x++) {
    coef[x * m + answer[x]] = p[x];
    scoreSum(task, net, fwd, coef, gradP.subarray(x * D, (x + 1) * D));
    coef[x * m + answer[x]] = 0;
  }
  return { N, d: D, mass: new Float64Array(N).fill(1 / N), p, gradP };
}

/**
 * The same population restricted to the last layer θ_L = (W₂, b₂): columns from
 * {@link lastLayerOffset} on (equal to `NeuralPolicy.population()` up to float32 rounding).
 */
export function lastLayerPopulation(full: Population, net: NetworkWeights): Population {
  const off = lastLayerOffset(net);
  const d = full.d - off;
  const gradP = new Float64Array(full.N * d);
  for (let x = 0; x < full.N; x++)
    gradP.set(full.gradP.subarray(x * full.d + off, (x + 1) * full.d), x * d);
  return { N: full.N, d, mass: full.mass, p: full.p, gradP };
}

/** n answers per prompt drawn from π(·|x) (inverse CDF, seeded). */
export interface AnswerDraw {
  readonly n: number;
  /** Answer of response j to prompt x at [x·n + j]. */
  readonly answers: Int32Array;
  /** Verifier outcome at [x·n + j]. */
  readonly correct: Uint8Array;
}

/** Draws n answers per prompt, y ~ π(·|x) (inverse CDF; the sampling of PAPER.md §1), seeded. */
export function drawAnswers(task: ModularTask, fwd: ForwardPass, n: number, rng: Rng): AnswerDraw {
  checkInteger("drawAnswers", "n", n, 1);
  const { N, modulus: m, answer } = task;
  const answers = new Int32Array(N * n);
  const correct = new Uint8Array(N * n);
  const row = new Float64Array(n);
  for (let x = 0; x < N; x++) {
    rng.fillUniform(row); // the same n uniform() values, in order
    for (let j = 0; j < n; j++) {
      const u = row[j];
      let y = m - 1;
      let acc = 0;
      for (let a = 0; a < m - 1; a++) {
        acc += fwd.probs[x * m + a];
        if (u < acc) {
          y = a;
          break;
        }
      }
      answers[x * n + j] = y;
      correct[x * n + j] = y === answer[x] ? 1 : 0;
    }
  }
  return { n, answers, correct };
}

/** A copy of the weights with every parameter θ_j replaced by θ_j + step·g_j (g of length D). */
export function addToWeights(
  net: NetworkWeights,
  g: ArrayLike<number>,
  step: number,
): NetworkWeights {
  checkLength("addToWeights", "g", g, parameterCount(net), "D");
  let o = 0;
  const move = (v: Float64Array) => {
    const out = new Float64Array(v.length);
    for (let j = 0; j < v.length; j++) out[j] = v[j] + step * g[o + j];
    o += v.length;
    return out;
  };
  const w1 = move(net.w1);
  const b1 = move(net.b1);
  const w2 = move(net.w2);
  const b2 = move(net.b2);
  return { width: net.width, hidden: net.hidden, modulus: net.modulus, w1, b1, w2, b2 };
}
