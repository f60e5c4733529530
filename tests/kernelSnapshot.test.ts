/**
 * The kernels' startup snapshot (scripts/runner/kernel-snapshot.js, snapshot-entry.js): a V8 heap
 * in which tslab's TypeScript is loaded and the package declarations a kernel reads are parsed
 * and bound.
 *
 * - On an empty cache a kernel starts without it and one background build begins; a build that
 *   holds the lock stops a second one, a failed one stops retries for an hour; once built,
 *   kernels start with `--snapshot-blob`, and a runner kernel reports the files it took from it.
 * - It holds the ES library files, @types/node and Plotly's types (reached from lib's view), and
 *   nothing of lib itself.
 * - The oracle: tslab's converter on the snapshot gives the same diagnostics and the same emitted
 *   JavaScript as without it, for cells that hit lib's view, @types/node, the ES library and
 *   Plotly's types.
 * - A parsed file is handed out only for the same path, text and parse settings; a snapshot whose
 *   files changed on disk is dropped; PASSK_KERNEL_SNAPSHOT=off turns it off.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { spawnSync } from "node:child_process";
import * as ts from "@tslab/typescript-for-tslab";
import {
  ENV,
  findSnapshot,
  snapshotExecArgv,
  snapshotKey,
  snapshotProblem,
} from "../scripts/runner/kernel-snapshot";
import { takeParsed } from "../scripts/runner/snapshot-adopt";
import { killKernel, spawnKernel } from "../scripts/runner/kernel";

const ROOT = path.join(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "passk-snapshot-test-"));
const saved = process.env[ENV];
after(() => {
  if (saved === undefined) delete process.env[ENV];
  else process.env[ENV] = saved;
  fs.rmSync(tmp, { recursive: true, force: true });
});

const cache = path.join(tmp, "cache");
let blob = "";

async function waitFor<T>(what: string, get: () => T | undefined, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("kernel snapshot: building", () => {
  it("an empty cache: no --snapshot-blob, one background build; then kernels start on it", async () => {
    process.env[ENV] = cache;
    assert.equal(findSnapshot(), undefined);
    assert.deepEqual(snapshotExecArgv(), []);
    const lock = path.join(cache, `.lock-${snapshotKey()}`);
    assert.ok(fs.existsSync(lock), "the background build holds the lock");
    assert.deepEqual(snapshotExecArgv(), [], "still building");
    blob = await waitFor("the background build", findSnapshot, 120e3);
    assert.equal(path.dirname(path.dirname(blob)), cache);
    assert.deepEqual(snapshotExecArgv(), ["--snapshot-blob", blob]);
    await waitFor("the lock to go", () => (fs.existsSync(lock) ? undefined : true), 10e3);
    assert.deepEqual(
      fs.readdirSync(cache).filter((n) => n.startsWith(".")),
      [],
      "no lock or build folder left",
    );
  });

  it("a fresh lock held by another build starts no second build", async () => {
    const other = path.join(tmp, "locked");
    process.env[ENV] = other;
    try {
      fs.mkdirSync(other, { recursive: true });
      fs.writeFileSync(path.join(other, `.lock-${snapshotKey()}`), "12345");
      assert.deepEqual(snapshotExecArgv(), []);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(fs.readdirSync(other), [`.lock-${snapshotKey()}`]);
    } finally {
      process.env[ENV] = cache;
    }
  });

  it("a build that failed is not retried for an hour, and says why", () => {
    const other = path.join(tmp, "failed");
    process.env[ENV] = other;
    try {
      fs.mkdirSync(other, { recursive: true });
      const marker = `.failed-${snapshotKey()}`;
      fs.writeFileSync(path.join(other, marker), "kernel snapshot: node --build-snapshot failed\n");
      assert.equal(snapshotProblem(), "kernel snapshot: node --build-snapshot failed");
      assert.deepEqual(snapshotExecArgv(), []);
      assert.deepEqual(fs.readdirSync(other), [marker], "no lock: no build started");
    } finally {
      process.env[ENV] = cache;
    }
  });

  it("holds the ES library, @types/node and Plotly's types, and nothing of lib", () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(path.dirname(blob), "manifest.json"), "utf8"),
    ) as { files: { file: string }[] };
    const rel = manifest.files.map((f) => path.relative(ROOT, f.file));
    for (const want of [
      "node_modules/@tslab/typescript-for-tslab/lib/lib.es5.d.ts",
      "node_modules/@tslab/typescript-for-tslab/lib/lib.es2022.d.ts",
      "node_modules/@types/node/fs.d.ts",
      "node_modules/plotly.js-dist/lib/index.d.ts",
    ])
      assert.ok(rel.includes(want), `${want} in the snapshot`);
    assert.deepEqual(
      rel.filter((f) => !f.startsWith("node_modules/") || f.includes("/.cache/")),
      [],
    );
  });

  it("under a V8 flag in NODE_OPTIONS, which the snapshot refuses, kernels start without it", async () => {
    const other = path.join(tmp, "flags");
    fs.cpSync(cache, other, { recursive: true });
    const savedOptions = process.env.NODE_OPTIONS;
    process.env[ENV] = other;
    process.env.NODE_OPTIONS = `${savedOptions ?? ""} --max-old-space-size=3000`.trim();
    try {
      // Node itself refuses it (the oracle for what loadsHere checks)
      const r = spawnSync(process.execPath, ["--snapshot-blob", blob, "-e", ""], {
        encoding: "utf8",
      });
      assert.notEqual(r.status, 0);
      assert.equal(findSnapshot(), undefined);
      assert.deepEqual(snapshotExecArgv(), []);
      const dir = path.join(other, snapshotKey());
      assert.ok(fs.readdirSync(dir).some((n) => n.startsWith(".refused-")));
      const nb = path.join(tmp, "flags-nb");
      fs.mkdirSync(nb, { recursive: true });
      const kernel = spawnKernel(path.join(nb, "a.ipynb"), {});
      try {
        assert.equal(kernel.child.spawnargs.includes("--snapshot-blob"), false);
        await kernel.ready;
        assert.equal(kernel.snapshotHits, undefined);
      } finally {
        killKernel(kernel);
      }
    } finally {
      if (savedOptions === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = savedOptions;
      process.env[ENV] = cache;
    }
  });

  it("a runner kernel starts on it and takes the declarations parsed", async () => {
    const dir = path.join(tmp, "kernel");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "a.ipynb");
    const kernel = spawnKernel(file, {});
    try {
      assert.ok(kernel.child.spawnargs.includes("--snapshot-blob"));
      await kernel.ready;
      const hits = kernel.snapshotHits;
      assert.ok(hits !== undefined && hits > 20, `hits ${hits}`);
    } finally {
      killKernel(kernel);
    }
  });
});

describe("kernel snapshot: the same types as without it", () => {
  it("tslab's converter gives the same diagnostics and JavaScript on the snapshot as without", () => {
    const dir = path.join(ROOT, "notebooks"); // beside lib/, as the notebooks are
    const probe = path.join(__dirname, "helpers", "snapshotProbe.js");
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [...args, probe], { cwd: dir, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as {
        adopted: boolean;
        stats: { hits: number; misses: number };
        tsCwd: string;
        results: { output: string; diagnostics: { code: number }[] }[];
      };
    };
    const plain = run([]);
    const snap = run(["--snapshot-blob", blob]);
    assert.equal(plain.adopted, false);
    assert.equal(snap.adopted, true);
    // the kernel's folder, not the one the snapshot was built in (this test's, ROOT)
    assert.equal(snap.tsCwd, dir);
    assert.equal(plain.tsCwd, dir);
    assert.ok(snap.stats.hits > 100, `hits ${snap.stats.hits}`);
    assert.deepEqual(snap.results, plain.results);
    // the probe's cells do fail where they should (else the comparison would be empty)
    assert.deepEqual(
      plain.results.map((r) => r.diagnostics.map((d) => d.code)),
      [[2322], [2554], [2345, 2345], [2322], []],
    );
  });
});

describe("kernel snapshot: when it is not used", () => {
  const parse = (text: string) =>
    ts.createSourceFile("/x/a.d.ts", text, { languageVersion: ts.ScriptTarget.ES2022 });

  it("a parsed file is handed out once, only for the same path, text and parse settings", () => {
    const f = parse("declare const a: number;\n");
    const take = takeParsed(new Map([["/x/a.d.ts", f]]));
    const es2022 = { languageVersion: ts.ScriptTarget.ES2022 };
    assert.equal(take("/x/b.d.ts", f.text, es2022, false, undefined), undefined);
    assert.equal(
      take("/x/a.d.ts", "declare const a: string;\n", es2022, false, undefined),
      undefined,
    );
    assert.equal(
      take("/x/a.d.ts", f.text, { languageVersion: ts.ScriptTarget.ES2020 }, false, undefined),
      undefined,
    );
    assert.equal(take("/x/a.d.ts", f.text, es2022, true, undefined), undefined);
    assert.equal(take("/x/a.d.ts", f.text, es2022, false, ts.ScriptKind.JS), undefined);
    assert.equal(
      take(
        "/x/a.d.ts",
        f.text,
        { ...es2022, impliedNodeFormat: ts.ModuleKind.ESNext },
        false,
        undefined,
      ),
      undefined,
    );
    // the same path, text and settings: handed out, once (a second program parses its own)
    assert.equal(take("/x/a.d.ts", f.text, ts.ScriptTarget.ES2022, false, undefined), f);
    assert.equal(take("/x/a.d.ts", f.text, es2022, false, undefined), undefined);
  });

  it("a file that would be a module under the caller's settings is parsed again", () => {
    const f = parse("declare const a: number;\n");
    const take = takeParsed(new Map([["/x/a.d.ts", f]]));
    const force = (file: ts.SourceFile) => {
      (file as unknown as { externalModuleIndicator: unknown }).externalModuleIndicator = true;
    };
    const how = { languageVersion: ts.ScriptTarget.ES2022, setExternalModuleIndicator: force };
    assert.equal(take("/x/a.d.ts", f.text, how, false, undefined), undefined);
    assert.equal(
      (f as unknown as { externalModuleIndicator: unknown }).externalModuleIndicator,
      undefined,
      "the cached file is left as it was",
    );
  });

  it("a snapshot whose files changed is dropped; none with PASSK_KERNEL_SNAPSHOT=off or TSC_WATCHFILE", () => {
    const copy = path.join(tmp, "copy");
    fs.cpSync(cache, copy, { recursive: true });
    process.env[ENV] = copy;
    try {
      const dir = path.join(copy, snapshotKey());
      assert.equal(findSnapshot(), path.join(dir, "snapshot.blob"));
      const manifestFile = path.join(dir, "manifest.json");
      const m = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as {
        files: { mtimeMs: number }[];
      };
      m.files[3].mtimeMs -= 1000; // as if that file had been replaced since the build
      fs.writeFileSync(manifestFile, JSON.stringify(m));
      process.env[ENV] = path.join(tmp, "copy2"); // forget the one found valid above
      fs.cpSync(copy, path.join(tmp, "copy2"), { recursive: true });
      assert.equal(findSnapshot(), undefined);
      assert.equal(fs.existsSync(path.join(tmp, "copy2", snapshotKey())), false, "removed");
      process.env[ENV] = "off";
      assert.equal(findSnapshot(), undefined);
      assert.deepEqual(snapshotExecArgv(), []);
      // TypeScript reads TSC_WATCHFILE once when it loads: on the snapshot it would be ignored
      process.env[ENV] = cache;
      assert.equal(findSnapshot(), blob);
      process.env.TSC_WATCHFILE = "PriorityPollingInterval";
      assert.equal(findSnapshot(), undefined);
      delete process.env.TSC_WATCHFILE;
    } finally {
      process.env[ENV] = cache;
    }
  });
});
