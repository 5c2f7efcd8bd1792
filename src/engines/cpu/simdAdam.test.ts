import { describe, expect, it, vi } from 'vitest';
import { initialParams, netLayout } from '../layout';
import { createCpuOptimizer, createCpuTrainable } from './optimizers';
import { simdAdamOn, TINY_MOMENT } from './simdAdam';

describe('Adam as a WebAssembly SIMD loop', () => {
  it('runs here (Node has WebAssembly SIMD), and the CPU engine uses it for Adam', () => {
    const layout = netLayout({ kind: 'mlp', hidden: [64, 64, 64] });
    const params = initialParams(layout, 0);
    const model = createCpuTrainable('adam', { params, slots: new Float32Array(0), steps: 0 }, layout.dense);
    expect(model.dense).not.toBeNull();
    // Weights, gradient and Adam's state are views into the SIMD kernels' memory.
    expect(model.gradient.buffer).toBe(model.params.buffer);
    expect(model.optimizer.slots[0].buffer).toBe(model.params.buffer);
    expect(model.params).toEqual(params);
    // And the step's update is the SIMD loop, not the JavaScript one on other views of that memory.
    const apply = vi.spyOn(model.dense!.adam!, 'apply');
    model.gradient.fill(1e-3);
    model.optimizer.apply(model.params, model.gradient, 0.001);
    expect(apply).toHaveBeenCalledTimes(1);
    expect(model.params[0]).toBeCloseTo(params[0] - 0.001, 6);
    expect(model.gradient.every((g) => g === 0)).toBe(true);
  });

  it('keeps no moments for another optimizer, and updates in JavaScript there', () => {
    const layout = netLayout({ kind: 'mlp', hidden: [64] });
    const params = initialParams(layout, 0);
    const model = createCpuTrainable('sgd', { params, slots: new Float32Array(0), steps: 0 }, layout.dense);
    expect(model.dense).not.toBeNull();
    expect(model.dense!.adam).toBeNull();
    model.gradient.fill(1);
    model.optimizer.apply(model.params, model.gradient, 0.5);
    expect(model.params[3]).toBeCloseTo(params[3] - 0.5, 6);
  });

  it('updates like the JavaScript loop for 30 steps, the tail past a multiple of four included', () => {
    const n = 1_003;
    const simd = simdAdamOn(new WebAssembly.Memory({ initial: 1 }), 0, n)!;
    const plain = createCpuOptimizer('adam', n);
    const vectorized = createCpuOptimizer('adam', n, undefined, 0, simd);
    const params = new Float32Array(n).map((_, i) => Math.sin(i));
    const gradient = new Float32Array(n);
    simd.params.set(params);
    let seed = 1;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.1;
    for (let step = 0; step < 30; step++) {
      for (let i = 0; i < n; i++) simd.gradient[i] = gradient[i] = noise() * (i % 7 === 0 ? 0 : 1);
      plain.apply(params, gradient, 0.01);
      vectorized.apply(simd.params, simd.gradient, 0.01);
    }
    let maxDiff = 0;
    for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(params[i] - simd.params[i]));
    expect(maxDiff).toBeLessThan(1e-6);
    // It moved the weights (~lr a step), cleared the gradient, and kept m and v as the JS loop did.
    expect(Math.abs(simd.params[1] - Math.sin(1))).toBeGreaterThan(1e-3);
    expect(simd.gradient.every((g) => g === 0)).toBe(true);
    for (let i = 0; i < n; i++) expect(simd.m[i]).toBeCloseTo(plain.slots[0][i], 7);
  });

  it('sets moments below TINY_MOMENT to 0 rather than let them go denormal, and keeps a NaN', () => {
    const simd = simdAdamOn(new WebAssembly.Memory({ initial: 1 }), 0, 8)!;
    simd.gradient.set([1e-3, 0, 0, 0, Number.NaN, 0, 0, 0]);
    simd.apply(0.9, 0.999, 1e-3, 1e-8);
    // 900 steps of a zero gradient: 1e-4 * 0.9^900 would be ~1e-45, a denormal.
    for (let step = 0; step < 900; step++) simd.apply(0.9, 0.999, 1e-3, 1e-8);
    expect(simd.m[0]).toBe(0);
    expect(simd.v[0]).toBeGreaterThan(TINY_MOMENT); // 1e-9 * 0.999^900: still far above it
    expect(Number.isNaN(simd.m[4])).toBe(true);
    expect(Number.isNaN(simd.params[4])).toBe(true);
    for (const x of [...simd.m, ...simd.v])
      expect(x === 0 || Math.abs(x) >= TINY_MOMENT || Number.isNaN(x)).toBe(true);
  });
});
