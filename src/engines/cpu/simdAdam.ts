/**
 * Adam's update (optimizers.ts) as a WebAssembly SIMD loop, four floats per instruction.
 *
 * Why: on the CPU engine the update touches all ~60,000 parameters every step, whatever the batch,
 * and as a JavaScript loop (a sqrt and a division per parameter, in doubles) it took about half of
 * the tutorial's step (docs/performance.md). f32x4 does four at once.
 *
 * The module is ~340 bytes, assembled below from named instructions rather than shipped as a
 * binary or built by a compiler: it is one loop, each line commented with what it computes. The
 * four vectors live in the memory it is given (the CPU model's, simdDense.ts): params, gradient,
 * m and v are Float32Array views the model and the optimizer use directly, so nothing is copied.
 */

/** The vectors Adam updates, in WebAssembly memory, and the update itself. */
export interface SimdAdam {
  readonly params: Float32Array;
  readonly gradient: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  /**
   * m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2; p -= stepSize m / (sqrt(v) +
   * epsHat); g = 0: over all `params.length` entries.
   */
  apply(beta1: number, beta2: number, stepSize: number, epsHat: number): void;
}

// Local indices: the function's parameters, then its locals.
const [P, G, M, V, COUNT, B1, OB1, B2, OB2, SS, EH] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const [I, END, VB1, VOB1, VB2, VOB2, VSS, VEH, GI, MI, VI, VTINY] = [
  11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
];

/**
 * m and v below this are set to 0. Where a weight's gradient stays 0 (a border pixel of MNIST's),
 * m shrinks by beta1 a step and is a denormal float within ~700 steps. WebAssembly computes
 * denormals exactly, which x86 does in microcode, so they slow the whole update
 * (docs/performance.md). A moment this small moves no float32 weight: the step it gives is below
 * 1e-30 / epsHat * stepSize.
 */
export const TINY_MOMENT = 1e-30;

const op = {
  localGet: (i: number) => [0x20, i],
  localSet: (i: number) => [0x21, i],
  localTee: (i: number) => [0x22, i],
  i32Const: (n: number) => [0x41, n], // n < 64: one signed LEB128 byte
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32LtU: [0x49],
  i32Eqz: [0x45],
  f32Const: (x: number) => [0x43, ...new Uint8Array(Float32Array.of(x).buffer)],
  f32x4Splat: [0xfd, 0x13],
  f32x4Abs: [0xfd, 0xe0, 0x01],
  f32x4Lt: [0xfd, 0x43],
  v128AndNot: [0xfd, 0x4f],
  // memarg: alignment 2^4 = 16 bytes, offset 0
  v128Load: [0xfd, 0x00, 4, 0],
  v128Store: [0xfd, 0x0b, 4, 0],
  v128Zero: [0xfd, 0x0c, ...new Array(16).fill(0)],
  f32x4Sqrt: [0xfd, 0xe3, 0x01],
  f32x4Add: [0xfd, 0xe4, 0x01],
  f32x4Sub: [0xfd, 0xe5, 0x01],
  f32x4Mul: [0xfd, 0xe6, 0x01],
  f32x4Div: [0xfd, 0xe7, 0x01],
};

/** local.get base; local.get i; i32.add: the address of element i (in bytes) of a vector. */
const at = (base: number) => [...op.localGet(base), ...op.localGet(I), ...op.i32Add];

/**
 * (func $adam (param $p $g $m $v i32) (param $count i32)
 *   (param $b1 $ob1 $b2 $ob2 $stepSize $epsHat f32)): $count groups of four floats.
 */
const BODY = [
  ...[...op.localGet(COUNT), ...op.i32Const(4), ...op.i32Shl, ...op.localSet(END)], // end = count * 16
  ...[B1, OB1, B2, OB2, SS, EH].flatMap((f, k) => [
    ...op.localGet(f),
    ...op.f32x4Splat,
    ...op.localSet(VB1 + k),
  ]),
  ...[...op.f32Const(TINY_MOMENT), ...op.f32x4Splat, ...op.localSet(VTINY)],
  ...[0x02, 0x40], // block
  ...[...op.localGet(END), ...op.i32Eqz, 0x0d, 0], // br_if 0 when there is nothing to do
  ...[0x03, 0x40], // loop
  ...[...at(G), ...op.v128Load, ...op.localSet(GI)], // gi = g[i]
  // mi = b1 * m[i] + ob1 * gi
  ...[...op.localGet(VB1), ...at(M), ...op.v128Load, ...op.f32x4Mul],
  ...[...op.localGet(VOB1), ...op.localGet(GI), ...op.f32x4Mul, ...op.f32x4Add, ...op.localSet(MI)],
  // mi = 0 where |mi| < TINY_MOMENT (lt is false for NaN: a NaN stays, and the run sees it)
  ...[...op.localGet(MI), ...op.localGet(MI), ...op.f32x4Abs, ...op.localGet(VTINY), ...op.f32x4Lt],
  ...[...op.v128AndNot, ...op.localSet(MI)],
  // vi = b2 * v[i] + ob2 * gi * gi
  ...[...op.localGet(VB2), ...at(V), ...op.v128Load, ...op.f32x4Mul],
  ...[...op.localGet(VOB2), ...op.localGet(GI), ...op.localGet(GI), ...op.f32x4Mul, ...op.f32x4Mul],
  ...[...op.f32x4Add, ...op.localSet(VI)],
  // vi = 0 where vi < TINY_MOMENT (vi is never negative)
  ...[...op.localGet(VI), ...op.localGet(VI), ...op.localGet(VTINY), ...op.f32x4Lt, ...op.v128AndNot],
  ...op.localSet(VI),
  ...[...at(M), ...op.localGet(MI), ...op.v128Store], // m[i] = mi
  ...[...at(V), ...op.localGet(VI), ...op.v128Store], // v[i] = vi
  // p[i] = p[i] - stepSize * mi / (sqrt(vi) + epsHat)
  ...[...at(P), ...at(P), ...op.v128Load],
  ...[...op.localGet(VSS), ...op.localGet(MI), ...op.f32x4Mul],
  ...[...op.localGet(VI), ...op.f32x4Sqrt, ...op.localGet(VEH), ...op.f32x4Add],
  ...[...op.f32x4Div, ...op.f32x4Sub, ...op.v128Store],
  ...[...at(G), ...op.v128Zero, ...op.v128Store], // g[i] = 0
  // i += 16; continue while i < end
  ...[
    ...op.localGet(I),
    ...op.i32Const(16),
    ...op.i32Add,
    ...op.localTee(I),
    ...op.localGet(END),
    ...op.i32LtU,
  ],
  ...[0x0d, 0], // br_if 0 (the loop)
  0x0b, // end loop
  0x0b, // end block
  0x0b, // end function
];

/** A section: its id, then its contents' length (one LEB128 byte or two) and contents. */
function section(id: number, contents: number[]): number[] {
  return [id, ...uleb(contents.length), ...contents];
}

/** Unsigned LEB128, for the sizes here (under 16384: one or two bytes). */
function uleb(n: number): number[] {
  if (n >= 0x4000) throw new Error(`uleb: ${n} needs more than two bytes`);
  return n < 0x80 ? [n] : [(n & 0x7f) | 0x80, n >> 7];
}

const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];

const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
  // type 0: (i32 x5, f32 x6) -> ()
  ...section(1, [1, 0x60, 11, ...new Array(5).fill(0x7f), ...new Array(6).fill(0x7d), 0]),
  ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 1]), // import env.memory, min 1 page
  ...section(3, [1, 0]), // function 0 has type 0
  ...section(7, [1, ...name('adam'), 0x00, 0]), // export it as "adam"
  // code: one body, locals 2 x i32 ($i $end) and 10 x v128, then the instructions
  ...section(10, [1, ...uleb(BODY.length + 5), 2, 2, 0x7f, 10, 0x7b, ...BODY]),
]);

/** The compiled update, or null where WebAssembly SIMD cannot run (or may not be compiled). */
const ADAM_MODULE: WebAssembly.Module | null = (() => {
  try {
    return WebAssembly.validate(MODULE) ? new WebAssembly.Module(MODULE) : null;
  } catch {
    return null;
  }
})();

/** Bytes one of the four vectors takes for `count` parameters: whole groups of four floats. */
export function adamVectorBytes(count: number): number {
  return Math.ceil(count / 4) * 16;
}

/**
 * The update over four vectors of `count` floats that `memory` holds, from byte offset `base`:
 * params, gradient, m and v, adamVectorBytes(count) apart (the padding past `count` stays 0).
 * Null where WebAssembly SIMD is unavailable (the caller then runs the JavaScript loop).
 */
export function simdAdamOn(memory: WebAssembly.Memory, base: number, count: number): SimdAdam | null {
  if (!ADAM_MODULE) return null;
  const bytes = adamVectorBytes(count);
  let adam: (...args: number[]) => void;
  try {
    const instance = new WebAssembly.Instance(ADAM_MODULE, { env: { memory } });
    adam = instance.exports.adam as (...args: number[]) => void;
  } catch {
    return null;
  }
  const view = (k: number) => new Float32Array(memory.buffer, base + k * bytes, count);
  const [params, gradient, m, v] = [0, 1, 2, 3].map(view);
  const [p, g, mAt, vAt] = [0, 1, 2, 3].map((k) => base + k * bytes);
  return {
    params,
    gradient,
    m,
    v,
    apply(beta1, beta2, stepSize, epsHat) {
      adam(p, g, mAt, vAt, bytes / 16, beta1, 1 - beta1, beta2, 1 - beta2, stepSize, epsHat);
    },
  };
}
