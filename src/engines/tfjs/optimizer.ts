/**
 * The optimizers (../optimizer.ts) as TensorFlow.js ops on the one flat parameter variable: every
 * update is a handful of element-wise ops over all parameters at once.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../shared/config';
import { ADAM, MOMENTUM, RMSPROP, slotCount, updateScalars } from '../optimizer';

export interface FlatOptimizer {
  readonly name: OptimizerName;
  /** State variables, [paramCount] float32 each, in optimizer.ts's order (snapshots rely on it). */
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

/**
 * An optimizer for `paramCount` parameters, its state taken from `state` (slotCount(name) *
 * paramCount floats, slot after slot; zeros for a fresh run).
 */
export function createOptimizer(
  name: OptimizerName,
  paramCount: number,
  state: Float32Array,
  steps: number,
): FlatOptimizer {
  const slots = Array.from({ length: slotCount(name) }, (_, i) => {
    const initial = tf.tensor1d(state.subarray(i * paramCount, (i + 1) * paramCount));
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
      const { rate, eps } = updateScalars(name, lr, optimizer.steps);
      const step = (direction: tf.Tensor) =>
        params.assign(tf.sub(params, tf.mul(direction, rate)) as tf.Tensor1D);
      switch (name) {
        case 'sgd':
          return step(g);
        case 'momentum': {
          const [buf] = slots;
          buf.assign(tf.add(tf.mul(buf, MOMENTUM), g) as tf.Tensor1D);
          return step(buf);
        }
        case 'rmsprop': {
          const [sq] = slots;
          sq.assign(
            tf.add(tf.mul(sq, RMSPROP.alpha), tf.mul(tf.square(g), 1 - RMSPROP.alpha)) as tf.Tensor1D,
          );
          return step(tf.div(g, tf.add(tf.sqrt(sq), eps)));
        }
        case 'adam': {
          const [m, v] = slots;
          m.assign(tf.add(tf.mul(m, ADAM.beta1), tf.mul(g, 1 - ADAM.beta1)) as tf.Tensor1D);
          v.assign(tf.add(tf.mul(v, ADAM.beta2), tf.mul(tf.square(g), 1 - ADAM.beta2)) as tf.Tensor1D);
          return step(tf.div(m, tf.add(tf.sqrt(v), eps)));
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
