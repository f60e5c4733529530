/**
 * The WebAssembly SIMD logistic population (lib/core/kernels/logistic.ts): the committed bytes are
 * wabt's assembly of the committed .wat; p and ∇p equal the JS loop's (which calls V8's Math.exp)
 * bit for bit over every argument range of fdlibm's exp, odd and even N; prompts the kernel cannot
 * do exactly (|θᵀψ| ≥ 708) fall back to the JS loop.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { LOGISTIC_WAT, LOGISTIC_WASM_TS, logisticModuleText } from "../scripts/build-wasm";
import { LOGISTIC_KERNEL_ENV, logisticPopulation2Wasm } from "../lib/core/kernels/logistic";
import { logisticPolicy } from "../lib/sim/policies";
import { contextsFromArrays, easyHardBandit } from "../lib/sim/populations";
import { createRng } from "../lib/core/rng";

/** p and ∇p of `policy` at θ with the kernel on or off (a copy of each). */
function populationWith(
  kernel: "wasm" | "js",
  policy: ReturnType<typeof logisticPolicy>,
  theta: number[],
): { p: Float64Array; gradP: Float64Array } {
  const saved = process.env[LOGISTIC_KERNEL_ENV];
  if (kernel === "js") process.env[LOGISTIC_KERNEL_ENV] = "js";
  else delete process.env[LOGISTIC_KERNEL_ENV];
  try {
    const pop = policy.population(theta);
    return { p: Float64Array.from(pop.p), gradP: Float64Array.from(pop.gradP) };
  } finally {
    if (saved === undefined) delete process.env[LOGISTIC_KERNEL_ENV];
    else process.env[LOGISTIC_KERNEL_ENV] = saved;
  }
}

describe("logistic population kernel", () => {
  test("lib/core/kernels/logisticWasm.ts is wabt's assembly of lib/core/kernels/logistic.wat (npm run build:wasm regenerates it)", async () => {
    const expected = await logisticModuleText(fs.readFileSync(LOGISTIC_WAT, "utf8"));
    assert.equal(fs.readFileSync(LOGISTIC_WASM_TS, "utf8"), expected);
  });

  test("runs on this Node, and equals the JS loop bit for bit over all of exp's argument ranges", () => {
    const rng = createRng(20261207);
    // |z| in each range of fdlibm's exp: < 2^−28, < 0.5 ln 2 (k = 0), < 1.5 ln 2 (k = −1), above
    const ranges = [0, 0, 0, 0];
    let compared = 0;
    for (const M of [1, 2, 3, 8, 101, 4000]) {
      const policy = logisticPolicy(easyHardBandit({ M, rho: 0.3, delta: 1, rng }));
      const p = new Float64Array(M);
      const gradP = new Float64Array(2 * M);
      for (const scale of [0, 1e-12, 1e-9, 1e-4, 0.2, 0.5, 1, 3, 20, 200]) {
        const theta = [scale * rng.normal(), scale * rng.normal()];
        let zMax = 0;
        for (let x = 0; x < M; x++) {
          const z = Math.abs(
            theta[0] * policy.features[2 * x] + theta[1] * policy.features[2 * x + 1],
          );
          if (x < M - (M % 2)) zMax = Math.max(zMax, z); // the kernel's prompts
          ranges[z < 2 ** -28 ? 0 : z < 0.3465735912322998 ? 1 : z < 1.0397205352783203 ? 2 : 3]++;
        }
        const ran = logisticPopulation2Wasm(
          theta[0],
          theta[1],
          policy.features,
          policy.reward,
          p,
          gradP,
        );
        // it runs unless one of its prompts has |z| ≥ 708 (then the JS loop takes over)
        assert.equal(ran, zMax < 708, `the kernel ran (M = ${M}, θ = ${theta})`);
        const js = populationWith("js", policy, theta);
        const wasm = populationWith("wasm", policy, theta);
        assert.deepEqual(wasm, js, `M = ${M}, θ = ${theta}`);
        compared += M;
      }
    }
    for (const count of ranges) assert.ok(count > 100, `every range is reached: ${ranges}`);
    assert.ok(compared > 40_000);
  });

  test("|θᵀψ| ≥ 708 and θ at the edge of overflow: the JS loop takes over, same numbers", () => {
    // features chosen so that z crosses 708 and 745 (where e^−|z| is subnormal, then 0)
    const s = [0, 1, 700, 707.9, 708, 709, 740, 746, 800, -708.5, -1000];
    const contexts = contextsFromArrays({
      features: s.flatMap((v) => [1, v]),
      m: 2,
      correctAction: s.map((_, i) => (i % 2 === 0 ? 1 : 0)),
    });
    const policy = logisticPolicy(contexts);
    const p = new Float64Array(s.length);
    const gradP = new Float64Array(2 * s.length);
    assert.equal(logisticPopulation2Wasm(0, 1, policy.features, policy.reward, p, gradP), false);
    assert.ok(
      p.every((v) => v === 0),
      "nothing written when the kernel declines",
    );
    for (const theta of [
      [0, 1],
      [0.5, -1],
      [0, 1e-3],
    ]) {
      assert.deepEqual(populationWith("wasm", policy, theta), populationWith("js", policy, theta));
    }
  });
});
