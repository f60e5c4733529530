/**
 * The whole library, folder by folder, bottom up (ARCHITECTURE.md draws the map):
 * core ← theory ← sim ← diagnostic ← studies, with plots and export beside them.
 * Notebooks import from "./lib", scripts and tests from "../lib".
 *
 * Not re-exported: ./sim/neuralPolicy (loads tfjs, 1–2 s; import it by file) and
 * ./core/kernels (conflictProfile's block-update kernels; pick one with its `kernel` option).
 * Folder imports are written `./x/index`: tslab resolves a directory import only to a file.
 */
export * from "./core/index";
export * from "./theory/index";
export * from "./sim/index";
export * from "./diagnostic/index";
export * from "./studies/index";
export * from "./plots/index";
export * from "./export/index";
