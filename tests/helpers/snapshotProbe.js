// Run by tests/kernelSnapshot.test.ts as `node [--snapshot-blob BLOB] snapshotProbe.js` with its
// working directory in a folder beside the checkout's lib (as a runner kernel is started): what
// tslab's converter makes of a few cells there, lib seen through its declaration view, with or
// without the kernels' snapshot.
// Prints one JSON line: whether the snapshot was adopted, its hit counts, the folder TypeScript
// takes as current, and per cell the diagnostics and the emitted JavaScript.
"use strict";
const path = require("path");
const snapshot = require("../../scripts/runner/snapshot-adopt");
const adopted = snapshot.adopt();
const { ensureDeclarations, useDeclarationView } = require("../../scripts/runner/lib-view");
const libDir = path.resolve(__dirname, "..", "..", "lib");
useDeclarationView({ libDir, declDir: ensureDeclarations(libDir).declDir });
const { createConverter } = require("tslab/dist/converter");
const conv = createConverter({ isJS: false, isBrowser: false });
const cells = [
  // lib, through its view: a number is not a string
  'import { passAtKEstimate } from "./lib";\nconst a: string = passAtKEstimate(10, 3, 2);',
  // @types/node: wrong arity and argument types
  'import * as fs from "fs";\nfs.readFileSync(1, 2, 3);\nconst b: Buffer = Buffer.from("x");',
  // the ES2022 library files
  'const m = new Map<string, number>();\nm.set(1, 2);\n[1, 2].at("x");\nObject.hasOwn({}, 1);',
  // Plotly's types (reached from lib's declarations)
  'import type { Layout } from "plotly.js-dist";\nconst l: Partial<Layout> = { width: "wide" };',
  // no error: emitted code only
  'const c = Buffer.from("xyz").length + [3, 1, 2].at(-1)!;\nconsole.log(c);',
];
const results = cells.map((src) => {
  const r = conv.convert("", src);
  return {
    output: r.output,
    diagnostics: r.diagnostics.map((d) => ({
      start: d.start,
      length: d.length,
      code: d.code,
      category: d.category,
      message: d.messageText,
    })),
  };
});
conv.close();
const tsCwd = require("@tslab/typescript-for-tslab").sys.getCurrentDirectory();
process.stdout.write(JSON.stringify({ adopted, stats: snapshot.stats, tsCwd, results }) + "\n");
process.exit(0);
