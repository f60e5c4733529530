/**
 * Start-up plumbing for lib/export/render's headless Chromium: a Chromium profile that keeps V8's
 * compiled code for the Plotly bundle between runs, and a loopback HTTP server that serves
 * the bundle to it.
 *
 * Why: evaluating Plotly's bundle is most of the renderer's start-up (about 2 s for the
 * cartesian bundle, 3.5 s for the full one on this project's machine). Chromium stores V8's
 * code cache only for scripts fetched over http(s) into a persistent profile, so the bundle is
 * served from 127.0.0.1 under a fixed host name (mapped to the server's random port with
 * --host-resolver-rules, so the cache key does not change with the port) and a URL that
 * contains the bundle's content hash (a new bundle is a new URL: a stale cache is never used).
 *
 * The profile lives in node_modules/.cache/passk-chromium (deleted with node_modules;
 * `PASSK_RENDER_CACHE=off` disables it). One process at a time may use it: the others, and
 * every process when the folder cannot be written, get a fresh temporary profile — the same
 * output, only a slower start.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";

/** Host name the render page is loaded from (mapped to the loopback server). */
export const RENDER_HOST = "passk-render.invalid";

/** A Chromium user-data-dir for this process, released (or deleted) when done. */
export interface RenderProfile {
  dir: string;
  /** True for the shared, persistent cache profile; false for a temporary one. */
  persistent: boolean;
  /** Unlocks the shared profile or deletes the temporary one. Idempotent. */
  release(): void;
}

/** Default location of the shared profile: node_modules/.cache/passk-chromium. */
export function defaultProfileDir(): string | null {
  if (/^(off|0|false|no)$/i.test(process.env.PASSK_RENDER_CACHE ?? "")) return null;
  return path.join(__dirname, "..", "..", "node_modules", ".cache", "passk-chromium");
}

/**
 * Locks `cacheDir` for this process (a `passk.lock` file holding the pid, created with
 * O_EXCL; a lock whose process is gone is taken over) and returns it, or returns a fresh
 * temporary profile when `cacheDir` is null, locked by a live process, or not writable.
 */
export function acquireProfile(cacheDir: string | null = defaultProfileDir()): RenderProfile {
  if (cacheDir !== null) {
    const lock = path.join(cacheDir, "passk.lock");
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
        return profileOf(cacheDir, true, lock);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST" || !lockIsStale(lock)) break;
        fs.rmSync(lock, { force: true });
      }
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-chromium-"));
  return profileOf(dir, false, dir);
}

/**
 * A profile whose `release` removes `remove` (the lock file, or the temporary profile) once
 * only: after the lock is released another process may hold a new one under the same name.
 */
function profileOf(dir: string, persistent: boolean, remove: string): RenderProfile {
  let released = false;
  return {
    dir,
    persistent,
    release: () => {
      if (released) return;
      released = true;
      fs.rmSync(remove, { recursive: true, force: true });
    },
  };
}

function lockIsStale(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lock, "utf8"));
  } catch {
    return false; // vanished or unreadable: let the caller fall back to a temporary profile
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Files served to the render page: URL path → body and content type. */
export interface StaticFile {
  body: string | Buffer;
  type: string;
  /** Cache forever (content-addressed URLs only); otherwise `no-store`. */
  immutable?: boolean;
}

/** A loopback HTTP server for the render page; `port` is for --host-resolver-rules. */
export interface StaticServer {
  port: number;
  /** Adds or replaces a file. */
  set(urlPath: string, file: StaticFile): void;
  close(): Promise<void>;
}

/** Serves `files` on 127.0.0.1 at a free port; everything else is 404. */
export async function serveStatic(files: Record<string, StaticFile> = {}): Promise<StaticServer> {
  const table = new Map(Object.entries(files));
  const server = http.createServer((req, res) => {
    const file = table.get((req.url ?? "").split("?")[0]);
    if (file === undefined || req.method !== "GET") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": file.type,
      "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-store",
    });
    res.end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("serveStatic: no TCP port");
  return {
    port: address.port,
    set: (urlPath, file) => void table.set(urlPath, file),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // Chromium keeps connections alive
      }),
  };
}

/** First 16 hex digits of the SHA-256 of `body` (for content-addressed URLs). */
export function contentHash(body: string | Buffer): string {
  return crypto.createHash("sha256").update(body).digest("hex").slice(0, 16);
}
