/**
 * Seeded, splittable random numbers — the only source of randomness in lib/.
 *
 * Built on pure-rand's xoroshiro128+ generator (`pure-rand/generator/xoroshiro128plus`).
 * Two deliberate departures from pure-rand's own helpers, both about xoroshiro128+'s weak
 * low bits (its lowest output bits are linear-feedback sequences):
 * - `uniform()` assembles its 53 bits from the *high* 27 + 26 bits of two outputs
 *   (pure-rand's `uniformFloat64` masks the low bits);
 * - seeds and `split()` children get a full 128-bit state hashed through a SplitMix-style
 *   mixer, so nearby seeds (1, 2, 3, …) do not start on correlated states.
 * `split()` uses hashing rather than `jump()`: jumping gives provably disjoint streams only for
 * a flat list of streams; for split trees (a child that splits again) jumped children land on
 * shifted copies of each other's sequences. A hashed 128-bit state lands at an effectively
 * random point of the 2^128 − 1 cycle (the approach of SplitMix and numpy's SeedSequence).
 */
import { checkFinite, checkInteger, checkPositive, checkProbability, show } from "./validate";
import { fillFromGenerator, XOROSHIRO_STATE_READABLE } from "./rngFill";

/** A module-local binding (tsx's CommonJS interop calls imported functions through a getter). */
const fillFrom = fillFromGenerator;

/**
 * The part of pure-rand's JumpableRandomGenerator we use (typed locally: see the require below).
 */
interface XoroshiroGenerator {
  /** Next 32-bit output, a signed int in [−2^31, 2^31). */
  next(): number;
}

// pure-rand 8 exposes its modules only through package.json "exports"; the TypeScript used
// here (and by the notebook kernel) resolves modules "node10"-style, which ignores "exports".
// Node's require honours it, so we load the generator at runtime and type it locally.

const { xoroshiro128plusFromState } = require("pure-rand/generator/xoroshiro128plus") as {
  xoroshiro128plusFromState(state: readonly number[]): XoroshiroGenerator;
};

/** A seeded stream of random numbers. Same seed ⇒ same sequence, on every platform. */
export interface Rng {
  /** Uniform on [0, 1), a multiple of 2^−53 (53 random bits). */
  uniform(): number;
  /**
   * The next `count` uniform() values into out[offset … offset + count), in order: the same
   * numbers, and the same state afterwards, as `count` calls of uniform(). Returns `out`.
   */
  fillUniform(out: Float64Array, offset?: number, count?: number): Float64Array;
  /** Normal(mean, sd²); defaults to the standard normal. */
  normal(mean?: number, sd?: number): number;
  /** true with probability p. */
  bernoulli(p: number): boolean;
  /** Uniform integer in {lo, …, hiInclusive} (exact, no modulo bias). */
  int(lo: number, hiInclusive: number): number;
  /** Index i with probability probs[i] / Σ probs (non-negative weights, positive sum). */
  categorical(probs: ArrayLike<number>): number;
  /** Gamma(shape, scale) with density ∝ x^{shape−1} e^{−x/scale}; mean shape·scale. */
  gamma(shape: number, scale?: number): number;
  /** Beta(a, b); mean a / (a + b). Accurate for small a, b (computed through log-gammas). */
  beta(a: number, b: number): number;
  /** Binomial(n, p): number of successes in n Bernoulli(p) trials. */
  binomial(n: number, p: number): number;
  /** A new, statistically independent stream; advances this one. */
  split(): Rng;
}

const TWO_POW_26 = 67108864;
const TWO_POW_MINUS_53 = 1.1102230246251565e-16;
const TWO_POW_53 = 9007199254740992;
/** Below this n, binomial() counts n uniforms directly (exact); above it, it halves n first. */
const BINOMIAL_DIRECT_MAX = 64;

/** SplitMix32-style finaliser (murmur3 fmix32 after a golden-ratio increment). */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

/** Four hashed 32-bit words from two input words; never the all-zero state. */
function hashedState(lo: number, hi: number): number[] {
  const state: number[] = [];
  let s = mix32(lo ^ mix32(hi));
  for (let i = 0; i < 4; i++) {
    s = mix32(s + i * 0x632be5ab);
    state.push(s);
  }
  if (state.every((w) => w === 0)) state[0] = 1;
  return state;
}

class XoroshiroRng implements Rng {
  /** See the end of the module (held by the class, which createRng holds). */
  static keepMapsAlive: Rng | undefined;
  private readonly gen: XoroshiroGenerator;
  private spareNormal = 0;
  private hasSpareNormal = false;

  constructor(state: readonly number[]) {
    this.gen = xoroshiro128plusFromState(state);
  }

  uniform(): number {
    const a = this.gen.next() >>> 5; // high 27 bits
    const b = this.gen.next() >>> 6; // high 26 bits
    return (a * TWO_POW_26 + b) * TWO_POW_MINUS_53;
  }

  fillUniform(out: Float64Array, offset = 0, count = out.length - offset): Float64Array {
    if (!(out instanceof Float64Array))
      throw new TypeError(`Rng.fillUniform: out must be a Float64Array, got ${show(out)}`);
    checkInteger("Rng.fillUniform", "offset", offset, 0);
    checkInteger("Rng.fillUniform", "count", count, 0);
    if (offset + count > out.length) {
      throw new RangeError(
        `Rng.fillUniform: offset + count must be ≤ out.length = ${out.length}, got ${offset + count}`,
      );
    }
    const end = offset + count;
    if (!XOROSHIRO_STATE_READABLE) {
      for (let i = offset; i < end; i++) out[i] = this.uniform();
      return out;
    }
    fillFrom(this.gen, out, offset, end);
    return out;
  }

  /** Uniform on (0, 1]: safe under log. */
  private uniformPositive(): number {
    return 1 - this.uniform();
  }

  normal(mean = 0, sd = 1): number {
    if (mean !== 0) checkFinite("Rng.normal", "mean", mean);
    if (sd !== 1) {
      checkFinite("Rng.normal", "sd", sd);
      if (sd < 0) throw new RangeError(`Rng.normal: sd must be ≥ 0, got ${show(sd)}`);
    }
    return mean + sd * this.standardNormal();
  }

  /** Marsaglia's polar method; the second variate of each pair is kept for the next call. */
  private standardNormal(): number {
    if (this.hasSpareNormal) {
      this.hasSpareNormal = false;
      return this.spareNormal;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    this.hasSpareNormal = true;
    return u * f;
  }

  bernoulli(p: number): boolean {
    checkProbability("Rng.bernoulli", "p", p);
    return this.uniform() < p;
  }

  int(lo: number, hiInclusive: number): number {
    checkInteger("Rng.int", "lo", lo, -Number.MAX_SAFE_INTEGER);
    checkInteger("Rng.int", "hiInclusive", hiInclusive, lo);
    const range = hiInclusive - lo + 1;
    if (range > TWO_POW_53) {
      throw new RangeError(`Rng.int: hiInclusive − lo + 1 must be ≤ 2^53, got ${show(range)}`);
    }
    // Rejection on a 53-bit integer: exact uniformity for any range ≤ 2^53.
    const limit = Math.floor(TWO_POW_53 / range) * range;
    let u: number;
    do {
      u = this.uniform() * TWO_POW_53;
    } while (u >= limit);
    return lo + (u % range);
  }

  categorical(probs: ArrayLike<number>): number {
    const K = probs == null ? 0 : probs.length;
    if (K === 0)
      throw new RangeError(`Rng.categorical: probs must be a non-empty array, got ${show(probs)}`);
    let total = 0;
    for (let i = 0; i < K; i++) {
      const w = probs[i];
      if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
        throw new RangeError(
          `Rng.categorical: probs[${i}] must be a finite number ≥ 0, got ${show(w)}`,
        );
      }
      total += w;
    }
    if (!(total > 0))
      throw new RangeError(`Rng.categorical: probs must have a positive sum, got ${show(probs)}`);
    const target = this.uniform() * total;
    let acc = 0;
    let last = 0;
    for (let i = 0; i < K; i++) {
      if (probs[i] === 0) continue;
      acc += probs[i];
      last = i;
      if (target < acc) return i;
    }
    return last; // rounding: target ≥ the computed sum; return the last index with positive weight
  }

  gamma(shape: number, scale = 1): number {
    checkPositive("Rng.gamma", "shape", shape);
    if (scale !== 1) checkPositive("Rng.gamma", "scale", scale);
    return scale * Math.exp(this.logGammaVariate(shape));
  }

  /**
   * log of a Gamma(shape, 1) draw. Marsaglia & Tsang (2000) for shape ≥ 1; for shape < 1 the
   * boost G(shape) = G(shape + 1)·U^{1/shape}, kept in log space so that tiny shapes
   * (whose draws underflow to 0) still give usable Beta draws.
   */
  private logGammaVariate(shape: number): number {
    if (shape < 1)
      return this.logGammaVariate(shape + 1) + Math.log(this.uniformPositive()) / shape;
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.standardNormal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniformPositive();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return Math.log(d * v);
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return Math.log(d * v);
    }
  }

  beta(a: number, b: number): number {
    checkPositive("Rng.beta", "a", a);
    checkPositive("Rng.beta", "b", b);
    return this.betaUnchecked(a, b);
  }

  /** X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b), as 1/(1 + e^{log Y − log X}). */
  private betaUnchecked(a: number, b: number): number {
    const lx = this.logGammaVariate(a);
    const ly = this.logGammaVariate(b);
    return 1 / (1 + Math.exp(ly - lx));
  }

  binomial(n: number, p: number): number {
    checkInteger("Rng.binomial", "n", n, 0);
    checkProbability("Rng.binomial", "p", p);
    let successes = 0;
    let m = n;
    let q = p;
    // Knuth (TAOCP 3.4.1, ex. 27): the a-th smallest of m uniforms is Beta(a, m + 1 − a);
    // condition on it to halve m. Exact in distribution; O(log n) Beta draws.
    while (m > BINOMIAL_DIRECT_MAX) {
      const a = 1 + (m >> 1);
      const b = m + 1 - a;
      const x = this.betaUnchecked(a, b);
      if (x >= q) {
        m = a - 1;
        q = q / x;
      } else {
        successes += a;
        m = b - 1;
        q = (q - x) / (1 - x);
      }
    }
    for (let i = 0; i < m; i++) if (this.uniform() < q) successes++;
    return successes;
  }

  split(): Rng {
    const w0 = this.gen.next();
    const w1 = this.gen.next();
    const w2 = this.gen.next();
    const w3 = this.gen.next();
    const state = [
      mix32(w0 ^ 0x3c6ef372),
      mix32(w1 ^ 0x1b873593),
      mix32(w2 ^ 0x5bd1e995),
      mix32(w3 ^ 0x27d4eb2f),
    ];
    if (state.every((w) => w === 0)) state[0] = 1;
    return new XoroshiroRng(state);
  }
}

/**
 * A seeded random stream (xoroshiro128+ from pure-rand, 128-bit state hashed from the seed).
 *
 * @param seed any safe integer; the same seed gives the same sequence.
 * @example
 * const rng = createRng(42);
 * rng.uniform(); // => 0.10071186295901158 (on every run and platform)
 * const child = rng.split(); // an independent stream
 */
export function createRng(seed: number): Rng {
  checkInteger("createRng", "seed", seed, -Number.MAX_SAFE_INTEGER);
  const lo = seed | 0;
  const hi = Math.floor(seed / 4294967296) | 0;
  return new XoroshiroRng(hashedState(lo, hi));
}

/**
 * One stream kept alive for the life of the module, after a draw of each kind. V8 reaches the
 * maps (hidden classes) of a generator's fields through weak transitions only: when every
 * stream has died (a fresh createRng per step, then a full GC), the maps were collected and all
 * optimized code that had checked them — fillUniform, uniform, the samplers that inline them —
 * was thrown away at that GC ("weak objects"), so the next step ran unoptimized (bench/RESULTS.md,
 * issue 17, sampled-step). Holding one instance keeps the maps; it never changes any other
 * stream's numbers.
 */
XoroshiroRng.keepMapsAlive = createRng(0);
XoroshiroRng.keepMapsAlive.fillUniform(new Float64Array(2));
XoroshiroRng.keepMapsAlive.uniform();
XoroshiroRng.keepMapsAlive.normal();
