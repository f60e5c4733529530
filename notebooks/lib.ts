// Lets a notebook write `import { ... } from "./lib"`: tslab resolves an import to a file, never to
// a folder's index, so this file stands in for ./lib/index.ts (./lib is a symlink to ../lib).
export * from "./lib/index";
