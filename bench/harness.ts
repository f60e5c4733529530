/**
 * What the bench parent and its children exchange: the per-run report of a workload child, the
 * numpy reference's report, and one table row.
 */
import type { Params } from "./workloads/types";
/** What a child reports for one workload. */
export interface ChildReport {
  name: string;
  params: Params;
  setup_ms: number;
  times_ms: number[];
  /**
   * CPU time (user + system) of each timed run: less sensitive than wall time to other processes.
   */
  cpu_ms: number[];
  summary: Record<string, number | null>;
  deterministic: boolean;
  peak_rss_mb: number;
  extra?: Record<string, unknown>;
}

/** One numpy reference's report (bench/numpy/run.py prints it as its last line). */
export interface NumpyReport {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  median_cpu_ms?: number;
  runs: number;
  summary: Record<string, number | null>;
  blas?: { architecture?: string; num_threads?: number; version?: string }[];
  /** True when BLAS does much of the work: the reference is then also timed single-threaded. */
  blas_heavy?: boolean;
  note?: string;
}

export interface Row {
  name: string;
  params: Params;
  runs: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  peak_rss_mb: number;
  median_cpu_ms: number;
  setup_ms: number;
  deterministic: boolean;
  summary: Record<string, number | null>;
  extra?: Record<string, unknown>;
  numpy?: NumpyReport | { error: string };
  /** The same reference with OPENBLAS_NUM_THREADS=1 (less hurt by other processes on 2 cores). */
  numpy_1thread?: NumpyReport | { error: string };
  /** The faster numpy median of the two: what TS is compared with. */
  numpy_best_ms?: number;
  /** median_ms / numpy_best_ms: below 1 meets the target. */
  ratio_to_numpy?: number;
  /** median_cpu_ms / the single-threaded numpy's CPU time: the ratio least disturbed by load. */
  cpu_ratio_to_numpy?: number;
  numpy_agrees?: { max_rel_diff: number; tolerance: number; ok: boolean };
  error?: string;
}

// ───────────────────────────── child side ─────────────────────────────
