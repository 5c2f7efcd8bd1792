/**
 * The tfjs engine: any model spec, on whichever TensorFlow.js backend the worker started (WebGL,
 * WebAssembly, or tfjs's plain JavaScript cpu backend). The weights are one flat variable
 * (layout.ts), the optimizer state one variable per slot, the data resident on the device
 * (deviceData.ts). Per step nothing is read back: each batch's loss is appended to a small device
 * tensor that drain() reads, with the state when asked, in one sync.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, NUM_CLASSES } from '../../shared/mnist';
import type { EngineName } from '../../shared/protocol';
import { yieldToEventLoop } from '../../shared/yield';
import type { ResidentData, Split } from '../data';
import type { Engine, EngineInit, EngineState } from '../engine';
import type { NetLayout } from '../layout';
import { slotCount } from '../optimizer';
import { deviceData } from './deviceData';
import { evalBatch, forward, lossAndGradient, unpack } from './network';
import { createOptimizer, type FlatOptimizer } from './optimizer';
import './wasmKernels';

export class TfjsEngine implements Engine {
  readonly name: EngineName = 'tfjs';
  readonly layout: NetLayout;
  protected readonly data: ResidentData;
  /** [paramCount] float32, the model's weights. */
  protected readonly params: tf.Variable<tf.Rank.R1>;
  protected readonly optimizer: FlatOptimizer;
  /** [train count] int32: the epoch's shuffle. */
  protected order: tf.Tensor1D | null = null;
  /** The losses of the steps since the last drain: its first `pending` entries. */
  protected losses: tf.Tensor1D;
  protected pending = 0;
  /** The gradient and loss of the micro-batches accumulated since the last step, if any. */
  private accumulated: { gradient: tf.Tensor1D; loss: tf.Scalar } | null = null;

  constructor(init: EngineInit) {
    const { layout, state } = init;
    if (state.params.length !== layout.paramCount)
      throw new Error(`expected ${layout.paramCount} parameters, got ${state.params.length}`);
    const slots = state.slots.length
      ? state.slots
      : new Float32Array(slotCount(init.optimizer) * layout.paramCount);
    this.layout = layout;
    this.data = init.data;
    const initial = tf.tensor1d(state.params);
    // The variable shares the tensor's data, so dropping the tensor leaves exactly one tensor.
    this.params = tf.variable(initial, true) as tf.Variable<tf.Rank.R1>;
    initial.dispose();
    this.optimizer = createOptimizer(init.optimizer, layout.paramCount, slots, state.steps);
    this.losses = this.emptyLosses();
    this.prepare();
  }

  /** The data goes to the device (188 MB on WebGL). */
  prepare(): void {
    if (this.data.loaded) deviceData(this.data);
  }

  setOrder(order: Int32Array): void {
    this.order?.dispose();
    this.order = tf.tensor1d(order, 'int32');
  }

  step(start: number, size: number, learningRate: number): void {
    const split = deviceData(this.data).train;
    const order = this.requireOrder();
    const next = tf.tidy(() => {
      const idx = tf.slice(order, start, size);
      const x = tf.gather(split.images, idx) as tf.Tensor2D;
      const y = tf.gather(split.oneHot, idx) as tf.Tensor2D;
      const { loss, gradient } = lossAndGradient(this.layout, this.params, x, y);
      this.optimizer.apply(this.params, gradient, learningRate);
      return this.withLoss(loss);
    });
    this.losses.dispose();
    this.losses = next;
    this.pending++;
  }

  accumulate(start: number, size: number, batch: number): void {
    const split = deviceData(this.data).train;
    const order = this.requireOrder();
    const before = this.accumulated;
    this.accumulated = tf.tidy(() => {
      const idx = tf.slice(order, start, size);
      const x = tf.gather(split.images, idx) as tf.Tensor2D;
      const y = tf.gather(split.oneHot, idx) as tf.Tensor2D;
      const { loss, gradient } = lossAndGradient(this.layout, this.params, x, y);
      // The part's mean, weighted by its share of the batch: the parts sum to the batch's mean.
      const share = tf.scalar(size / batch);
      const g = tf.mul(gradient, share) as tf.Tensor1D;
      const l = tf.mul(loss, share) as tf.Scalar;
      return before
        ? {
            gradient: tf.add(before.gradient, g) as tf.Tensor1D,
            loss: tf.add(before.loss, l) as tf.Scalar,
          }
        : { gradient: g, loss: l };
    });
    before?.gradient.dispose();
    before?.loss.dispose();
  }

  applyAccumulated(learningRate: number): void {
    const done = this.accumulated;
    if (!done) return;
    this.accumulated = null;
    const next = tf.tidy(() => {
      this.optimizer.apply(this.params, done.gradient, learningRate);
      return this.withLoss(done.loss);
    });
    done.gradient.dispose();
    done.loss.dispose();
    this.losses.dispose();
    this.losses = next;
    this.pending++;
  }

  discardAccumulated(): void {
    this.accumulated?.gradient.dispose();
    this.accumulated?.loss.dispose();
    this.accumulated = null;
  }

  async drain(withState: boolean): Promise<{ losses: Float32Array; state?: EngineState }> {
    const k = this.pending;
    const steps = this.optimizer.steps;
    const stored = this.losses.shape[0];
    const read = withState ? tf.concat([this.losses, this.params, ...this.optimizer.slots]) : this.losses;
    this.pending = 0;
    try {
      const values = (await read.data()) as Float32Array;
      return {
        losses: values.slice(0, k),
        state: withState ? this.stateFrom(values.subarray(stored), steps) : undefined,
      };
    } finally {
      if (read !== this.losses) read.dispose();
      this.afterDrain();
    }
  }

  async readState(): Promise<EngineState> {
    const steps = this.optimizer.steps;
    const read = tf.concat([this.params, ...this.optimizer.slots]);
    try {
      return this.stateFrom((await read.data()) as Float32Array, steps);
    } finally {
      read.dispose();
    }
  }

  setState(state: EngineState): void {
    const P = this.layout.paramCount;
    tf.tidy(() => {
      this.params.assign(tf.tensor1d(state.params));
      this.optimizer.slots.forEach((s, i) =>
        s.assign(
          state.slots.length ? tf.tensor1d(state.slots.subarray(i * P, (i + 1) * P)) : tf.zerosLike(s),
        ),
      );
    });
    this.optimizer.steps = state.steps;
  }

  async logits(split: Split, rows?: Int32Array): Promise<Float32Array> {
    const d = deviceData(this.data)[split];
    const count = rows ? rows.length : d.count;
    const rowTensor = rows ? tf.tensor1d(rows, 'int32') : null;
    try {
      return await this.batchedLogits(count, (start, size) =>
        rowTensor
          ? (tf.gather(d.images, tf.slice(rowTensor, start, size)) as tf.Tensor2D)
          : (tf.slice(d.images, [start, 0], [size, -1]) as tf.Tensor2D),
      );
    } finally {
      rowTensor?.dispose();
    }
  }

  async logitsOf(images: Float32Array, k: number): Promise<Float32Array> {
    if (images.length !== k * IMAGE_SIZE) throw new Error(`expected ${k} images of ${IMAGE_SIZE} pixels`);
    return this.batchedLogits(k, (start, size) =>
      tf.tensor2d(images.subarray(start * IMAGE_SIZE, (start + size) * IMAGE_SIZE), [size, IMAGE_SIZE]),
    );
  }

  dispose(): void {
    this.discardAccumulated();
    this.losses.dispose();
    this.order?.dispose();
    this.order = null;
    this.optimizer.dispose();
    this.params.dispose();
  }

  /** The loss store with `loss` as the step `pending`'s (inside a tidy). */
  protected withLoss(loss: tf.Scalar): tf.Tensor1D {
    return tf.concat([this.losses, tf.reshape(loss, [1])]) as tf.Tensor1D;
  }

  /** The loss store a drain starts again from (the WebGL engine keeps its fixed buffer instead). */
  protected emptyLosses(): tf.Tensor1D {
    return tf.zeros([0]);
  }

  protected afterDrain(): void {
    this.losses.dispose();
    this.losses = this.emptyLosses();
  }

  protected requireOrder(): tf.Tensor1D {
    if (!this.order) throw new Error('setOrder must come before the first step');
    return this.order;
  }

  /**
   * Logits [count, 10] of `batch(start, size)`'s images, in evaluation batches. On the CPU
   * backends a batch runs synchronously (a CNN's: ~100 ms on WebAssembly), so the worker yields
   * between batches to keep answering; on WebGL the batches are queued and read back together.
   */
  private async batchedLogits(
    count: number,
    batch: (start: number, size: number) => tf.Tensor2D,
  ): Promise<Float32Array> {
    const out = new Float32Array(count * NUM_CLASSES);
    const B = evalBatch(this.layout);
    const queue = tf.getBackend() === 'webgl';
    const parts: { start: number; logits: tf.Tensor2D }[] = [];
    try {
      for (let start = 0; start < count; start += B) {
        // A tidy per batch frees its activations before the next batch runs.
        const logits = tf.tidy(() =>
          forward(this.layout, unpack(this.params, this.layout), batch(start, Math.min(B, count - start))),
        );
        parts.push({ start, logits });
        if (!queue) {
          await this.readInto(out, parts);
          await yieldToEventLoop();
        }
      }
      await this.readInto(out, parts);
      return out;
    } finally {
      for (const p of parts) p.logits.dispose();
    }
  }

  /** Reads `parts` into `out` at their rows, releasing and forgetting them. */
  private async readInto(out: Float32Array, parts: { start: number; logits: tf.Tensor2D }[]): Promise<void> {
    while (parts.length) {
      const { start, logits } = parts[0];
      out.set(await logits.data(), start * NUM_CLASSES);
      logits.dispose();
      parts.shift();
    }
  }

  private stateFrom(values: Float32Array, steps: number): EngineState {
    const P = this.layout.paramCount;
    return { params: values.slice(0, P), slots: values.slice(P), steps };
  }
}

export function createTfjsEngine(init: EngineInit): Engine {
  return new TfjsEngine(init);
}
