/**
 * theory: the paper's mathematics [P] and our derivations around it [D] (pass@k, estimators,
 * reweighting, interference, threshold k*, smoothness, mitigations, symbolic and high-precision
 * references). Imports core only. Folder
 * imports are written `./x/index`: tslab resolves a directory import only to a file.
 */
export * from "./passAtK";
export * from "./estimators";
export * from "./highPrecision";
export * from "./interference";
export * from "./threshold";
export * from "./smoothness";
export * from "./mitigations";
export * from "./objectives";
export * from "./family";
export * from "./passHatK";
export * from "./symbolic";
