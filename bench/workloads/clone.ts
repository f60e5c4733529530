/**
 * A throwaway copy of the repository as a fresh clone has it: every tracked file (`git ls-files`)
 * with its working-tree content (so uncommitted changes are measured too), symlinks kept as
 * symlinks, and `node_modules` a symlink to this checkout's. Nothing else: no exported figures,
 * no render cache, no bench output. For the end-to-end workloads (`start-cold`, `first-cell`),
 * which must never rewrite the real notebooks or figures/.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.join(__dirname, "..", "..");

/** Copies the tracked files of ROOT into a new temporary directory; returns its path. */
export function tempClone(prefix = "passk-bench-clone-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, maxBuffer: 64 << 20 })
    .toString("utf8")
    .split("\0")
    .filter(Boolean);
  for (const rel of files) {
    const from = path.join(ROOT, rel);
    const to = path.join(dir, rel);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(from);
    } catch {
      continue; // deleted in the working tree
    }
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
    else fs.copyFileSync(from, to);
  }
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules")), path.join(dir, "node_modules"));
  return dir;
}

/** Removes a clone made by {@link tempClone}. */
export function removeClone(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
