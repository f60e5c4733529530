/**
 * `test-unit` and `test-notebooks` (opt-in, issue 17): `npm run test:unit` and
 * `npm run test:notebooks` in the project root, timed as whole commands (npm's start-up
 * included). `npm test` also type-checks and lints first; together these two are most of its
 * time. Target (issue 17): `npm test` ≤ 75 s. One run each by default (they take a minute or more).
 * CPU time sums every Node process of the command (npm, the test files' processes, kernels).
 */
import { ROOT } from "./clone";
import { runProbedCommand } from "./childRss";
import type { Workload } from "./types";

interface CommandInputs {
  script: string;
  cpuMs: number[];
  peakRssMb: number[];
}

/** Counts from `node --test`'s spec reporter summary (ℹ tests N, ℹ pass N, ℹ fail N). */
export function parseTestCounts(out: string): { tests: number; pass: number; fail: number } {
  const n = (key: string) => Number(new RegExp(`ℹ ${key} (\\d+)`).exec(out)?.[1] ?? NaN);
  return { tests: n("tests"), pass: n("pass"), fail: n("fail") };
}

/** Counts from the notebook runner's closing line (notebooks: N passed, M failed). */
export function parseNotebookCounts(out: string): { passed: number; failed: number } {
  const m = /notebooks: (\d+) passed, (\d+) failed/.exec(out);
  return { passed: m ? Number(m[1]) : NaN, failed: m ? Number(m[2]) : NaN };
}

function npmScriptWorkload(
  name: string,
  script: string,
  description: string,
  parse: (out: string) => Record<string, number>,
): Workload<CommandInputs, Record<string, number>> {
  return {
    name,
    description,
    params: { script },
    runs: 1,
    warmup: 0,
    setup: () => ({ script, cpuMs: [], peakRssMb: [] }),
    run: async (inputs) => {
      const run = await runProbedCommand("npm", ["run", "-s", inputs.script], { cwd: ROOT });
      inputs.cpuMs.push(run.cpuMs);
      inputs.peakRssMb.push(run.peakRssMb);
      const out = run.stdout + "\n" + run.stderr;
      const counts = parse(out);
      // a failing suite is still timed, but reported: its time is not the suite's time
      return { ...counts, exit_code: run.code ?? -1 };
    },
    summary: (r) => r,
    childStats: (inputs) => ({
      peakRssMb: Math.max(0, ...inputs.peakRssMb),
      cpuMsPerRun: inputs.cpuMs,
    }),
  };
}

export const testUnit = npmScriptWorkload(
  "test-unit",
  "test:unit",
  "npm run test:unit (every tests/*.test.ts under node --test), whole command",
  parseTestCounts,
);

export const testNotebooks = npmScriptWorkload(
  "test-notebooks",
  "test:notebooks",
  "npm run test:notebooks (all notebooks with --fast --no-write), whole command",
  parseNotebookCounts,
);
