/**
 * The logistic population for d = 2 (our toy's ψ = [1, s]; lib/sim/policies.ts) in WebAssembly
 * SIMD: p(x) = σ(±θᵀψ(x)) and ∇p(x) = ±σ(z)σ(−z)ψ(x) for two prompts per f64x2 vector, with
 * fdlibm's exp (the algorithm behind V8's Math.exp) written out in the kernel, so the results
 * equal the JS loop's bit for bit (lib/core/kernels/logistic.wat, assembled into
 * lib/core/kernels/logisticWasm.ts by `npm run build:wasm`; tests/kernels.test.ts).
 *
 * Why: the JS loop's cost is mostly Math.exp (a call into V8's C library, ~10 ns) and two
 * divisions per prompt; the kernel does two prompts per instruction without the calls
 * (bench/RESULTS.md, issue 17). One `WebAssembly.Memory` serves the process, grown to the
 * largest N seen (features, signs, p and ∇p: 48 bytes per prompt) and reused; the features and
 * signs are copied in and p and ∇p copied out on every call, so nothing outside is aliased.
 *
 * @module
 */
import { LOGISTIC_WASM_BASE64 } from "./logisticWasm";
import { growMemoryTo, instantiateSimdKernel, type WasmMemory } from "./wasm";

/** Largest wasm memory (bytes) the kernel grows to; a larger population uses the JS loop. */
export const LOGISTIC_WASM_MAX_BYTES: number = 64 * 1024 * 1024;

/** Environment variable: "js" turns the kernel off (the JS loop everywhere), for comparisons. */
export const LOGISTIC_KERNEL_ENV = "PASSK_LOGISTIC_KERNEL";

type Population2 = (
  F: number,
  S: number,
  P: number,
  GP: number,
  pairs: number,
  t0: number,
  t1: number,
) => number;

class LogisticKernel {
  private N = -1;
  private F = new Float64Array(0);
  private S = new Float64Array(0);
  private P = new Float64Array(0);
  private GP = new Float64Array(0);

  constructor(
    private readonly memory: WasmMemory,
    private readonly run: Population2,
  ) {}

  /** Views for N prompts (layout: F, S, P, GP, each 16-byte aligned); false above the cap. */
  private layout(N: number): boolean {
    if (N === this.N) return true;
    const even = N + (N % 2);
    const bytes = 48 * even;
    if (bytes > LOGISTIC_WASM_MAX_BYTES) return false;
    growMemoryTo(this.memory, bytes);
    const { buffer } = this.memory; // a new ArrayBuffer after grow()
    this.F = new Float64Array(buffer, 0, 2 * even);
    this.S = new Float64Array(buffer, 16 * even, even);
    this.P = new Float64Array(buffer, 24 * even, even);
    this.GP = new Float64Array(buffer, 32 * even, 2 * even);
    this.N = N;
    return true;
  }

  /**
   * p and ∇p of the N = reward.length / 2 prompts at θ = (t0, t1), the last odd prompt left to
   * the caller; false when the kernel could not (too large, or some |z| ≥ 708 or not finite),
   * and then nothing was written.
   */
  population2(
    t0: number,
    t1: number,
    features: Float64Array,
    reward: Uint8Array,
    p: Float64Array,
    gradP: Float64Array,
  ): boolean {
    const N = reward.length >> 1;
    if (!this.layout(N)) return false;
    const { F, S, P, GP } = this;
    const even = N - (N % 2);
    F.set(features.subarray(0, 2 * even));
    for (let x = 0; x < even; x++) S[x] = reward[2 * x + 1] === 1 ? 1 : -1;
    const offS = S.byteOffset;
    if (this.run(F.byteOffset, offS, P.byteOffset, GP.byteOffset, even >> 1, t0, t1) !== 0)
      return false;
    p.set(P.subarray(0, even));
    gradP.set(GP.subarray(0, 2 * even));
    return true;
  }
}

/** undefined: not loaded yet; null: WebAssembly or its SIMD is unavailable. */
let kernel: LogisticKernel | null | undefined;

function loadKernel(): LogisticKernel | null {
  if (kernel !== undefined) return kernel;
  const wasm = instantiateSimdKernel(LOGISTIC_WASM_BASE64);
  if (wasm === null) return (kernel = null);
  return (kernel = new LogisticKernel(wasm.memory, wasm.exports.population2 as Population2));
}

/**
 * The logistic population for d = 2 by the wasm kernel into p and gradP for the first
 * N − N mod 2 prompts (N = reward.length / 2); returns false — and writes nothing — when the
 * kernel is unavailable (no WebAssembly SIMD, or PASSK_LOGISTIC_KERNEL=js), the population is
 * above {@link LOGISTIC_WASM_MAX_BYTES}, or some |θᵀψ(x)| ≥ 708 or is not finite; the caller then
 * runs its JS loop (which it runs for the last prompt of an odd N in any case).
 *
 *   z = θᵀψ(x),  p(x) = σ(±z),  ∇p(x) = ±σ(z)σ(−z)ψ(x)   [D: our policy, lib/sim/policies.ts]
 */
export function logisticPopulation2Wasm(
  t0: number,
  t1: number,
  features: Float64Array,
  reward: Uint8Array,
  p: Float64Array,
  gradP: Float64Array,
): boolean {
  const k = loadKernel();
  if (k === null || process.env[LOGISTIC_KERNEL_ENV] === "js") return false;
  return k.population2(t0, t1, features, reward, p, gradP);
}
