;; The CPU engine's dense layers (simdDense.ts drives them), in WebAssembly SIMD: four outputs per
;; instruction. scripts/build-kernels.mjs assembles this file with wabt into dense.wasm.ts.
;;
;; Why: JavaScript's loops (mlp.ts) do one multiply-add at a time, in doubles; these do four at a
;; time in float32, and take less than half their time (docs/performance.md).
;;
;; A layer's input is sparse rows (CSR): row b's nonzero inputs are idx/val[start[b] ..
;; start[b + 1]) (an image's nonzero pixels, or the hidden units ReLU left positive). Each nonzero
;; input adds its weight row, W[idx][0 .. n), times its value into the row's outputs, so zero
;; inputs cost nothing. Weights are [inputs][n] row-major, as layout.ts keeps them (TensorFlow.js's
;; order), and so are outputs and errors, [rows][n]: n is any width, taken sixteen or four at a
;; time and its last n % 4 one at a time. WebAssembly's vector loads and stores need no alignment.
;; All addresses are in bytes; floats and integers little-endian.

(module
  (import "env" "memory" (memory 1))

  ;; The sum of a vector's four lanes.
  (func $sum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; out[b][j] = bias[j] + sum over e in row b of val[e] * W[idx[e]][j], ReLU'd when $relu.
  ;;   $start  [rows + 1] i32: each row's first nonzero, and the end
  ;;   $idx    i32 input positions; $val f32 values
  ;;   $W      [inputs][n] f32; $bias [n] f32
  ;;   $out    [rows][n] f32
  (func (export "sparseLayer")
    (param $start i32) (param $rows i32) (param $idx i32) (param $val i32) (param $W i32)
    (param $bias i32) (param $n i32) (param $out i32) (param $relu i32)
    (local $b i32) (local $e i32) (local $e0 i32) (local $e1 i32) (local $j i32)
    (local $rowBytes i32) (local $w i32) (local $o i32) (local $v v128) (local $s f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $rows)))
        (local.set $e0 (i32.load (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $e1 (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $b) (local.get $rowBytes))))
        ;; $j: the byte offset of the outputs at hand within the row.
        (local.set $j (i32.const 0))
        ;; Sixteen outputs at a time: each value is splatted once for four vectors.
        (block $wideDone
          (loop $wide
            (br_if $wideDone (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $rowBytes)))
            (local.set $a0 (v128.load (i32.add (local.get $bias) (local.get $j))))
            (local.set $a1 (v128.load offset=16 (i32.add (local.get $bias) (local.get $j))))
            (local.set $a2 (v128.load offset=32 (i32.add (local.get $bias) (local.get $j))))
            (local.set $a3 (v128.load offset=48 (i32.add (local.get $bias) (local.get $j))))
            (local.set $e (local.get $e0))
            (block $nzDone
              (loop $nz
                (br_if $nzDone (i32.ge_u (local.get $e) (local.get $e1)))
                (local.set $v (f32x4.splat (f32.load (i32.add (local.get $val) (i32.shl (local.get $e) (i32.const 2))))))
                ;; W's row of this input, from output j.
                (local.set $w (i32.add
                  (i32.add (local.get $W)
                    (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2)))) (local.get $rowBytes)))
                  (local.get $j)))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (v128.load (local.get $w)))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (v128.load offset=16 (local.get $w)))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v) (v128.load offset=32 (local.get $w)))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v) (v128.load offset=48 (local.get $w)))))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br $nz)))
            ;; ReLU: max with 0 (a NaN stays NaN, so a diverged model shows in its loss).
            (if (local.get $relu)
              (then
                (local.set $a0 (f32x4.max (local.get $a0) (v128.const f32x4 0 0 0 0)))
                (local.set $a1 (f32x4.max (local.get $a1) (v128.const f32x4 0 0 0 0)))
                (local.set $a2 (f32x4.max (local.get $a2) (v128.const f32x4 0 0 0 0)))
                (local.set $a3 (f32x4.max (local.get $a3) (v128.const f32x4 0 0 0 0)))))
            (v128.store (i32.add (local.get $o) (local.get $j)) (local.get $a0))
            (v128.store offset=16 (i32.add (local.get $o) (local.get $j)) (local.get $a1))
            (v128.store offset=32 (i32.add (local.get $o) (local.get $j)) (local.get $a2))
            (v128.store offset=48 (i32.add (local.get $o) (local.get $j)) (local.get $a3))
            (local.set $j (i32.add (local.get $j) (i32.const 64)))
            (br $wide)))
        ;; Then four at a time.
        (block $narrowDone
          (loop $narrow
            (br_if $narrowDone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rowBytes)))
            (local.set $a0 (v128.load (i32.add (local.get $bias) (local.get $j))))
            (local.set $e (local.get $e0))
            (block $nzDone2
              (loop $nz2
                (br_if $nzDone2 (i32.ge_u (local.get $e) (local.get $e1)))
                (local.set $w (i32.add
                  (i32.add (local.get $W)
                    (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2)))) (local.get $rowBytes)))
                  (local.get $j)))
                (local.set $a0 (f32x4.add (local.get $a0)
                  (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $val) (i32.shl (local.get $e) (i32.const 2)))))
                             (v128.load (local.get $w)))))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br $nz2)))
            (if (local.get $relu)
              (then (local.set $a0 (f32x4.max (local.get $a0) (v128.const f32x4 0 0 0 0)))))
            (v128.store (i32.add (local.get $o) (local.get $j)) (local.get $a0))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $narrow)))
        ;; The last n % 4 outputs, one at a time (the tutorial's 10 digits: 8 + 2).
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $s (f32.load (i32.add (local.get $bias) (local.get $j))))
            (local.set $e (local.get $e0))
            (block $nzDone3
              (loop $nz3
                (br_if $nzDone3 (i32.ge_u (local.get $e) (local.get $e1)))
                (local.set $s (f32.add (local.get $s)
                  (f32.mul (f32.load (i32.add (local.get $val) (i32.shl (local.get $e) (i32.const 2))))
                    (f32.load (i32.add
                      (i32.add (local.get $W)
                        (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2)))) (local.get $rowBytes)))
                      (local.get $j))))))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br $nz3)))
            (if (local.get $relu)
              (then (local.set $s (f32.max (local.get $s) (f32.const 0)))))
            (f32.store (i32.add (local.get $o) (local.get $j)) (local.get $s))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $tail)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rowLoop))))

  ;; The nonzero entries of rows [rows][stride] f32 (their first $n columns), as CSR for the next
  ;; layer: start [rows + 1] i32, idx i32, val f32.
  (func (export "compact")
    (param $in i32) (param $rows i32) (param $n i32) (param $stride i32) (param $start i32)
    (param $idx i32) (param $val i32)
    (local $b i32) (local $k i32) (local $count i32) (local $row i32) (local $x f32)
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $rows)))
        (i32.store (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2))) (local.get $count))
        (local.set $row (i32.add (local.get $in) (i32.shl (i32.mul (local.get $b) (local.get $stride)) (i32.const 2))))
        (local.set $k (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $k) (local.get $n)))
            (local.set $x (f32.load (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 2)))))
            ;; x != 0 is true for NaN too: a NaN input is carried on, not dropped.
            (if (f32.ne (local.get $x) (f32.const 0))
              (then
                (i32.store (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))) (local.get $k))
                (f32.store (i32.add (local.get $val) (i32.shl (local.get $count) (i32.const 2))) (local.get $x))
                (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $cols)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rowLoop)))
    (i32.store (i32.add (local.get $start) (i32.shl (local.get $rows) (i32.const 2))) (local.get $count)))

  ;; Training's products, over the same CSR rows as sparseLayer's input.
  ;;
  ;; dW[idx[e]][0 .. n) += val[e] * delta[b][0 .. n) for every nonzero e of every row b: the
  ;; weight gradient x^T delta, visiting only the nonzero inputs.
  ;;   $delta [rows][n] f32; $dW [inputs][n] f32
  (func (export "sparseOuter")
    (param $start i32) (param $rows i32) (param $idx i32) (param $val i32) (param $delta i32)
    (param $n i32) (param $dW i32)
    (local $b i32) (local $e i32) (local $e1 i32) (local $j i32) (local $rowBytes i32)
    (local $d i32) (local $w i32) (local $x f32) (local $v v128)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $rows)))
        (local.set $e (i32.load (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $e1 (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $d (i32.add (local.get $delta) (i32.mul (local.get $b) (local.get $rowBytes))))
        (block $nzDone
          (loop $nz
            (br_if $nzDone (i32.ge_u (local.get $e) (local.get $e1)))
            (local.set $x (f32.load (i32.add (local.get $val) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $v (f32x4.splat (local.get $x)))
            (local.set $w (i32.add (local.get $dW)
              (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2)))) (local.get $rowBytes))))
            (local.set $j (i32.const 0))
            ;; The row of dW, sixteen outputs at a time,
            (block $wideDone
              (loop $wide
                (br_if $wideDone (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $rowBytes)))
                (v128.store (i32.add (local.get $w) (local.get $j))
                  (f32x4.add (v128.load (i32.add (local.get $w) (local.get $j)))
                    (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $d) (local.get $j))))))
                (v128.store offset=16 (i32.add (local.get $w) (local.get $j))
                  (f32x4.add (v128.load offset=16 (i32.add (local.get $w) (local.get $j)))
                    (f32x4.mul (local.get $v) (v128.load offset=16 (i32.add (local.get $d) (local.get $j))))))
                (v128.store offset=32 (i32.add (local.get $w) (local.get $j))
                  (f32x4.add (v128.load offset=32 (i32.add (local.get $w) (local.get $j)))
                    (f32x4.mul (local.get $v) (v128.load offset=32 (i32.add (local.get $d) (local.get $j))))))
                (v128.store offset=48 (i32.add (local.get $w) (local.get $j))
                  (f32x4.add (v128.load offset=48 (i32.add (local.get $w) (local.get $j)))
                    (f32x4.mul (local.get $v) (v128.load offset=48 (i32.add (local.get $d) (local.get $j))))))
                (local.set $j (i32.add (local.get $j) (i32.const 64)))
                (br $wide)))
            ;; then four,
            (block $narrowDone
              (loop $narrow
                (br_if $narrowDone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rowBytes)))
                (v128.store (i32.add (local.get $w) (local.get $j))
                  (f32x4.add (v128.load (i32.add (local.get $w) (local.get $j)))
                    (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $d) (local.get $j))))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $narrow)))
            ;; then one.
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
                (f32.store (i32.add (local.get $w) (local.get $j))
                  (f32.add (f32.load (i32.add (local.get $w) (local.get $j)))
                    (f32.mul (local.get $x) (f32.load (i32.add (local.get $d) (local.get $j))))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $tail)))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $nz)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rowLoop))))

  ;; dx[b][idx[e]] = dot(delta[b][0 .. n), W[idx[e]][0 .. n)) for every nonzero e of every row b:
  ;; the error passed back to the inputs that were nonzero. An input that was zero (a ReLU that
  ;; did not fire) passes none, so its dx is left as it was (the caller zeroes dx).
  ;;   $W [inputs][n] f32; $delta [rows][n] f32; $dx [rows][$dxStride] f32
  (func (export "sparseDot")
    (param $start i32) (param $rows i32) (param $idx i32) (param $W i32) (param $delta i32)
    (param $n i32) (param $dx i32) (param $dxStride i32)
    (local $b i32) (local $e i32) (local $e1 i32) (local $j i32) (local $rowBytes i32)
    (local $d i32) (local $w i32) (local $k i32) (local $s f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $rows)))
        (local.set $e (i32.load (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $e1 (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $d (i32.add (local.get $delta) (i32.mul (local.get $b) (local.get $rowBytes))))
        (block $nzDone
          (loop $nz
            (br_if $nzDone (i32.ge_u (local.get $e) (local.get $e1)))
            (local.set $k (i32.load (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $w (i32.add (local.get $W) (i32.mul (local.get $k) (local.get $rowBytes))))
            ;; Four sums side by side, so that each add waits on its own chain, not on the last.
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $a1 (v128.const f32x4 0 0 0 0))
            (local.set $a2 (v128.const f32x4 0 0 0 0))
            (local.set $a3 (v128.const f32x4 0 0 0 0))
            (local.set $j (i32.const 0))
            (block $wideDone
              (loop $wide
                (br_if $wideDone (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $rowBytes)))
                (local.set $a0 (f32x4.add (local.get $a0)
                  (f32x4.mul (v128.load (i32.add (local.get $w) (local.get $j)))
                             (v128.load (i32.add (local.get $d) (local.get $j))))))
                (local.set $a1 (f32x4.add (local.get $a1)
                  (f32x4.mul (v128.load offset=16 (i32.add (local.get $w) (local.get $j)))
                             (v128.load offset=16 (i32.add (local.get $d) (local.get $j))))))
                (local.set $a2 (f32x4.add (local.get $a2)
                  (f32x4.mul (v128.load offset=32 (i32.add (local.get $w) (local.get $j)))
                             (v128.load offset=32 (i32.add (local.get $d) (local.get $j))))))
                (local.set $a3 (f32x4.add (local.get $a3)
                  (f32x4.mul (v128.load offset=48 (i32.add (local.get $w) (local.get $j)))
                             (v128.load offset=48 (i32.add (local.get $d) (local.get $j))))))
                (local.set $j (i32.add (local.get $j) (i32.const 64)))
                (br $wide)))
            (block $narrowDone
              (loop $narrow
                (br_if $narrowDone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rowBytes)))
                (local.set $a0 (f32x4.add (local.get $a0)
                  (f32x4.mul (v128.load (i32.add (local.get $w) (local.get $j)))
                             (v128.load (i32.add (local.get $d) (local.get $j))))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $narrow)))
            (local.set $s (call $sum (f32x4.add (f32x4.add (local.get $a0) (local.get $a1))
                                                (f32x4.add (local.get $a2) (local.get $a3)))))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
                (local.set $s (f32.add (local.get $s)
                  (f32.mul (f32.load (i32.add (local.get $w) (local.get $j)))
                           (f32.load (i32.add (local.get $d) (local.get $j))))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $tail)))
            (f32.store
              (i32.add (local.get $dx)
                (i32.shl (i32.add (i32.mul (local.get $b) (local.get $dxStride)) (local.get $k)) (i32.const 2)))
              (local.get $s))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $nz)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rowLoop))))

  ;; dst[j] += sum over b of src[b][j], j < n: a layer's bias gradient from its errors.
  ;;   $src [rows][n] f32; $dst [n] f32
  (func (export "columnSums")
    (param $src i32) (param $rows i32) (param $n i32) (param $dst i32)
    (local $b i32) (local $j i32) (local $rowBytes i32) (local $p i32) (local $acc v128) (local $s f32)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rowBytes)))
        (local.set $acc (v128.load (i32.add (local.get $dst) (local.get $j))))
        (local.set $p (i32.add (local.get $src) (local.get $j)))
        (local.set $b (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $rows)))
            (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $rowLoop)))
        (v128.store (i32.add (local.get $dst) (local.get $j)) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $vec)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $s (f32.load (i32.add (local.get $dst) (local.get $j))))
        (local.set $p (i32.add (local.get $src) (local.get $j)))
        (local.set $b (i32.const 0))
        (block $rowsDone2
          (loop $rowLoop2
            (br_if $rowsDone2 (i32.ge_u (local.get $b) (local.get $rows)))
            (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $rowLoop2)))
        (f32.store (i32.add (local.get $dst) (local.get $j)) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $tail))))
)
