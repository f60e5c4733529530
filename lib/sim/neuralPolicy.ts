/**
 * A small neural policy as a stand-in LLM for the paper's diagnostic (PAPER.md §7; issue 7;
 * notebook 08), built with @tensorflow/tfjs (pure-JS CPU backend).
 *
 * Prompts are verifiable problems: x = (a, b) with a, b ∈ {0, …, m−1}, the correct answer
 * y*(x) = (a + b) mod m, and the verifier r(x, y) = 1[y = y*(x)]. The policy is a one-hidden-layer
 * network: features one-hot(a) ⊕ one-hot(b) → h(x) = tanh(W₁ᵀφ(x) + b₁) ∈ R^H → logits
 * z = W₂ᵀh(x) + b₂ ∈ R^m → π(·|x) = softmax(z). It "generates" an answer by sampling y ~ π(·|x).
 *
 * The paper uses partial gradients (last layer or final hidden state, PAPER.md §7 [P]); our
 * diagnostic uses, by our choice [D], the scores of the last layer θ_L = (W₂, b₂), flattened as
 * W₂ row-major (H × m) then b₂ — d = (H + 1)·m. With ĥ = [h; 1] (a softmax layer's closed form):
 *
 *   s(x, y) = ∇_{θ_L} log π(y|x) = ĥ(x) ⊗ (e_y − π(·|x)),   ∇_{θ_L} p(x) = p(x)·ĥ(x) ⊗ (e_{y*} −
 *   π(·|x))   [D]
 *
 * (the second from ∇p = E[r s] = π_{y*} s(x, y*)). Both are checked against tfjs autodiff and
 * central finite differences in tests/neuralPolicy.test.ts. The network runs in float32 (tfjs);
 * everything derived from its outputs is float64.
 *
 * All randomness (initial weights, sampling, projections) comes from a seeded Rng.
 */
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { conflictProfile, gradJk } from "../theory/interference";
import { SampleAccumulator, type SampleData } from "../core/samples";
import type { Rng } from "../core/rng";
import type { Population } from "../core/types";
import {
  checkFiniteArray,
  checkInteger,
  checkKGrid,
  checkLength,
  checkPositive,
  show,
} from "../core/validate";

/** Operations of the task. */
export type ModularOp = "+" | "-" | "*";

/** The verifiable task: problems "a op b" mod m with exact answers. */
export interface ModularTask {
  /** Modulus m (= number of possible answers). */
  readonly modulus: number;
  /** The operations, in feature order. */
  readonly operations: readonly ModularOp[];
  /** Number of prompts N. */
  readonly N: number;
  /** Operands and operation index of each prompt. */
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly op: Int32Array;
  /** Correct answer y*(x) = (a op b) mod m. */
  readonly answer: Int32Array;
  /** Prompt ids such as "3+4" (for exported files). */
  readonly ids: string[];
}

function applyOp(op: ModularOp, a: number, b: number, m: number): number {
  const v = op === "+" ? a + b : op === "-" ? a - b : a * b;
  return ((v % m) + m) % m;
}

/**
 * All problems "a op b" mod m for a, b < m and each operation (prompt x = (o·m + a)·m + b for
 * the o-th operation). Features: one-hot(a) ⊕ one-hot(b) ⊕ one-hot(op), so problems with the
 * same operands share most of their input — the source of interference between operations.
 *
 * @example modularTask(3).answer // => Int32Array [0, 1, 2, 1, 2, 0, 2, 0, 1]
 */
export function modularTask(
  modulus: number,
  operations: readonly ModularOp[] = ["+"],
): ModularTask {
  const where = "modularTask";
  const m = checkInteger(where, "modulus", modulus, 2);
  if (
    !Array.isArray(operations) ||
    operations.length === 0 ||
    operations.some((o) => o !== "+" && o !== "-" && o !== "*")
  ) {
    throw new RangeError(
      `${where}: operations must be a non-empty list of "+", "-", "*", got ${show(operations)}`,
    );
  }
  const N = operations.length * m * m;
  const a = new Int32Array(N);
  const b = new Int32Array(N);
  const op = new Int32Array(N);
  const answer = new Int32Array(N);
  const ids: string[] = [];
  for (let x = 0; x < N; x++) {
    op[x] = Math.floor(x / (m * m));
    a[x] = Math.floor(x / m) % m;
    b[x] = x % m;
    answer[x] = applyOp(operations[op[x]], a[x], b[x], m);
    ids.push(`${a[x]}${operations[op[x]]}${b[x]}`);
  }
  return { modulus: m, operations: [...operations], N, a, b, op, answer, ids };
}

/** The verifier: 1 if `y` is the answer to prompt x. */
export function verify(task: ModularTask, x: number, y: number): boolean {
  return task.answer[x] === y;
}

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

/**
 * A fixed random projection P ∈ R^{k×d} with entries N(0, 1/k), for exporting scores of
 * large models in k numbers: E[PᵀP] = I, so E_P⟨Pu, Pv⟩ = ⟨u, v⟩ (the analysis' inner
 * products stay unbiased over P; their variance grows like ‖u‖²‖v‖²/k)   [D, Johnson–Lindenstrauss]
 *
 * @example randomProjection(119, 8, createRng(0)).length // => 952
 */
export function randomProjection(dIn: number, dOut: number, rng: Rng): Float64Array {
  checkInteger("randomProjection", "dIn", dIn, 1);
  checkInteger("randomProjection", "dOut", dOut, 1);
  const sd = 1 / Math.sqrt(dOut);
  return Float64Array.from({ length: dIn * dOut }, () => rng.normal(0, sd));
}

function project(P: Float64Array, dOut: number, s: Float64Array): Float64Array {
  const dIn = s.length;
  const out = new Float64Array(dOut);
  for (let r = 0; r < dOut; r++) {
    let t = 0;
    for (let j = 0; j < dIn; j++) t += P[r * dIn + j] * s[j];
    out[r] = t;
  }
  return out;
}

/**
 * Calls `emit(promptId, correct, score)` for every sampled response of a batch, in sampling
 * order, with the last-layer score (or its projection by `projection`, dOut × d).
 */
export function forEachScoredSample(
  policy: NeuralPolicy,
  batch: AnswerBatch,
  emit: (prompt: string, correct: boolean, score: Float64Array) => void,
  projection?: { P: Float64Array; dOut: number },
): void {
  const s = new Float64Array(policy.d);
  for (let x = 0; x < batch.N; x++) {
    for (let j = 0; j < batch.n; j++) {
      const i = x * batch.n + j;
      policy.lastLayerScore(x, batch.answers[i], batch, s);
      emit(
        policy.task.ids[x],
        batch.correct[i] === 1,
        projection ? project(projection.P, projection.dOut, s) : s,
      );
    }
  }
}

/**
 * The diagnostic's sufficient statistics of a batch, without a file (same halves as the loader).
 */
export function batchSampleData(
  policy: NeuralPolicy,
  batch: AnswerBatch,
  projection?: { P: Float64Array; dOut: number },
): SampleData {
  const acc = new SampleAccumulator(
    `neural policy (a+b) mod ${policy.task.modulus}, n = ${batch.n}`,
  );
  forEachScoredSample(policy, batch, (id, r, s) => acc.add(id, r, s), projection);
  return acc.finish();
}

/**
 * Writes a batch as per-sample JSONL in the `analyze` input format:
 * `{"prompt": "a+b", "correct": true, "grad": [...]}` one line per response, numbers with
 * `digits` significant digits (default 17: exact round trip).
 */
export function writeSamplesJsonl(
  file: string,
  policy: NeuralPolicy,
  batch: AnswerBatch,
  opts: { digits?: number; projection?: { P: Float64Array; dOut: number } } = {},
): void {
  const digits = opts.digits ?? 17;
  // Streamed to a temp file, renamed into place at the end: an interrupted export never
  // leaves a truncated JSONL that would later parse as a smaller data set.
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w");
  let complete = false;
  try {
    let buf: string[] = [];
    const flush = () => {
      fs.writeSync(fd, buf.join(""));
      buf = [];
    };
    forEachScoredSample(
      policy,
      batch,
      (id, r, s) => {
        const g = Array.from(s, (v) => (digits >= 17 ? v : Number(v.toPrecision(digits))));
        buf.push(JSON.stringify({ prompt: id, correct: r, grad: g }) + "\n");
        if (buf.length >= 4096) flush();
      },
      opts.projection,
    );
    flush();
    complete = true;
  } finally {
    fs.closeSync(fd);
    if (complete) fs.renameSync(tmp, file);
    else fs.rmSync(tmp, { force: true });
  }
}

/** Pass@1 before and after a last-layer step, exact and on fresh samples. */
export interface StepResult {
  /** The k whose exact last-layer gradient ∇J_k was followed. */
  k: number;
  /** Step size η in θ_L ← θ_L + η ∇J_k. */
  eta: number;
  /** First-order prediction η⟨∇J_k, ∇J_1⟩ (exact gradients). */
  predictedChange: number;
  /** Exact J_1 before and after. */
  exactBefore: number;
  exactAfter: number;
  /** Exact J_k before and after. */
  passAtKBefore: number;
  passAtKAfter: number;
  /** Fresh-sample pass@1 before and after (same uniforms: common random numbers). */
  measuredBefore: number;
  measuredAfter: number;
  /** measuredAfter − measuredBefore and its standard error (paired over responses). */
  measuredChange: number;
  measuredChangeSE: number;
  /** Responses per prompt used for the measurement. */
  freshSamples: number;
}

/**
 * Takes one step θ_L ← θ_L + η∇J_k on the last layer (exact ∇J_k of the current network),
 * measures pass@1 before and after on fresh samples, and restores θ_L.
 *
 *   J_1(θ + η∇J_k) − J_1(θ) = η⟨∇J_k, ∇J_1⟩ + O(η²)   [P: the sign result of PAPER.md §5]
 *
 * The fresh samples before and after share their uniforms (response j to prompt x uses the
 * same u in both: common random numbers), so the measured change is precise even when it is
 * small: a response's outcome differs only where the step moved the inverse CDF across u.
 *
 * @example pairedPassAt1Change(policy, { k: 16, eta: 1, freshSamples: 20000, rng }) // => {
 * predictedChange: -0.00106, exactAfter − exactBefore: -0.00116, measuredChange: -0.00116 ±
 * 0.00007, … }  (notebook 08)
 */
export function pairedPassAt1Change(
  policy: NeuralPolicy,
  opts: { k: number; eta: number; freshSamples: number; rng: Rng },
): StepResult {
  const where = "pairedPassAt1Change";
  const k = checkInteger(where, "k", opts.k, 1);
  const eta = checkPositive(where, "eta", opts.eta);
  const n = checkInteger(where, "freshSamples", opts.freshSamples, 1);
  const pop = policy.population();
  const prof = conflictProfile(pop, k === 1 ? [1] : [1, k]);
  const ip = prof.innerProduct[prof.innerProduct.length - 1];
  const before = policy.lastLayer();
  const gradK = gradJk(pop, k); // ∇J_k = E[w_k(p)∇p], PAPER.md §2
  const N = policy.task.N;
  const u = Float64Array.from({ length: N * n }, () => opts.rng.uniform());
  const uniform = (x: number, j: number) => u[x * n + j];
  const b0 = policy.sampleWithUniforms(n, uniform);
  policy.setLastLayer(before.map((t, j) => t + eta * gradK[j]));
  const after = policy.population();
  const b1 = policy.sampleWithUniforms(n, uniform);
  policy.setLastLayer(before);
  let s0 = 0;
  let s1 = 0;
  let sd = 0;
  let sdd = 0;
  for (let i = 0; i < N * n; i++) {
    s0 += b0.correct[i];
    s1 += b1.correct[i];
    const diff = b1.correct[i] - b0.correct[i];
    sd += diff;
    sdd += diff * diff;
  }
  const total = N * n;
  const meanDiff = sd / total;
  const varDiff = total > 1 ? (sdd - total * meanDiff * meanDiff) / (total - 1) : 0;
  const mean = (p: Float64Array) => p.reduce((acc, v) => acc + v, 0) / p.length;
  const passK = (p: Float64Array) =>
    p.reduce((acc, v) => acc - Math.expm1(k * Math.log1p(-v)), 0) / p.length;
  return {
    k,
    eta,
    predictedChange: eta * ip,
    exactBefore: mean(pop.p),
    exactAfter: mean(after.p),
    passAtKBefore: passK(pop.p),
    passAtKAfter: passK(after.p),
    measuredBefore: s0 / total,
    measuredAfter: s1 / total,
    measuredChange: meanDiff,
    measuredChangeSE: Math.sqrt(Math.max(varDiff, 0) / total),
    freshSamples: n,
  };
}

/**
 * Exact last-layer conflict profile of the current network (for comparison with the diagnostic).
 */
export function exactProfile(
  policy: NeuralPolicy,
  ks: ArrayLike<number>,
): ReturnType<typeof conflictProfile> {
  checkKGrid("exactProfile", "ks", ks);
  return conflictProfile(policy.population(), ks);
}
