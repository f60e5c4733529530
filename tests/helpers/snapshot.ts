/**
 * Snapshot testing for figure builders' Plotly JSON (Observable Plot style).
 *
 *   matchSnapshot("weight-curves", buildWeightCurves(...));
 *
 * The value is normalised (numbers rounded to 6 significant digits, object keys sorted,
 * typed arrays as arrays, NaN/±Infinity as strings) and compared with
 * tests/__snapshots__/<name>.json:
 * - missing file: it is written and the test passes — except under CI=true, where a
 *   missing snapshot fails (commit the snapshot written locally);
 * - different: <name>-changed.json is written next to it for review and the test fails
 *   with the first differing path; accept with UPDATE_SNAPSHOTS=1;
 * - equal: a stale <name>-changed.json is removed.
 */
import * as fs from "fs";
import * as path from "path";
import { AssertionError } from "assert";

export const SNAPSHOT_DIR = path.resolve(__dirname, "..", "__snapshots__");
export const SNAPSHOT_DIGITS = 6;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Rounds a finite number to `digits` significant digits (-0 becomes 0). */
export function roundSignificant(x: number, digits = SNAPSHOT_DIGITS): number {
  if (x === 0 || !Number.isFinite(x)) return x === 0 ? 0 : x;
  return Number(x.toPrecision(digits));
}

/** The JSON-ready normal form that snapshots store. */
export function normalizeForSnapshot(value: unknown, digits = SNAPSHOT_DIGITS): unknown {
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return roundSignificant(value, digits);
  }
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, (v) =>
      normalizeForSnapshot(v, digits),
    );
  }
  if (Array.isArray(value))
    return value.map((v) => (v === undefined ? null : normalizeForSnapshot(v, digits)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === "function") continue;
    out[key] = normalizeForSnapshot(v, digits);
  }
  return out;
}

function serialize(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** Path of the first difference between two normalised values, e.g. `data[0].y[3]`. */
function firstDifference(a: unknown, b: unknown, at = "$"): string | null {
  if (a === b) return null;
  const describe = (v: unknown): string => {
    const s = JSON.stringify(v) ?? "undefined";
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  };
  if (
    typeof a !== "object" ||
    typeof b !== "object" ||
    a === null ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  ) {
    return `${at}: ${describe(a)} → ${describe(b)}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return `${at}: length ${a.length} → ${b.length}`;
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
    if (!(key in ra)) return `${at}.${key}: added`;
    if (!(key in rb)) return `${at}.${key}: removed`;
    const d = firstDifference(ra[key], rb[key], `${at}.${key}`);
    if (d) return d;
  }
  return null;
}

export interface SnapshotOptions {
  /** Folder of the snapshots (default tests/__snapshots__). */
  dir?: string;
  /** Overwrite instead of compare (default: UPDATE_SNAPSHOTS=1). */
  update?: boolean;
  /** Treat as CI, where a missing snapshot fails (default: CI=true/1). */
  ci?: boolean;
}

/** Compares `value` with the stored snapshot `name`; throws an AssertionError on mismatch. */
export function matchSnapshot(name: string, value: unknown, opts: SnapshotOptions = {}): void {
  if (!NAME_PATTERN.test(name)) {
    throw new RangeError(
      `matchSnapshot: name must match ${NAME_PATTERN}, got ${JSON.stringify(name)}`,
    );
  }
  const dir = opts.dir ?? SNAPSHOT_DIR;
  const update = opts.update ?? process.env.UPDATE_SNAPSHOTS === "1";
  const ci = opts.ci ?? /^(1|true)$/i.test(process.env.CI ?? "");
  const file = path.join(dir, `${name}.json`);
  const changedFile = path.join(dir, `${name}-changed.json`);
  const actual = normalizeForSnapshot(value);
  const text = serialize(actual);
  fs.mkdirSync(dir, { recursive: true });

  if (update || !fs.existsSync(file)) {
    const missing = !fs.existsSync(file);
    fs.writeFileSync(file, text);
    fs.rmSync(changedFile, { force: true });
    if (missing && !update && ci) {
      throw new AssertionError({
        message: `snapshot "${name}" is missing (${path.relative(process.cwd(), file)}); it was written now — run the tests locally and commit it`,
      });
    }
    return;
  }
  const expected: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
  const diff = firstDifference(expected, actual);
  if (diff === null) {
    fs.rmSync(changedFile, { force: true });
    return;
  }
  fs.writeFileSync(changedFile, text);
  throw new AssertionError({
    message:
      `snapshot "${name}" changed at ${diff}\n` +
      `  review: diff ${path.relative(process.cwd(), file)} ${path.relative(process.cwd(), changedFile)}\n` +
      `  accept: UPDATE_SNAPSHOTS=1 node --import tsx --test <this test file>`,
    actual,
    expected,
    operator: "matchSnapshot",
  });
}
