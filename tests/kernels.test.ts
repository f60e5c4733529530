/**
 * The block-update kernels of conflictProfile (lib/core/kernels/blockUpdate.ts): the committed wasm
 * bytes are wabt's assembly of the committed .wat; the WebAssembly SIMD and JS kernels agree with
 * each other and with a plain double loop for every shape (tails in N, K and d); the wasm memory is
 * reused across calls; without WebAssembly the JS kernel is used.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as fc from "fast-check";
import {
  BLOCK_UPDATE_WAT,
  BLOCK_UPDATE_WASM_TS,
  blockUpdateModuleText,
} from "../scripts/build-wasm";
import {
  BLOCK_KERNEL_ENV,
  blockUpdate,
  wasmKernelMemoryBytes,
  wasmSimdAvailable,
  WASM_MAX_BYTES,
  type BlockKernel,
} from "../lib/core/kernels/blockUpdate";
import { conflictProfile, type ConflictProfile } from "../lib/theory/interference";
import { createRng, type Rng } from "../lib/core/rng";
import { workedExamplePopulation } from "../lib/theory/threshold";
import { randomPopulation } from "./fixtures/theory";

const ROOT = path.join(__dirname, "..");

/** G = Cᵀ R through `blockUpdate`, chunk by chunk as conflictProfile feeds it; a copy of G. */
function accumulate(
  kernel: BlockKernel,
  C: Float64Array,
  R: Float64Array,
  N: number,
  d: number,
  K: number,
): Float64Array {
  const u = blockUpdate(d, K, kernel);
  assert.equal(u.kernel, kernel);
  for (let i0 = 0; i0 < N; i0 += u.chunk) {
    const n = Math.min(u.chunk, N - i0);
    const rows = u.rows(R, i0, n);
    u.coef.set(C.subarray(i0 * K, (i0 + n) * K));
    u.add(rows, n);
  }
  return Float64Array.from(u.G);
}

/**
 * |x − y| ≤ rel·max(|x|, |y|) for every entry (NaN only against NaN); returns the largest relative
 * difference.
 */
function assertRelClose(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rel: number,
  what: string,
): number {
  assert.equal(x.length, y.length, `${what}: length`);
  let worst = 0;
  for (let q = 0; q < x.length; q++) {
    if (Number.isNaN(x[q]) || Number.isNaN(y[q])) {
      assert.ok(Number.isNaN(x[q]) && Number.isNaN(y[q]), `${what}[${q}]: ${x[q]} vs ${y[q]}`);
      continue;
    }
    const scale = Math.max(Math.abs(x[q]), Math.abs(y[q]));
    const diff = Math.abs(x[q] - y[q]);
    assert.ok(
      diff <= rel * scale,
      `${what}[${q}]: ${x[q]} vs ${y[q]} (relative ${(diff / scale).toExponential(2)})`,
    );
    if (scale > 0) worst = Math.max(worst, diff / scale);
  }
  return worst;
}

const PROFILE_FIELDS = [
  "passAtK",
  "innerProduct",
  "normGradJk",
  "cosine",
  "meanWeight",
  "covariance",
  "negativeAgreementWeight",
  "gradJ1",
  "agreement",
] as const;

function assertProfilesAgree(
  w: ConflictProfile,
  j: ConflictProfile,
  rel: number,
  what: string,
): void {
  for (const key of PROFILE_FIELDS) assertRelClose(w[key], j[key], rel, `${what} ${key}`);
  assertRelClose([w.normGradJ1], [j.normGradJ1], rel, `${what} normGradJ1`);
}

/**
 * A random population with some zero masses and p at 0 or 1 (zero coefficients take the JS path's
 * `c === 0` skip).
 */
function edgyPopulation(rng: Rng, N: number, d: number) {
  const pop = randomPopulation(rng, N, d, { shift: rng.normal() });
  for (let i = 0; i < N; i++) {
    const r = rng.uniform();
    if (r < 0.1) pop.p[i] = 0;
    else if (r < 0.2) pop.p[i] = 1;
  }
  if (N > 1 && rng.uniform() < 0.5) {
    const i = rng.int(0, N - 1);
    const m = pop.mass[i];
    pop.mass[i] = 0;
    pop.mass[(i + 1) % N] += m;
  }
  return pop;
}

describe("wasm bytes", () => {
  test("lib/core/kernels/blockUpdateWasm.ts is wabt's assembly of lib/core/kernels/blockUpdate.wat (npm run build:wasm regenerates it)", async () => {
    const expected = await blockUpdateModuleText(fs.readFileSync(BLOCK_UPDATE_WAT, "utf8"));
    assert.equal(fs.readFileSync(BLOCK_UPDATE_WASM_TS, "utf8"), expected);
  });

  test("this Node runs the WebAssembly SIMD kernel, and conflictProfile uses it by default", () => {
    assert.ok(wasmSimdAvailable());
    const saved = process.env[BLOCK_KERNEL_ENV];
    delete process.env[BLOCK_KERNEL_ENV];
    try {
      assert.equal(blockUpdate(3, 2).kernel, "wasm");
    } finally {
      if (saved !== undefined) process.env[BLOCK_KERNEL_ENV] = saved;
    }
  });
});

describe("wasm and JS kernels", () => {
  test("G = Cᵀ R: both kernels equal a plain double loop (relative to Σ|C||R|), and each other bit for bit, for K = 1..9, 64, 65 and d = 1..9, 64, 65", () => {
    const rng = createRng(301);
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 64, 65];
    for (const K of sizes) {
      for (const d of sizes) {
        const N = 1 + rng.int(0, 9) + (K * d < 100 ? 300 : 0); // small blocks also cross chunks (≤ 256 prompts)
        const C = Float64Array.from({ length: N * K }, () => rng.normal());
        const R = Float64Array.from({ length: N * d }, () => rng.normal());
        const ref = new Float64Array(K * d);
        const mag = new Float64Array(K * d);
        for (let x = 0; x < N; x++) {
          for (let s = 0; s < K; s++) {
            for (let j = 0; j < d; j++) {
              ref[s * d + j] += C[x * K + s] * R[x * d + j];
              mag[s * d + j] += Math.abs(C[x * K + s] * R[x * d + j]);
            }
          }
        }
        const wasm = accumulate("wasm", C, R, N, d, K);
        const js = accumulate("js", C, R, N, d, K);
        for (let q = 0; q < K * d; q++) {
          assert.ok(
            Math.abs(wasm[q] - ref[q]) <= 1e-13 * mag[q],
            `N=${N} K=${K} d=${d} G[${q}]: ${wasm[q]} vs ${ref[q]}`,
          );
          assert.ok(
            Object.is(wasm[q], js[q]),
            `N=${N} K=${K} d=${d} G[${q}]: wasm ${wasm[q]} vs js ${js[q]}`,
          );
        }
      }
    }
  });

  test("conflictProfile: wasm and JS paths agree to 1e-12 relative on random populations (N = 1..9 and past a chunk, K ∈ {1, 3, 5, 64, …}, d ∈ {1, 3, 64, …}, any grid)", () => {
    const shape = fc.record({
      N: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(63, 64, 65, 257, 300)),
      d: fc.oneof(fc.constantFrom(1, 3, 64), fc.integer({ min: 1, max: 70 })),
      K: fc.oneof(fc.constantFrom(1, 3, 5, 64), fc.integer({ min: 1, max: 70 })),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      kMax: fc.constantFrom(8, 64, 400),
    });
    fc.assert(
      fc.property(shape, ({ N, d, K, seed, kMax }) => {
        const rng = createRng(seed);
        const pop = edgyPopulation(rng, N, d);
        const ks = Array.from({ length: K }, () => 1 + rng.int(0, kMax - 1)); // unsorted, repeats, gaps > 8
        const w = conflictProfile(pop, ks, { kernel: "wasm" });
        const j = conflictProfile(pop, ks, { kernel: "js" });
        assertProfilesAgree(w, j, TOL.exact, `N=${N} d=${d} K=${K}`);
      }),
      { numRuns: 200, seed: 302 },
    );
  });

  test("the worked example (PAPER.md §4) comes out the same on both paths", () => {
    const w = conflictProfile(workedExamplePopulation(), [1, 2, 3], { kernel: "wasm" });
    const j = conflictProfile(workedExamplePopulation(), [1, 2, 3], { kernel: "js" });
    assertProfilesAgree(w, j, 0, "worked example");
  });
});

describe("wasm memory", () => {
  test("one memory serves every call: it grows to the largest block needed and stays there", () => {
    const rng = createRng(303);
    const big = randomPopulation(rng, 300, 200);
    conflictProfile(
      big,
      Array.from({ length: 70 }, (_, s) => s + 1),
      { kernel: "wasm" },
    );
    const after = wasmKernelMemoryBytes();
    assert.ok(after >= 8 * 70 * 200, `${after} bytes`);
    for (let rep = 0; rep < 50; rep++) {
      const pop = randomPopulation(rng, 1 + rng.int(0, 300), 1 + rng.int(0, 199));
      conflictProfile(
        pop,
        Array.from({ length: 1 + rng.int(0, 69) }, (_, s) => s + 1),
        { kernel: "wasm" },
      );
      assert.equal(wasmKernelMemoryBytes(), after, `call ${rep}`);
    }
    conflictProfile(
      randomPopulation(rng, 8, 400),
      Array.from({ length: 70 }, (_, s) => s + 1),
      { kernel: "wasm" },
    );
    const grown = wasmKernelMemoryBytes();
    assert.ok(grown > after);
    conflictProfile(big, [1, 2], { kernel: "wasm" });
    assert.equal(wasmKernelMemoryBytes(), grown);
  });

  test(`a block over ${WASM_MAX_BYTES / 2 ** 20} MiB uses the JS kernel, or throws when wasm is asked for`, () => {
    const d = 2 ** 20;
    assert.throws(() => blockUpdate(d, 8, "wasm"), {
      name: "RangeError",
      message:
        /blockUpdate: the wasm kernel is limited to 67108864 bytes of memory; K = 8, d = 1048576 need more/,
    });
    assert.equal(blockUpdate(d, 8).kernel, "js");
  });
});

describe("choosing the kernel", () => {
  test(`${BLOCK_KERNEL_ENV}=js makes the JS kernel the default; an unknown name is a RangeError`, () => {
    const saved = process.env[BLOCK_KERNEL_ENV];
    try {
      process.env[BLOCK_KERNEL_ENV] = "js";
      assert.equal(blockUpdate(4, 4).kernel, "js");
      assert.equal(blockUpdate(4, 4, "wasm").kernel, "wasm");
      process.env[BLOCK_KERNEL_ENV] = "gpu";
      assert.throws(() => conflictProfile(workedExamplePopulation(), [1]), {
        name: "RangeError",
        message: /conflictProfile: PASSK_BLOCK_KERNEL must be "wasm" or "js", got "gpu"/,
      });
    } finally {
      if (saved === undefined) delete process.env[BLOCK_KERNEL_ENV];
      else process.env[BLOCK_KERNEL_ENV] = saved;
    }
    assert.throws(
      () => conflictProfile(workedExamplePopulation(), [1], { kernel: "gpu" as BlockKernel }),
      {
        name: "RangeError",
        message: /conflictProfile: kernel must be "wasm" or "js", got "gpu"/,
      },
    );
  });

  test("without WebAssembly (node --noexpose-wasm) conflictProfile falls back to the JS kernel with the same results", () => {
    const script = [
      `const { conflictProfile } = require("./lib/theory/interference");`,
      `const { blockUpdate, wasmSimdAvailable } = require("./lib/core/kernels/blockUpdate");`,
      `const { workedExamplePopulation } = require("./lib/theory/threshold");`,
      `let wasmError = "";`,
      `try { conflictProfile(workedExamplePopulation(), [1], { kernel: "wasm" }); } catch (e) { wasmError = e.message; }`,
      `const prof = conflictProfile(workedExamplePopulation(), [1, 2, 3]);`,
      `console.log(JSON.stringify({ hasWasm: typeof WebAssembly !== "undefined", available: wasmSimdAvailable(), kernel: blockUpdate(2, 3).kernel, wasmError, normGradJk: Array.from(prof.normGradJk) }));`,
    ].join("\n");
    const env = { ...process.env };
    delete env[BLOCK_KERNEL_ENV];
    const r = spawnSync(process.execPath, ["--noexpose-wasm", "--import", "tsx", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      env,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() as string);
    assert.deepEqual(
      {
        hasWasm: out.hasWasm,
        available: out.available,
        kernel: out.kernel,
        wasmError: out.wasmError,
      },
      {
        hasWasm: false,
        available: false,
        kernel: "js",
        wasmError: "conflictProfile: WebAssembly SIMD is not available in this runtime",
      },
    );
    assert.deepEqual(
      out.normGradJk,
      Array.from(
        conflictProfile(workedExamplePopulation(), [1, 2, 3], { kernel: "js" }).normGradJk,
      ),
    );
  });
});
