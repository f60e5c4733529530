/**
 * The training loop: argument checks before any work, the update rule against a hand-written
 * loop over lib/theory/interference.ts, the objectives' limiting cases (λ = 0/1, τ ≥ k, constant
 * annealing), determinism of sampled runs, progress reporting and the recorded history.
 */
import { TOL } from "../lib/core/tolerances";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../lib/core/rng";
import { contextsFromArrays, easyHardBandit } from "../lib/sim/populations";
import { logisticPolicy } from "../lib/sim/policies";
import { conflictProfile, gradJ1 } from "../lib/theory/interference";
import { historyRows, train, type TrainOptions } from "../lib/sim/training";
import { annealingSchedule } from "../lib/theory/objectives";

const toy = easyHardBandit({ M: 300, rho: 0.3, delta: 1, rng: createRng(50) });
const policy = logisticPolicy(toy);
const theta0 = Float64Array.from([0.8, 1.1]);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("argument checks", () => {
  const base: TrainOptions = {
    policy,
    theta0,
    steps: 3,
    lr: 0.5,
    objective: { kind: "passK", k: 4 },
  };
  const bad: [string, Partial<TrainOptions>, RegExp][] = [
    [
      "θ0 of the wrong length",
      { theta0: [1, 2, 3] },
      /train: theta0 has length 3, but the policy's parameter dimension d has length 2/,
    ],
    [
      "a non-finite θ0",
      { theta0: [1, Infinity] },
      /train: theta0\[1\] must be a finite number, got Infinity/,
    ],
    ["lr = 0", { lr: 0 }, /train: lr must be > 0, got 0/],
    ["lr < 0", { lr: -1 }, /train: lr must be > 0, got -1/],
    ["non-integer steps", { steps: 2.5 }, /train: steps must be an integer, got 2.5/],
    [
      "a non-integer k grid",
      { record: { ks: [1, 2.5] } },
      /train: record.ks\[1\] must be an integer, got 2.5/,
    ],
    [
      "k = 0 in the objective",
      { objective: { kind: "passK", k: 0 } },
      /train: objective.k must be an integer ≥ 1, got 0/,
    ],
    [
      "λ outside [0, 1]",
      { objective: { kind: "mixture", k: 4, lambda: 1.5 } },
      /train: objective.lambda must be in \[0, 1\], got 1.5/,
    ],
    [
      "τ ≤ 0",
      { objective: { kind: "capped", k: 4, tau: 0 } },
      /train: objective.tau must be > 0, got 0/,
    ],
    [
      "an unknown objective",
      { objective: { kind: "pass2" } as unknown as TrainOptions["objective"] },
      /objective.kind must be one of/,
    ],
    [
      "an annealing schedule of the wrong length",
      { objective: { kind: "annealed", schedule: [4, 2] } },
      /objective.schedule has length 2, but steps has length 3/,
    ],
    [
      "sampled gradients with k > n",
      { gradients: { kind: "sampled", n: 3, rng: createRng(1) } },
      /the objective's k = 4 must be ≤ 3 for the pkpoLooMinusOne estimator with gradients.n = 3/,
    ],
    [
      "sampled gradients for capped weights",
      {
        objective: { kind: "capped", k: 4, tau: 1 },
        gradients: { kind: "sampled", n: 8, rng: createRng(1) },
      },
      /objective "capped" needs exact gradients/,
    ],
  ];
  for (const [what, change, message] of bad) {
    test(`${what} is rejected with a message naming the argument, before any step`, () => {
      let calls = 0;
      assert.throws(() => train({ ...base, ...change, onProgress: () => calls++ }), message);
      assert.equal(calls, 0);
    });
  }

  test("a step that makes θ non-finite throws, naming the step and the learning rate", () => {
    const huge = logisticPolicy(
      contextsFromArrays({ features: [1, 1e10], m: 2, correctAction: [1] }),
    );
    assert.throws(
      () =>
        train({ policy: huge, theta0: [0, 0], steps: 2, lr: 1e300, objective: { kind: "pass1" } }),
      /θ became non-finite at step 1 \(θ\[1\] = Infinity\); lower lr = 1e\+300/,
    );
  });
});

describe("update rule and objectives", () => {
  test("exact pass@1 ascent is θ ← θ + η∇J_1, step by step (hand-written loop over gradJ1)", () => {
    const run = train({ policy, theta0, steps: 5, lr: 0.7, objective: { kind: "pass1" } });
    const theta = Float64Array.from(theta0);
    for (let t = 0; t < 5; t++) {
      const g = gradJ1(policy.population(theta));
      for (let j = 0; j < 2; j++) theta[j] += 0.7 * g[j];
    }
    assert.ok(maxAbsDiff(run.theta, theta) < TOL.roundoff);
    assert.deepEqual(Array.from(theta0), [0.8, 1.1]); // θ0 untouched
  });

  test("the mixture with λ = 0 is pass@1 ascent and with λ = 1 is pass@k ascent", () => {
    const opts = { policy, theta0, steps: 4, lr: 0.5 };
    const mix0 = train({ ...opts, objective: { kind: "mixture", k: 4, lambda: 0 } });
    const mix1 = train({ ...opts, objective: { kind: "mixture", k: 4, lambda: 1 } });
    assert.ok(
      maxAbsDiff(mix0.theta, train({ ...opts, objective: { kind: "pass1" } }).theta) < TOL.roundoff,
    );
    assert.ok(
      maxAbsDiff(mix1.theta, train({ ...opts, objective: { kind: "passK", k: 4 } }).theta) <
        TOL.roundoff,
    );
  });

  test("capped weights with τ ≥ k are pass@k ascent; a constant annealing schedule is pass@k ascent", () => {
    const opts = { policy, theta0, steps: 4, lr: 0.5 };
    const passK = train({ ...opts, objective: { kind: "passK", k: 3 } }).theta;
    assert.ok(
      maxAbsDiff(train({ ...opts, objective: { kind: "capped", k: 3, tau: 3 } }).theta, passK) <
        TOL.roundoff,
    );
    assert.ok(
      maxAbsDiff(
        train({ ...opts, objective: { kind: "annealed", schedule: [3, 3, 3, 3] } }).theta,
        passK,
      ) < TOL.roundoff,
    );
  });

  test("the linear annealing schedule runs from kStart down to kEnd in integers", () => {
    assert.deepEqual(Array.from(annealingSchedule(8, 1, 5)), [8, 6, 5, 3, 1]);
    const run = train({
      policy,
      theta0,
      steps: 5,
      lr: 0.5,
      objective: { kind: "annealed", kStart: 8 },
      record: { ks: [1] },
    });
    assert.deepEqual(run.history.k.slice(0, 5), [8, 6, 5, 3, 1]);
  });

  test("the interference-aware direction has ⟨g, ∇J_1⟩ = max(0, ⟨∇J_8, ∇J_1⟩) at every step, and is not pass@1", () => {
    const run = train({
      policy,
      theta0,
      steps: 20,
      lr: 0.5,
      objective: { kind: "interferenceAware", k: 8 },
      record: { ks: [1, 8] },
    });
    const pass1 = train({ policy, theta0, steps: 20, lr: 0.5, objective: { kind: "pass1" } });
    for (let t = 0; t < 20; t++) {
      const c = run.history.innerProduct[1][t];
      const scale = Math.abs(c) + run.history.innerProduct[0][t];
      assert.ok(Math.abs(run.history.stepInnerProduct[t] - Math.max(0, c)) <= TOL.exact * scale);
    }
    assert.ok(Math.abs(run.history.J1.at(-1)! - pass1.history.J1.at(-1)!) > 1e-3);
  });
});

describe("the registry's other members in train", () => {
  test("pass^k with sampled gradients (passHatKUnbiased): deterministic per seed, k ≤ n checked", () => {
    const run = (seed: number) =>
      train({
        policy,
        theta0,
        steps: 10,
        lr: 0.5,
        objective: { kind: "passHatK", k: 4 },
        gradients: { kind: "sampled", n: 8, rng: createRng(seed) },
        record: { ks: [1] },
      }).history.J1;
    assert.deepEqual(run(5), run(5));
    assert.notDeepEqual(run(5), run(6));
    assert.throws(
      () =>
        train({
          policy,
          theta0,
          steps: 1,
          lr: 0.5,
          objective: { kind: "passHatK", k: 9 },
          gradients: { kind: "sampled", n: 8, rng: createRng(1) },
        }),
      /train: the objective's k = 9 must be ≤ 8 for the passHatKUnbiased estimator/,
    );
  });

  test("a user's W needs exact gradients; a w that is not W' is rejected before any step", () => {
    const W = (p: number) => p * p;
    assert.throws(
      () =>
        train({
          policy,
          theta0,
          steps: 1,
          lr: 0.5,
          objective: { kind: "weighted", W },
          gradients: { kind: "sampled", n: 8, rng: createRng(1) },
        }),
      /train: objective "weighted" needs exact gradients/,
    );
    assert.throws(
      () =>
        train({
          policy,
          theta0,
          steps: 1,
          lr: 0.5,
          objective: { kind: "weighted", W, w: (p) => p },
        }),
      /train: objective.w must be W'/,
    );
  });
});

describe("sampled gradients", () => {
  const opts: TrainOptions = {
    policy,
    theta0,
    steps: 30,
    lr: 0.5,
    objective: { kind: "passK", k: 4 },
    record: { ks: [1, 4], every: 30 },
  };

  test("a sampled run is deterministic for a seed and differs between seeds", () => {
    const a = train({ ...opts, gradients: { kind: "sampled", n: 16, rng: createRng(7) } });
    const b = train({ ...opts, gradients: { kind: "sampled", n: 16, rng: createRng(7) } });
    const c = train({ ...opts, gradients: { kind: "sampled", n: 16, rng: createRng(8) } });
    assert.deepEqual(a.theta, b.theta);
    assert.notDeepEqual(a.theta, c.theta);
  });

  test("sampled PKPO ascent follows exact ascent: after 30 steps (n = 64) θ is within 0.05 of the exact run", () => {
    const sampled = train({ ...opts, gradients: { kind: "sampled", n: 64, rng: createRng(9) } });
    const exact = train(opts);
    assert.ok(maxAbsDiff(sampled.theta, exact.theta) < 0.05, `${sampled.theta} vs ${exact.theta}`);
  });

  test("every sampled objective runs (pass@1 with the LOO baseline, mixture, projected, annealed, each ∇J_k estimator)", () => {
    const gradients = { kind: "sampled" as const, n: 8, rng: createRng(10) };
    for (const objective of [
      { kind: "pass1" as const },
      { kind: "mixture" as const, k: 4, lambda: 0.5 },
      { kind: "projected" as const, k: 4 },
      { kind: "annealed" as const, kStart: 6 },
    ]) {
      const run = train({
        ...opts,
        steps: 3,
        objective,
        gradients: { ...gradients, pass1Estimator: "reinforceLeaveOneOut" },
      });
      assert.ok(run.theta.every(Number.isFinite));
    }
    for (const estimator of [
      "plugIn",
      "unbiasedWeight",
      "pkpo",
      "pkpoLooMinusOne",
      "passKTraining",
    ] as const) {
      assert.ok(
        train({ ...opts, steps: 3, gradients: { ...gradients, estimator } }).theta.every(
          Number.isFinite,
        ),
      );
    }
  });
});

describe("history and progress", () => {
  test("records are taken at steps 0, every, 2·every, … and the last step, with exact J and inner products", () => {
    const run = train({
      policy,
      theta0,
      steps: 7,
      lr: 0.5,
      objective: { kind: "passK", k: 2 },
      record: { ks: [1, 2], every: 3 },
    });
    const h = run.history;
    assert.deepEqual(h.step, [0, 3, 6, 7]);
    assert.equal(h.J1.length, 4);
    assert.ok(Number.isNaN(h.stepInnerProduct[3]) && Number.isNaN(h.k[3]));
    const last = conflictProfile(policy.population(run.theta), [1, 2]);
    assert.equal(h.innerProduct[1][3], last.innerProduct[1]);
    assert.ok(Math.abs(h.J1[3] - last.passAtK[0]) < TOL.roundoff);
    // pass@k ascent: the step's inner product with ∇J_1 is ⟨∇J_2, ∇J_1⟩
    assert.ok(Math.abs(h.stepInnerProduct[0] - h.innerProduct[1][0]) < TOL.roundoff);
    const rows = historyRows(h);
    assert.equal(rows.length, 4);
    assert.equal(rows[1]["J_k=2"], h.passAtK[1][1]);
  });

  test("onProgress is called once per step with (steps done, total)", () => {
    const calls: [number, number][] = [];
    train({
      policy,
      theta0,
      steps: 4,
      lr: 0.5,
      objective: { kind: "pass1" },
      onProgress: (i, n) => calls.push([i, n]),
    });
    assert.deepEqual(calls, [
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
  });

  test("steps = 0 records the starting point only", () => {
    const run = train({ policy, theta0, steps: 0, lr: 0.5, objective: { kind: "pass1" } });
    assert.deepEqual(run.history.step, [0]);
    assert.deepEqual(run.theta, theta0);
  });
});
