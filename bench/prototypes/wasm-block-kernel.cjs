// Prototype, measured for bench/RESULTS.md (agreement): the 4-prompt × 4-k block update of
// lib/interference.ts conflictProfile as a hand-assembled WebAssembly SIMD (f64x2) function, against
// the same block update in plain JS. Not used by the library. Run: node bench/prototypes/wasm-block-kernel.cjs
"use strict";
// ── JS reference: G[s, :] += Σ_{t<4} coef[t, s]·row_t, 4 prompts × 4 values of k per pass (as addRowBlock4) ──
function block(gradP, p, mass, d, K, lo, hi, G) {
  const C = new Float64Array(4 * K);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    for (let r = 0; r < 4; r++) { const q = 1 - p[i + r]; let pow = 1; const m = mass[i + r]; for (let s = 0; s < K; s++) { C[r * K + s] = m * (s + 1) * pow; pow *= q; } }
    const b0 = i * d, b1 = b0 + d, b2 = b1 + d, b3 = b2 + d; const K2 = 2 * K, K3 = 3 * K;
    let s = 0;
    for (; s + 3 < K; s += 4) {
      const a0 = C[s], a1 = C[K + s], a2 = C[K2 + s], a3 = C[K3 + s];
      const e0 = C[s + 1], e1 = C[K + s + 1], e2 = C[K2 + s + 1], e3 = C[K3 + s + 1];
      const f0 = C[s + 2], f1 = C[K + s + 2], f2 = C[K2 + s + 2], f3 = C[K3 + s + 2];
      const h0 = C[s + 3], h1 = C[K + s + 3], h2 = C[K2 + s + 3], h3 = C[K3 + s + 3];
      const ga = s * d, ge = ga + d, gf = ge + d, gh = gf + d;
      for (let j = 0; j < d; j++) {
        const r0 = gradP[b0 + j], r1 = gradP[b1 + j], r2 = gradP[b2 + j], r3 = gradP[b3 + j];
        G[ga + j] += a0 * r0 + a1 * r1 + a2 * r2 + a3 * r3;
        G[ge + j] += e0 * r0 + e1 * r1 + e2 * r2 + e3 * r3;
        G[gf + j] += f0 * r0 + f1 * r1 + f2 * r2 + f3 * r3;
        G[gh + j] += h0 * r0 + h1 * r1 + h2 * r2 + h3 * r3;
      }
    }
  }
  return G;
}
// ── the wasm module, assembled byte by byte (no toolchain needed). Assumes K % 4 = 0 and d even
// (64 and 64 here); a library version needs the tails, as addRowBlock4 has. ──
const uleb = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const sleb = (n) => { const o = []; for (;;) { let b = n & 0x7f; n >>= 7; const done = (n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40)); if (!done) b |= 0x80; o.push(b); if (done) return o; } };
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, body) => [id, ...uleb(body.length), ...body];
const I32 = 0x7f, V128 = 0x7b;
// locals: params 0 rowPtr,1 coefPtr,2 gPtr,3 d,4 K ; i32 locals 5 s,6 jb,7 db,8 kb,9 cs,10..13 c_t,14..17 g_u ; v128 18..33 a_tu, 34..37 r_t
const get = (i) => [0x20, ...uleb(i)], set = (i) => [0x21, ...uleb(i)];
const i32c = (n) => [0x41, ...sleb(n)];
const add = [0x6a], mul = [0x6c], shl = [0x74], ltS = [0x48], geS = [0x4e];
const f64load = (off) => [0x2b, 3, ...uleb(off)];
const vload = [0xfd, ...uleb(0), 4, 0], vstore = [0xfd, ...uleb(11), 4, 0];
const splat = [0xfd, ...uleb(20)], fadd = [0xfd, ...uleb(240)], fmul = [0xfd, ...uleb(242)];
const code = [];
const emit = (...xs) => xs.forEach((x) => code.push(...x));
emit(get(3), i32c(3), shl, set(7)); // db = d*8
emit(get(4), i32c(3), shl, set(8)); // kb = K*8
emit(i32c(0), set(5));
emit([0x02, 0x40], [0x03, 0x40]); // block loop
emit(get(5), get(4), geS, [0x0d, 1]); // if s >= K break
emit(get(1), get(5), i32c(3), shl, add, set(9)); // cs = coefPtr + s*8
for (let t = 0; t < 4; t++) emit(get(9), get(8), i32c(t), mul, add, set(10 + t)); // c_t = cs + t*kb
for (let t = 0; t < 4; t++) for (let u = 0; u < 4; u++) emit(get(10 + t), f64load(u * 8), splat, set(18 + t * 4 + u));
for (let u = 0; u < 4; u++) emit(get(2), get(5), i32c(u), add, get(7), mul, add, set(14 + u)); // g_u = gPtr + (s+u)*db
emit(i32c(0), set(6));
emit([0x03, 0x40]); // loop J
for (let t = 0; t < 4; t++) emit(get(0), get(7), i32c(t), mul, add, get(6), add, vload, set(34 + t));
for (let u = 0; u < 4; u++) {
  emit(get(14 + u), get(6), add); // address
  emit(get(14 + u), get(6), add, vload);
  for (let t = 0; t < 4; t++) emit(get(18 + t * 4 + u), get(34 + t), fmul, fadd);
  emit(vstore);
}
emit(get(6), i32c(16), add, set(6), get(6), get(7), ltS, [0x0d, 0]); // jb += 16; loop while jb < db
emit([0x0b]); // end loop J
emit(get(5), i32c(4), add, set(5), [0x0c, 0]); // s += 4; continue S
emit([0x0b], [0x0b]); // end loop S, end block
emit([0x0b]); // end function
const locals = vec([[...uleb(13), I32], [...uleb(20), V128]]);
const body = [...locals, ...code];
const mod = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0]])),
  ...section(2, vec([[...vec("env".split("").map((c) => [c.charCodeAt(0)])), ...vec("mem".split("").map((c) => [c.charCodeAt(0)])), 0x02, 0x00, ...uleb(256)]])),
  ...section(3, vec([[0]])),
  ...section(7, vec([[...vec("block".split("").map((c) => [c.charCodeAt(0)])), 0x00, 0]])),
  ...section(10, vec([[...uleb(body.length), ...body]])),
];
const bytes = new Uint8Array(mod);
// ── measurement: N = 20 000, d = 64, K = 64 (the agreement workload) ──
const N = 20000, d = 64, K = 64;
const memory = new WebAssembly.Memory({ initial: 256 }); // 16 MiB
const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
const f64 = new Float64Array(memory.buffer);
const rowOff = 0, coefOff = N * d, gOff = N * d + 4 * K; // in doubles
const gradP = f64.subarray(rowOff, rowOff + N * d), C = f64.subarray(coefOff, coefOff + 4 * K), G = f64.subarray(gOff, gOff + K * d);
const p = new Float64Array(N), mass = new Float64Array(N).fill(1 / N);
for (let i = 0; i < N * d; i++) gradP[i] = Math.sin(i); for (let i = 0; i < N; i++) p[i] = (i * 0.618) % 1;
function wasmProfile() {
  G.fill(0);
  for (let i = 0; i < N; i += 4) {
    for (let r = 0; r < 4; r++) { const q = 1 - p[i + r]; let pow = 1; const m = mass[i + r]; for (let s = 0; s < K; s++) { C[r * K + s] = m * (s + 1) * pow; pow *= q; } }
    inst.exports.block(8 * (rowOff + i * d), 8 * coefOff, 8 * gOff, d, K);
  }
  return G;
}
const js = () => block(gradP, p, mass, d, K, 0, N, new Float64Array(K * d));
const ref = js(); const out = wasmProfile();
let e = 0; for (let q = 0; q < ref.length; q++) e = Math.max(e, Math.abs(out[q] - ref[q]) / (Math.abs(ref[q]) + 1e-30));
console.log("max rel diff wasm vs js", e.toExponential(1));
const tj = [], tw = [];
for (let r = 0; r < 25; r++) { let t = performance.now(); js(); tj.push(performance.now() - t); t = performance.now(); wasmProfile(); tw.push(performance.now() - t); }
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log("JS 4x4 kernel median", med(tj.slice(3)).toFixed(1), "ms (min", Math.min(...tj).toFixed(1) + "); wasm SIMD median", med(tw.slice(3)).toFixed(1), "ms (min", Math.min(...tw).toFixed(1) + ")");
const src = Float64Array.from(gradP);
const tc = [];
for (let r = 0; r < 25; r++) { const t = performance.now(); gradP.set(src); wasmProfile(); tc.push(performance.now() - t); }
console.log("wasm SIMD incl. copying ∇p (10 MB) into wasm memory: median", med(tc.slice(3)).toFixed(1), "ms");
