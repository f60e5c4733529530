/**
 * export: showing figures and tables in the kernel, rendering figures to files in Chromium, atomic
 * file writes. Imports plots. Folder imports are written `./x/index`: tslab resolves a directory
 * import only to a file.
 */
export * from "./display";
export * from "./render";
export * from "./renderCache";
export * from "./atomicFile";
