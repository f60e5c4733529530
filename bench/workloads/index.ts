/**
 * The workloads of `npm run bench`, in the order of issue 8. Each entry is loaded lazily (in
 * its own child process), so a workload whose lib code is missing or broken is reported as
 * failed without stopping the others.
 */
export const WORKLOADS: readonly { name: string; module: string }[] = [
  { name: "estimator", module: "./estimator" },
  { name: "agreement", module: "./agreement" },
  { name: "toy-step-exact", module: "./toyStepExact" },
  { name: "sampled-step", module: "./sampledStep" },
  { name: "train-toy", module: "./trainToy" },
  { name: "analyze-1e6", module: "./analyze1e6" },
  { name: "counts-1e6", module: "./counts1e6" },
  { name: "notebooks", module: "./notebooks" },
  { name: "figures", module: "./figures" },
];
