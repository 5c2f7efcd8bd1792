/**
 * The dense layers in WebAssembly SIMD against what they replace: the float64 reference's logits,
 * and mlp.ts's loops (the CPU engine's reference) for the loss, the weight and bias gradients and
 * the input error, for an MLP on real images and for a CNN's head, at widths that are and are not
 * multiples of four, and at a batch larger than the kernels take at once.
 */
import { describe, expect, it } from 'vitest';
import { IMAGE_SIZE, bytesToUnit } from '../../shared/mnist';
import { mulberry32 } from '../../shared/random';
import { loadMnistSubset } from '../../test/fixtures/mnist';
import { initialParams, netLayout } from '../layout';
import { referenceLogits } from '../reference/network';
import { CpuMlp } from './mlp';
import { SimdDense } from './simdDense';
import { sparseFromBytes } from './sparseImages';

const data = loadMnistSubset(600, 0);
const images = sparseFromBytes(data.train.images, 600);

/** The largest |a - b| relative to |b| (plus 1e-3, for entries near zero). */
const worst = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]) / (1e-3 + Math.abs(b[i]))), 0);

describe('SimdDense (dense.wat)', () => {
  // Widths off the kernels' 16- and 4-wide steps too (13 and 7), and the 10 digits' 8 + 2.
  it.each([[[64, 64, 64]], [[13, 7]], [[128]]])('gives the reference logits, hidden %j', (hidden) => {
    const layout = netLayout({ kind: 'mlp', hidden });
    const simd = SimdDense.create(layout.dense, false)!;
    expect(simd).not.toBeNull();
    simd.params.set(initialParams(layout, 3));
    // Larger weights than a fresh model's, so every ReLU and sum matters.
    for (let i = 0; i < simd.params.length; i++) simd.params[i] *= 3;
    // Rows out of order, over more than one pass of 256.
    const rows = Int32Array.from({ length: 520 }, (_, i) => (i * 37) % 600);
    const got = simd.logits(images, rows, rows.length);
    const x = new Float64Array(rows.length * IMAGE_SIZE);
    rows.forEach((r, b) =>
      x.set(bytesToUnit(data.train.images.subarray(r * IMAGE_SIZE, (r + 1) * IMAGE_SIZE)), b * IMAGE_SIZE),
    );
    const want = referenceLogits(layout, Float64Array.from(simd.params), x, rows.length);
    let far = 0;
    for (let i = 0; i < want.length; i++)
      far = Math.max(far, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
    expect(far).toBeLessThan(1e-5);
  });

  it('carries a NaN weight through to the logits, as a diverged model has', () => {
    const layout = netLayout({ kind: 'mlp', hidden: [16] });
    const simd = SimdDense.create(layout.dense, false)!;
    simd.params.set(initialParams(layout, 1));
    simd.params[layout.dense.layers[1].biasOffset] = Number.NaN;
    const got = simd.logits(images, null, 3);
    expect(Number.isNaN(got[0])).toBe(true);
    expect(Number.isFinite(got[1])).toBe(true);
  });

  it.each([
    ['the tutorial, batch 10', [64, 64, 64], 10],
    ['odd widths, batch 7', [13, 7], 7],
    ['the tutorial, batch 300: two passes of the kernels', [64, 64, 64], 300],
  ])('trains an MLP as mlp.ts does: %s', (_, hidden, size) => {
    const layout = netLayout({ kind: 'mlp', hidden });
    const params = initialParams(layout, 5);
    const order = Int32Array.from({ length: 600 }, (_, i) => (i * 53) % 600);
    const reference = new CpuMlp(layout.dense, params.slice());
    const refLoss = reference.lossAndGradient(images, data.train.labels, order, 40, size);

    const simd = SimdDense.create(layout.dense, false)!;
    simd.params.set(params);
    const loss = simd.lossAndGradient(images, data.train.labels, order, 40, size);
    expect(loss).toBeCloseTo(refLoss, 5);
    expect(worst(simd.gradient, reference.gradient)).toBeLessThan(1e-3);
    // Every layer's weights and biases took a gradient.
    for (const l of layout.dense.layers) {
      expect(simd.gradient.subarray(l.weightOffset, l.biasOffset).some((v) => v !== 0)).toBe(true);
      expect(simd.gradient.subarray(l.biasOffset, l.biasOffset + l.outputs).some((v) => v !== 0)).toBe(true);
    }
  });

  it.each([
    ['the series CNN head, 1024 -> 512 -> 10', [32, 5, 64, 5], [512], 19],
    ['the Small CNN head, 256 -> 10, batch 300: two passes of the kernels', [8, 5, 16, 5], [], 300],
    ['odd widths, 3 x 3 x 7 -> 13 -> 9 -> 10', [5, 5, 7, 5], [13, 9], 19],
  ])('trains a CNN head as mlp.ts does: %s', (_, [f1, k1, f2, k2], hidden, size) => {
    const net = netLayout({
      kind: 'cnn',
      conv: [
        { filters: f1, kernel: k1 },
        { filters: f2, kernel: k2 },
      ],
      hidden,
    });
    const layout = net.dense;
    const params = initialParams(net, 3);
    const random = mulberry32(9);
    const features = layout.sizes[0];
    const x = Float32Array.from({ length: size * features }, () => (random() < 0.5 ? 0 : random()));
    const labels = Uint8Array.from({ length: size }, (_, i) => (i * 7) % 10);
    const order = Int32Array.from({ length: size }, (_, i) => i);

    const reference = new CpuMlp(layout, params.slice());
    reference.loadDense(x, size);
    const refError = new Float32Array(size * features);
    const refLoss = reference.lossAndGradientLoaded(labels, order, 0, size, refError);

    const head = SimdDense.create(layout, false)!;
    head.params.set(params);
    const error = new Float32Array(size * features);
    const loss = head.lossAndGradientDense(x, size, labels, order, 0, error);

    expect(loss).toBeCloseTo(refLoss, 5);
    const dense = (g: Float32Array) => g.subarray(layout.layers[0].weightOffset);
    expect(worst(dense(head.gradient), dense(reference.gradient))).toBeLessThan(1e-3);
    expect(worst(error, refError)).toBeLessThan(1e-3);
    // Zero inputs pass no error back.
    x.forEach((v, i) => v === 0 && expect(error[i]).toBe(0));
    expect(dense(head.gradient).some((v) => v !== 0)).toBe(true);
    // Its logits, as the engine evaluates with them, are mlp.ts's too.
    const logits = new Float32Array(size * 10);
    head.logitsDense(x, size, logits);
    expect(worst(logits, reference.logitsLoaded(size))).toBeLessThan(1e-4);
  });
});
