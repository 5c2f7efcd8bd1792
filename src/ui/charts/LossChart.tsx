import { useDeferredValue, useMemo } from 'react';
import type { MetricsStore } from '../../client/metricsStore';
import { useStoreMemo } from '../hooks/useStoreVersion';
import { MeasurementTable, ShowData } from './MeasurementTable';
import {
  CHART_COLORS,
  logLossAxis,
  lossAxis,
  lossCaption,
  lossSeries,
  measuredSeries,
  overfitFrom,
  overfitText,
  xScale,
  type ChartView,
} from './series';
import { ChartLegend } from './ChartLegend';
import { LossPlot } from './LossPlot';

export interface LossChartProps {
  store: MetricsStore;
  view: ChartView;
  /** For the epoch axis and the epoch boundaries. */
  batchesPerEpoch: number;
  /** Plot height in CSS pixels; the width follows the container. */
  height?: number;
}

/**
 * Every batch's training loss since Train, raw (faint) and smoothed, with the train and test
 * loss measured every few batches (lines) and on all images at each epoch's end (dots), a dashed
 * line at each epoch boundary, and a notice when the test loss turns up while the train loss
 * keeps falling. Each line is downsampled (series.ts); the caption states the latest batch
 * ("Latest: batch 1234 of 18000, loss 0.2345 (smoothed 0.2501)", batch counted from 1).
 *
 * Re-renders only when the store's loss or measurement channel moves, at most once per frame.
 */
export function LossChart({ store, view, batchesPerEpoch, height = 260 }: LossChartProps) {
  const totalBatches = useStoreMemo(store.losses, () => store.getTotalBatches());
  const times = useStoreMemo(store.losses, () => store.getTimes());
  const measurements = useStoreMemo(store.measurements, () => store.getMeasurements());
  const epochs = useStoreMemo(store.measurements, () => store.getEpochs());
  // Only a seconds axis moves with the chunks' times and the measurements: in batches or epochs
  // the scale keeps its identity, and what is drawn from it is not derived again.
  const seconds = view.xAxis === 'seconds';
  const x = useMemo(
    () =>
      xScale(view.xAxis, batchesPerEpoch, totalBatches, seconds ? times : [], seconds ? measurements : []),
    [view.xAxis, batchesPerEpoch, totalBatches, seconds, times, measurements],
  );
  // A new view of the store's buffer each time the loss channel moves: its identity is the key.
  const losses = useStoreMemo(store.losses, () => store.getLosses());
  const { smoothing, logScale } = view;
  const series = useMemo(
    () => lossSeries(losses, { smoothing, logScale }, x),
    [losses, smoothing, logScale, x],
  );
  const train = useMemo(
    () => measuredSeries(measurements, (m) => m.trainLoss, view.smoothing, x),
    [measurements, view.smoothing, x],
  );
  const test = useMemo(
    () => measuredSeries(measurements, (m) => m.testLoss, view.smoothing, x),
    [measurements, view.smoothing, x],
  );
  const yAxis = useMemo(
    () =>
      view.logScale
        ? logLossAxis(series.raw, train.raw, test.raw)
        : lossAxis(series.raw, train.raw, test.raw),
    [view.logScale, series, train, test],
  );
  const overfit = useMemo(() => overfitFrom(measurements), [measurements]);
  const boundaries = useMemo(
    () => epochs.map((e) => ({ epoch: e.epoch, x: x.ofMeasurement(e) })),
    [epochs, x],
  );

  const latest = series.latest;
  // The caption follows every update at once; the plot follows as a deferred render, which React
  // may interrupt and spread over several frames, so drawing never blocks the main thread long.
  const current = useMemo(
    () => ({ series, train, test, boundaries, yAxis, x, logScale, smoothing }),
    [series, train, test, boundaries, yAxis, x, logScale, smoothing],
  );
  const plot = useDeferredValue(current);

  return (
    <figure className="panel chart" aria-label="Loss chart" data-testid="chart.loss">
      <h2 className="chart-title">Loss</h2>
      {/* Mounted from the start, empty, so the first batch does not pay for mounting it. */}
      <LossPlot {...plot} height={height} />
      <ChartLegend
        items={[
          { label: 'Loss per batch', color: CHART_COLORS.lossFaint },
          { label: 'Smoothed', color: CHART_COLORS.loss },
          { label: 'Train (measured)', color: CHART_COLORS.train },
          { label: 'Test (measured)', color: CHART_COLORS.test },
          { label: 'Epoch end, all images', color: CHART_COLORS.test, dot: true },
        ]}
      />
      {overfit !== null && (
        <p className="chart-notice" role="status">
          {overfitText(overfit)}
        </p>
      )}
      <figcaption className="chart-caption" aria-live="off">
        {latest ? lossCaption(latest, totalBatches) : 'No batches yet.'}
      </figcaption>
      <ShowData what="loss">
        <MeasurementTable name="Loss data" measurements={measurements} />
      </ShowData>
    </figure>
  );
}
