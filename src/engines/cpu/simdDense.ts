/**
 * The CPU engine's dense layers in WebAssembly SIMD (dense.wat), four outputs an instruction: an
 * MLP's whole training step, its logits for evaluation and prediction, and a CNN's dense head.
 * mlp.ts's loops, which do one multiply-add at a time in doubles, stay where WebAssembly SIMD
 * cannot run, and as the reference these are held to (simdDense.test.ts).
 *
 * Every product runs over the nonzero inputs only, as CSR rows (start/idx/val): an image's
 * nonzero pixels (~19 % of MNIST's), or the units a ReLU left positive (about half):
 *   forward   out = x W + b          sparseLayer, then `compact` for the next layer's CSR
 *   weights   dW += x^T delta        sparseOuter: a row of dW per nonzero input
 *   biases    db += sum of delta     columnSums
 *   inputs    dx = delta W^T         sparseDot: a dot product per nonzero input; an input that was
 *                                    zero (a ReLU that did not fire) passes no error, so dx is
 *                                    already masked for the layer below
 * The softmax and the loss stay in JavaScript (batch x 10).
 *
 * The model lives in the kernels' memory: the parameters, their gradient and, for Adam, its m and
 * v (layout.ts's flat vector, whole: a CNN's conv weights too), so a step copies nothing, and
 * Adam's update (simdAdam.ts) runs on the same memory. The memory is laid out once, for batches of up to
 * CAPACITY rows: a larger batch is taken CAPACITY rows at a time, its gradient the sum of theirs.
 * Never growing it keeps the views below valid for the model's life.
 *
 *   [params][gradient][m][v] (m and v for Adam only)  adamVectorBytes(paramCount) each
 *   per layer: its input as CSR: start [CAPACITY + 1] i32, idx i32 and val f32 [CAPACITY * inputs],
 *              its output [CAPACITY][outputs]
 *   x [CAPACITY][inputs0] (a dense input), delta A and B [CAPACITY][widest], dx [CAPACITY][inputs0]
 */
import { NUM_CLASSES } from '../../shared/mnist';
import type { MlpLayout } from '../layout';
import { DENSE_WASM } from './dense.wasm';
import { adamVectorBytes, simdAdamOn, type SimdAdam } from './simdAdam';
import { softmaxCrossEntropy } from './softmaxLoss';
import type { SparseImages } from './sparseImages';

type Kernel = (...args: number[]) => void;
type KernelName = 'sparseLayer' | 'compact' | 'sparseOuter' | 'sparseDot' | 'columnSums';

/** Rows a pass takes at most: a batch of up to 256 in one go; evaluation 256 images at a time. */
const CAPACITY = 256;
const PAGE = 65_536;

/** The compiled kernels, or null where WebAssembly SIMD cannot run (mlp.ts's loops serve then). */
const KERNELS: WebAssembly.Module | null = (() => {
  try {
    return WebAssembly.validate(DENSE_WASM) ? new WebAssembly.Module(DENSE_WASM) : null;
  } catch {
    return null;
  }
})();

/** Byte offsets of one layer's areas. */
interface LayerAreas {
  /** Its weights, bias and their gradients, inside the model's vectors. */
  W: number;
  bias: number;
  dW: number;
  dBias: number;
  /** Its input as CSR, and its output. */
  start: number;
  idx: number;
  val: number;
  out: number;
}

/** Where everything lives in the kernels' memory (see the file's comment), and its size. */
interface MemoryPlan {
  layers: LayerAreas[];
  x: number;
  deltas: [number, number];
  dx: number;
  bytes: number;
}

/** The memory plan for `layout`, with Adam's m and v after the gradient when `moments`. */
function planMemory(layout: MlpLayout, moments: boolean): MemoryPlan {
  const vector = adamVectorBytes(layout.paramCount);
  const [params, gradient] = [0, vector];
  let at = (moments ? 4 : 2) * vector;
  const take = (floats: number) => {
    const here = at;
    at += (floats * 4 + 15) & ~15;
    return here;
  };
  const layers = layout.layers.map((l) => ({
    W: params + l.weightOffset * 4,
    bias: params + l.biasOffset * 4,
    dW: gradient + l.weightOffset * 4,
    dBias: gradient + l.biasOffset * 4,
    start: take(CAPACITY + 1),
    idx: take(CAPACITY * l.inputs),
    val: take(CAPACITY * l.inputs),
    out: take(CAPACITY * l.outputs),
  }));
  const inputs0 = layout.sizes[0];
  const widest = Math.max(...layout.sizes.slice(1));
  const x = take(CAPACITY * inputs0);
  const deltas: [number, number] = [take(CAPACITY * widest), take(CAPACITY * widest)];
  const dx = take(CAPACITY * inputs0);
  return { layers, x, deltas, dx, bytes: at };
}

export class SimdDense {
  private readonly layout: MlpLayout;
  private readonly kernels: Record<KernelName, Kernel>;
  private readonly layers: LayerAreas[];
  private readonly x: number;
  private readonly deltas: [number, number];
  private readonly dx: number;
  private readonly f32: Float32Array;
  private readonly i32: Int32Array;
  /** The model's weights and their gradient: views on the kernels' memory. */
  readonly params: Float32Array;
  readonly gradient: Float32Array;
  /** Adam's update on the model's vectors, when made for Adam (its m and v follow the gradient). */
  readonly adam: SimdAdam | null;

  /**
   * Null where WebAssembly SIMD is not available, or its memory cannot be had (mlp.ts's loops
   * serve then). With `adam`, the memory holds Adam's moments too and `adam` updates them.
   */
  static create(layout: MlpLayout, adam: boolean): SimdDense | null {
    if (!KERNELS) return null;
    const plan = planMemory(layout, adam);
    try {
      const memory = new WebAssembly.Memory({ initial: Math.ceil(plan.bytes / PAGE) });
      const update = adam ? simdAdamOn(memory, 0, layout.paramCount) : null;
      if (adam && !update) return null;
      return new SimdDense(layout, KERNELS, memory, plan, update);
    } catch {
      return null;
    }
  }

  private constructor(
    layout: MlpLayout,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    plan: MemoryPlan,
    adam: SimdAdam | null,
  ) {
    this.layout = layout;
    this.adam = adam;
    const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
    const kernel = (name: KernelName) => e[name] as Kernel;
    this.kernels = {
      sparseLayer: kernel('sparseLayer'),
      compact: kernel('compact'),
      sparseOuter: kernel('sparseOuter'),
      sparseDot: kernel('sparseDot'),
      columnSums: kernel('columnSums'),
    };
    ({ layers: this.layers, x: this.x, deltas: this.deltas, dx: this.dx } = plan);
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    // Adam's own views when there is Adam: its optimizer (optimizers.ts) runs the SIMD update only
    // for the very arrays it was made on, and falls back to its JavaScript loop for any other
    // view of the same memory, silently, at three times the tutorial's step (docs/performance.md).
    const n = layout.paramCount;
    this.params = adam?.params ?? new Float32Array(memory.buffer, 0, n);
    this.gradient = adam?.gradient ?? new Float32Array(memory.buffer, adamVectorBytes(n), n);
  }

  /**
   * The mean loss of the training images order[start .. start + size) (an MLP's input: sparse
   * images), and its gradient added into `gradient`.
   */
  lossAndGradient(
    images: SparseImages,
    labels: Uint8Array,
    order: Int32Array,
    start: number,
    size: number,
    batch = size,
  ): number {
    let loss = 0;
    for (let first = 0; first < size; first += CAPACITY) {
      const rows = Math.min(CAPACITY, size - first);
      this.loadSparse(images, order, start + first, rows);
      this.forward(rows);
      loss += this.backward(rows, batch, labels, order, start + first, null);
    }
    return loss / batch;
  }

  /**
   * As lossAndGradient, for `size` rows of a dense input x ([size, sizes[0]]: a CNN's last pooled
   * output); also writes d(loss)/d(x) into `inputError` ([size, sizes[0]]), zero where x is zero.
   */
  lossAndGradientDense(
    x: Float32Array,
    size: number,
    labels: Uint8Array,
    order: Int32Array,
    start: number,
    inputError: Float32Array,
    batch = size,
  ): number {
    const inputs0 = this.layout.sizes[0];
    let loss = 0;
    for (let first = 0; first < size; first += CAPACITY) {
      const rows = Math.min(CAPACITY, size - first);
      this.loadDense(x.subarray(first * inputs0, (first + rows) * inputs0), rows);
      this.forward(rows);
      loss += this.backward(rows, batch, labels, order, start + first, inputError.subarray(first * inputs0));
    }
    return loss / batch;
  }

  /** Logits [count, 10] (a new array) of images rows[0 .. count) (or 0 .. count when rows is null). */
  logits(images: SparseImages, rows: Int32Array | null, count: number): Float32Array {
    const out = new Float32Array(count * NUM_CLASSES);
    for (let first = 0; first < count; first += CAPACITY) {
      const size = Math.min(CAPACITY, count - first);
      this.loadSparse(images, rows, first, size);
      out.set(this.forward(size), first * NUM_CLASSES);
    }
    return out;
  }

  /** Logits [size, 10] of `size` rows of a dense input ([size, sizes[0]]), into `out`. */
  logitsDense(x: Float32Array, size: number, out: Float32Array): void {
    const inputs0 = this.layout.sizes[0];
    for (let first = 0; first < size; first += CAPACITY) {
      const rows = Math.min(CAPACITY, size - first);
      this.loadDense(x.subarray(first * inputs0, (first + rows) * inputs0), rows);
      out.set(this.forward(rows), first * NUM_CLASSES);
    }
  }

  /** Rows rows[first .. first + size) of `images` (first.. when rows is null) as layer 1's CSR. */
  private loadSparse(images: SparseImages, rows: Int32Array | null, first: number, size: number): void {
    const { f32, i32 } = this;
    const { start, idx, val } = this.layers[0];
    const s0 = start >> 2;
    let n = 0;
    for (let b = 0; b < size; b++) {
      i32[s0 + b] = n;
      const r = rows ? rows[first + b] : first + b;
      const e0 = images.start[r];
      const e1 = images.start[r + 1];
      // Typed-array copies: Uint16 indices widen to the kernels' i32 as they are set.
      i32.set(images.index.subarray(e0, e1), (idx >> 2) + n);
      f32.set(images.value.subarray(e0, e1), (val >> 2) + n);
      n += e1 - e0;
    }
    i32[s0 + size] = n;
  }

  /** `size` dense rows ([size, sizes[0]]) as layer 1's CSR. */
  private loadDense(x: Float32Array, size: number): void {
    const inputs0 = this.layout.sizes[0];
    const { start, idx, val } = this.layers[0];
    this.f32.set(x.subarray(0, size * inputs0), this.x >> 2);
    this.kernels.compact(this.x, size, inputs0, inputs0, start, idx, val);
  }

  /** Every layer over the `size` rows loaded; returns the logits [size, 10] (a view). */
  private forward(size: number): Float32Array {
    const { kernels: k, layout } = this;
    const L = layout.layers.length;
    for (let l = 0; l < L; l++) {
      const a = this.layers[l];
      const { outputs } = layout.layers[l];
      k.sparseLayer(a.start, size, a.idx, a.val, a.W, a.bias, outputs, a.out, l < L - 1 ? 1 : 0);
      if (l < L - 1) {
        const next = this.layers[l + 1];
        k.compact(a.out, size, outputs, outputs, next.start, next.idx, next.val);
      }
    }
    const logits = this.layers[L - 1].out >> 2;
    return this.f32.subarray(logits, logits + size * NUM_CLASSES);
  }

  /**
   * Back through every layer from the `size` rows' logits: adds their share of the gradient of the
   * mean loss over a batch of `batch` rows, writes d(loss)/d(input) into `inputError` when given,
   * and returns the rows' summed loss (labels of order[start ..]).
   */
  private backward(
    size: number,
    batch: number,
    labels: Uint8Array,
    order: Int32Array,
    start: number,
    inputError: Float32Array | null,
  ): number {
    const { f32, kernels: k, layout } = this;
    const L = layout.layers.length;
    // d(loss)/d(logits), beside the logits in the same memory.
    const logits = this.layers[L - 1].out >> 2;
    let [delta, other] = this.deltas;
    const loss = softmaxCrossEntropy(
      f32,
      logits,
      f32,
      delta >> 2,
      size,
      NUM_CLASSES,
      labels,
      order,
      start,
      batch,
    );
    for (let l = L - 1; l >= 0; l--) {
      const a = this.layers[l];
      const { inputs, outputs } = layout.layers[l];
      k.columnSums(delta, size, outputs, a.dBias);
      k.sparseOuter(a.start, size, a.idx, a.val, delta, outputs, a.dW);
      if (l === 0 && !inputError) break;
      // The error for the layer below (masked by its ReLU), or for the input.
      const target = l > 0 ? other : this.dx;
      f32.fill(0, target >> 2, (target >> 2) + size * inputs);
      k.sparseDot(a.start, size, a.idx, a.W, delta, outputs, target, inputs);
      other = delta;
      delta = target;
    }
    if (inputError) inputError.set(f32.subarray(this.dx >> 2, (this.dx >> 2) + size * layout.sizes[0]));
    return loss;
  }
}
