/**
 * diagnostic: the paper's conflict diagnostic from a model's samples — read a file (read.ts),
 * estimate (estimate.ts, pooling.ts), resample (bootstrap.ts: `diagnose`), report (report.ts).
 * Imports theory and core. Folder imports are written `./x/index`: tslab resolves a directory
 * import only to a file.
 */
export * from "./read";
export * from "./types";
export { Diagnostic } from "./estimate";
export { passHatKPromptEstimate } from "./pooling";
export * from "./bootstrap";
export * from "./report";
export * from "./sketch";
export * from "./readTable";
export * from "./counts";
export * from "./compare";
