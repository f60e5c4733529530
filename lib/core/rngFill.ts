/**
 * Rng.fillUniform's inner loop (lib/core/rng.ts): pure-rand's xoroshiro128+ stepped in local
 * variables, two steps per uniform, so that n draws cost no call and no heap number each.
 */

// pure-rand 8 exposes its modules only through package.json "exports" (see lib/core/rng.ts).
const { xoroshiro128plusFromState } = require("pure-rand/generator/xoroshiro128plus") as {
  xoroshiro128plusFromState(state: readonly number[]): { next(): number };
};

const TWO_POW_26 = 67108864;
const TWO_POW_MINUS_53 = 1.1102230246251565e-16;

/**
 * pure-rand 8's XoroShiro128Plus keeps its 128-bit state in four int32 fields; fillFromState
 * steps that state in local variables. Used only after {@link XOROSHIRO_STATE_READABLE} has
 * checked, once, that stepping the fields reproduces next().
 */
interface XoroshiroState {
  s00: number;
  s01: number;
  s10: number;
  s11: number;
}

/** Spare output of {@link stepState}: the 32-bit output of the step. */
let stepOutput = 0;

/**
 * One xoroshiro128+ step on `g`'s fields, exactly as pure-rand's `next()` (same expressions);
 * the output goes to stepOutput. Only for the self-check: fillFromState inlines it.
 */
function stepState(g: XoroshiroState): void {
  stepOutput = (g.s00 + g.s10) | 0;
  const a0 = g.s10 ^ g.s00;
  const a1 = g.s11 ^ g.s01;
  const s00 = g.s00;
  const s01 = g.s01;
  g.s00 = (s00 << 24) ^ (s01 >>> 8) ^ a0 ^ (a0 << 16);
  g.s01 = (s01 << 24) ^ (s00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16));
  g.s10 = (a1 << 5) ^ (a0 >>> 27);
  g.s11 = (a0 << 5) ^ (a1 >>> 27);
}

/**
 * Whether pure-rand's generator exposes its state as the four int32 fields above and stepping
 * them gives its next() outputs (checked on 64 steps from a fixed state); if a pure-rand update
 * changed that, Rng.fillUniform falls back to calling uniform().
 */
function checkStateReadable(): boolean {
  const seed = [0x12345678, -0x6543210f, 0x0badf00d, 0x7eadbeef];
  const reference = xoroshiro128plusFromState(seed);
  const probe = xoroshiro128plusFromState(seed);
  const g = probe as unknown as Partial<XoroshiroState>;
  if (!(["s00", "s01", "s10", "s11"] as const).every((key) => typeof g[key] === "number"))
    return false;
  for (let i = 0; i < 64; i++) {
    stepState(g as XoroshiroState);
    if (stepOutput !== reference.next()) return false;
  }
  // and next() continues from the fields as written
  for (let i = 0; i < 64; i++) if (probe.next() !== reference.next()) return false;
  return true;
}
/** Whether {@link fillFromGenerator} may be used (checked once, at load). */
export const XOROSHIRO_STATE_READABLE: boolean = checkStateReadable();

/** Scratch for {@link fillFromState}: s00, s01, s10, s11. */
const fillState = new Int32Array(4);

/**
 * out[i] for i in [from, to) = the uniform() (lib/core/rng.ts) of two xoroshiro128+ steps
 * (pure-rand's next(), {@link stepState}) from `state`, which is advanced. A function of typed
 * arrays only, so its optimized code checks no object map (see the note at the end of rng.ts).
 */
function fillFromState(state: Int32Array, out: Float64Array, from: number, to: number): void {
  let s00 = state[0];
  let s01 = state[1];
  let s10 = state[2];
  let s11 = state[3];
  for (let i = from; i < to; i++) {
    // two steps of pure-rand's next() (stepState), as uniform() takes them
    const hi = (s00 + s10) | 0;
    let a0 = s10 ^ s00;
    let a1 = s11 ^ s01;
    let t00 = s00;
    let t01 = s01;
    s00 = (t00 << 24) ^ (t01 >>> 8) ^ a0 ^ (a0 << 16);
    s01 = (t01 << 24) ^ (t00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16));
    s10 = (a1 << 5) ^ (a0 >>> 27);
    s11 = (a0 << 5) ^ (a1 >>> 27);
    const lo = (s00 + s10) | 0;
    a0 = s10 ^ s00;
    a1 = s11 ^ s01;
    t00 = s00;
    t01 = s01;
    s00 = (t00 << 24) ^ (t01 >>> 8) ^ a0 ^ (a0 << 16);
    s01 = (t01 << 24) ^ (t00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16));
    s10 = (a1 << 5) ^ (a0 >>> 27);
    s11 = (a0 << 5) ^ (a1 >>> 27);
    out[i] = ((hi >>> 5) * TWO_POW_26 + (lo >>> 6)) * TWO_POW_MINUS_53;
  }
  state[0] = s00;
  state[1] = s01;
  state[2] = s10;
  state[3] = s11;
}

/**
 * Fills out[from … to) with the uniforms of `gen` (a pure-rand xoroshiro128+ generator, whose
 * state fields are read and written back): the numbers and final state of (to − from) uniform()
 * calls. Only when {@link XOROSHIRO_STATE_READABLE}.
 */
export function fillFromGenerator(gen: object, out: Float64Array, from: number, to: number): void {
  const g = gen as XoroshiroState;
  fillState[0] = g.s00;
  fillState[1] = g.s01;
  fillState[2] = g.s10;
  fillState[3] = g.s11;
  fillFromState(fillState, out, from, to);
  g.s00 = fillState[0];
  g.s01 = fillState[1];
  g.s10 = fillState[2];
  g.s11 = fillState[3];
}
