/**
 * studies: the notebook-level experiments that combine theory, sim and diagnostic.
 * Folder imports are written `./x/index`: tslab resolves a directory import only to a file.
 */
export * from "./estimatorStudy";
export * from "./samplingStudy";
export * from "./thresholdStudy";
export * from "./dynamicsStudy";
export * from "./neuralLayerStudy";
export * from "./neuralTrainingStudy";
export * from "./clusteredStudy";
