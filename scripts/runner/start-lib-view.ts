/**
 * The declaration view of lib/ for a run's kernels, built in a child process beside the kernels'
 * warm-up (split from kernel.ts). What the view is: lib-view.js.
 */
import * as fs from "fs";
import * as path from "path";
import { fork } from "child_process";
import { libBesideDir, viewDisabled, type EnsuredView } from "./lib-view";
import type { LibView } from "./protocol";

/**
 * Starts ensuring the declaration view of the lib folder the notebooks import
 * (scripts/runner/lib-view.js `ensureDeclarations`, in a child process): the real path of `lib/`
 * beside the first notebook that mentions `./lib` and has one with an index.ts, unless
 * PASSK_LIB_VIEW is "0". The view comes from the cache when lib/ is unchanged, else it is built
 * (≈ 1 s; the slow checked build, with a note naming the file, if an export lacks a type). It
 * resolves to undefined when there is nothing to build or the build fails (the kernels then
 * compile lib from its sources, as plain tslab does); `dispose` stops the build and removes a
 * temporary (uncached) view.
 */
export function startLibView(
  notebooks: string[],
  log: (line: string) => void,
): { view: Promise<LibView | undefined>; dispose: () => void } {
  const libDir = viewDisabled() ? undefined : notebooks.map(libBeside).find(Boolean);
  if (!libDir) return { view: Promise.resolve(undefined), dispose: () => {} };
  const child = fork(path.join(__dirname, "lib-view.js"), [libDir], {
    execArgv: [],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  let temporaryDir: string | undefined;
  const view = new Promise<LibView | undefined>((resolve) => {
    child.once("error", () => resolve(undefined));
    child.once("exit", (code, signal) => {
      let ensured: EnsuredView | undefined;
      try {
        ensured = code === 0 ? (JSON.parse(out) as EnsuredView) : undefined;
      } catch {
        ensured = undefined;
      }
      if (ensured) {
        if (ensured.temporary) temporaryDir = ensured.declDir;
        if (ensured.problem !== undefined && !ensured.cached)
          log(
            `  note: ${ensured.problem} — lib's declarations were built with a full type check ` +
              "instead (slower); give that export an explicit type",
          );
        return resolve({ libDir, declDir: ensured.declDir });
      }
      if (signal !== "SIGKILL")
        log(
          `  note: lib declarations not built (exit ${code ?? signal}: ${(err || out).trim().split("\n").pop()}); kernels compile lib`,
        );
      resolve(undefined);
    });
  });
  return {
    view,
    dispose: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      if (temporaryDir) fs.rmSync(temporaryDir, { recursive: true, force: true });
    },
  };
}

/** The real path of the `lib/` beside `notebook` if the notebook mentions `./lib`. */
function libBeside(notebook: string): string | undefined {
  try {
    if (!fs.readFileSync(notebook, "utf8").includes("./lib")) return undefined;
  } catch {
    return undefined;
  }
  return libBesideDir(path.dirname(notebook));
}
