import { describe, expect, it } from 'vitest';
import type { EpochSummary } from '../../shared/protocol';
import { epochSummary } from '../../test/fixtures/epochs';
import { polyline } from './SvgSeries';
import {
  accuracyCaption,
  accuracyFloor,
  accuracyRows,
  accuracyTicks,
  formatBatchTick,
  lossAxis,
  lossCaption,
  lossSeries,
} from './series';

function epoch(n: number, train: number, test: number): EpochSummary {
  return epochSummary(n, { trainAccuracy: train, testAccuracy: test });
}

describe('chart series', () => {
  it('downsamples 18,000 losses to at most 1,000 points per line and reports the latest batch', () => {
    const losses = Float32Array.from({ length: 18_000 }, (_, i) => 2.3 / (1 + i / 500));
    const s = lossSeries(losses);
    expect(s.raw.length).toBeLessThanOrEqual(1000);
    expect(s.smoothed.length).toBeLessThanOrEqual(1000);
    expect(s.raw.at(-1)).toEqual({ x: 17_999, y: losses[17_999] });
    expect(s.latest?.batch).toBe(18_000);
    expect(lossCaption(s.latest!, 18_000)).toMatch(
      /^Latest: batch 18000 of 18000, loss \d+\.\d{4} \(smoothed \d+\.\d{4}\)$/,
    );
  });

  it('is empty before the first batch', () => {
    expect(lossSeries(new Float32Array(0))).toEqual({ raw: [], smoothed: [], latest: null });
  });

  it('captions the latest epoch with train and test accuracy in percent', () => {
    const text = accuracyCaption(epoch(2, 0.9612, 0.958));
    expect(text).toContain('epoch 2');
    expect(text).toContain('train 96.1%');
    expect(text).toContain('test 95.8%');
  });

  it('puts the accuracy axis floor below the lowest value in 5-point steps', () => {
    expect(accuracyFloor(accuracyRows([epoch(1, 0.912, 0.905), epoch(2, 0.95, 0.94)]))).toBe(85);
    expect(accuracyFloor([])).toBe(95);
    expect(accuracyTicks(90)).toEqual([90, 92, 94, 96, 98, 100]);
    expect(accuracyTicks(0)).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it('gives the loss axis round ticks from 0 past the highest point', () => {
    expect(lossAxis([{ x: 0, y: 3.5 }], [{ x: 1, y: Number.NaN }])).toEqual({
      max: 4,
      ticks: [0, 1, 2, 3, 4],
    });
    expect(lossAxis([{ x: 0, y: 0.55 }])).toEqual({ max: 0.6, ticks: [0, 0.2, 0.4, 0.6] });
    expect(lossAxis([]).ticks).toEqual([0, 0.2]);
  });

  it('shortens batch ticks', () => {
    expect([0, 500, 2000, 12_500].map(formatBatchTick)).toEqual(['0', '500', '2k', '12.5k']);
  });
});

describe('polyline (SvgSeries.tsx)', () => {
  it('writes plain numbers SVG can parse, even for a diverging loss, and skips NaN', () => {
    const x = (v: number) => v * 10;
    const y = (v: number) => 200 - v * 80; // a loss of 1e38 maps to about -8e39 pixels
    const d = polyline(
      [
        { x: 0, y: 2.3 },
        { x: 1, y: 1e38 },
        { x: 2, y: NaN },
        { x: 3, y: 0.5 },
      ],
      x,
      y,
    );
    expect(d).toBe('M0.0,16.0L10.0,-100000.0L30.0,160.0');
    expect(d).not.toMatch(/e|NaN|Infinity/);
  });
});
