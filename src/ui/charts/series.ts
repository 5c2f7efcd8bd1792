/**
 * Pure data shaping for the charts: store contents and the chart view in, points, axes and
 * caption text out. Kept out of the components so they can be tested in Node without a DOM.
 */

import { debiasedEma, downsample } from '../../client/downsample';
import type { TimeMark } from '../../client/metricsStore';
import type { EpochSummary, Measurement } from '../../shared/protocol';
import { formatCount } from '../../shared/format';

/** Points per line drawn; the full history stays in the store. */
export const CHART_POINTS = 1000;

/**
 * Series colours. SVG presentation attributes cannot read CSS variables, so these mirror
 * `--accent` (amber: training loss), `--train` (violet: training accuracy) and `--test` (sky: test
 * loss and accuracy) in app.css; change both together.
 */
export const CHART_COLORS = {
  loss: '#fbbf24',
  lossFaint: 'rgba(251, 191, 36, 0.25)',
  train: '#a78bfa',
  trainFaint: 'rgba(167, 139, 250, 0.3)',
  test: '#38bdf8',
  testFaint: 'rgba(56, 189, 248, 0.3)',
  grid: 'rgba(148, 163, 184, 0.15)',
  axis: '#9aa4bf',
  boundary: 'rgba(154, 164, 191, 0.5)',
} as const;

/** One chart point in the x axis's unit. */
export interface XY {
  x: number;
  y: number;
}

// ---------------------------------------------------------------------------------------------
// The view: how the charts draw, as a TensorBoard user sets it (ChartControls.tsx).

export type XAxisMode = 'batches' | 'epochs' | 'seconds';

export const X_AXIS_MODES: Record<XAxisMode, string> = {
  batches: 'Batches',
  epochs: 'Epochs',
  seconds: 'Training seconds',
};

export interface ChartView {
  /** TensorBoard's smoothing weight, 0 (none) to 0.999, per batch (debiasedEma). */
  smoothing: number;
  /** A log scale for the loss axis. */
  logScale: boolean;
  xAxis: XAxisMode;
}

/**
 * Smoothing 0.97 averages about the last 33 batches: the Tutorial's batch-10 noise shows a trend,
 * and a short run of large batches (1,900 of them) is not dragged behind.
 */
export const DEFAULT_VIEW: ChartView = { smoothing: 0.97, logScale: false, xAxis: 'batches' };
export const MAX_SMOOTHING = 0.999;

/** A view from stored data, each field checked: whatever is missing or wrong takes its default. */
export function parseView(raw: unknown): ChartView {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const smoothing =
    typeof o.smoothing === 'number' && o.smoothing >= 0 && o.smoothing <= MAX_SMOOTHING
      ? o.smoothing
      : DEFAULT_VIEW.smoothing;
  const logScale = typeof o.logScale === 'boolean' ? o.logScale : DEFAULT_VIEW.logScale;
  const xAxis =
    typeof o.xAxis === 'string' && o.xAxis in X_AXIS_MODES ? (o.xAxis as XAxisMode) : DEFAULT_VIEW.xAxis;
  return { smoothing, logScale, xAxis };
}

/** "0.99 (about 100 batches)": what a smoothing weight averages over. */
export function smoothingText(weight: number): string {
  if (weight <= 0) return '0 (none)';
  const span = Math.round(1 / (1 - weight));
  return `${weight.toFixed(3).replace(/0+$/, '').replace(/\.$/, '')} (about ${formatCount(span)} batch${span === 1 ? '' : 'es'})`;
}

// ---------------------------------------------------------------------------------------------
// The x axis: batches trained, epochs trained or seconds of training.

export interface XScale {
  mode: XAxisMode;
  /** x of the point after `batches` batches (a count: the first batch is 1). */
  ofBatches(batches: number): number;
  /** x of a measurement (in seconds, its own clock rather than an interpolation). */
  ofMeasurement(m: Measurement): number;
  /** The axis's end. */
  max: number;
  /** Round values from 0 to max, about five (niceTicks). */
  ticks: number[];
  label: string;
  format(value: number): string;
}

/**
 * The x axis of a run of `totalBatches` batches, `batchesPerEpoch` an epoch. In seconds, a batch
 * is placed by interpolating between the ends of the loss chunks (`times`), each stamped with the
 * seconds of training when it was posted.
 */
export function xScale(
  mode: XAxisMode,
  batchesPerEpoch: number,
  totalBatches: number,
  times: readonly TimeMark[],
  measurements: readonly Measurement[] = [],
): XScale {
  if (mode === 'epochs') {
    const per = Math.max(1, batchesPerEpoch);
    return {
      mode,
      ofBatches: (b) => b / per,
      ofMeasurement: (m) => m.batch / per,
      max: Math.max(1, totalBatches / per),
      ticks: niceTicks(Math.max(1, totalBatches / per), false),
      label: 'epoch',
      format: (v) => String(Number(v.toFixed(2))),
    };
  }
  if (mode === 'seconds') {
    const ofBatches = (b: number) => secondsAt(times, b);
    const last = Math.max(times.at(-1)?.seconds ?? 0, measurements.at(-1)?.trainingSeconds ?? 0);
    return {
      mode,
      ofBatches,
      ofMeasurement: (m) => m.trainingSeconds,
      max: Math.max(1, last),
      ticks: niceTicks(Math.max(1, last), false),
      label: 'seconds of training',
      format: (v) => (v >= 100 ? String(Math.round(v)) : String(Number(v.toFixed(1)))),
    };
  }
  return {
    mode,
    ofBatches: (b) => b,
    ofMeasurement: (m) => m.batch,
    max: Math.max(1, totalBatches),
    ticks: niceTicks(Math.max(1, totalBatches), true),
    label: 'batch',
    format: formatBatchTick,
  };
}

/**
 * About five round ticks from 0 to `max` (steps of 1, 2 or 5 times a power of ten; whole numbers
 * when `whole`), all within [0, max]: Plot.tsx draws every one, so there must not be many.
 */
export function niceTicks(max: number, whole: boolean): number[] {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  if (whole) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let i = 0; i * step <= max * (1 + 1e-9); i++) ticks.push(Number((i * step).toFixed(6)));
  return ticks;
}

/** Seconds of training after `batches` batches, interpolated between the chunk ends `times`. */
export function secondsAt(times: readonly TimeMark[], batches: number): number {
  let lo = 0;
  let hi = times.length - 1;
  if (hi < 0) return Number.NaN;
  if (batches >= times[hi].batches) return times[hi].seconds;
  // The first mark at or after `batches`.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid].batches < batches) lo = mid + 1;
    else hi = mid;
  }
  const after = times[lo];
  const before = lo > 0 ? times[lo - 1] : { batches: 0, seconds: 0 };
  const span = after.batches - before.batches;
  return span > 0
    ? before.seconds + ((after.seconds - before.seconds) * (batches - before.batches)) / span
    : after.seconds;
}

/** Axis ticks like 0, 2k, 4k: full numbers would crowd a 375 px wide chart. */
export function formatBatchTick(value: number): string {
  return value >= 1000 ? `${Number((value / 1000).toFixed(1))}k` : String(value);
}

// ---------------------------------------------------------------------------------------------
// The loss chart: every batch's loss, and the measured train and test loss.

/** The most recent batch, for the caption. */
export interface LatestLoss {
  /** Batches trained, i.e. the latest batch's index + 1. */
  batch: number;
  loss: number;
  smoothed: number;
}

export interface LossSeries {
  raw: XY[];
  smoothed: XY[];
  latest: LatestLoss | null;
}

function toPoints(xs: ArrayLike<number>, ys: ArrayLike<number>): XY[] {
  const points: XY[] = new Array<XY>(xs.length);
  for (let i = 0; i < xs.length; i++) points[i] = { x: xs[i], y: ys[i] };
  return points;
}

/**
 * Raw and smoothed loss of every batch (`losses`, by global batch; the store's view, not
 * retained), downsampled with extremes kept: the raw series to at most `maxPoints`, the smoothed
 * one to half that (it has no spikes to keep, and every point costs render time on the main
 * thread). On a log axis a loss of 0 has no place and is left out.
 */
export function lossSeries(
  losses: Float32Array,
  view: Pick<ChartView, 'smoothing' | 'logScale'>,
  x: Pick<XScale, 'ofBatches'>,
  maxPoints = CHART_POINTS,
): LossSeries {
  const n = losses.length;
  if (n === 0) return { raw: [], smoothed: [], latest: null };
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = x.ofBatches(i + 1);
  const smooth = debiasedEma(losses, view.smoothing);
  const plotted = view.logScale ? positiveOnly(losses) : losses;
  const raw = downsample(xs, plotted, maxPoints);
  const smoothed = downsample(xs, view.logScale ? positiveOnly(smooth) : smooth, Math.max(4, maxPoints >> 1));
  return {
    raw: toPoints(raw.xs, raw.ys),
    smoothed: toPoints(smoothed.xs, smoothed.ys),
    latest: { batch: n, loss: losses[n - 1], smoothed: smooth[n - 1] },
  };
}

function positiveOnly(values: Float32Array): Float32Array {
  return values.map((v) => (v > 0 ? v : Number.NaN));
}

/** Points a measured line is drawn with at most: a plot is some 600 px wide. */
export const MAX_MEASURED_POINTS = 600;

/** A measured quantity as a line: raw (faint) and smoothed, and the full-set points apart. */
export interface MeasuredSeries {
  raw: XY[];
  smoothed: XY[];
  /** The epochs' measurements on all images. */
  full: XY[];
}

/**
 * One quantity of the measurements (`pick`), raw and smoothed, in x order. The smoothing weight is
 * per batch, so it averages over the same number of batches whatever "Evaluate every" is.
 */
export function measuredSeries(
  measurements: readonly Measurement[],
  pick: (m: Measurement) => number,
  smoothing: number,
  x: Pick<XScale, 'ofMeasurement'>,
  maxPoints = MAX_MEASURED_POINTS,
): MeasuredSeries {
  const ys = measurements.map(pick);
  const smooth = debiasedEma(
    ys,
    smoothing,
    measurements.map((m) => m.batch),
  );
  const xs = measurements.map((m) => x.ofMeasurement(m));
  // Smoothed on every value, then drawn in at most `maxPoints` (extremes kept): "Evaluate every 1"
  // makes a measurement a batch, more than a plot has pixels.
  const raw = downsample(xs, ys, maxPoints);
  const smoothed = downsample(xs, smooth, maxPoints);
  return {
    raw: toPoints(raw.xs, raw.ys),
    smoothed: toPoints(smoothed.xs, smoothed.ys),
    full: measurements.flatMap((m, i) => (m.full ? [{ x: xs[i], y: ys[i] }] : [])),
  };
}

/** A value axis: its domain and round ticks. */
export interface ValueAxis {
  min: number;
  max: number;
  ticks: number[];
}

/** A loss axis from 0 with round ticks (0, 0.5, 1, ...), tall enough for every point given. */
export function lossAxis(...pointSets: readonly XY[][]): ValueAxis {
  let high = 0;
  for (const points of pointSets) for (const p of points) if (p.y > high) high = p.y; // NaN never wins
  const step = high <= 1 ? 0.2 : high <= 2.5 ? 0.5 : high <= 6 ? 1 : Math.ceil(high / 5);
  const count = Math.max(1, Math.ceil(high / step - 1e-9));
  // toFixed: 3 * 0.2 is 0.6000000000000001, which would print as a tick label.
  const ticks = Array.from({ length: count + 1 }, (_, i) => Number((i * step).toFixed(6)));
  return { min: 0, max: ticks[count], ticks };
}

/**
 * A log loss axis from the power of 10 below the smallest positive point to the one above the
 * largest, with ticks at 1, 2 and 5 times each power (only the powers when it spans many).
 */
export function logLossAxis(...pointSets: readonly XY[][]): ValueAxis {
  let low = Infinity;
  let high = 0;
  for (const points of pointSets)
    for (const p of points) {
      if (p.y > 0 && p.y < low) low = p.y;
      if (p.y > high) high = p.y;
    }
  if (!(high > 0) || !Number.isFinite(low)) return { min: 0.01, max: 10, ticks: [0.01, 0.1, 1, 10] };
  const from = Math.floor(Math.log10(Math.max(low, 1e-6)));
  const to = Math.max(from + 1, Math.ceil(Math.log10(Math.min(high, 1e30))));
  const steps = to - from > 2 ? [1] : [1, 2, 5];
  const ticks: number[] = [];
  for (let e = from; e <= to; e++)
    for (const s of steps) {
      const v = Number((s * 10 ** e).toPrecision(6));
      if (v <= 10 ** to) ticks.push(v);
    }
  return { min: 10 ** from, max: 10 ** to, ticks };
}

/** "Latest: batch 1234 of 18000, loss 0.2345 (smoothed 0.2501)"; the e2e tests read it. */
export function lossCaption(latest: LatestLoss, totalBatches: number): string {
  const of = totalBatches > 0 ? ` of ${totalBatches}` : '';
  return `Latest: batch ${latest.batch}${of}, loss ${latest.loss.toFixed(4)} (smoothed ${latest.smoothed.toFixed(4)})`;
}

/** A tick label for a loss axis: enough digits for 0.05 and 0.002 on a log scale. */
export function formatLossTick(value: number): string {
  return value >= 1 || value === 0 ? String(Number(value.toFixed(1))) : String(Number(value.toPrecision(1)));
}

// ---------------------------------------------------------------------------------------------
// The accuracy chart.

/**
 * Lower end of the accuracy axis (percent): a little below the lowest value, in steps of 5
 * points, so the gap between train and test (a point or two) is visible instead of squashed
 * against 0..100.
 */
export function accuracyFloor(values: readonly number[]): number {
  let low = 100;
  for (const v of values) if (v < low) low = v;
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

function gapText(train: number, test: number): string {
  const gap = train - test;
  return Math.abs(gap) < 0.05
    ? 'no gap'
    : `${gap > 0 ? 'train' : 'test'} ahead by ${Math.abs(gap).toFixed(1)} points`;
}

/**
 * The latest measurement: an epoch's end ("Latest: epoch 2 of 3, train 96.1%, test 95.8% on all
 * 60,000 and 10,000 images (train ahead by 0.3 points)") or, between, one on the slices ("Latest:
 * batch 1,200 (0.2 epochs), train ... on 1,000 images each"), then the last epoch's test accuracy.
 */
export function accuracyCaption(latest: Measurement, lastEpoch: EpochSummary | undefined): string {
  const train = latest.trainAccuracy * 100;
  const test = latest.testAccuracy * 100;
  const values = `train ${train.toFixed(1)}%, test ${test.toFixed(1)}%`;
  if (latest.full && lastEpoch && lastEpoch.batch === latest.batch) {
    const sets = `all ${formatCount(latest.trainCount)} and ${formatCount(latest.testCount)} images`;
    return `Latest: epoch ${lastEpoch.epoch} of ${lastEpoch.epochs}, ${values} on ${sets} (${gapText(train, test)})`;
  }
  const epochs = `${Number(latest.epoch.toFixed(2))} epochs`;
  const each =
    latest.trainCount === latest.testCount
      ? `${formatCount(latest.testCount)} images each`
      : `${formatCount(latest.trainCount)} and ${formatCount(latest.testCount)} images`;
  const since = lastEpoch
    ? `; after epoch ${lastEpoch.epoch}, test ${(lastEpoch.testAccuracy * 100).toFixed(1)}% on all images`
    : '';
  return `Latest: batch ${formatCount(latest.batch)} (${epochs}), ${values} on ${each} (${gapText(train, test)})${since}`;
}

// ---------------------------------------------------------------------------------------------
// Over-fitting.

/** Measurements in a row whose test loss must stay above its low for it to count as a rise. */
export const OVERFIT_RUN = 3;
/** How far above its low (relative) the test loss must be: a slice of 1,000 images is noisy. */
export const OVERFIT_MARGIN = 0.05;

/**
 * The batch from which the model over-fits, or null: the test loss reached its low there and
 * the last OVERFIT_RUN measurements all stayed over OVERFIT_MARGIN above it, while the train loss
 * kept falling (below its value at the low).
 */
export function overfitFrom(measurements: readonly Measurement[]): number | null {
  if (measurements.length < OVERFIT_RUN + 2) return null;
  let best = 0;
  for (let i = 1; i < measurements.length; i++)
    if (measurements[i].testLoss < measurements[best].testLoss) best = i;
  const low = measurements[best];
  const after = measurements.slice(best + 1);
  if (after.length < OVERFIT_RUN) return null;
  const recent = after.slice(-OVERFIT_RUN);
  const rising = recent.every((m) => m.testLoss > low.testLoss * (1 + OVERFIT_MARGIN));
  const trainFalling = recent.every((m) => m.trainLoss < low.trainLoss);
  return rising && trainFalling ? low.batch : null;
}

/** What the page says of it. */
export function overfitText(batch: number): string {
  return `Test loss has risen since batch ${formatCount(batch)} while training loss keeps falling: the model has begun to overfit from batch ${formatCount(batch)}.`;
}
