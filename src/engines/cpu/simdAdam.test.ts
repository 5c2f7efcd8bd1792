import { describe, expect, it } from 'vitest';
import { createCpuOptimizer, createCpuTrainable } from './optimizers';
import { createSimdAdam } from './simdAdam';

describe('Adam as a WebAssembly SIMD loop', () => {
  it('runs here (Node has WebAssembly SIMD), and the js engine uses it for Adam', () => {
    const simd = createSimdAdam(10);
    expect(simd).not.toBeNull();
    const model = createCpuTrainable('adam', {
      params: new Float32Array(1000),
      slots: new Float32Array(0),
      steps: 0,
    });
    // Weights and gradient are views into the SIMD module's memory.
    expect(model.gradient.buffer).toBe(model.params.buffer);
  });

  it('updates like the JavaScript loop for 30 steps, the tail past a multiple of four included', () => {
    const n = 1_003;
    const simd = createSimdAdam(n)!;
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
});
