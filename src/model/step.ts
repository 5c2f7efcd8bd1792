/**
 * One training step and whole-set evaluation, on tensors already on the device.
 */
import * as tf from '@tensorflow/tfjs';
import type { DeviceSplit } from './dataset';
import { lossAndGradient, mlpLogits, type Mlp } from './mlp';
import type { FlatOptimizer } from './optimizers';

/** Evaluation runs in batches this big: large enough to be few kernels, small enough for memory. */
export const EVAL_BATCH = 2000;

/**
 * Gathers the batch order[start, start + size) from `split` on the device, takes one optimizer
 * step and returns `losses` ([k] float32, the chunk's losses so far) with this batch's mean loss
 * appended: a new [k + 1] tensor the caller owns; the caller disposes the old `losses`.
 * Appending keeps one loss tensor alive, so numTensors is the same after every batch.
 * order: [count] int32, the epoch's shuffle. Nothing is read back to the CPU.
 */
export function trainStep(
  model: Mlp,
  optimizer: FlatOptimizer,
  split: DeviceSplit,
  order: tf.Tensor1D,
  start: number,
  size: number,
  learningRate: number,
  losses: tf.Tensor1D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const idx = tf.slice(order, start, size);
    const x = tf.gather(split.images, idx) as tf.Tensor2D;
    const y = tf.gather(split.oneHot, idx) as tf.Tensor2D;
    const { loss, gradient } = lossAndGradient(model.params, model.layout, x, y);
    optimizer.apply(model.params, gradient, learningRate);
    return tf.concat([losses, tf.reshape(loss, [1])]);
  });
}

export interface Evaluation {
  accuracy: number;
  /** Mean softmax cross-entropy. */
  loss: number;
  count: number;
}

/**
 * Accuracy and mean loss of the model on `split` (or on its rows `indices`, [n] int32), in
 * batches of EVAL_BATCH, summed on the device and read back once. Leaves no tensors behind.
 */
export async function evaluateSplit(
  model: Mlp,
  split: DeviceSplit,
  indices?: tf.Tensor1D,
): Promise<Evaluation> {
  const count = indices ? indices.shape[0] : split.count;
  if (count === 0) return { accuracy: 0, loss: 0, count };
  const totals = tf.tidy(() => {
    let sums: tf.Tensor = tf.zeros([2]);
    for (let start = 0; start < count; start += EVAL_BATCH) {
      const size = Math.min(EVAL_BATCH, count - start);
      // A tidy per batch frees its activations before the next batch is gathered.
      const batchSums = tf.tidy(() => {
        const rows = indices ? tf.slice(indices, start, size) : null;
        const x = (
          rows ? tf.gather(split.images, rows) : tf.slice(split.images, [start, 0], [size, -1])
        ) as tf.Tensor2D;
        const y = (
          rows ? tf.gather(split.oneHot, rows) : tf.slice(split.oneHot, [start, 0], [size, -1])
        ) as tf.Tensor2D;
        const logits = mlpLogits(model.params, model.layout, x);
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'));
        const lossSum = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), y)));
        return tf.stack([hits, lossSum]);
      });
      sums = tf.add(sums, batchSums);
    }
    return sums;
  });
  const [correct, lossSum] = await totals.data();
  totals.dispose();
  return { accuracy: correct / count, loss: lossSum / count, count };
}

/**
 * Class probabilities for images x: [k, 784] float32 0..1 (the caller's). Returns [k, 10]
 * float32 probabilities; the caller disposes it.
 */
export function predictProbabilities(model: Mlp, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(mlpLogits(model.params, model.layout, x)));
}
