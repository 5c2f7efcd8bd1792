/**
 * The optimizers as PyTorch's documentation writes them (torch.optim, default arguments), in
 * float64: the reference the engines' updates are held to. Adam's bias corrections are applied
 * as written (m / bc1, v / bc2), not folded into two scalars as ../optimizer.ts folds them.
 */
import type { OptimizerName } from '../../shared/config';
import { ADAM, MOMENTUM, RMSPROP, slotCount } from '../optimizer';

export interface ReferenceOptimizer {
  /** One update of `params` in place from `gradient`, at step `step` (from 1). */
  apply(params: Float64Array, gradient: Float64Array, lr: number, step: number): void;
  /** The state vectors, optimizer.ts's order. */
  slots: Float64Array[];
}

export function referenceOptimizer(name: OptimizerName, paramCount: number): ReferenceOptimizer {
  const slots = Array.from({ length: slotCount(name) }, () => new Float64Array(paramCount));
  return {
    slots,
    apply(p, g, lr, step) {
      for (let i = 0; i < p.length; i++) {
        switch (name) {
          case 'sgd':
            p[i] -= lr * g[i];
            break;
          case 'momentum':
            slots[0][i] = MOMENTUM * slots[0][i] + g[i];
            p[i] -= lr * slots[0][i];
            break;
          case 'rmsprop':
            slots[0][i] = RMSPROP.alpha * slots[0][i] + (1 - RMSPROP.alpha) * g[i] * g[i];
            p[i] -= (lr * g[i]) / (Math.sqrt(slots[0][i]) + RMSPROP.epsilon);
            break;
          case 'adam': {
            const { beta1, beta2, epsilon } = ADAM;
            slots[0][i] = beta1 * slots[0][i] + (1 - beta1) * g[i];
            slots[1][i] = beta2 * slots[1][i] + (1 - beta2) * g[i] * g[i];
            const mHat = slots[0][i] / (1 - beta1 ** step);
            const vHat = slots[1][i] / (1 - beta2 ** step);
            p[i] -= (lr * mHat) / (Math.sqrt(vHat) + epsilon);
            break;
          }
          default: {
            const _exhaustive: never = name;
            throw new Error(`unknown optimizer ${String(_exhaustive)}`);
          }
        }
      }
    },
  };
}
