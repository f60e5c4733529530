/**
 * Finding Debian's Chromium for static export (see ECOSYSTEM.md): candidate paths, $CHROMIUM_PATH,
 * the flags that work as root in this sandbox, and the hint printed when there is none.
 */
import * as fs from "fs";

/** Chromium flags that work as root in this sandbox (see ECOSYSTEM.md); playwright adds
 * --headless, --no-sandbox and a fresh --user-data-dir itself. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

/** The one-line hint printed when static formats are unavailable. */
export const CHROMIUM_HINT = "install Chromium for SVG/PNG/PDF export: apt-get install -y chromium";

/**
 * Finds a Chromium executable: `explicit`, else $CHROMIUM_PATH, else the usual Debian
 * paths. `CHROMIUM_PATH=none` (or empty) means "no browser" (used by tests).
 */
export function findChromium(explicit?: string): string | null {
  const requested = explicit ?? process.env.CHROMIUM_PATH;
  if (requested !== undefined) {
    if (requested === "" || requested === "none") return null;
    return isExecutable(requested) ? requested : null;
  }
  return CHROMIUM_CANDIDATES.find(isExecutable) ?? null;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
