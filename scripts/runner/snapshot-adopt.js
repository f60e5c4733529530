/**
 * A kernel's side of the startup snapshot (kernel-snapshot.js says what it is and how it is
 * built): {@link adopt} makes the snapshot's TypeScript the module tslab requires and installs
 * {@link takeParsed}, the table TypeScript's createSourceFile consults first (snapshot-entry.js
 * adds that call). A parsed file is handed out only for the same path and text, parsed the same
 * way (language version, module format, script kind, module indicator), and once per process.
 *
 * Plain JavaScript (checked by tsc through JSDoc) so a kernel loads it without a TS loader; it
 * loads nothing the kernel would not (no child_process, no crypto).
 */
// @ts-check
"use strict";
const path = require("path");
const Module = require("module");

/** The TypeScript file tslab's converter requires (the one the snapshot must stand for). */
function tslabTypeScriptFile() {
  const converter = require.resolve("tslab/dist/converter");
  return Module.createRequire(converter).resolve("@tslab/typescript-for-tslab");
}

/**
 * @typedef {import("@tslab/typescript-for-tslab").SourceFile} SourceFile
 * @typedef {{ hits: number; misses: number; adopted: boolean }} SnapshotStats
 */

/** @type {SnapshotStats} */
const stats = { hits: 0, misses: 0, adopted: false };

/**
 * In a kernel started with `--snapshot-blob`: makes the snapshot's TypeScript the module tslab
 * requires and installs the table of parsed files. Call before anything requires TypeScript.
 * Returns whether the snapshot is in use (false: not started on one, or another TypeScript).
 * @returns {boolean}
 */
function adopt() {
  const g = /** @type {any} */ (globalThis);
  /** @type {{ ts: unknown; tsFile: string; parsed: Map<string, SourceFile> } | undefined} */
  const snap = g.__passkKernelSnapshot;
  if (snap === undefined) return false;
  delete g.__passkKernelSnapshot;
  const tsFile = tslabTypeScriptFile();
  if (tsFile !== snap.tsFile || require.cache[tsFile] !== undefined) return false;
  g.__passkRequire = require;
  const m = new Module(tsFile, /** @type {any} */ (module));
  m.filename = tsFile;
  m.paths = /** @type {any} */ (Module)._nodeModulePaths(path.dirname(tsFile));
  m.exports = snap.ts;
  m.loaded = true;
  require.cache[tsFile] = m;
  g.__passkTakeParsed = takeParsed(snap.parsed);
  stats.adopted = true;
  return true;
}

/**
 * The lookup TypeScript's createSourceFile makes first (snapshot-entry.js adds the call): the
 * parsed file for the same path and text, parsed the same way, handed out once; undefined (parse
 * as usual) otherwise.
 * @param {Map<string, SourceFile>} parsed
 */
function takeParsed(parsed) {
  /**
   * @param {string} fileName
   * @param {string} text
   * @param {unknown} how a ScriptTarget or CreateSourceFileOptions
   * @param {boolean | undefined} setParentNodes
   * @param {number | undefined} scriptKind
   * @returns {SourceFile | undefined}
   */
  return (fileName, text, how, setParentNodes, scriptKind) => {
    const f = parsed.get(fileName);
    if (f === undefined) return undefined;
    /**
     * @type {{ languageVersion?: number; impliedNodeFormat?: number;
     *   setExternalModuleIndicator?: (f: SourceFile) => void }}
     */
    const o = typeof how === "object" && how !== null ? how : { languageVersion: Number(how) };
    const same =
      f.text === text &&
      !setParentNodes &&
      o.languageVersion === f.languageVersion &&
      o.impliedNodeFormat === f.impliedNodeFormat &&
      (scriptKind === undefined || scriptKind === /** @type {any} */ (f).scriptKind);
    if (same && o.setExternalModuleIndicator) {
      // The indicator decides whether the file is a module; it was bound with the one it has.
      const file = /** @type {SourceFile & { externalModuleIndicator?: unknown }} */ (f);
      const before = file.externalModuleIndicator;
      o.setExternalModuleIndicator(f);
      if (file.externalModuleIndicator !== before) {
        file.externalModuleIndicator = before;
        stats.misses++;
        return undefined;
      }
    }
    if (!same) {
      stats.misses++;
      return undefined;
    }
    // Once per process: a second program (tslab's browser converter) parses its own copy, as it
    // would without the snapshot, rather than sharing this one's module resolutions.
    parsed.delete(fileName);
    stats.hits++;
    return f;
  };
}

module.exports = { adopt, stats, takeParsed, tslabTypeScriptFile };
