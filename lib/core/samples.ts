/**
 * The sample record and its sufficient statistics, shared by the simulations that produce samples
 * (lib/sim/neuralPolicy.ts) and the diagnostic that reads them (lib/diagnostic/). Lives in core so
 * that neither imports the other.
 *
 * Per prompt only the sufficient statistics of the diagnostic are kept (why they suffice:
 * lib/diagnostic/estimate.ts): n, c, and, with gradients, for the two halves h ∈ {A, B} of the
 * prompt's samples — A the samples with even index within the prompt (0, 2, 4, …, in order), B
 * the odd ones — c^A and the sums S⁺_h = Σ_{j∈h, r_j=1} s_j and S⁻_h = Σ_{j∈h, r_j=0} s_j.
 */
import { checkFiniteArray, show } from "./validate";

/** A problem in an input file, located by file, 1-based line number and field. */
export class InputError extends Error {
  /** The file being read. */
  readonly file: string;
  /** 1-based line number (1 for an empty file, 0 when the file cannot be read). */
  readonly line: number;
  /** The offending field (`grad[3]` for an entry), or null when the whole line is wrong. */
  readonly field: string | null;

  constructor(file: string, line: number, field: string | null, detail: string) {
    super(
      `${line > 0 ? `${file}:${line}` : file}: ${field === null ? "" : `field "${field}": `}${detail}`,
    );
    this.name = "InputError";
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

/** Sufficient statistics of one prompt. */
export interface PromptStats {
  /** Prompt id as written in the file (integers are kept as their decimal string). */
  readonly id: string;
  /** Line on which the prompt first appears. */
  readonly line: number;
  /** Number of samples n. */
  n: number;
  /** Number of correct samples c. */
  c: number;
  /** Correct samples in half A (even sample index); null for per-prompt count files. */
  cA: number | null;
  /**
   * Score sums [S⁺_A | S⁻_A | S⁺_B | S⁻_B], 4·d numbers (S⁺ over correct, S⁻ over incorrect
   * samples of the half); null without gradients. Half A holds ceil(n/2) samples, B floor(n/2).
   */
  sums: Float64Array | null;
  /** Number of times the outcome changes between consecutive samples (per-sample files). */
  switches: number;
}

/** Everything the analysis needs from one input. */
export interface SampleData {
  /** File path, or a label for in-memory data. */
  source: string;
  /** "samples": per-sample records; "counts": per-prompt (n, c). */
  format: "samples" | "counts";
  /** Prompts in order of first appearance. */
  prompts: PromptStats[];
  /** Total samples Σ n. */
  samples: number;
  /** Gradient length d; 0 when the input has no gradients. */
  d: number;
  /** Records read (non-blank lines, without a CSV header). */
  records: number;
  /**
   * Prompts with 0 < c < n and n ≥ 4 whose outcomes change only once in file order (all correct
   * samples first or last), and how many such mixed prompts there are: if nearly all are
   * "sorted", the file is probably ordered by correctness and the even/odd halves are not
   * independent samples.
   */
  sortedPrompts: { sorted: number; mixed: number };
}

/** A prompt's statistics plus the outcome of its latest sample (for `switches`). */
interface Slot {
  st: PromptStats;
  lastCorrect: boolean;
}

/** The per-sample accumulator shared by the file loader and {@link SampleAccumulator}. */
export class Accumulator {
  private readonly byId = new Map<string, Slot>();
  readonly prompts: PromptStats[] = [];
  /** Gradient length: −1 before the first record, 0 when records have no gradient. */
  d = -1;
  dLine = 0;
  samples = 0;
  private last: Slot | null = null;

  constructor(readonly source: string) {}

  /** Adds one sample; `grad` must already be checked (finite, length d). */
  push(id: string, correct: boolean, grad: ArrayLike<number> | null, line: number): void {
    // Lines of one prompt usually come together: skip the Map lookup then.
    let slot = this.last !== null && this.last.st.id === id ? this.last : this.byId.get(id);
    if (slot === undefined) {
      const st: PromptStats = {
        id,
        line,
        n: 0,
        c: 0,
        cA: 0,
        sums: this.d > 0 ? new Float64Array(4 * this.d) : null,
        switches: 0,
      };
      slot = { st, lastCorrect: correct };
      this.byId.set(id, slot);
      this.prompts.push(st);
    }
    this.last = slot;
    const st = slot.st;
    const half = st.n & 1; // sample index within the prompt: even → half A, odd → half B
    if (slot.lastCorrect !== correct) st.switches++;
    slot.lastCorrect = correct;
    st.n++;
    if (correct) {
      st.c++;
      if (half === 0) st.cA!++;
    }
    this.samples++;
    if (grad !== null && st.sums !== null) {
      const d = this.d;
      const off = (half * 2 + (correct ? 0 : 1)) * d;
      const s = st.sums;
      for (let j = 0; j < d; j++) s[off + j] += grad[j];
    }
  }

  result(format: "samples" | "counts", records: number): SampleData {
    let sorted = 0;
    let mixed = 0;
    for (const st of this.prompts) {
      if (st.n >= 4 && st.c > 0 && st.c < st.n) {
        mixed++;
        if (st.switches === 1) sorted++;
      }
    }
    return {
      source: this.source,
      format,
      prompts: this.prompts,
      samples: this.samples,
      d: Math.max(this.d, 0),
      records,
      sortedPrompts: { sorted, mixed },
    };
  }
}

/**
 * Builds {@link SampleData} from samples held in memory (e.g. a simulation or the tfjs
 * stand-in policy), with the same half assignment as the file loader: the j-th sample added
 * for a prompt (j = 0, 1, …) goes to half A when j is even, B when odd.
 *
 * @example
 * const acc = new SampleAccumulator();
 * acc.add("q1", true, [0.5, -1]); acc.add("q1", false, [0.1, 0.2]);
 * acc.finish().prompts[0] // => { id: "q1", line: 1, n: 2, c: 1, cA: 1, sums: Float64Array [0.5,
 * -1, 0, 0, 0, 0, 0.1, 0.2], switches: 1 }
 */
export class SampleAccumulator {
  private readonly acc: Accumulator;
  private count = 0;

  constructor(source = "memory") {
    this.acc = new Accumulator(source);
  }

  /** Adds one sample. Every call must pass a gradient of the same length, or none. */
  add(prompt: string, correct: boolean, grad?: ArrayLike<number> | null): void {
    const where = "SampleAccumulator.add";
    if (typeof prompt !== "string" || prompt === "")
      throw new TypeError(`${where}: prompt must be a non-empty string, got ${show(prompt)}`);
    if (typeof correct !== "boolean")
      throw new TypeError(`${where}: correct must be a boolean, got ${show(correct)}`);
    const g = grad ?? null;
    const d = g === null ? 0 : g.length;
    if (g !== null) {
      checkFiniteArray(where, "grad", g);
      if (d === 0) throw new RangeError(`${where}: grad must not be empty`);
    }
    if (this.acc.d === -1) this.acc.d = d;
    else if (d !== this.acc.d) {
      throw new RangeError(
        `${where}: grad has length ${d}, but the first sample's grad has length ${this.acc.d} (0 = no gradient)`,
      );
    }
    this.count++;
    this.acc.push(prompt, correct, g, this.count);
  }

  /** The sufficient statistics of everything added so far (throws if nothing was added). */
  finish(): SampleData {
    if (this.count === 0) throw new RangeError("SampleAccumulator.finish: no samples were added");
    return this.acc.result("samples", this.count);
  }
}
