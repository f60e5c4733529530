/**
 * The workloads of `npm run bench`, in the order of issue 8. Each entry is loaded lazily (in
 * its own child process), so a workload whose lib code is missing or broken is reported as
 * failed without stopping the others. `export` names the module's export (default `workload`).
 *
 * `optIn` workloads (issue 17's end-to-end targets: minutes each, and they start Chromium and
 * whole test suites) run only when named with `--only`, never in a plain `npm run bench`.
 */
export interface WorkloadEntry {
  name: string;
  module: string;
  export?: string;
  optIn?: boolean;
}

export const WORKLOADS: readonly WorkloadEntry[] = [
  { name: "estimator", module: "./estimator" },
  { name: "agreement", module: "./agreement" },
  { name: "toy-step-exact", module: "./toyStepExact" },
  { name: "sampled-step", module: "./sampledStep" },
  { name: "train-toy", module: "./trainToy" },
  { name: "analyze-1e6", module: "./analyze1e6" },
  { name: "counts-1e6", module: "./counts1e6" },
  { name: "notebooks", module: "./notebooks" },
  { name: "figures", module: "./figures" },
  { name: "start-cold", module: "./startCold", optIn: true },
  { name: "test-unit", module: "./npmTests", export: "testUnit", optIn: true },
  { name: "test-notebooks", module: "./npmTests", export: "testNotebooks", optIn: true },
  { name: "first-cell", module: "./firstCell", optIn: true },
  { name: "first-cell-jupyter", module: "./firstCellJupyter", optIn: true },
];
