/**
 * optimizers.ts's optimizers (same formulas, same defaults: PyTorch's) on Float32Arrays: each
 * update is ONE loop over the parameters that reads the gradient, clears it for the next step,
 * updates the state and the parameter. Adam's bias corrections are two scalars per step.
 */
import type { OptimizerName } from '../protocol/messages';
import type { MlpLayout } from './mlp';
import { CpuMlp } from './cpuMlp';
import { ADAM, MOMENTUM, RMSPROP, slotCount } from './optimizers';
import { createSimdAdam, type SimdAdam } from './simdAdam';

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
 * A model with weights `values` (copied) and its optimizer, state zeroed or taken from `state`.
 * With Adam where WebAssembly SIMD runs, the weights, gradient and state live in the SIMD
 * update's memory (simdAdam.ts), so the update runs there.
 */
export function createCpuTrainer(
  layout: MlpLayout,
  values: Float32Array,
  name: OptimizerName,
  state?: Float32Array,
  steps = 0,
): { model: CpuMlp; optimizer: CpuOptimizer } {
  const simd = name === 'adam' ? createSimdAdam(layout.paramCount) : null;
  const params = simd?.params ?? new Float32Array(layout.paramCount);
  params.set(values);
  const model = new CpuMlp(layout, params, simd?.gradient);
  return { model, optimizer: createCpuOptimizer(name, layout.paramCount, state, steps, simd) };
}

/**
 * A fresh optimizer for `paramCount` parameters, its state zeroed, or copied from `state`
 * (slotCount(name) * paramCount floats, slot after slot) when resuming from a snapshot. With
 * `simd` (Adam only), its m and v are the slots, and apply runs there for its params and gradient.
 */
export function createCpuOptimizer(
  name: OptimizerName,
  paramCount: number,
  state?: Float32Array,
  steps = 0,
  simd: SimdAdam | null = null,
): CpuOptimizer {
  const slots = simd
    ? [simd.m, simd.v]
    : Array.from({ length: slotCount(name) }, () => new Float32Array(paramCount));
  if (state) slots.forEach((s, i) => s.set(state.subarray(i * paramCount, (i + 1) * paramCount)));
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
          if (simd && p === simd.params && g === simd.gradient) {
            simd.apply(beta1, beta2, stepSize, epsHat);
            return;
          }
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
