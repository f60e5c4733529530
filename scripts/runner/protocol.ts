/** Messages between the runner (parent) and the per-notebook kernel child, over Node IPC. */

/**
 * The declaration view of lib/ (scripts/runner/lib-view.js): the kernel's type checker reads the
 * built `.d.ts` files in `declDir` instead of the repository's lib sources.
 */
export interface LibView {
  /** The real path of the lib folder the notebooks import (its index.ts). */
  libDir: string;
  declDir: string;
}

export interface RunRequest {
  t: "run";
  /** Absolute path of the notebook (the child chdirs to its folder, like a Jupyter kernel). */
  notebook: string;
  /** Code cells to execute, in order; `index` is the 0-based position in nb.cells. */
  cells: { index: number; source: string }[];
  /** Type-check against lib's declarations and run lib through tsx (absent: plain tslab). */
  libView?: LibView;
}

export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

export type ChildMessage =
  | {
      t: "ready";
      /**
       * Declaration files the warm-up took parsed from the kernels' startup snapshot
       * (scripts/runner/kernel-snapshot.js); absent when the kernel did not start on one.
       */
      snapshotHits?: number;
    }
  | { t: "start"; index: number }
  | { t: "stream"; index: number; name: "stdout" | "stderr"; text: string }
  | {
      t: "display";
      index: number;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
      displayId?: string;
      update: boolean;
    }
  | { t: "end"; index: number; ok: boolean; error?: CellError; ms: number }
  | { t: "done" };
