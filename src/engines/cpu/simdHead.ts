/**
 * A CNN's dense head trained in WebAssembly SIMD (dense.wat): its forward pass, loss, weight
 * gradients and the error handed back to the conv stages, four outputs an instruction.
 *
 * Why: the series' CNN spends over half its step in its head (1024 x 512, then 512 x 10; a CPU
 * profile in Node), whose JavaScript loops (mlp.ts) do one multiply-add at a time in doubles.
 * The head's input is the last pooled ReLU output, about half zeros, so every product here runs
 * over the nonzero inputs only, as CSR rows (start/idx/val):
 *   forward   out = x W + b          sparseLayer, then `compact` for the next layer's CSR
 *   weights   dW += x^T delta        sparseOuter: a row of dW per nonzero input
 *   inputs    dx = delta W^T         sparseDot: a dot product per nonzero input; an input that was
 *                                    zero (a ReLU that did not fire) passes no error, so dx is
 *                                    already masked for the layer below
 * The softmax, the loss and the bias gradients stay in JavaScript (batch x 10 and batch x width).
 *
 * Memory, in bytes (rows: the batch capacity; outPad: outputs rounded up to four, padded with
 * zeros, so every span is whole vectors):
 *   per layer: W [inputs][outPad], bias [outPad], dW [inputs][outPad],
 *              its input as CSR: start [rows + 1] i32, idx and val [rows * inputs],
 *              its output [rows][outPad]
 *   x [rows][inputs0], delta A and B [rows][widest outPad], dx [rows][widest padded input]
 * The weights are copied in and the gradients out on every step: ~2 MB each way for the series'
 * CNN, well under a millisecond against a step of tens.
 */
import type { MlpLayout } from '../layout';
import { DENSE_WASM } from './dense.wasm';

type Kernel = (...args: number[]) => void;

const PAGE = 65_536;
const pad4 = (n: number) => (n + 3) & ~3;

/** The compiled kernels, or null where WebAssembly SIMD cannot run (mlp.ts's loops serve then). */
const KERNELS: WebAssembly.Module | null = (() => {
  try {
    return WebAssembly.validate(DENSE_WASM) ? new WebAssembly.Module(DENSE_WASM) : null;
  } catch {
    return null;
  }
})();

interface LayerAreas {
  W: number;
  bias: number;
  dW: number;
  outPad: number;
  start: number;
  idx: number;
  val: number;
  out: number;
}

export class SimdHead {
  private readonly layout: MlpLayout;
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly kernels: Record<'sparseLayer' | 'compact' | 'sparseOuter' | 'sparseDot', Kernel>;
  private rows = 0;
  private layers: LayerAreas[] = [];
  private x = 0;
  private deltas: [number, number] = [0, 0];
  private dx = 0;
  private f32 = new Float32Array(0);

  /** Null where WebAssembly SIMD is not available. */
  static create(layout: MlpLayout): SimdHead | null {
    return KERNELS ? new SimdHead(layout, KERNELS) : null;
  }

  private constructor(layout: MlpLayout, module: WebAssembly.Module) {
    this.layout = layout;
    const e = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports;
    this.kernels = {
      sparseLayer: e.sparseLayer as Kernel,
      compact: e.compact as Kernel,
      sparseOuter: e.sparseOuter as Kernel,
      sparseDot: e.sparseDot as Kernel,
    };
  }

  /** Lays the memory out for batches of up to `rows` rows. */
  private reserve(rows: number): void {
    if (rows <= this.rows) return;
    this.rows = rows;
    let at = 0;
    const take = (bytes: number) => {
      const here = at;
      at += (bytes + 15) & ~15;
      return here;
    };
    this.layers = this.layout.layers.map((l) => {
      const outPad = pad4(l.outputs);
      return {
        W: take(l.inputs * outPad * 4),
        bias: take(outPad * 4),
        dW: take(l.inputs * outPad * 4),
        outPad,
        start: take((rows + 1) * 4),
        idx: take(rows * l.inputs * 4),
        val: take(rows * l.inputs * 4),
        out: take(rows * outPad * 4),
      };
    });
    const inputs0 = this.layout.sizes[0];
    const widestOut = Math.max(...this.layers.map((l) => l.outPad));
    const widestIn = Math.max(...this.layout.layers.map((l) => pad4(l.inputs)));
    this.x = take(rows * inputs0 * 4);
    this.deltas = [take(rows * widestOut * 4), take(rows * widestOut * 4)];
    this.dx = take(rows * widestIn * 4);
    const grow = Math.ceil((at - this.memory.buffer.byteLength) / PAGE);
    if (grow > 0) this.memory.grow(grow);
    this.f32 = new Float32Array(this.memory.buffer);
  }

  /**
   * The mean loss of `size` rows of input `x` ([size, sizes[0]], dense) against the labels of
   * order[start ..]; adds the gradient of every weight and bias into `gradient` (layout.ts's
   * offsets) and writes d(loss)/d(x) into `inputError` ([size, sizes[0]]), zero where x is zero.
   */
  lossAndGradient(
    params: Float32Array,
    gradient: Float32Array,
    x: Float32Array,
    size: number,
    labels: Uint8Array,
    order: Int32Array,
    start: number,
    inputError: Float32Array,
  ): number {
    this.reserve(size);
    const { f32, kernels: k, layout } = this;
    const L = layout.layers.length;
    const inputs0 = layout.sizes[0];
    this.setWeights(params);
    // The input as the first layer's CSR.
    f32.set(x.subarray(0, size * inputs0), this.x >> 2);
    const first = this.layers[0];
    k.compact(this.x, size, inputs0, inputs0, first.start, first.idx, first.val);
    for (let l = 0; l < L; l++) {
      const a = this.layers[l];
      k.sparseLayer(a.start, size, a.idx, a.val, a.W, a.bias, a.outPad, a.out, l < L - 1 ? 1 : 0);
      if (l < L - 1) {
        const next = this.layers[l + 1];
        k.compact(a.out, size, layout.layers[l].outputs, a.outPad, next.start, next.idx, next.val);
      }
    }
    // d(loss)/d(logits) = (softmax - onehot) / B, from a max-shifted, stable log-softmax.
    const last = this.layers[L - 1];
    const C = layout.layers[L - 1].outputs;
    const logits = last.out >> 2;
    let delta = this.deltas[0];
    let other = this.deltas[1];
    const d0 = delta >> 2;
    f32.fill(0, d0, d0 + size * last.outPad);
    const invBatch = 1 / size;
    let loss = 0;
    for (let b = 0; b < size; b++) {
      const o = logits + b * last.outPad;
      const q = d0 + b * last.outPad;
      let max = -Infinity;
      for (let j = 0; j < C; j++) if (f32[o + j] > max) max = f32[o + j];
      let sum = 0;
      for (let j = 0; j < C; j++) {
        const e = Math.exp(f32[o + j] - max);
        f32[q + j] = e;
        sum += e;
      }
      const label = labels[order[start + b]];
      loss -= f32[o + label] - max - Math.log(sum);
      const scale = invBatch / sum;
      for (let j = 0; j < C; j++) f32[q + j] *= scale;
      f32[q + label] -= invBatch;
    }
    for (let l = L - 1; l >= 0; l--) {
      const a = this.layers[l];
      const { inputs, outputs, weightOffset, biasOffset } = layout.layers[l];
      const dl = delta >> 2;
      for (let b = 0; b < size; b++)
        for (let j = 0; j < outputs; j++) gradient[biasOffset + j] += f32[dl + b * a.outPad + j];
      f32.fill(0, a.dW >> 2, (a.dW >> 2) + inputs * a.outPad);
      k.sparseOuter(a.start, size, a.idx, a.val, delta, a.outPad, a.dW);
      for (let i = 0; i < inputs; i++) {
        const from = (a.dW >> 2) + i * a.outPad;
        const to = weightOffset + i * outputs;
        for (let j = 0; j < outputs; j++) gradient[to + j] += f32[from + j];
      }
      // The error for the layer below (masked by its ReLU), or for the conv stages.
      const stride = l > 0 ? this.layers[l - 1].outPad : pad4(inputs);
      const target = l > 0 ? other : this.dx;
      f32.fill(0, target >> 2, (target >> 2) + size * stride);
      k.sparseDot(a.start, size, a.idx, a.W, delta, a.outPad, target, stride);
      if (l > 0) {
        other = delta;
        delta = target;
      } else {
        for (let b = 0; b < size; b++)
          inputError.set(
            f32.subarray((this.dx >> 2) + b * stride, (this.dx >> 2) + b * stride + inputs),
            b * inputs,
          );
      }
    }
    return loss * invBatch;
  }

  /** Copies the weights in, each row padded with zeros to a multiple of four outputs. */
  private setWeights(params: Float32Array): void {
    const { f32 } = this;
    this.layout.layers.forEach((l, i) => {
      const { W, bias, outPad } = this.layers[i];
      if (outPad === l.outputs)
        f32.set(params.subarray(l.weightOffset, l.weightOffset + l.inputs * l.outputs), W >> 2);
      else
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
