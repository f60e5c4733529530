/**
 * The shape of one benchmark workload (issue 8).
 *
 * A workload splits into untimed input generation (`setup`, from a fixed seed through
 * lib/core/rng.ts, so every run and every machine does the same work) and the timed `run`.
 * `summary` reduces a result to a few numbers that are printed next to the timing and compared
 * with the numpy reference (same inputs ⇒ same numbers), so a fast but wrong workload shows up.
 */

/** Typed arrays a workload can hand to the numpy reference (written raw, little-endian). */
export type ExportedArray = Float64Array | Int32Array | Uint8Array;

export type Params = Record<string, number | string | boolean>;

export interface Workload<I = unknown, R = unknown> {
  /** Name used by `--only` and in the output (issue 8's names). */
  readonly name: string;
  /** One line for the table and RESULTS.md. */
  readonly description: string;
  /** Full-size parameters; printed in the JSON line. */
  readonly params: Params;
  /** Default timed runs and warm-up runs (`--runs`, `--warmup` override). */
  readonly runs: number;
  readonly warmup: number;
  /** Untimed: build the inputs from `seed`. */
  setup(params: Params, seed: number): I | Promise<I>;
  /** Timed: the work a user of the project runs. */
  run(inputs: I): R | Promise<R>;
  /**
   * A few numbers that identify the result (checked against numpy on the same inputs). Keys
   * starting with `mc_` are Monte Carlo quantities (each side draws its own samples): not compared.
   */
  summary(result: R): Record<string, number | null>;
  /** Inputs for the numpy reference, so both sides compute on identical data. */
  exportInputs?(inputs: I): Record<string, ExportedArray>;
  /** Input files for the numpy reference (hard-linked, or copied, next to the arrays). */
  exportFiles?(inputs: I): Record<string, string>;
  /** Untimed clean-up (temp files). */
  teardown?(inputs: I): void | Promise<void>;
  /** Extra measurements over the timed runs (e.g. per-notebook seconds). */
  extra?(inputs: I): Record<string, unknown>;
  /**
   * For workloads that time other processes (a command, notebook kernels): the largest peak RSS
   * of those processes (MB) and their CPU time per run (ms, one entry per run, warm-ups first).
   * Reported as peak_rss_mb and median_cpu_ms instead of the benchmark process's own.
   */
  childStats?(inputs: I): { peakRssMb: number; cpuMsPerRun: number[] };
}

/** Median of a non-empty list (mean of the two middle values for even length). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
