/**
 * The CPU engine: the project's own loops on Float32Arrays, no tfjs kernels (an MLP: mlp.ts; a
 * CNN: cnn.ts, conv stages in front of the same dense layers), the optimizer's update as one loop
 * (Adam's in WebAssembly SIMD). The weights are the live model: predict during a run sees them.
 */
import { NUM_CLASSES } from '../../shared/mnist';
import type { EngineName } from '../../shared/protocol';
import { yieldToEventLoop } from '../../shared/yield';
import type { ResidentData, Split } from '../data';
import type { Engine, EngineInit, EngineState } from '../engine';
import type { NetLayout } from '../layout';
import { CpuCnn } from './cnn';
import { CpuMlp } from './mlp';
import { createCpuTrainable, packSlots, type CpuTrainable } from './optimizers';
import type { CpuNetwork } from './network';
import { sparseData, sparseFromFloats } from './sparseImages';

/**
 * An MLP reads the images as their nonzero pixels (sparseImages.ts), in WebAssembly SIMD where it
 * runs (simdDense.ts), else in mlp.ts's loops.
 */
function mlpNetwork(layout: NetLayout, t: CpuTrainable, data: ResidentData): CpuNetwork {
  const mlp = t.dense ?? new CpuMlp(layout.dense, t.params, t.gradient);
  return {
    lossAndGradient: (order, start, size, batch) =>
      mlp.lossAndGradient(sparseData(data).train, data.require().train.labels, order, start, size, batch),
    logits: (split, rows) => {
      const images = sparseData(data)[split];
      return mlp.logits(images, rows, rows ? rows.length : images.count);
    },
    logitsOf: (images, k) => mlp.logits(sparseFromFloats(images, k), null, k),
  };
}

/** Images evaluated between yields (at most, and never longer than YIELD_MS without one). */
const LOGITS_CHUNK = 512;
const YIELD_MS = 20;

export class CpuEngine implements Engine {
  readonly name: EngineName = 'cpu';
  readonly layout: NetLayout;
  private readonly trainable: CpuTrainable;
  private readonly network: CpuNetwork;
  private readonly data: ResidentData;
  private order: Int32Array = new Int32Array(0);
  private losses: number[] = [];
  /** The loss of the micro-batches accumulated since the last step (accumulate). */
  private accumulatedLoss = 0;

  constructor(init: EngineInit) {
    const { layout, state, data } = init;
    if (state.params.length !== layout.paramCount)
      throw new Error(`expected ${layout.paramCount} parameters, got ${state.params.length}`);
    this.layout = layout;
    this.trainable = createCpuTrainable(init.optimizer, state, layout.dense);
    this.network = layout.convs.length
      ? new CpuCnn(layout, this.trainable, data)
      : mlpNetwork(layout, this.trainable, data);
    this.data = data;
    this.prepare();
  }

  /** An MLP's sparse copy of the data (~0.2 s); a CNN reads the images as they are. */
  prepare(): void {
    if (this.data.loaded && this.layout.convs.length === 0) sparseData(this.data);
  }

  setOrder(order: Int32Array): void {
    this.order = order;
  }

  step(start: number, size: number, learningRate: number): void {
    const { params, gradient, optimizer } = this.trainable;
    this.losses.push(this.network.lossAndGradient(this.order, start, size));
    optimizer.apply(params, gradient, learningRate);
  }

  accumulate(start: number, size: number, batch: number): void {
    this.accumulatedLoss += this.network.lossAndGradient(this.order, start, size, batch);
  }

  applyAccumulated(learningRate: number): void {
    const { params, gradient, optimizer } = this.trainable;
    this.losses.push(this.accumulatedLoss);
    this.accumulatedLoss = 0;
    optimizer.apply(params, gradient, learningRate);
  }

  discardAccumulated(): void {
    this.accumulatedLoss = 0;
    this.trainable.gradient.fill(0);
  }

  async drain(withState: boolean): Promise<{ losses: Float32Array; state?: EngineState }> {
    const losses = Float32Array.from(this.losses);
    this.losses = [];
    return { losses, state: withState ? this.copyState() : undefined };
  }

  async readState(): Promise<EngineState> {
    return this.copyState();
  }

  setState(state: EngineState): void {
    const { params, gradient, optimizer } = this.trainable;
    params.set(state.params);
    gradient.fill(0);
    const P = params.length;
    optimizer.slots.forEach((s, i) =>
      state.slots.length ? s.set(state.slots.subarray(i * P, (i + 1) * P)) : s.fill(0),
    );
    optimizer.steps = state.steps;
  }

  /**
   * In chunks, yielding between them: a CNN's forward pass over 10,000 images takes seconds, and
   * the worker must keep answering meanwhile.
   */
  async logits(split: Split, rows?: Int32Array): Promise<Float32Array> {
    const count = rows ? rows.length : this.data.require()[split].count;
    const out = new Float32Array(count * NUM_CLASSES);
    let last = performance.now();
    for (let start = 0; start < count; start += LOGITS_CHUNK) {
      const end = Math.min(count, start + LOGITS_CHUNK);
      const chunk = rows
        ? rows.subarray(start, end)
        : Int32Array.from({ length: end - start }, (_, i) => start + i);
      out.set(this.network.logits(split, chunk), start * NUM_CLASSES);
      if (performance.now() - last > YIELD_MS) {
        await yieldToEventLoop();
        last = performance.now();
      }
    }
    return out;
  }

  async logitsOf(images: Float32Array, k: number): Promise<Float32Array> {
    return this.network.logitsOf(images, k);
  }

  dispose(): void {}

  private copyState(): EngineState {
    const { params, optimizer } = this.trainable;
    return { params: params.slice(), slots: packSlots(optimizer), steps: optimizer.steps };
  }
}
