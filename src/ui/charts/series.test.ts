import { describe, expect, it } from 'vitest';
import type { EpochSummary } from '../../shared/protocol';
import { epochSummary, measurement } from '../../test/fixtures/epochs';
import { polyline } from './SvgSeries';
import {
  accuracyCaption,
  accuracyFloor,
  accuracyTicks,
  DEFAULT_VIEW,
  formatBatchTick,
  logLossAxis,
  lossAxis,
  lossCaption,
  lossSeries,
  measuredSeries,
  MAX_MEASURED_POINTS,
  niceTicks,
  overfitFrom,
  parseView,
  secondsAt,
  smoothingText,
  xScale,
} from './series';

function epoch(n: number, train: number, test: number): EpochSummary {
  return epochSummary(n, { trainAccuracy: train, testAccuracy: test });
}

const batches = xScale('batches', 6000, 18_000, []);

describe('chart series', () => {
  it('downsamples 18,000 losses to at most 1,000 points per line and reports the latest batch', () => {
    const losses = Float32Array.from({ length: 18_000 }, (_, i) => 2.3 / (1 + i / 500));
    const s = lossSeries(losses, DEFAULT_VIEW, batches);
    expect(s.raw.length).toBeLessThanOrEqual(1000);
    expect(s.smoothed.length).toBeLessThanOrEqual(1000);
    expect(s.raw.at(-1)).toEqual({ x: 18_000, y: losses[17_999] });
    expect(s.latest?.batch).toBe(18_000);
    expect(lossCaption(s.latest!, 18_000)).toMatch(
      /^Latest: batch 18000 of 18000, loss \d+\.\d{4} \(smoothed \d+\.\d{4}\)$/,
    );
  });

  it('is empty before the first batch', () => {
    expect(lossSeries(new Float32Array(0), DEFAULT_VIEW, batches)).toEqual({
      raw: [],
      smoothed: [],
      latest: null,
    });
  });

  it('smooths with the slider, leaves losses of 0 off a log axis', () => {
    const losses = Float32Array.of(1, 0, 1, 0);
    const none = lossSeries(losses, { smoothing: 0, logScale: false }, batches);
    expect(none.smoothed.map((p) => p.y)).toEqual([1, 0, 1, 0]);
    const log = lossSeries(losses, { smoothing: 0, logScale: true }, batches);
    expect(log.raw.filter((p) => Number.isNaN(p.y))).toHaveLength(2);
    expect(smoothingText(0.99)).toBe('0.99 (about 100 batches)');
    expect(smoothingText(0)).toBe('0 (none)');
  });

  it('places batches on the epoch and seconds axes; seconds interpolate between chunk ends', () => {
    const times = [
      { batches: 100, seconds: 1 },
      { batches: 300, seconds: 2 },
    ];
    expect(secondsAt(times, 50)).toBeCloseTo(0.5);
    expect(secondsAt(times, 200)).toBeCloseTo(1.5);
    expect(secondsAt(times, 300)).toBe(2);
    const epochs = xScale('epochs', 100, 300, times);
    expect([epochs.ofBatches(150), epochs.max]).toEqual([1.5, 3]);
    const seconds = xScale('seconds', 100, 300, times, [measurement(300, { trainingSeconds: 2.5 })]);
    expect(seconds.ofMeasurement(measurement(300, { trainingSeconds: 2.5 }))).toBe(2.5);
    expect(seconds.max).toBe(2.5);
  });

  it('draws a measured quantity raw and smoothed, with the epoch ends apart', () => {
    const ms = [
      measurement(300, { testLoss: 1 }),
      measurement(600, { testLoss: 0.5 }),
      epochSummary(1, { batch: 900, testLoss: 0.4 }),
    ];
    const s = measuredSeries(ms, (m) => m.testLoss, 0.99, batches);
    expect(s.raw.map((p) => p.y)).toEqual([1, 0.5, 0.4]);
    // 300 batches apart, a weight of 0.99 a batch leaves the old value 0.99^300 = 5 % of its weight.
    expect(s.smoothed[1].y).toBeGreaterThan(0.5);
    expect(s.smoothed[1].y).toBeLessThan(0.55);
    expect(s.full).toEqual([{ x: 900, y: 0.4 }]);
  });

  it('draws a measurement a batch in at most a plot’s worth of points, its extremes and epoch ends kept', () => {
    // "Evaluate every" 1 for 30 epochs of 625 batches: 18,750 measurements.
    const ms = Array.from({ length: 18_750 }, (_, i) =>
      (i + 1) % 625 === 0
        ? epochSummary((i + 1) / 625, { batch: i + 1, testLoss: 0.1 })
        : measurement(i + 1, { testLoss: i === 9_000 ? 5 : 0.2 }),
    );
    const s = measuredSeries(ms, (m) => m.testLoss, 0.9, batches);
    expect(s.raw.length).toBeLessThanOrEqual(MAX_MEASURED_POINTS);
    expect(s.smoothed.length).toBeLessThanOrEqual(MAX_MEASURED_POINTS);
    expect(Math.max(...s.raw.map((p) => p.y))).toBe(5); // the spike is drawn
    expect(s.full).toHaveLength(30);
  });

  it('captions an epoch end on all images, and a slice measurement with the last epoch', () => {
    const end = epoch(2, 0.9612, 0.958);
    const text = accuracyCaption(end, end);
    expect(text).toBe(
      'Latest: epoch 2 of 3, train 96.1%, test 95.8% on all 60,000 and 10,000 images (train ahead by 0.3 points)',
    );
    const between = accuracyCaption(measurement(13_200, { trainAccuracy: 0.97, testAccuracy: 0.965 }), end);
    expect(between).toBe(
      'Latest: batch 13,200 (2.2 epochs), train 97.0%, test 96.5% on 1,000 images each (train ahead by 0.5 points); after epoch 2, test 95.8% on all images',
    );
    expect(between).not.toMatch(/epoch 3/);
  });

  it('puts the accuracy axis floor below the lowest value in 5-point steps', () => {
    expect(accuracyFloor([91.2, 90.5, 95, 94])).toBe(85);
    expect(accuracyFloor([])).toBe(95);
    expect(accuracyTicks(90)).toEqual([90, 92, 94, 96, 98, 100]);
    expect(accuracyTicks(0)).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it('gives the loss axis round ticks from 0 past the highest point, or powers of 10 on a log axis', () => {
    expect(lossAxis([{ x: 0, y: 3.5 }], [{ x: 1, y: Number.NaN }])).toEqual({
      min: 0,
      max: 4,
      ticks: [0, 1, 2, 3, 4],
    });
    expect(lossAxis([{ x: 0, y: 0.55 }])).toEqual({ min: 0, max: 0.6, ticks: [0, 0.2, 0.4, 0.6] });
    expect(lossAxis([]).ticks).toEqual([0, 0.2]);
    expect(
      logLossAxis([
        { x: 0, y: 2.3 },
        { x: 1, y: 0.03 },
        { x: 2, y: 0 },
      ]),
    ).toEqual({
      min: 0.01,
      max: 10,
      ticks: [0.01, 0.1, 1, 10],
    });
    expect(
      logLossAxis([
        { x: 0, y: 2.3 },
        { x: 1, y: 0.3 },
      ]).ticks,
    ).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10]);
  });

  it('shortens batch ticks', () => {
    expect([0, 500, 2000, 12_500].map(formatBatchTick)).toEqual(['0', '500', '2k', '12.5k']);
  });

  it('reads a stored view field by field, defaults for what is missing or wrong', () => {
    expect(parseView({ smoothing: 0.5, logScale: true, xAxis: 'seconds' })).toEqual({
      smoothing: 0.5,
      logScale: true,
      xAxis: 'seconds',
    });
    expect(parseView({ smoothing: 7, logScale: 'yes', xAxis: 'weeks' })).toEqual(DEFAULT_VIEW);
    expect(parseView(null)).toEqual(DEFAULT_VIEW);
  });
});

describe('overfitFrom', () => {
  const at = (batch: number, trainLoss: number, testLoss: number) =>
    measurement(batch, { trainLoss, testLoss });

  it('names the batch of the test loss low once it has stayed above it while train loss falls', () => {
    const ms = [
      at(100, 0.5, 0.4),
      at(200, 0.3, 0.3),
      at(300, 0.2, 0.33),
      at(400, 0.15, 0.34),
      at(500, 0.1, 0.36),
    ];
    expect(overfitFrom(ms)).toBe(200);
  });

  it('says nothing while both fall, for noise under the margin, or when train loss rises too', () => {
    expect(
      overfitFrom([
        at(100, 0.5, 0.4),
        at(200, 0.4, 0.35),
        at(300, 0.3, 0.3),
        at(400, 0.2, 0.25),
        at(500, 0.1, 0.2),
      ]),
    ).toBeNull();
    expect(
      overfitFrom([
        at(100, 0.5, 0.4),
        at(200, 0.3, 0.3),
        at(300, 0.2, 0.31),
        at(400, 0.15, 0.305),
        at(500, 0.1, 0.31),
      ]),
    ).toBeNull();
    expect(
      overfitFrom([
        at(100, 0.5, 0.4),
        at(200, 0.3, 0.3),
        at(300, 0.4, 0.4),
        at(400, 0.45, 0.4),
        at(500, 0.5, 0.4),
      ]),
    ).toBeNull();
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

  it('puts about five round ticks on an x axis, within it, whole numbers for batches', () => {
    expect(niceTicks(18_000, true)).toEqual([0, 5000, 10000, 15000]);
    expect(niceTicks(3, false)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(1.5, false)).toEqual([0, 0.5, 1, 1.5]);
    expect(niceTicks(7, true)).toEqual([0, 2, 4, 6]);
    expect(niceTicks(1, true)).toEqual([0, 1]);
    expect(niceTicks(12.34, false)).toEqual([0, 5, 10]);
    for (const max of [1, 2, 3, 9.5, 47, 938, 18_000, 1e6]) {
      const ticks = niceTicks(max, false);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks.length).toBeLessThanOrEqual(11);
      expect(Math.max(...ticks)).toBeLessThanOrEqual(max);
    }
    expect(batches.ticks).toEqual(niceTicks(18_000, true));
  });
});
