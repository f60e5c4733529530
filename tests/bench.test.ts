/**
 * Smoke tests for `npm run bench` (issue 8): each workload's timed function computes the right
 * thing on a tiny input, checked against references we did not write (exact rationals from
 * bench/numpy/make_fixtures.py, finite differences, a closed form coded here, seeded Monte Carlo
 * within 4 standard errors), and the harness prints the JSON line the issue specifies.
 * No timing assertions: speed is reported by the benchmark, not tested.
 */
import { TOL } from "../lib/core/tolerances";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeTriples, meanPassAtKEstimate } from "../bench/workloads/estimator";
import { agreementProfile, makeInterferingPopulation } from "../bench/workloads/agreement";
import { exactAscentStep, makeToy } from "../bench/workloads/toyStepExact";
import { workload as trainToy } from "../bench/workloads/trainToy";
import { makeSampledInputs, pkpoStep } from "../bench/workloads/sampledStep";
import { runAnalyze, writeSampleFile } from "../bench/workloads/analyze1e6";
import { runFigures } from "../bench/workloads/figures";
import { findChromium } from "../lib/export/render";
import { makeFixtureProject } from "./helpers/figureNotebooks";
import { collectRss, freshRssDir, RSS_PROBE } from "../bench/workloads/childRss";
import { median } from "../bench/workloads/types";
import type { Population } from "../lib/core/types";

const ROOT = path.join(__dirname, "..");
const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, "fixtures", "bench-smoke.json"), "utf8"),
);

function assertClose(actual: number, expected: number, relTol: number, what: string): void {
  const err = Math.abs(actual - expected);
  assert.ok(
    err <= relTol * Math.max(Math.abs(expected), 1e-300),
    `${what}: got ${actual}, expected ${expected} (|diff| ${err.toExponential(2)})`,
  );
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** J_k of the logistic toy straight from its definition: Σ D(x)[1 − (1 − p(x))^k], p = σ(±θᵀψ). */
function toyJk(
  features: Float64Array,
  reward: Uint8Array,
  mass: Float64Array,
  theta: ArrayLike<number>,
  k: number,
): number {
  let J = 0;
  for (let x = 0; x < mass.length; x++) {
    const z = theta[0] * features[2 * x] + theta[1] * features[2 * x + 1];
    const p = reward[2 * x + 1] === 1 ? sigmoid(z) : sigmoid(-z);
    J += mass[x] * (1 - (1 - p) ** k);
  }
  return J;
}

describe("estimator workload", () => {
  test("the mean of the pass@k estimator over all triples with n ≤ 12 equals the exact rational mean", () => {
    const t = fixture.estimator.triples as number[][];
    const triples = {
      n: Int32Array.from(t, (r) => r[0]),
      c: Int32Array.from(t, (r) => r[1]),
      k: Int32Array.from(t, (r) => r[2]),
    };
    assertClose(meanPassAtKEstimate(triples), fixture.estimator.mean, 1e-14, "mean");
  });

  test("generated triples follow the issue's distribution: n uniform on [1, 256], then c on [0, n], k on [1, n]", () => {
    const count = 20_000;
    const { n, c, k } = makeTriples(count, 256, 7);
    let sumN = 0;
    let sumCOverN = 0;
    for (let i = 0; i < count; i++) {
      assert.ok(
        n[i] >= 1 && n[i] <= 256 && c[i] >= 0 && c[i] <= n[i] && k[i] >= 1 && k[i] <= n[i],
        `triple ${i}`,
      );
      sumN += n[i];
      sumCOverN += c[i] / n[i];
    }
    // E[n] = 128.5, sd ≈ 73.9; E[c/n] = 1/2, sd ≤ 0.3: within 4 standard errors
    assert.ok(
      Math.abs(sumN / count - 128.5) < (4 * 73.9) / Math.sqrt(count),
      `mean n ${sumN / count}`,
    );
    assert.ok(
      Math.abs(sumCOverN / count - 0.5) < (4 * 0.3) / Math.sqrt(count),
      `mean c/n ${sumCOverN / count}`,
    );
    assert.deepEqual(
      makeTriples(100, 256, 7).n,
      makeTriples(100, 256, 7).n,
      "same seed, same inputs",
    );
  });
});

describe("agreement workload", () => {
  test("∇J_1, agreement scores and ⟨∇J_k,∇J_1⟩, ‖∇J_k‖, J_k for k = 1..5 equal exact rationals on a 3-prompt population", () => {
    const f = fixture.agreement;
    const pop: Population = {
      N: f.N,
      d: f.d,
      mass: Float64Array.from(f.mass),
      p: Float64Array.from(f.p),
      gradP: Float64Array.from(f.gradP),
    };
    const { g1, a, profile } = agreementProfile(pop, Float64Array.from(f.k));
    f.gradJ1.forEach((v: number, j: number) => assertClose(g1[j], v, 1e-14, `gradJ1[${j}]`));
    f.agreement.forEach((v: number, i: number) => assertClose(a[i], v, 1e-14, `a[${i}]`));
    f.k.forEach((k: number, s: number) => {
      assertClose(profile.innerProduct[s], f.innerProduct[s], 1e-13, `inner k=${k}`);
      assertClose(profile.normGradJk[s], Math.sqrt(f.normGradJkSq[s]), 1e-13, `norm k=${k}`);
      assertClose(profile.passAtK[s], f.passAtK[s], 1e-13, `J_k k=${k}`);
      const cos = f.innerProduct[s] / Math.sqrt(f.normGradJkSq[s] * f.normGradJkSq[0]);
      assertClose(profile.cosine[s], cos, 1e-13, `cosine k=${k}`);
    });
  });

  test("the benchmark population has unit-sum masses, p in (0, 1) and a sign change of ⟨∇J_k,∇J_1⟩ in k", () => {
    const pop = makeInterferingPopulation(2000, 8, 3);
    const total = pop.mass.reduce((s, m) => s + m, 0);
    assertClose(total, 1, TOL.exact, "Σ mass");
    assert.ok(pop.p.every((p) => p > 0 && p < 1));
    const { profile } = agreementProfile(
      pop,
      Float64Array.from({ length: 16 }, (_, s) => s + 1),
    );
    assert.ok(profile.innerProduct[0] > 0, "k = 1 never conflicts");
    assert.ok(
      profile.innerProduct.some((v) => v < 0),
      "some k conflicts",
    );
  });
});

describe("toy-step-exact workload", () => {
  test("one exact pass@4 step moves θ by lr × the central finite-difference gradient of J_4", () => {
    const toy = makeToy(300, 0.3, 1, 11, 4, 0.5);
    const { features, reward, mass } = toy.policy;
    const theta = Float64Array.from(toy.theta);
    const grad = exactAscentStep(toy.policy, theta, 4, 0.5);
    const h = 1e-5;
    for (let j = 0; j < 2; j++) {
      const plus = Float64Array.from(toy.theta);
      const minus = Float64Array.from(toy.theta);
      plus[j] += h;
      minus[j] -= h;
      const fd =
        (toyJk(features, reward, mass, plus, 4) - toyJk(features, reward, mass, minus, 4)) /
        (2 * h);
      assert.ok(
        Math.abs(grad[j] - fd) < 1e-8,
        `∂J_4/∂θ_${j}: ${grad[j]} vs finite difference ${fd}`,
      );
      assertClose(theta[j], toy.theta[j] + 0.5 * grad[j], TOL.roundoff, `θ⁺[${j}]`);
    }
  });

  test("the warm start gives J_1 ≈ 0.688 on our easy/hard toy (PAPER.md §6: ρ = 0.3, Δ = 1)", () => {
    const toy = makeToy(4000, 0.3, 1, 20260221, 4, 0.5);
    const J1 = toyJk(toy.policy.features, toy.policy.reward, toy.policy.mass, toy.theta, 1);
    assert.ok(Math.abs(J1 - 0.688) < 0.02, `J_1 = ${J1}`);
  });
});

describe("train-toy workload", () => {
  test("the recorded J_1 and J_4 match the toy's definition at the start and after three steps of the closed-form ascent", async () => {
    const inputs = await trainToy.setup({ ...trainToy.params, M: 200, steps: 3 }, 5);
    const { features, reward, mass } = inputs.policy;
    const s = trainToy.summary(await trainToy.run(inputs));
    // independent ascent: ∇J_4 = Σ D(x)·4(1 − p)^3·(±σ(z)σ(−z))ψ(x), coded here from PAPER.md §2
    // and §6
    const theta = Array.from(inputs.theta);
    for (let t = 0; t < 3; t++) {
      const g = [0, 0];
      for (let x = 0; x < mass.length; x++) {
        const z = theta[0] * features[2 * x] + theta[1] * features[2 * x + 1];
        const sign = reward[2 * x + 1] === 1 ? 1 : -1;
        const p = sigmoid(sign * z);
        const coef = mass[x] * 4 * (1 - p) ** 3 * sign * sigmoid(z) * sigmoid(-z);
        g[0] += coef * features[2 * x];
        g[1] += coef * features[2 * x + 1];
      }
      theta[0] += 0.5 * g[0];
      theta[1] += 0.5 * g[1];
    }
    assertClose(
      s.J1_start as number,
      toyJk(features, reward, mass, inputs.theta, 1),
      TOL.exact,
      "J_1 at start",
    );
    assertClose(
      s.Jk_start as number,
      toyJk(features, reward, mass, inputs.theta, 4),
      TOL.exact,
      "J_4 at start",
    );
    assertClose(s.theta0 as number, theta[0], TOL.exact, "θ_0 after 3 steps");
    assertClose(s.theta1 as number, theta[1], TOL.exact, "θ_1 after 3 steps");
    assertClose(
      s.Jk_end as number,
      toyJk(features, reward, mass, theta, 4),
      TOL.exact,
      "J_4 after 3 steps",
    );
    assert.ok((s.Jk_end as number) > (s.Jk_start as number), "pass@4 ascent raises J_4");
  });
});

describe("sampled-step workload", () => {
  test("the PKPO pass@4 gradient averaged over 400 seeded batches is within 4 standard errors of the exact ∇J_4", () => {
    const inputs = makeSampledInputs(6, 3, 2, 8, 4, 13);
    const R = 400;
    const d = 2;
    const sum = new Float64Array(d);
    const sumSq = new Float64Array(d);
    for (let r = 0; r < R; r++) {
      const g = pkpoStep({ ...inputs, sampleSeed: 1000 + r });
      for (let j = 0; j < d; j++) {
        sum[j] += g[j];
        sumSq[j] += g[j] * g[j];
      }
    }
    // exact ∇J_4 from the policy's definition: ∇p(x) = Σ_a π(a|x)(r(x,a) − p(x))φ(x,a), coded here
    const { features, reward, mass, K } = inputs.policy;
    const exact = new Float64Array(d);
    for (let x = 0; x < mass.length; x++) {
      const logits = Array.from(
        { length: K },
        (_, a) =>
          inputs.theta[0] * features[(x * K + a) * d] +
          inputs.theta[1] * features[(x * K + a) * d + 1],
      );
      const zMax = Math.max(...logits);
      const e = logits.map((z) => Math.exp(z - zMax));
      const tot = e.reduce((s, v) => s + v, 0);
      const pi = e.map((v) => v / tot);
      const p = pi.reduce((s, v, a) => s + v * reward[x * K + a], 0);
      for (let a = 0; a < K; a++) {
        const c = mass[x] * 4 * (1 - p) ** 3 * pi[a] * (reward[x * K + a] - p);
        for (let j = 0; j < d; j++) exact[j] += c * features[(x * K + a) * d + j];
      }
    }
    for (let j = 0; j < d; j++) {
      const mean = sum[j] / R;
      const se = Math.sqrt((sumSq[j] / R - mean * mean) / (R - 1));
      assert.ok(
        Math.abs(mean - exact[j]) < 4 * se,
        `component ${j}: mean ${mean}, exact ${exact[j]}, se ${se}`,
      );
      assertClose(inputs.exact[j], exact[j], TOL.exact, `workload's exact gradient [${j}]`);
    }
  });
});

describe("analyze-1e6 workload", () => {
  test("the generated JSONL has one line per sample with the score of the sampled action, and analyze --json reads it back (pass@1 = mean correct)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-test-"));
    try {
      const file = path.join(dir, "s.jsonl");
      const { lines } = writeSampleFile(file, 5, 6, 3, 2, 17);
      const rows = fs
        .readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.equal(rows.length, lines);
      assert.equal(rows.length, 30);
      let correct = 0;
      for (const r of rows) {
        assert.equal(typeof r.prompt, "string");
        assert.equal(typeof r.correct, "boolean");
        assert.equal(r.grad.length, 2);
        assert.ok(r.grad.every((v: number) => Number.isFinite(v)));
        correct += r.correct ? 1 : 0;
      }
      const out = await runAnalyze({
        file,
        lines,
        bytes: 0,
        args: ["--json", "--bootstrap", "0", "--k", "1,2"],
        peakRssMb: [],
        cpuMs: [],
      });
      assert.equal(out.prompts, 5);
      assert.equal(out.samples, 30);
      assertClose((out.passAtK as number[])[0], correct / 30, TOL.exact, "pass@1");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("figures workload", () => {
  const why =
    findChromium() === null
      ? "no Chromium (apt-get install -y chromium); browser.test.ts fails in CI without it"
      : undefined;
  test(
    "runs the export command on a notebooks folder and reads its summary line; every figure gets all four files",
    { skip: why },
    async () => {
      const root = makeFixtureProject();
      try {
        const outDir = path.join(root, "out");
        const inputs = {
          notebooksDir: path.join(root, "notebooks"),
          outDir,
          cache: false,
          peakRssMb: [],
          cpuMs: [],
          lines: [],
        };
        const run = await runFigures(inputs);
        assert.deepEqual([run.written, run.total], [3, 3]);
        assert.ok(run.browserStartSeconds > 0);
        assert.match(
          inputs.lines[0],
          /^figures: 3\/3 written .*\(browser start [\d.]+ s; plot [\d.]+, svg [\d.]+, png [\d.]+, pdf [\d.]+ s\)$/,
        );
        const ids = fs
          .readdirSync(outDir)
          .filter((f) => f.endsWith(".pdf"))
          .map((f) => f.slice(0, -4));
        assert.equal(ids.length, 3);
        for (const id of ids)
          for (const ext of ["html", "svg", "png"])
            assert.ok(fs.existsSync(path.join(outDir, `${id}.${ext}`)), `${id}.${ext}`);
        assert.equal(inputs.cpuMs.length, 1);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  );
});

describe("harness", () => {
  test("the RSS probe records a child process's peak RSS and CPU time (a 100 MB allocation shows up)", () => {
    const dir = freshRssDir();
    execFileSync(
      process.execPath,
      [
        "--require",
        RSS_PROBE,
        "-e",
        "const a = new Float64Array(12.5e6).fill(1); console.log(a[7]);",
      ],
      {
        env: { ...process.env, BENCH_RSS_DIR: dir },
      },
    );
    const records = collectRss(dir);
    assert.equal(records.length, 1);
    assert.ok(records[0].maxRssKb / 1024 > 100, `peak RSS ${records[0].maxRssKb / 1024} MB`);
    assert.ok(records[0].cpuMs > 0);
    assert.equal(fs.existsSync(dir), false, "collectRss removes the directory");
  });

  test("median of odd and even lists", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  test("npm run bench -- --only estimator prints the issue's JSON line fields and a table", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-out-"));
    try {
      const r = spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          "bench/run.ts",
          "--only",
          "estimator",
          "--param",
          "triples=2000",
          "--runs",
          "2",
          "--warmup",
          "0",
          "--out",
          path.join(out, "b.jsonl"),
        ],
        {
          cwd: ROOT,
          encoding: "utf8",
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const line = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("{"))!);
      for (const key of ["name", "params", "runs", "median_ms", "min_ms", "max_ms", "peak_rss_mb"])
        assert.ok(key in line, `missing ${key}`);
      assert.equal(line.name, "estimator");
      assert.equal(line.runs, 2);
      assert.equal(line.params.triples, 2000);
      assert.ok(line.min_ms <= line.median_ms && line.median_ms <= line.max_ms);
      assert.equal(line.deterministic, true);
      assert.match(r.stdout, /workload\s+runs\s+median ms/);
      assert.equal(
        fs.readFileSync(path.join(out, "b.jsonl"), "utf8").trim().split("\n").length,
        2,
        "machine line + one workload line",
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
