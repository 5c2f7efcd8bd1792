/**
 * Pure data shaping for the charts: store contents in, recharts points and caption text out.
 * Kept out of the components so they can be tested in Node without a DOM.
 */

import { downsample, ema } from '../../client/downsample';
import type { EpochSummary } from '../../shared/protocol';

/** Points per line drawn; the full history stays in the store. */
export const CHART_POINTS = 1000;

/**
 * EMA rate of the smoothed loss for a run of `totalBatches`: it averages about 1% of the run
 * (1 / alpha batches), between 10 and 200 batches. A fixed window would lag badly on a short
 * run of large batches and barely smooth a long run of batch-10 noise.
 */
export function smoothingAlpha(totalBatches: number): number {
  return 1 / Math.min(200, Math.max(10, totalBatches / 100));
}

/**
 * Series colours. SVG presentation attributes cannot read CSS variables, so these mirror
 * `--accent` (amber: training loss), `--train` (violet: training accuracy) and `--test` (sky: test
 * loss and accuracy) in app.css; change both together.
 */
export const CHART_COLORS = {
  loss: '#fbbf24',
  lossFaint: 'rgba(251, 191, 36, 0.25)',
  train: '#a78bfa',
  test: '#38bdf8',
  grid: 'rgba(148, 163, 184, 0.15)',
  axis: '#9aa4bf',
  boundary: 'rgba(154, 164, 191, 0.5)',
} as const;

/** One chart point; `x` is the global batch index (0-based) or the epoch. */
export interface XY {
  x: number;
  y: number;
}

/** The most recent batch, for the caption. */
export interface LatestLoss {
  /** 1-based count of batches done, i.e. the latest batch's index + 1. */
  batch: number;
  loss: number;
  smoothed: number;
}

export interface LossSeries {
  raw: XY[];
  smoothed: XY[];
  latest: LatestLoss | null;
}

function toPoints(xs: number[], ys: number[]): XY[] {
  const points: XY[] = new Array<XY>(xs.length);
  for (let i = 0; i < xs.length; i++) points[i] = { x: xs[i], y: ys[i] };
  return points;
}

/**
 * Raw and EMA-smoothed loss, downsampled with extremes kept: the raw series to at most
 * `maxPoints`, the smoothed one to half that (it has no spikes to keep, and every point costs
 * recharts render time on the main thread).
 * `losses` is every batch's loss indexed by global batch (the store's view; not retained).
 */
export function lossSeries(
  losses: Float32Array,
  totalBatches = losses.length,
  maxPoints = CHART_POINTS,
): LossSeries {
  const n = losses.length;
  if (n === 0) return { raw: [], smoothed: [], latest: null };
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = i;
  const smooth = ema(losses, smoothingAlpha(Math.max(totalBatches, n)));
  const raw = downsample(xs, losses, maxPoints);
  const smoothed = downsample(xs, smooth, Math.max(4, maxPoints >> 1));
  return {
    raw: toPoints(raw.xs, raw.ys),
    smoothed: toPoints(smoothed.xs, smoothed.ys),
    latest: { batch: n, loss: losses[n - 1], smoothed: smooth[n - 1] },
  };
}

/** A loss axis from 0 with round ticks (0, 0.5, 1, ...), tall enough for every point given. */
export interface LossAxis {
  max: number;
  ticks: number[];
}

export function lossAxis(...pointSets: readonly XY[][]): LossAxis {
  let high = 0;
  for (const points of pointSets) for (const p of points) if (p.y > high) high = p.y; // NaN never wins
  const step = high <= 1 ? 0.2 : high <= 2.5 ? 0.5 : high <= 6 ? 1 : Math.ceil(high / 5);
  const count = Math.max(1, Math.ceil(high / step - 1e-9));
  // toFixed: 3 * 0.2 is 0.6000000000000001, which would print as a tick label.
  const ticks = Array.from({ length: count + 1 }, (_, i) => Number((i * step).toFixed(6)));
  return { max: ticks[count], ticks };
}

/** Test loss per epoch, placed at the epoch's last batch. */
export function testLossPoints(epochs: readonly EpochSummary[]): XY[] {
  return epochs.map((e) => ({ x: e.lastBatch, y: e.testLoss }));
}

/** "Latest: batch 1234 of 18000, loss 0.2345 (smoothed 0.2501)"; the e2e tests read it. */
export function lossCaption(latest: LatestLoss, totalBatches: number): string {
  const of = totalBatches > 0 ? ` of ${totalBatches}` : '';
  return `Latest: batch ${latest.batch}${of}, loss ${latest.loss.toFixed(4)} (smoothed ${latest.smoothed.toFixed(4)})`;
}

/** One epoch's accuracies in percent, for the accuracy chart. */
export interface AccuracyRow {
  epoch: number;
  train: number;
  test: number;
}

export function accuracyRows(epochs: readonly EpochSummary[]): AccuracyRow[] {
  return epochs.map((e) => ({ epoch: e.epoch, train: e.trainAccuracy * 100, test: e.testAccuracy * 100 }));
}

/**
 * Lower end of the accuracy axis: a little below the lowest value, in steps of 5 points, so the
 * gap between train and test (a point or two) is visible instead of squashed against 0..100.
 */
export function accuracyFloor(rows: readonly AccuracyRow[]): number {
  let low = 100;
  for (const r of rows) low = Math.min(low, r.train, r.test);
  return Math.max(0, Math.floor((low - 1) / 5) * 5);
}

/** Ticks from `floor` to 100 at round steps (2, 5, 10 or 20 points). */
export function accuracyTicks(floor: number): number[] {
  const span = 100 - floor;
  const step = span <= 10 ? 2 : span <= 30 ? 5 : span <= 60 ? 10 : 20;
  const ticks: number[] = [];
  for (let v = 100; v >= floor; v -= step) ticks.unshift(v);
  return ticks;
}

/** "Latest: epoch 2 of 3, train 96.1%, test 95.8% (train ahead by 0.3 points)". */
export function accuracyCaption(latest: EpochSummary): string {
  const train = latest.trainAccuracy * 100;
  const test = latest.testAccuracy * 100;
  const gap = train - test;
  const gapText =
    Math.abs(gap) < 0.05
      ? 'no gap'
      : `${gap > 0 ? 'train' : 'test'} ahead by ${Math.abs(gap).toFixed(1)} points`;
  return `Latest: epoch ${latest.epoch} of ${latest.epochs}, train ${train.toFixed(1)}%, test ${test.toFixed(1)}% (${gapText})`;
}

/** Axis ticks like 0, 2k, 4k: full numbers would crowd a 375 px wide chart. */
export function formatBatchTick(value: number): string {
  return value >= 1000 ? `${Number((value / 1000).toFixed(1))}k` : String(value);
}
