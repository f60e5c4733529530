/**
 * The fused logistic ∇J_k (lib/sim/logisticGradient.ts) against (a) a 64-digit mathjs BigNumber
 * evaluation of Σ_x D(x)·k(1−p)^{k−1}·∇p(x) from the same float64 inputs — a reference that
 * shares no code and no rounding with either float64 path —, to 1e-12 relative, and (b) the
 * generic path gradJk(policy.population(θ), k), to the last bit; plus input errors.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { all, create, type BigNumber } from "mathjs";
import { createRng } from "../lib/core/rng";
import { TOL } from "../lib/core/tolerances";
import { contextsFromArrays, easyHardBandit } from "../lib/sim/populations";
import { logisticPolicy, type LogisticPolicy } from "../lib/sim/policies";
import { logisticGradJk, LOGISTIC_PRODUCT_WEIGHT_MAX_K } from "../lib/sim/logisticGradient";
import { gradJk } from "../lib/theory/interference";

const big = create(all, { number: "BigNumber", precision: 64 });

/**
 * ∇J_k at 64 digits, plus Σ_x |term_x| per coordinate (the scale a float64 sum's rounding error
 * is measured against: cancellation between contexts is not the algorithm's error).
 */
function reference(
  policy: LogisticPolicy,
  theta: ArrayLike<number>,
  k: number,
): { g: number[]; abs: number[] } {
  const { N, d, features, reward, mass } = policy;
  const one = big.bignumber(1);
  const sum: BigNumber[] = Array.from({ length: d }, () => big.bignumber(0));
  const abs: BigNumber[] = Array.from({ length: d }, () => big.bignumber(0));
  for (let x = 0; x < N; x++) {
    let z = big.bignumber(0);
    for (let j = 0; j < d; j++)
      z = big.add(
        z,
        big.multiply(big.bignumber(theta[j]), big.bignumber(features[x * d + j])),
      ) as BigNumber;
    const sign = reward[2 * x + 1] === 1 ? 1 : -1;
    const s = big.divide(one, big.add(one, big.exp(big.unaryMinus(z)))) as BigNumber; // σ(z)
    const p = sign === 1 ? s : big.subtract(one, s);
    const w = big.multiply(big.bignumber(k), big.pow(big.subtract(one, p), k - 1));
    const gp = big.multiply(big.multiply(big.bignumber(sign), s), big.subtract(one, s));
    const c = big.multiply(big.multiply(big.bignumber(mass[x]), w), gp);
    for (let j = 0; j < d; j++) {
      const t = big.multiply(c, big.bignumber(features[x * d + j])) as BigNumber;
      sum[j] = big.add(sum[j], t) as BigNumber;
      abs[j] = big.add(abs[j], big.abs(t)) as BigNumber;
    }
  }
  return { g: sum.map((v) => Number(v.toString())), abs: abs.map((v) => Number(v.toString())) };
}

function randomLogistic(M: number, m: number, seed: number, scale: number): LogisticPolicy {
  const rng = createRng(seed);
  return logisticPolicy(
    contextsFromArrays({
      features: Float64Array.from({ length: M * m }, () => scale * rng.normal()),
      m,
      correctAction: Array.from({ length: M }, () => (rng.uniform() < 0.4 ? 0 : 1)),
    }),
  );
}

const KS = [1, 2, 3, 4, 8, 16, 63, 64, 65, 100, 1000];

describe("logisticGradJk", () => {
  test("agrees with a 64-digit reference to 1e-12 of Σ|terms| per coordinate (d = 2 and d = 3)", () => {
    const toy = logisticPolicy(easyHardBandit({ M: 160, rho: 0.3, delta: 1, rng: createRng(3) }));
    const cases: [string, LogisticPolicy, number[]][] = [
      ["toy, θ = (0.4, 1.1)", toy, [0.4, 1.1]],
      ["toy, large θ (p near 0 and 1)", toy, [6, -9]],
      ["random d = 3", randomLogistic(120, 3, 5, 2), [0.3, -0.7, 1.2]],
    ];
    for (const [name, policy, theta] of cases) {
      for (const k of [1, 2, 4, 16, 64, 65, 200]) {
        const ref = reference(policy, theta, k);
        const fast = logisticGradJk(policy, theta, k);
        for (let j = 0; j < policy.d; j++) {
          const err = Math.abs(fast[j] - ref.g[j]);
          assert.ok(
            err <= TOL.exact * ref.abs[j],
            `${name}, k = ${k}, coordinate ${j}: ${fast[j]} vs ${ref.g[j]} (err ${err}, Σ|terms| ${ref.abs[j]})`,
          );
        }
      }
    }
  });

  test("equals gradJk(policy.population(θ), k) to the last bit, k = 1 … 1000", () => {
    const toy = logisticPolicy(easyHardBandit({ M: 5000, rho: 0.3, delta: 1, rng: createRng(7) }));
    const rnd = randomLogistic(2000, 4, 9, 1.5);
    const rng = createRng(11);
    for (const policy of [toy, rnd]) {
      for (let trial = 0; trial < 5; trial++) {
        const theta = Float64Array.from({ length: policy.d }, () => 2 * rng.normal());
        for (const k of KS) {
          const generic = gradJk(policy.population(theta), k);
          const fast = logisticGradJk(policy, theta, k);
          // the same σ, weight (promptWeightUnchecked) and sums in the same order (issue 17)
          assert.deepEqual(fast, generic, `d = ${policy.d}, θ = ${Array.from(theta)}, k = ${k}`);
        }
      }
    }
  });

  test("k = 1 is exactly Σ D ∇p, and the product/exp switch sits at the documented k", () => {
    const policy = randomLogistic(50, 2, 13, 1);
    const theta = [0.2, -0.5];
    const pop = policy.population(theta);
    const g1 = logisticGradJk(policy, theta, 1);
    for (let j = 0; j < 2; j++) {
      let s = 0;
      for (let x = 0; x < 50; x++) s += pop.mass[x] * pop.gradP[2 * x + j];
      assert.ok(Math.abs(g1[j] - s) <= TOL.roundoff * Math.abs(s), `coordinate ${j}`);
    }
    assert.equal(LOGISTIC_PRODUCT_WEIGHT_MAX_K, 64);
  });

  test("writes into out and rejects bad θ, k and out with the function's name", () => {
    const policy = randomLogistic(10, 2, 1, 1);
    const out = new Float64Array(2);
    assert.equal(logisticGradJk(policy, [0.1, 0.2], 3, out), out);
    assert.throws(() => logisticGradJk(policy, [0.1], 3), /logisticGradJk: theta/);
    assert.throws(() => logisticGradJk(policy, [0.1, NaN], 3), /logisticGradJk: theta\[1\]/);
    assert.throws(() => logisticGradJk(policy, [0.1, 0.2], 0), /logisticGradJk: k/);
    assert.throws(() => logisticGradJk(policy, [0.1, 0.2], 2.5), /logisticGradJk: k/);
    assert.throws(
      () => logisticGradJk(policy, [0.1, 0.2], 2, new Float64Array(3)),
      /logisticGradJk: out/,
    );
  });
});
