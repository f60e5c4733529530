/**
 * `first-cell-jupyter` (opt-in, issue 17): the first code cell of each notebook in a real
 * Jupyter kernel, what a reader waits for after opening a notebook and pressing Run. In a fresh
 * clone, a "tslab" kernelspec is written into the clone's own Jupyter path (the one
 * `npx tslab install --binary=…` writes, README) and bench/jupyter/first_cell.py (jupyter_client,
 * Debian's python3-jupyter-client) starts it in the notebooks folder, runs the first code cell and
 * reports `ready_s` (kernel start → it answers) and `first_cell_s` (Run → idle). Target (issue
 * 17): first cell ≤ 2 s.
 *
 * Params: `kernel=view` (scripts/tslab-kernel.js: tslab with lib's declaration view, default) or
 * `kernel=stock` (node_modules/.bin/tslab: tslab compiles lib from its sources); `cache=on` (the
 * view is built by the first kernel and reused by the rest, as for a reader) or `cache=off`
 * (every kernel builds it: PASSK_LIB_VIEW_CACHE=off). The cache starts empty (a folder of the
 * clone's), so the first notebook pays the build.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { discoverNotebooks } from "../../scripts/runner/run";
import { removeClone, tempClone } from "./clone";
import { median, type Params, type Workload } from "./types";

/** The Python with jupyter_client (Debian's; a pyenv/conda Python usually has none). */
const PYTHON = process.env.BENCH_JUPYTER_PYTHON ?? "/usr/bin/python3";

export interface JupyterInputs {
  clone: string;
  jupyterPath: string;
  files: string[];
  cache: boolean;
  /** Per run: notebook → [first_cell_ms, ready_ms]. */
  runs: Record<string, [number, number]>[];
}

/** Writes a "tslab" kernelspec whose command is `binary` under `<dir>/kernels/tslab`. */
export function writeKernelspec(dir: string, binary: string): void {
  const spec = path.join(dir, "kernels", "tslab");
  fs.mkdirSync(spec, { recursive: true });
  const json = {
    argv: [binary, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript",
    language: "typescript",
  };
  fs.writeFileSync(path.join(spec, "kernel.json"), JSON.stringify(json));
}

export interface FirstCellLine {
  notebook: string;
  ready_s: number;
  first_cell_s: number;
  status: string;
}

/** The JSON line bench/jupyter/first_cell.py prints. */
export function parseFirstCellLine(text: string): FirstCellLine {
  const line = text.trim().split("\n").pop() ?? "";
  const r = JSON.parse(line) as FirstCellLine;
  if (typeof r.first_cell_s !== "number" || typeof r.ready_s !== "number")
    throw new Error(`first_cell.py printed no timing: ${line}`);
  return r;
}

export const workload: Workload<JupyterInputs, Record<string, [number, number]>> = {
  name: "first-cell-jupyter",
  description: "first code cell of each notebook in a real Jupyter kernel (jupyter_client)",
  params: { kernel: "view", cache: "on" },
  runs: 1,
  warmup: 0,
  setup: (p: Params) => {
    try {
      execFileSync(PYTHON, ["-c", "import jupyter_client"], { stdio: "ignore" });
    } catch {
      throw new Error(
        `first-cell-jupyter needs ${PYTHON} with jupyter_client ` +
          "(apt-get install -y python3-jupyter-client; BENCH_JUPYTER_PYTHON picks another Python)",
      );
    }
    const clone = tempClone("passk-bench-jupyter-");
    const jupyterPath = path.join(clone, ".bench-jupyter");
    const binary =
      String(p.kernel) === "stock"
        ? path.join(clone, "node_modules", ".bin", "tslab")
        : path.join(clone, "scripts", "tslab-kernel.js");
    writeKernelspec(jupyterPath, binary);
    const files = discoverNotebooks(path.join(clone, "notebooks"), []);
    return { clone, jupyterPath, files, cache: String(p.cache) !== "off", runs: [] };
  },
  run: (inputs) => {
    const out: Record<string, [number, number]> = {};
    for (const file of inputs.files) {
      const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_PATH: inputs.jupyterPath };
      // a cache of the clone's own (node_modules is shared with this checkout, and its cache)
      env.PASSK_LIB_VIEW_CACHE = inputs.cache
        ? path.join(inputs.clone, ".bench-view-cache")
        : "off";
      const text = execFileSync(
        PYTHON,
        [path.join(__dirname, "..", "jupyter", "first_cell.py"), file],
        { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 600_000 },
      );
      const r = parseFirstCellLine(text);
      if (r.status !== "ok") throw new Error(`${r.notebook}: ${r.status}`);
      out[r.notebook] = [Math.round(r.first_cell_s * 1000), Math.round(r.ready_s * 1000)];
    }
    inputs.runs.push(out);
    return out;
  },
  summary: (r) => {
    const cell = Object.values(r).map((v) => v[0]);
    const ready = Object.values(r).map((v) => v[1]);
    return {
      notebooks: cell.length,
      max_cell_ms: Math.max(...cell),
      median_cell_ms: median(cell),
      max_ready_ms: Math.max(...ready),
      median_ready_ms: median(ready),
    };
  },
  extra: (inputs) => ({ per_notebook_cell_ms_ready_ms: inputs.runs }),
  teardown: (inputs) => removeClone(inputs.clone),
};
