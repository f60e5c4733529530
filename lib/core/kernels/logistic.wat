;; The logistic population of our toy (lib/sim/policies.ts LogisticPolicy.population, d = 2) in
;; WebAssembly SIMD: two prompts per f64x2 vector. Source of lib/core/kernels/logisticWasm.ts
;; (regenerate: npm run build:wasm).
;;
;; For prompts x with features ψ(x) = (f0, f1) and sign ±1 (+1 when action 1 is correct):
;;
;;   z = (0 + θ0·f0) + θ1·f1,  e = exp(−|z|),  big = 1/(1 + e),  small = e/(1 + e),
;;   p = big if sign·z ≥ 0 else small,  g = (sign·big)·small,  ∇p = (g·f0, g·f1)
;;
;; — the JS loop's operations in its order. exp is fdlibm's __ieee754_exp (the algorithm V8's
;; Math.exp runs, base/ieee754.cc), written for x = −|z| ≤ 0 with its three argument ranges
;; chosen per lane by bitselect: |x| < 0.5·ln2 (k = 0; |x| < 2^−28 gives 1 + x), |x| < 1.5·ln2
;; (k = −1), else k = trunc(x/ln2 − 0.5); then the same polynomial and the same final
;; expression, and 2^k applied by a multiplication (exact: k ≥ −1021 and y ≥ 1/2 keep it normal,
;; where fdlibm adds k to the exponent bits). Every f64x2 operation rounds each lane as the scalar
;; operation does and there is no fused multiply-add, so p and ∇p equal the JS loop's bit for bit
;; (tests/kernels.test.ts). Lanes with |z| ≥ 708 or z not finite are not computed exactly here:
;; the function then returns a nonzero count (1 or 2: in which lanes it happened), and the caller
;; uses the JS loop instead.
;;
;; Memory is the importer's ("env" "memory"); arguments are byte addresses of float64 arrays:
;;   $F  features, 2 doubles per prompt;  $S  the signs (±1.0);  $P  p (out);  $GP  ∇p (out, 2 per
;;   prompt); $pairs prompts / 2 (an odd last prompt is left to the caller).
(module
  (import "env" "memory" (memory 1))

  (func (export "population2")
    (param $F i32) (param $S i32) (param $P i32) (param $GP i32) (param $pairs i32)
    (param $t0 f64) (param $t1 f64)
    (result i32)
    (local $i i32)
    (local $T0 v128) (local $T1 v128)
    (local $a v128) (local $b v128) (local $f0 v128) (local $f1 v128)
    (local $z v128) (local $x v128) (local $ax v128) (local $sign v128)
    (local $general v128) (local $middle v128) (local $kzero v128) (local $tiny v128)
    (local $kf v128) (local $hi v128) (local $lo v128) (local $xr v128) (local $t v128)
    (local $c v128) (local $y v128) (local $e v128) (local $den v128) (local $big v128)
    (local $small v128) (local $g v128) (local $bad v128)
    (local.set $T0 (f64x2.splat (local.get $t0)))
    (local.set $T1 (f64x2.splat (local.get $t1)))
    (local.set $bad (v128.const i64x2 0 0))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        ;; two rows (f0, f1) → f0 = (f0_a, f0_b), f1 = (f1_a, f1_b)
        (local.set $a (v128.load (local.get $F)))
        (local.set $b (v128.load offset=16 (local.get $F)))
        (local.set $f0 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (local.get $a) (local.get $b)))
        (local.set $f1 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
          (local.get $a) (local.get $b)))
        ;; z = (0 + θ0·f0) + θ1·f1
        (local.set $z (f64x2.add
          (f64x2.add (v128.const f64x2 0 0) (f64x2.mul (local.get $T0) (local.get $f0)))
          (f64x2.mul (local.get $T1) (local.get $f1))))
        (local.set $ax (f64x2.abs (local.get $z)))
        (local.set $x (f64x2.neg (local.get $ax)))
        ;; |z| ≥ 708, or NaN: counted, left to the caller
        (local.set $bad (v128.or (local.get $bad)
          (v128.not (f64x2.lt (local.get $ax) (v128.const f64x2 708 708)))))
        ;; fdlibm's ranges (by its high-word tests): general |x| ≥ 1.5·ln2 (0x3ff0a2b2 00000000),
        ;; middle |x| ≥ 0.5·ln2 (0x3fd62e43 00000000), tiny |x| < 2^−28
        (local.set $general (f64x2.ge (local.get $ax)
          (v128.const f64x2 1.0397205352783203 1.0397205352783203)))
        (local.set $middle (v128.andnot
          (f64x2.ge (local.get $ax) (v128.const f64x2 0.3465735912322998 0.3465735912322998))
          (local.get $general)))
        (local.set $kzero (v128.not (v128.or (local.get $general) (local.get $middle))))
        (local.set $tiny (f64x2.lt (local.get $ax)
          (v128.const f64x2 3.725290298461914e-9 3.725290298461914e-9)))
        ;; k = (int)(invln2·x − 0.5) (general), −1 (middle), 0
        (local.set $kf (v128.bitselect
          (f64x2.trunc (f64x2.sub
            (f64x2.mul (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00)
              (local.get $x))
            (v128.const f64x2 0.5 0.5)))
          (v128.and (local.get $middle) (v128.const f64x2 -1 -1))
          (local.get $general)))
        ;; hi = x − k·ln2HI (general), x + ln2HI (middle: x − ln2HI[1]); lo = k·ln2LO, −ln2LO
        (local.set $hi (v128.bitselect
          (f64x2.sub (local.get $x) (f64x2.mul (local.get $kf)
            (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01)))
          (f64x2.add (local.get $x)
            (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
          (local.get $general)))
        (local.set $lo (v128.bitselect
          (f64x2.mul (local.get $kf)
            (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
          (v128.const f64x2 -1.90821492927058770002e-10 -1.90821492927058770002e-10)
          (local.get $general)))
        ;; the reduced argument: hi − lo, or x itself when k = 0
        (local.set $xr (v128.bitselect (local.get $x)
          (f64x2.sub (local.get $hi) (local.get $lo)) (local.get $kzero)))
        ;; c = x − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5)))), t = x²
        (local.set $t (f64x2.mul (local.get $xr) (local.get $xr)))
        (local.set $c (f64x2.sub (local.get $xr) (f64x2.mul (local.get $t)
          (f64x2.add (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01)
          (f64x2.mul (local.get $t)
          (f64x2.add (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03)
          (f64x2.mul (local.get $t)
          (f64x2.add (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05)
          (f64x2.mul (local.get $t)
          (f64x2.add (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06)
          (f64x2.mul (local.get $t)
            (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))))))))))))
        ;; k = 0: 1 − ((x·c)/(c − 2) − x);  else 1 − ((lo − (x·c)/(2 − c)) − hi)
        (local.set $y (v128.bitselect
          (f64x2.sub (v128.const f64x2 1 1)
            (f64x2.sub
              (f64x2.div (f64x2.mul (local.get $xr) (local.get $c))
                (f64x2.sub (local.get $c) (v128.const f64x2 2 2)))
              (local.get $xr)))
          (f64x2.sub (v128.const f64x2 1 1)
            (f64x2.sub
              (f64x2.sub (local.get $lo)
                (f64x2.div (f64x2.mul (local.get $xr) (local.get $c))
                  (f64x2.sub (v128.const f64x2 2 2) (local.get $c))))
              (local.get $hi)))
          (local.get $kzero)))
        ;; e = y·2^k (2^k from its bits: (k + 1023) << 52), or 1 + x when tiny
        (local.set $e (v128.bitselect
          (f64x2.add (v128.const f64x2 1 1) (local.get $x))
          (f64x2.mul (local.get $y)
            (i64x2.shl
              (i64x2.add
                (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $kf)))
                (v128.const i64x2 1023 1023))
              (i32.const 52)))
          (local.get $tiny)))
        ;; σ without overflow, p by the sign of sign·z, g = (sign·big)·small
        (local.set $den (f64x2.add (v128.const f64x2 1 1) (local.get $e)))
        (local.set $big (f64x2.div (v128.const f64x2 1 1) (local.get $den)))
        (local.set $small (f64x2.div (local.get $e) (local.get $den)))
        (local.set $sign (v128.load (local.get $S)))
        (v128.store (local.get $P) (v128.bitselect (local.get $big) (local.get $small)
          (f64x2.ge (f64x2.mul (local.get $sign) (local.get $z)) (v128.const f64x2 0 0))))
        (local.set $g (f64x2.mul (f64x2.mul (local.get $sign) (local.get $big))
          (local.get $small)))
        (local.set $a (f64x2.mul (local.get $g) (local.get $f0)))
        (local.set $b (f64x2.mul (local.get $g) (local.get $f1)))
        (v128.store (local.get $GP) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (local.get $a) (local.get $b)))
        (v128.store offset=16 (local.get $GP) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
          (local.get $a) (local.get $b)))
        (local.set $F (i32.add (local.get $F) (i32.const 32)))
        (local.set $GP (i32.add (local.get $GP) (i32.const 32)))
        (local.set $S (i32.add (local.get $S) (i32.const 16)))
        (local.set $P (i32.add (local.get $P) (i32.const 16)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pair)))
    ;; nonzero when some lane was not computed exactly
    (i32.sub (i32.const 0) (i32.add
      (i32x4.extract_lane 0 (local.get $bad)) (i32x4.extract_lane 2 (local.get $bad)))))
)
