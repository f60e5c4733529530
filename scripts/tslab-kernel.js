#!/usr/bin/env node
/**
 * tslab for Jupyter with the declaration view of lib/ (issue 17: the first cell in ≤ 2 s).
 *
 * Install it as the kernel of the "tslab" kernelspec (README, "Opening the notebooks"):
 *   npx tslab install --python=/usr/bin/python3 --binary="$PWD/scripts/tslab-kernel.js"
 * Jupyter then starts `tslab-kernel.js kernel --config-path FILE` in the notebook's folder. When
 * that folder has a `lib/` with an index.ts (notebooks/lib → ../lib), the kernel's type checker
 * reads lib's declarations (scripts/runner/lib-view.js: cached by lib's content, ≈ 1 s to build
 * after an edit) instead of compiling the whole library, and lib runs from its sources through
 * tsx — what the headless runner does. Anywhere else, with `--js`, or with PASSK_LIB_VIEW=0, it is
 * plain tslab. Restart the kernel after editing lib/ (as with any Jupyter kernel).
 */
// @ts-check
"use strict";
const path = require("path");

/**
 * The value of `--config-path` (`--config-path=F` or `--config-path F`), if given.
 * @param {string[]} args
 * @returns {string | undefined}
 */
function configPathOf(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--config-path") return args[i + 1];
    if (args[i].startsWith("--config-path=")) return args[i].slice("--config-path=".length);
  }
  return undefined;
}

/**
 * Installs the view for the lib/ beside `cwd`, if any; returns what it did, for the kernel log.
 * @param {string} cwd
 * @returns {string}
 */
function applyLibView(cwd) {
  const view = require("./runner/lib-view");
  if (view.viewDisabled()) return "lib view off (PASSK_LIB_VIEW=0)";
  const libDir = view.libBesideDir(cwd);
  if (!libDir) return "no lib/ here: plain tslab";
  const t0 = performance.now();
  const ensured = view.ensureDeclarations(libDir);
  view.useDeclarationView({ libDir, declDir: ensured.declDir });
  const ms = Math.round(performance.now() - t0);
  const how = ensured.cached ? "cached" : `built (${ensured.method})`;
  const note = ensured.problem ? `; note: ${ensured.problem} (give that export a type)` : "";
  return `lib view of ${path.relative(cwd, libDir) || libDir}: ${how} in ${ms} ms${note}`;
}

function main() {
  const args = process.argv.slice(2);
  const tslab = require("tslab/dist/main");
  if (args[0] !== "kernel" || args.includes("--js")) return tslab.main();
  let line;
  try {
    line = applyLibView(process.cwd());
  } catch (e) {
    // Never worse than plain tslab: without the view, tslab compiles lib from its sources.
    line = `lib view not applied (${/** @type {Error} */ (e).message}): plain tslab`;
  }
  process.stderr.write(`tslab-kernel: ${line}\n`);
  tslab.startKernel({ configPath: configPathOf(args) ?? "", enableFindLocal: false });
}

module.exports = { applyLibView, configPathOf };

if (require.main === module) main();
