/**
 * The declaration view of lib/ (issue 17: the first cell in ≤ 2 s), used by the headless runner's
 * kernels and by the Jupyter kernel launcher (scripts/tslab-kernel).
 *
 * tslab type-checks and emits every TypeScript file a cell imports: a notebook's
 * `import … from "./lib"` costs each kernel ≈ 10 s of CPU (parse ≈ 100 lib files, semantic
 * diagnostics of all of them, emit of all of them). Instead, the declarations of lib/ are built
 * once ({@link ensureDeclarations}: cached by lib's content) and each kernel shows its type
 * checker those `.d.ts` files in place of the sources ({@link installDeclarationView}): a cell is
 * type-checked against the same types (errors in a reader's cell are still reported), tslab
 * emits no lib file, and lib runs from its sources through tsx's require hook (esbuild). Type
 * errors inside lib itself are `npm run typecheck`'s to report, not the kernels'.
 *
 * Building: every export in lib/ has an explicit type (TypeScript's `isolatedDeclarations`), so
 * the declarations are emitted file by file without a type check ({@link emitIsolated}, ≈ 1 s of
 * CPU for ≈ 100 files). If a file breaks that rule (a reader added an export without a type),
 * the view is built the slow way ({@link emitChecked}: a checked emit with tslab's TypeScript,
 * ≈ 5–7 s) and the first offending place is reported, so the notebook still runs.
 *
 * Plain JavaScript (checked by tsc through JSDoc) so a kernel loads it without a TS loader.
 */
// @ts-check
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { pruneCache } = require("./cache-folder");

/** @typedef {typeof import("@tslab/typescript-for-tslab")} TS */

/** Bump when what a build writes changes, so cached views of the old kind are not reused. */
const VIEW_FORMAT = 2;
/** Cached views kept per cache folder (the newest); older ones are removed. */
const KEEP_VIEWS = 4;
/**
 * "off": build into a temporary folder the caller removes (cold measurements); a folder path:
 * cache there instead of `node_modules/.cache/passk-lib-view` beside lib/.
 */
const CACHE_ENV = "PASSK_LIB_VIEW_CACHE";
/** Marks a finished build: a folder without it is an interrupted one. */
const COMPLETE = ".complete.json";

/**
 * Every TypeScript source under `libDir` (not `.d.ts`), as sorted paths relative to it.
 * @param {string} libDir
 * @returns {string[]}
 */
function libSources(libDir) {
  /** @type {string[]} */
  const out = [];
  /** @param {string} rel */
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(libDir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== "node_modules" && !e.name.startsWith(".")) walk(r);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(r);
    }
  };
  walk("");
  return out.sort();
}

/**
 * The cache key of a view: the format, both TypeScript versions, and every source's path and
 * content (so any edit to lib/ builds a new view).
 * @param {string} libDir
 * @param {string[]} files from {@link libSources}
 */
function viewKey(libDir, files) {
  const h = crypto.createHash("sha256");
  h.update(`format ${VIEW_FORMAT}\0`);
  h.update(`ts ${require("typescript/package.json").version}\0`);
  h.update(`tslab-ts ${require("@tslab/typescript-for-tslab/package.json").version}\0`);
  for (const rel of files) {
    h.update(rel);
    h.update("\0");
    h.update(fs.readFileSync(path.join(libDir, rel)));
    h.update("\0");
  }
  return h.digest("hex").slice(0, 20);
}

/**
 * Emits the declaration of every file in `files` into `outDir` (mirroring lib's layout) without
 * a type check: TypeScript ≥ 5.5's isolated-declarations emit, which needs every export typed.
 * @param {string} libDir
 * @param {string[]} files from {@link libSources}
 * @param {string} outDir
 * @returns {{ written: number; problem?: string }} `problem`: the first place that needs a type
 *   (nothing usable was written then)
 */
function emitIsolated(libDir, files, outDir) {
  /** @type {typeof import("typescript")} */
  const ts = require("typescript");
  const program = ts.createProgram(
    files.map((f) => path.join(libDir, f)),
    {
      noCheck: true,
      isolatedDeclarations: true,
      declaration: true,
      emitDeclarationOnly: true,
      noLib: true,
      noResolve: true,
      types: [],
      target: ts.ScriptTarget.ES2020,
      module: ts.ModuleKind.ESNext,
      skipLibCheck: true,
      rootDir: libDir,
      outDir,
    },
  );
  /** @type {[string, string][]} */
  const outputs = [];
  const result = program.emit(undefined, (file, data) => outputs.push([file, data]));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...result.diagnostics,
  ];
  if (diagnostics.length > 0) {
    const d = diagnostics[0];
    const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (!d.file || d.start === undefined) return { written: 0, problem: text };
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const where = path.relative(path.dirname(libDir), d.file.fileName);
    return { written: 0, problem: `${where}:${line + 1}:${character + 1}: ${text}` };
  }
  for (const [file, data] of outputs) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
  }
  return { written: outputs.length };
}

/**
 * The slow way: declarations of `<libDir>/index.ts` and every lib file it reaches, from a
 * type-checked program with tslab's own TypeScript and the options tslab compiles cells with
 * (not strict), so the types a cell sees are the ones tslab would infer from the sources.
 * @param {string} libDir
 * @param {string} outDir
 * @returns {number} the number of declaration files written
 */
function emitChecked(libDir, outDir) {
  /** @type {TS} */
  const ts = require("@tslab/typescript-for-tslab");
  const program = ts.createProgram([path.join(libDir, "index.ts")], {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.NodeJs,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2020,
    lib: ["lib.es2020.d.ts"],
    types: ["node"],
    declaration: true,
    emitDeclarationOnly: true,
    resolveJsonModule: true,
    experimentalDecorators: true,
    skipLibCheck: true,
    rootDir: libDir,
    outDir,
  });
  let written = 0;
  program.emit(undefined, (file, data) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
    written++;
  });
  return written;
}

/**
 * @typedef {object} BuildResult
 * @property {number} written declaration files written
 * @property {"isolated" | "checked"} method how they were built
 * @property {string} [problem] why the fast build could not be used (file:line:col: message)
 */

/**
 * Builds the declarations of lib/ into `outDir`: the fast way, else the slow way.
 * @param {string} libDir
 * @param {string} outDir
 * @param {string[]} [files] from {@link libSources}
 * @returns {BuildResult}
 */
function buildDeclarations(libDir, outDir, files = libSources(libDir)) {
  const fast = emitIsolated(libDir, files, outDir);
  if (fast.problem === undefined) return { written: fast.written, method: "isolated" };
  return { written: emitChecked(libDir, outDir), method: "checked", problem: fast.problem };
}

/**
 * @typedef {object} EnsuredView
 * @property {string} declDir where the declarations are
 * @property {boolean} temporary the caller removes `declDir` when done (cache off or unusable)
 * @property {boolean} cached found in the cache, nothing built
 * @property {"isolated" | "checked"} method
 * @property {string} [problem] see {@link BuildResult}
 */

/**
 * Where views of `libDir` are cached unless PASSK_LIB_VIEW_CACHE names another folder.
 * @param {string} libDir
 */
function defaultCacheRoot(libDir) {
  return path.join(path.dirname(libDir), "node_modules", ".cache", "passk-lib-view");
}

/**
 * The declarations of `libDir`'s current content: from the cache (`node_modules/.cache/
 * passk-lib-view/<key>` beside lib/, or the folder PASSK_LIB_VIEW_CACHE names) if there, else
 * built there (into a temporary folder renamed into place, so a concurrent or interrupted build
 * never leaves a half view). With PASSK_LIB_VIEW_CACHE=off, or when the cache folder cannot be
 * written, the view is built into a temporary folder the caller removes.
 * @param {string} libDir the real path of lib/
 * @param {{ cacheRoot?: string }} [opts]
 * @returns {EnsuredView}
 */
function ensureDeclarations(libDir, opts = {}) {
  const files = libSources(libDir);
  const setting = process.env[CACHE_ENV] ?? "";
  const useCache = setting !== "off";
  const cacheRoot =
    opts.cacheRoot ??
    (setting && setting !== "off" && setting !== "on"
      ? path.resolve(setting)
      : defaultCacheRoot(libDir));
  const key = viewKey(libDir, files);
  const dir = path.join(cacheRoot, key);
  if (useCache) {
    try {
      const done = JSON.parse(fs.readFileSync(path.join(dir, COMPLETE), "utf8"));
      const now = new Date();
      fs.utimesSync(dir, now, now); // recently used: pruned last
      return { declDir: dir, temporary: false, cached: true, method: done.method, ...done.info };
    } catch {
      // not built yet (or an unreadable marker: build again)
    }
  }
  let parent = os.tmpdir();
  let temporary = true;
  if (useCache) {
    try {
      fs.mkdirSync(cacheRoot, { recursive: true });
      parent = cacheRoot;
      temporary = false;
    } catch {
      // read-only checkout: a temporary view
    }
  }
  const tmp = fs.mkdtempSync(path.join(parent, temporary ? "passk-lib-decls-" : `.${key}-`));
  try {
    const built = buildDeclarations(libDir, tmp, files);
    const info = built.problem === undefined ? {} : { problem: built.problem };
    fs.writeFileSync(path.join(tmp, COMPLETE), JSON.stringify({ method: built.method, info }));
    if (temporary) return { declDir: tmp, temporary, cached: false, method: built.method, ...info };
    try {
      fs.renameSync(tmp, dir);
    } catch {
      if (fs.existsSync(path.join(dir, COMPLETE))) {
        // another process finished the same view first: use it
        fs.rmSync(tmp, { recursive: true, force: true });
      } else {
        // a folder without the marker is not a view (damaged by hand): replace it
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(tmp, dir);
      }
    }
    pruneCache(cacheRoot, key, KEEP_VIEWS);
    return { declDir: dir, temporary: false, cached: false, method: built.method, ...info };
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Makes tslab's compiler see `X.d.ts` (from `declDir`) instead of `X.ts` for every file whose
 * declaration was built: `X.ts` stops existing for it, `X.d.ts` starts. Files without a built
 * declaration (outside `libDir`) are left as they are.
 * Patches `ts.sys`, which tslab's compiler host delegates to; call before the first convert.
 * @param {TS} ts
 * @param {{ libDir: string; declDir: string }} view
 */
function installDeclarationView(ts, view) {
  const libDir = fs.realpathSync(view.libDir);
  /** @type {Map<string, string | null>} a directory → its realpath (null: none) */
  const realDirs = new Map();
  /** @param {string} dir */
  const realDir = (dir) => {
    let r = realDirs.get(dir);
    if (r === undefined) {
      try {
        r = fs.realpathSync(dir);
      } catch {
        r = null;
      }
      realDirs.set(dir, r);
    }
    return r;
  };
  /**
   * The built declaration standing for `file` (a `.ts` source or its `.d.ts` twin), if any.
   * @param {string} file
   * @returns {string | undefined}
   */
  const declFor = (file) => {
    const stem = file.endsWith(".d.ts")
      ? file.slice(0, -5)
      : file.endsWith(".ts")
        ? file.slice(0, -3)
        : undefined;
    if (stem === undefined) return undefined;
    const dir = realDir(path.dirname(stem));
    if (dir === null) return undefined;
    const rel = path.relative(libDir, path.join(dir, path.basename(stem)));
    if (rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
    const decl = path.join(view.declDir, rel + ".d.ts");
    return fs.existsSync(decl) ? decl : undefined;
  };
  const sys = ts.sys;
  const { fileExists, readFile, realpath } = sys;
  sys.fileExists = (file) => {
    if (file.endsWith(".ts")) {
      const decl = declFor(file);
      if (decl !== undefined) return file.endsWith(".d.ts");
    }
    return fileExists.call(sys, file);
  };
  sys.readFile = (file, encoding) => {
    if (file.endsWith(".d.ts")) {
      const decl = declFor(file);
      if (decl !== undefined) return fs.readFileSync(decl, "utf8");
    }
    return readFile.call(sys, file, encoding);
  };
  if (realpath) {
    // The virtual .d.ts files have no real path; they are their own.
    sys.realpath = (file) =>
      file.endsWith(".d.ts") && declFor(file) !== undefined ? file : realpath.call(sys, file);
  }
}

/**
 * Puts a kernel on the view: tslab's TypeScript reads lib's declarations instead of its sources
 * (so tslab neither checks nor emits the library), and lib runs from its sources through tsx's
 * require hook. Used by the runner's kernels (kernel-child.js) and the Jupyter launcher.
 * @param {{ libDir: string; declDir: string }} view
 */
function useDeclarationView(view) {
  installDeclarationView(require("@tslab/typescript-for-tslab"), view);
  const tsxApi = "tsx/cjs/api"; // (node10 resolution in tsconfig does not read "exports")
  /** @type {{ register: () => unknown }} */ (require(tsxApi)).register();
}

/**
 * The real path of the `lib/` beside `dir` (a notebook's folder), if it has an index.ts.
 * @param {string} dir
 * @returns {string | undefined}
 */
function libBesideDir(dir) {
  try {
    const lib = fs.realpathSync(path.join(dir, "lib"));
    return fs.existsSync(path.join(lib, "index.ts")) ? lib : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the view is turned off (PASSK_LIB_VIEW=0: kernels compile lib, as plain tslab). */
function viewDisabled() {
  return process.env.PASSK_LIB_VIEW === "0";
}

module.exports = {
  CACHE_ENV,
  buildDeclarations,
  defaultCacheRoot,
  emitChecked,
  emitIsolated,
  ensureDeclarations,
  installDeclarationView,
  libBesideDir,
  libSources,
  useDeclarationView,
  viewDisabled,
};

if (require.main === module) {
  // `node lib-view.js LIB_DIR`: the runner ensures the view in this child; one JSON line out.
  const [libDir] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(ensureDeclarations(libDir)) + "\n");
}
