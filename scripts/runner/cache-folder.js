/**
 * The cache folders of lib's declaration views (lib-view.js) and of the kernels' startup snapshot
 * (kernel-snapshot.js): one build per folder, renamed into place when complete, dot-entries for
 * builds in progress and markers.
 */
// @ts-check
"use strict";
const fs = require("fs");
const path = require("path");

/**
 * Keeps the `count` newest builds in `cacheRoot` (`keep` among them); removes older ones and
 * dot-entries (interrupted builds, stale locks, failure markers) older than an hour.
 * @param {string} cacheRoot
 * @param {string} keep
 * @param {number} count
 */
function pruneCache(cacheRoot, keep, count) {
  /** @type {{ name: string; mtime: number }[]} */
  const builds = [];
  for (const name of fs.readdirSync(cacheRoot)) {
    let mtime;
    try {
      mtime = fs.statSync(path.join(cacheRoot, name)).mtimeMs;
    } catch {
      continue;
    }
    if (name.startsWith(".")) {
      if (Date.now() - mtime > 3600e3)
        fs.rmSync(path.join(cacheRoot, name), { recursive: true, force: true });
    } else if (name !== keep) builds.push({ name, mtime });
  }
  builds.sort((a, b) => b.mtime - a.mtime);
  for (const v of builds.slice(count - 1))
    fs.rmSync(path.join(cacheRoot, v.name), { recursive: true, force: true });
}

module.exports = { pruneCache };
