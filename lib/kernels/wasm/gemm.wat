;; Matrix kernels for mnist-from-scratch, f32, in WebAssembly SIMD.
;;
;; All pointers are byte offsets into the imported memory; matrices are
;; row-major. `deno task build:wasm` assembles this file twice: once with
;; `(madd $acc OFFSET)` expanded to f32x4.relaxed_madd (a fused multiply-add
;; where the CPU has one) and once to f32x4.mul + f32x4.add (plain SIMD), and
;; embeds both in lib/wasm/gemm_wasm.ts. `(madd $acc OFFSET)` means
;;   $acc += $scale * v128.load(offset=OFFSET, $src)
;; i.e. four columns of one row of B, scaled by one entry of A;
;; `(madd $acc OFFSET $src2 $scale2)` does the same with another pointer and
;; scale. `(maddInto OFFSET $reg)` adds into memory instead:
;;   v128.store(offset=OFFSET, $dst, $scale * $reg + v128.load(offset=OFFSET, $dst))
;; `(swizzle $x $indices)` is i8x16.relaxed_swizzle in the relaxed build,
;; i8x16.swizzle in the plain one: the same bytes for indices below 16,
;; the only ones used.

;; The memory is shared so that a Worker can run the same kernels on other
;; rows of the same matrices (lib/wasm/worker.ts).
(module
  (import "env" "memory" (memory 1 65536 shared))
  ;; Where $touchRows leaves its sum, so that its loads are not dead code.
  (global $touched (mut i32) (i32.const 0))
  ;; Where this instance's $gather finds its compress patterns: written by
  ;; $writeCompressTable into the first 256 bytes of each `ab` call's
  ;; scratch (a global per instance, so per thread).
  (global $compress (mut i32) (i32.const 0))

  ;; out[m,n] = a[m,k] · b[k,n], or out += a · b when $accumulate is 1.
  ;; Rows of a are $aStride floats apart, rows of b and of out $stride
  ;; floats apart: k and n for whole matrices, more when the product covers
  ;; some of their columns (as when two threads split k).
  ;;
  ;; Rows of a with no zeros (random data, a dense gradient), six at a
  ;; time, go to $abDense6x8 for their first n - n mod 8 columns: each
  ;; vector of b it loads feeds six multiply-adds, where $abRow's loads
  ;; feed one. Every other row (and the last columns of the dense rows)
  ;; goes to $abRow, which skips zeros. A row with a zero (+0 or -0) never
  ;; goes to the dense kernel, so both compute each output with the same
  ;; multiply-adds in the same order, and the results do not depend on
  ;; which rows went where: a zero's 0·b would differ from skipping it
  ;; when b is infinite or NaN, or the sum so far is -0.
  ;;
  ;; Narrow outputs (5 to 12 columns, the last layer's 10; when
  ;; accumulating, only 8 or 12, so that no column is left to the scalar
  ;; sweep) go three rows at a time, zeros or not, to $abNarrow3, which
  ;; holds the whole output rows in registers and skips a's zeros without
  ;; gathering them; the last m mod 3 rows to $abRow.
  ;; scratch: 256 + 8·k bytes (the gather's compress table, then its
  ;; entries).
  (func $ab (export "ab")
    (param $a i32) (param $b i32) (param $out i32)
    (param $m i32) (param $k i32) (param $n i32)
    (param $aStride i32) (param $stride i32)
    (param $scratch i32) (param $accumulate i32)
    (local $i i32) (local $r i32) (local $rowBytes i32) (local $denseBytes i32)
    (local $aStrideBytes i32) (local $strideBytes i32) (local $vecEnd i32)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $denseBytes (i32.and (local.get $rowBytes) (i32.const -32)))
    (local.set $aStrideBytes (i32.shl (local.get $aStride) (i32.const 2)))
    (local.set $strideBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $vecEnd (select (result i32)
      (i32.and (local.get $rowBytes) (i32.const -16)) (local.get $rowBytes) (local.get $accumulate)))
    (call $writeCompressTable (local.get $scratch))
    (local.set $scratch (i32.add (local.get $scratch) (i32.const 256)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
        (if (i32.and
              (i32.and (i32.le_u (i32.add (local.get $i) (i32.const 3)) (local.get $m))
                (i32.ne (local.get $k) (i32.const 0)))
              (i32.and (i32.eq (local.get $vecEnd) (local.get $rowBytes))
                (i32.and (i32.gt_u (local.get $rowBytes) (i32.const 16))
                  (i32.le_u (local.get $rowBytes) (i32.const 48)))))
          (then
            (call $abNarrow3
              (local.get $a) (local.get $aStrideBytes) (local.get $b) (local.get $strideBytes)
              (local.get $out) (local.get $k) (local.get $rowBytes) (local.get $accumulate))
            (local.set $a (i32.add (local.get $a) (i32.mul (local.get $aStrideBytes) (i32.const 3))))
            (local.set $out (i32.add (local.get $out) (i32.mul (local.get $strideBytes) (i32.const 3))))
            (local.set $i (i32.add (local.get $i) (i32.const 3)))
            (br $rows)))
        (if (i32.and
              (i32.and (i32.le_u (i32.add (local.get $i) (i32.const 6)) (local.get $m))
                (i32.and (i32.ne (local.get $denseBytes) (i32.const 0)) (i32.ne (local.get $k) (i32.const 0))))
              (i32.eqz (call $anyZero
                (local.get $a) (local.get $aStrideBytes) (local.get $k) (i32.const 6))))
          (then
            (call $abDense6x8
              (local.get $a) (local.get $aStrideBytes) (local.get $b) (local.get $strideBytes)
              (local.get $out) (local.get $k) (local.get $denseBytes) (local.get $accumulate))
            (local.set $r (i32.const 0))
            (block $tailsDone
              (loop $tails
                (br_if $tailsDone (i32.or (i32.eq (local.get $r) (i32.const 6))
                  (i32.eq (local.get $denseBytes) (local.get $rowBytes))))
                (call $abRow
                  (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $aStrideBytes)))
                  (local.get $k) (local.get $b) (local.get $strideBytes)
                  (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $strideBytes)))
                  (local.get $rowBytes) (local.get $denseBytes) (local.get $scratch) (local.get $accumulate))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $tails)))
            (local.set $a (i32.add (local.get $a) (i32.mul (local.get $aStrideBytes) (i32.const 6))))
            (local.set $out (i32.add (local.get $out) (i32.mul (local.get $strideBytes) (i32.const 6))))
            (local.set $i (i32.add (local.get $i) (i32.const 6))))
          (else
            (call $abRow
              (local.get $a) (local.get $k) (local.get $b) (local.get $strideBytes)
              (local.get $out) (local.get $rowBytes) (i32.const 0) (local.get $scratch) (local.get $accumulate))
            (local.set $a (i32.add (local.get $a) (local.get $aStrideBytes)))
            (local.set $out (i32.add (local.get $out) (local.get $strideBytes)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (br $rows))))

  ;; out[3 rows, first $vecBytes/4 columns] = a[3 rows, k] · b[k, same
  ;; columns] (or +=, as in `ab`), for outputs of 5 to 12 columns: the
  ;; whole width in three 4-lane vectors per row, at columns 0, 4 and the
  ;; last four ($c1 and $c2 in bytes; a vector past the last one is moved
  ;; back onto it, so some columns are summed twice, the same sums in the
  ;; same order, and stored twice). $vecBytes (past the last column
  ;; computed) from 20 to 48; k at least 1.
  ;;
  ;; Register blocking: nine accumulators (3 rows x 3 vectors) for the
  ;; whole sum over k, three vectors of b per k, each feeding three rows.
  ;; a's rows are not gathered: each a[r,k] is used where it is nonzero
  ;; and made a no-op where it is +0 or -0, exactly as $abRow skips it:
  ;; the scale becomes -0 (its zero mask shifted into the sign bit) and
  ;; b's vectors +0 for that row (and-not the mask), and -0 · +0 = -0
  ;; added to any sum (even -0, infinite or NaN) leaves it unchanged,
  ;; whatever b holds. No vector constant but 0 in the loop: a sign-bit
  ;; constant measured 12% slower. A one-row sweep of a gathered row is a
  ;; chain of dependent multiply-adds, one entry after the other (about 4
  ;; cycles each); here nine chains run side by side, and a ReLU row's
  ;; half of zeros costs less than its gather. Each output is summed in
  ;; the order of k with the multiply-add of $abRow.
  (func $abNarrow3
    (param $a i32) (param $aStrideBytes i32) (param $b i32) (param $strideBytes i32)
    (param $out i32) (param $k i32) (param $vecBytes i32) (param $accumulate i32)
    (local $p i32) (local $end i32) (local $src i32) (local $a1 i32) (local $a2 i32)
    (local $c1 i32) (local $c2 i32) (local $dst i32)
    (local $scale v128) (local $zero v128) (local $masked v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128)
    (local $acc00 v128) (local $acc01 v128) (local $acc02 v128)
    (local $acc10 v128) (local $acc11 v128) (local $acc12 v128)
    (local $acc20 v128) (local $acc21 v128) (local $acc22 v128)
    (local.set $a1 (local.get $aStrideBytes))
    (local.set $a2 (i32.shl (local.get $aStrideBytes) (i32.const 1)))
    (local.set $c2 (i32.sub (local.get $vecBytes) (i32.const 16)))
    (local.set $c1 (select (result i32) (i32.const 16) (local.get $c2)
      (i32.lt_u (i32.const 16) (local.get $c2))))
    (local.set $dst (local.get $out))
    (local.set $acc00 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.const 0))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc01 (select (result v128)
      (v128.load (i32.add (local.get $dst) (local.get $c1))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc02 (select (result v128)
      (v128.load (i32.add (local.get $dst) (local.get $c2))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $dst (i32.add (local.get $dst) (local.get $strideBytes)))
    (local.set $acc10 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.const 0))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc11 (select (result v128)
      (v128.load (i32.add (local.get $dst) (local.get $c1))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc12 (select (result v128)
      (v128.load (i32.add (local.get $dst) (local.get $c2))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $dst (i32.add (local.get $dst) (local.get $strideBytes)))
    (local.set $acc20 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.const 0))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc21 (select (result v128)
      (v128.load (i32.add (local.get $dst) (local.get $c1))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc22 (select (result v128)
      (v128.load (i32.add (local.get $dst) (local.get $c2))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $p (local.get $a))
    (local.set $src (local.get $b))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (loop $sum
      (local.set $b0 (v128.load (local.get $src)))
      (local.set $b1 (v128.load (i32.add (local.get $src) (local.get $c1))))
      (local.set $b2 (v128.load (i32.add (local.get $src) (local.get $c2))))
      (local.set $scale (v128.load32_splat (local.get $p)))
      (local.set $zero (f32x4.eq (local.get $scale) (v128.const i32x4 0 0 0 0)))
      (local.set $scale (v128.or (local.get $scale) (i32x4.shl (local.get $zero) (i32.const 31))))
      (local.set $masked (v128.andnot (local.get $b0) (local.get $zero)))
      (fma $acc00 $scale $masked)
      (local.set $masked (v128.andnot (local.get $b1) (local.get $zero)))
      (fma $acc01 $scale $masked)
      (local.set $masked (v128.andnot (local.get $b2) (local.get $zero)))
      (fma $acc02 $scale $masked)
      (local.set $scale (v128.load32_splat (i32.add (local.get $p) (local.get $a1))))
      (local.set $zero (f32x4.eq (local.get $scale) (v128.const i32x4 0 0 0 0)))
      (local.set $scale (v128.or (local.get $scale) (i32x4.shl (local.get $zero) (i32.const 31))))
      (local.set $masked (v128.andnot (local.get $b0) (local.get $zero)))
      (fma $acc10 $scale $masked)
      (local.set $masked (v128.andnot (local.get $b1) (local.get $zero)))
      (fma $acc11 $scale $masked)
      (local.set $masked (v128.andnot (local.get $b2) (local.get $zero)))
      (fma $acc12 $scale $masked)
      (local.set $scale (v128.load32_splat (i32.add (local.get $p) (local.get $a2))))
      (local.set $zero (f32x4.eq (local.get $scale) (v128.const i32x4 0 0 0 0)))
      (local.set $scale (v128.or (local.get $scale) (i32x4.shl (local.get $zero) (i32.const 31))))
      (local.set $masked (v128.andnot (local.get $b0) (local.get $zero)))
      (fma $acc20 $scale $masked)
      (local.set $masked (v128.andnot (local.get $b1) (local.get $zero)))
      (fma $acc21 $scale $masked)
      (local.set $masked (v128.andnot (local.get $b2) (local.get $zero)))
      (fma $acc22 $scale $masked)
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (local.get $strideBytes)))
      (br_if $sum (i32.lt_u (local.get $p) (local.get $end))))
    (local.set $dst (local.get $out))
    (v128.store (i32.add (local.get $dst) (i32.const 0)) (local.get $acc00))
    (v128.store (i32.add (local.get $dst) (local.get $c1)) (local.get $acc01))
    (v128.store (i32.add (local.get $dst) (local.get $c2)) (local.get $acc02))
    (local.set $dst (i32.add (local.get $dst) (local.get $strideBytes)))
    (v128.store (i32.add (local.get $dst) (i32.const 0)) (local.get $acc10))
    (v128.store (i32.add (local.get $dst) (local.get $c1)) (local.get $acc11))
    (v128.store (i32.add (local.get $dst) (local.get $c2)) (local.get $acc12))
    (local.set $dst (i32.add (local.get $dst) (local.get $strideBytes)))
    (v128.store (i32.add (local.get $dst) (i32.const 0)) (local.get $acc20))
    (v128.store (i32.add (local.get $dst) (local.get $c1)) (local.get $acc21))
    (v128.store (i32.add (local.get $dst) (local.get $c2)) (local.get $acc22)))


  ;; Whether any of $rows rows of a ($aStrideBytes apart, k floats each)
  ;; holds a zero (+0 or -0; NaN is not zero), as $gather would skip it:
  ;; four floats at a time, then one at a time. An MNIST row answers at
  ;; its first vector.
  (func $anyZero
    (param $a i32) (param $aStrideBytes i32) (param $k i32) (param $rows i32) (result i32)
    (local $r i32) (local $p i32) (local $end i32)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.eq (local.get $r) (local.get $rows)))
        (local.set $p (local.get $a))
        (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
        (block $vectorsDone
          (loop $vectors
            (br_if $vectorsDone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
            (if (v128.any_true (f32x4.eq (v128.load (local.get $p)) (v128.const i32x4 0 0 0 0)))
              (then (return (i32.const 1))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $vectors)))
        (block $scalarsDone
          (loop $scalars
            (br_if $scalarsDone (i32.ge_u (local.get $p) (local.get $end)))
            (if (f32.eq (f32.load (local.get $p)) (f32.const 0))
              (then (return (i32.const 1))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $scalars)))
        (local.set $a (i32.add (local.get $a) (local.get $aStrideBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (i32.const 0))

  ;; out[6 rows, first $colBytes/4 columns] = a[6 rows, k] · b[k, same
  ;; columns] (or +=, as in `ab`), for six rows of a with no zeros; rows
  ;; of a $aStrideBytes apart, of b and out $strideBytes; $colBytes a
  ;; multiple of 32 and k at least 1.
  ;;
  ;; Register blocking: the output is swept in panels of 8 columns, each
  ;; held in twelve 4-lane accumulators (6 rows x 2 vectors) for the whole
  ;; sum over k. Per k: two vectors of b's row k, then each row's a[r,k]
  ;; splat once and multiplied into both: 12 multiply-adds for 8 loads,
  ;; where the one-row sweep of $abRow loads once per multiply-add. That
  ;; is 15 vector registers (12 + 2 + the splat), as many as V8 gives
  ;; WebAssembly on x64; 4 rows x 3 vectors would need 16, and measured
  ;; slower (as did 4x2, 5x2, 3x3, 2x4 and 3x4). Each panel reads 8
  ;; columns of every row of b, which stay in the L2 cache from one block
  ;; of rows to the next. Each output is summed in the order of k with the
  ;; same multiply-add as $abRow.
  (func $abDense6x8
    (param $a i32) (param $aStrideBytes i32) (param $b i32) (param $strideBytes i32)
    (param $out i32) (param $k i32) (param $colBytes i32) (param $accumulate i32)
    (local $j i32) (local $p i32) (local $end i32) (local $src i32) (local $dst i32)
    ;; $aR and $oR: the offsets of row R of a and of out from row 0
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $a4 i32) (local $a5 i32)
    (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32)
    (local $scale v128) (local $b0 v128) (local $b1 v128)
    (local $acc00 v128) (local $acc01 v128)
    (local $acc10 v128) (local $acc11 v128)
    (local $acc20 v128) (local $acc21 v128)
    (local $acc30 v128) (local $acc31 v128)
    (local $acc40 v128) (local $acc41 v128)
    (local $acc50 v128) (local $acc51 v128)
    (local.set $a1 (local.get $aStrideBytes))
    (local.set $o1 (local.get $strideBytes))
    (local.set $a2 (i32.mul (local.get $aStrideBytes) (i32.const 2)))
    (local.set $o2 (i32.mul (local.get $strideBytes) (i32.const 2)))
    (local.set $a3 (i32.mul (local.get $aStrideBytes) (i32.const 3)))
    (local.set $o3 (i32.mul (local.get $strideBytes) (i32.const 3)))
    (local.set $a4 (i32.mul (local.get $aStrideBytes) (i32.const 4)))
    (local.set $o4 (i32.mul (local.get $strideBytes) (i32.const 4)))
    (local.set $a5 (i32.mul (local.get $aStrideBytes) (i32.const 5)))
    (local.set $o5 (i32.mul (local.get $strideBytes) (i32.const 5)))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (block $panelsDone
      (loop $panels
        (br_if $panelsDone (i32.gt_u (i32.add (local.get $j) (i32.const 32)) (local.get $colBytes)))
        (local.set $dst (i32.add (local.get $out) (local.get $j)))
        (local.set $acc00 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc01 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o1)))
        (local.set $acc10 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc11 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o2)))
        (local.set $acc20 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc21 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o3)))
        (local.set $acc30 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc31 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o4)))
        (local.set $acc40 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc41 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o5)))
        (local.set $acc50 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc51 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $p (local.get $a))
        (local.set $src (i32.add (local.get $b) (local.get $j)))
        (loop $sum
          (local.set $b0 (v128.load offset=0 (local.get $src)))
          (local.set $b1 (v128.load offset=16 (local.get $src)))
          (local.set $scale (v128.load32_splat offset=0 (local.get $p)))
          (fma $acc00 $scale $b0)
          (fma $acc01 $scale $b1)
          (local.set $scale (v128.load32_splat offset=0 (i32.add (local.get $p) (local.get $a1))))
          (fma $acc10 $scale $b0)
          (fma $acc11 $scale $b1)
          (local.set $scale (v128.load32_splat offset=0 (i32.add (local.get $p) (local.get $a2))))
          (fma $acc20 $scale $b0)
          (fma $acc21 $scale $b1)
          (local.set $scale (v128.load32_splat offset=0 (i32.add (local.get $p) (local.get $a3))))
          (fma $acc30 $scale $b0)
          (fma $acc31 $scale $b1)
          (local.set $scale (v128.load32_splat offset=0 (i32.add (local.get $p) (local.get $a4))))
          (fma $acc40 $scale $b0)
          (fma $acc41 $scale $b1)
          (local.set $scale (v128.load32_splat offset=0 (i32.add (local.get $p) (local.get $a5))))
          (fma $acc50 $scale $b0)
          (fma $acc51 $scale $b1)
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $src (i32.add (local.get $src) (local.get $strideBytes)))
          (br_if $sum (i32.lt_u (local.get $p) (local.get $end))))
        (local.set $dst (i32.add (local.get $out) (local.get $j)))
        (v128.store offset=0 (local.get $dst) (local.get $acc00))
        (v128.store offset=16 (local.get $dst) (local.get $acc01))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o1)))
        (v128.store offset=0 (local.get $dst) (local.get $acc10))
        (v128.store offset=16 (local.get $dst) (local.get $acc11))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o2)))
        (v128.store offset=0 (local.get $dst) (local.get $acc20))
        (v128.store offset=16 (local.get $dst) (local.get $acc21))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o3)))
        (v128.store offset=0 (local.get $dst) (local.get $acc30))
        (v128.store offset=16 (local.get $dst) (local.get $acc31))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o4)))
        (v128.store offset=0 (local.get $dst) (local.get $acc40))
        (v128.store offset=16 (local.get $dst) (local.get $acc41))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o5)))
        (v128.store offset=0 (local.get $dst) (local.get $acc50))
        (v128.store offset=16 (local.get $dst) (local.get $acc51))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br $panels))))

  ;; One row of `ab` from column $j (in bytes) on: first gather the row's
  ;; nonzero entries (MNIST pixels are 81% zeros; ReLU gradients about
  ;; half) into `scratch` as 8-byte entries: an i32 pointer to the matching
  ;; row of `b`, then the f32 value. Then sweep the output row 32 columns at
  ;; a time with eight 4-lane accumulators held in registers (two entries
  ;; per trip, which halves the loop's overhead), then 8, then 4 columns at
  ;; a time, then one at a time; or all of 5 to 16 columns in one sweep. Each output is summed in the order of k,
  ;; as the TypeScript reference does.
  (func $abRow
    (param $aRow i32) (param $k i32) (param $b i32) (param $strideBytes i32)
    (param $outRow i32) (param $rowBytes i32) (param $j i32)
    (param $scratch i32) (param $accumulate i32)
    (call $abSweep (local.get $scratch)
      (i32.add (local.get $scratch) (i32.shl
        (call $gather (local.get $aRow) (local.get $k) (local.get $b)
          (local.get $strideBytes) (local.get $scratch))
        (i32.const 3)))
      (local.get $outRow) (local.get $rowBytes) (local.get $j) (local.get $accumulate)))

  ;; The sweeps of one row of `ab` (see $abRow) over its gathered entries
  ;; [$entries, $end): the output row from column $j (in bytes) on.
  (func $abSweep
    (param $entries i32) (param $end i32)
    (param $outRow i32) (param $rowBytes i32) (param $j i32) (param $accumulate i32)
    (local $q i32)
    (local $src i32) (local $dst i32) (local $sum f32)
    (local $scale v128) (local $scale2 v128) (local $src2 i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $acc4 v128) (local $acc5 v128) (local $acc6 v128) (local $acc7 v128)
    (local $acc8 v128) (local $acc9 v128) (local $acc10 v128) (local $acc11 v128)
    (local $vecEnd i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)

    ;; 5 to 16 columns left (to the last whole vector when accumulating),
    ;; but not 8 (one sweep below already): all of them in one sweep of the
    ;; entries, four accumulators at $j,
    ;; $j + 16, $j + 32 and the last vector (an offset past the last vector
    ;; is moved back to it: those columns are summed twice, the same sums
    ;; in the same order, stored twice), instead of a sweep per 8 and per 4
    ;; columns. Each of the output's sums over k is a chain of dependent
    ;; multiply-adds, so a sweep costs about its entries times the latency
    ;; of one, however many columns it carries.
    (local.set $vecEnd (select (result i32)
      (i32.and (local.get $rowBytes) (i32.const -16)) (local.get $rowBytes) (local.get $accumulate)))
    (if (i32.and
          (i32.and (i32.gt_u (i32.sub (local.get $vecEnd) (local.get $j)) (i32.const 16))
            (i32.ne (i32.sub (local.get $vecEnd) (local.get $j)) (i32.const 32)))
          (i32.le_u (i32.sub (local.get $vecEnd) (local.get $j)) (i32.const 64)))
      (then
        (local.set $o3 (i32.sub (local.get $vecEnd) (i32.const 16)))
        (local.set $o1 (select (result i32) (i32.add (local.get $j) (i32.const 16)) (local.get $o3)
          (i32.lt_u (i32.add (local.get $j) (i32.const 16)) (local.get $o3))))
        (local.set $o2 (select (result i32) (i32.add (local.get $j) (i32.const 32)) (local.get $o3)
          (i32.lt_u (i32.add (local.get $j) (i32.const 32)) (local.get $o3))))
        (local.set $acc0 (select (result v128)
          (v128.load (i32.add (local.get $outRow) (local.get $j))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc1 (select (result v128)
          (v128.load (i32.add (local.get $outRow) (local.get $o1))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc2 (select (result v128)
          (v128.load (i32.add (local.get $outRow) (local.get $o2))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc3 (select (result v128)
          (v128.load (i32.add (local.get $outRow) (local.get $o3))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $q (local.get $entries))
        (block $sumDone
          (loop $sum
            (br_if $sumDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $src2 (i32.load (local.get $q)))
            (local.set $src (i32.add (local.get $src2) (local.get $j)))
            (local.set $scale (v128.load32_splat offset=4 (local.get $q)))
            (madd $acc0 0)
            (local.set $src (i32.add (local.get $src2) (local.get $o1)))
            (madd $acc1 0)
            (local.set $src (i32.add (local.get $src2) (local.get $o2)))
            (madd $acc2 0)
            (local.set $src (i32.add (local.get $src2) (local.get $o3)))
            (madd $acc3 0)
            (local.set $q (i32.add (local.get $q) (i32.const 8)))
            (br $sum)))
        (v128.store (i32.add (local.get $outRow) (local.get $j)) (local.get $acc0))
        (v128.store (i32.add (local.get $outRow) (local.get $o1)) (local.get $acc1))
        (v128.store (i32.add (local.get $outRow) (local.get $o2)) (local.get $acc2))
        (v128.store (i32.add (local.get $outRow) (local.get $o3)) (local.get $acc3))
        (local.set $j (local.get $vecEnd))))

    ;; 48 columns at a time, twelve accumulators, while 48 or more columns
    ;; remain but not 64 (two 32-column sweeps are as few): the entry list
    ;; is read three times for 128 columns instead of four.
    (block $widestDone
      (loop $widest
        (br_if $widestDone (i32.or
          (i32.gt_u (i32.add (local.get $j) (i32.const 192)) (local.get $rowBytes))
          (i32.eq (i32.sub (local.get $rowBytes) (local.get $j)) (i32.const 256))))
        (local.set $dst (i32.add (local.get $outRow) (local.get $j)))
        (local.set $acc0 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc1 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc2 (select (result v128)
          (v128.load offset=32 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc3 (select (result v128)
          (v128.load offset=48 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc4 (select (result v128)
          (v128.load offset=64 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc5 (select (result v128)
          (v128.load offset=80 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc6 (select (result v128)
          (v128.load offset=96 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc7 (select (result v128)
          (v128.load offset=112 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc8 (select (result v128)
          (v128.load offset=128 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc9 (select (result v128)
          (v128.load offset=144 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc10 (select (result v128)
          (v128.load offset=160 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc11 (select (result v128)
          (v128.load offset=176 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $q (local.get $entries))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.gt_u (i32.add (local.get $q) (i32.const 16)) (local.get $end)))
            (local.set $src (i32.add (i32.load (local.get $q)) (local.get $j)))
            (local.set $src2 (i32.add (i32.load offset=8 (local.get $q)) (local.get $j)))
            (local.set $scale (v128.load32_splat offset=4 (local.get $q)))
            (local.set $scale2 (v128.load32_splat offset=12 (local.get $q)))
            (madd $acc0 0)
            (madd $acc1 16)
            (madd $acc2 32)
            (madd $acc3 48)
            (madd $acc4 64)
            (madd $acc5 80)
            (madd $acc6 96)
            (madd $acc7 112)
            (madd $acc8 128)
            (madd $acc9 144)
            (madd $acc10 160)
            (madd $acc11 176)
            (madd $acc0 0 $src2 $scale2)
            (madd $acc1 16 $src2 $scale2)
            (madd $acc2 32 $src2 $scale2)
            (madd $acc3 48 $src2 $scale2)
            (madd $acc4 64 $src2 $scale2)
            (madd $acc5 80 $src2 $scale2)
            (madd $acc6 96 $src2 $scale2)
            (madd $acc7 112 $src2 $scale2)
            (madd $acc8 128 $src2 $scale2)
            (madd $acc9 144 $src2 $scale2)
            (madd $acc10 160 $src2 $scale2)
            (madd $acc11 176 $src2 $scale2)
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $pairs)))
        (if (i32.lt_u (local.get $q) (local.get $end))
          (then
            (local.set $src (i32.add (i32.load (local.get $q)) (local.get $j)))
            (local.set $scale (v128.load32_splat offset=4 (local.get $q)))
            (madd $acc0 0)
            (madd $acc1 16)
            (madd $acc2 32)
            (madd $acc3 48)
            (madd $acc4 64)
            (madd $acc5 80)
            (madd $acc6 96)
            (madd $acc7 112)
            (madd $acc8 128)
            (madd $acc9 144)
            (madd $acc10 160)
            (madd $acc11 176)))
        (v128.store offset=0 (local.get $dst) (local.get $acc0))
        (v128.store offset=16 (local.get $dst) (local.get $acc1))
        (v128.store offset=32 (local.get $dst) (local.get $acc2))
        (v128.store offset=48 (local.get $dst) (local.get $acc3))
        (v128.store offset=64 (local.get $dst) (local.get $acc4))
        (v128.store offset=80 (local.get $dst) (local.get $acc5))
        (v128.store offset=96 (local.get $dst) (local.get $acc6))
        (v128.store offset=112 (local.get $dst) (local.get $acc7))
        (v128.store offset=128 (local.get $dst) (local.get $acc8))
        (v128.store offset=144 (local.get $dst) (local.get $acc9))
        (v128.store offset=160 (local.get $dst) (local.get $acc10))
        (v128.store offset=176 (local.get $dst) (local.get $acc11))
        (local.set $j (i32.add (local.get $j) (i32.const 192)))
        (br $widest)))

    ;; 32 columns at a time ($j counts bytes)
    (block $wideDone
      (loop $wide
        (br_if $wideDone (i32.gt_u (i32.add (local.get $j) (i32.const 128)) (local.get $rowBytes)))
        (local.set $dst (i32.add (local.get $outRow) (local.get $j)))
        (local.set $acc0 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc1 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc2 (select (result v128)
          (v128.load offset=32 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc3 (select (result v128)
          (v128.load offset=48 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc4 (select (result v128)
          (v128.load offset=64 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc5 (select (result v128)
          (v128.load offset=80 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc6 (select (result v128)
          (v128.load offset=96 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc7 (select (result v128)
          (v128.load offset=112 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $q (local.get $entries))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.gt_u (i32.add (local.get $q) (i32.const 16)) (local.get $end)))
            (local.set $src (i32.add
              (i32.load (local.get $q))
              (local.get $j)))
            (local.set $src2 (i32.add
              (i32.load offset=8 (local.get $q))
              (local.get $j)))
            (local.set $scale (v128.load32_splat offset=4 (local.get $q)))
            (local.set $scale2 (v128.load32_splat offset=12 (local.get $q)))
            (madd $acc0 0)
            (madd $acc1 16)
            (madd $acc2 32)
            (madd $acc3 48)
            (madd $acc4 64)
            (madd $acc5 80)
            (madd $acc6 96)
            (madd $acc7 112)
            (madd $acc0 0 $src2 $scale2)
            (madd $acc1 16 $src2 $scale2)
            (madd $acc2 32 $src2 $scale2)
            (madd $acc3 48 $src2 $scale2)
            (madd $acc4 64 $src2 $scale2)
            (madd $acc5 80 $src2 $scale2)
            (madd $acc6 96 $src2 $scale2)
            (madd $acc7 112 $src2 $scale2)
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $pairs)))
        (if (i32.lt_u (local.get $q) (local.get $end))
          (then
            (local.set $src (i32.add
              (i32.load (local.get $q))
              (local.get $j)))
            (local.set $scale (v128.load32_splat offset=4 (local.get $q)))
            (madd $acc0 0)
            (madd $acc1 16)
            (madd $acc2 32)
            (madd $acc3 48)
            (madd $acc4 64)
            (madd $acc5 80)
            (madd $acc6 96)
            (madd $acc7 112)))
        (v128.store offset=0 (local.get $dst) (local.get $acc0))
        (v128.store offset=16 (local.get $dst) (local.get $acc1))
        (v128.store offset=32 (local.get $dst) (local.get $acc2))
        (v128.store offset=48 (local.get $dst) (local.get $acc3))
        (v128.store offset=64 (local.get $dst) (local.get $acc4))
        (v128.store offset=80 (local.get $dst) (local.get $acc5))
        (v128.store offset=96 (local.get $dst) (local.get $acc6))
        (v128.store offset=112 (local.get $dst) (local.get $acc7))
        (local.set $j (i32.add (local.get $j) (i32.const 128)))
        (br $wide)))

    ;; 8 columns at a time, two accumulators
    (block $eightDone
      (loop $eight
        (br_if $eightDone (i32.gt_u (i32.add (local.get $j) (i32.const 32)) (local.get $rowBytes)))
        (local.set $dst (i32.add (local.get $outRow) (local.get $j)))
        (local.set $acc0 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc1 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $q (local.get $entries))
        (block $sumDone
          (loop $sum
            (br_if $sumDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $src (i32.add
              (i32.load (local.get $q))
              (local.get $j)))
            (local.set $scale (v128.load32_splat offset=4 (local.get $q)))
            (madd $acc0 0)
            (madd $acc1 16)
            (local.set $q (i32.add (local.get $q) (i32.const 8)))
            (br $sum)))
        (v128.store offset=0 (local.get $dst) (local.get $acc0))
        (v128.store offset=16 (local.get $dst) (local.get $acc1))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br $eight)))

    ;; 4 columns at a time. When 1-3 columns remain and out is being
    ;; overwritten, not accumulated, the last four columns are computed
    ;; as one vector instead: those already written get the same values
    ;; again (the same sums in the same order), and a 10-wide output
    ;; needs no trip through the scalar loop.
    (block $narrowDone
      (loop $narrow
        (br_if $narrowDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (if (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rowBytes))
          (then
            (br_if $narrowDone (i32.or (local.get $accumulate)
              (i32.lt_u (local.get $rowBytes) (i32.const 16))))
            (local.set $j (i32.sub (local.get $rowBytes) (i32.const 16)))))
        (local.set $acc0 (select (result v128)
          (v128.load (i32.add (local.get $outRow) (local.get $j)))
          (v128.const i32x4 0 0 0 0)
          (local.get $accumulate)))
        (local.set $q (local.get $entries))
        (block $sumDone
          (loop $sum
            (br_if $sumDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $src (i32.add
              (i32.load (local.get $q))
              (local.get $j)))
            (local.set $scale (v128.load32_splat offset=4 (local.get $q)))
            (madd $acc0 0)
            (local.set $q (i32.add (local.get $q) (i32.const 8)))
            (br $sum)))
        (v128.store (i32.add (local.get $outRow) (local.get $j)) (local.get $acc0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $narrow)))

    ;; the last columns one at a time
    (block $scalarDone
      (loop $scalar
        (br_if $scalarDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $sum (select (result f32)
          (f32.load (i32.add (local.get $outRow) (local.get $j)))
          (f32.const 0)
          (local.get $accumulate)))
        (local.set $q (local.get $entries))
        (block $sumDone
          (loop $sum
            (br_if $sumDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $sum (f32.add (local.get $sum) (f32.mul
              (f32.load offset=4 (local.get $q))
              (f32.load (i32.add
                (i32.load (local.get $q))
                (local.get $j))))))
            (local.set $q (i32.add (local.get $q) (i32.const 8)))
            (br $sum)))
        (f32.store (i32.add (local.get $outRow) (local.get $j)) (local.get $sum))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $scalar))))

  ;; out[m,n] += a[k,m]ᵀ · b[k,n] for a long k (a full batch of 50,000
  ;; rows), in slices of $slice rows of a and b: each slice of a ([slice,m])
  ;; is transposed into scratch ([m,slice], 4·m·slice bytes, left in the L2
  ;; cache) and `ab` adds its product with b's slice ([slice,n]) into out.
  ;; The caller picks a slice whose rows of b fit in the L1 cache
  ;; (96 rows of 128 floats: 48 KB), so each output row is summed in
  ;; registers over the slice's nonzeros with b read from L1, and written
  ;; once per slice. Adding each row's outer product into out instead (a
  ;; read-modify-write of an output row per nonzero of a, with the 400 KB
  ;; output of the first layer in L2) took 1.3x as long on one thread.
  ;; Each output is summed in the order of k (out's value first), skipping
  ;; zeros of a, with the multiply-add of `ab`.
  ;; scratch: 256 + 8·slice + 4·m·slice bytes (`ab`'s, then the slice).
  (func (export "atb_slices")
    (param $a i32) (param $b i32) (param $out i32)
    (param $m i32) (param $k i32) (param $n i32)
    (param $slice i32) (param $scratch i32)
    (local $k0 i32) (local $rows i32) (local $t i32)
    (local.set $t (i32.add (local.get $scratch)
      (i32.add (i32.const 256) (i32.shl (local.get $slice) (i32.const 3)))))
    (block $slicesDone
      (loop $slices
        (br_if $slicesDone (i32.ge_u (local.get $k0) (local.get $k)))
        (local.set $rows (select
          (local.get $slice) (i32.sub (local.get $k) (local.get $k0))
          (i32.le_u (i32.add (local.get $k0) (local.get $slice)) (local.get $k))))
        (call $transpose
          (i32.add (local.get $a) (i32.shl (i32.mul (local.get $k0) (local.get $m)) (i32.const 2)))
          (local.get $t) (local.get $rows) (local.get $m))
        (call $ab
          (local.get $t)
          (i32.add (local.get $b) (i32.shl (i32.mul (local.get $k0) (local.get $n)) (i32.const 2)))
          (local.get $out) (local.get $m) (local.get $rows) (local.get $n)
          (local.get $rows) (local.get $n) (local.get $scratch) (i32.const 1))
        (local.set $k0 (i32.add (local.get $k0) (local.get $slice)))
        (br $slices))))

  ;; out[m,n] = a[k,m]ᵀ · b[k,n] in f64 for a long k (a full batch), in
  ;; slices of $slice rows of a and b, as `atb_slices` does, by
  ;; `transpose64` and `ab64`; a's rows are $aStride values apart, so that
  ;; a thread given some of out's rows takes that block of a's columns and
  ;; transposes only it. Each output is summed in the order of k by one
  ;; thread (the first slice overwrites out, the others add to it), skipping
  ;; zeros of a, as `ab64` on all of aᵀ would.
  ;; scratch: 16·slice + 8·m·slice bytes.
  (func (export "atb_slices64")
    (param $a i32) (param $b i32) (param $out i32)
    (param $m i32) (param $k i32) (param $n i32)
    (param $aStride i32) (param $slice i32) (param $scratch i32)
    (local $k0 i32) (local $rows i32) (local $t i32)
    (local.set $t (i32.add (local.get $scratch) (i32.shl (local.get $slice) (i32.const 4))))
    (block $slicesDone
      (loop $slices
        (br_if $slicesDone (i32.ge_u (local.get $k0) (local.get $k)))
        (local.set $rows (select
          (local.get $slice) (i32.sub (local.get $k) (local.get $k0))
          (i32.le_u (i32.add (local.get $k0) (local.get $slice)) (local.get $k))))
        (call $transposeStrided64
          (i32.add (local.get $a) (i32.shl (i32.mul (local.get $k0) (local.get $aStride)) (i32.const 3)))
          (local.get $t) (local.get $rows) (local.get $m) (local.get $aStride))
        (call $ab64
          (local.get $t)
          (i32.add (local.get $b) (i32.shl (i32.mul (local.get $k0) (local.get $n)) (i32.const 3)))
          (local.get $out) (local.get $m) (local.get $rows) (local.get $n)
          (local.get $rows) (local.get $n) (local.get $scratch)
          (i32.ne (local.get $k0) (i32.const 0)))
        (local.set $k0 (i32.add (local.get $k0) (local.get $slice)))
        (br $slices))))

  ;; Rows [$from, $from + $rows) of out[m,n] = a[k,m]ᵀ · b[k,n], for a
  ;; batch-long k: that block of a's columns is transposed into scratch
  ;; ([rows,k], after `ab`'s 256 + 8·k bytes) and multiplied by b with
  ;; `ab`. A thread given half of the rows transposes the half it
  ;; multiplies, into its own cache, instead of waiting for one thread to
  ;; transpose all of a. The same sums as `ab` on all of aᵀ.
  ;; scratch: 256 + 8·k + 4·rows·k bytes.
  (func (export "atb_part")
    (param $a i32) (param $b i32) (param $out i32)
    (param $m i32) (param $k i32) (param $n i32)
    (param $from i32) (param $rows i32) (param $scratch i32)
    (local $t i32)
    (local.set $t (i32.add (local.get $scratch)
      (i32.add (i32.const 256) (i32.shl (local.get $k) (i32.const 3)))))
    (call $transposeStrided
      (i32.add (local.get $a) (i32.shl (local.get $from) (i32.const 2)))
      (local.get $t) (local.get $k) (local.get $rows) (local.get $m))
    (call $ab
      (local.get $t) (local.get $b)
      (i32.add (local.get $out) (i32.shl (i32.mul (local.get $from) (local.get $n)) (i32.const 2)))
      (local.get $rows) (local.get $k) (local.get $n)
      (local.get $k) (local.get $n) (local.get $scratch) (i32.const 0)))

  ;; `atb_part` in f64, by `ab64` (whose scratch is 16·k bytes).
  ;; scratch: 16·k + 8·rows·k bytes.
  (func (export "atb_part64")
    (param $a i32) (param $b i32) (param $out i32)
    (param $m i32) (param $k i32) (param $n i32)
    (param $from i32) (param $rows i32) (param $scratch i32)
    (local $t i32)
    (local.set $t (i32.add (local.get $scratch) (i32.shl (local.get $k) (i32.const 4))))
    (call $transposeStrided64
      (i32.add (local.get $a) (i32.shl (local.get $from) (i32.const 3)))
      (local.get $t) (local.get $k) (local.get $rows) (local.get $m))
    (call $ab64
      (local.get $t) (local.get $b)
      (i32.add (local.get $out) (i32.shl (i32.mul (local.get $from) (local.get $n)) (i32.const 3)))
      (local.get $rows) (local.get $k) (local.get $n)
      (local.get $k) (local.get $n) (local.get $scratch) (i32.const 0)))

  ;; Frozen inputs. A full batch is the same matrix on every step, so the
  ;; nonzeros of its rows (for `ab`) and of its transposed slices (for
  ;; `atb`) can be found once for the whole run, where `ab` and
  ;; `atb_slices` find them again in every product. An index holds $gather's
  ;; entries (or $gather64's, when $wide) with a column index where the
  ;; pointer goes (gathered with base 0 and 1 byte a row), one row after
  ;; another, and an i32 array of where each row's entries start (counted
  ;; in entries; one more for the end). A product relocates a row's
  ;; entries onto b's rows ($sweepIndexed) and sweeps them with the sweep
  ;; `ab` uses after its gather: the same entries in the same order, so the
  ;; same sums bit for bit.

  ;; Indexes the m rows of a[m,k] (rows $aStrideBytes apart): entries from
  ;; $slot on, row r's start (relative to $entries) at $starts + 4·r.
  ;; The f32 gather needs its table written first ($writeCompressTable).
  ;; Returns the slot after the last entry.
  (func $indexRows
    (param $a i32) (param $m i32) (param $k i32) (param $aStrideBytes i32)
    (param $entries i32) (param $slot i32) (param $starts i32) (param $wide i32)
    (result i32)
    (local $r i32) (local $shift i32)
    (local.set $shift (i32.add (i32.const 3) (local.get $wide)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $m)))
        (i32.store (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))
          (i32.shr_u (i32.sub (local.get $slot) (local.get $entries)) (local.get $shift)))
        (local.set $slot (i32.add (local.get $slot) (i32.shl
          (if (result i32) (local.get $wide)
            (then (call $gather64 (local.get $a) (local.get $k) (i32.const 0) (i32.const 1) (local.get $slot)))
            (else (call $gather (local.get $a) (local.get $k) (i32.const 0) (i32.const 1) (local.get $slot))))
          (local.get $shift))))
        (local.set $a (i32.add (local.get $a) (local.get $aStrideBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (local.get $slot))

  ;; The index of a[m,k]'s rows, for `ab_indexed`: starts[m + 1] entries.
  ;; $entries needs 8 bytes a nonzero (16 when $wide) and 32 more (the
  ;; gathers write a few slots past their last entry). scratch: 256 bytes.
  ;; Returns the number of entries.
  (func (export "index_rows")
    (param $a i32) (param $m i32) (param $k i32)
    (param $entries i32) (param $starts i32) (param $scratch i32) (param $wide i32)
    (result i32)
    (local $count i32)
    (call $writeCompressTable (local.get $scratch))
    (local.set $count (i32.shr_u
      (i32.sub
        (call $indexRows (local.get $a) (local.get $m) (local.get $k)
          (i32.shl (local.get $k) (i32.add (i32.const 2) (local.get $wide)))
          (local.get $entries) (local.get $entries) (local.get $starts) (local.get $wide))
        (local.get $entries))
      (i32.add (i32.const 3) (local.get $wide))))
    (i32.store (i32.add (local.get $starts) (i32.shl (local.get $m) (i32.const 2))) (local.get $count))
    (local.get $count))

  ;; The index of a[k,m]ᵀ in slices of $slice rows of a, for `atb_indexed`:
  ;; each slice ([rows,m]) transposed into scratch, then its m rows
  ;; indexed, slice after slice; column c of slice s starts at
  ;; starts[s·m + c] (entries counted from $entries, row indices within
  ;; the slice), starts[slices·m] the end. $entries as for `index_rows`;
  ;; scratch: 256 + 4·m·slice bytes (256 + 8·m·slice when $wide).
  ;; Returns the number of entries.
  (func (export "index_columns")
    (param $a i32) (param $k i32) (param $m i32) (param $slice i32)
    (param $entries i32) (param $starts i32) (param $scratch i32) (param $wide i32)
    (result i32)
    (local $k0 i32) (local $rows i32) (local $t i32) (local $slot i32) (local $size i32)
    (local $count i32)
    (call $writeCompressTable (local.get $scratch))
    (local.set $t (i32.add (local.get $scratch) (i32.const 256)))
    (local.set $size (i32.shl (i32.const 4) (local.get $wide)))
    (local.set $slot (local.get $entries))
    (block $slicesDone
      (loop $slices
        (br_if $slicesDone (i32.ge_u (local.get $k0) (local.get $k)))
        (local.set $rows (select
          (local.get $slice) (i32.sub (local.get $k) (local.get $k0))
          (i32.le_u (i32.add (local.get $k0) (local.get $slice)) (local.get $k))))
        (if (local.get $wide)
          (then (call $transposeStrided64
            (i32.add (local.get $a) (i32.mul (i32.mul (local.get $k0) (local.get $m)) (local.get $size)))
            (local.get $t) (local.get $rows) (local.get $m) (local.get $m)))
          (else (call $transposeStrided
            (i32.add (local.get $a) (i32.mul (i32.mul (local.get $k0) (local.get $m)) (local.get $size)))
            (local.get $t) (local.get $rows) (local.get $m) (local.get $m))))
        (local.set $slot (call $indexRows (local.get $t) (local.get $m) (local.get $rows)
          (i32.mul (local.get $rows) (local.get $size))
          (local.get $entries) (local.get $slot) (local.get $starts) (local.get $wide)))
        (local.set $starts (i32.add (local.get $starts) (i32.shl (local.get $m) (i32.const 2))))
        (local.set $k0 (i32.add (local.get $k0) (local.get $slice)))
        (br $slices)))
    (local.set $count (i32.shr_u (i32.sub (local.get $slot) (local.get $entries))
      (i32.add (i32.const 3) (local.get $wide))))
    (i32.store (local.get $starts) (local.get $count))
    (local.get $count))

  ;; The lanes that relocate index entries onto rows of b $rowBytes apart
  ;; from $base ($sweepIndexed: entry · scale + offset, lane by lane): a
  ;; vector holds two f32 entries (index, value bits) or one f64 entry
  ;; (index, padding, value), and only the index lanes are scaled and
  ;; moved (the value bits are multiplied by 1 and added 0).
  (func $relocationScale (param $rowBytes i32) (param $wide i32) (result v128)
    (local $scale v128)
    (local.set $scale (i32x4.replace_lane 0 (i32x4.splat (i32.const 1)) (local.get $rowBytes)))
    (if (result v128) (local.get $wide)
      (then (local.get $scale))
      (else (i32x4.replace_lane 2 (local.get $scale) (local.get $rowBytes)))))

  ;; See $relocationScale.
  (func $relocationOffset (param $base i32) (param $wide i32) (result v128)
    (local $offset v128)
    (local.set $offset (i32x4.replace_lane 0 (v128.const i32x4 0 0 0 0) (local.get $base)))
    (if (result v128) (local.get $wide)
      (then (local.get $offset))
      (else (i32x4.replace_lane 2 (local.get $offset) (local.get $base)))))

  ;; Sweeps the index entries [$e0, $e1) into the output row at $outRow
  ;; ($rowBytes long): the entries are relocated into $scratch (pointer =
  ;; index · row bytes + base of b's rows, by the lanes $relocationScale
  ;; and $relocationOffset give, which the callers make once per b) and
  ;; swept by $abSweep, or $ab64Sweep when $wide. Reads and writes up to 8
  ;; bytes past the last entry.
  (func $sweepIndexed
    (param $e0 i32) (param $e1 i32) (param $scale v128) (param $offset v128)
    (param $rowBytes i32) (param $outRow i32) (param $scratch i32)
    (param $accumulate i32) (param $wide i32)
    (local $dst i32) (local $end i32)
    (local.set $end (i32.add (local.get $scratch) (i32.sub (local.get $e1) (local.get $e0))))
    (local.set $dst (local.get $scratch))
    (block $done
      (loop $entries
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (v128.store (local.get $dst) (i32x4.add
          (i32x4.mul (v128.load (local.get $e0)) (local.get $scale)) (local.get $offset)))
        (local.set $e0 (i32.add (local.get $e0) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $entries)))
    (if (local.get $wide)
      (then (call $ab64Sweep (local.get $scratch) (local.get $end)
        (local.get $outRow) (local.get $rowBytes) (i32.const 0) (local.get $accumulate)))
      (else (call $abSweep (local.get $scratch) (local.get $end)
        (local.get $outRow) (local.get $rowBytes) (i32.const 0) (local.get $accumulate)))))

  ;; out[m,n] = a · b[k,n] (or += when $accumulate) for an a indexed by
  ;; `index_rows` (row r's entries from starts[r]; pass $starts advanced
  ;; by 4·from for rows from `from` on): rows of b and out n values apart.
  ;; The same sums as `ab` (or `ab64`, when $wide) on a.
  ;; scratch: 8 bytes (16 when $wide) a nonzero of the longest row, and 8.
  (func (export "ab_indexed")
    (param $entries i32) (param $starts i32) (param $b i32) (param $out i32)
    (param $m i32) (param $n i32) (param $scratch i32) (param $accumulate i32)
    (param $wide i32)
    (local $r i32) (local $rowBytes i32) (local $shift i32)
    (local $scale v128) (local $offset v128)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.add (i32.const 2) (local.get $wide))))
    (local.set $shift (i32.add (i32.const 3) (local.get $wide)))
    (local.set $scale (call $relocationScale (local.get $rowBytes) (local.get $wide)))
    (local.set $offset (call $relocationOffset (local.get $b) (local.get $wide)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $m)))
        (call $sweepIndexed
          (i32.add (local.get $entries) (i32.shl (i32.load (local.get $starts)) (local.get $shift)))
          (i32.add (local.get $entries) (i32.shl (i32.load offset=4 (local.get $starts)) (local.get $shift)))
          (local.get $scale) (local.get $offset) (local.get $rowBytes)
          (local.get $out) (local.get $scratch) (local.get $accumulate) (local.get $wide))
        (local.set $starts (i32.add (local.get $starts) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; Rows [$from, $from + $rows) of out[m,n] = a[k,m]ᵀ · b[k,n] for an a
  ;; indexed by `index_columns` in slices of $slice: slice after slice,
  ;; each of those rows of out swept over the slice's entries of its column
  ;; of a, relocated onto the slice's rows of b. The first slice overwrites
  ;; out, unless $accumulate, the others add to it: each output summed in
  ;; the order of k, skipping zeros of a, as `atb_slices` (out zeroed,
  ;; $accumulate 1) and `atb_slices64` ($accumulate 0) sum it.
  ;; scratch: 8 bytes (16 when $wide) a row of the slice, and 8.
  (func (export "atb_indexed")
    (param $entries i32) (param $starts i32) (param $b i32) (param $out i32)
    (param $m i32) (param $k i32) (param $n i32) (param $slice i32)
    (param $from i32) (param $rows i32) (param $scratch i32) (param $accumulate i32)
    (param $wide i32)
    (local $k0 i32) (local $c i32) (local $at i32) (local $rowBytes i32) (local $shift i32)
    (local $scale v128) (local $offset v128)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.add (i32.const 2) (local.get $wide))))
    (local.set $shift (i32.add (i32.const 3) (local.get $wide)))
    (local.set $scale (call $relocationScale (local.get $rowBytes) (local.get $wide)))
    (block $slicesDone
      (loop $slices
        (br_if $slicesDone (i32.ge_u (local.get $k0) (local.get $k)))
        (local.set $offset (call $relocationOffset
          (i32.add (local.get $b) (i32.mul (local.get $k0) (local.get $rowBytes))) (local.get $wide)))
        (local.set $c (local.get $from))
        (block $columnsDone
          (loop $columns
            (br_if $columnsDone (i32.ge_u (local.get $c) (i32.add (local.get $from) (local.get $rows))))
            (local.set $at (i32.add (local.get $starts) (i32.shl (local.get $c) (i32.const 2))))
            (call $sweepIndexed
              (i32.add (local.get $entries) (i32.shl (i32.load (local.get $at)) (local.get $shift)))
              (i32.add (local.get $entries) (i32.shl (i32.load offset=4 (local.get $at)) (local.get $shift)))
              (local.get $scale) (local.get $offset) (local.get $rowBytes)
              (i32.add (local.get $out) (i32.mul (local.get $c) (local.get $rowBytes)))
              (local.get $scratch) (local.get $accumulate) (local.get $wide))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $columns)))
        (local.set $accumulate (i32.const 1))
        (local.set $starts (i32.add (local.get $starts) (i32.shl (local.get $m) (i32.const 2))))
        (local.set $k0 (i32.add (local.get $k0) (local.get $slice)))
        (br $slices))))

  ;; Gathers the nonzeros of a row of k floats at $aRow into $scratch as
  ;; 8-byte entries: a pointer ($base + p·$rowBytes, the matching row of the
  ;; other operand) and the value. 16 values at a time, as a bit mask of
  ;; the nonzeros: blank runs of MNIST rows cost one test per 16 pixels.
  ;; A chunk with any nonzero is compressed four values at a time: the
  ;; four values' mask picks a pattern from $compress's table (see
  ;; $writeCompressTable) that moves the nonzero lanes to the front of the
  ;; vector of values and of the vector of their pointers; the two are
  ;; interleaved into four entries, all four stored, and the slot moves on
  ;; past the nonzeros only (the rest are overwritten next). That is about
  ;; a dozen instructions per four values, where an entry at a time (its
  ;; pointer, its value, its own slot arithmetic) took seven per value.
  ;; Writes up to 3 slots past the count, never past 8·k bytes.
  ;; Returns how many entries it wrote.
  (func $gather
    (param $aRow i32) (param $k i32) (param $base i32) (param $rowBytes i32)
    (param $scratch i32) (result i32)
    (local $p i32) (local $src i32) (local $mask i32) (local $v f32) (local $slot i32)
    (local $table i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $ptrs v128) (local $lanes v128) (local $step v128)
    (local $sel v128) (local $pc v128) (local $vc v128)
    (local.set $table (global.get $compress))
    (local.set $slot (local.get $scratch))
    (local.set $p (i32.const 0))
    ;; lane l of a group points l rows of the other operand on; each group
    ;; four rows past the last
    (local.set $lanes (i32x4.mul (i32x4.splat (local.get $rowBytes)) (v128.const i32x4 0 1 2 3)))
    (local.set $step (i32x4.splat (i32.shl (local.get $rowBytes) (i32.const 2))))
    (block $chunksDone
      (loop $chunks
        (br_if $chunksDone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $k)))
        (local.set $src (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 2))))
        (local.set $x0 (v128.load offset=0 (local.get $src)))
        (local.set $x1 (v128.load offset=16 (local.get $src)))
        (local.set $x2 (v128.load offset=32 (local.get $src)))
        (local.set $x3 (v128.load offset=48 (local.get $src)))
        (local.set $mask (i32.or
          (i32.or
            (i32x4.bitmask (f32x4.ne (local.get $x0) (v128.const i32x4 0 0 0 0)))
            (i32.shl (i32x4.bitmask (f32x4.ne (local.get $x1) (v128.const i32x4 0 0 0 0))) (i32.const 4)))
          (i32.or
            (i32.shl (i32x4.bitmask (f32x4.ne (local.get $x2) (v128.const i32x4 0 0 0 0))) (i32.const 8))
            (i32.shl (i32x4.bitmask (f32x4.ne (local.get $x3) (v128.const i32x4 0 0 0 0))) (i32.const 12)))))
        (if (local.get $mask)
          (then
            (local.set $ptrs (i32x4.add (local.get $lanes)
              (i32x4.splat (i32.add (local.get $base) (i32.mul (local.get $p) (local.get $rowBytes))))))
            (local.set $sel (v128.load (i32.add (local.get $table) (i32.shl (i32.and (local.get $mask) (i32.const 15)) (i32.const 4)))))
            (local.set $pc (swizzle (local.get $ptrs) (local.get $sel)))
            (local.set $vc (swizzle (local.get $x0) (local.get $sel)))
            (v128.store offset=0 (local.get $slot)
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $pc) (local.get $vc)))
            (v128.store offset=16 (local.get $slot)
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $pc) (local.get $vc)))
            (local.set $slot (i32.add (local.get $slot) (i32.shl
              (i32.popcnt (i32.and (i32.shr_u (local.get $mask) (i32.const 0)) (i32.const 15))) (i32.const 3))))
            (local.set $ptrs (i32x4.add (local.get $ptrs) (local.get $step)))
            (local.set $sel (v128.load (i32.add (local.get $table) (i32.and (local.get $mask) (i32.const 240)))))
            (local.set $pc (swizzle (local.get $ptrs) (local.get $sel)))
            (local.set $vc (swizzle (local.get $x1) (local.get $sel)))
            (v128.store offset=0 (local.get $slot)
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $pc) (local.get $vc)))
            (v128.store offset=16 (local.get $slot)
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $pc) (local.get $vc)))
            (local.set $slot (i32.add (local.get $slot) (i32.shl
              (i32.popcnt (i32.and (i32.shr_u (local.get $mask) (i32.const 4)) (i32.const 15))) (i32.const 3))))
            (local.set $ptrs (i32x4.add (local.get $ptrs) (local.get $step)))
            (local.set $sel (v128.load (i32.add (local.get $table) (i32.and (i32.shr_u (local.get $mask) (i32.const 4)) (i32.const 240)))))
            (local.set $pc (swizzle (local.get $ptrs) (local.get $sel)))
            (local.set $vc (swizzle (local.get $x2) (local.get $sel)))
            (v128.store offset=0 (local.get $slot)
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $pc) (local.get $vc)))
            (v128.store offset=16 (local.get $slot)
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $pc) (local.get $vc)))
            (local.set $slot (i32.add (local.get $slot) (i32.shl
              (i32.popcnt (i32.and (i32.shr_u (local.get $mask) (i32.const 8)) (i32.const 15))) (i32.const 3))))
            (local.set $ptrs (i32x4.add (local.get $ptrs) (local.get $step)))
            (local.set $sel (v128.load (i32.add (local.get $table) (i32.and (i32.shr_u (local.get $mask) (i32.const 8)) (i32.const 240)))))
            (local.set $pc (swizzle (local.get $ptrs) (local.get $sel)))
            (local.set $vc (swizzle (local.get $x3) (local.get $sel)))
            (v128.store offset=0 (local.get $slot)
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $pc) (local.get $vc)))
            (v128.store offset=16 (local.get $slot)
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $pc) (local.get $vc)))
            (local.set $slot (i32.add (local.get $slot) (i32.shl
              (i32.popcnt (i32.and (i32.shr_u (local.get $mask) (i32.const 12)) (i32.const 15))) (i32.const 3))))
            (local.set $ptrs (i32x4.add (local.get $ptrs) (local.get $step)))
))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $chunks)))
    ;; the last values one at a time, branch-free: always write the slot,
    ;; move on only past a nonzero
    (block $gatherDone
      (loop $gather
        (br_if $gatherDone (i32.ge_u (local.get $p) (local.get $k)))
        (local.set $v (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 2)))))
        (i32.store (local.get $slot)
          (i32.add (local.get $base) (i32.mul (local.get $p) (local.get $rowBytes))))
        (f32.store offset=4 (local.get $slot) (local.get $v))
        (local.set $slot (i32.add (local.get $slot)
          (i32.shl (f32.ne (local.get $v) (f32.const 0)) (i32.const 3))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $gather)))
    (i32.shr_u (i32.sub (local.get $slot) (local.get $scratch)) (i32.const 3)))

  ;; Writes the 256-byte table of $gather's compress patterns at $at and
  ;; points $compress at it: pattern m (16 bytes) moves the 4-byte lanes
  ;; whose bits are set in m, lowest first, to the front of a vector (the
  ;; rest of it is lane 0 again, never read).
  (func $writeCompressTable (param $at i32)
    (global.set $compress (local.get $at))
    (v128.store offset=0 (local.get $at) (v128.const i8x16 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3))
    (v128.store offset=16 (local.get $at) (v128.const i8x16 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3))
    (v128.store offset=32 (local.get $at) (v128.const i8x16 4 5 6 7 0 1 2 3 0 1 2 3 0 1 2 3))
    (v128.store offset=48 (local.get $at) (v128.const i8x16 0 1 2 3 4 5 6 7 0 1 2 3 0 1 2 3))
    (v128.store offset=64 (local.get $at) (v128.const i8x16 8 9 10 11 0 1 2 3 0 1 2 3 0 1 2 3))
    (v128.store offset=80 (local.get $at) (v128.const i8x16 0 1 2 3 8 9 10 11 0 1 2 3 0 1 2 3))
    (v128.store offset=96 (local.get $at) (v128.const i8x16 4 5 6 7 8 9 10 11 0 1 2 3 0 1 2 3))
    (v128.store offset=112 (local.get $at) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 0 1 2 3))
    (v128.store offset=128 (local.get $at) (v128.const i8x16 12 13 14 15 0 1 2 3 0 1 2 3 0 1 2 3))
    (v128.store offset=144 (local.get $at) (v128.const i8x16 0 1 2 3 12 13 14 15 0 1 2 3 0 1 2 3))
    (v128.store offset=160 (local.get $at) (v128.const i8x16 4 5 6 7 12 13 14 15 0 1 2 3 0 1 2 3))
    (v128.store offset=176 (local.get $at) (v128.const i8x16 0 1 2 3 4 5 6 7 12 13 14 15 0 1 2 3))
    (v128.store offset=192 (local.get $at) (v128.const i8x16 8 9 10 11 12 13 14 15 0 1 2 3 0 1 2 3))
    (v128.store offset=208 (local.get $at) (v128.const i8x16 0 1 2 3 8 9 10 11 12 13 14 15 0 1 2 3))
    (v128.store offset=224 (local.get $at) (v128.const i8x16 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3))
    (v128.store offset=240 (local.get $at) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)))

  ;; dst[cols,rows] = transpose of src[rows,cols]: 4x4 blocks, each four
  ;; loads, eight shuffles and four stores, in strips of 16 columns so that
  ;; the lines being read and written stay in the L1 cache; the edges one
  ;; float at a time.
  (func $transpose (export "transpose")
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (call $transposeStrided (local.get $src) (local.get $dst)
      (local.get $rows) (local.get $cols) (local.get $cols)))

  ;; `transpose` of a block of columns: src's rows are $stride floats apart.
  (func $transposeStrided
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (param $stride i32)
    (local $r i32) (local $c i32) (local $rows4 i32) (local $cols4 i32)
    (local $from i32) (local $to i32) (local $srcRow i32) (local $dstRow i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $strip i32) (local $stripEnd i32)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $srcRow (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $dstRow (i32.shl (local.get $rows) (i32.const 2)))
    (block $stripsDone
      (loop $strips
        (br_if $stripsDone (i32.ge_u (local.get $strip) (local.get $cols4)))
        (local.set $stripEnd (select
          (i32.add (local.get $strip) (i32.const 16)) (local.get $cols4)
          (i32.lt_u (i32.add (local.get $strip) (i32.const 16)) (local.get $cols4))))
        (local.set $r (i32.const 0))
        (block $blockRowsDone
          (loop $blockRows
            (br_if $blockRowsDone (i32.ge_u (local.get $r) (local.get $rows4)))
            (local.set $c (local.get $strip))
            (block $blocksDone
              (loop $blocks
                (br_if $blocksDone (i32.ge_u (local.get $c) (local.get $stripEnd)))
                (local.set $from (i32.add (local.get $src)
                  (i32.shl (i32.add (i32.mul (local.get $r) (local.get $stride)) (local.get $c)) (i32.const 2))))
                (local.set $x0 (v128.load (local.get $from)))
                (local.set $x1 (v128.load (i32.add (local.get $from) (local.get $srcRow))))
                (local.set $x2 (v128.load (i32.add (local.get $from) (i32.shl (local.get $srcRow) (i32.const 1)))))
                (local.set $x3 (v128.load (i32.add (local.get $from) (i32.mul (local.get $srcRow) (i32.const 3)))))
                ;; rows a b c d → t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3,
                ;; t2 = c0 d0 c1 d1, t3 = c2 d2 c3 d3
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x2) (local.get $x3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x2) (local.get $x3)))
                (local.set $to (i32.add (local.get $dst)
                  (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
                (v128.store (local.get $to)
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (v128.store (i32.add (local.get $to) (local.get $dstRow))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (v128.store (i32.add (local.get $to) (i32.shl (local.get $dstRow) (i32.const 1)))
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (v128.store (i32.add (local.get $to) (i32.mul (local.get $dstRow) (i32.const 3)))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                (local.set $c (i32.add (local.get $c) (i32.const 4)))
                (br $blocks)))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (br $blockRows)))
        (local.set $strip (local.get $stripEnd))
        (br $strips)))
    ;; the right edge (columns past the last multiple of 4), then the bottom
    ;; edge (rows past it)
    (call $transposeScalar (local.get $src) (local.get $dst) (local.get $rows) (local.get $stride)
      (i32.const 0) (local.get $rows4) (local.get $cols4) (local.get $cols))
    (call $transposeScalar (local.get $src) (local.get $dst) (local.get $rows) (local.get $stride)
      (local.get $rows4) (local.get $rows) (i32.const 0) (local.get $cols)))

  ;; dst[c,r] = src[r,c] for r in [r0,r1), c in [c0,c1), one float at a
  ;; time; src's rows are $stride floats apart, dst's $rows.
  (func $transposeScalar
    (param $src i32) (param $dst i32) (param $rows i32) (param $stride i32)
    (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
    (local $r i32) (local $c i32)
    (local.set $r (local.get $r0))
    (block $rDone
      (loop $rLoop
        (br_if $rDone (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $c (local.get $c0))
        (block $cDone
          (loop $cLoop
            (br_if $cDone (i32.ge_u (local.get $c) (local.get $c1)))
            (f32.store
              (i32.add (local.get $dst)
                (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
              (f32.load (i32.add (local.get $src)
                (i32.shl (i32.add (i32.mul (local.get $r) (local.get $stride)) (local.get $c)) (i32.const 2)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rLoop))))

  ;; Elementwise helpers for the layers. Each visits its arrays four floats
  ;; at a time, then one at a time, and computes exactly what the TypeScript
  ;; loop in lib/layers.ts computes (same operations, same order).

  ;; dst += src over n floats (adding the partial products of two threads).
  (func (export "add_arrays") (param $dst i32) (param $src i32) (param $n i32)
    (local $end i32) (local $end4 i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $dst) (local.get $end4)))
        (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $vectors)))
    (block $scalarsDone
      (loop $scalars
        (br_if $scalarsDone (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $scalars))))

    ;; matrix[r,:] += vector for every row r (a Linear layer's bias).
  (func (export "add_row_vector")
    (param $matrix i32) (param $vector i32) (param $rows i32) (param $cols i32)
    (local $end i32) (local $j i32) (local $cols4 i32)
    (local.set $cols4 (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.add (local.get $matrix)
      (i32.shl (i32.mul (local.get $rows) (local.get $cols)) (i32.const 2))))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $matrix) (local.get $end)))
        (local.set $j (i32.const 0))
        (block $vectorsDone
          (loop $vectors
            (br_if $vectorsDone (i32.ge_u (local.get $j) (local.get $cols4)))
            (v128.store (i32.add (local.get $matrix) (local.get $j))
              (f32x4.add
                (v128.load (i32.add (local.get $matrix) (local.get $j)))
                (v128.load (i32.add (local.get $vector) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $vectors)))
        (block $scalarsDone
          (loop $scalars
            (br_if $scalarsDone (i32.ge_u (local.get $j) (i32.shl (local.get $cols) (i32.const 2))))
            (f32.store (i32.add (local.get $matrix) (local.get $j))
              (f32.add
                (f32.load (i32.add (local.get $matrix) (local.get $j)))
                (f32.load (i32.add (local.get $vector) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $scalars)))
        (local.set $matrix (i32.add (local.get $matrix) (i32.shl (local.get $cols) (i32.const 2))))
        (br $rowLoop))))

  ;; out[j] = Σ_r matrix[r,j], rows added in order (a bias gradient): in
  ;; chunks of 64 rows, so that each chunk is read from memory once and its
  ;; columns summed while it sits in the L1 cache (a full batch is 50,000
  ;; rows).
  (func (export "sum_rows")
    (param $matrix i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $chunk i32)
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $cols) (i32.const 2)))
    (block $chunksDone
      (loop $chunks
        (br_if $chunksDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $chunk (select
          (i32.const 64) (i32.sub (local.get $rows) (local.get $r))
          (i32.le_u (i32.add (local.get $r) (i32.const 64)) (local.get $rows))))
        (call $addRows
          (i32.add (local.get $matrix) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2)))
          (local.get $out) (local.get $chunk) (local.get $cols))
        (local.set $r (i32.add (local.get $r) (local.get $chunk)))
        (br $chunks))))

  ;; out[j] += Σ_r matrix[r,j], rows added in order: 16 columns at a time
  ;; (four independent 4-lane sums, so that the adds' latency overlaps),
  ;; then 4, then one.
  (func $addRows
    (param $matrix i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $j i32) (local $src i32) (local $end i32) (local $rowBytes i32)
    (local $sum v128) (local $sum1 f32)
    (local $sumB v128) (local $sumC v128) (local $sumD v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end (i32.mul (local.get $rows) (local.get $rowBytes)))
    (local.set $j (i32.const 0))
    (block $sixteenDone
      (loop $sixteen
        (br_if $sixteenDone (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $rowBytes)))
        (local.set $src (i32.add (local.get $out) (local.get $j)))
        (local.set $sum (v128.load offset=0 (local.get $src)))
        (local.set $sumB (v128.load offset=16 (local.get $src)))
        (local.set $sumC (v128.load offset=32 (local.get $src)))
        (local.set $sumD (v128.load offset=48 (local.get $src)))
        (local.set $src (i32.add (local.get $matrix) (local.get $j)))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (i32.sub (local.get $src) (local.get $matrix)) (local.get $end)))
            (local.set $sum (f32x4.add (local.get $sum) (v128.load offset=0 (local.get $src))))
            (local.set $sumB (f32x4.add (local.get $sumB) (v128.load offset=16 (local.get $src))))
            (local.set $sumC (f32x4.add (local.get $sumC) (v128.load offset=32 (local.get $src))))
            (local.set $sumD (f32x4.add (local.get $sumD) (v128.load offset=48 (local.get $src))))
            (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
            (br $rowLoop)))
        (local.set $src (i32.add (local.get $out) (local.get $j)))
        (v128.store offset=0 (local.get $src) (local.get $sum))
        (v128.store offset=16 (local.get $src) (local.get $sumB))
        (v128.store offset=32 (local.get $src) (local.get $sumC))
        (v128.store offset=48 (local.get $src) (local.get $sumD))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $sixteen)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rowBytes)))
        (local.set $sum (v128.load (i32.add (local.get $out) (local.get $j))))
        (local.set $src (i32.add (local.get $matrix) (local.get $j)))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (i32.sub (local.get $src) (local.get $matrix)) (local.get $end)))
            (local.set $sum (f32x4.add (local.get $sum) (v128.load (local.get $src))))
            (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
            (br $rowLoop)))
        (v128.store (i32.add (local.get $out) (local.get $j)) (local.get $sum))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $vectors)))
    (block $scalarsDone
      (loop $scalars
        (br_if $scalarsDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $sum1 (f32.load (i32.add (local.get $out) (local.get $j))))
        (local.set $src (i32.add (local.get $matrix) (local.get $j)))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (i32.sub (local.get $src) (local.get $matrix)) (local.get $end)))
            (local.set $sum1 (f32.add (local.get $sum1) (f32.load (local.get $src))))
            (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
            (br $rowLoop)))
        (f32.store (i32.add (local.get $out) (local.get $j)) (local.get $sum1))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $scalars))))

  ;; output = max(input, 0) over n floats; NaN passes through, as with
  ;; Math.max.
  (func (export "relu")
    (param $input i32) (param $output i32) (param $n i32)
    (local $i i32) (local $n4 i32)
    (local.set $n4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $i) (local.get $n4)))
        (v128.store (i32.add (local.get $output) (local.get $i))
          (f32x4.max (v128.load (i32.add (local.get $input) (local.get $i))) (v128.const i32x4 0 0 0 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vectors)))
    (block $scalarsDone
      (loop $scalars
        (br_if $scalarsDone (i32.ge_u (local.get $i) (i32.shl (local.get $n) (i32.const 2))))
        (f32.store (i32.add (local.get $output) (local.get $i))
          (f32.max (f32.load (i32.add (local.get $input) (local.get $i))) (f32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalars))))

  ;; dInput = dOutput · (output > 0 ? 1 : 0) over n floats. A multiply, not
  ;; a mask, so that a NaN gradient stays NaN as in the TypeScript loop.
  (func (export "relu_backward")
    (param $output i32) (param $dOutput i32) (param $dInput i32) (param $n i32)
    (local $i i32) (local $n4 i32)
    (local.set $n4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $i) (local.get $n4)))
        (v128.store (i32.add (local.get $dInput) (local.get $i))
          (f32x4.mul
            (v128.load (i32.add (local.get $dOutput) (local.get $i)))
            (v128.and
              (f32x4.gt (v128.load (i32.add (local.get $output) (local.get $i))) (v128.const i32x4 0 0 0 0))
              (v128.const f32x4 1 1 1 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vectors)))
    (block $scalarsDone
      (loop $scalars
        (br_if $scalarsDone (i32.ge_u (local.get $i) (i32.shl (local.get $n) (i32.const 2))))
        (f32.store (i32.add (local.get $dInput) (local.get $i))
          (f32.mul
            (f32.load (i32.add (local.get $dOutput) (local.get $i)))
            (f32.convert_i32_u (f32.gt (f32.load (i32.add (local.get $output) (local.get $i))) (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalars))))

  ;; out[r,:] = images[order[r],:] · scale for `count` rows of `pixels`
  ;; bytes: a batch gathered from the byte images in the order of the i32
  ;; indices at $order, turned into normalized floats in one pass, after
  ;; $touchRows has started fetching all of the rows.
  (func (export "gather_scaled")
    (param $images i32) (param $pixels i32) (param $order i32) (param $count i32)
    (param $scale f64) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $order) (i32.shl (local.get $count) (i32.const 2))))
    (global.set $touched
      (call $touchRows (local.get $images) (local.get $pixels) (local.get $order) (local.get $count)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $order) (local.get $end)))
        (call $scaleBytes
          (i32.add (local.get $images) (i32.mul (i32.load (local.get $order)) (local.get $pixels)))
          (local.get $out) (local.get $pixels) (local.get $scale))
        (local.set $order (i32.add (local.get $order) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $pixels) (i32.const 2))))
        (br $rows))))

  ;; Reads one byte of every 64-byte line of the `count` rows of `pixels`
  ;; bytes that $order points at, and returns their sum (for $touched):
  ;; the rows of a shuffled batch sit at random places in the 47 MB of
  ;; images, and converting them one after the other waited on each row's
  ;; cache and TLB misses in turn (about half of a batch's time; touching
  ;; only the next row while converting one still waited on most of them);
  ;; these loads are independent, so the misses overlap, and the conversion
  ;; then finds the rows in the cache.
  (func $touchRows
    (param $images i32) (param $pixels i32) (param $order i32) (param $count i32)
    (result i32)
    (local $end i32) (local $row i32) (local $p i32) (local $sum i32)
    (local.set $end (i32.add (local.get $order) (i32.shl (local.get $count) (i32.const 2))))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $order) (local.get $end)))
        (local.set $row (i32.add (local.get $images)
          (i32.mul (i32.load (local.get $order)) (local.get $pixels))))
        (local.set $p (i32.const 0))
        (block $linesDone
          (loop $lines
            (br_if $linesDone (i32.ge_u (local.get $p) (local.get $pixels)))
            (local.set $sum (i32.add (local.get $sum)
              (i32.load8_u (i32.add (local.get $row) (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (br $lines)))
        (local.set $order (i32.add (local.get $order) (i32.const 4)))
        (br $rows)))
    (local.get $sum))

  ;; out[i] = bytes[i] · scale for n bytes (pixels into normalized floats).
  ;; The product is taken in f64 and rounded once to f32, as the TypeScript
  ;; loop `out[i] = bytes[i] * scale` does, so both give the same floats.
  ;; 16 bytes per trip: widened to four i32x4, each as two f64x2 products
  ;; (converted as signed: one instruction, where the unsigned conversion
  ;; is a sequence, and the same for values 0-255);
  ;; sixteen zero bytes (most of an MNIST image's border) are stored as
  ;; sixteen copies of 0 · scale without converting them.
  (func $scaleBytes
    (param $bytes i32) (param $out i32) (param $n i32) (param $scale f64)
    (local $end i32) (local $end16 i32) (local $scale2 v128) (local $zeros v128)
    (local $v v128) (local $half v128) (local $ints v128)
    (local.set $scale2 (f64x2.splat (local.get $scale)))
    (local.set $zeros (f32x4.splat (f32.demote_f64 (f64.mul (f64.const 0) (local.get $scale)))))
    (local.set $end (i32.add (local.get $bytes) (local.get $n)))
    (local.set $end16 (i32.add (local.get $bytes) (i32.and (local.get $n) (i32.const -16))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $bytes) (local.get $end16)))
        (local.set $v (v128.load (local.get $bytes)))
        (if (i32.eqz (v128.any_true (local.get $v)))
          (then
            (v128.store offset=0 (local.get $out) (local.get $zeros))
            (v128.store offset=16 (local.get $out) (local.get $zeros))
            (v128.store offset=32 (local.get $out) (local.get $zeros))
            (v128.store offset=48 (local.get $out) (local.get $zeros))
            (local.set $bytes (i32.add (local.get $bytes) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 64)))
            (br $vectors)))
        (local.set $half (i16x8.extend_low_i8x16_u (local.get $v)))
        (local.set $ints (i32x4.extend_low_i16x8_u (local.get $half)))
        (v128.store offset=0 (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $ints)) (local.get $scale2)))
          (f32x4.demote_f64x2_zero (f64x2.mul
            (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $ints) (local.get $ints)))
            (local.get $scale2)))))
        (local.set $ints (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store offset=16 (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $ints)) (local.get $scale2)))
          (f32x4.demote_f64x2_zero (f64x2.mul
            (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $ints) (local.get $ints)))
            (local.get $scale2)))))
        (local.set $half (i16x8.extend_high_i8x16_u (local.get $v)))
        (local.set $ints (i32x4.extend_low_i16x8_u (local.get $half)))
        (v128.store offset=32 (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $ints)) (local.get $scale2)))
          (f32x4.demote_f64x2_zero (f64x2.mul
            (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $ints) (local.get $ints)))
            (local.get $scale2)))))
        (local.set $ints (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store offset=48 (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $ints)) (local.get $scale2)))
          (f32x4.demote_f64x2_zero (f64x2.mul
            (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $ints) (local.get $ints)))
            (local.get $scale2)))))
        (local.set $bytes (i32.add (local.get $bytes) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (br $vectors)))
    (block $scalarsDone
      (loop $scalars
        (br_if $scalarsDone (i32.ge_u (local.get $bytes) (local.get $end)))
        (f32.store (local.get $out) (f32.demote_f64 (f64.mul
          (f64.convert_i32_u (i32.load8_u (local.get $bytes)))
          (local.get $scale))))
        (local.set $bytes (i32.add (local.get $bytes) (i32.const 1)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $scalars))))

  ;; One SGD step with momentum, Nesterov and weight decay over n values,
  ;; four at a time (the same update as lib/optimizer.ts):
  ;;   g = grad + weightDecay·w;  v = momentum·v + g;
  ;;   w -= lr · (nesterov ? g + momentum·v : v)
  (func (export "sgd")
    (param $w i32) (param $grad i32) (param $v i32) (param $n i32)
    (param $lr f32) (param $momentum f32) (param $weightDecay f32) (param $nesterov i32)
    (local $end i32) (local $end4 i32) (local $g v128) (local $vel v128)
    (local $lr4 v128) (local $momentum4 v128) (local $decay4 v128)
    (local $gs f32) (local $vs f32)
    (local.set $lr4 (f32x4.splat (local.get $lr)))
    (local.set $momentum4 (f32x4.splat (local.get $momentum)))
    (local.set $decay4 (f32x4.splat (local.get $weightDecay)))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $w) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    ;; One vector loop per kind of update, not both steps and a select in
    ;; one: the same operations on each value either way.
    (if (local.get $nesterov)
      (then
        (block $nesterovDone
          (loop $nesterovVectors
            (br_if $nesterovDone (i32.ge_u (local.get $w) (local.get $end4)))
            (local.set $g (f32x4.add (v128.load (local.get $grad))
              (f32x4.mul (local.get $decay4) (v128.load (local.get $w)))))
            (local.set $vel (f32x4.add (f32x4.mul (local.get $momentum4) (v128.load (local.get $v))) (local.get $g)))
            (v128.store (local.get $v) (local.get $vel))
            (v128.store (local.get $w)
              (f32x4.sub (v128.load (local.get $w)) (f32x4.mul (local.get $lr4)
                (f32x4.add (local.get $g) (f32x4.mul (local.get $momentum4) (local.get $vel))))))
            (local.set $w (i32.add (local.get $w) (i32.const 16)))
            (local.set $grad (i32.add (local.get $grad) (i32.const 16)))
            (local.set $v (i32.add (local.get $v) (i32.const 16)))
            (br $nesterovVectors))))
      (else
        (block $momentumDone
          (loop $momentumVectors
            (br_if $momentumDone (i32.ge_u (local.get $w) (local.get $end4)))
            (local.set $g (f32x4.add (v128.load (local.get $grad))
              (f32x4.mul (local.get $decay4) (v128.load (local.get $w)))))
            (local.set $vel (f32x4.add (f32x4.mul (local.get $momentum4) (v128.load (local.get $v))) (local.get $g)))
            (v128.store (local.get $v) (local.get $vel))
            (v128.store (local.get $w)
              (f32x4.sub (v128.load (local.get $w)) (f32x4.mul (local.get $lr4) (local.get $vel))))
            (local.set $w (i32.add (local.get $w) (i32.const 16)))
            (local.set $grad (i32.add (local.get $grad) (i32.const 16)))
            (local.set $v (i32.add (local.get $v) (i32.const 16)))
            (br $momentumVectors)))))
    (block $scalarsDone
      (loop $scalars
        (br_if $scalarsDone (i32.ge_u (local.get $w) (local.get $end)))
        (local.set $gs (f32.add (f32.load (local.get $grad))
          (f32.mul (local.get $weightDecay) (f32.load (local.get $w)))))
        (local.set $vs (f32.add (f32.mul (local.get $momentum) (f32.load (local.get $v))) (local.get $gs)))
        (f32.store (local.get $v) (local.get $vs))
        (f32.store (local.get $w) (f32.sub (f32.load (local.get $w)) (f32.mul (local.get $lr)
          (select (result f32)
            (f32.add (local.get $gs) (f32.mul (local.get $momentum) (local.get $vs)))
            (local.get $vs)
            (local.get $nesterov)))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $grad (i32.add (local.get $grad) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (br $scalars))))

  ;; The SIMD multiply-add peak, for the bench's roofline: $n trips of eight
  ;; independent 4-lane multiply-adds on registers (64 flops a trip), with
  ;; no memory traffic; eight chains hide the multiply-add latency. The sum
  ;; of the accumulators goes to $out so that none is dead code.
  (func (export "peak") (param $n i32) (param $out i32)
    (local $i i32) (local $x v128) (local $y v128)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $acc4 v128) (local $acc5 v128) (local $acc6 v128) (local $acc7 v128)
    (local.set $x (f32x4.splat (f32.const 0.5)))
    (local.set $y (f32x4.splat (f32.const 0.25)))
    (block $done
      (loop $trips
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (fma $acc0 $x $y)
        (fma $acc1 $x $y)
        (fma $acc2 $x $y)
        (fma $acc3 $x $y)
        (fma $acc4 $x $y)
        (fma $acc5 $x $y)
        (fma $acc6 $x $y)
        (fma $acc7 $x $y)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $trips)))
    (v128.store (local.get $out)
      (f32x4.add
        (f32x4.add (f32x4.add (local.get $acc0) (local.get $acc1))
          (f32x4.add (local.get $acc2) (local.get $acc3)))
        (f32x4.add (f32x4.add (local.get $acc4) (local.get $acc5))
          (f32x4.add (local.get $acc6) (local.get $acc7))))))

  ;; float64 kernels (`--dtype f64`): the same products on f64x2 vectors,
  ;; two columns a vector. `(madd64 $acc OFFSET)` is
  ;;   $acc += $scale * v128.load(offset=OFFSET, $src)
  ;; on two f64 lanes (fused in the relaxed build, as `madd`).

  ;; out[m,n] = a[m,k] · b[k,n] in f64, or out += a · b when $accumulate is
  ;; 1; the parameters are those of `ab` (strides in values, not bytes).
  ;; The nonzeros of each row of a are gathered ($gather64: 16-byte
  ;; entries), then the output row is swept 16 columns at a time with eight
  ;; 2-lane accumulators (two entries per trip, as in `ab`), then 8 with
  ;; four, then 2 at a time, then the last one alone. Each output is summed in the order of
  ;; k, as the TypeScript reference does. Outputs of 6, 8 or 10 columns
  ;; (the last layer's 10) go two rows at a time to $ab64Narrow2, which
  ;; does not gather; an odd last row to the sweeps ($ab64Row). Otherwise
  ;; rows with no zeros, six at a time, go to $ab64Dense6x4 for their first
  ;; n - n mod 4 columns (their last ones to $ab64Row), as `ab` does: a
  ;; row with a zero never does, so the results do not depend on which
  ;; rows went where.
  ;; scratch: 16·k bytes.
  (func $ab64 (export "ab64")
    (param $a i32) (param $b i32) (param $out i32)
    (param $m i32) (param $k i32) (param $n i32)
    (param $aStride i32) (param $stride i32)
    (param $scratch i32) (param $accumulate i32)
    (local $i i32) (local $r i32) (local $rowBytes i32) (local $denseBytes i32)
    (local $strideBytes i32) (local $aStrideBytes i32) (local $aRow i32) (local $outRow i32)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 3)))
    (local.set $denseBytes (i32.and (local.get $rowBytes) (i32.const -32)))
    (local.set $aStrideBytes (i32.shl (local.get $aStride) (i32.const 3)))
    (local.set $strideBytes (i32.shl (local.get $stride) (i32.const 3)))
    (local.set $aRow (local.get $a))
    (local.set $outRow (local.get $out))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
        (if (i32.and
              (i32.and (i32.le_u (i32.add (local.get $i) (i32.const 2)) (local.get $m))
                (i32.ne (local.get $k) (i32.const 0)))
              (i32.and (i32.eqz (i32.and (local.get $n) (i32.const 1)))
                (i32.and (i32.ge_u (local.get $n) (i32.const 6)) (i32.le_u (local.get $n) (i32.const 10)))))
          (then
            (call $ab64Narrow2
              (local.get $aRow) (local.get $aStrideBytes)
              (local.get $b) (local.get $strideBytes)
              (local.get $outRow) (local.get $k) (local.get $rowBytes) (local.get $accumulate))
            (local.set $aRow (i32.add (local.get $aRow) (i32.shl (local.get $aStrideBytes) (i32.const 1))))
            (local.set $outRow (i32.add (local.get $outRow) (i32.shl (local.get $strideBytes) (i32.const 1))))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $rows)))
        (if (i32.and
              (i32.and (i32.le_u (i32.add (local.get $i) (i32.const 6)) (local.get $m))
                (i32.and (i32.ne (local.get $denseBytes) (i32.const 0)) (i32.ne (local.get $k) (i32.const 0))))
              (i32.eqz (call $anyZero64
                (local.get $aRow) (local.get $aStrideBytes) (local.get $k) (i32.const 6))))
          (then
            (call $ab64Dense6x4
              (local.get $aRow) (local.get $aStrideBytes) (local.get $b) (local.get $strideBytes)
              (local.get $outRow) (local.get $k) (local.get $denseBytes) (local.get $accumulate))
            (local.set $r (i32.const 0))
            (block $tailsDone
              (loop $tails
                (br_if $tailsDone (i32.or (i32.eq (local.get $r) (i32.const 6))
                  (i32.eq (local.get $denseBytes) (local.get $rowBytes))))
                (call $ab64Row
                  (i32.add (local.get $aRow) (i32.mul (local.get $r) (local.get $aStrideBytes)))
                  (local.get $k) (local.get $b) (local.get $strideBytes)
                  (i32.add (local.get $outRow) (i32.mul (local.get $r) (local.get $strideBytes)))
                  (local.get $rowBytes) (local.get $denseBytes) (local.get $scratch) (local.get $accumulate))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $tails)))
            (local.set $aRow (i32.add (local.get $aRow) (i32.mul (local.get $aStrideBytes) (i32.const 6))))
            (local.set $outRow (i32.add (local.get $outRow) (i32.mul (local.get $strideBytes) (i32.const 6))))
            (local.set $i (i32.add (local.get $i) (i32.const 6)))
            (br $rows)))
        (call $ab64Row (local.get $aRow) (local.get $k) (local.get $b) (local.get $strideBytes)
          (local.get $outRow) (local.get $rowBytes) (i32.const 0) (local.get $scratch) (local.get $accumulate))
        (local.set $aRow (i32.add (local.get $aRow) (local.get $aStrideBytes)))
        (local.set $outRow (i32.add (local.get $outRow) (local.get $strideBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; out[2 rows, first $vecBytes/8 columns] = a[2 rows, k] · b[k, same
  ;; columns] in f64 (or +=, as in `ab64`), for outputs of 6, 8 or 10
  ;; columns: the whole width in five 2-lane vectors per row, at byte
  ;; offsets 0, 16, 32, then $vecBytes - 32 and - 16 (for 6 or 8 columns
  ;; some columns are summed twice, the same sums in the same order, and
  ;; stored twice). $vecBytes 48, 64 or 80; k at least 1.
  ;;
  ;; $abNarrow3's method in f64: ten accumulators (2 rows x 5 vectors) for
  ;; the whole sum over k; a's rows not gathered, a zero made a no-op (the
  ;; scale -0 and b's vectors +0 for that row: -0 · +0 added leaves any sum
  ;; unchanged), so that ten chains of multiply-adds run side by side
  ;; instead of one row's chain of dependent entries. Each vector of b is
  ;; loaded once per row (five shared vectors and ten accumulators would
  ;; be more registers than there are). Each output is summed in the order
  ;; of k with the multiply-add of `ab64`.
  (func $ab64Narrow2
    (param $a i32) (param $aStrideBytes i32) (param $b i32) (param $strideBytes i32)
    (param $out i32) (param $k i32) (param $vecBytes i32) (param $accumulate i32)
    (local $p i32) (local $end i32) (local $src i32) (local $a1 i32) (local $dst i32)
    (local $last i32) (local $srcLast i32)
    (local $scale v128) (local $zero v128) (local $masked v128)
    (local $acc00 v128) (local $acc01 v128) (local $acc02 v128) (local $acc03 v128) (local $acc04 v128)
    (local $acc10 v128) (local $acc11 v128) (local $acc12 v128) (local $acc13 v128) (local $acc14 v128)
    (local.set $a1 (local.get $aStrideBytes))
    (local.set $last (i32.sub (local.get $vecBytes) (i32.const 32)))
    (local.set $dst (local.get $out))
    (local.set $acc00 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.const 0))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc01 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.const 16))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc02 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.const 32))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc03 (select (result v128)
      (v128.load (i32.add (local.get $dst) (local.get $last))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc04 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.add (local.get $last) (i32.const 16)))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $dst (i32.add (local.get $dst) (local.get $strideBytes)))
    (local.set $acc10 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.const 0))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc11 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.const 16))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc12 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.const 32))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc13 (select (result v128)
      (v128.load (i32.add (local.get $dst) (local.get $last))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $acc14 (select (result v128)
      (v128.load (i32.add (local.get $dst) (i32.add (local.get $last) (i32.const 16)))) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
    (local.set $p (local.get $a))
    (local.set $src (local.get $b))
    (local.set $srcLast (i32.add (local.get $b) (local.get $last)))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 3))))
    (loop $sum
      (local.set $scale (v128.load64_splat (local.get $p)))
      (local.set $zero (f64x2.eq (local.get $scale) (v128.const i64x2 0 0)))
      (local.set $scale (v128.or (local.get $scale) (i64x2.shl (local.get $zero) (i32.const 63))))
      (local.set $masked (v128.andnot (v128.load offset=0 (local.get $src)) (local.get $zero)))
      (fma64 $acc00 $scale $masked)
      (local.set $masked (v128.andnot (v128.load offset=16 (local.get $src)) (local.get $zero)))
      (fma64 $acc01 $scale $masked)
      (local.set $masked (v128.andnot (v128.load offset=32 (local.get $src)) (local.get $zero)))
      (fma64 $acc02 $scale $masked)
      (local.set $masked (v128.andnot (v128.load offset=0 (local.get $srcLast)) (local.get $zero)))
      (fma64 $acc03 $scale $masked)
      (local.set $masked (v128.andnot (v128.load offset=16 (local.get $srcLast)) (local.get $zero)))
      (fma64 $acc04 $scale $masked)
      (local.set $scale (v128.load64_splat (i32.add (local.get $p) (local.get $a1))))
      (local.set $zero (f64x2.eq (local.get $scale) (v128.const i64x2 0 0)))
      (local.set $scale (v128.or (local.get $scale) (i64x2.shl (local.get $zero) (i32.const 63))))
      (local.set $masked (v128.andnot (v128.load offset=0 (local.get $src)) (local.get $zero)))
      (fma64 $acc10 $scale $masked)
      (local.set $masked (v128.andnot (v128.load offset=16 (local.get $src)) (local.get $zero)))
      (fma64 $acc11 $scale $masked)
      (local.set $masked (v128.andnot (v128.load offset=32 (local.get $src)) (local.get $zero)))
      (fma64 $acc12 $scale $masked)
      (local.set $masked (v128.andnot (v128.load offset=0 (local.get $srcLast)) (local.get $zero)))
      (fma64 $acc13 $scale $masked)
      (local.set $masked (v128.andnot (v128.load offset=16 (local.get $srcLast)) (local.get $zero)))
      (fma64 $acc14 $scale $masked)
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (local.set $src (i32.add (local.get $src) (local.get $strideBytes)))
      (local.set $srcLast (i32.add (local.get $srcLast) (local.get $strideBytes)))
      (br_if $sum (i32.lt_u (local.get $p) (local.get $end))))
    (local.set $dst (local.get $out))
    (v128.store (i32.add (local.get $dst) (i32.const 0)) (local.get $acc00))
    (v128.store (i32.add (local.get $dst) (i32.const 16)) (local.get $acc01))
    (v128.store (i32.add (local.get $dst) (i32.const 32)) (local.get $acc02))
    (v128.store (i32.add (local.get $dst) (local.get $last)) (local.get $acc03))
    (v128.store (i32.add (local.get $dst) (i32.add (local.get $last) (i32.const 16))) (local.get $acc04))
    (local.set $dst (i32.add (local.get $dst) (local.get $strideBytes)))
    (v128.store (i32.add (local.get $dst) (i32.const 0)) (local.get $acc10))
    (v128.store (i32.add (local.get $dst) (i32.const 16)) (local.get $acc11))
    (v128.store (i32.add (local.get $dst) (i32.const 32)) (local.get $acc12))
    (v128.store (i32.add (local.get $dst) (local.get $last)) (local.get $acc13))
    (v128.store (i32.add (local.get $dst) (i32.add (local.get $last) (i32.const 16))) (local.get $acc14)))


  ;; One row of `ab64` from column $j (in bytes) on: its nonzeros gathered
  ;; ($gather64: 16-byte entries), then the sweeps of 16, 8 and 2 columns
  ;; and the odd last column described at `ab64`.
  (func $ab64Row
    (param $aRow i32) (param $k i32) (param $b i32) (param $strideBytes i32)
    (param $outRow i32) (param $rowBytes i32) (param $j i32)
    (param $scratch i32) (param $accumulate i32)
    (call $ab64Sweep (local.get $scratch)
      (i32.add (local.get $scratch) (i32.shl
        (call $gather64 (local.get $aRow) (local.get $k) (local.get $b)
          (local.get $strideBytes) (local.get $scratch))
        (i32.const 4)))
      (local.get $outRow) (local.get $rowBytes) (local.get $j) (local.get $accumulate)))

  ;; The sweeps of one row of `ab64` (see $ab64Row) over its gathered
  ;; entries [$entries, $end): the output row from column $j (in bytes) on.
  (func $ab64Sweep
    (param $entries i32) (param $end i32)
    (param $outRow i32) (param $rowBytes i32) (param $j i32) (param $accumulate i32)
    (local $q i32) (local $src i32) (local $dst i32) (local $sum f64)
    (local $scale v128) (local $src2 i32) (local $scale2 v128)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $acc4 v128) (local $acc5 v128) (local $acc6 v128) (local $acc7 v128)

    ;; 16 columns at a time ($j counts bytes)
    (block $wideDone
      (loop $wide
        (br_if $wideDone (i32.gt_u (i32.add (local.get $j) (i32.const 128)) (local.get $rowBytes)))
        (local.set $dst (i32.add (local.get $outRow) (local.get $j)))
        (local.set $acc0 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc1 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc2 (select (result v128)
          (v128.load offset=32 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc3 (select (result v128)
          (v128.load offset=48 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc4 (select (result v128)
          (v128.load offset=64 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc5 (select (result v128)
          (v128.load offset=80 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc6 (select (result v128)
          (v128.load offset=96 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc7 (select (result v128)
          (v128.load offset=112 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $q (local.get $entries))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.gt_u (i32.add (local.get $q) (i32.const 32)) (local.get $end)))
            (local.set $src (i32.add (i32.load (local.get $q)) (local.get $j)))
            (local.set $src2 (i32.add (i32.load offset=16 (local.get $q)) (local.get $j)))
            (local.set $scale (v128.load64_splat offset=8 (local.get $q)))
            (local.set $scale2 (v128.load64_splat offset=24 (local.get $q)))
            (madd64 $acc0 0)
            (madd64 $acc1 16)
            (madd64 $acc2 32)
            (madd64 $acc3 48)
            (madd64 $acc4 64)
            (madd64 $acc5 80)
            (madd64 $acc6 96)
            (madd64 $acc7 112)
            (madd64 $acc0 0 $src2 $scale2)
            (madd64 $acc1 16 $src2 $scale2)
            (madd64 $acc2 32 $src2 $scale2)
            (madd64 $acc3 48 $src2 $scale2)
            (madd64 $acc4 64 $src2 $scale2)
            (madd64 $acc5 80 $src2 $scale2)
            (madd64 $acc6 96 $src2 $scale2)
            (madd64 $acc7 112 $src2 $scale2)
            (local.set $q (i32.add (local.get $q) (i32.const 32)))
            (br $pairs)))
        (if (i32.lt_u (local.get $q) (local.get $end))
          (then
            (local.set $src (i32.add (i32.load (local.get $q)) (local.get $j)))
            (local.set $scale (v128.load64_splat offset=8 (local.get $q)))
            (madd64 $acc0 0)
            (madd64 $acc1 16)
            (madd64 $acc2 32)
            (madd64 $acc3 48)
            (madd64 $acc4 64)
            (madd64 $acc5 80)
            (madd64 $acc6 96)
            (madd64 $acc7 112)))
        (v128.store offset=0 (local.get $dst) (local.get $acc0))
        (v128.store offset=16 (local.get $dst) (local.get $acc1))
        (v128.store offset=32 (local.get $dst) (local.get $acc2))
        (v128.store offset=48 (local.get $dst) (local.get $acc3))
        (v128.store offset=64 (local.get $dst) (local.get $acc4))
        (v128.store offset=80 (local.get $dst) (local.get $acc5))
        (v128.store offset=96 (local.get $dst) (local.get $acc6))
        (v128.store offset=112 (local.get $dst) (local.get $acc7))
        (local.set $j (i32.add (local.get $j) (i32.const 128)))
        (br $wide)))

    ;; 8 columns, four accumulators, once if 8 to 15 remain (a 10-wide
    ;; output: 8 here and 2 below, rather than five 2-wide sweeps)
    (if (i32.le_u (i32.add (local.get $j) (i32.const 64)) (local.get $rowBytes))
      (then
        (local.set $dst (i32.add (local.get $outRow) (local.get $j)))
        (local.set $acc0 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc1 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc2 (select (result v128)
          (v128.load offset=32 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc3 (select (result v128)
          (v128.load offset=48 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $q (local.get $entries))
        (block $sumDone
          (loop $sum
            (br_if $sumDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $src (i32.add (i32.load (local.get $q)) (local.get $j)))
            (local.set $scale (v128.load64_splat offset=8 (local.get $q)))
            (madd64 $acc0 0)
            (madd64 $acc1 16)
            (madd64 $acc2 32)
            (madd64 $acc3 48)
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $sum)))
        (v128.store offset=0 (local.get $dst) (local.get $acc0))
        (v128.store offset=16 (local.get $dst) (local.get $acc1))
        (v128.store offset=32 (local.get $dst) (local.get $acc2))
        (v128.store offset=48 (local.get $dst) (local.get $acc3))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))))

    ;; 2 columns at a time
    (block $narrowDone
      (loop $narrow
        (br_if $narrowDone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rowBytes)))
        (local.set $acc0 (select (result v128)
          (v128.load (i32.add (local.get $outRow) (local.get $j)))
          (v128.const i32x4 0 0 0 0)
          (local.get $accumulate)))
        (local.set $q (local.get $entries))
        (block $sumDone
          (loop $sum
            (br_if $sumDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $src (i32.add (i32.load (local.get $q)) (local.get $j)))
            (local.set $scale (v128.load64_splat offset=8 (local.get $q)))
            (madd64 $acc0 0)
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $sum)))
        (v128.store (i32.add (local.get $outRow) (local.get $j)) (local.get $acc0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $narrow)))

    ;; the last column, if n is odd
    (if (i32.lt_u (local.get $j) (local.get $rowBytes))
      (then
        (local.set $sum (select (result f64)
          (f64.load (i32.add (local.get $outRow) (local.get $j)))
          (f64.const 0)
          (local.get $accumulate)))
        (local.set $q (local.get $entries))
        (block $sumDone
          (loop $sum
            (br_if $sumDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $sum (f64.add (local.get $sum) (f64.mul
              (f64.load offset=8 (local.get $q))
              (f64.load (i32.add (i32.load (local.get $q)) (local.get $j))))))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $sum)))
        (f64.store (i32.add (local.get $outRow) (local.get $j)) (local.get $sum)))))

  ;; out[6 rows, first $colBytes/8 columns] = a[6 rows, k] · b[k, same
  ;; columns] in f64 (or +=, as in `ab64`), for six rows of a with no
  ;; zeros; rows of a $aStrideBytes apart, of b and out $strideBytes;
  ;; $colBytes a multiple of 32 and k at least 1.
  ;;
  ;; $abDense6x8 in f64: panels of 4 columns (two 2-lane vectors), twelve
  ;; accumulators (6 rows x 2 vectors) for the whole sum over k, each
  ;; vector of b loaded once per k for six rows (a gathered row's sweep
  ;; loads one per multiply-add, and chains them). For a short k (the last
  ;; layer's input gradient, k = 10) it also spares each row its gather.
  ;; Each output is summed in the order of k with the multiply-add of
  ;; `ab64`.
  (func $ab64Dense6x4
    (param $a i32) (param $aStrideBytes i32) (param $b i32) (param $strideBytes i32)
    (param $out i32) (param $k i32) (param $colBytes i32) (param $accumulate i32)
    (local $j i32) (local $p i32) (local $end i32) (local $src i32) (local $dst i32)
    ;; $aR and $oR: the offsets of row R of a and of out from row 0
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $a4 i32) (local $a5 i32)
    (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32)
    (local $scale v128) (local $b0 v128) (local $b1 v128)
    (local $acc00 v128) (local $acc01 v128)
    (local $acc10 v128) (local $acc11 v128)
    (local $acc20 v128) (local $acc21 v128)
    (local $acc30 v128) (local $acc31 v128)
    (local $acc40 v128) (local $acc41 v128)
    (local $acc50 v128) (local $acc51 v128)
    (local.set $a1 (local.get $aStrideBytes))
    (local.set $o1 (local.get $strideBytes))
    (local.set $a2 (i32.mul (local.get $aStrideBytes) (i32.const 2)))
    (local.set $o2 (i32.mul (local.get $strideBytes) (i32.const 2)))
    (local.set $a3 (i32.mul (local.get $aStrideBytes) (i32.const 3)))
    (local.set $o3 (i32.mul (local.get $strideBytes) (i32.const 3)))
    (local.set $a4 (i32.mul (local.get $aStrideBytes) (i32.const 4)))
    (local.set $o4 (i32.mul (local.get $strideBytes) (i32.const 4)))
    (local.set $a5 (i32.mul (local.get $aStrideBytes) (i32.const 5)))
    (local.set $o5 (i32.mul (local.get $strideBytes) (i32.const 5)))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 3))))
    (block $panelsDone
      (loop $panels
        (br_if $panelsDone (i32.gt_u (i32.add (local.get $j) (i32.const 32)) (local.get $colBytes)))
        (local.set $dst (i32.add (local.get $out) (local.get $j)))
        (local.set $acc00 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc01 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o1)))
        (local.set $acc10 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc11 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o2)))
        (local.set $acc20 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc21 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o3)))
        (local.set $acc30 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc31 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o4)))
        (local.set $acc40 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc41 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o5)))
        (local.set $acc50 (select (result v128)
          (v128.load offset=0 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $acc51 (select (result v128)
          (v128.load offset=16 (local.get $dst)) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))
        (local.set $p (local.get $a))
        (local.set $src (i32.add (local.get $b) (local.get $j)))
        (loop $sum
          (local.set $b0 (v128.load offset=0 (local.get $src)))
          (local.set $b1 (v128.load offset=16 (local.get $src)))
          (local.set $scale (v128.load64_splat offset=0 (local.get $p)))
          (fma64 $acc00 $scale $b0)
          (fma64 $acc01 $scale $b1)
          (local.set $scale (v128.load64_splat offset=0 (i32.add (local.get $p) (local.get $a1))))
          (fma64 $acc10 $scale $b0)
          (fma64 $acc11 $scale $b1)
          (local.set $scale (v128.load64_splat offset=0 (i32.add (local.get $p) (local.get $a2))))
          (fma64 $acc20 $scale $b0)
          (fma64 $acc21 $scale $b1)
          (local.set $scale (v128.load64_splat offset=0 (i32.add (local.get $p) (local.get $a3))))
          (fma64 $acc30 $scale $b0)
          (fma64 $acc31 $scale $b1)
          (local.set $scale (v128.load64_splat offset=0 (i32.add (local.get $p) (local.get $a4))))
          (fma64 $acc40 $scale $b0)
          (fma64 $acc41 $scale $b1)
          (local.set $scale (v128.load64_splat offset=0 (i32.add (local.get $p) (local.get $a5))))
          (fma64 $acc50 $scale $b0)
          (fma64 $acc51 $scale $b1)
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (local.set $src (i32.add (local.get $src) (local.get $strideBytes)))
          (br_if $sum (i32.lt_u (local.get $p) (local.get $end))))
        (local.set $dst (i32.add (local.get $out) (local.get $j)))
        (v128.store offset=0 (local.get $dst) (local.get $acc00))
        (v128.store offset=16 (local.get $dst) (local.get $acc01))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o1)))
        (v128.store offset=0 (local.get $dst) (local.get $acc10))
        (v128.store offset=16 (local.get $dst) (local.get $acc11))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o2)))
        (v128.store offset=0 (local.get $dst) (local.get $acc20))
        (v128.store offset=16 (local.get $dst) (local.get $acc21))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o3)))
        (v128.store offset=0 (local.get $dst) (local.get $acc30))
        (v128.store offset=16 (local.get $dst) (local.get $acc31))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o4)))
        (v128.store offset=0 (local.get $dst) (local.get $acc40))
        (v128.store offset=16 (local.get $dst) (local.get $acc41))
        (local.set $dst (i32.add (i32.add (local.get $out) (local.get $j)) (local.get $o5)))
        (v128.store offset=0 (local.get $dst) (local.get $acc50))
        (v128.store offset=16 (local.get $dst) (local.get $acc51))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br $panels))))

  ;; $anyZero for rows of k f64 values: two values a vector, then the odd
  ;; last one.
  (func $anyZero64
    (param $a i32) (param $aStrideBytes i32) (param $k i32) (param $rows i32) (result i32)
    (local $r i32) (local $p i32) (local $end i32)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.eq (local.get $r) (local.get $rows)))
        (local.set $p (local.get $a))
        (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 3))))
        (block $vectorsDone
          (loop $vectors
            (br_if $vectorsDone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
            (if (v128.any_true (f64x2.eq (v128.load (local.get $p)) (v128.const i32x4 0 0 0 0)))
              (then (return (i32.const 1))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $vectors)))
        (block $scalarsDone
          (loop $scalars
            (br_if $scalarsDone (i32.ge_u (local.get $p) (local.get $end)))
            (if (f64.eq (f64.load (local.get $p)) (f64.const 0))
              (then (return (i32.const 1))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $scalars)))
        (local.set $a (i32.add (local.get $a) (local.get $aStrideBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (i32.const 0))

  ;; $gather for a row of k f64 values: 16-byte entries, an i32 pointer
  ;; ($base + p·$rowBytes) then the f64 value at offset 8. Up to 64 values
  ;; at a time go to $gather64Block, the last k mod 8 one at a time,
  ;; branch-free (each written, the slot moved on past a nonzero only).
  ;; Returns how many entries it wrote.
  (func $gather64
    (param $aRow i32) (param $k i32) (param $base i32) (param $rowBytes i32)
    (param $scratch i32) (result i32)
    (local $p i32) (local $k8 i32) (local $values i32) (local $slot i32) (local $v f64)
    (local.set $k8 (i32.and (local.get $k) (i32.const -8)))
    (local.set $slot (local.get $scratch))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $p) (local.get $k8)))
        (local.set $values (select (i32.const 64) (i32.sub (local.get $k8) (local.get $p))
          (i32.ge_u (i32.sub (local.get $k8) (local.get $p)) (i32.const 64))))
        (local.set $slot (call $gather64Block
          (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 3))) (local.get $values)
          (i32.add (local.get $base) (i32.mul (local.get $p) (local.get $rowBytes)))
          (local.get $rowBytes) (local.get $slot)))
        (local.set $p (i32.add (local.get $p) (local.get $values)))
        (br $blocks)))
    (block $gatherDone
      (loop $gather
        (br_if $gatherDone (i32.ge_u (local.get $p) (local.get $k)))
        (local.set $v (f64.load (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 3)))))
        (i32.store (local.get $slot)
          (i32.add (local.get $base) (i32.mul (local.get $p) (local.get $rowBytes))))
        (f64.store offset=8 (local.get $slot) (local.get $v))
        (local.set $slot (i32.add (local.get $slot)
          (i32.shl (f64.ne (local.get $v) (f64.const 0)) (i32.const 4))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $gather)))
    (i32.shr_u (i32.sub (local.get $slot) (local.get $scratch)) (i32.const 4)))

  ;; The entries of $values f64 values (a multiple of 8, at most 64) from
  ;; $aRow on, written from $slot on; returns the slot after the last.
  ;; First one 64-bit mask of the nonzeros (bit p for value p), eight
  ;; values a step, then one entry per set bit, lowest first (i64.ctz, then
  ;; the bit cleared). The bit loop's exit, which depends on the data, is
  ;; mispredicted once per 64 values, where a loop per 8 values missed it
  ;; on most chunks with a nonzero. Each entry is one 16-byte store: the
  ;; value's 8 bytes twice, the pointer over the first copy's low half.
  (func $gather64Block
    (param $aRow i32) (param $values i32) (param $base i32) (param $rowBytes i32)
    (param $slot i32) (result i32)
    (local $p i32) (local $src i32) (local $mask i64) (local $t i32)
    (block $chunksDone
      (loop $chunks
        (br_if $chunksDone (i32.ge_u (local.get $p) (local.get $values)))
        (local.set $src (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 3))))
        (local.set $mask (i64.or (local.get $mask) (i64.shl (i64.extend_i32_u (i32.or
          (i32.or
            (i64x2.bitmask (f64x2.ne (v128.load offset=0 (local.get $src)) (v128.const i32x4 0 0 0 0)))
            (i32.shl (i64x2.bitmask (f64x2.ne (v128.load offset=16 (local.get $src)) (v128.const i32x4 0 0 0 0))) (i32.const 2)))
          (i32.or
            (i32.shl (i64x2.bitmask (f64x2.ne (v128.load offset=32 (local.get $src)) (v128.const i32x4 0 0 0 0))) (i32.const 4))
            (i32.shl (i64x2.bitmask (f64x2.ne (v128.load offset=48 (local.get $src)) (v128.const i32x4 0 0 0 0))) (i32.const 6)))))
          (i64.extend_i32_u (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $chunks)))
    (if (i64.ne (local.get $mask) (i64.const 0))
      (then
        (loop $bits
          (local.set $t (i32.wrap_i64 (i64.ctz (local.get $mask))))
          (v128.store (local.get $slot) (i32x4.replace_lane 0
            (v128.load64_splat (i32.add (local.get $aRow) (i32.shl (local.get $t) (i32.const 3))))
            (i32.add (local.get $base) (i32.mul (local.get $t) (local.get $rowBytes)))))
          (local.set $slot (i32.add (local.get $slot) (i32.const 16)))
          (local.set $mask (i64.and (local.get $mask) (i64.sub (local.get $mask) (i64.const 1))))
          (br_if $bits (i64.ne (local.get $mask) (i64.const 0))))))
    (local.get $slot))

  ;; dst[cols,rows] = transpose of src[rows,cols] in f64: 2x2 blocks (two
  ;; loads, two shuffles, two stores) in strips of 8 columns; the odd last
  ;; column and row one value at a time.
  (func (export "transpose64")
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (call $transposeStrided64 (local.get $src) (local.get $dst)
      (local.get $rows) (local.get $cols) (local.get $cols)))

  ;; `transpose64` of a block of columns: src's rows are $stride values apart.
  (func $transposeStrided64
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (param $stride i32)
    (local $r i32) (local $c i32) (local $rows2 i32) (local $cols2 i32)
    (local $from i32) (local $to i32) (local $x0 v128) (local $x1 v128)
    (local $strip i32) (local $stripEnd i32)
    (local.set $rows2 (i32.and (local.get $rows) (i32.const -2)))
    (local.set $cols2 (i32.and (local.get $cols) (i32.const -2)))
    (block $stripsDone
      (loop $strips
        (br_if $stripsDone (i32.ge_u (local.get $strip) (local.get $cols2)))
        (local.set $stripEnd (select
          (i32.add (local.get $strip) (i32.const 8)) (local.get $cols2)
          (i32.lt_u (i32.add (local.get $strip) (i32.const 8)) (local.get $cols2))))
        (local.set $r (i32.const 0))
        (block $blockRowsDone
          (loop $blockRows
            (br_if $blockRowsDone (i32.ge_u (local.get $r) (local.get $rows2)))
            (local.set $c (local.get $strip))
            (block $blocksDone
              (loop $blocks
                (br_if $blocksDone (i32.ge_u (local.get $c) (local.get $stripEnd)))
                (local.set $from (i32.add (local.get $src)
                  (i32.shl (i32.add (i32.mul (local.get $r) (local.get $stride)) (local.get $c)) (i32.const 3))))
                (local.set $x0 (v128.load (local.get $from)))
                (local.set $x1 (v128.load (i32.add (local.get $from) (i32.shl (local.get $stride) (i32.const 3)))))
                (local.set $to (i32.add (local.get $dst)
                  (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 3))))
                (v128.store (local.get $to)
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x0) (local.get $x1)))
                (v128.store (i32.add (local.get $to) (i32.shl (local.get $rows) (i32.const 3)))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x0) (local.get $x1)))
                (local.set $c (i32.add (local.get $c) (i32.const 2)))
                (br $blocks)))
            (local.set $r (i32.add (local.get $r) (i32.const 2)))
            (br $blockRows)))
        (local.set $strip (local.get $stripEnd))
        (br $strips)))
    (call $transposeScalar64 (local.get $src) (local.get $dst) (local.get $rows) (local.get $stride)
      (i32.const 0) (local.get $rows2) (local.get $cols2) (local.get $cols))
    (call $transposeScalar64 (local.get $src) (local.get $dst) (local.get $rows) (local.get $stride)
      (local.get $rows2) (local.get $rows) (i32.const 0) (local.get $cols)))

  ;; dst[c,r] = src[r,c] in f64 for r in [r0,r1), c in [c0,c1); src's rows
  ;; are $stride values apart, dst's $rows.
  (func $transposeScalar64
    (param $src i32) (param $dst i32) (param $rows i32) (param $stride i32)
    (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
    (local $r i32) (local $c i32)
    (local.set $r (local.get $r0))
    (block $rDone
      (loop $rLoop
        (br_if $rDone (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $c (local.get $c0))
        (block $cDone
          (loop $cLoop
            (br_if $cDone (i32.ge_u (local.get $c) (local.get $c1)))
            (f64.store
              (i32.add (local.get $dst)
                (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 3)))
              (f64.load (i32.add (local.get $src)
                (i32.shl (i32.add (i32.mul (local.get $r) (local.get $stride)) (local.get $c)) (i32.const 3)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rLoop))))

  ;; dst += src over n f64 values (the two threads' partial products).
  (func (export "add_arrays64") (param $dst i32) (param $src i32) (param $n i32)
    (local $end i32) (local $end2 i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $end2 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $dst) (local.get $end2)))
        (v128.store (local.get $dst) (f64x2.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $vectors)))
    (if (i32.lt_u (local.get $dst) (local.get $end))
      (then
        (f64.store (local.get $dst) (f64.add (f64.load (local.get $dst)) (f64.load (local.get $src)))))))

  ;; One SGD step in f64 over n values, two at a time: the update of `sgd`
  ;; in exactly the operations and order of the TypeScript loops in
  ;; lib/optim/sgd.ts, so that both give the same numbers (one vector loop
  ;; per kind of update: with the choice inside the loop it ran a quarter
  ;; slower):
  ;;   nesterov: g = grad + weightDecay·w;  v = momentum·v + g;
  ;;             w -= lr · (g + momentum·v)
  ;;   else:     v = momentum·v + grad + weightDecay·w;  w -= lr · v
  (func (export "sgd64")
    (param $w i32) (param $grad i32) (param $v i32) (param $n i32)
    (param $lr f64) (param $momentum f64) (param $weightDecay f64) (param $nesterov i32)
    (local $end i32) (local $end2 i32) (local $g v128) (local $vel v128)
    (local $lr2 v128) (local $momentum2 v128) (local $decay2 v128)
    (local $gs f64) (local $vs f64)
    (local.set $lr2 (f64x2.splat (local.get $lr)))
    (local.set $momentum2 (f64x2.splat (local.get $momentum)))
    (local.set $decay2 (f64x2.splat (local.get $weightDecay)))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $end2 (i32.add (local.get $w) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (if (local.get $nesterov)
      (then
        (block $nesterovDone
          (loop $nesterovVectors
            (br_if $nesterovDone (i32.ge_u (local.get $w) (local.get $end2)))
            (local.set $g (f64x2.add (v128.load (local.get $grad))
              (f64x2.mul (local.get $decay2) (v128.load (local.get $w)))))
            (local.set $vel (f64x2.add (f64x2.mul (local.get $momentum2) (v128.load (local.get $v))) (local.get $g)))
            (v128.store (local.get $v) (local.get $vel))
            (v128.store (local.get $w)
              (f64x2.sub (v128.load (local.get $w)) (f64x2.mul (local.get $lr2)
                (f64x2.add (local.get $g) (f64x2.mul (local.get $momentum2) (local.get $vel))))))
            (local.set $w (i32.add (local.get $w) (i32.const 16)))
            (local.set $grad (i32.add (local.get $grad) (i32.const 16)))
            (local.set $v (i32.add (local.get $v) (i32.const 16)))
            (br $nesterovVectors))))
      (else
        (block $momentumDone
          (loop $momentumVectors
            (br_if $momentumDone (i32.ge_u (local.get $w) (local.get $end2)))
            (local.set $vel (f64x2.add
              (f64x2.add (f64x2.mul (local.get $momentum2) (v128.load (local.get $v))) (v128.load (local.get $grad)))
              (f64x2.mul (local.get $decay2) (v128.load (local.get $w)))))
            (v128.store (local.get $v) (local.get $vel))
            (v128.store (local.get $w)
              (f64x2.sub (v128.load (local.get $w)) (f64x2.mul (local.get $lr2) (local.get $vel))))
            (local.set $w (i32.add (local.get $w) (i32.const 16)))
            (local.set $grad (i32.add (local.get $grad) (i32.const 16)))
            (local.set $v (i32.add (local.get $v) (i32.const 16)))
            (br $momentumVectors)))))
    (if (i32.lt_u (local.get $w) (local.get $end))
      (then
        (if (local.get $nesterov)
          (then
            (local.set $gs (f64.add (f64.load (local.get $grad))
              (f64.mul (local.get $weightDecay) (f64.load (local.get $w)))))
            (local.set $vs (f64.add (f64.mul (local.get $momentum) (f64.load (local.get $v))) (local.get $gs)))
            (local.set $gs (f64.add (local.get $gs) (f64.mul (local.get $momentum) (local.get $vs)))))
          (else
            (local.set $vs (f64.add
              (f64.add (f64.mul (local.get $momentum) (f64.load (local.get $v))) (f64.load (local.get $grad)))
              (f64.mul (local.get $weightDecay) (f64.load (local.get $w)))))
            (local.set $gs (local.get $vs))))
        (f64.store (local.get $v) (local.get $vs))
        (f64.store (local.get $w)
          (f64.sub (f64.load (local.get $w)) (f64.mul (local.get $lr) (local.get $gs)))))))

  ;; f64 twins of the elementwise helpers (`--dtype f64`): each visits its
  ;; arrays two doubles a vector, then the odd last value alone, and
  ;; computes exactly what the TypeScript loop of lib/nn/layers.ts or
  ;; lib/data/dataset.ts computes in doubles (same operations, same order).

  ;; matrix[r,:] += vector for every row r, in f64 (a Linear layer's bias):
  ;; 8 columns a trip (four vectors), then 2, then the odd last one.
  (func (export "add_row_vector64")
    (param $matrix i32) (param $vector i32) (param $rows i32) (param $cols i32)
    (local $end i32) (local $j i32) (local $rowBytes i32) (local $bytes8 i32) (local $bytes2 i32)
    (local $dst i32) (local $src i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $bytes8 (i32.shl (i32.and (local.get $cols) (i32.const -8)) (i32.const 3)))
    (local.set $bytes2 (i32.shl (i32.and (local.get $cols) (i32.const -2)) (i32.const 3)))
    (local.set $end (i32.add (local.get $matrix)
      (i32.mul (local.get $rows) (local.get $rowBytes))))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $matrix) (local.get $end)))
        (local.set $j (i32.const 0))
        (block $eightDone
          (loop $eight
            (br_if $eightDone (i32.ge_u (local.get $j) (local.get $bytes8)))
            (local.set $dst (i32.add (local.get $matrix) (local.get $j)))
            (local.set $src (i32.add (local.get $vector) (local.get $j)))
            (v128.store offset=0 (local.get $dst)
              (f64x2.add (v128.load offset=0 (local.get $dst)) (v128.load offset=0 (local.get $src))))
            (v128.store offset=16 (local.get $dst)
              (f64x2.add (v128.load offset=16 (local.get $dst)) (v128.load offset=16 (local.get $src))))
            (v128.store offset=32 (local.get $dst)
              (f64x2.add (v128.load offset=32 (local.get $dst)) (v128.load offset=32 (local.get $src))))
            (v128.store offset=48 (local.get $dst)
              (f64x2.add (v128.load offset=48 (local.get $dst)) (v128.load offset=48 (local.get $src))))
            (local.set $j (i32.add (local.get $j) (i32.const 64)))
            (br $eight)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_u (local.get $j) (local.get $bytes2)))
            (local.set $dst (i32.add (local.get $matrix) (local.get $j)))
            (v128.store (local.get $dst)
              (f64x2.add (v128.load (local.get $dst)) (v128.load (i32.add (local.get $vector) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        (if (i32.lt_u (local.get $j) (local.get $rowBytes))
          (then
            (local.set $dst (i32.add (local.get $matrix) (local.get $j)))
            (f64.store (local.get $dst)
              (f64.add (f64.load (local.get $dst)) (f64.load (i32.add (local.get $vector) (local.get $j)))))))
        (local.set $matrix (i32.add (local.get $matrix) (local.get $rowBytes)))
        (br $rowLoop))))

  ;; out[j] = Σ_r matrix[r,j] in f64, rows added in order from +0 (a bias
  ;; gradient, as the TypeScript loop after `fill(0)`): in chunks of 64
  ;; rows, as `sum_rows`, so that a full batch's chunk is summed while it
  ;; sits in the L1 cache.
  (func (export "sum_rows64")
    (param $matrix i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $chunk i32)
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $cols) (i32.const 3)))
    (block $chunksDone
      (loop $chunks
        (br_if $chunksDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $chunk (select
          (i32.const 64) (i32.sub (local.get $rows) (local.get $r))
          (i32.le_u (i32.add (local.get $r) (i32.const 64)) (local.get $rows))))
        (call $addRows64
          (i32.add (local.get $matrix) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 3)))
          (local.get $out) (local.get $chunk) (local.get $cols))
        (local.set $r (i32.add (local.get $r) (local.get $chunk)))
        (br $chunks))))

  ;; out[j] += Σ_r matrix[r,j] in f64, rows added in order: 8 columns at a
  ;; time (four independent 2-lane sums, so that the adds' latency
  ;; overlaps), then 2, then the odd last column.
  (func $addRows64
    (param $matrix i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $j i32) (local $src i32) (local $end i32) (local $rowBytes i32)
    (local $sum0 v128) (local $sum1 v128) (local $sum2 v128) (local $sum3 v128) (local $sum f64)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $end (i32.mul (local.get $rows) (local.get $rowBytes)))
    (block $eightDone
      (loop $eight
        (br_if $eightDone (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $rowBytes)))
        (local.set $src (i32.add (local.get $out) (local.get $j)))
        (local.set $sum0 (v128.load offset=0 (local.get $src)))
        (local.set $sum1 (v128.load offset=16 (local.get $src)))
        (local.set $sum2 (v128.load offset=32 (local.get $src)))
        (local.set $sum3 (v128.load offset=48 (local.get $src)))
        (local.set $src (i32.add (local.get $matrix) (local.get $j)))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (i32.sub (local.get $src) (local.get $matrix)) (local.get $end)))
            (local.set $sum0 (f64x2.add (local.get $sum0) (v128.load offset=0 (local.get $src))))
            (local.set $sum1 (f64x2.add (local.get $sum1) (v128.load offset=16 (local.get $src))))
            (local.set $sum2 (f64x2.add (local.get $sum2) (v128.load offset=32 (local.get $src))))
            (local.set $sum3 (f64x2.add (local.get $sum3) (v128.load offset=48 (local.get $src))))
            (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
            (br $rowLoop)))
        (local.set $src (i32.add (local.get $out) (local.get $j)))
        (v128.store offset=0 (local.get $src) (local.get $sum0))
        (v128.store offset=16 (local.get $src) (local.get $sum1))
        (v128.store offset=32 (local.get $src) (local.get $sum2))
        (v128.store offset=48 (local.get $src) (local.get $sum3))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $eight)))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rowBytes)))
        (local.set $sum0 (v128.load (i32.add (local.get $out) (local.get $j))))
        (local.set $src (i32.add (local.get $matrix) (local.get $j)))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (i32.sub (local.get $src) (local.get $matrix)) (local.get $end)))
            (local.set $sum0 (f64x2.add (local.get $sum0) (v128.load (local.get $src))))
            (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
            (br $rowLoop)))
        (v128.store (i32.add (local.get $out) (local.get $j)) (local.get $sum0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $pairs)))
    (if (i32.lt_u (local.get $j) (local.get $rowBytes))
      (then
        (local.set $sum (f64.load (i32.add (local.get $out) (local.get $j))))
        (local.set $src (i32.add (local.get $matrix) (local.get $j)))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (i32.sub (local.get $src) (local.get $matrix)) (local.get $end)))
            (local.set $sum (f64.add (local.get $sum) (f64.load (local.get $src))))
            (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
            (br $rowLoop)))
        (f64.store (i32.add (local.get $out) (local.get $j)) (local.get $sum)))))

  ;; output = max(input, 0) over n doubles, 8 a trip, then 2, then the odd
  ;; last one; NaN passes through and -0 becomes +0, as with Math.max.
  (func (export "relu64")
    (param $input i32) (param $output i32) (param $n i32)
    (local $i i32) (local $bytes8 i32) (local $bytes2 i32) (local $src i32) (local $dst i32)
    (local.set $bytes8 (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 3)))
    (local.set $bytes2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (block $eightDone
      (loop $eight
        (br_if $eightDone (i32.ge_u (local.get $i) (local.get $bytes8)))
        (local.set $src (i32.add (local.get $input) (local.get $i)))
        (local.set $dst (i32.add (local.get $output) (local.get $i)))
        (v128.store offset=0 (local.get $dst)
          (f64x2.max (v128.load offset=0 (local.get $src)) (v128.const i32x4 0 0 0 0)))
        (v128.store offset=16 (local.get $dst)
          (f64x2.max (v128.load offset=16 (local.get $src)) (v128.const i32x4 0 0 0 0)))
        (v128.store offset=32 (local.get $dst)
          (f64x2.max (v128.load offset=32 (local.get $src)) (v128.const i32x4 0 0 0 0)))
        (v128.store offset=48 (local.get $dst)
          (f64x2.max (v128.load offset=48 (local.get $src)) (v128.const i32x4 0 0 0 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $eight)))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.ge_u (local.get $i) (local.get $bytes2)))
        (v128.store (i32.add (local.get $output) (local.get $i))
          (f64x2.max (v128.load (i32.add (local.get $input) (local.get $i))) (v128.const i32x4 0 0 0 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (i32.shl (local.get $n) (i32.const 3)))
      (then
        (f64.store (i32.add (local.get $output) (local.get $i))
          (f64.max (f64.load (i32.add (local.get $input) (local.get $i))) (f64.const 0))))))

  ;; dInput = dOutput · (output > 0 ? 1 : 0) over n doubles, 8 a trip, then
  ;; 2, then the odd last one. A multiply, not a mask, as `relu_backward`:
  ;; a NaN or infinite gradient gives NaN where the slope is 0, as in the
  ;; TypeScript loop.
  (func (export "relu_backward64")
    (param $output i32) (param $dOutput i32) (param $dInput i32) (param $n i32)
    (local $i i32) (local $bytes8 i32) (local $bytes2 i32)
    (local $y i32) (local $dy i32) (local $dx i32)
    (local.set $bytes8 (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 3)))
    (local.set $bytes2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (block $eightDone
      (loop $eight
        (br_if $eightDone (i32.ge_u (local.get $i) (local.get $bytes8)))
        (local.set $y (i32.add (local.get $output) (local.get $i)))
        (local.set $dy (i32.add (local.get $dOutput) (local.get $i)))
        (local.set $dx (i32.add (local.get $dInput) (local.get $i)))
        (v128.store offset=0 (local.get $dx) (f64x2.mul (v128.load offset=0 (local.get $dy))
          (v128.and (f64x2.gt (v128.load offset=0 (local.get $y)) (v128.const i32x4 0 0 0 0))
            (v128.const f64x2 1 1))))
        (v128.store offset=16 (local.get $dx) (f64x2.mul (v128.load offset=16 (local.get $dy))
          (v128.and (f64x2.gt (v128.load offset=16 (local.get $y)) (v128.const i32x4 0 0 0 0))
            (v128.const f64x2 1 1))))
        (v128.store offset=32 (local.get $dx) (f64x2.mul (v128.load offset=32 (local.get $dy))
          (v128.and (f64x2.gt (v128.load offset=32 (local.get $y)) (v128.const i32x4 0 0 0 0))
            (v128.const f64x2 1 1))))
        (v128.store offset=48 (local.get $dx) (f64x2.mul (v128.load offset=48 (local.get $dy))
          (v128.and (f64x2.gt (v128.load offset=48 (local.get $y)) (v128.const i32x4 0 0 0 0))
            (v128.const f64x2 1 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $eight)))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.ge_u (local.get $i) (local.get $bytes2)))
        (v128.store (i32.add (local.get $dInput) (local.get $i))
          (f64x2.mul
            (v128.load (i32.add (local.get $dOutput) (local.get $i)))
            (v128.and
              (f64x2.gt (v128.load (i32.add (local.get $output) (local.get $i))) (v128.const i32x4 0 0 0 0))
              (v128.const f64x2 1 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (i32.shl (local.get $n) (i32.const 3)))
      (then
        (f64.store (i32.add (local.get $dInput) (local.get $i))
          (f64.mul
            (f64.load (i32.add (local.get $dOutput) (local.get $i)))
            (f64.convert_i32_u (f64.gt (f64.load (i32.add (local.get $output) (local.get $i))) (f64.const 0))))))))

  ;; out[r,:] = images[order[r],:] · scale in f64 for `count` rows of
  ;; `pixels` bytes: `gather_scaled` with double outputs (the rows' bytes
  ;; first touched by $touchRows, as there).
  (func (export "gather_scaled64")
    (param $images i32) (param $pixels i32) (param $order i32) (param $count i32)
    (param $scale f64) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $order) (i32.shl (local.get $count) (i32.const 2))))
    (global.set $touched
      (call $touchRows (local.get $images) (local.get $pixels) (local.get $order) (local.get $count)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $order) (local.get $end)))
        (call $scaleBytes64
          (i32.add (local.get $images) (i32.mul (i32.load (local.get $order)) (local.get $pixels)))
          (local.get $out) (local.get $pixels) (local.get $scale))
        (local.set $order (i32.add (local.get $order) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $pixels) (i32.const 3))))
        (br $rows))))

  ;; out[i] = bytes[i] · scale in f64 for n bytes: each byte widened to a
  ;; double (exact) and multiplied once, as the TypeScript loop
  ;; `out[i] = bytes[i] * scale` does into a Float64Array. 16 bytes per
  ;; trip: widened to four i32x4, each converted as two f64x2 (its low
  ;; lanes, then its high lanes moved down) and stored as 32 bytes; sixteen
  ;; zero bytes are stored as sixteen copies of 0 · scale (-0 for a negative
  ;; scale), as in $scaleBytes.
  (func $scaleBytes64
    (param $bytes i32) (param $out i32) (param $n i32) (param $scale f64)
    (local $end i32) (local $end16 i32) (local $scale2 v128) (local $zeros v128)
    (local $v v128) (local $half v128) (local $ints v128)
    (local.set $scale2 (f64x2.splat (local.get $scale)))
    (local.set $zeros (f64x2.splat (f64.mul (f64.const 0) (local.get $scale))))
    (local.set $end (i32.add (local.get $bytes) (local.get $n)))
    (local.set $end16 (i32.add (local.get $bytes) (i32.and (local.get $n) (i32.const -16))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $bytes) (local.get $end16)))
        (local.set $v (v128.load (local.get $bytes)))
        (if (i32.eqz (v128.any_true (local.get $v)))
          (then
            (v128.store offset=0 (local.get $out) (local.get $zeros))
            (v128.store offset=16 (local.get $out) (local.get $zeros))
            (v128.store offset=32 (local.get $out) (local.get $zeros))
            (v128.store offset=48 (local.get $out) (local.get $zeros))
            (v128.store offset=64 (local.get $out) (local.get $zeros))
            (v128.store offset=80 (local.get $out) (local.get $zeros))
            (v128.store offset=96 (local.get $out) (local.get $zeros))
            (v128.store offset=112 (local.get $out) (local.get $zeros))
            (local.set $bytes (i32.add (local.get $bytes) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 128)))
            (br $vectors)))
        (local.set $half (i16x8.extend_low_i8x16_u (local.get $v)))
        (local.set $ints (i32x4.extend_low_i16x8_u (local.get $half)))
        (call $storeScaled64 (local.get $out) (local.get $ints) (local.get $scale2))
        (local.set $ints (i32x4.extend_high_i16x8_u (local.get $half)))
        (call $storeScaled64 (i32.add (local.get $out) (i32.const 32)) (local.get $ints) (local.get $scale2))
        (local.set $half (i16x8.extend_high_i8x16_u (local.get $v)))
        (local.set $ints (i32x4.extend_low_i16x8_u (local.get $half)))
        (call $storeScaled64 (i32.add (local.get $out) (i32.const 64)) (local.get $ints) (local.get $scale2))
        (local.set $ints (i32x4.extend_high_i16x8_u (local.get $half)))
        (call $storeScaled64 (i32.add (local.get $out) (i32.const 96)) (local.get $ints) (local.get $scale2))
        (local.set $bytes (i32.add (local.get $bytes) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 128)))
        (br $vectors)))
    (block $scalarsDone
      (loop $scalars
        (br_if $scalarsDone (i32.ge_u (local.get $bytes) (local.get $end)))
        (f64.store (local.get $out) (f64.mul
          (f64.convert_i32_u (i32.load8_u (local.get $bytes)))
          (local.get $scale)))
        (local.set $bytes (i32.add (local.get $bytes) (i32.const 1)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $scalars))))

  ;; out[0..3] = ints[0..3] · scale as four doubles (two f64x2 stores).
  (func $storeScaled64 (param $out i32) (param $ints v128) (param $scale2 v128)
    (v128.store offset=0 (local.get $out)
      (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $ints)) (local.get $scale2)))
    (v128.store offset=16 (local.get $out)
      (f64x2.mul
        (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $ints) (local.get $ints)))
        (local.get $scale2))))
)
