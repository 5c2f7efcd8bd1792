/**
 * The stock TensorFlow.js way to train an MLP: a tf.sequential of dense layers and
 * optimizer.minimize, built from the same flat parameters (engines/layout.ts). The benchmark's
 * yardstick: what a tfjs user would write.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlpLayout } from '../../engines/layout';
import { ADAM, MOMENTUM, RMSPROP } from '../../engines/optimizer';
import type { OptimizerName } from '../../shared/config';

/** A layers model with the weights in `values` (flat, layout.ts). Dispose with model.dispose(). */
export function buildStockModel(layout: MlpLayout, values: Float32Array): tf.Sequential {
  const model = tf.sequential();
  layout.layers.forEach((l, i) => {
    model.add(
      tf.layers.dense({
        units: l.outputs,
        activation: i === layout.layers.length - 1 ? 'linear' : 'relu',
        inputShape: i === 0 ? [l.inputs] : undefined,
      }),
    );
  });
  const weights = layout.layers.flatMap((l) => [
    tf.tensor2d(values.subarray(l.weightOffset, l.biasOffset), [l.inputs, l.outputs]),
    tf.tensor1d(values.subarray(l.biasOffset, l.biasOffset + l.outputs)),
  ]);
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/**
 * tf.train's nearest equivalent of our optimizer. Adam, SGD and momentum match PyTorch exactly;
 * tf's RMSprop puts epsilon inside the square root, so only those three are compared.
 */
export function stockOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, MOMENTUM);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, RMSPROP.alpha, 0, RMSPROP.epsilon);
    default: {
      const _exhaustive: never = name;
      throw new Error(`unknown optimizer ${String(_exhaustive)}`);
    }
  }
}

/**
 * One stock training step: x [B, 784] float32, oneHot [B, 10] float32 (both the caller's).
 * Returns the batch's mean loss, a scalar the caller disposes.
 */
export function stockStep(
  model: tf.Sequential,
  optimizer: tf.Optimizer,
  x: tf.Tensor2D,
  oneHot: tf.Tensor2D,
): tf.Scalar {
  return optimizer.minimize(
    () => tf.losses.softmaxCrossEntropy(oneHot, model.apply(x) as tf.Tensor2D) as tf.Scalar,
    true,
  )!;
}
