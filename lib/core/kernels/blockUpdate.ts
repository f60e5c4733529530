/**
 * The block update behind `conflictProfile` (lib/theory/interference.ts): with coefficients
 * C[x, s] = D(x)·w_k(p(x)) at k = k_s, accumulate over chunks of prompts
 *
 *   G[s, :] = Σ_x C[x, s]·∇p(x),   i.e. G = Cᵀ R for the N × d matrix R of rows ∇p(x)   [D]
 *
 * so that G[s, :] = ∇J_k = E[w_k ∇p] once every prompt is added. Two kernels, with bit-identical
 * results (the same floating-point operations in the same order, 4 prompts × 4 values of k at a
 * time): WebAssembly SIMD f64x2 (lib/core/kernels/blockUpdate.wat, assembled into
 * lib/core/kernels/blockUpdateWasm.ts by `npm run build:wasm`) where the runtime supports it, and
 * register-blocked JS otherwise.
 *
 * The wasm kernel works in one `WebAssembly.Memory` for the whole process, reused by every call
 * and grown when a call needs more (G, one chunk's coefficients and one chunk's rows ∇p(x),
 * copied in chunk by chunk); blocks needing more than {@link WASM_MAX_BYTES} use the JS kernel.
 *
 * @module
 */
import { BLOCK_UPDATE_WASM_BASE64 } from "./blockUpdateWasm";
import { growMemoryTo, instantiateSimdKernel, type WasmMemory } from "./wasm";

/** Which kernel adds the rows: WebAssembly SIMD or plain JS. */
export type BlockKernel = "wasm" | "js";

/**
 * Environment variable that picks the default kernel ("wasm" or "js"); unset: wasm where available.
 */
export const BLOCK_KERNEL_ENV = "PASSK_BLOCK_KERNEL";

/**
 * Largest wasm memory (bytes) the kernel grows to; a larger G + chunk falls back to the JS kernel.
 */
export const WASM_MAX_BYTES: number = 64 * 1024 * 1024;

/**
 * Doubles of rows ∇p(x) plus coefficients per chunk: 64 prompts at d = K = 64, 48 KiB of each in
 * cache.
 */
const CHUNK_DOUBLES = 8192;
const MAX_CHUNK = 256;

/**
 * One accumulation of G = Cᵀ R: for each chunk of prompts, get their rows with
 * {@link BlockUpdate.rows}, fill {@link BlockUpdate.coef}, then {@link BlockUpdate.add} them.
 */
export interface BlockUpdate {
  /** The kernel in use. */
  readonly kernel: BlockKernel;
  /** Prompts per chunk, a multiple of 4. */
  readonly chunk: number;
  /**
   * Coefficients of the current chunk, C[t·K + s] for its prompt t (chunk × K); written by the
   * caller.
   */
  readonly coef: Float64Array;
  /**
   * The K × d block G, row-major; zero at the start. For the wasm kernel a view of its memory,
   * valid until the next {@link blockUpdate} call.
   */
  readonly G: Float64Array;
  /**
   * The rows ∇p(x) of prompts i0 … i0 + n − 1 (n ≤ chunk) as rows 0 … n − 1 (row t at t·d), where
   * the kernel reads them.
   */
  rows(gradP: Float64Array, i0: number, n: number): Float64Array;
  /**
   * G[s, :] += Σ_{t<n} coef[t·K + s]·R[t·d .. (t + 1)·d), for every s: adds n prompts, R as
   * returned by {@link BlockUpdate.rows}.
   */
  add(R: Float64Array, n: number): void;
}

/**
 * G[s, :] += coef[c0 + s]·R[base .. base + d) for every s (one prompt's row into the K × d block).
 */
function addRow(
  G: Float64Array,
  R: Float64Array,
  d: number,
  K: number,
  base: number,
  coef: Float64Array,
  c0: number,
): void {
  for (let s = 0; s < K; s++) {
    const c = coef[c0 + s];
    if (c === 0) continue;
    const gs = s * d;
    for (let j = 0; j < d; j++) G[gs + j] += c * R[base + j];
  }
}

/**
 * G[s, :] += Σ_{t<4} coef[c0 + t·K + s]·R[row b + t, :]: four prompts' rows (from R[b0]) into the
 * K × d block. Register-blocked 4 prompts × 4 values of k, so each loaded element of R and of G
 * serves four multiply-adds (about 7× faster than one prompt and one k at a time in V8).
 */
function addRowBlock4(
  G: Float64Array,
  R: Float64Array,
  d: number,
  K: number,
  b0: number,
  coef: Float64Array,
  c0: number,
): void {
  const b1 = b0 + d;
  const b2 = b1 + d;
  const b3 = b2 + d;
  const K1 = c0 + K;
  const K2 = K1 + K;
  const K3 = K2 + K;
  let s = 0;
  for (; s + 3 < K; s += 4) {
    const a0 = coef[c0 + s],
      a1 = coef[K1 + s],
      a2 = coef[K2 + s],
      a3 = coef[K3 + s];
    const e0 = coef[c0 + s + 1],
      e1 = coef[K1 + s + 1],
      e2 = coef[K2 + s + 1],
      e3 = coef[K3 + s + 1];
    const f0 = coef[c0 + s + 2],
      f1 = coef[K1 + s + 2],
      f2 = coef[K2 + s + 2],
      f3 = coef[K3 + s + 2];
    const h0 = coef[c0 + s + 3],
      h1 = coef[K1 + s + 3],
      h2 = coef[K2 + s + 3],
      h3 = coef[K3 + s + 3];
    const ga = s * d;
    const ge = ga + d;
    const gf = ge + d;
    const gh = gf + d;
    for (let j = 0; j < d; j++) {
      const r0 = R[b0 + j],
        r1 = R[b1 + j],
        r2 = R[b2 + j],
        r3 = R[b3 + j];
      G[ga + j] += a0 * r0 + a1 * r1 + a2 * r2 + a3 * r3;
      G[ge + j] += e0 * r0 + e1 * r1 + e2 * r2 + e3 * r3;
      G[gf + j] += f0 * r0 + f1 * r1 + f2 * r2 + f3 * r3;
      G[gh + j] += h0 * r0 + h1 * r1 + h2 * r2 + h3 * r3;
    }
  }
  for (; s < K; s++) {
    const a0 = coef[c0 + s],
      a1 = coef[K1 + s],
      a2 = coef[K2 + s],
      a3 = coef[K3 + s];
    const gs = s * d;
    for (let j = 0; j < d; j++)
      G[gs + j] += a0 * R[b0 + j] + a1 * R[b1 + j] + a2 * R[b2 + j] + a3 * R[b3 + j];
  }
}

/** Rows 4·⌊n/4⌋ … n − 1 of a chunk, one prompt at a time (both kernels leave them to this). */
function addLastRows(
  G: Float64Array,
  R: Float64Array,
  d: number,
  K: number,
  coef: Float64Array,
  n: number,
): void {
  for (let t = n & ~3; t < n; t++) addRow(G, R, d, K, t * d, coef, t * K);
}

// Each kernel is one long-lived object, re-initialised by begin() for every accumulation. With a
// fresh object per call, conflictProfile's optimised code lost its type feedback for it at every
// full GC and deoptimised (in the benchmark, which forces a GC before each run: on every call,
// 1.7× slower).

class JsBlockUpdate implements BlockUpdate {
  readonly kernel = "js";
  chunk = 0;
  coef = new Float64Array(0);
  G = new Float64Array(0);
  private d = 0;
  private K = 0;

  /** A new accumulation: fresh coefficients and G = 0 (a G handed out before stays valid). */
  begin(d: number, K: number, chunk: number): this {
    this.d = d;
    this.K = K;
    this.chunk = chunk;
    this.coef = new Float64Array(chunk * K);
    this.G = new Float64Array(K * d);
    return this;
  }

  rows(gradP: Float64Array, i0: number, n: number): Float64Array {
    return gradP.subarray(i0 * this.d, (i0 + n) * this.d); // a view: ∇p is not kept after the call
  }

  add(R: Float64Array, n: number): void {
    const { d, K, G, coef } = this;
    for (let t = 0; t + 3 < n; t += 4) addRowBlock4(G, R, d, K, t * d, coef, t * K);
    addLastRows(G, R, d, K, coef, n);
  }
}

const jsBlockUpdate = new JsBlockUpdate();

/**
 * addBlocks(R, C, G, blocks, d, K) of blockUpdate.wat; pointers are byte addresses in the kernel's
 * memory.
 */
type AddBlocks = (R: number, C: number, G: number, blocks: number, d: number, K: number) => void;

/** Byte offset rounded up to 16 (one f64x2 vector). */
const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

class WasmBlockUpdate implements BlockUpdate {
  readonly kernel = "wasm";
  chunk = 0;
  coef = new Float64Array(0);
  G = new Float64Array(0);
  private d = 0;
  private K = 0;
  private R = new Float64Array(0);
  // Memory layout (byte offsets): G at 0, the chunk's coefficients at cPtr, its rows at rPtr.
  private cPtr = 0;
  private rPtr = 0;

  constructor(
    readonly memory: WasmMemory,
    private readonly addBlocks: AddBlocks,
  ) {}

  /**
   * A new accumulation, G = 0, growing the memory if needed; false (nothing changed) above
   * WASM_MAX_BYTES.
   */
  begin(d: number, K: number, chunk: number): boolean {
    const cPtr = align16(8 * K * d);
    const rPtr = align16(cPtr + 8 * chunk * K);
    const bytes = rPtr + 8 * chunk * d;
    if (bytes > WASM_MAX_BYTES) return false;
    growMemoryTo(this.memory, bytes);
    const { buffer } = this.memory; // a new ArrayBuffer after grow()
    this.d = d;
    this.K = K;
    this.chunk = chunk;
    this.cPtr = cPtr;
    this.rPtr = rPtr;
    this.G = new Float64Array(buffer, 0, K * d).fill(0);
    this.coef = new Float64Array(buffer, cPtr, chunk * K);
    this.R = new Float64Array(buffer, rPtr, chunk * d);
    return true;
  }

  rows(gradP: Float64Array, i0: number, n: number): Float64Array {
    this.R.set(gradP.subarray(i0 * this.d, (i0 + n) * this.d));
    return this.R;
  }

  add(R: Float64Array, n: number): void {
    const { d, K } = this;
    this.addBlocks(this.rPtr, this.cPtr, 0, n >> 2, d, K); // reads the rows at rPtr, i.e. R
    addLastRows(this.G, R, d, K, this.coef, n);
  }
}

/** undefined: not loaded yet; null: WebAssembly or its SIMD is unavailable. */
let wasmBlockUpdate: WasmBlockUpdate | null | undefined;

function loadWasmKernel(): WasmBlockUpdate | null {
  if (wasmBlockUpdate !== undefined) return wasmBlockUpdate;
  const wasm = instantiateSimdKernel(BLOCK_UPDATE_WASM_BASE64);
  if (wasm === null) return (wasmBlockUpdate = null);
  return (wasmBlockUpdate = new WasmBlockUpdate(wasm.memory, wasm.exports.addBlocks as AddBlocks));
}

/** True when this runtime can run the WebAssembly SIMD kernel. */
export function wasmSimdAvailable(): boolean {
  return loadWasmKernel() !== null;
}

/**
 * Size in bytes of the wasm kernel's memory (0 before its first use or without WebAssembly SIMD);
 * for tests and diagnostics.
 */
export function wasmKernelMemoryBytes(): number {
  return wasmBlockUpdate ? wasmBlockUpdate.memory.buffer.byteLength : 0;
}

function checkKernel(
  where: string,
  name: string,
  kernel: string | undefined,
): BlockKernel | undefined {
  if (kernel === undefined) return undefined;
  if (kernel === "wasm" || kernel === "js") return kernel;
  throw new RangeError(`${where}: ${name} must be "wasm" or "js", got ${JSON.stringify(kernel)}`);
}

/**
 * Starts an accumulation of the K × d block G = Cᵀ R (see the module comment) with G = 0, for
 * integers d, K ≥ 1 (not checked).
 *
 * `kernel` picks the implementation: "wasm" throws when WebAssembly SIMD is unavailable or the
 * block needs more than {@link WASM_MAX_BYTES}; "js" is the fallback. Omitted: the
 * {@link BLOCK_KERNEL_ENV} environment variable if set, else wasm where it can run and JS
 * otherwise. Starting a wasm accumulation ends the previous one (they share the memory). Errors
 * name `where`.
 */
export function blockUpdate(
  d: number,
  K: number,
  kernel?: BlockKernel,
  where = "blockUpdate",
): BlockUpdate {
  const chosen =
    checkKernel(where, "kernel", kernel) ??
    checkKernel(where, BLOCK_KERNEL_ENV, process.env[BLOCK_KERNEL_ENV] || undefined);
  const chunk = Math.max(4, Math.min(MAX_CHUNK, Math.floor(CHUNK_DOUBLES / (d + K)) & ~3));
  if (chosen !== "js") {
    const wasm = loadWasmKernel();
    if (wasm !== null && wasm.begin(d, K, chunk)) return wasm;
    if (chosen === "wasm") {
      throw new RangeError(
        wasm !== null
          ? `${where}: the wasm kernel is limited to ${WASM_MAX_BYTES} bytes of memory; K = ${K}, d = ${d} need more`
          : `${where}: WebAssembly SIMD is not available in this runtime`,
      );
    }
  }
  return jsBlockUpdate.begin(d, K, chunk);
}
