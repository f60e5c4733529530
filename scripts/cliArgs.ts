/**
 * Command-line pieces shared by analyze's two entry points (scripts/analyze.ts and
 * scripts/analyze-real.ts): the usage error (exit status 2) and the checks of integer and
 * confidence-level options.
 */

/** A bad command line: the command prints it with the usage text and exits with status 2. */
export class UsageError extends Error {}

/** `s` as an integer ≥ `min` (digits only), or a UsageError naming `--name`. */
export function intArg(name: string, s: string, min: number): number {
  if (!/^\d+$/.test(s.trim()) || Number(s) < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(s)}`);
  return Number(s);
}

/** The --level option: 0.95 when absent, else a number in (0, 1), or a UsageError. */
export function levelArg(s: string | undefined): number {
  const level = s === undefined ? 0.95 : Number(s);
  if (!(level > 0 && level < 1))
    throw new UsageError(`--level must be in (0, 1), got ${JSON.stringify(s)}`);
  return level;
}
