/**
 * A CNN on the CPU: conv stages (convolution, ReLU, 2x2 max-pool), then the dense layers on the
 * flattened output (simdDense.ts; mlp.ts's loops where WebAssembly SIMD cannot run). The convolutions run in WebAssembly SIMD (conv.wat); this file
 * lays out their memory, pools, routes the errors and moves the kernels between the flat
 * parameter vector (layout.ts: [k, k, in, filters]) and the kernels' own filter-major layout.
 *
 * What makes it fast:
 * - every window row is a contiguous, zero-padded run of four-float vectors, both in the input
 *   (channels-last) and in the kernel (filter-major), so the products need no gathering;
 * - the backward pass only visits the conv outputs the pool routed an error to (one in four,
 *   fewer where the ReLU was off): for each, one pass over its window gives its filter's kernel
 *   gradient and its inputs' errors.
 * The same conv loops in plain JavaScript, even skipping zero inputs, were much slower
 * (docs/performance.md; the README's Performance section gives these kernels' figures).
 */
import { IMAGE_SIZE, NUM_CLASSES } from '../../shared/mnist';
import type { ResidentData, Split } from '../data';
import type { ConvLayout, NetLayout } from '../layout';
import { CONV_WASM } from './conv.wasm';
import type { CpuNetwork } from './network';
import { CpuMlp } from './mlp';
import type { CpuTrainable } from './optimizers';
import type { SimdDense } from './simdDense';
import { UNIT } from './sparseImages';

/** Rows evaluated per forward pass. */
const EVAL_CHUNK = 128;
const PAGE = 65536;
/** Floats past the end of a buffer the kernels may touch: a window row's padding reaches 3 past. */
const REACH = 4;

type Kernel = (...args: number[]) => void;

/** The compiled kernels, or null where WebAssembly SIMD cannot run (the tfjs engine trains then). */
const KERNELS: WebAssembly.Module | null = (() => {
  try {
    return WebAssembly.validate(CONV_WASM) ? new WebAssembly.Module(CONV_WASM) : null;
  } catch {
    return null;
  }
})();

/** Whether this CPU can run the CNN kernels (WebAssembly SIMD, and compiling it is allowed). */
export function cnnKernelsRun(): boolean {
  return KERNELS !== null;
}

/** One conv stage: its shapes, where its buffers sit in the kernels' memory, and the pool's picks. */
interface Stage {
  layout: ConvLayout;
  /** A kernel row padded to whole vectors: k * in floats rounded up to a multiple of 4. */
  spanPad: number;
  /** Byte offsets: kernels [filters][k][spanPad], their gradient (same), bias [filters]. */
  kernels: number;
  kernelGradient: number;
  bias: number;
  /** Byte offset of the stage's input for the batch, [rows][h][w][c] (the images, or the previous pooled). */
  input: number;
  /** Byte offset of the error of one image's input, [h][w][c] (stages after the first). */
  inputError: number;
  /** [rows][h/2][w/2][filters]: for each pooled value, the index in its image's conv output of the maximum it took, or -1 where the ReLU was off. */
  arg: Int32Array;
}

export class CpuCnn implements CpuNetwork {
  private readonly layout: NetLayout;
  private readonly params: Float32Array;
  private readonly gradient: Float32Array;
  private readonly data: ResidentData;
  private readonly head: CpuMlp;
  /** The head in WebAssembly SIMD (simdDense.ts), on the model's own memory; null: mlp.ts's loops. */
  private readonly simdHead: SimdDense | null;
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly convForward: Kernel;
  private readonly convBackward: Kernel;
  private stages: Stage[] = [];
  private capacity = 0;
  /** Byte offsets of one image's conv output [h][w][filters], the error cells, the last pooled output. */
  private conv = 0;
  private cells = 0;
  private pooled = 0;
  /** Views on the memory (remade when it grows). */
  private f32 = new Float32Array(0);
  private i32 = new Int32Array(0);
  /** The head's error with respect to its input: [capacity, features]. */
  private headError = new Float32Array(0);

  constructor(layout: NetLayout, trainable: CpuTrainable, data: ResidentData) {
    if (!KERNELS) throw new Error('the CPU CNN needs WebAssembly SIMD');
    this.layout = layout;
    this.params = trainable.params;
    this.gradient = trainable.gradient;
    this.data = data;
    this.head = new CpuMlp(layout.dense, this.params, this.gradient);
    this.simdHead = trainable.dense;
    const exports = new WebAssembly.Instance(KERNELS, { env: { memory: this.memory } }).exports;
    this.convForward = exports.convForward as Kernel;
    this.convBackward = exports.convBackward as Kernel;
  }

  lossAndGradient(order: Int32Array, start: number, size: number, batch = size): number {
    const mnist = this.data.require();
    this.forward(mnist.train.images, order, start, size);
    const features = this.layout.dense.sizes[0];
    const x = this.pooledOutput(size);
    const { labels } = mnist.train;
    let loss: number;
    if (this.simdHead)
      loss = this.simdHead.lossAndGradientDense(x, size, labels, order, start, this.headError, batch);
    else {
      this.head.loadDense(x, size);
      loss = this.head.lossAndGradientLoaded(labels, order, start, size, this.headError, batch);
    }
    for (let b = 0; b < size; b++)
      this.backward(b, this.headError.subarray(b * features, (b + 1) * features));
    this.takeKernelGradients();
    return loss;
  }

  logits(split: Split, rows: Int32Array | null): Float32Array {
    const { images, count } = this.data.require()[split];
    const n = rows ? rows.length : count;
    const out = new Float32Array(n * NUM_CLASSES);
    for (let start = 0; start < n; start += EVAL_CHUNK) {
      const size = Math.min(EVAL_CHUNK, n - start);
      this.forward(images, rows, start, size);
      this.headLogits(size, out.subarray(start * NUM_CLASSES));
    }
    return out;
  }

  logitsOf(images: Float32Array, k: number): Float32Array {
    const out = new Float32Array(k * NUM_CLASSES);
    for (let start = 0; start < k; start += EVAL_CHUNK) {
      const size = Math.min(EVAL_CHUNK, k - start);
      this.reserve(size);
      const at = this.stages[0].input >> 2;
      this.f32.set(images.subarray(start * IMAGE_SIZE, (start + size) * IMAGE_SIZE), at);
      this.forwardLoaded(size);
      this.headLogits(size, out.subarray(start * NUM_CLASSES));
    }
    return out;
  }

  /** Lays the kernels' memory out for a batch of `rows` images (growing it if needed). */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    let bytes = 0;
    const take = (floats: number) => {
      const at = bytes;
      bytes += Math.ceil((floats + REACH) / 4) * 16;
      return at;
    };
    const convSize = Math.max(...this.layout.convs.map((c) => c.conv[0] * c.conv[1] * c.conv[2]));
    const cellCount = Math.max(...this.layout.convs.map((c) => c.output[0] * c.output[1] * c.output[2]));
    this.conv = take(convSize);
    this.cells = take(3 * cellCount);
    let input = take(rows * IMAGE_SIZE);
    this.stages = this.layout.convs.map((c) => {
      const spanPad = Math.ceil((c.kernel * c.input[2]) / 4) * 4;
      const kernelFloats = c.filters * c.kernel * spanPad;
      const size = c.output[0] * c.output[1] * c.output[2];
      const stage: Stage = {
        layout: c,
        spanPad,
        kernels: take(kernelFloats),
        kernelGradient: take(kernelFloats),
        bias: take(c.filters),
        input,
        inputError: take(c.input[0] * c.input[1] * c.input[2]),
        arg: new Int32Array(rows * size),
      };
      input = take(rows * size);
      return stage;
    });
    this.pooled = input;
    const grow = Math.ceil((bytes - this.memory.buffer.byteLength) / PAGE);
    if (grow > 0) this.memory.grow(grow);
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.f32.fill(0);
    this.headError = new Float32Array(rows * this.layout.dense.sizes[0]);
    this.capacity = rows;
  }

  /** The images rows[start .. start + size) (or start.. when rows is null) of `bytes`, forward. */
  private forward(bytes: Uint8Array, rows: Int32Array | null, start: number, size: number): void {
    this.reserve(size);
    const x = this.f32;
    const at = this.stages[0].input >> 2;
    for (let b = 0; b < size; b++) {
      const src = (rows ? rows[start + b] : start + b) * IMAGE_SIZE;
      const dst = at + b * IMAGE_SIZE;
      for (let i = 0; i < IMAGE_SIZE; i++) x[dst + i] = UNIT[bytes[src + i]];
    }
    this.forwardLoaded(size);
  }

  /** Every stage over the `size` images at stages[0].input, into the last pooled output. */
  private forwardLoaded(size: number): void {
    this.putKernels();
    for (let s = 0; s < this.stages.length; s++) {
      const stage = this.stages[s];
      const {
        input: [h, w, c],
        conv: [ch, cw, f],
        kernel: k,
      } = stage.layout;
      const next = s + 1 < this.stages.length ? this.stages[s + 1].input : this.pooled;
      for (let b = 0; b < size; b++) {
        const image = stage.input + b * h * w * c * 4;
        this.convForward(
          image,
          w * c * 4,
          c * 4,
          ch,
          cw,
          k,
          stage.spanPad * 4,
          stage.kernels,
          stage.bias,
          f,
          this.conv,
        );
        this.pool(stage, b, next);
      }
    }
  }

  /** The last pooled output of the `size` images forward, [size, features] (a view). */
  private pooledOutput(size: number): Float32Array {
    const features = this.layout.dense.sizes[0];
    return this.f32.subarray(this.pooled >> 2, (this.pooled >> 2) + size * features);
  }

  /** The head's logits [size, 10] of the `size` images forward, into `out`. */
  private headLogits(size: number, out: Float32Array): void {
    const x = this.pooledOutput(size);
    if (this.simdHead) return this.simdHead.logitsDense(x, size, out);
    this.head.loadDense(x, size);
    out.set(this.head.logitsLoaded(size));
  }

  /** The conv kernels and biases from the flat parameters into the kernels' own layout. */
  private putKernels(): void {
    const p = this.params;
    const mem = this.f32;
    for (const { layout: c, spanPad, kernels, bias } of this.stages) {
      const { kernel: k, filters: f, weightOffset, biasOffset } = c;
      const span = k * c.input[2];
      for (let j = 0; j < f; j++)
        for (let dy = 0; dy < k; dy++) {
          const to = (kernels >> 2) + (j * k + dy) * spanPad;
          const from = weightOffset + dy * span * f + j;
          for (let t = 0; t < span; t++) mem[to + t] = p[from + t * f];
        }
      mem.set(p.subarray(biasOffset, biasOffset + f), bias >> 2);
    }
  }

  /** Adds the kernels' gradients (their layout) into the flat gradient, and clears them. */
  private takeKernelGradients(): void {
    const g = this.gradient;
    const mem = this.f32;
    for (const { layout: c, spanPad, kernelGradient } of this.stages) {
      const { kernel: k, filters: f, weightOffset } = c;
      const span = k * c.input[2];
      for (let j = 0; j < f; j++)
        for (let dy = 0; dy < k; dy++) {
          const from = (kernelGradient >> 2) + (j * k + dy) * spanPad;
          const to = weightOffset + dy * span * f + j;
          for (let t = 0; t < span; t++) g[to + t * f] += mem[from + t];
        }
      mem.fill(0, kernelGradient >> 2, (kernelGradient >> 2) + f * k * spanPad);
    }
  }

  /**
   * ReLU then 2x2 max-pool of image b's conv output into its place at byte offset `out` ([rows]
   * [h/2][w/2][filters]) and stage.arg. The first maximum in window order wins, as in PyTorch; a
   * NaN wins over any number, so a diverging run shows.
   */
  private pool(stage: Stage, b: number, out: number): void {
    const {
      conv: [, cw, f],
      output: [ph, pw],
    } = stage.layout;
    const z = this.f32;
    const zAt = this.conv >> 2;
    const size = ph * pw * f;
    const arg = stage.arg;
    const pooled = this.f32;
    let q = b * size;
    let o = (out >> 2) + q;
    for (let py = 0; py < ph; py++)
      for (let px = 0; px < pw; px++)
        for (let c = 0; c < f; c++, q++, o++) {
          const i00 = (2 * py * cw + 2 * px) * f + c;
          let best = i00;
          let v = z[zAt + i00];
          // The window's other three, in PyTorch's order; v !== v tests for NaN.
          const i01 = i00 + f;
          const i10 = i00 + cw * f;
          const i11 = i10 + f;
          const v01 = z[zAt + i01];
          const v10 = z[zAt + i10];
          const v11 = z[zAt + i11];
          if (v01 > v || (v01 !== v01 && v === v)) {
            best = i01;
            v = v01;
          }
          if (v10 > v || (v10 !== v10 && v === v)) {
            best = i10;
            v = v10;
          }
          if (v11 > v || (v11 !== v11 && v === v)) {
            best = i11;
            v = v11;
          }
          if (v > 0 || v !== v) {
            pooled[o] = v;
            arg[q] = best;
          } else {
            pooled[o] = 0;
            arg[q] = -1;
          }
        }
  }

  /**
   * Image b back through the stages, from `error`, d(loss)/d(last pooled output): adds the conv
   * biases' gradients into this.gradient and the kernels' into the kernels' gradient buffers.
   */
  private backward(b: number, error: Float32Array): void {
    let pooledError = error;
    for (let s = this.stages.length - 1; s >= 0; s--) {
      const stage = this.stages[s];
      const {
        input: [h, w, c],
        conv: [, cw, f],
        output: [ph, pw],
        kernel: k,
        biasOffset,
      } = stage.layout;
      const size = ph * pw * f;
      // The cells: each pooled value's error goes to the conv output that won its pool, where
      // the ReLU was on; its filter's bias takes it as it is.
      const cellAt = this.cells >> 2;
      let n = 0;
      for (let q = 0; q < size; q++) {
        const won = stage.arg[b * size + q];
        const d = pooledError[q];
        if (won < 0 || d === 0) continue;
        const pos = (won / f) | 0;
        const j = won - pos * f;
        this.gradient[biasOffset + j] += d;
        this.i32[cellAt + 3 * n] = pos;
        this.i32[cellAt + 3 * n + 1] = j;
        this.f32[cellAt + 3 * n + 2] = d;
        n++;
      }
      const inputSize = h * w * c;
      const errorAt = s > 0 ? stage.inputError : 0;
      if (s > 0) this.f32.fill(0, errorAt >> 2, (errorAt >> 2) + inputSize + REACH);
      const image = stage.input + b * inputSize * 4;
      this.convBackward(
        this.cells,
        n,
        image,
        w * c * 4,
        c * 4,
        cw,
        k,
        stage.spanPad * 4,
        stage.kernels,
        stage.kernelGradient,
        errorAt,
      );
      if (s > 0) pooledError = this.f32.subarray(errorAt >> 2, (errorAt >> 2) + inputSize);
    }
  }
}
