/** What the CPU engine (engine.ts) asks of a network: an MLP (mlp.ts) or a CNN (cnn.ts). */
import type { Split } from '../data';

export interface CpuNetwork {
  /**
   * The loss of training images order[start .. start + size) over `batch` (their mean when it is
   * `size`; a micro-batch's share of its batch's mean when the batch is larger); adds its gradient,
   * likewise scaled, in.
   */
  lossAndGradient(order: Int32Array, start: number, size: number, batch?: number): number;
  /** Logits [n, 10] of `split`'s images rows (all of them when rows is null). */
  logits(split: Split, rows: Int32Array | null): Float32Array;
  /** Logits [k, 10] of k images of 784 floats 0..1. */
  logitsOf(images: Float32Array, k: number): Float32Array;
}
