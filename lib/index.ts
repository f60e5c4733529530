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
export * from "./rng";
export * from "./populations";
export * from "./policies";
export * from "./sampledGradients";
export * from "./training";
export * from "./stepDiagnostics";
export * from "./estimatorStudy";
export * from "./samplingStudy";
export * from "./thresholdStudy";
export * from "./analysis";
export * from "./dataio";
// Not re-exported, by design: ./display and ./render (notebook/export adapters, not maths),
// ./neuralPolicy (loads tfjs, ~1–2 s; import it directly), ./plots/* (figure builders),
// ./kernels/* (conflictProfile's block-update kernels; pick one with its `kernel` option).
