/**
 * The stand-in network (see lib/sim/neuralPolicy.ts for the model and its scores): tfjs weights,
 * sampling, training, exact last-layer p(x) and ∇p(x).
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/rng";
import type { Population } from "../../core/types";
import {
  checkFiniteArray,
  checkInteger,
  checkLength,
  checkPositive,
  show,
} from "../../core/validate";

import type { NetworkWeights } from "./network";
import { modularTask, type ModularOp, type ModularTask } from "./task";

/** Sampled answers of n responses per prompt. */
export interface AnswerBatch {
  readonly N: number;
  readonly n: number;
  /** Answer of response j to prompt x at [x·n + j]. */
  readonly answers: Int32Array;
  /** Verifier outcome at [x·n + j]. */
  readonly correct: Uint8Array;
  /** π(·|x) the answers were drawn from, N × m (the scores depend on it). */
  readonly probs: Float64Array;
  /** ĥ(x) = [h(x); 1] at that time, N × (H + 1). */
  readonly hidden: Float64Array;
}

/** Result of {@link NeuralPolicy.trainPassAt1}. */
export interface TrainingTrace {
  /** J_1 before each step and after the last one (length steps + 1). */
  passAt1: number[];
}

let backendReady: Promise<void> | null = null;

/** Selects tfjs' pure-JS "cpu" backend once (the only one without native bindings). */
export function useCpuBackend(): Promise<void> {
  if (backendReady === null) {
    // Production mode also silences tfjs' console banner suggesting the native Node backend.
    tf.enableProdMode();
    backendReady = tf.setBackend("cpu").then((ok) => {
      if (!ok) throw new Error("neuralPolicy: could not select the tfjs cpu backend");
    });
  }
  return backendReady;
}

/**
 * The stand-in LLM: a tfjs MLP over one-hot operands with a softmax over the m answers.
 * Create with {@link createNeuralPolicy}. Call {@link dispose} when done (frees tfjs tensors).
 */
export class NeuralPolicy {
  readonly task: ModularTask;
  /** Hidden width H. */
  readonly hidden: number;
  /** Last-layer parameter count d = (H + 1)·m. */
  readonly d: number;
  private readonly inputs: tf.Tensor2D;
  private readonly w1: tf.Variable;
  private readonly b1: tf.Variable;
  private readonly w2: tf.Variable;
  private readonly b2: tf.Variable;

  /** Use {@link createNeuralPolicy}. */
  constructor(
    task: ModularTask,
    hidden: number,
    init: { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array },
  ) {
    this.task = task;
    this.hidden = hidden;
    const m = task.modulus;
    this.d = (hidden + 1) * m;
    const width = inputWidth(task);
    const feats = new Float32Array(task.N * width);
    for (let x = 0; x < task.N; x++) {
      feats[x * width + task.a[x]] = 1;
      feats[x * width + m + task.b[x]] = 1;
      if (task.operations.length > 1) feats[x * width + 2 * m + task.op[x]] = 1;
    }
    this.inputs = tf.tensor2d(feats, [task.N, width]);
    this.w1 = tf.variable(tf.tensor2d(init.w1, [width, hidden]));
    this.b1 = tf.variable(tf.tensor1d(init.b1));
    this.w2 = tf.variable(tf.tensor2d(init.w2, [hidden, m]));
    this.b2 = tf.variable(tf.tensor1d(init.b2));
  }

  /** Hidden activations of every prompt, N × H (a tensor; caller disposes). */
  private hiddenTensor(): tf.Tensor2D {
    return tf.tanh(tf.add(tf.matMul(this.inputs, this.w1), this.b1)) as tf.Tensor2D;
  }

  private logitsTensor(): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(this.hiddenTensor(), this.w2), this.b2) as tf.Tensor2D);
  }

  /** π(·|x) for every prompt, N × m row-major. */
  probs(): Float64Array {
    const t = tf.tidy(() => tf.softmax(this.logitsTensor()));
    const out = Float64Array.from(t.dataSync());
    t.dispose();
    return out;
  }

  /** ĥ(x) = [h(x); 1] for every prompt, N × (H + 1) row-major. */
  hiddenFeatures(): Float64Array {
    const t = tf.tidy(() => this.hiddenTensor());
    const h = t.dataSync();
    t.dispose();
    const H = this.hidden;
    const out = new Float64Array(this.task.N * (H + 1));
    for (let x = 0; x < this.task.N; x++) {
      for (let i = 0; i < H; i++) out[x * (H + 1) + i] = h[x * H + i];
      out[x * (H + 1) + H] = 1;
    }
    return out;
  }

  /** Per-prompt pass@1 p(x) = π(y*(x)|x). */
  passAt1(probs: Float64Array = this.probs()): Float64Array {
    const { N, modulus: m, answer } = this.task;
    return Float64Array.from({ length: N }, (_, x) => probs[x * m + answer[x]]);
  }

  /**
   * Trains all layers briefly by exact pass@1 ascent: gradient steps on −J_1, with
   * J_1 = mean_x π(y*(x)|x) the expected verifier reward, computed exactly over all prompts
   * rather than sampled. `objective: "crossEntropy"` instead minimises mean_x −log π(y*(x)|x)
   * (supervised fine-tuning, whose gradient lacks pass@1's factor p(x) and so lifts hard prompts
   * too — useful as a warm start that leaves prompts between easy and hard).
   * Stops early once J_1 ≥ `targetPassAt1` (default: never). Returns J_1 along the way.
   */
  train(opts: {
    steps: number;
    learningRate: number;
    targetPassAt1?: number;
    optimizer?: "adam" | "sgd";
    objective?: "passAt1" | "crossEntropy";
  }): TrainingTrace {
    const where = "NeuralPolicy.train";
    const steps = checkInteger(where, "steps", opts.steps, 0);
    const lr = checkPositive(where, "learningRate", opts.learningRate);
    const target = opts.targetPassAt1 ?? Infinity;
    const { N, modulus: m, answer } = this.task;
    const onehot = tf.oneHot(tf.tensor1d(answer, "int32"), m);
    const optimizer = opts.optimizer === "sgd" ? tf.train.sgd(lr) : tf.train.adam(lr);
    const vars = [this.w1, this.b1, this.w2, this.b2];
    const passAt1: number[] = [];
    const j1 = () =>
      tf.div(tf.sum(tf.mul(tf.softmax(this.logitsTensor()), onehot)), N) as tf.Scalar;
    const loss =
      opts.objective === "crossEntropy"
        ? () =>
            tf.neg(
              tf.div(tf.sum(tf.mul(tf.logSoftmax(this.logitsTensor()), onehot)), N),
            ) as tf.Scalar
        : () => tf.neg(j1()) as tf.Scalar;
    for (let t = 0; t <= steps; t++) {
      const v = tf.tidy(j1);
      passAt1.push(v.dataSync()[0]);
      v.dispose();
      if (t === steps || passAt1[t] >= target) break;
      optimizer.minimize(loss, false, vars);
    }
    optimizer.dispose();
    onehot.dispose();
    return { passAt1 };
  }

  /**
   * Exact per-prompt p(x) and last-layer ∇p(x) as a Population with uniform mass.
   *
   * ∇_{θ_L} p(x) = p(x)·ĥ(x) ⊗ (e_{y*} − π(·|x))   [D, softmax-layer closed form]
   */
  population(): Population {
    const probs = this.probs();
    const hid = this.hiddenFeatures();
    const { N, modulus: m, answer } = this.task;
    const H1 = this.hidden + 1;
    const d = this.d;
    const p = this.passAt1(probs);
    const gradP = new Float64Array(N * d);
    for (let x = 0; x < N; x++) {
      for (let i = 0; i < H1; i++) {
        const hi = p[x] * hid[x * H1 + i];
        for (let y = 0; y < m; y++)
          gradP[x * d + i * m + y] = hi * ((y === answer[x] ? 1 : 0) - probs[x * m + y]);
      }
    }
    return { N, d, mass: new Float64Array(N).fill(1 / N), p, gradP };
  }

  /** n sampled answers per prompt from the current policy (inverse-CDF sampling, seeded). */
  sample(n: number, rng: Rng): AnswerBatch {
    return this.sampleWithUniforms(checkInteger("NeuralPolicy.sample", "n", n, 1), () =>
      rng.uniform(),
    );
  }

  /**
   * n answers per prompt by inverse-CDF sampling with the uniform `uniform(x, j)` for response j
   * to prompt x (common random numbers across parameter values: see {@link pairedPassAt1Change}).
   */
  sampleWithUniforms(n: number, uniform: (x: number, j: number) => number): AnswerBatch {
    const probs = this.probs();
    const hidden = this.hiddenFeatures();
    const { N, modulus: m, answer } = this.task;
    const answers = new Int32Array(N * n);
    const correct = new Uint8Array(N * n);
    for (let x = 0; x < N; x++) {
      for (let j = 0; j < n; j++) {
        const y = inverseCdf(probs, x * m, m, uniform(x, j));
        answers[x * n + j] = y;
        correct[x * n + j] = y === answer[x] ? 1 : 0;
      }
    }
    return { N, n, answers, correct, probs, hidden };
  }

  /**
   * Closed-form last-layer score of answer y to prompt x (from a batch's π and ĥ, or the
   * current network's when omitted).
   *
   * s(x, y) = ĥ(x) ⊗ (e_y − π(·|x)),  entry i·m + j = ĥ_i (1[j = y] − π_j)   [D]
   *
   * @example policy.lastLayerScore(0, 2).length // => (H + 1)·m
   */
  lastLayerScore(
    x: number,
    y: number,
    from?: { probs: Float64Array; hidden: Float64Array },
    out?: Float64Array,
  ): Float64Array {
    const where = "NeuralPolicy.lastLayerScore";
    const { N, modulus: m } = this.task;
    checkInteger(where, "x", x, 0);
    if (x >= N) throw new RangeError(`${where}: x must be < N = ${N}, got ${show(x)}`);
    checkInteger(where, "y", y, 0);
    if (y >= m) throw new RangeError(`${where}: y must be < m = ${m}, got ${show(y)}`);
    const src = from ?? { probs: this.probs(), hidden: this.hiddenFeatures() };
    const H1 = this.hidden + 1;
    const s = out ?? new Float64Array(this.d);
    for (let i = 0; i < H1; i++) {
      const hi = src.hidden[x * H1 + i];
      for (let j = 0; j < m; j++) s[i * m + j] = hi * ((j === y ? 1 : 0) - src.probs[x * m + j]);
    }
    return s;
  }

  /** The same score by tfjs autodiff of log softmax (for tests). */
  lastLayerScoreAutodiff(x: number, y: number): Float64Array {
    const m = this.task.modulus;
    const hx = tf.tidy(() => tf.slice(this.hiddenTensor(), [x, 0], [1, this.hidden]));
    const logp = (w2: tf.Tensor, b2: tf.Tensor) =>
      tf
        .slice(tf.logSoftmax(tf.add(tf.matMul(hx, w2 as tf.Tensor2D), b2)), [0, y], [1, 1])
        .sum() as tf.Scalar;
    const [gw, gb] = tf.grads(logp)([this.w2, this.b2]);
    const out = new Float64Array(this.d);
    out.set(gw.dataSync());
    out.set(gb.dataSync(), this.hidden * m);
    tf.dispose([hx, gw, gb]);
    return out;
  }

  /** All weights as float64 copies, for lib/sim/neural/network.ts (float64, no tfjs). */
  weights(): NetworkWeights {
    const copy = (v: tf.Variable) => Float64Array.from(v.dataSync());
    const [w1, b1, w2, b2] = [this.w1, this.b1, this.w2, this.b2].map(copy);
    const width = inputWidth(this.task);
    return { width, hidden: this.hidden, modulus: this.task.modulus, w1, b1, w2, b2 };
  }

  /** ∇_θ log π(y|x) over all parameters (W₁, b₁, W₂, b₂ flattened) by tfjs autodiff (tests). */
  fullScoreAutodiff(x: number, y: number): Float64Array {
    const logp = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
      const h = tf.tanh(tf.add(tf.matMul(this.inputs, w1 as tf.Tensor2D), b1)) as tf.Tensor2D;
      const z = tf.add(tf.matMul(h, w2 as tf.Tensor2D), b2);
      return tf.slice(tf.logSoftmax(z), [x, y], [1, 1]).sum() as tf.Scalar;
    };
    const grads = tf.grads(logp)([this.w1, this.b1, this.w2, this.b2]);
    const parts = grads.map((g) => g.dataSync());
    const out = new Float64Array(parts.reduce((n, v) => n + v.length, 0));
    let o = 0;
    for (const v of parts) {
      out.set(v, o);
      o += v.length;
    }
    tf.dispose(grads);
    return out;
  }

  /** log π(y|x) at the current parameters (float32 network; for finite differences in tests). */
  logProb(x: number, y: number): number {
    const t = tf.tidy(() => tf.slice(tf.logSoftmax(this.logitsTensor()), [x, y], [1, 1]));
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  }

  /** θ_L = (W₂ row-major, b₂) as one float64 vector of length d. */
  lastLayer(): Float64Array {
    const out = new Float64Array(this.d);
    out.set(this.w2.dataSync());
    out.set(this.b2.dataSync(), this.hidden * this.task.modulus);
    return out;
  }

  /** Sets θ_L (length d; rounded to float32 by the network). */
  setLastLayer(theta: ArrayLike<number>): void {
    checkFiniteArray("NeuralPolicy.setLastLayer", "theta", theta);
    checkLength("NeuralPolicy.setLastLayer", "theta", theta, this.d, "d");
    const m = this.task.modulus;
    const H = this.hidden;
    const arr = Float32Array.from(theta);
    tf.tidy(() => {
      this.w2.assign(tf.tensor2d(arr.subarray(0, H * m), [H, m]));
      this.b2.assign(tf.tensor1d(arr.subarray(H * m)));
    });
  }

  /** Frees the network's tensors. */
  dispose(): void {
    tf.dispose([this.inputs, this.w1, this.b1, this.w2, this.b2]);
  }
}

/** Input width: one-hot operands, plus one-hot operation when there is more than one. */
function inputWidth(task: ModularTask): number {
  return 2 * task.modulus + (task.operations.length > 1 ? task.operations.length : 0);
}

function inverseCdf(probs: Float64Array, offset: number, m: number, u: number): number {
  let acc = 0;
  for (let y = 0; y < m - 1; y++) {
    acc += probs[offset + y];
    if (u < acc) return y;
  }
  return m - 1;
}

/**
 * A freshly initialised stand-in policy for (a + b) mod m: W₁, W₂ ~ N(0, 1/fan_in) from `rng`,
 * zero biases. Selects tfjs' cpu backend first.
 *
 * @example const policy = await createNeuralPolicy({ modulus: 7, hidden: 16, rng: createRng(1) });
 * policy.d // => 119
 */
export async function createNeuralPolicy(opts: {
  modulus: number;
  operations?: readonly ModularOp[];
  hidden: number;
  rng: Rng;
}): Promise<NeuralPolicy> {
  const where = "createNeuralPolicy";
  const task = modularTask(opts.modulus, opts.operations);
  const H = checkInteger(where, "hidden", opts.hidden, 1);
  if (opts.rng == null || typeof opts.rng.normal !== "function")
    throw new TypeError(`${where}: rng must be an Rng (lib/core/rng.ts), got ${show(opts.rng)}`);
  await useCpuBackend();
  const m = task.modulus;
  const width = inputWidth(task);
  const gauss = (count: number, sd: number) =>
    Float32Array.from({ length: count }, () => opts.rng.normal(0, sd));
  return new NeuralPolicy(task, H, {
    w1: gauss(width * H, Math.sqrt(1 / width)),
    b1: new Float32Array(H),
    w2: gauss(H * m, Math.sqrt(1 / H)),
    b2: new Float32Array(m),
  });
}
