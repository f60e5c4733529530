/**
 * sim: simulated prompt populations, policies with shared parameters, sampled gradients, training.
 * Imports theory and core. The tfjs stand-in (./neuralPolicy) is not re-exported: it loads tfjs
 * (1–2 s); import it by file. Folder imports are written `./x/index`: tslab resolves a directory
 * import only to a file.
 */
export * from "./populations";
export * from "./difficulty";
export * from "./policies";
export * from "./sampledGradients";
export * from "./crossFit";
export * from "./history";
export * from "./training";
export * from "./toy";
export * from "./clustered";
export * from "./logisticGradient";
