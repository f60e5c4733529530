/**
 * The entry of `node --build-snapshot` for the kernels' startup snapshot (kernel-snapshot.js
 * explains what it is for). It runs once per snapshot build, inside V8's snapshot builder, where
 * `require` loads only Node's built-in modules:
 *
 * 1. evaluates tslab's TypeScript (`@tslab/typescript-for-tslab`, one file) from its source, with
 *    one line added at the top of `createSourceFile`: a lookup in the table of already parsed
 *    files (`globalThis.__passkTakeParsed`, installed by kernel-snapshot.js `adopt` in a kernel);
 * 2. builds a program with the compiler options tslab's converter uses, rooted at an empty module
 *    and at the lib view's `index.d.ts`, so it reaches the declarations a kernel reads (the ES
 *    library files, every package under `@types`, and the packages lib's declarations import);
 * 3. keeps the declaration files under node_modules, parsed and bound (`ts.bindSourceFile`, the
 *    binder the checker would run), in `globalThis.__passkKernelSnapshot`; the program is dropped.
 *
 * The configuration comes in PASSK_SNAPSHOT_CONFIG (JSON: {tsFile, roots, typeRoots, manifest}).
 * The manifest (a JSON file: every kept file with its size and mtime) is written for the parent.
 */
// @ts-check
"use strict";
const fs = require("fs");
const path = require("path");

/** The first line of TypeScript 5.0's createSourceFile, where the lookup goes in. */
const ANCHOR =
  "function createSourceFile(fileName, sourceText, languageVersionOrOptions, setParentNodes = false, scriptKind) {";
const LOOKUP =
  "const __passkHit = globalThis.__passkTakeParsed && globalThis.__passkTakeParsed(" +
  "fileName, sourceText, languageVersionOrOptions, setParentNodes, scriptKind); " +
  "if (__passkHit !== undefined) return __passkHit;";

/**
 * TypeScript's node system memoizes `process.cwd()` on first use, which the build makes: a
 * snapshot would give every kernel the builder's folder as its current directory (and resolve
 * `./lib` there). The memo becomes one the build can forget before the heap is written.
 */
const CWD_ANCHOR = "const getCurrentDirectory = memoize(() => process.cwd());";
const CWD_FORGETTABLE =
  "let __passkCwd; const getCurrentDirectory = () => __passkCwd === undefined ? " +
  "(__passkCwd = process.cwd()) : __passkCwd; " +
  "globalThis.__passkForgetCwd = () => { __passkCwd = undefined; };";

/**
 * `source` with `anchor` replaced by `by`; throws unless the anchor occurs exactly once.
 * @param {string} source
 * @param {string} anchor
 * @param {string} by
 * @param {string} file
 */
function replaceOnce(source, anchor, by, file) {
  const at = source.indexOf(anchor);
  if (at < 0 || source.indexOf(anchor, at + 1) >= 0)
    throw new Error(`${file}: "${anchor.slice(0, 60)}…" not found exactly once`);
  return source.slice(0, at) + by + source.slice(at + anchor.length);
}

/** @typedef {typeof import("@tslab/typescript-for-tslab")} TS */

/**
 * @param {string} tsFile
 * @returns {TS}
 */
function loadPatchedTypeScript(tsFile) {
  const source = fs.readFileSync(tsFile, "utf8");
  const patched = replaceOnce(
    replaceOnce(source, ANCHOR, ANCHOR + LOOKUP, tsFile),
    CWD_ANCHOR,
    CWD_FORGETTABLE,
    tsFile,
  );
  // TypeScript requires modules lazily too (plugins, source-map-support): in a kernel, those go
  // through the kernel's own require (adopt sets __passkRequire); here only built-ins load.
  const g = /** @type {{ __passkRequire?: NodeJS.Require }} */ (
    /** @type {unknown} */ (globalThis)
  );
  const lazyRequire = (/** @type {string} */ id) => (g.__passkRequire ?? require)(id);
  /** @type {{ exports: any }} */
  const mod = { exports: {} };
  const wrapper = (0, eval)(
    `(function (exports, require, module, __filename, __dirname) {${patched}\n})\n//# sourceURL=${tsFile}`,
  );
  wrapper.call(mod.exports, mod.exports, lazyRequire, mod, tsFile, path.dirname(tsFile));
  return mod.exports;
}

function main() {
  /** @type {{ tsFile: string; roots: string[]; typeRoots: string[]; manifest: string }} */
  const config = JSON.parse(process.env.PASSK_SNAPSHOT_CONFIG ?? "");
  const ts = loadPatchedTypeScript(config.tsFile);
  // tslab 1.0.22's converter options (node_modules/tslab/dist/converter.js, createConverter):
  // the ones that decide how a declaration file is parsed and bound are the target (ES2022 on
  // Node ≥ 18), module resolution (node10: no implied module format) and jsx.
  /** @type {import("@tslab/typescript-for-tslab").CompilerOptions} */
  const options = {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    declaration: true,
    noImplicitUseStrict: true,
    experimentalDecorators: true,
    resolveJsonModule: true,
    jsx: ts.JsxEmit.React,
    typeRoots: config.typeRoots,
    allowJs: true,
    checkJs: true,
    skipLibCheck: true,
    noEmit: true,
  };
  const empty = path.join(path.dirname(config.manifest), "__empty__.ts");
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (file, ...rest) =>
    file === empty
      ? ts.createSourceFile(file, "export {};\n", rest[0])
      : getSourceFile.call(host, file, ...rest);
  const program = ts.createProgram([empty, ...config.roots], options, host);
  /** @type {Map<string, import("@tslab/typescript-for-tslab").SourceFile>} */
  const parsed = new Map();
  /** @type {{ file: string; size: number; mtimeMs: number }[]} */
  const files = [];
  for (const f of program.getSourceFiles()) {
    // Packages' declarations only: lib's own (the view, in node_modules/.cache) change with lib.
    const name = f.fileName;
    if (!f.isDeclarationFile || !name.includes("/node_modules/") || name.includes("/.cache/"))
      continue;
    /** @type {any} */ (ts).bindSourceFile(f, options);
    parsed.set(name, f);
    const st = fs.statSync(name);
    files.push({ file: name, size: st.size, mtimeMs: st.mtimeMs });
  }
  // What this build cost (the parent reports it to `npm run bench`, whose per-process probe
  // cannot run inside the snapshot builder).
  const usage = process.resourceUsage();
  const cost = {
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssKb: usage.maxRSS,
  };
  fs.writeFileSync(config.manifest, JSON.stringify({ tsFile: config.tsFile, cost, files }) + "\n");
  const g = /** @type {any} */ (globalThis);
  g.__passkKernelSnapshot = { ts, tsFile: config.tsFile, parsed };
  g.__passkForgetCwd();
  delete g.__passkForgetCwd;
}

main();
