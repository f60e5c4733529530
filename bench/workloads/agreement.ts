/**
 * `agreement`: N = 20 000 prompts, d = 64, given p (N) and ∇p (N × d): ∇J_1, the agreement
 * scores a(x) = ⟨∇p(x), ∇J_1⟩, and for k = 1..64 ⟨∇J_k,∇J_1⟩, ‖∇J_k‖ and the cosine
 * (lib/theory/interference.ts conflictProfile, which returns ∇J_1 and a(x) with the profile).
 */
import { conflictProfile, type ConflictProfile } from "../../lib/theory/interference";
import { blockUpdate } from "../../lib/core/kernels/blockUpdate";
import { createRng } from "../../lib/core/rng";
import type { Population } from "../../lib/core/types";
import type { Params, Workload } from "./types";

/**
 * A seeded population with interference: uniform masses, p ~ U(0, 1), and
 * ∇p(x) = p(1−p)·(σ(x)·u + z(x)) with a shared unit direction u, σ = +1 for p > ½ (easy) and
 * −½ otherwise (hard, pulling against the easy ones), z ~ N(0, I_d/d). Timing does not depend
 * on the values; the shape makes the profile non-trivial (⟨∇J_k,∇J_1⟩ changes sign in k).
 */
export function makeInterferingPopulation(N: number, d: number, seed: number): Population {
  const rng = createRng(seed);
  const u = new Float64Array(d);
  let norm = 0;
  for (let j = 0; j < d; j++) {
    u[j] = rng.normal();
    norm += u[j] * u[j];
  }
  for (let j = 0; j < d; j++) u[j] /= Math.sqrt(norm);
  const mass = new Float64Array(N).fill(1 / N);
  const p = new Float64Array(N);
  const gradP = new Float64Array(N * d);
  const zScale = 1 / Math.sqrt(d);
  for (let i = 0; i < N; i++) {
    const pi = rng.uniform();
    p[i] = pi;
    const sign = pi > 0.5 ? 1 : -0.5;
    const scale = pi * (1 - pi);
    for (let j = 0; j < d; j++) gradP[i * d + j] = scale * (sign * u[j] + zScale * rng.normal());
  }
  return { N, d, mass, p, gradP };
}

export interface AgreementResult {
  g1: Float64Array;
  a: Float64Array;
  profile: ConflictProfile;
}

/**
 * The timed work: ∇J_1, a(x), and the conflict profile over k = 1..kMax (one call: the profile
 * returns ∇J_1 and a).
 */
export function agreementProfile(pop: Population, ks: Float64Array): AgreementResult {
  const profile = conflictProfile(pop, ks);
  return { g1: profile.gradJ1, a: profile.agreement, profile };
}

export const workload: Workload<{ pop: Population; ks: Float64Array }, AgreementResult> = {
  name: "agreement",
  description:
    "∇J_1, agreement scores, ⟨∇J_k,∇J_1⟩, ‖∇J_k‖, cosine for k = 1..64; N = 20 000, d = 64",
  params: { N: 20_000, d: 64, kMax: 64 },
  runs: 9,
  warmup: 3,
  setup: (p: Params, seed: number) => ({
    pop: makeInterferingPopulation(Number(p.N), Number(p.d), seed),
    ks: Float64Array.from({ length: Number(p.kMax) }, (_, s) => s + 1),
  }),
  run: ({ pop, ks }) => agreementProfile(pop, ks),
  summary: ({ g1, a, profile }) => {
    const K = profile.k.length;
    let sumA = 0;
    for (let i = 0; i < a.length; i++) sumA += a[i];
    let firstConflict: number | null = null;
    for (let s = 0; s < K && firstConflict === null; s++)
      if (profile.innerProduct[s] < 0) firstConflict = profile.k[s];
    return {
      normGradJ1: Math.hypot(...g1),
      sumAgreement: sumA,
      firstConflictK: firstConflict,
      inner_k2: profile.innerProduct[Math.min(1, K - 1)],
      inner_kMax: profile.innerProduct[K - 1],
      normGradJk_kMax: profile.normGradJk[K - 1],
      cosine_kMax: profile.cosine[K - 1],
      passAtK_kMax: profile.passAtK[K - 1],
    };
  },
  exportInputs: ({ pop }) => ({ mass: pop.mass, p: pop.p, gradP: pop.gradP }),
  // Which block-update kernel conflictProfile ran (wasm unless PASSK_BLOCK_KERNEL=js or no
  // WebAssembly SIMD).
  extra: ({ pop, ks }) => ({ kernel: blockUpdate(pop.d, ks.length).kernel }),
};
