/**
 * The WebGL engine: the tfjs engine's model, data and evaluation on tfjs's WebGL 2 backend, with
 * the training step as the hand-written programs of step.ts (18 draws for the tutorial net
 * instead of ~85 kernels). MLPs whose widths are all even (supportsWebglStep).
 */
import * as tf from '@tensorflow/tfjs';
import type { EngineName } from '../../shared/protocol';
import { EngineFailed, type EngineInit } from '../engine';
import { deviceData } from '../tfjs/deviceData';
import { TfjsEngine } from '../tfjs/engine';
import { LOSS_BUFFER, WebglStep } from './step';

export class WebglEngine extends TfjsEngine {
  override readonly name: EngineName = 'webgl';
  private readonly programs: WebglStep;
  /** True once a step has run: a failure after that is the device's, not the programs'. */
  private proven = false;

  constructor(init: EngineInit) {
    super(init);
    this.programs = new WebglStep(init.layout.dense, init.optimizer, init.fault);
  }

  /** The programs write each loss at its position in a fixed buffer (doubled when full). */
  protected override emptyLosses(): tf.Tensor1D {
    return tf.zeros([LOSS_BUFFER]);
  }

  /** The buffer is reused: positions past `pending` are ignored. */
  protected override afterDrain(): void {}

  /**
   * A step trained in micro-batches (the tfjs engine's ops: the programs take whole batches)
   * writes its loss at its position in the buffer, doubled when full, as the programs do.
   */
  protected override withLoss(loss: tf.Scalar): tf.Tensor1D {
    const n = this.losses.shape[0];
    const buffer = this.pending < n ? this.losses : tf.concat([this.losses, tf.zeros([n])]);
    const at = this.pending;
    return tf.concat([
      tf.slice(buffer, 0, at),
      tf.reshape(loss, [1]),
      tf.slice(buffer, at + 1, buffer.shape[0] - at - 1),
    ]) as tf.Tensor1D;
  }

  override step(start: number, size: number, learningRate: number): void {
    let next: tf.Tensor1D;
    try {
      next = this.programs.step(
        this.params,
        this.optimizer,
        deviceData(this.data).train,
        this.requireOrder(),
        start,
        size,
        learningRate,
        this.losses,
        this.pending,
      );
    } catch (e) {
      // Nothing changed (the step updates state only after every program ran). A driver that
      // rejects a shader fails here on the first step: the worker moves to the tfjs engine.
      if (!this.proven) throw new EngineFailed(`the WebGL programs failed here (${(e as Error).message})`);
      throw e;
    }
    this.proven = true;
    this.losses.dispose();
    this.losses = next;
    this.pending++;
  }
}
