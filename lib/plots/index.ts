/**
 * plots: pure figure builders (data in, Plotly figure out) and the one style applied at
 * display/export time. Imports core and theory only. Folder imports are written `./x/index`: tslab
 * resolves a directory import only to a file.
 */
export * from "./figure";
export * from "./style";
export * from "./format";
export * from "./environment";
export * from "./estimator";
export * from "./reweighting";
export * from "./interference";
export * from "./threshold";
export * from "./dynamics";
export * from "./sampling";
export * from "./mitigations";
export * from "./diagnostic";
export * from "./family";
export * from "./realData";
export * from "./neural";
export * from "./clustered";
