/**
 * Public entry point: everything in lib/, re-exported. Notebooks import from "./lib".
 * Keep this a plain list of `export * from "./module"` lines.
 */
export * from "./validate";
export * from "./types";
export * from "./figure";
export * from "./passAtK";
export * from "./estimators";
export * from "./exact";
export * from "./interference";
export * from "./threshold";
export * from "./smoothness";
export * from "./mitigations";
export * from "./symbolic";
