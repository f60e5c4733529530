;; The block update of conflictProfile (lib/theory/interference.ts) in WebAssembly SIMD: two doubles per
;; f64x2 vector. Source of lib/core/kernels/blockUpdateWasm.ts (regenerate: npm run build:wasm).
;;
;; For a chunk of prompts x_0, x_1, … taken four at a time, and every index s of the k grid
;; (s < K, the grid sorted), it adds
;;
;;   G[s, :] += C[x_0, s]·∇p(x_0) + C[x_1, s]·∇p(x_1) + C[x_2, s]·∇p(x_2) + C[x_3, s]·∇p(x_3)
;;
;; where C[x, s] = D(x)·w_k(p(x)) at k = k_s; summed over all prompts, G[s, :] = ∇J_k = E[w_k ∇p].
;; It is the same 4 prompts × 4 values of k register blocking as the JS kernel addRowBlock4
;; (lib/core/kernels/blockUpdate.ts), and every element of G gets the same operations in the same order,
;;
;;   G ← G + (((c_0·r_0 + c_1·r_1) + c_2·r_2) + c_3·r_3),
;;
;; so the two kernels return bit-identical results (f64x2.mul and f64x2.add round each lane as
;; f64.mul and f64.add do; there is no fused multiply-add).
;;
;; Memory is the importer's ("env" "memory"); arguments are byte addresses of float64 arrays:
;;   $R  the ∇p rows of the chunk, row-major, d doubles per prompt (4·$blocks rows)
;;   $C  the coefficients, row-major by prompt: C[x_t, s] at $C + 8·(t·K + s)
;;   $G  the K × d block, row-major (accumulated into, never cleared here)
;; Tails: when K mod 4 ≠ 0 the last K mod 4 rows of G are updated one at a time (4 prompts × 1 k);
;; when d is odd the last column is done in lane 0 alone (v128.load64_zero / v128.store64_lane).
;; A chunk whose prompt count is not a multiple of 4 leaves its last rows to the caller.
(module
  (import "env" "memory" (memory 1))

  (func (export "addBlocks")
    (param $R i32) (param $C i32) (param $G i32) (param $blocks i32) (param $d i32) (param $K i32)
    (local $rowBytes i32)  ;; 8·d: one ∇p row, one G row
    (local $pairBytes i32) ;; 8·(d − d mod 2): the part of a row covered by whole f64x2 vectors
    (local $kBytes i32)    ;; 8·K: one prompt's coefficients
    (local $b i32)         ;; block index
    (local $s i32)         ;; index into the k grid (row of G)
    (local $j i32)         ;; byte offset of the current column within a row
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) ;; rows ∇p(x_0..x_3)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) ;; &C[x_t, s] for t = 0..3
    (local $g0 i32) (local $g1 i32) (local $g2 i32) (local $g3 i32) ;; rows s..s+3 of G
    ;; $c{t}{u} = C[x_t, s + u] in both lanes; $x{t} = two consecutive columns of ∇p(x_t)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $c20 v128) (local $c21 v128) (local $c22 v128) (local $c23 v128)
    (local $c30 v128) (local $c31 v128) (local $c32 v128) (local $c33 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)

    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $pairBytes (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))
    (local.set $kBytes (i32.shl (local.get $K) (i32.const 3)))
    (local.set $r0 (local.get $R))
    (local.set $p0 (local.get $C))

    (block $allBlocksDone
      (loop $eachBlock
        (br_if $allBlocksDone (i32.ge_u (local.get $b) (local.get $blocks)))
        (local.set $r1 (i32.add (local.get $r0) (local.get $rowBytes)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $rowBytes)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $rowBytes)))
        (local.set $s (i32.const 0))

        ;; ── rows s..s+3 of G, while four remain ──
        (block $groupsDone
          (loop $eachGroup
            (br_if $groupsDone (i32.gt_u (i32.add (local.get $s) (i32.const 4)) (local.get $K)))
            (local.set $p1 (i32.add (local.get $p0) (local.get $kBytes)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $kBytes)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $kBytes)))
            (local.set $c00 (f64x2.splat (f64.load offset=0 (local.get $p0))))
            (local.set $c01 (f64x2.splat (f64.load offset=8 (local.get $p0))))
            (local.set $c02 (f64x2.splat (f64.load offset=16 (local.get $p0))))
            (local.set $c03 (f64x2.splat (f64.load offset=24 (local.get $p0))))
            (local.set $c10 (f64x2.splat (f64.load offset=0 (local.get $p1))))
            (local.set $c11 (f64x2.splat (f64.load offset=8 (local.get $p1))))
            (local.set $c12 (f64x2.splat (f64.load offset=16 (local.get $p1))))
            (local.set $c13 (f64x2.splat (f64.load offset=24 (local.get $p1))))
            (local.set $c20 (f64x2.splat (f64.load offset=0 (local.get $p2))))
            (local.set $c21 (f64x2.splat (f64.load offset=8 (local.get $p2))))
            (local.set $c22 (f64x2.splat (f64.load offset=16 (local.get $p2))))
            (local.set $c23 (f64x2.splat (f64.load offset=24 (local.get $p2))))
            (local.set $c30 (f64x2.splat (f64.load offset=0 (local.get $p3))))
            (local.set $c31 (f64x2.splat (f64.load offset=8 (local.get $p3))))
            (local.set $c32 (f64x2.splat (f64.load offset=16 (local.get $p3))))
            (local.set $c33 (f64x2.splat (f64.load offset=24 (local.get $p3))))
            (local.set $g0 (i32.add (local.get $G) (i32.mul (local.get $s) (local.get $rowBytes))))
            (local.set $g1 (i32.add (local.get $g0) (local.get $rowBytes)))
            (local.set $g2 (i32.add (local.get $g1) (local.get $rowBytes)))
            (local.set $g3 (i32.add (local.get $g2) (local.get $rowBytes)))
            (local.set $j (i32.const 0))
            (if (i32.lt_u (local.get $j) (local.get $pairBytes))
              (then
                (loop $eachPair
                  (local.set $x0 (v128.load align=8 (i32.add (local.get $r0) (local.get $j))))
                  (local.set $x1 (v128.load align=8 (i32.add (local.get $r1) (local.get $j))))
                  (local.set $x2 (v128.load align=8 (i32.add (local.get $r2) (local.get $j))))
                  (local.set $x3 (v128.load align=8 (i32.add (local.get $r3) (local.get $j))))
                  (v128.store align=8 (i32.add (local.get $g0) (local.get $j))
                    (f64x2.add (v128.load align=8 (i32.add (local.get $g0) (local.get $j)))
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add (f64x2.mul (local.get $c00) (local.get $x0)) (f64x2.mul (local.get $c10) (local.get $x1)))
                          (f64x2.mul (local.get $c20) (local.get $x2)))
                        (f64x2.mul (local.get $c30) (local.get $x3)))))
                  (v128.store align=8 (i32.add (local.get $g1) (local.get $j))
                    (f64x2.add (v128.load align=8 (i32.add (local.get $g1) (local.get $j)))
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add (f64x2.mul (local.get $c01) (local.get $x0)) (f64x2.mul (local.get $c11) (local.get $x1)))
                          (f64x2.mul (local.get $c21) (local.get $x2)))
                        (f64x2.mul (local.get $c31) (local.get $x3)))))
                  (v128.store align=8 (i32.add (local.get $g2) (local.get $j))
                    (f64x2.add (v128.load align=8 (i32.add (local.get $g2) (local.get $j)))
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add (f64x2.mul (local.get $c02) (local.get $x0)) (f64x2.mul (local.get $c12) (local.get $x1)))
                          (f64x2.mul (local.get $c22) (local.get $x2)))
                        (f64x2.mul (local.get $c32) (local.get $x3)))))
                  (v128.store align=8 (i32.add (local.get $g3) (local.get $j))
                    (f64x2.add (v128.load align=8 (i32.add (local.get $g3) (local.get $j)))
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add (f64x2.mul (local.get $c03) (local.get $x0)) (f64x2.mul (local.get $c13) (local.get $x1)))
                          (f64x2.mul (local.get $c23) (local.get $x2)))
                        (f64x2.mul (local.get $c33) (local.get $x3)))))
                  (local.set $j (i32.add (local.get $j) (i32.const 16)))
                  (br_if $eachPair (i32.lt_u (local.get $j) (local.get $pairBytes))))))
            ;; odd d: the last column, in lane 0 (lane 1 is zero and never stored)
            (if (i32.lt_u (local.get $j) (local.get $rowBytes))
              (then
                (local.set $x0 (v128.load64_zero align=8 (i32.add (local.get $r0) (local.get $j))))
                (local.set $x1 (v128.load64_zero align=8 (i32.add (local.get $r1) (local.get $j))))
                (local.set $x2 (v128.load64_zero align=8 (i32.add (local.get $r2) (local.get $j))))
                (local.set $x3 (v128.load64_zero align=8 (i32.add (local.get $r3) (local.get $j))))
                (v128.store64_lane align=8 0 (i32.add (local.get $g0) (local.get $j))
                  (f64x2.add (v128.load64_zero align=8 (i32.add (local.get $g0) (local.get $j)))
                    (f64x2.add
                      (f64x2.add
                        (f64x2.add (f64x2.mul (local.get $c00) (local.get $x0)) (f64x2.mul (local.get $c10) (local.get $x1)))
                        (f64x2.mul (local.get $c20) (local.get $x2)))
                      (f64x2.mul (local.get $c30) (local.get $x3)))))
                (v128.store64_lane align=8 0 (i32.add (local.get $g1) (local.get $j))
                  (f64x2.add (v128.load64_zero align=8 (i32.add (local.get $g1) (local.get $j)))
                    (f64x2.add
                      (f64x2.add
                        (f64x2.add (f64x2.mul (local.get $c01) (local.get $x0)) (f64x2.mul (local.get $c11) (local.get $x1)))
                        (f64x2.mul (local.get $c21) (local.get $x2)))
                      (f64x2.mul (local.get $c31) (local.get $x3)))))
                (v128.store64_lane align=8 0 (i32.add (local.get $g2) (local.get $j))
                  (f64x2.add (v128.load64_zero align=8 (i32.add (local.get $g2) (local.get $j)))
                    (f64x2.add
                      (f64x2.add
                        (f64x2.add (f64x2.mul (local.get $c02) (local.get $x0)) (f64x2.mul (local.get $c12) (local.get $x1)))
                        (f64x2.mul (local.get $c22) (local.get $x2)))
                      (f64x2.mul (local.get $c32) (local.get $x3)))))
                (v128.store64_lane align=8 0 (i32.add (local.get $g3) (local.get $j))
                  (f64x2.add (v128.load64_zero align=8 (i32.add (local.get $g3) (local.get $j)))
                    (f64x2.add
                      (f64x2.add
                        (f64x2.add (f64x2.mul (local.get $c03) (local.get $x0)) (f64x2.mul (local.get $c13) (local.get $x1)))
                        (f64x2.mul (local.get $c23) (local.get $x2)))
                      (f64x2.mul (local.get $c33) (local.get $x3)))))))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 32)))
            (local.set $s (i32.add (local.get $s) (i32.const 4)))
            (br $eachGroup)))

        ;; ── the last K mod 4 rows of G, one at a time ($c{t}0 = C[x_t, s]) ──
        (block $restDone
          (loop $eachRest
            (br_if $restDone (i32.ge_u (local.get $s) (local.get $K)))
            (local.set $p1 (i32.add (local.get $p0) (local.get $kBytes)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $kBytes)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $kBytes)))
            (local.set $c00 (f64x2.splat (f64.load (local.get $p0))))
            (local.set $c10 (f64x2.splat (f64.load (local.get $p1))))
            (local.set $c20 (f64x2.splat (f64.load (local.get $p2))))
            (local.set $c30 (f64x2.splat (f64.load (local.get $p3))))
            (local.set $g0 (i32.add (local.get $G) (i32.mul (local.get $s) (local.get $rowBytes))))
            (local.set $j (i32.const 0))
            (if (i32.lt_u (local.get $j) (local.get $pairBytes))
              (then
                (loop $eachRestPair
                  (v128.store align=8 (i32.add (local.get $g0) (local.get $j))
                    (f64x2.add (v128.load align=8 (i32.add (local.get $g0) (local.get $j)))
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add
                            (f64x2.mul (local.get $c00) (v128.load align=8 (i32.add (local.get $r0) (local.get $j))))
                            (f64x2.mul (local.get $c10) (v128.load align=8 (i32.add (local.get $r1) (local.get $j)))))
                          (f64x2.mul (local.get $c20) (v128.load align=8 (i32.add (local.get $r2) (local.get $j)))))
                        (f64x2.mul (local.get $c30) (v128.load align=8 (i32.add (local.get $r3) (local.get $j)))))))
                  (local.set $j (i32.add (local.get $j) (i32.const 16)))
                  (br_if $eachRestPair (i32.lt_u (local.get $j) (local.get $pairBytes))))))
            (if (i32.lt_u (local.get $j) (local.get $rowBytes))
              (then
                (v128.store64_lane align=8 0 (i32.add (local.get $g0) (local.get $j))
                  (f64x2.add (v128.load64_zero align=8 (i32.add (local.get $g0) (local.get $j)))
                    (f64x2.add
                      (f64x2.add
                        (f64x2.add
                          (f64x2.mul (local.get $c00) (v128.load64_zero align=8 (i32.add (local.get $r0) (local.get $j))))
                          (f64x2.mul (local.get $c10) (v128.load64_zero align=8 (i32.add (local.get $r1) (local.get $j)))))
                        (f64x2.mul (local.get $c20) (v128.load64_zero align=8 (i32.add (local.get $r2) (local.get $j)))))
                      (f64x2.mul (local.get $c30) (v128.load64_zero align=8 (i32.add (local.get $r3) (local.get $j)))))))))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 8)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $eachRest)))

        ;; next block: $p0 has walked across prompt x_0's K coefficients; skip x_1..x_3's
        (local.set $p0 (i32.add (local.get $p0) (i32.mul (local.get $kBytes) (i32.const 3))))
        (local.set $r0 (i32.add (local.get $r3) (local.get $rowBytes)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $eachBlock)))))
