/**
 * From the stand-in to the diagnostic: per-sample last-layer scores (optionally randomly
 * projected), their sufficient statistics or a JSONL file, one paired pass@1 step, the exact
 * conflict profile.
 */
import * as fs from "fs";
import { conflictProfile, gradJk } from "../../theory/interference";
import { SampleAccumulator, type SampleData } from "../../core/samples";
import type { Rng } from "../../core/rng";
import { checkInteger, checkKGrid, checkPositive } from "../../core/validate";

import { NeuralPolicy, type AnswerBatch } from "./policy";

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
  // The same N·n uniform() values in order, drawn in bulk (Rng.fillUniform).
  const u = opts.rng.fillUniform(new Float64Array(N * n));
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
