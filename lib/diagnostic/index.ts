/**
 * diagnostic: the paper's conflict diagnostic from a model's samples — read a file, estimate,
 * report. Imports theory and core. Folder imports are written `./x/index`: tslab resolves a
 * directory import only to a file.
 */
export * from "./read";
export * from "./estimate";
export * from "./readTable";
export * from "./counts";
export * from "./compare";
