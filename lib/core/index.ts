/**
 * core: input checks, shared types, the seeded RNG, the sample record. Imports nothing from lib/.
 * Folder imports are written `./x/index`: tslab resolves a directory import only to a file.
 */
export * from "./validate";
export * from "./types";
export * from "./rng";
export * from "./samples";
export * from "./stats";
export * from "./tolerances";
