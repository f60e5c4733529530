/**
 * Score sketches from exporters/python (`sketch` command): reading the sidecar that describes the
 * projection, and how much the projection adds to the error of an inner product.
 *
 * The exporter replaces each last-layer score G = ∇_W log π(y|x) (V × h) by the sketch
 * S(G) = RᵀGQ, with R (V × r₁) and Q (h × r₂) seeded random matrices whose entries have variance
 * 1/r₁ and 1/r₂ (Gaussian or Rademacher). Then E⟨S(G₁), S(G₂)⟩ = ⟨G₁, G₂⟩: inner products of
 * sketches are unbiased for the true ones, so every cross-fitted statistic of the diagnostic keeps
 * its expectation. But the projection is drawn once and shared by every sample, so its error does
 * not average out over prompts and the bootstrap (which holds it fixed) does not see it.
 *
 * Variance of the projected inner product [D, our derivation; PAPER.md has no sketching]. With
 * P = RRᵀ, W = QQᵀ (E P = I, E W = I), X = ⟨S(G₁), S(G₂)⟩ = tr(G₁ᵀ P G₂ W). For Gaussian
 * entries, using Var(xᵀMx) = tr(M²) + ‖M‖²_F and E[W M W] = M + (Mᵀ + tr(M) I)/r₂:
 *
 *   Var X = (tr C² + ‖C‖²_F)/r₂
 *         + [tr C² + tr(A₁A₂)]/r₁ + [‖C‖²_F + c² + tr(A₁A₂) + ‖G₁‖²‖G₂‖²]/(r₁r₂),
 *
 * with C = G₁ᵀG₂, c = tr C = ⟨G₁, G₂⟩, A_i = G_iᵀG_i. Rademacher entries give at most this (their
 * fourth moment is smaller). Since tr C² ≤ ‖C‖²_F ≤ ‖G₁‖²‖G₂‖² and tr(A₁A₂) ≤ ‖G₁‖²‖G₂‖²,
 *
 *   Var X ≤ 2‖G₁‖²‖G₂‖²(1/r₁ + 1/r₂) + (3‖G₁‖²‖G₂‖² + c²)/(r₁r₂)                    (bound)
 *
 * which needs only norms and the inner product — all of which the diagnostic estimates. Unlike a
 * dense r₁r₂-dimensional projection (variance (‖G₁‖²‖G₂‖² + c²)/(r₁r₂)), the Kronecker-structured
 * sketch's worst case decays like 1/min(r₁, r₂): that is the price of never forming V × h.
 */
import * as fs from "fs";
import { InputError } from "../core/samples";
import { checkFinite, checkInteger } from "../core/validate";

/** What the exporter's sidecar `<samples>.sketch.json` says about the projection. */
export interface SketchInfo {
  /** "gaussian" or "rademacher". */
  projection: string;
  /** Seed of R and Q. */
  seed: number;
  /** Columns of R (vocabulary side). */
  r1: number;
  /** Columns of Q (hidden side). */
  r2: number;
  /** Vocabulary size V and hidden size h of the sketched layer. */
  vocabSize: number;
  hiddenSize: number;
  /** Model name and dtype as the exporter recorded them (informational). */
  model: string | null;
  dtype: string | null;
  /** The sidecar's path. */
  file: string;
}

/** The sidecar format this reader understands. */
export const SKETCH_FORMAT = "passk-sketch/1";

/**
 * Reads `<samplesFile>.sketch.json` if it exists (null otherwise). Throws an {@link InputError}
 * naming the sidecar and the field for a malformed one, and when `d` (the gradient length of the
 * samples, if known) is not r₁·r₂.
 */
export function readSketchSidecar(samplesFile: string, d?: number): SketchInfo | null {
  const file = `${samplesFile}.sketch.json`;
  if (!fs.existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new InputError(file, 1, null, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InputError(file, 1, null, "expected a JSON object");
  }
  const o = raw as Record<string, unknown>;
  if (o.format !== SKETCH_FORMAT) {
    throw new InputError(
      file,
      1,
      "format",
      `expected "${SKETCH_FORMAT}", got ${JSON.stringify(o.format)}`,
    );
  }
  const int = (name: string): number => {
    const v = o[name];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
      throw new InputError(file, 1, name, `must be an integer ≥ 1, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const projection = o.projection;
  if (projection !== "gaussian" && projection !== "rademacher") {
    throw new InputError(
      file,
      1,
      "projection",
      `must be "gaussian" or "rademacher", got ${JSON.stringify(projection)}`,
    );
  }
  const seed = o.seed;
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new InputError(file, 1, "seed", `must be an integer, got ${JSON.stringify(seed)}`);
  }
  const info: SketchInfo = {
    projection,
    seed,
    r1: int("r1"),
    r2: int("r2"),
    vocabSize: int("vocab_size"),
    hiddenSize: int("hidden_size"),
    model: typeof o.model === "string" ? o.model : null,
    dtype: typeof o.dtype === "string" ? o.dtype : null,
    file,
  };
  if (d !== undefined && d !== info.r1 * info.r2) {
    throw new InputError(
      file,
      1,
      "r1",
      `r1·r2 = ${info.r1 * info.r2} but the samples' grad has length ${d}`,
    );
  }
  return info;
}

/**
 * Upper bound on the standard deviation that the projection adds to an estimate of ⟨G₁, G₂⟩
 * from sketches (the module comment's bound, [D]):
 * sd ≤ sqrt(2 n (1/r₁ + 1/r₂) + (3 n + c²)/(r₁ r₂)), n = ‖G₁‖²‖G₂‖², c = ⟨G₁, G₂⟩.
 *
 * `normSq1`, `normSq2` are the squared norms (estimates are fine; negative estimates — signal below
 * noise — are treated as 0), `inner` the inner product.
 *
 * @example sketchInnerProductSdBound(1, 1, 0, 64, 64) // => 0.2514605771786106
 */
export function sketchInnerProductSdBound(
  normSq1: number,
  normSq2: number,
  inner: number,
  r1: number,
  r2: number,
): number {
  const where = "sketchInnerProductSdBound";
  checkFinite(where, "normSq1", normSq1);
  checkFinite(where, "normSq2", normSq2);
  checkFinite(where, "inner", inner);
  checkInteger(where, "r1", r1, 1);
  checkInteger(where, "r2", r2, 1);
  const n = Math.max(0, normSq1) * Math.max(0, normSq2);
  return Math.sqrt(2 * n * (1 / r1 + 1 / r2) + (3 * n + inner * inner) / (r1 * r2));
}

/**
 * Exact variance of ⟨RᵀG₁Q, RᵀG₂Q⟩ over Gaussian R (V × r₁, entries N(0, 1/r₁)) and Q (h × r₂,
 * entries N(0, 1/r₂)), for dense G₁, G₂ (V × h, row-major) — the module comment's formula [D].
 * Cost O(V h²); meant for tests and small examples, not for real vocabularies.
 */
export function kroneckerSketchVariance(
  G1: ArrayLike<number>,
  G2: ArrayLike<number>,
  V: number,
  h: number,
  r1: number,
  r2: number,
): number {
  const gram = (A: ArrayLike<number>, B: ArrayLike<number>): Float64Array => {
    const out = new Float64Array(h * h); // AᵀB, h × h
    for (let v = 0; v < V; v++) {
      for (let i = 0; i < h; i++) {
        const a = A[v * h + i];
        for (let j = 0; j < h; j++) out[i * h + j] += a * B[v * h + j];
      }
    }
    return out;
  };
  const C = gram(G1, G2);
  const A1 = gram(G1, G1);
  const A2 = gram(G2, G2);
  let trC2 = 0;
  let frobC = 0;
  let trA1A2 = 0;
  let c = 0;
  let n1 = 0;
  let n2 = 0;
  for (let i = 0; i < h; i++) {
    c += C[i * h + i];
    n1 += A1[i * h + i];
    n2 += A2[i * h + i];
    for (let j = 0; j < h; j++) {
      trC2 += C[i * h + j] * C[j * h + i];
      frobC += C[i * h + j] ** 2;
      trA1A2 += A1[i * h + j] * A2[j * h + i];
    }
  }
  return (
    (trC2 + frobC) / r2 + (trC2 + trA1A2) / r1 + (frobC + c * c + trA1A2 + n1 * n2) / (r1 * r2)
  );
}
