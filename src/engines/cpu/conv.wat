;; The CPU engine's convolution kernels (cnn.ts drives them), in WebAssembly SIMD: four floats per
;; instruction. scripts/build-kernels.mjs assembles this file with wabt into conv.wasm.ts.
;;
;; Why: in JavaScript the Small CNN's conv loops ran at ~1 multiply-add a nanosecond, and its
;; second stage's inputs are ~83 % nonzero (measured), so skipping zeros gained little there.
;; These kernels take every window dense, four floats at a time.
;;
;; Layouts (all addresses in bytes, floats little-endian):
;; - an image's activations are channels-last [h][w][c]: for one output position, each of the k
;;   window rows is one contiguous span of k * c floats in the input;
;; - kernels are filter-major here, [filters][k][spanPad]: filter j's window row dy is contiguous
;;   too, and padded with zeros from k * c floats up to spanPad, a multiple of four. So a window
;;   row is spanPad / 4 vector multiply-adds with no tail: the padding multiplies whatever input
;;   lies past the span by 0 (the caller leaves room past the last image for that reach).

(module
  (import "env" "memory" (memory 1))

  ;; The sum of a vector's four lanes.
  (func $sum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; One image's convolution: z[oy][ox][j] = bias[j] + sum over the window of x * K[j].
  ;;   $x        the image's input, [h][w][c]
  ;;   $rowBytes w * c * 4: from one input row to the next
  ;;   $pixBytes c * 4: from one input pixel to the next
  ;;   $ch $cw   the output's height and width
  ;;   $k        the kernel's side
  ;;   $spanBytes spanPad * 4: one padded kernel row
  ;;   $K        the kernels, [f][k][spanPad]
  ;;   $bias     [f]
  ;;   $f        filters
  ;;   $z        the output, [ch][cw][f]
  (func (export "convForward")
    (param $x i32) (param $rowBytes i32) (param $pixBytes i32) (param $ch i32) (param $cw i32)
    (param $k i32) (param $spanBytes i32) (param $K i32) (param $bias i32) (param $f i32)
    (param $z i32)
    (local $oy i32) (local $ox i32) (local $j i32) (local $dy i32) (local $t i32)
    (local $at i32)       ;; the window's first input
    (local $xr i32)       ;; the current window row's first input
    (local $kr i32)       ;; filter j's current kernel row
    (local $filterBytes i32)
    (local $xv v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $filterBytes (i32.mul (local.get $k) (local.get $spanBytes)))
    (loop $rows
      (local.set $ox (i32.const 0))
      (loop $cols
        (local.set $at (i32.add (local.get $x)
          (i32.add (i32.mul (local.get $oy) (local.get $rowBytes))
                   (i32.mul (local.get $ox) (local.get $pixBytes)))))
        ;; Four filters at a time: each input vector is loaded once for all four.
        (local.set $j (i32.const 0))
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $f)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $dy (i32.const 0))
            (loop $window
              (local.set $xr (i32.add (local.get $at) (i32.mul (local.get $dy) (local.get $rowBytes))))
              (local.set $kr (i32.add (local.get $K)
                (i32.add (i32.mul (local.get $j) (local.get $filterBytes))
                         (i32.mul (local.get $dy) (local.get $spanBytes)))))
              (local.set $t (i32.const 0))
              (loop $span
                (local.set $xv (v128.load (i32.add (local.get $xr) (local.get $t))))
                ;; a_i += x * K[j + i] (the four filters' rows lie $filterBytes apart)
                (local.set $a0 (f32x4.add (local.get $a0)
                  (f32x4.mul (local.get $xv) (v128.load (i32.add (local.get $kr) (local.get $t))))))
                (local.set $a1 (f32x4.add (local.get $a1)
                  (f32x4.mul (local.get $xv) (v128.load (i32.add (i32.add (local.get $kr) (local.get $filterBytes)) (local.get $t))))))
                (local.set $a2 (f32x4.add (local.get $a2)
                  (f32x4.mul (local.get $xv) (v128.load (i32.add (i32.add (local.get $kr) (i32.shl (local.get $filterBytes) (i32.const 1))) (local.get $t))))))
                (local.set $a3 (f32x4.add (local.get $a3)
                  (f32x4.mul (local.get $xv) (v128.load (i32.add (i32.add (local.get $kr) (i32.mul (local.get $filterBytes) (i32.const 3))) (local.get $t))))))
                (br_if $span (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 16))) (local.get $spanBytes))))
              (br_if $window (i32.lt_u (local.tee $dy (i32.add (local.get $dy) (i32.const 1))) (local.get $k))))
            ;; z[j + i] = bias[j + i] + the four lanes of a_i
            (f32.store (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 2)))
              (f32.add (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))) (call $sum (local.get $a0))))
            (f32.store offset=4 (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 2)))
              (f32.add (f32.load offset=4 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))) (call $sum (local.get $a1))))
            (f32.store offset=8 (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 2)))
              (f32.add (f32.load offset=8 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))) (call $sum (local.get $a2))))
            (f32.store offset=12 (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 2)))
              (f32.add (f32.load offset=12 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))) (call $sum (local.get $a3))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $quads)))
        ;; The filters left over (f not a multiple of four), one at a time.
        (block $singlesDone
          (loop $singles
            (br_if $singlesDone (i32.ge_u (local.get $j) (local.get $f)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $dy (i32.const 0))
            (loop $window1
              (local.set $xr (i32.add (local.get $at) (i32.mul (local.get $dy) (local.get $rowBytes))))
              (local.set $kr (i32.add (local.get $K)
                (i32.add (i32.mul (local.get $j) (local.get $filterBytes))
                         (i32.mul (local.get $dy) (local.get $spanBytes)))))
              (local.set $t (i32.const 0))
              (loop $span1
                (local.set $a0 (f32x4.add (local.get $a0)
                  (f32x4.mul (v128.load (i32.add (local.get $xr) (local.get $t)))
                             (v128.load (i32.add (local.get $kr) (local.get $t))))))
                (br_if $span1 (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 16))) (local.get $spanBytes))))
              (br_if $window1 (i32.lt_u (local.tee $dy (i32.add (local.get $dy) (i32.const 1))) (local.get $k))))
            (f32.store (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 2)))
              (f32.add (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))) (call $sum (local.get $a0))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $singles)))
        (local.set $z (i32.add (local.get $z) (i32.shl (local.get $f) (i32.const 2))))
        (br_if $cols (i32.lt_u (local.tee $ox (i32.add (local.get $ox) (i32.const 1))) (local.get $cw))))
      (br_if $rows (i32.lt_u (local.tee $oy (i32.add (local.get $oy) (i32.const 1))) (local.get $ch)))))

  ;; One image's backward pass through a convolution, for the conv outputs that carry an error
  ;; (the pool's winners): for each, G[j] += window * error and, when $E is not 0,
  ;; E[window] += K[j] * error.
  ;;   $cells    $count records of 12 bytes: output position (i32, oy * cw + ox), filter j (i32),
  ;;             error (f32)
  ;;   $x $rowBytes $pixBytes $cw $k $spanBytes $K  as convForward
  ;;   $G        the kernels' gradient, laid out as $K
  ;;   $E        the input's error, laid out as $x (0: the first stage, whose input is the image)
  (func (export "convBackward")
    (param $cells i32) (param $count i32) (param $x i32) (param $rowBytes i32) (param $pixBytes i32)
    (param $cw i32) (param $k i32) (param $spanBytes i32) (param $K i32) (param $G i32) (param $E i32)
    (local $end i32) (local $pos i32) (local $oy i32) (local $off i32) (local $filter i32)
    (local $dy i32) (local $t i32)
    (local $xr i32) (local $er i32) (local $kr i32) (local $gr i32)
    (local $d v128)
    (local.set $end (i32.add (local.get $cells) (i32.mul (local.get $count) (i32.const 12))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $cells) (local.get $end)))
        (local.set $pos (i32.load (local.get $cells)))
        (local.set $oy (i32.div_u (local.get $pos) (local.get $cw)))
        ;; where the window starts in the input (and in its error)
        (local.set $off (i32.add (i32.mul (local.get $oy) (local.get $rowBytes))
          (i32.mul (i32.sub (local.get $pos) (i32.mul (local.get $oy) (local.get $cw))) (local.get $pixBytes))))
        ;; where filter j's kernel (and its gradient) starts
        (local.set $filter (i32.mul (i32.load offset=4 (local.get $cells)) (i32.mul (local.get $k) (local.get $spanBytes))))
        (local.set $d (f32x4.splat (f32.load offset=8 (local.get $cells))))
        (local.set $dy (i32.const 0))
        (loop $window
          (local.set $xr (i32.add (i32.add (local.get $x) (local.get $off)) (i32.mul (local.get $dy) (local.get $rowBytes))))
          (local.set $gr (i32.add (i32.add (local.get $G) (local.get $filter)) (i32.mul (local.get $dy) (local.get $spanBytes))))
          (local.set $t (i32.const 0))
          (loop $span
            ;; G[j] += x * error
            (v128.store (i32.add (local.get $gr) (local.get $t))
              (f32x4.add (v128.load (i32.add (local.get $gr) (local.get $t)))
                         (f32x4.mul (v128.load (i32.add (local.get $xr) (local.get $t))) (local.get $d))))
            (br_if $span (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 16))) (local.get $spanBytes))))
          (if (local.get $E)
            (then
              (local.set $er (i32.add (i32.add (local.get $E) (local.get $off)) (i32.mul (local.get $dy) (local.get $rowBytes))))
              (local.set $kr (i32.add (i32.add (local.get $K) (local.get $filter)) (i32.mul (local.get $dy) (local.get $spanBytes))))
              (local.set $t (i32.const 0))
              (loop $spanE
                ;; E[window] += K[j] * error
                (v128.store (i32.add (local.get $er) (local.get $t))
                  (f32x4.add (v128.load (i32.add (local.get $er) (local.get $t)))
                             (f32x4.mul (v128.load (i32.add (local.get $kr) (local.get $t))) (local.get $d))))
                (br_if $spanE (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 16))) (local.get $spanBytes))))))
          (br_if $window (i32.lt_u (local.tee $dy (i32.add (local.get $dy) (i32.const 1))) (local.get $k))))
        (local.set $cells (i32.add (local.get $cells) (i32.const 12)))
        (br $each))))
)
