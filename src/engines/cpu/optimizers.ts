/**
 * The optimizers (../optimizer.ts) on Float32Arrays: each update is ONE loop over the parameters
 * that reads the gradient, clears it for the next step, updates the state and the parameter.
 * Adam runs as a WebAssembly SIMD loop (simdAdam.ts) where WebAssembly SIMD compiles.
 */
import type { OptimizerName } from '../../shared/config';
import type { EngineState } from '../engine';
import type { MlpLayout } from '../layout';
import { ADAM, MOMENTUM, RMSPROP, slotCount, updateScalars } from '../optimizer';
import type { SimdAdam } from './simdAdam';
import { SimdDense } from './simdDense';

export interface CpuOptimizer {
  readonly name: OptimizerName;
  /** State vectors, [paramCount] float32 each, in optimizer.ts's order (snapshots rely on it). */
  readonly slots: Float32Array[];
  /** Updates applied so far (Adam's bias correction needs it). */
  steps: number;
  /** Updates params in place from gradient (same length), and zeroes the gradient. */
  apply(params: Float32Array, gradient: Float32Array, learningRate: number): void;
}

/** What a CPU model trains: its weights, its gradient and its optimizer. */
export interface CpuTrainable {
  params: Float32Array;
  /** All zeros between steps: the optimizer clears it as it consumes it. */
  gradient: Float32Array;
  optimizer: CpuOptimizer;
  /** The dense layers' SIMD kernels, whose memory holds params and gradient; null: mlp.ts's loops. */
  dense: SimdDense | null;
}

/**
 * Weights, gradient and optimizer for `name`, started from `state` (copied), for a model whose
 * dense layers are `layout`. Where WebAssembly SIMD runs, the weights, the gradient and Adam's m
 * and v live in the dense kernels' memory (simdDense.ts), so a step and Adam's update run there
 * and nothing is copied per step.
 */
export function createCpuTrainable(name: OptimizerName, state: EngineState, layout: MlpLayout): CpuTrainable {
  const n = state.params.length;
  const dense = SimdDense.create(layout, name === 'adam');
  const params = dense?.params ?? new Float32Array(n);
  params.set(state.params);
  const gradient = dense?.gradient ?? new Float32Array(n);
  const simdAdam = dense?.adam ?? null;
  return {
    params,
    gradient,
    dense,
    optimizer: createCpuOptimizer(name, n, state.slots, state.steps, simdAdam),
  };
}

/**
 * A fresh optimizer for `paramCount` parameters, its state copied from `state` (slotCount(name) *
 * paramCount floats, slot after slot; zeros when empty). With `simd` (Adam only), its m and v are
 * the slots, and apply runs there for its params and gradient.
 */
export function createCpuOptimizer(
  name: OptimizerName,
  paramCount: number,
  state: Float32Array = new Float32Array(0),
  steps = 0,
  simd: SimdAdam | null = null,
): CpuOptimizer {
  const slots = simd
    ? [simd.m, simd.v]
    : Array.from({ length: slotCount(name) }, () => new Float32Array(paramCount));
  if (state.length) slots.forEach((s, i) => s.set(state.subarray(i * paramCount, (i + 1) * paramCount)));
  const optimizer: CpuOptimizer = {
    name,
    slots,
    steps,
    apply(p, g, lr) {
      optimizer.steps++;
      const { rate, eps } = updateScalars(name, lr, optimizer.steps);
      const n = p.length;
      switch (name) {
        case 'sgd':
          for (let i = 0; i < n; i++) {
            p[i] -= rate * g[i];
            g[i] = 0;
          }
          return;
        case 'momentum': {
          const [buf] = slots;
          for (let i = 0; i < n; i++) {
            const next = MOMENTUM * buf[i] + g[i];
            buf[i] = next;
            p[i] -= rate * next;
            g[i] = 0;
          }
          return;
        }
        case 'rmsprop': {
          const [sq] = slots;
          const { alpha } = RMSPROP;
          for (let i = 0; i < n; i++) {
            const gi = g[i];
            const s = alpha * sq[i] + (1 - alpha) * gi * gi;
            sq[i] = s;
            p[i] -= (rate * gi) / (Math.sqrt(s) + eps);
            g[i] = 0;
          }
          return;
        }
        case 'adam': {
          const [m, v] = slots;
          const { beta1, beta2 } = ADAM;
          if (simd && p === simd.params && g === simd.gradient) {
            simd.apply(beta1, beta2, rate, eps);
            return;
          }
          for (let i = 0; i < n; i++) {
            const gi = g[i];
            const mi = beta1 * m[i] + (1 - beta1) * gi;
            const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= (rate * mi) / (Math.sqrt(vi) + eps);
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

/** The optimizer's slots, slot after slot, in one new array (EngineState.slots). */
export function packSlots(optimizer: CpuOptimizer): Float32Array {
  const n = optimizer.slots[0]?.length ?? 0;
  const out = new Float32Array(n * optimizer.slots.length);
  optimizer.slots.forEach((s, i) => out.set(s, i * n));
  return out;
}
