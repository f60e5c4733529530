/**
 * The Python exporter (exporters/python, issue 18) under `npm test`: its unittest suite, and end
 * to end tiny model → sampled completions → toy verifier → sketched last-layer scores → JSONL →
 * `scripts/analyze.ts --json` → inner products vs k.
 *
 * Needs Debian's PyTorch for /usr/bin/python3 (`apt-get install -y python3-torch`). Without it the
 * suite FAILS when CI=true and is skipped locally, with a message saying so.
 */
import { TOL } from "../lib/core/tolerances";
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const PYTHON = "/usr/bin/python3";
const ROOT = path.join(__dirname, "..");
const PKG = path.join(ROOT, "exporters", "python");
const inCI = /^(1|true)$/i.test(process.env.CI ?? "");

function run(cmd: string, args: string[], cwd = ROOT) {
  return spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20 });
}

const probe = run(PYTHON, ["-c", "import torch; print(torch.__version__)"]);
const torchMissing =
  probe.error !== undefined || probe.status !== 0
    ? `${PYTHON} cannot import torch (apt-get install -y python3-torch)`
    : null;

if (torchMissing !== null) {
  if (inCI) {
    test("PyTorch is installed for the exporter tests in CI", () =>
      assert.fail(`${torchMissing}; .ci/run must install it`));
  } else {
    test(`exporter tests skipped: ${torchMissing}`, { skip: torchMissing }, () => undefined);
  }
} else {
  describe(`Python exporter (torch ${probe.stdout.trim()})`, () => {
    let dir = "";
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-exporter-"));
    });
    after(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test("unittest suite passes", () => {
      const r = run(PYTHON, ["-m", "unittest", "discover", "-s", "tests", "-v"], PKG);
      assert.equal(
        r.status,
        0,
        `python unittest failed (status ${r.status}):\n${r.stderr}\n${r.stdout}`,
      );
      const ran = /Ran (\d+) tests?/.exec(r.stderr);
      assert.ok(
        ran !== null && Number(ran[1]) >= 20,
        `expected at least 20 Python tests:\n${r.stderr}`,
      );
    });

    test("tiny model → sample → sketch → analyze --json gives inner products vs k", () => {
      const out = path.join(dir, "tiny.jsonl");
      const py = run(PYTHON, [
        path.join(PKG, "tests", "e2e_tiny.py"),
        out,
        "--prompts",
        "20",
        "--samples",
        "16",
        "--r1",
        "8",
        "--r2",
        "8",
      ]);
      assert.equal(py.status, 0, `e2e_tiny.py failed:\n${py.stderr}`);
      const sidecar = JSON.parse(fs.readFileSync(`${out}.sketch.json`, "utf8"));
      assert.equal(sidecar.format, "passk-sketch/1");
      assert.equal(sidecar.r1 * sidecar.r2, 64);
      assert.equal(sidecar.samples, 320);

      const an = run(process.execPath, [
        "--import",
        "tsx",
        path.join("scripts", "analyze.ts"),
        out,
        "--k",
        "1,2,4",
        "--json",
        "--bootstrap",
        "50",
      ]);
      assert.equal(an.status, 0, `analyze failed:\n${an.stderr}`);
      const r = JSON.parse(an.stdout);
      assert.equal(r.prompts, 20);
      assert.equal(r.samples, 320);
      assert.equal(r.d, 64);
      assert.equal(r.gradients, true);
      assert.deepEqual(r.k, [1, 2, 4]);
      assert.equal(r.innerProduct.length, 3);
      for (const v of r.innerProduct)
        assert.ok(typeof v === "number" && Number.isFinite(v), `inner product ${v}`);
      assert.equal(r.cosine.length, 3);
      // at k = 1 the inner product is the cross-fitted ‖∇J_1‖², positive for a mixed sample
      assert.ok(
        Math.abs(r.innerProduct[0] - r.gradJ1NormSq) <= TOL.exact * Math.abs(r.gradJ1NormSq),
      );
      assert.ok(r.gradJ1NormSq > 0);
      assert.ok(
        r.passAtK[0] > 0 && r.passAtK[0] < 1,
        `pass@1 ${r.passAtK[0]}: the toy verifier must give mixed outcomes`,
      );
      assert.ok(r.passAtK[2] > r.passAtK[0]);
      // analyze read the sidecar: the sketch and the projection's error bound per k
      assert.deepEqual([r.sketch.r1 * r.sketch.r2, r.sketch.dimension], [64, 64]);
      assert.equal(r.sketch.projection, sidecar.projection);
      assert.equal(r.innerProductProjectionSd.length, 3);
      for (const s of r.innerProductProjectionSd) assert.ok(typeof s === "number" && s > 0);
    });
  });
}
