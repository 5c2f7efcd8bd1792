/**
 * A CNN on the CPU: conv stages (convolution, ReLU, 2x2 max-pool) in plain loops, then the dense
 * layers of mlp.ts on the flattened output. Layouts as layout.ts: activations channels-last
 * ([h, w, c] per image), conv kernels [k, k, in, filters], so for one output position the kernel
 * rows of a window row (dy) are contiguous, and so are the inputs they multiply.
 *
 * What makes the loops fast, in the spirit of mlp.ts:
 * - zeros are skipped: an output position first gathers the nonzero inputs of its window (MNIST
 *   pixels are ~80 % zero; pooled ReLU outputs about half), then every filter reads only those;
 * - filters are computed 8 at a time in local variables (registers): one load per multiply-add;
 * - the backward pass only visits positions the pool routed an error to: at most one in four of
 *   a conv's outputs, fewer where the ReLU was off. Its weight and input gradients come from the
 *   same gathered window.
 * Pure: usable in the worker and in Node tests.
 */
import { IMAGE_SIZE, NUM_CLASSES } from '../../shared/mnist';
import type { ResidentData, Split } from '../data';
import type { ConvLayout, NetLayout } from '../layout';
import type { CpuNetwork } from './engine';
import { CpuMlp } from './mlp';
import { UNIT } from './sparseImages';

/** Rows evaluated per forward pass. */
const EVAL_CHUNK = 128;

/** One conv stage's buffers for a batch of `capacity` images. */
interface Stage {
  layout: ConvLayout;
  /** [capacity, h, w, c]: the stage's input (the images, or the previous stage's `pooled`). */
  input: Float32Array;
  /** [capacity, h/2, w/2, filters]: the stage's output after ReLU and pooling. */
  pooled: Float32Array;
  /**
   * [capacity, h/2, w/2, filters]: for each pooled value, the index in its image's conv output
   * ([h, w, filters]) of the maximum it took, or -1 where the ReLU was off (no error passes).
   */
  arg: Int32Array;
}

export class CpuCnn implements CpuNetwork {
  private readonly layout: NetLayout;
  private readonly params: Float32Array;
  private readonly gradient: Float32Array;
  private readonly data: ResidentData;
  private readonly head: CpuMlp;
  private stages: Stage[] = [];
  private capacity = 0;
  /** One image's conv output before pooling, and its error ([h, w, filters] of the widest stage). */
  private conv: Float32Array;
  private convError: Float32Array;
  /** Which output positions of `convError` carry an error. */
  private active: Uint8Array;
  /** One position's filters with an error: which, and the error. */
  private filterIndex: Int32Array;
  private filterError: Float32Array;
  /** A window's nonzero inputs: their kernel row, their place in the input, their value. */
  private winRow: Int32Array;
  private winAt: Int32Array;
  private winValue: Float32Array;
  /** The error of each stage's input for one image (the previous stage's pooled output). */
  private inputError: Float32Array[];
  /** The head's error with respect to its input: [capacity, features]. */
  private headError = new Float32Array(0);

  constructor(layout: NetLayout, params: Float32Array, gradient: Float32Array, data: ResidentData) {
    this.layout = layout;
    this.params = params;
    this.gradient = gradient;
    this.data = data;
    this.head = new CpuMlp(layout.dense, params, gradient);
    const convSize = Math.max(...layout.convs.map((c) => c.conv[0] * c.conv[1] * c.conv[2]));
    const window = Math.max(...layout.convs.map((c) => c.kernel * c.kernel * c.input[2]));
    this.conv = new Float32Array(convSize);
    this.convError = new Float32Array(convSize);
    this.active = new Uint8Array(convSize);
    const filters = Math.max(...layout.convs.map((c) => c.filters));
    this.filterIndex = new Int32Array(filters);
    this.filterError = new Float32Array(filters);
    this.winRow = new Int32Array(window);
    this.winAt = new Int32Array(window);
    this.winValue = new Float32Array(window);
    this.inputError = layout.convs.map((c) => new Float32Array(c.input[0] * c.input[1] * c.input[2]));
  }

  lossAndGradient(order: Int32Array, start: number, size: number): number {
    const mnist = this.data.require();
    this.forward(mnist.train.images, order, start, size);
    const loss = this.head.lossAndGradientLoaded(mnist.train.labels, order, start, size, this.headError);
    const features = this.layout.dense.sizes[0];
    for (let b = 0; b < size; b++)
      this.backward(b, this.headError.subarray(b * features, (b + 1) * features));
    return loss;
  }

  logits(split: Split, rows: Int32Array | null): Float32Array {
    const { images, count } = this.data.require()[split];
    const n = rows ? rows.length : count;
    const out = new Float32Array(n * NUM_CLASSES);
    for (let start = 0; start < n; start += EVAL_CHUNK) {
      const size = Math.min(EVAL_CHUNK, n - start);
      this.forward(images, rows, start, size);
      out.set(this.head.logitsLoaded(size), start * NUM_CLASSES);
    }
    return out;
  }

  logitsOf(images: Float32Array, k: number): Float32Array {
    const out = new Float32Array(k * NUM_CLASSES);
    for (let start = 0; start < k; start += EVAL_CHUNK) {
      const size = Math.min(EVAL_CHUNK, k - start);
      this.reserve(size);
      this.stages[0].input.set(images.subarray(start * IMAGE_SIZE, (start + size) * IMAGE_SIZE));
      this.forwardLoaded(size);
      out.set(this.head.logitsLoaded(size), start * NUM_CLASSES);
    }
    return out;
  }

  /** Grows the batch buffers to hold `rows` images. */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    this.capacity = rows;
    let input = new Float32Array(rows * IMAGE_SIZE);
    this.stages = this.layout.convs.map((c) => {
      const size = c.output[0] * c.output[1] * c.output[2];
      const stage = {
        layout: c,
        input,
        pooled: new Float32Array(rows * size),
        arg: new Int32Array(rows * size),
      };
      input = stage.pooled;
      return stage;
    });
    this.headError = new Float32Array(rows * this.layout.dense.sizes[0]);
  }

  /** The images rows[start .. start + size) (or start.. when rows is null) of `bytes`, forward. */
  private forward(bytes: Uint8Array, rows: Int32Array | null, start: number, size: number): void {
    this.reserve(size);
    const x = this.stages[0].input;
    for (let b = 0; b < size; b++) {
      const src = (rows ? rows[start + b] : start + b) * IMAGE_SIZE;
      const dst = b * IMAGE_SIZE;
      for (let i = 0; i < IMAGE_SIZE; i++) x[dst + i] = UNIT[bytes[src + i]];
    }
    this.forwardLoaded(size);
  }

  /** Every stage over the `size` images in stages[0].input; then points the head at the result. */
  private forwardLoaded(size: number): void {
    for (const stage of this.stages)
      for (let b = 0; b < size; b++) {
        this.convolve(stage, b);
        this.pool(stage, b);
      }
    this.head.loadDense(this.stages[this.stages.length - 1].pooled, size);
  }

  /**
   * Gathers the nonzero inputs of the window at output (oy, ox) of image b into winRow (the
   * kernel row each multiplies, as an offset into params), winAt (its index in `input`) and
   * winValue. Returns how many there are.
   */
  private gather(stage: Stage, b: number, oy: number, ox: number): number {
    const {
      input: [h, w, c],
      kernel: k,
      filters: f,
      weightOffset,
    } = stage.layout;
    const x = stage.input;
    const { winRow, winAt, winValue } = this;
    const span = k * c; // a window row: k pixels of c channels, contiguous in channels-last
    const image = b * h * w * c;
    let m = 0;
    for (let dy = 0; dy < k; dy++) {
      const from = image + ((oy + dy) * w + ox) * c;
      const row = weightOffset + dy * span * f;
      for (let j = 0; j < span; j++) {
        const v = x[from + j];
        if (v !== 0) {
          winRow[m] = row + j * f;
          winAt[m] = from + j;
          winValue[m++] = v;
        }
      }
    }
    return m;
  }

  /** Image b's conv output (before ReLU) into this.conv: [h, w, filters]. */
  private convolve(stage: Stage, b: number): void {
    const {
      conv: [ch, cw, f],
      biasOffset,
    } = stage.layout;
    const p = this.params;
    const out = this.conv;
    const { winRow, winValue } = this;
    for (let oy = 0; oy < ch; oy++)
      for (let ox = 0; ox < cw; ox++) {
        const m = this.gather(stage, b, oy, ox);
        const o = (oy * cw + ox) * f;
        let j = 0;
        for (; j + 8 <= f; j += 8) {
          const c = biasOffset + j;
          let a0 = p[c],
            a1 = p[c + 1],
            a2 = p[c + 2],
            a3 = p[c + 3];
          let a4 = p[c + 4],
            a5 = p[c + 5],
            a6 = p[c + 6],
            a7 = p[c + 7];
          for (let e = 0; e < m; e++) {
            const v = winValue[e];
            const r = winRow[e] + j;
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
        for (; j < f; j++) {
          let a = p[biasOffset + j];
          for (let e = 0; e < m; e++) a += winValue[e] * p[winRow[e] + j];
          out[o + j] = a;
        }
      }
  }

  /**
   * ReLU then 2x2 max-pool of this.conv into image b's `pooled` and `arg`. The first maximum in
   * window order wins, as in PyTorch; a NaN wins over any number, so a diverging run shows.
   */
  private pool(stage: Stage, b: number): void {
    const {
      conv: [, cw, f],
      output: [ph, pw],
    } = stage.layout;
    const z = this.conv;
    const size = ph * pw * f;
    const pooled = stage.pooled;
    const arg = stage.arg;
    let q = b * size;
    for (let py = 0; py < ph; py++)
      for (let px = 0; px < pw; px++)
        for (let c = 0; c < f; c++, q++) {
          const i00 = (2 * py * cw + 2 * px) * f + c;
          let best = i00;
          let v = z[i00];
          // The window's other three, in PyTorch's order; v !== v tests for NaN.
          const i01 = i00 + f;
          const i10 = i00 + cw * f;
          const i11 = i10 + f;
          if (z[i01] > v || (z[i01] !== z[i01] && v === v)) v = z[(best = i01)];
          if (z[i10] > v || (z[i10] !== z[i10] && v === v)) v = z[(best = i10)];
          if (z[i11] > v || (z[i11] !== z[i11] && v === v)) v = z[(best = i11)];
          if (v > 0 || v !== v) {
            pooled[q] = v;
            arg[q] = best;
          } else {
            pooled[q] = 0;
            arg[q] = -1;
          }
        }
  }

  /**
   * Image b back through the stages, from `error`, d(loss)/d(last pooled output): adds the conv
   * kernels' and biases' gradients into this.gradient.
   */
  private backward(b: number, error: Float32Array): void {
    let pooledError = error;
    for (let s = this.stages.length - 1; s >= 0; s--) {
      const stage = this.stages[s];
      const inputError = s > 0 ? this.inputError[s] : null;
      inputError?.fill(0);
      this.backwardStage(stage, b, pooledError, inputError);
      if (inputError) pooledError = inputError;
    }
  }

  /**
   * One stage of image b: the error of its pooled output routed to the conv outputs that won the
   * pool (the ReLU was on there), then for each such position the bias, kernel and (unless this
   * is the first stage) input errors, from the window's nonzero inputs and the filters with an
   * error: all other products are zero. Measured on the Small CNN, this cut the backward pass from
   * ~15 to ~X ms a step of 64 against 8 filters at a time in registers over every filter.
   */
  private backwardStage(
    stage: Stage,
    b: number,
    pooledError: Float32Array,
    inputError: Float32Array | null,
  ): void {
    const {
      conv: [ch, cw, f],
      output: [ph, pw],
      input: [h, w, c],
      biasOffset,
    } = stage.layout;
    const size = ph * pw * f;
    const dz = this.convError;
    const active = this.active;
    dz.fill(0, 0, ch * cw * f);
    active.fill(0, 0, ch * cw);
    const arg = stage.arg;
    for (let q = 0; q < size; q++) {
      const at = arg[b * size + q];
      const e = pooledError[q];
      if (at >= 0 && e !== 0) {
        dz[at] = e;
        active[(at / f) | 0] = 1;
      }
    }
    const p = this.params;
    const g = this.gradient;
    const { winRow, winAt, winValue, filterIndex, filterError } = this;
    const image = b * h * w * c;
    for (let oy = 0; oy < ch; oy++)
      for (let ox = 0; ox < cw; ox++) {
        const pos = oy * cw + ox;
        if (!active[pos]) continue;
        // The filters with an error here: the pool routed about one in four to this position.
        const o = pos * f;
        let nf = 0;
        for (let j = 0; j < f; j++) {
          const d = dz[o + j];
          if (d !== 0) {
            filterIndex[nf] = j;
            filterError[nf++] = d;
            g[biasOffset + j] += d;
          }
        }
        const m = this.gather(stage, b, oy, ox);
        for (let e = 0; e < m; e++) {
          const v = winValue[e];
          const r = winRow[e];
          // Kernel gradient: v * error for each such filter. Input error: the kernel row . error
          // (a zero input, a pooled ReLU that was off, passes no error back, so it needs none).
          let s = 0;
          for (let k = 0; k < nf; k++) {
            const at = r + filterIndex[k];
            const d = filterError[k];
            g[at] += v * d;
            s += p[at] * d;
          }
          if (inputError) inputError[winAt[e] - image] += s;
        }
      }
  }
}
