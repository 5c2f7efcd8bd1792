/**
 * The optimizers, as PyTorch's torch.optim defines them (the tutorial uses Adam): their constants,
 * their state and the scalars each step computes once, for every engine. Each engine writes the
 * element-wise update in its own language (tfjs ops, GLSL, CPU loops); reference/optimizers.ts
 * writes it as PyTorch's documentation does, and the conformance test holds the others to it.
 * Adam (0.9, 0.999, eps 1e-8), SGD, SGD with momentum 0.9 (no dampening), RMSprop (alpha 0.99,
 * eps 1e-8 outside the square root).
 */
import type { OptimizerName } from '../shared/config';

export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;
export const MOMENTUM = 0.9;
export const RMSPROP = { alpha: 0.99, epsilon: 1e-8 } as const;

/** The number of state vectors ([paramCount] each) the optimizer keeps. */
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
 * The two scalars of step `step` (counted from 1) that the element-wise updates use:
 * - adam: p -= rate * m / (sqrt(v) + eps), which is PyTorch's lr / bc1 * m / (sqrt(v) / sqrt(bc2)
 *   + epsilon) multiplied through by sqrt(bc2): the bias corrections become these two scalars
 *   instead of two more full-length operations;
 * - rmsprop: p -= rate * g / (sqrt(s) + eps);
 * - sgd and momentum: p -= rate * (g or the momentum buffer); eps unused.
 */
export function updateScalars(name: OptimizerName, lr: number, step: number): { rate: number; eps: number } {
  if (name === 'adam') {
    const bc1 = 1 - ADAM.beta1 ** step;
    const bc2 = 1 - ADAM.beta2 ** step;
    return { rate: (lr * Math.sqrt(bc2)) / bc1, eps: ADAM.epsilon * Math.sqrt(bc2) };
  }
  return { rate: lr, eps: name === 'rmsprop' ? RMSPROP.epsilon : 0 };
}
