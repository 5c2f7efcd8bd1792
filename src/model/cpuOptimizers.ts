/**
 * optimizers.ts's optimizers (same formulas, same defaults: PyTorch's) on Float32Arrays: each
 * update is ONE loop over the parameters that reads the gradient, clears it for the next step,
 * updates the state and the parameter. Adam's bias corrections are two scalars per step.
 */
import type { OptimizerName } from '../protocol/messages';
import { ADAM, MOMENTUM, RMSPROP, slotCount } from './optimizers';

export interface CpuOptimizer {
  readonly name: OptimizerName;
  /** State vectors, [paramCount] float32 each, in optimizers.ts's order (snapshots rely on it). */
  readonly slots: Float32Array[];
  /** Updates applied so far (Adam's bias correction needs it). */
  steps: number;
  /** Updates params in place from gradient (same length), and zeroes the gradient. */
  apply(params: Float32Array, gradient: Float32Array, learningRate: number): void;
}

/**
 * A fresh optimizer for `paramCount` parameters, its state zeroed, or copied from `state`
 * (slotCount(name) * paramCount floats, slot after slot) when resuming from a snapshot.
 */
export function createCpuOptimizer(
  name: OptimizerName,
  paramCount: number,
  state?: Float32Array,
  steps = 0,
): CpuOptimizer {
  const slots = Array.from({ length: slotCount(name) }, (_, i) =>
    state ? state.slice(i * paramCount, (i + 1) * paramCount) : new Float32Array(paramCount),
  );
  const optimizer: CpuOptimizer = {
    name,
    slots,
    steps,
    apply(p, g, lr) {
      optimizer.steps++;
      const n = p.length;
      switch (name) {
        case 'sgd':
          for (let i = 0; i < n; i++) {
            p[i] -= lr * g[i];
            g[i] = 0;
          }
          return;
        case 'momentum': {
          const [buf] = slots;
          for (let i = 0; i < n; i++) {
            const next = MOMENTUM * buf[i] + g[i];
            buf[i] = next;
            p[i] -= lr * next;
            g[i] = 0;
          }
          return;
        }
        case 'rmsprop': {
          const [sq] = slots;
          const { alpha, epsilon } = RMSPROP;
          for (let i = 0; i < n; i++) {
            const gi = g[i];
            const s = alpha * sq[i] + (1 - alpha) * gi * gi;
            sq[i] = s;
            p[i] -= (lr * gi) / (Math.sqrt(s) + epsilon);
            g[i] = 0;
          }
          return;
        }
        case 'adam': {
          const [m, v] = slots;
          const { beta1, beta2, epsilon } = ADAM;
          // As in optimizers.ts: PyTorch's update multiplied through by sqrt(bc2).
          const bc1 = 1 - beta1 ** optimizer.steps;
          const bc2 = 1 - beta2 ** optimizer.steps;
          const stepSize = (lr * Math.sqrt(bc2)) / bc1;
          const epsHat = epsilon * Math.sqrt(bc2);
          for (let i = 0; i < n; i++) {
            const gi = g[i];
            const mi = beta1 * m[i] + (1 - beta1) * gi;
            const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= (stepSize * mi) / (Math.sqrt(vi) + epsHat);
            g[i] = 0;
          }
          return;
        }
        default: {
          const _exhaustive: never = name;
          throw new Error(`unknown optimizer ${String(_exhaustive)}`);
        }
      }
    },
  };
  return optimizer;
}
