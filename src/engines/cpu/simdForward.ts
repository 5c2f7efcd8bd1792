/**
 * The CPU MLP's forward pass in WebAssembly SIMD (dense.wat), for evaluation and prediction:
 * logits of sparse images, four outputs an instruction. Training keeps mlp.ts's loops (its
 * backward pass needs their activations). This file lays out the kernels' memory:
 *
 *   [weights: per layer W [inputs][outPad] then bias [outPad]]
 *   [start: (CHUNK + 1) i32] [idx: CHUNK * widest i32] [val: CHUNK * widest f32]
 *   [act A: CHUNK * widestOut f32] [act B: CHUNK * widestOut f32]
 *
 * A chunk of images goes in as CSR (start/idx/val); each layer writes its outputs to A or B, and
 * `compact` turns them into the next layer's CSR in the same start/idx/val space.
 */
import { NUM_CLASSES } from '../../shared/mnist';
import type { MlpLayout } from '../layout';
import { DENSE_WASM } from './dense.wasm';
import type { SparseImages } from './sparseImages';

type Kernel = (...args: number[]) => void;

/** Rows a pass takes: big enough to amortise the calls, small enough for the caches. */
const CHUNK = 256;
const PAGE = 65_536;

/** The compiled kernels, or null where WebAssembly SIMD cannot run (mlp.ts's loops serve then). */
const KERNELS: WebAssembly.Module | null = (() => {
  try {
    return WebAssembly.validate(DENSE_WASM) ? new WebAssembly.Module(DENSE_WASM) : null;
  } catch {
    return null;
  }
})();

const pad4 = (n: number) => (n + 3) & ~3;

export class SimdForward {
  private readonly layout: MlpLayout;
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly sparseLayer: Kernel;
  private readonly compact: Kernel;
  /** Byte offsets of each layer's W and bias, and of the scratch areas. */
  private readonly weights: { W: number; bias: number; outPad: number }[] = [];
  private readonly start: number;
  private readonly idx: number;
  private readonly val: number;
  private readonly acts: [number, number];
  private f32: Float32Array;
  private i32: Int32Array;

  /** Null where WebAssembly SIMD is not available. */
  static create(layout: MlpLayout): SimdForward | null {
    return KERNELS ? new SimdForward(layout, KERNELS) : null;
  }

  private constructor(layout: MlpLayout, kernels: WebAssembly.Module) {
    this.layout = layout;
    const exports = new WebAssembly.Instance(kernels, { env: { memory: this.memory } }).exports;
    this.sparseLayer = exports.sparseLayer as Kernel;
    this.compact = exports.compact as Kernel;
    let at = 0;
    for (const l of layout.layers) {
      const outPad = pad4(l.outputs);
      const W = at;
      at += l.inputs * outPad * 4;
      this.weights.push({ W, bias: at, outPad });
      at += outPad * 4;
    }
    const widest = Math.max(...layout.sizes);
    const widestOut = Math.max(...this.weights.map((w) => w.outPad));
    this.start = at;
    at += (CHUNK + 1) * 4;
    this.idx = at;
    at += CHUNK * widest * 4;
    this.val = at;
    at += CHUNK * widest * 4;
    this.acts = [at, at + CHUNK * widestOut * 4];
    at += 2 * CHUNK * widestOut * 4;
    const grow = Math.ceil((at - this.memory.buffer.byteLength) / PAGE);
    if (grow > 0) this.memory.grow(grow);
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** Logits [count, 10] of images rows[0 .. count) (or 0 .. count) under `params` (layout.ts's). */
  logits(params: Float32Array, images: SparseImages, rows: Int32Array | null, count: number): Float32Array {
    this.setWeights(params);
    const out = new Float32Array(count * NUM_CLASSES);
    const { f32, i32, layout } = this;
    const L = layout.layers.length;
    for (let first = 0; first < count; first += CHUNK) {
      const size = Math.min(CHUNK, count - first);
      // The chunk's images as CSR.
      let n = 0;
      const s0 = this.start >> 2;
      const x0 = this.idx >> 2;
      const v0 = this.val >> 2;
      for (let b = 0; b < size; b++) {
        i32[s0 + b] = n;
        const r = rows ? rows[first + b] : first + b;
        for (let e = images.start[r]; e < images.start[r + 1]; e++, n++) {
          i32[x0 + n] = images.index[e];
          f32[v0 + n] = images.value[e];
        }
      }
      i32[s0 + size] = n;
      for (let l = 0; l < L; l++) {
        const { W, bias, outPad } = this.weights[l];
        const act = this.acts[l & 1];
        this.sparseLayer(this.start, size, this.idx, this.val, W, bias, outPad, act, l < L - 1 ? 1 : 0);
        if (l < L - 1)
          this.compact(act, size, layout.layers[l].outputs, outPad, this.start, this.idx, this.val);
      }
      const { outPad } = this.weights[L - 1];
      const last = this.acts[(L - 1) & 1] >> 2;
      for (let b = 0; b < size; b++)
        for (let j = 0; j < NUM_CLASSES; j++) out[(first + b) * NUM_CLASSES + j] = f32[last + b * outPad + j];
    }
    return out;
  }

  /** Copies the weights in, each row padded with zeros to a multiple of four outputs. */
  private setWeights(params: Float32Array): void {
    const { f32 } = this;
    this.layout.layers.forEach((l, i) => {
      const { W, bias, outPad } = this.weights[i];
      for (let k = 0; k < l.inputs; k++) {
        const row = (W >> 2) + k * outPad;
        f32.set(params.subarray(l.weightOffset + k * l.outputs, l.weightOffset + (k + 1) * l.outputs), row);
        f32.fill(0, row + l.outputs, row + outPad);
      }
      f32.set(params.subarray(l.biasOffset, l.biasOffset + l.outputs), bias >> 2);
      f32.fill(0, (bias >> 2) + l.outputs, (bias >> 2) + outPad);
    });
  }
}
