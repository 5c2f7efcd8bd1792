/**
 * An MLP (layout.ts's flat parameters, ReLU, mean softmax cross-entropy), computed directly on
 * Float32Arrays, with no TensorFlow.js kernel dispatch; also the dense head of the CPU CNN
 * (cnn.ts), whose input is the last conv stage's pooled output instead of the image. Where
 * WebAssembly SIMD runs, simdDense.ts does all of this four outputs an instruction, and these
 * loops are the reference it is held to (simdDense.test.ts). At the tutorial's sizes a step
 * is ~0.4 MFLOP, so tfjs's fixed cost per kernel (~85 kernels a step) dominates; plain loops don't
 * pay it. What makes the loops fast:
 * - the input is sparse (~80% of MNIST pixels are 0): layer 1's forward pass and its weight
 *   gradient only visit nonzero pixels, as rows of W1 ([784, h] row-major) added into the output;
 * - hidden activations after ReLU are ~half zeros, and the dense layers skip those rows too;
 * - every inner loop runs along a contiguous row (axpy or dot), and bias + ReLU are fused in;
 * - the gradient buffer is zeroed by the optimizer's loop as it reads it (optimizers.ts).
 * Pure: usable in the worker and in Node tests.
 */
import { NUM_CLASSES } from '../../shared/mnist';
import type { MlpLayout } from '../layout';
import { softmaxCrossEntropy } from './softmaxLoss';
import type { SparseImages } from './sparseImages';

/** Rows evaluated per forward pass: big enough to amortize the loop set-up, small enough for L2. */
const EVAL_CHUNK = 256;

/**
 * A model's parameters on the CPU and the scratch buffers its passes need. `params`
 * ([layout.paramCount] float32) is updated in place by training; `gradient` (the caller's, or a
 * new one) is all zeros between steps (the optimizer clears it as it consumes it).
 */
export class CpuMlp {
  readonly layout: MlpLayout;
  readonly params: Float32Array;
  readonly gradient: Float32Array;
  /** Rows the scratch buffers hold. */
  private capacity = 0;
  /** acts[l]: [capacity, sizes[l]] for l >= 1 (acts[0] is the sparse input below). */
  private acts: Float32Array[] = [];
  private deltaA = new Float32Array(0);
  private deltaB = new Float32Array(0);
  /** The batch's nonzero pixels: row b's are nzIndex/nzValue[rowStart[b] .. rowEnd[b]). */
  private nzIndex: Uint16Array = new Uint16Array(0);
  private nzValue: Float32Array = new Float32Array(0);
  private rowStart = new Int32Array(0);
  /** One row's nonzero hidden activations (positions and values), gathered per row. */
  private actIndex: Uint16Array = new Uint16Array(0);
  private actValue: Float32Array = new Float32Array(0);
  /** One hidden unit's nonzero activations across the batch (rows and values). */
  private batchIndex = new Int32Array(0);
  private batchValue = new Float32Array(0);
  private rowEnd = new Int32Array(0);

  /** Whether layer 1 reads a dense input (loadDense, the CNN head) instead of sparse images. */
  private dense = false;

  constructor(
    layout: MlpLayout,
    params: Float32Array,
    gradient: Float32Array = new Float32Array(layout.paramCount),
  ) {
    if (params.length !== layout.paramCount || gradient.length !== layout.paramCount)
      throw new Error(
        `expected ${layout.paramCount} parameters and gradients, got ${params.length} and ${gradient.length}`,
      );
    // Inputs are indexed as Uint16, the type of the image pixels' indices: one index type keeps
    // the hot loops monomorphic. modelSpec.ts's limits keep a CNN's features far below this.
    if (Math.max(...layout.sizes) > 0xffff) throw new Error(`layers wider than ${0xffff} are not supported`);
    this.layout = layout;
    this.params = params;
    this.gradient = gradient;
  }

  /** Grows the scratch buffers to hold `rows` rows. */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const { sizes } = this.layout;
    this.capacity = rows;
    this.acts = sizes.map((s, l) => new Float32Array(l === 0 ? 0 : rows * s));
    const widest = Math.max(...sizes.slice(1));
    this.deltaA = new Float32Array(rows * widest);
    this.deltaB = new Float32Array(rows * widest);
    this.rowStart = new Int32Array(rows);
    // A row's nonzero inputs: a hidden layer's, or a dense first layer's (the CNN head's).
    this.actIndex = new Uint16Array(Math.max(...sizes));
    this.actValue = new Float32Array(Math.max(...sizes));
    this.batchIndex = new Int32Array(rows);
    this.batchValue = new Float32Array(rows);
    this.rowEnd = new Int32Array(rows);
  }

  /** Points the batch at rows[start .. start + size) of `images` (or start.. when rows is null). */
  private load(images: SparseImages, rows: Int32Array | null, start: number, size: number): void {
    this.reserve(size);
    const { rowStart, rowEnd } = this;
    for (let b = 0; b < size; b++) {
      const r = rows ? rows[start + b] : start + b;
      rowStart[b] = images.start[r];
      rowEnd[b] = images.start[r + 1];
    }
    this.nzIndex = images.index;
    this.nzValue = images.value;
    this.dense = false;
  }

  /** Points the batch at `size` dense rows of layer 1's input ([size, sizes[0]], the caller's). */
  loadDense(input: Float32Array, size: number): void {
    this.reserve(size);
    this.acts[0] = input;
    this.dense = true;
  }

  /**
   * Forward pass over the loaded `size` rows: fills acts[1..L] (the last holds the logits).
   * Outputs are computed 8 at a time in local variables (registers): each multiply-add then costs
   * one load instead of a load, a store and a reload of the output.
   */
  private forward(size: number): void {
    const { layers } = this.layout;
    const p = this.params;
    const { actIndex, actValue, rowStart, rowEnd } = this;
    for (let l = 0; l < layers.length; l++) {
      const { inputs, outputs, weightOffset: w, biasOffset: bias } = layers[l];
      const out = this.acts[l + 1];
      const input = this.acts[l];
      const relu = l < layers.length - 1;
      for (let b = 0; b < size; b++) {
        // The row's nonzero inputs: pixels from the CSR batch, or the hidden units ReLU left
        // positive (about half), gathered once so the loops below neither test nor skip.
        let index = this.nzIndex;
        let value = this.nzValue;
        let e0 = rowStart[b];
        let e1 = rowEnd[b];
        if (l > 0 || this.dense) {
          const i0 = b * inputs;
          let m = 0;
          for (let k = 0; k < inputs; k++) {
            const v = input[i0 + k];
            if (v !== 0) {
              actIndex[m] = k;
              actValue[m++] = v;
            }
          }
          index = actIndex;
          value = actValue;
          e0 = 0;
          e1 = m;
        }
        const o = b * outputs;
        let j = 0;
        for (; j + 8 <= outputs; j += 8) {
          const c = bias + j;
          let a0 = p[c],
            a1 = p[c + 1],
            a2 = p[c + 2],
            a3 = p[c + 3];
          let a4 = p[c + 4],
            a5 = p[c + 5],
            a6 = p[c + 6],
            a7 = p[c + 7];
          for (let e = e0; e < e1; e++) {
            const v = value[e];
            const r = w + index[e] * outputs + j;
            a0 += v * p[r];
            a1 += v * p[r + 1];
            a2 += v * p[r + 2];
            a3 += v * p[r + 3];
            a4 += v * p[r + 4];
            a5 += v * p[r + 5];
            a6 += v * p[r + 6];
            a7 += v * p[r + 7];
          }
          out[o + j] = a0;
          out[o + j + 1] = a1;
          out[o + j + 2] = a2;
          out[o + j + 3] = a3;
          out[o + j + 4] = a4;
          out[o + j + 5] = a5;
          out[o + j + 6] = a6;
          out[o + j + 7] = a7;
        }
        for (; j < outputs; j++) {
          let a = p[bias + j];
          for (let e = e0; e < e1; e++) a += value[e] * p[w + index[e] * outputs + j];
          out[o + j] = a;
        }
        // ReLU; a NaN stays NaN, so a diverging run shows in the loss.
        if (relu) for (let q = o; q < o + outputs; q++) if (out[q] < 0) out[q] = 0;
      }
    }
  }

  /**
   * Loss and gradient of the batch images[order[start .. start + size)]: returns the mean softmax
   * cross-entropy and adds its gradient into `gradient` (which the optimizer then clears).
   */
  lossAndGradient(
    images: SparseImages,
    labels: Uint8Array,
    order: Int32Array,
    start: number,
    size: number,
    batch = size,
  ): number {
    this.load(images, order, start, size);
    return this.lossAndGradientLoaded(labels, order, start, size, undefined, batch);
  }

  /**
   * As lossAndGradient, on the rows loaded (load or loadDense); with a dense input, also writes
   * d(loss)/d(input) into `inputError` ([size, sizes[0]]), zero where the input is zero (a pooled
   * ReLU output passes no error there).
   */
  lossAndGradientLoaded(
    labels: Uint8Array,
    order: Int32Array,
    start: number,
    size: number,
    inputError?: Float32Array,
    batch = size,
  ): number {
    this.forward(size);
    const { layers } = this.layout;
    const L = layers.length;
    const logits = this.acts[L];
    const C = layers[L - 1].outputs;
    let delta = this.deltaA;
    let other = this.deltaB;
    const loss = softmaxCrossEntropy(logits, 0, delta, 0, size, C, labels, order, start, batch);
    for (let l = L - 1; l >= 0; l--) {
      const { outputs, biasOffset } = layers[l];
      const g = this.gradient;
      for (let b = 0; b < size; b++)
        for (let j = 0; j < outputs; j++) g[biasOffset + j] += delta[b * outputs + j];
      if (l === 0 && !this.dense) {
        this.inputWeightGradient(delta, size);
      } else if (l === 0) {
        this.denseBackward(0, delta, inputError ?? new Float32Array(size * layers[0].inputs), size);
      } else {
        this.denseBackward(l, delta, other, size);
        const t = delta;
        delta = other;
        other = t;
      }
    }
    return loss / batch;
  }

  /**
   * dW1 += x^T delta1, visiting only nonzero pixels: for each, a row of dW1 gets v * delta_b,
   * with delta_b held 8 at a time in locals.
   */
  private inputWeightGradient(delta: Float32Array, size: number): void {
    const { outputs, weightOffset: w } = this.layout.layers[0];
    const g = this.gradient;
    const { nzIndex, nzValue, rowStart, rowEnd } = this;
    for (let b = 0; b < size; b++) {
      const d = b * outputs;
      const e0 = rowStart[b];
      const e1 = rowEnd[b];
      let j = 0;
      for (; j + 8 <= outputs; j += 8) {
        const d0 = delta[d + j],
          d1 = delta[d + j + 1],
          d2 = delta[d + j + 2],
          d3 = delta[d + j + 3];
        const d4 = delta[d + j + 4],
          d5 = delta[d + j + 5],
          d6 = delta[d + j + 6],
          d7 = delta[d + j + 7];
        for (let e = e0; e < e1; e++) {
          const v = nzValue[e];
          const r = w + nzIndex[e] * outputs + j;
          g[r] += v * d0;
          g[r + 1] += v * d1;
          g[r + 2] += v * d2;
          g[r + 3] += v * d3;
          g[r + 4] += v * d4;
          g[r + 5] += v * d5;
          g[r + 6] += v * d6;
          g[r + 7] += v * d7;
        }
      }
      for (; j < outputs; j++) {
        const dj = delta[d + j];
        for (let e = e0; e < e1; e++) g[w + nzIndex[e] * outputs + j] += nzValue[e] * dj;
      }
    }
  }

  /**
   * A dense layer l >= 1: dW += h^T delta (summed over the batch in locals, then added once) and
   * the error passed back, deltaIn = (delta W^T) masked by ReLU's derivative (1 where h > 0).
   */
  private denseBackward(l: number, delta: Float32Array, deltaIn: Float32Array, size: number): void {
    const { inputs, outputs, weightOffset: w } = this.layout.layers[l];
    const input = this.acts[l];
    const p = this.params;
    const g = this.gradient;
    const { batchIndex, batchValue } = this;
    for (let k = 0; k < inputs; k++) {
      const row = w + k * outputs;
      // The rows where unit k is active; the others add nothing to dW's row k.
      let m = 0;
      for (let b = 0; b < size; b++) {
        const v = input[b * inputs + k];
        if (v !== 0) {
          batchIndex[m] = b * outputs;
          batchValue[m++] = v;
        }
      }
      let j = 0;
      for (; j + 8 <= outputs; j += 8) {
        let a0 = 0,
          a1 = 0,
          a2 = 0,
          a3 = 0,
          a4 = 0,
          a5 = 0,
          a6 = 0,
          a7 = 0;
        for (let e = 0; e < m; e++) {
          const v = batchValue[e];
          const d = batchIndex[e] + j;
          a0 += v * delta[d];
          a1 += v * delta[d + 1];
          a2 += v * delta[d + 2];
          a3 += v * delta[d + 3];
          a4 += v * delta[d + 4];
          a5 += v * delta[d + 5];
          a6 += v * delta[d + 6];
          a7 += v * delta[d + 7];
        }
        const r = row + j;
        g[r] += a0;
        g[r + 1] += a1;
        g[r + 2] += a2;
        g[r + 3] += a3;
        g[r + 4] += a4;
        g[r + 5] += a5;
        g[r + 6] += a6;
        g[r + 7] += a7;
      }
      for (; j < outputs; j++) {
        let a = 0;
        for (let e = 0; e < m; e++) a += batchValue[e] * delta[batchIndex[e] + j];
        g[row + j] += a;
      }
      for (let b = 0; b < size; b++) {
        const i = b * inputs + k;
        if (input[i] === 0) {
          // ReLU's derivative is 0 here: no error to pass back.
          deltaIn[i] = 0;
          continue;
        }
        const d = b * outputs;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        let q = 0;
        for (; q + 4 <= outputs; q += 4) {
          s0 += p[row + q] * delta[d + q];
          s1 += p[row + q + 1] * delta[d + q + 1];
          s2 += p[row + q + 2] * delta[d + q + 2];
          s3 += p[row + q + 3] * delta[d + q + 3];
        }
        for (; q < outputs; q++) s0 += p[row + q] * delta[d + q];
        deltaIn[i] = s0 + s1 + s2 + s3;
      }
    }
  }

  /**
   * Logits [count, 10] (a new array) of images rows[0 .. count) (or 0 .. count when rows is null).
   */
  logits(images: SparseImages, rows: Int32Array | null, count: number): Float32Array {
    const out = new Float32Array(count * NUM_CLASSES);
    const L = this.layout.layers.length;
    for (let start = 0; start < count; start += EVAL_CHUNK) {
      const size = Math.min(EVAL_CHUNK, count - start);
      this.load(images, rows, start, size);
      this.forward(size);
      out.set(this.acts[L].subarray(0, size * NUM_CLASSES), start * NUM_CLASSES);
    }
    return out;
  }

  /** Logits [size, 10] of the dense rows loaded by loadDense: a view, valid until the next pass. */
  logitsLoaded(size: number): Float32Array {
    this.forward(size);
    return this.acts[this.layout.layers.length].subarray(0, size * NUM_CLASSES);
  }
}
