/**
 * Optimizers on one flat parameter vector (see mlp.ts): every update is a few element-wise ops
 * over all parameters at once. Formulas and defaults follow PyTorch's torch.optim, which the
 * tutorial uses: Adam (0.9, 0.999, eps 1e-8), SGD, SGD with momentum 0.9 (no dampening),
 * RMSprop (alpha 0.99, eps 1e-8, eps outside the square root).
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../protocol/messages';

export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;
export const MOMENTUM = 0.9;
export const RMSPROP = { alpha: 0.99, epsilon: 1e-8 } as const;

export interface FlatOptimizer {
  readonly name: OptimizerName;
  /** State variables, [paramCount] float32 each, in a fixed order (snapshots rely on it). */
  readonly slots: tf.Variable<tf.Rank.R1>[];
  /** Updates applied so far (Adam's bias correction needs it). */
  steps: number;
  /**
   * Updates `params` in place from `gradient` ([paramCount] float32, owned by the caller).
   * Call inside a tidy: the intermediates are released by it; the variables keep their new values.
   */
  apply(params: tf.Variable<tf.Rank.R1>, gradient: tf.Tensor1D, learningRate: number): void;
  /** Releases the slots. */
  dispose(): void;
}

/** The number of state vectors each optimizer keeps. */
export function slotCount(name: OptimizerName): number {
  switch (name) {
    case 'sgd':
      return 0;
    case 'momentum':
    case 'rmsprop':
      return 1;
    case 'adam':
      return 2;
    default: {
      const _exhaustive: never = name;
      return _exhaustive;
    }
  }
}

/**
 * A fresh optimizer for `paramCount` parameters, its state zeroed, or taken from `state`
 * (slotCount(name) * paramCount floats, slot after slot) when resuming from a snapshot.
 */
export function createOptimizer(
  name: OptimizerName,
  paramCount: number,
  state?: Float32Array,
  steps = 0,
): FlatOptimizer {
  const slots = Array.from({ length: slotCount(name) }, (_, i) => {
    const initial = state
      ? tf.tensor1d(state.subarray(i * paramCount, (i + 1) * paramCount))
      : tf.zeros([paramCount]);
    const slot = tf.variable(initial, false) as tf.Variable<tf.Rank.R1>;
    initial.dispose();
    return slot;
  });
  const optimizer: FlatOptimizer = {
    name,
    slots,
    steps,
    apply(params, g, lr) {
      optimizer.steps++;
      switch (name) {
        case 'sgd':
          params.assign(tf.sub(params, tf.mul(g, lr)) as tf.Tensor1D);
          return;
        case 'momentum': {
          const [buf] = slots;
          const next = tf.add(tf.mul(buf, MOMENTUM), g) as tf.Tensor1D;
          buf.assign(next);
          params.assign(tf.sub(params, tf.mul(next, lr)) as tf.Tensor1D);
          return;
        }
        case 'rmsprop': {
          const [sq] = slots;
          const nextSq = tf.add(
            tf.mul(sq, RMSPROP.alpha),
            tf.mul(tf.square(g), 1 - RMSPROP.alpha),
          ) as tf.Tensor1D;
          sq.assign(nextSq);
          params.assign(
            tf.sub(params, tf.div(tf.mul(g, lr), tf.add(tf.sqrt(nextSq), RMSPROP.epsilon))) as tf.Tensor1D,
          );
          return;
        }
        case 'adam': {
          const [m, v] = slots;
          const { beta1, beta2, epsilon } = ADAM;
          const nextM = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)) as tf.Tensor1D;
          const nextV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)) as tf.Tensor1D;
          m.assign(nextM);
          v.assign(nextV);
          // PyTorch's lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps), multiplied through by sqrt(bc2)
          // so the bias corrections become two scalars computed here instead of two more
          // full-length ops on the device.
          const bc1 = 1 - beta1 ** optimizer.steps;
          const bc2 = 1 - beta2 ** optimizer.steps;
          const stepSize = (lr * Math.sqrt(bc2)) / bc1;
          const epsHat = epsilon * Math.sqrt(bc2);
          params.assign(
            tf.sub(params, tf.mul(tf.div(nextM, tf.add(tf.sqrt(nextV), epsHat)), stepSize)) as tf.Tensor1D,
          );
          return;
        }
        default: {
          const _exhaustive: never = name;
          throw new Error(`unknown optimizer ${String(_exhaustive)}`);
        }
      }
    },
    dispose() {
      for (const s of slots) s.dispose();
    },
  };
  return optimizer;
}
