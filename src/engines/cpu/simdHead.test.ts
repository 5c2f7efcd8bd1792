/**
 * The SIMD head against mlp.ts's loops, the CPU engine's reference for a CNN's dense layers: the
 * same loss, weight and bias gradients and input error, on inputs half zeros (as a pooled ReLU
 * output is), for widths that are and are not multiples of four.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random';
import { initialParams, netLayout } from '../layout';
import { CpuMlp } from './mlp';
import { SimdHead } from './simdHead';

describe('SimdHead', () => {
  it.each([
    ['the series CNN head, 1024 -> 512 -> 10', [32, 5, 64, 5], [512]],
    ['the Small CNN head, 256 -> 10', [8, 5, 16, 5], []],
    ['odd widths, 3 x 3 x 7 -> 13 -> 9 -> 10', [5, 5, 7, 5], [13, 9]],
  ])('matches mlp.ts on %s', (_, [f1, k1, f2, k2], hidden) => {
    const layout = netLayout({
      kind: 'cnn',
      conv: [
        { filters: f1, kernel: k1 },
        { filters: f2, kernel: k2 },
      ],
      hidden,
    }).dense;
    const params = initialParams(
      netLayout({
        kind: 'cnn',
        conv: [
          { filters: f1, kernel: k1 },
          { filters: f2, kernel: k2 },
        ],
        hidden,
      }),
      3,
    );
    const random = mulberry32(9);
    const size = 19;
    const features = layout.sizes[0];
    const x = Float32Array.from({ length: size * features }, () => (random() < 0.5 ? 0 : random()));
    const labels = Uint8Array.from({ length: size }, (_, i) => (i * 7) % 10);
    const order = Int32Array.from({ length: size }, (_, i) => i);

    const reference = new CpuMlp(layout, params);
    reference.loadDense(x, size);
    const refError = new Float32Array(size * features);
    const refLoss = reference.lossAndGradientLoaded(labels, order, 0, size, refError);

    const head = SimdHead.create(layout)!;
    expect(head).not.toBeNull();
    const gradient = new Float32Array(params.length);
    const error = new Float32Array(size * features);
    const loss = head.lossAndGradient(params, gradient, x, size, labels, order, 0, error);

    expect(loss).toBeCloseTo(refLoss, 5);
    const worst = (a: Float32Array, b: Float32Array) =>
      a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]) / (1e-3 + Math.abs(b[i]))), 0);
    const dense = (g: Float32Array) => g.subarray(layout.layers[0].weightOffset);
    expect(worst(dense(gradient), dense(reference.gradient))).toBeLessThan(1e-3);
    expect(worst(error, refError)).toBeLessThan(1e-3);
    // Zero inputs pass no error back.
    x.forEach((v, i) => v === 0 && expect(error[i]).toBe(0));
    // Training happened: the gradient is not all zeros.
    expect(dense(gradient).some((v) => v !== 0)).toBe(true);
  });
});
