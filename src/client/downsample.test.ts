import { describe, expect, it } from 'vitest';
import { debiasedEma, downsample } from './downsample';

/** A noisy falling curve with one spike and one dip placed where striding would miss them. */
function lossCurve(n: number): { xs: Float64Array; ys: Float32Array } {
  const xs = new Float64Array(n);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = i;
    ys[i] = 2.3 * Math.exp(-i / 3000) + 0.1 * Math.sin(i * 1.7);
  }
  ys[7777] = 9.5;
  ys[12_345] = -0.5;
  return { xs, ys };
}

describe('downsample', () => {
  it('keeps first, last, global min and max within the length bound', () => {
    const { xs, ys } = lossCurve(18_000);
    for (const maxPoints of [1000, 501, 4]) {
      const out = downsample(xs, ys, maxPoints);
      expect(out.xs.length).toBe(out.ys.length);
      expect(out.ys.length).toBeLessThanOrEqual(maxPoints);
      expect(out.xs[0]).toBe(0);
      expect(out.ys[0]).toBe(ys[0]);
      expect(out.xs[out.xs.length - 1]).toBe(17_999);
      expect(out.ys[out.ys.length - 1]).toBe(ys[17_999]);
      expect(out.xs).toContain(7777);
      expect(out.xs).toContain(12_345);
      expect(Math.max(...out.ys)).toBe(ys[7777]);
      expect(Math.min(...out.ys)).toBe(ys[12_345]);
    }
  });

  it('uses most of its budget and keeps x in order', () => {
    const { xs, ys } = lossCurve(18_000);
    const out = downsample(xs, ys, 1000);
    expect(out.xs.length).toBeGreaterThan(900);
    for (let i = 1; i < out.xs.length; i++) expect(out.xs[i]).toBeGreaterThan(out.xs[i - 1]);
  });

  it('returns a short input unchanged', () => {
    const out = downsample([0, 1, 2], [3, 1, 2], 1000);
    expect(out).toEqual({ xs: [0, 1, 2], ys: [3, 1, 2] });
    expect(downsample([], [], 10)).toEqual({ xs: [], ys: [] });
  });

  it('rejects mismatched lengths and a budget too small to keep the extremes', () => {
    expect(() => downsample([0, 1], [0], 10)).toThrow(RangeError);
    expect(() => downsample([0, 1, 2, 3, 4], [0, 1, 2, 3, 4], 3)).toThrow(RangeError);
  });

  it('never picks NaN as a bucket extreme', () => {
    const ys = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? Number.NaN : i));
    ys[0] = 0;
    ys[99] = 99;
    const out = downsample(
      ys.map((_, i) => i),
      ys,
      10,
    );
    expect(out.ys.some((y) => Number.isNaN(y))).toBe(false);
  });
});

describe('debiasedEma', () => {
  it('starts at the first value (bias-corrected), not pulled towards 0', () => {
    const out = debiasedEma([2, 2, 2], 0.9);
    expect(Array.from(out)).toEqual([2, 2, 2].map((v) => expect.closeTo(v, 6)));
  });

  it("is TensorBoard's acc / (1 - w^n) for evenly spaced values", () => {
    const w = 0.6;
    const values = [1, 3, 2, 5];
    let acc = 0;
    const expected = values.map((v, i) => {
      acc = acc * w + (1 - w) * v;
      return acc / (1 - w ** (i + 1));
    });
    expect(Array.from(debiasedEma(values, w))).toEqual(expected.map((v) => expect.closeTo(v, 5)));
  });

  it('decays by the x distance: a sparse series smooths over the same span as a dense one', () => {
    const dense = debiasedEma([0, 0, 0, 0, 1], 0.5);
    const sparse = debiasedEma([0, 1], 0.5, [0, 4]);
    // The old value keeps 0.5^4 of its weight across the gap of 4, as if x 1..3 had been 1.
    expect(sparse[1]).toBeCloseTo(15 / 15.5, 5);
    expect(dense[4]).toBeCloseTo(0.5 / (1 - 0.5 ** 5), 5);
  });

  it('weight 0 leaves the values; NaN slots repeat the previous average', () => {
    expect(Array.from(debiasedEma([1, 5, 3], 0))).toEqual([1, 5, 3]);
    const out = debiasedEma([Number.NaN, 2, Number.NaN, 4], 0.5);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(2);
    expect(out[2]).toBe(2);
    // x moved by 2 since the last finite value: the old average keeps 0.5^2 of its weight.
    expect(out[3]).toBeCloseTo((0.25 * 1 + 0.75 * 4) / (0.25 * 0.5 + 0.75), 5);
  });
});
