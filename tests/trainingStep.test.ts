/**
 * The fused exact step of train (lib/sim/trainingStep.ts) against the generic path (`fused:
 * false`): every recorded series and θ agree to ≤ 1e-12 relative (in fact to the last bit) on
 * seeded toy configurations and on random ones (fast-check); which path runs, and the fallbacks.
 */
import { TOL } from "../lib/core/tolerances";
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fc from "fast-check";
import { createRng } from "../lib/core/rng";
import { contextsFromArrays, easyHardBandit } from "../lib/sim/populations";
import {
  LogisticPolicy,
  logisticPolicy,
  sharedFeatureSoftmaxPolicy,
  tabularSoftmaxPolicy,
  type Policy,
} from "../lib/sim/policies";
import { train, type TrainOptions, type TrainResult } from "../lib/sim/training";
import { FusedExactStep } from "../lib/sim/trainingStep";

const TOLERANCE = TOL.exact;

function toy(M: number, rho: number, delta: number, seed: number): LogisticPolicy {
  return logisticPolicy(easyHardBandit({ M, rho, delta, rng: createRng(seed) }));
}

/** Three features, masses with zeros, labels at random: prompts the toy does not have. */
function irregularContexts(seed: number, M: number, m: number) {
  const rng = createRng(seed);
  const features = Array.from({ length: M * m }, () => rng.normal(0, 1));
  const raw = Array.from({ length: M }, (_, i) => (i % 5 === 0 ? 0 : rng.uniform()));
  const total = raw.reduce((s, x) => s + x, 0);
  const correctAction = Array.from({ length: M }, () => (rng.uniform() < 0.4 ? 0 : 1));
  return contextsFromArrays({ features, m, correctAction, mass: raw.map((x) => x / total) });
}

/**
 * Largest elementwise relative difference (NaN = NaN and null = null count as equal; a NaN/null
 * against a number as Infinity).
 */
function relDiff(a: ArrayLike<number | null>, b: ArrayLike<number | null>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    if (x === null || y === null || Number.isNaN(x) || Number.isNaN(y)) return Infinity;
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)));
  }
  return worst;
}

/** Asserts θ and every recorded series of two runs agree to TOLERANCE. */
function assertSameRun(fused: TrainResult, generic: TrainResult, what: string): void {
  const series: [string, ArrayLike<number | null>, ArrayLike<number | null>][] = [
    ["theta", fused.theta, generic.theta],
  ];
  const h = fused.history;
  const g = generic.history;
  assert.deepEqual(h.ks, g.ks, `${what}: ks`);
  for (const key of [
    "step",
    "k",
    "J1",
    "negativeShare",
    "kStar",
    "stepInnerProduct",
    "stepNorm",
  ] as const)
    series.push([key, h[key], g[key]]);
  for (const key of ["passAtK", "innerProduct", "cosine"] as const) {
    h.ks.forEach((k, s) => series.push([`${key}[k=${k}]`, h[key][s], g[key][s]]));
  }
  for (const [name, x, y] of series) {
    const d = relDiff(x, y);
    assert.ok(d <= TOLERANCE, `${what}: ${name} differs by ${d} (relative)`);
  }
}

function bothPaths(opts: TrainOptions, what: string): TrainResult {
  const fused = train(opts);
  assertSameRun(fused, train({ ...opts, fused: false }), what);
  return fused;
}

/** Counts FusedExactStep.record calls, to see which path train took. */
let records = 0;
const original = FusedExactStep.prototype.record;
beforeEach(() => {
  records = 0;
  FusedExactStep.prototype.record = function (
    this: FusedExactStep,
    ...args: Parameters<FusedExactStep["record"]>
  ) {
    records++;
    return original.apply(this, args);
  };
});
afterEach(() => {
  FusedExactStep.prototype.record = original;
});

describe("the fused step equals the generic path", () => {
  const small = toy(300, 0.3, 1, 50);
  const theta0 = [0.8, 1.1];
  const cases: [string, TrainOptions][] = [
    [
      "pass@4 ascent, ks [1, 4]",
      {
        policy: small,
        theta0,
        steps: 60,
        lr: 0.5,
        objective: { kind: "passK", k: 4 },
        record: { ks: [1, 4] },
      },
    ],
    [
      "pass@1 ascent, M = 1001, ρ = 0.5, Δ = 2, ks [1, 3, 64] every 3",
      {
        policy: toy(1001, 0.5, 2, 7),
        theta0: [0, 0],
        steps: 40,
        lr: 2,
        objective: { kind: "pass1" },
        record: { ks: [1, 3, 64], every: 3 },
      },
    ],
    [
      "pass@3, M = 257 (not a multiple of 4), ρ = 0.1, default ks, every 7",
      {
        policy: toy(257, 0.1, 0.5, 9),
        theta0: [0.1, -0.3],
        steps: 30,
        lr: 1,
        objective: { kind: "passK", k: 3 },
        record: { every: 7 },
      },
    ],
    [
      "pass@64, unsorted grid with repeats and gaps > 8, kStarMax 32",
      {
        policy: toy(500, 0.4, 1.5, 11),
        theta0: [1, 1],
        steps: 25,
        lr: 0.05,
        objective: { kind: "passK", k: 64 },
        record: { ks: [64, 1, 3, 17, 4, 4], kStarMax: 32 },
      },
    ],
    [
      "pass@1 as passK with k = 1, ρ = 0.7, Δ = 3, M = 123",
      {
        policy: toy(123, 0.7, 3, 12),
        theta0: [0, 0],
        steps: 20,
        lr: 1.5,
        objective: { kind: "passK", k: 1 },
        record: { ks: [1] },
      },
    ],
    [
      "mixture λ = 0.3, k = 8",
      {
        policy: small,
        theta0,
        steps: 20,
        lr: 0.5,
        objective: { kind: "mixture", k: 8, lambda: 0.3 },
        record: { ks: [1, 8] },
      },
    ],
    [
      "projected, k = 8",
      { policy: small, theta0, steps: 20, lr: 0.5, objective: { kind: "projected", k: 8 } },
    ],
    [
      "capped τ = 2, k = 8",
      {
        policy: small,
        theta0,
        steps: 20,
        lr: 0.5,
        objective: { kind: "capped", k: 8, tau: 2 },
        record: { ks: [1, 2, 8] },
      },
    ],
    [
      "pass^k, k = 6 (registry entry passHatK)",
      {
        policy: small,
        theta0,
        steps: 20,
        lr: 0.5,
        objective: { kind: "passHatK", k: 6 },
        record: { ks: [1, 6] },
      },
    ],
    [
      "a user's W = 3p² − 2p³ (registry entry weighted)",
      {
        policy: small,
        theta0,
        steps: 20,
        lr: 0.5,
        objective: {
          kind: "weighted",
          W: (p) => 3 * p * p - 2 * p ** 3,
          w: (p) => 6 * p * (1 - p),
        },
      },
    ],
    [
      "annealed 16 → 1, every 4",
      {
        policy: small,
        theta0,
        steps: 21,
        lr: 0.5,
        objective: { kind: "annealed", kStart: 16 },
        record: { ks: [1, 4, 16], every: 4 },
      },
    ],
    [
      "annealed by schedule",
      {
        policy: small,
        theta0,
        steps: 5,
        lr: 0.5,
        objective: { kind: "annealed", schedule: [3, 1, 64, 2, 2] },
        record: { ks: [1, 64] },
      },
    ],
    [
      "m = 3 features, masses with zeros, pass@5",
      {
        policy: logisticPolicy(irregularContexts(3, 203, 3)),
        theta0: [0.3, -0.2, 0.5],
        steps: 30,
        lr: 1,
        objective: { kind: "passK", k: 5 },
        record: { ks: [1, 5, 2] },
      },
    ],
    [
      "m = 3 features, pass@1, ks [3], every 2",
      {
        policy: logisticPolicy(irregularContexts(3, 203, 3)),
        theta0: [0.3, -0.2, 0.5],
        steps: 30,
        lr: 1,
        objective: { kind: "pass1" },
        record: { ks: [3], every: 2 },
      },
    ],
    [
      "tabular softmax policy",
      {
        policy: tabularSoftmaxPolicy({ K: 3, correctAction: [0, 2, 1, 1, 0] }),
        theta0: new Float64Array(15),
        steps: 10,
        lr: 1,
        objective: { kind: "passK", k: 4 },
      },
    ],
    [
      "log-linear softmax over shared features",
      {
        policy: sharedFeatureSoftmaxPolicy(irregularContexts(4, 60, 3), 3),
        theta0: new Float64Array(9),
        steps: 15,
        lr: 1,
        objective: { kind: "passK", k: 4 },
        record: { ks: [1, 4] },
      },
    ],
    ["no steps", { policy: small, theta0, steps: 0, lr: 0.5, objective: { kind: "passK", k: 4 } }],
  ];
  for (const [what, opts] of cases) {
    test(what, () => {
      bothPaths(opts, what);
      assert.ok(records > 0, "the fused step ran");
    });
  }

  test("the bench workload train-toy (M = 4 000, 400 pass@4 steps): to the last bit, also where ⟨∇J_4, ∇J_1⟩ has shrunk to 1e-11", () => {
    const policy = toy(4000, 0.3, 1, 20260221);
    const opts: TrainOptions = {
      policy,
      theta0: [0.3, 0.4],
      steps: 400,
      lr: 0.5,
      objective: { kind: "passK", k: 4 },
      record: { ks: [1, 4] },
    };
    const fused = train(opts);
    const generic = train({ ...opts, fused: false });
    assert.deepEqual(fused, generic);
  });

  test("random toys, objectives, grids and record intervals (fast-check)", () => {
    const objective = fc.oneof(
      fc.constant({ kind: "pass1" as const }),
      fc.integer({ min: 1, max: 70 }).map((k) => ({ kind: "passK" as const, k })),
      fc
        .tuple(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([k, lambda]) => ({ kind: "mixture" as const, k, lambda })),
      fc.integer({ min: 1, max: 20 }).map((k) => ({ kind: "projected" as const, k })),
      fc
        .tuple(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0.1, max: 10, noNaN: true }))
        .map(([k, tau]) => ({ kind: "capped" as const, k, tau })),
      fc.integer({ min: 1, max: 20 }).map((kStart) => ({ kind: "annealed" as const, kStart })),
      fc.integer({ min: 1, max: 40 }).map((k) => ({ kind: "passHatK" as const, k })),
    );
    fc.assert(
      fc.property(
        fc.record({
          M: fc.integer({ min: 1, max: 90 }),
          rho: fc.double({ min: 0, max: 1, noNaN: true }),
          delta: fc.double({ min: 0, max: 4, noNaN: true }),
          seed: fc.integer({ min: 0, max: 1e6 }),
          theta0: fc.tuple(
            fc.double({ min: -2, max: 2, noNaN: true }),
            fc.double({ min: -2, max: 2, noNaN: true }),
          ),
          lr: fc.double({ min: 0.01, max: 3, noNaN: true }),
          steps: fc.integer({ min: 0, max: 12 }),
          every: fc.integer({ min: 1, max: 4 }),
          ks: fc.uniqueArray(fc.constantFrom(1, 2, 3, 4, 8, 9, 16, 64), {
            minLength: 1,
            maxLength: 5,
          }),
          kStarMax: fc.integer({ min: 1, max: 300 }),
          objective,
        }),
        (c) => {
          const policy = toy(c.M, c.rho, c.delta, c.seed);
          const opts: TrainOptions = {
            policy,
            theta0: c.theta0,
            steps: c.steps,
            lr: c.lr,
            objective: c.objective,
            record: { ks: c.ks, every: c.every, kStarMax: c.kStarMax },
          };
          bothPaths(opts, JSON.stringify(c));
        },
      ),
      { seed: 20260221, numRuns: 150 },
    );
  });
});

describe("which path runs", () => {
  const policy = toy(200, 0.3, 1, 5);
  const base: TrainOptions = {
    policy,
    theta0: [0.8, 1.1],
    steps: 6,
    lr: 0.5,
    objective: { kind: "passK", k: 4 },
    record: { ks: [1, 4] },
  };

  test("exact gradients on a library policy take the fused step; fused: false forces the generic path", () => {
    train(base);
    assert.equal(records, 7);
    records = 0;
    train({ ...base, fused: false });
    assert.equal(records, 0);
  });

  test("the generic path serves the interference-aware objective, sampled gradients and policies from outside the library", () => {
    bothPaths({ ...base, objective: { kind: "interferenceAware", k: 4 } }, "interference-aware");
    train({ ...base, gradients: { kind: "sampled", n: 8, rng: createRng(3) } });
    assert.equal(records, 0);
    // A Policy written elsewhere: the same numbers, by the generic path.
    const outside: Policy = {
      kind: "outside",
      N: policy.N,
      K: policy.K,
      d: policy.d,
      mass: policy.mass,
      reward: policy.reward,
      actionProbs: (theta, out) => policy.actionProbs(theta, out),
      population: (theta, out) => policy.population(theta, out),
      sample: (theta, rng, n, out) => policy.sample(theta, rng, n, out),
      score: (theta, x, y) => policy.score(theta, x, y),
      scoreSum: (probs, coef, out) => policy.scoreSum(probs, coef, out),
      scoreRows: (probs, coef, out) => policy.scoreRows(probs, coef, out),
    };
    const theirs = train({ ...base, policy: outside });
    assert.equal(records, 0);
    assertSameRun(train(base), theirs, "a policy from outside the library");
  });

  test("the fused step checks the first population once: masses that do not sum to 1 are rejected before any step", () => {
    const bad = new LogisticPolicy(
      Float64Array.of(1, 0.5, 1, -0.5),
      2,
      Float64Array.of(0.5, 0.6),
      Uint8Array.of(0, 1, 1, 0),
    );
    let calls = 0;
    assert.throws(
      () => train({ ...base, policy: bad, onProgress: () => calls++ }),
      /train: mass must sum to 1/,
    );
    assert.throws(() => train({ ...base, policy: bad, fused: false }), /train: mass must sum to 1/);
    assert.equal(calls, 0);
  });

  test("fused must be a boolean", () => {
    assert.throws(
      () => train({ ...base, fused: 1 as unknown as boolean }),
      /train: fused must be a boolean, got 1/,
    );
  });
});
