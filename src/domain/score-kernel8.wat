;; The 8-bit first pass of 1:N search (src/domain/score-kernel.ts, simdScores8). Assembled with
;; wabt's wat2wasm (npm package wabt, SIMD enabled) and kept there as base64.
(module
  (memory (export "memory") 1)
  ;; scores8(probe, matrix, rows, dim, out): probe is dim i16 (pre-widened), matrix rows x dim i8, out rows i32.
  (func (export "scores8") (param $probe i32) (param $matrix i32) (param $rows i32) (param $dim i32) (param $out i32)
    (local $r i32) (local $i i32) (local $j i32) (local $acc v128) (local $m v128)
    (block $done
      (br_if $done (i32.eqz (local.get $rows)))
      (loop $row
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (local.set $j (local.get $probe))
        (loop $inner
          (local.set $m (v128.load (i32.add (local.get $matrix) (local.get $i))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (v128.load (local.get $j)) (i16x8.extend_low_i8x16_s (local.get $m)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $j)) (i16x8.extend_high_i8x16_s (local.get $m)))))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $inner (i32.lt_u (local.get $i) (local.get $dim))))
        (i32.store (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $matrix (i32.add (local.get $matrix) (local.get $dim)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $row (i32.lt_u (local.get $r) (local.get $rows)))))))
