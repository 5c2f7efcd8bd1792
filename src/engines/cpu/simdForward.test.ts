import { describe, expect, it } from 'vitest';
import { IMAGE_SIZE, bytesToUnit } from '../../shared/mnist';
import { loadMnistSubset } from '../../test/fixtures/mnist';
import { initialParams, netLayout } from '../layout';
import { referenceLogits } from '../reference/network';
import { SimdForward } from './simdForward';
import { sparseFromBytes } from './sparseImages';

describe('SimdForward (dense.wat)', () => {
  const data = loadMnistSubset(600, 0);
  const images = sparseFromBytes(data.train.images, 600);

  // Widths off the kernels' 16- and 4-wide steps too: 13 and 7 outputs pad to 16 and 8.
  it.each([[[64, 64, 64]], [[13, 7]], [[128]]])('gives the reference logits, hidden %j', (hidden) => {
    const layout = netLayout({ kind: 'mlp', hidden });
    const params = initialParams(layout, 3);
    // Larger weights than a fresh model's, so every ReLU and sum matters.
    for (let i = 0; i < params.length; i++) params[i] *= 3;
    const simd = SimdForward.create(layout.dense)!;
    expect(simd).not.toBeNull();
    // Rows out of order, over more than one chunk of 256.
    const rows = Int32Array.from({ length: 520 }, (_, i) => (i * 37) % 600);
    const got = simd.logits(params, images, rows, rows.length);
    const x = new Float64Array(rows.length * IMAGE_SIZE);
    rows.forEach((r, b) =>
      x.set(bytesToUnit(data.train.images.subarray(r * IMAGE_SIZE, (r + 1) * IMAGE_SIZE)), b * IMAGE_SIZE),
    );
    const want = referenceLogits(layout, Float64Array.from(params), x, rows.length);
    let worst = 0;
    for (let i = 0; i < want.length; i++)
      worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
    expect(worst).toBeLessThan(1e-5);
  });

  it('carries a NaN weight through to the logits, as a diverged model has', () => {
    const layout = netLayout({ kind: 'mlp', hidden: [16] });
    const params = initialParams(layout, 1);
    params[layout.dense.layers[1].biasOffset] = Number.NaN;
    const got = SimdForward.create(layout.dense)!.logits(params, images, null, 3);
    expect(Number.isNaN(got[0])).toBe(true);
    expect(Number.isFinite(got[1])).toBe(true);
  });
});
