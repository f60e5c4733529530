/**
 * The stand-in's verifiable problems: x = (a, b), answer y*(x) = (a op b) mod m, verifier
 * r(x, y) = 1[y = y*(x)] (our choice of task [D]; notebook 08).
 */
import { checkInteger, show } from "../../core/validate";

/** Operations of the task. */
export type ModularOp = "+" | "-" | "*";

/** The verifiable task: problems "a op b" mod m with exact answers. */
export interface ModularTask {
  /** Modulus m (= number of possible answers). */
  readonly modulus: number;
  /** The operations, in feature order. */
  readonly operations: readonly ModularOp[];
  /** Number of prompts N. */
  readonly N: number;
  /** Operands and operation index of each prompt. */
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly op: Int32Array;
  /** Correct answer y*(x) = (a op b) mod m. */
  readonly answer: Int32Array;
  /** Prompt ids such as "3+4" (for exported files). */
  readonly ids: string[];
}

function applyOp(op: ModularOp, a: number, b: number, m: number): number {
  const v = op === "+" ? a + b : op === "-" ? a - b : a * b;
  return ((v % m) + m) % m;
}

/**
 * All problems "a op b" mod m for a, b < m and each operation (prompt x = (o·m + a)·m + b for
 * the o-th operation). Features: one-hot(a) ⊕ one-hot(b) ⊕ one-hot(op), so problems with the
 * same operands share most of their input — the source of interference between operations.
 *
 * @example modularTask(3).answer // => Int32Array [0, 1, 2, 1, 2, 0, 2, 0, 1]
 */
export function modularTask(
  modulus: number,
  operations: readonly ModularOp[] = ["+"],
): ModularTask {
  const where = "modularTask";
  const m = checkInteger(where, "modulus", modulus, 2);
  if (
    !Array.isArray(operations) ||
    operations.length === 0 ||
    operations.some((o) => o !== "+" && o !== "-" && o !== "*")
  ) {
    throw new RangeError(
      `${where}: operations must be a non-empty list of "+", "-", "*", got ${show(operations)}`,
    );
  }
  const N = operations.length * m * m;
  const a = new Int32Array(N);
  const b = new Int32Array(N);
  const op = new Int32Array(N);
  const answer = new Int32Array(N);
  const ids: string[] = [];
  for (let x = 0; x < N; x++) {
    op[x] = Math.floor(x / (m * m));
    a[x] = Math.floor(x / m) % m;
    b[x] = x % m;
    answer[x] = applyOp(operations[op[x]], a[x], b[x], m);
    ids.push(`${a[x]}${operations[op[x]]}${b[x]}`);
  }
  return { modulus: m, operations: [...operations], N, a, b, op, answer, ids };
}

/** The verifier: 1 if `y` is the answer to prompt x. */
export function verify(task: ModularTask, x: number, y: number): boolean {
  return task.answer[x] === y;
}
