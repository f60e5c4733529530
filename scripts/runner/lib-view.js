/**
 * The runner's declaration view of lib/ (issue 17: the first cell in ≤ 2 s).
 *
 * tslab type-checks and emits every TypeScript file a cell imports: a notebook's
 * `import … from "./lib"` costs each kernel ≈ 10 s of CPU (parse ≈ 85 lib files, semantic
 * diagnostics of all of them, emit of all of them). The runner instead builds the declarations
 * of lib/ once per run ({@link buildDeclarations}, in a child process of its own) and each kernel
 * shows its type checker those `.d.ts` files in place of the sources
 * ({@link installDeclarationView}): the cell is type-checked against the same types (errors in a
 * reader's cell are still reported), tslab emits no lib file, and lib runs from its sources
 * through tsx's require hook (esbuild). What Jupyter users get is unchanged (real tslab reads the
 * sources); type errors inside lib itself are `npm run typecheck`'s to report, not the runner's.
 *
 * Plain JavaScript (checked by tsc through JSDoc) so the kernel loads it without a TS loader.
 */
// @ts-check
"use strict";
const fs = require("fs");
const path = require("path");

/** @typedef {typeof import("@tslab/typescript-for-tslab")} TS */

/**
 * Writes the declarations of `<libDir>/index.ts` and of every lib file it reaches under `outDir`,
 * mirroring lib's layout (a notebook folder's lib.ts, the one-line shim, stays a source: tslab
 * compiles it in no time and it then imports the declarations). Compiled with tslab's own
 * TypeScript and the options tslab compiles cells with (not strict), so the types a cell sees are
 * the ones tslab would infer from the sources.
 * @param {string} libDir
 * @param {string} outDir
 * @returns {number} the number of declaration files written
 */
function buildDeclarations(libDir, outDir) {
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
 * Makes tslab's compiler see `X.d.ts` (from `declDir`) instead of `X.ts` for every file whose
 * declaration was built: `X.ts` stops existing for it, `X.d.ts` starts. Files without a built
 * declaration (outside `libDir`, or not reached from its index.ts) are left as they are.
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

module.exports = { buildDeclarations, installDeclarationView };

if (require.main === module) {
  // `node lib-view.js LIB_DIR OUT_DIR`: the runner builds the declarations in this child.
  const [libDir, outDir] = process.argv.slice(2);
  const n = buildDeclarations(libDir, outDir);
  process.stdout.write(`${n}\n`);
}
