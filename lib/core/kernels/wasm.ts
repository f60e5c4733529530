/**
 * Loading the project's WebAssembly SIMD kernels (blockUpdate.ts, logistic.ts): the parts of the
 * WebAssembly JS API they use (the project's TS lib has no DOM types), instantiation from the
 * committed base64 bytes with the SIMD feature test, and growing a kernel's memory.
 */

/** A kernel's linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

const WASM_PAGE = 65536;

/**
 * Instantiates a kernel from its base64 bytes with one page of memory imported as env.memory;
 * null where WebAssembly is absent or the bytes do not validate — validate() is false where
 * f64x2 is not supported, which makes it the SIMD feature test.
 */
export function instantiateSimdKernel(
  base64: string,
): { memory: WasmMemory; exports: Record<string, unknown> } | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  if (api === undefined || !api.validate(bytes)) return null;
  const memory = new api.Memory({ initial: 1 });
  const { exports } = new api.Instance(new api.Module(bytes), { env: { memory } });
  return { memory, exports };
}

/** Grows `memory` to at least `bytes` (whole pages); its buffer is a new ArrayBuffer afterwards. */
export function growMemoryTo(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
}
