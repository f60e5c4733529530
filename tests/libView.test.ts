/**
 * The declaration view of lib/ (scripts/runner/lib-view.js), which the runner's kernels and the
 * Jupyter launcher (scripts/tslab-kernel.js) type-check cells against instead of lib's sources.
 *
 * - lib/ itself builds the fast way (every export typed: isolatedDeclarations); an untyped export
 *   added by a reader fails here first, naming the place.
 * - On a small fixture lib, the fast emit equals the checked emit of tslab's own TypeScript
 *   (the oracle: what tslab would infer from the sources), file for file.
 * - The cache: reused while lib is unchanged, rebuilt after an edit, never half-written, off with
 *   PASSK_LIB_VIEW_CACHE=off; an untyped export falls back to the checked build and says where.
 * - Through a real kernel: a cell's type error against the view is still reported, and lib runs.
 * - The Jupyter launcher: applies the view beside lib/ only, and through jupyter_client (Debian's
 *   python3-jupyter-client, which .ci/run installs) runs notebook 00's first cell and reports a
 *   cell's type error.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { spawnSync } from "node:child_process";
import { runNotebooks } from "../scripts/runner/run";
import { applyLibView, configPathOf } from "../scripts/tslab-kernel";
import { writeKernelspec } from "../bench/workloads/firstCellJupyter";
import {
  emitChecked,
  emitIsolated,
  ensureDeclarations,
  libSources,
} from "../scripts/runner/lib-view";

const ROOT = path.join(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "passk-libview-test-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A small lib exercising what declarations carry: defaults, consts, classes, re-exports. */
const FIXTURE: Record<string, string> = {
  "index.ts": [
    'export { weight, type Weighted, Counter } from "./core/weights";',
    'export * from "./core/consts";',
    "",
  ].join("\n"),
  "core/weights.ts": [
    "/** w_k(p) = k(1−p)^{k−1}. */",
    "export function weight(p: number, k: number = 2): number {",
    "  return k * Math.pow(1 - p, k - 1);",
    "}",
    "export interface Weighted { p: number; w: number }",
    "export class Counter {",
    "  private n = 0;",
    "  readonly label: string;",
    "  constructor(label: string) { this.label = label; }",
    "  add(by: number = 1): this { this.n += by; return this; }",
    "  get count(): number { return this.n; }",
    "}",
    "",
  ].join("\n"),
  "core/consts.ts": [
    "export const K_MAX = 64;",
    'export const NAME = "pass@k";',
    "export const GRID: readonly number[] = [1, 2, 4];",
    "export const ROLES = { one: 1, two: 2 } as const;",
    "export type Role = keyof typeof ROLES;",
    "export enum Kind { A = 1, B = 2 }",
    "",
  ].join("\n"),
};

function writeLib(dir: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return fs.realpathSync(dir);
}

/** Every .d.ts under dir, relative path → text without `/// <reference …>` lines. */
function readDecls(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith(".d.ts"))
        out.set(
          r,
          fs
            .readFileSync(path.join(dir, r), "utf8")
            .split("\n")
            .filter((l) => !l.startsWith("/// <reference"))
            .join("\n"),
        );
    }
  };
  walk("");
  return out;
}

describe("lib view: building", () => {
  it("lib/ builds the fast way: every export has an explicit type", () => {
    const libDir = fs.realpathSync(path.join(ROOT, "lib"));
    const files = libSources(libDir);
    assert.ok(files.length > 50, `${files.length} lib files`);
    const out = path.join(tmp, "real");
    const r = emitIsolated(libDir, files, out);
    assert.equal(r.problem, undefined, `an export needs a type: ${r.problem}`);
    assert.equal(r.written, files.length);
    assert.ok(fs.existsSync(path.join(out, "theory", "passAtK.d.ts")));
  });

  it("on a fixture lib, the fast emit equals tslab's checked emit, file for file", () => {
    const libDir = writeLib(path.join(tmp, "fixture"), FIXTURE);
    const fast = path.join(tmp, "fixture-fast");
    const checked = path.join(tmp, "fixture-checked");
    assert.equal(emitIsolated(libDir, libSources(libDir), fast).problem, undefined);
    emitChecked(libDir, checked);
    const a = readDecls(fast);
    const b = readDecls(checked);
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
    for (const [file, text] of b) assert.equal(a.get(file), text, file);
    assert.match(
      a.get("core/weights.d.ts")!,
      /export declare function weight\(p: number, k\?: number\): number;/,
    );
  });

  it("an untyped export: the fast build names file:line, the checked build takes over", () => {
    const libDir = writeLib(path.join(tmp, "untyped"), {
      ...FIXTURE,
      "core/consts.ts": FIXTURE["core/consts.ts"] + "export const SCALE = Math.sqrt(2);\n",
    });
    const fast = emitIsolated(libDir, libSources(libDir), path.join(tmp, "untyped-fast"));
    assert.match(fast.problem ?? "", /^untyped\/core\/consts\.ts:7:14: .*explicit type annotation/);
    assert.equal(fs.existsSync(path.join(tmp, "untyped-fast")), false, "nothing half-written");
    const ensured = ensureDeclarations(libDir, { cacheRoot: path.join(tmp, "untyped-cache") });
    assert.equal(ensured.method, "checked");
    assert.equal(ensured.problem, fast.problem);
    const decl = fs.readFileSync(path.join(ensured.declDir, "core", "consts.d.ts"), "utf8");
    assert.match(decl, /export declare const SCALE: number;/);
  });
});

describe("lib view: the cache", () => {
  it("reused while lib is unchanged, a new view after an edit, old views pruned to four", () => {
    const libDir = writeLib(path.join(tmp, "cached"), FIXTURE);
    const cacheRoot = path.join(tmp, "cache");
    const first = ensureDeclarations(libDir, { cacheRoot });
    assert.deepEqual([first.cached, first.temporary, first.method], [false, false, "isolated"]);
    const again = ensureDeclarations(libDir, { cacheRoot });
    assert.deepEqual([again.cached, again.declDir], [true, first.declDir]);
    const seen = new Set([first.declDir]);
    for (let i = 0; i < 5; i++) {
      fs.appendFileSync(
        path.join(libDir, "core", "consts.ts"),
        `export const E${i}: number = ${i};\n`,
      );
      const edited = ensureDeclarations(libDir, { cacheRoot });
      assert.equal(edited.cached, false);
      assert.ok(!seen.has(edited.declDir), "an edit gives a new view");
      seen.add(edited.declDir);
      assert.match(
        fs.readFileSync(path.join(edited.declDir, "core", "consts.d.ts"), "utf8"),
        new RegExp(`export declare const E${i}: number;`),
      );
    }
    const left = fs.readdirSync(cacheRoot);
    assert.equal(left.length, 4, left.join(", "));
    assert.ok(left.every((n) => fs.existsSync(path.join(cacheRoot, n, ".complete.json"))));
  });

  it("a cached view whose marker is gone is built again, not used", () => {
    const libDir = writeLib(path.join(tmp, "damaged"), FIXTURE);
    const cacheRoot = path.join(tmp, "damaged-cache");
    const first = ensureDeclarations(libDir, { cacheRoot });
    fs.rmSync(path.join(first.declDir, ".complete.json"));
    fs.rmSync(path.join(first.declDir, "core", "consts.d.ts"));
    const again = ensureDeclarations(libDir, { cacheRoot });
    assert.deepEqual([again.cached, again.declDir], [false, first.declDir]);
    assert.ok(fs.existsSync(path.join(again.declDir, "core", "consts.d.ts")));
    assert.ok(fs.existsSync(path.join(again.declDir, ".complete.json")));
  });

  it("PASSK_LIB_VIEW_CACHE=off builds a temporary view and leaves the cache alone", () => {
    const libDir = writeLib(path.join(tmp, "off"), FIXTURE);
    const cacheRoot = path.join(tmp, "off-cache");
    const saved = process.env.PASSK_LIB_VIEW_CACHE;
    process.env.PASSK_LIB_VIEW_CACHE = "off";
    try {
      const v = ensureDeclarations(libDir, { cacheRoot });
      assert.deepEqual([v.temporary, v.cached], [true, false]);
      assert.ok(
        v.declDir.startsWith(fs.realpathSync(os.tmpdir())) || v.declDir.startsWith(os.tmpdir()),
      );
      assert.equal(fs.existsSync(cacheRoot), false);
      fs.rmSync(v.declDir, { recursive: true, force: true });
    } finally {
      if (saved === undefined) delete process.env.PASSK_LIB_VIEW_CACHE;
      else process.env.PASSK_LIB_VIEW_CACHE = saved;
    }
  });
});

describe("lib view: in a kernel", () => {
  it("a cell's type error against lib is reported; lib's code runs from its sources", async () => {
    const dir = path.join(tmp, "kernel");
    writeLib(path.join(dir, "lib"), FIXTURE);
    const cell = (source: string) => ({
      cell_type: "code",
      execution_count: null,
      metadata: {},
      outputs: [],
      source,
    });
    const nb = (cells: unknown[]) =>
      JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 });
    const good = path.join(dir, "good.ipynb");
    const bad = path.join(dir, "bad.ipynb");
    fs.writeFileSync(
      good,
      nb([cell('import { weight, K_MAX } from "./lib";\nconsole.log(weight(0.5, 3), K_MAX);')]),
    );
    fs.writeFileSync(
      bad,
      nb([cell('import { weight } from "./lib";\nconst s: string = weight(0.5);')]),
    );
    const saved = process.env.PASSK_LIB_VIEW_CACHE;
    process.env.PASSK_LIB_VIEW_CACHE = path.join(tmp, "kernel-cache");
    try {
      const [g, b] = await runNotebooks({
        notebooks: [good, bad],
        write: true,
        png: false,
        log: () => {},
      });
      assert.equal(g.status, "ok", g.failure?.message);
      const written = JSON.parse(fs.readFileSync(good, "utf8")) as {
        cells: { outputs: { text?: string | string[] }[] }[];
      };
      const text = written.cells[0].outputs.map((o) => [o.text ?? ""].flat().join("")).join("");
      assert.equal(text.trim(), "0.75 64"); // w_3(0.5) = 3·0.25, from the lib's own code
      assert.equal(b.status, "error");
      assert.match(
        b.failure?.message ?? "",
        /TypeScriptError: .*Type 'number' is not assignable to type 'string'/,
      );
      // the view was used: built into the cache named above
      assert.equal(fs.readdirSync(path.join(tmp, "kernel-cache")).length, 1);
    } finally {
      if (saved === undefined) delete process.env.PASSK_LIB_VIEW_CACHE;
      else process.env.PASSK_LIB_VIEW_CACHE = saved;
    }
  });
});

describe("the Jupyter launcher (scripts/tslab-kernel.js)", () => {
  it("reads --config-path in both spellings", () => {
    assert.equal(configPathOf(["kernel", "--config-path", "/c.json"]), "/c.json");
    assert.equal(configPathOf(["kernel", "--config-path=/d.json", "--js"]), "/d.json");
    assert.equal(configPathOf(["kernel"]), undefined);
  });

  it("applies the view only beside a lib/ (built, then cached), and not with PASSK_LIB_VIEW=0", () => {
    const dir = path.join(tmp, "launcher");
    writeLib(path.join(dir, "lib"), FIXTURE);
    fs.mkdirSync(path.join(dir, "elsewhere"));
    assert.match(applyLibView(path.join(dir, "elsewhere")), /no lib\/ here: plain tslab/);
    assert.match(applyLibView(dir), /^lib view of lib: built \(isolated\) in \d+ ms$/);
    assert.match(applyLibView(dir), /^lib view of lib: cached in \d+ ms$/);
    const saved = process.env.PASSK_LIB_VIEW;
    process.env.PASSK_LIB_VIEW = "0";
    try {
      assert.match(applyLibView(dir), /lib view off/);
    } finally {
      if (saved === undefined) delete process.env.PASSK_LIB_VIEW;
      else process.env.PASSK_LIB_VIEW = saved;
    }
  });

  const python = "/usr/bin/python3";
  const hasJupyter =
    spawnSync(python, ["-c", "import jupyter_client"], { stdio: "ignore" }).status === 0;
  it(
    "in Jupyter: notebook 00's first cell runs against the view; a type error is reported",
    {
      skip: hasJupyter
        ? false
        : "needs /usr/bin/python3 with jupyter_client (apt-get install python3-jupyter-client)",
    },
    () => {
      const jupyterPath = path.join(tmp, "jupyter");
      writeKernelspec(jupyterPath, path.join(ROOT, "scripts", "tslab-kernel.js"));
      const firstCell = (notebook: string) =>
        spawnSync(python, [path.join(ROOT, "bench", "jupyter", "first_cell.py"), notebook], {
          env: { ...process.env, JUPYTER_PATH: jupyterPath },
          encoding: "utf8",
          timeout: 180_000,
        });
      const good = firstCell(path.join(ROOT, "notebooks", "00-environment.ipynb"));
      assert.equal(good.status, 0, good.stdout + good.stderr);
      assert.equal(JSON.parse(good.stdout.trim()).status, "ok");
      assert.match(good.stderr, /tslab-kernel: lib view of \.\.\/lib: (cached|built \(isolated\))/);

      const dir = path.join(tmp, "jupyter-nb");
      fs.mkdirSync(dir);
      fs.symlinkSync(path.join(ROOT, "lib"), path.join(dir, "lib"));
      const bad = path.join(dir, "bad.ipynb");
      const source = 'import { passAtK } from "./lib";\nconst s: string = passAtK(0.5, 2);';
      fs.writeFileSync(
        bad,
        JSON.stringify({
          cells: [{ cell_type: "code", metadata: {}, outputs: [], source, execution_count: null }],
          metadata: {},
          nbformat: 4,
          nbformat_minor: 5,
        }),
      );
      const r = firstCell(bad);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(
        JSON.parse(r.stdout.trim()).status,
        /Type 'number' is not assignable to type 'string'/,
      );
    },
  );
});
