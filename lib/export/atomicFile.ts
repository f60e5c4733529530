/**
 * Atomic file writes: write a temp file in the same directory, then rename over
 * the target. A crash at any point leaves either the old file or the new one,
 * never a half-written file (rename(2) is atomic within a filesystem).
 */
import * as fs from "fs";
import * as path from "path";

/** Test hook: when set, the writer kills its own process after writing half the temp file. */
const CRASH_ENV = "PASSK_TEST_CRASH_MID_WRITE";

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
  const fd = fs.openSync(tmp, "w");
  try {
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
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
