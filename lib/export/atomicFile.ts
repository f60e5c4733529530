/**
 * Atomic file writes: write a temp file in the same directory, then rename over
 * the target. A crash at any point leaves either the old file or the new one,
 * never a half-written file (rename(2) is atomic within a filesystem).
 *
 * What is there is respected (issue 21): a symlink is written through (its target is
 * replaced, the link stays); an existing file keeps its permission bits; a target that is not
 * a regular file (a folder, a FIFO, a device, a socket) is refused with an
 * {@link UnsafeTargetError}, as is a missing parent folder — never replaced by a file.
 */
import * as fs from "fs";
import * as path from "path";

/** Test hook: when set, the writer kills its own process after writing half the temp file. */
const CRASH_ENV = "PASSK_TEST_CRASH_MID_WRITE";

/** A write refused because of what the target path is (a one-line message naming it). */
export class UnsafeTargetError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "UnsafeTargetError";
  }
}

/**
 * Where a write to `file` must land: the final target of a symlink chain (a dangling link's
 * target is created), after checking it is a regular file or absent, in an existing folder.
 */
export function resolveWriteTarget(file: string): { target: string; mode: number | null } {
  let target = file;
  for (let hops = 0; ; hops++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      const dir = path.dirname(target);
      let dirOk = false;
      try {
        dirOk = fs.statSync(dir).isDirectory();
      } catch {
        // reported below
      }
      if (!dirOk)
        throw new UnsafeTargetError(file, `cannot write: no such folder ${JSON.stringify(dir)}`);
      return { target, mode: null };
    }
    if (st.isSymbolicLink()) {
      if (hops >= 40) throw new UnsafeTargetError(file, "too many levels of symbolic links");
      target = path.resolve(path.dirname(target), fs.readlinkSync(target));
      continue;
    }
    if (st.isDirectory()) throw new UnsafeTargetError(file, "is a folder, not a file");
    if (!st.isFile()) {
      const kind = st.isFIFO()
        ? "a named pipe (FIFO)"
        : st.isCharacterDevice() || st.isBlockDevice()
          ? "a device"
          : st.isSocket()
            ? "a socket"
            : "not a regular file";
      throw new UnsafeTargetError(
        file,
        `is ${kind}, not a regular file; refusing to replace it (write to a regular file path)`,
      );
    }
    return { target, mode: st.mode & 0o7777 };
  }
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const { target, mode } = resolveWriteTarget(file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
  const fd = fs.openSync(tmp, "wx", mode ?? 0o666);
  try {
    if (mode !== null) fs.fchmodSync(fd, mode); // the umask must not narrow the kept mode
    if (process.env[CRASH_ENV] === path.basename(file)) {
      fs.writeSync(fd, bytes, 0, Math.floor(bytes.length / 2));
      fs.fsyncSync(fd);
      process.kill(process.pid, "SIGKILL");
    }
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
