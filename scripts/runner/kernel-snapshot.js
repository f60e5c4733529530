/**
 * The kernels' startup snapshot (issue 17: `npm test` and `npm start` start ≈ 50 kernels).
 *
 * Before its first cell, every kernel loads tslab's TypeScript (≈ 0.15 s) and parses and binds the
 * same ≈ 4 MB of package declarations (the ES library files, @types/node, Plotly's types: ≈ 0.8 s
 * of CPU). A V8 startup snapshot (`node --build-snapshot`) keeps a heap in which that is done:
 * a kernel started with `--snapshot-blob` deserializes it (≈ 0.15 s) and its TypeScript finds the
 * parsed files in a table instead of parsing them again.
 *
 * - Built ({@link build}, ≈ 3 s) in a detached background process the first time a kernel starts
 *   without one ({@link snapshotExecArgv}); kernels started meanwhile run as before.
 * - Cached in `node_modules/.cache/passk-kernel-snapshot/<key>`: the key covers the snapshot's
 *   format, Node (version, binary, arch), tslab's TypeScript (path, size, mtime), the builder
 *   (snapshot-entry.js) and package-lock.json; a snapshot is used only while every file it holds
 *   is unchanged on disk (size and mtime, from its manifest). Folders are renamed into place when
 *   complete.
 * - In a kernel (snapshot-adopt.js): the snapshot's TypeScript becomes the module tslab requires,
 *   and a parsed file is handed out only for the same path and the same text, parsed the same way;
 *   anything else is parsed as before. A kernel on the snapshot type-checks exactly as one
 *   without it (tests/kernelSnapshot.test.ts compares them).
 * - What the snapshot's TypeScript took from the builder process is undone or avoided: its memo of
 *   the current directory is cleared before the heap is written (snapshot-entry.js), and kernels
 *   whose environment sets a variable TypeScript reads once at load ({@link READ_AT_LOAD}) start
 *   without the snapshot. (`ts.sys.args` is the builder's; tslab does not read it.)
 * - A snapshot only loads under the V8 flags it was built with: before its first use under some
 *   NODE_OPTIONS, a throwaway `node --snapshot-blob` checks that it loads ({@link loadsHere});
 *   where it does not (a reader's `--max-old-space-size`), kernels start without it.
 * - PASSK_KERNEL_SNAPSHOT=off (or 0) turns it off; a folder path caches there instead.
 *
 * This file is the runner's side (find, check, build); plain JavaScript checked through JSDoc.
 */
// @ts-check
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { spawn, spawnSync } = require("child_process");
const { pruneCache } = require("./cache-folder");
const { tslabTypeScriptFile } = require("./snapshot-adopt");

/** Bump when what a build holds changes, so snapshots of the old kind are not reused. */
const FORMAT = 1;
const ENV = "PASSK_KERNEL_SNAPSHOT";
const COMPLETE = ".complete.json";
const BLOB = "snapshot.blob";
const MANIFEST = "manifest.json";
/** Snapshots kept per cache folder (the newest); ≈ 50 MB each. */
const KEEP = 2;
/** A build lock older than this is a dead builder's (a build takes ≈ 3–6 s). */
const LOCK_STALE_MS = 120e3;
const ROOT = path.resolve(__dirname, "..", "..");

/**
 * What tslab's TypeScript reads from the environment once, when it loads (its node system): in
 * a snapshot those are the builder's, which runs with them unset. A kernel whose environment sets
 * one starts without the snapshot, so it gets what it asked for.
 */
const READ_AT_LOAD = [
  "TSC_WATCHFILE",
  "TSC_NONPOLLING_WATCHER",
  "TSC_WATCHDIRECTORY",
  "NODE_INSPECTOR_IPC",
  "VSCODE_INSPECTOR_OPTIONS",
];

function disabled() {
  const v = process.env[ENV];
  return v === "off" || v === "0" || READ_AT_LOAD.some((name) => process.env[name]);
}

function cacheRoot() {
  const v = process.env[ENV];
  return v && v !== "on" && !disabled()
    ? path.resolve(v)
    : path.join(ROOT, "node_modules", ".cache", "passk-kernel-snapshot");
}

/** @type {string | undefined} */
let key;

/** The cache key: what a snapshot depends on besides the files in its manifest (memoized). */
function snapshotKey() {
  return (key ??= computeKey());
}

function computeKey() {
  const tsFile = tslabTypeScriptFile();
  const st = fs.statSync(tsFile);
  const h = crypto.createHash("sha256");
  h.update(`format ${FORMAT}\0node ${process.version} ${process.execPath} ${process.arch}\0`);
  h.update(`ts ${tsFile} ${st.size} ${st.mtimeMs}\0`);
  h.update(fs.readFileSync(require.resolve("./snapshot-entry"))); // what the build runs
  try {
    h.update(fs.readFileSync(path.join(ROOT, "package-lock.json")));
  } catch {
    h.update("no lock");
  }
  return h.digest("hex").slice(0, 32);
}

/** @type {Map<string, string>} cache folder → the blob found valid there in this process */
const found = new Map();

/**
 * The path of a usable snapshot blob, or undefined. A snapshot whose manifest names a file that
 * changed (size or mtime) is removed.
 * @returns {string | undefined}
 */
function findSnapshot() {
  if (disabled()) return undefined;
  const root = cacheRoot();
  const known = found.get(root);
  if (known !== undefined && fs.existsSync(known)) return known;
  let dir;
  try {
    dir = path.join(root, snapshotKey());
    fs.accessSync(path.join(dir, COMPLETE));
  } catch {
    return undefined;
  }
  try {
    /** @type {{ files: { file: string; size: number; mtimeMs: number }[] }} */
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), "utf8"));
    for (const f of manifest.files) {
      const st = fs.statSync(f.file);
      if (st.size !== f.size || st.mtimeMs !== f.mtimeMs) throw new Error(`${f.file} changed`);
    }
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  const blob = path.join(dir, BLOB);
  if (!loadsHere(dir, blob)) return undefined;
  found.set(root, blob);
  return blob;
}

/**
 * Whether Node accepts `blob` with this process's NODE_OPTIONS. A snapshot records V8's flags:
 * started with any other (`--max-old-space-size`, `--stack-size`, …) Node refuses it and exits
 * (code 14), so every kernel would die before its first cell. Checked once per NODE_OPTIONS by
 * starting `node --snapshot-blob BLOB -e ""` (≈ 0.2 s); the answer is kept beside the blob.
 * @param {string} dir
 * @param {string} blob
 */
function loadsHere(dir, blob) {
  const options = process.env.NODE_OPTIONS ?? "";
  const tag = crypto.createHash("sha256").update(options).digest("hex").slice(0, 16);
  const ok = path.join(dir, `.loads-${tag}`);
  const no = path.join(dir, `.refused-${tag}`);
  if (fs.existsSync(ok)) return true;
  if (fs.existsSync(no)) return false;
  const r = spawnSync(process.execPath, ["--snapshot-blob", blob, "-e", ""], {
    env: process.env,
    encoding: "utf8",
    timeout: 60e3,
  });
  const loads = r.status === 0;
  try {
    fs.writeFileSync(loads ? ok : no, `NODE_OPTIONS=${options}\n${loads ? "" : r.stderr}`);
  } catch {
    // a read-only cache: checked again next time
  }
  return loads;
}

/**
 * The `execArgv` a kernel starts with: `--snapshot-blob BLOB` when a snapshot is usable, else
 * none, and then a background build starts (once per cache folder at a time) for later kernels.
 * @returns {string[]}
 */
function snapshotExecArgv() {
  if (disabled()) return [];
  const blob = findSnapshot();
  if (blob !== undefined) return ["--snapshot-blob", blob];
  startBackgroundBuild();
  return [];
}

/** Starts `node kernel-snapshot.js build` detached, unless a live build holds the lock. */
function startBackgroundBuild() {
  /** @type {string} */
  let lock;
  try {
    const root = cacheRoot();
    fs.mkdirSync(root, { recursive: true });
    lock = path.join(root, `.lock-${snapshotKey()}`);
    // A build that failed is not tried again for an hour (pruneCache then removes the marker).
    if (snapshotProblem() !== undefined) return;
    try {
      if (Date.now() - fs.statSync(lock).mtimeMs < LOCK_STALE_MS) return;
      fs.rmSync(lock, { force: true });
    } catch {
      // no lock
    }
    fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
  } catch {
    return; // another process took the lock first, or a read-only checkout: no snapshot
  }
  const child = spawn(process.execPath, [__filename, "build", "--lock", lock], {
    detached: true,
    stdio: "ignore",
    env: process.env,
  });
  child.on("error", () => fs.rmSync(lock, { force: true }));
  child.unref();
}

/** The marker a failed build leaves (its message inside), in the cache folder. */
function failedMarker() {
  return path.join(cacheRoot(), `.failed-${snapshotKey()}`);
}

/**
 * Why the last build for this key failed (the first line of its message), if it did within the
 * hour; kernels then start without a snapshot.
 * @returns {string | undefined}
 */
function snapshotProblem() {
  if (disabled()) return undefined;
  try {
    return fs.readFileSync(failedMarker(), "utf8").split("\n")[0];
  } catch {
    return undefined;
  }
}

/**
 * Builds the snapshot for this checkout into the cache (see the file comment): the lib view
 * (scripts/runner/lib-view.js) gives the roots, `node --build-snapshot snapshot-entry.js` does
 * the work. Returns the blob's path; throws with the builder's message when it fails.
 * @returns {string}
 */
function build() {
  const root = cacheRoot();
  const key = snapshotKey();
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, `.build-${key}-`));
  try {
    /** @type {string[]} */
    const roots = [];
    const libDir = path.join(ROOT, "lib");
    let viewToRemove;
    if (fs.existsSync(path.join(libDir, "index.ts"))) {
      const { ensureDeclarations, defaultCacheRoot } = require("./lib-view");
      // Only its package imports matter here: the checkout's own view cache serves, whatever
      // folder PASSK_LIB_VIEW_CACHE names for the run that started this build (off stays off).
      const view = ensureDeclarations(libDir, { cacheRoot: defaultCacheRoot(libDir) });
      roots.push(path.join(view.declDir, "index.d.ts"));
      if (view.temporary) viewToRemove = view.declDir;
    }
    const config = {
      tsFile: tslabTypeScriptFile(),
      roots,
      typeRoots: [path.join(ROOT, "node_modules", "@types")],
      manifest: path.join(tmp, MANIFEST),
    };
    // No NODE_OPTIONS: a preloaded module (bench's probe keeps a timer) would end up in the
    // snapshot or keep the builder alive.
    /** @type {NodeJS.ProcessEnv} */
    const env = { ...process.env, PASSK_SNAPSHOT_CONFIG: JSON.stringify(config) };
    delete env.NODE_OPTIONS;
    for (const name of READ_AT_LOAD) delete env[name];
    const start = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        "--snapshot-blob",
        path.join(tmp, BLOB),
        "--build-snapshot",
        require.resolve("./snapshot-entry"),
      ],
      {
        env,
        encoding: "utf8",
        maxBuffer: 16 << 20,
      },
    );
    if (viewToRemove) fs.rmSync(viewToRemove, { recursive: true, force: true });
    if (r.status !== 0 || !fs.existsSync(path.join(tmp, BLOB)))
      throw new Error(
        `node --build-snapshot failed (exit ${r.status ?? r.signal}): ` +
          `${(r.stderr || r.stdout || String(r.error ?? "")).trim().split("\n").slice(-3).join(" | ")}`,
      );
    reportToBench(r.pid, start, path.join(tmp, MANIFEST));
    fs.writeFileSync(
      path.join(tmp, COMPLETE),
      JSON.stringify({ node: process.version, built: new Date().toISOString() }) + "\n",
    );
    const dir = path.join(root, key);
    try {
      fs.renameSync(tmp, dir);
    } catch {
      // another build finished first: keep its snapshot
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    pruneCache(root, key, KEEP);
    return path.join(dir, BLOB);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Under `npm run bench` (BENCH_RSS_DIR set): records the snapshot builder's CPU time and peak RSS
 * (from its manifest) as bench/rss-probe.cjs records every other Node process.
 * @param {number} pid
 * @param {number} start
 * @param {string} manifestFile
 */
function reportToBench(pid, start, manifestFile) {
  const dir = process.env.BENCH_RSS_DIR;
  if (!dir) return;
  try {
    const { cost } = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    const record = { pid, argv: ["--build-snapshot"], kernel: false, start, end: Date.now() };
    fs.writeFileSync(
      path.join(dir, `${pid}.json`),
      JSON.stringify({ ...record, maxRssKb: cost.maxRssKb, cpuMs: cost.cpuMs }),
    );
  } catch {
    // best effort, as the probe
  }
}

module.exports = {
  ENV,
  build,
  cacheRoot,
  findSnapshot,
  snapshotExecArgv,
  snapshotKey,
  snapshotProblem,
};

if (require.main === module) {
  // `node kernel-snapshot.js build [--lock FILE]`: builds (the background build of
  // snapshotExecArgv, or by hand); prints the blob's path; removes the lock when done.
  const args = process.argv.slice(2);
  const lockAt = args.indexOf("--lock");
  const lock = lockAt >= 0 ? args[lockAt + 1] : undefined;
  try {
    if (args[0] !== "build") throw new Error("usage: node kernel-snapshot.js build [--lock FILE]");
    process.stdout.write(build() + "\n");
  } catch (e) {
    const message = `kernel snapshot: ${e instanceof Error ? e.message : e}`;
    process.stderr.write(message + "\n");
    if (args[0] === "build") {
      try {
        fs.writeFileSync(failedMarker(), message.replace(/\s+/g, " ") + "\n");
      } catch {
        // a read-only cache: every kernel starts without a snapshot anyway
      }
    }
    process.exitCode = 1;
  } finally {
    if (lock) fs.rmSync(lock, { force: true });
  }
}
