import { useDeferredValue, useMemo } from 'react';
import type { MetricsStore } from '../../client/metricsStore';
import { useStoreMemo } from '../hooks/useStoreVersion';
import { MeasurementTable, ShowData } from './MeasurementTable';
import {
  CHART_COLORS,
  accuracyCaption,
  accuracyFloor,
  measuredSeries,
  xScale,
  type ChartView,
} from './series';
import { ChartLegend } from './ChartLegend';
import { AccuracyPlot } from './AccuracyPlot';

export interface AccuracyChartProps {
  store: MetricsStore;
  view: ChartView;
  batchesPerEpoch: number;
  /** Batches the run will have: the x axis's end. */
  totalBatches: number;
  /** Plot height in CSS pixels; the width follows the container. */
  height?: number;
}

/**
 * In-sample (training) and out-of-sample (test) accuracy over the run, measured every few
 * batches on a fixed slice of each set (lines) and at each epoch's end on all images (dots), on
 * one axis so the gap between them (over-fitting) shows. The axis starts a little below the
 * lowest value: a one-point gap would vanish on 0..100. The caption states the latest measurement.
 *
 * Subscribes to the store's measurement channel only: per-batch loss updates never re-render it.
 */
export function AccuracyChart({
  store,
  view,
  batchesPerEpoch,
  totalBatches,
  height = 220,
}: AccuracyChartProps) {
  const measurements = useStoreMemo(store.measurements, () => store.getMeasurements());
  const epochs = useStoreMemo(store.measurements, () => store.getEpochs());
  // Measurements carry their own seconds: the losses' chunk times (whose channel moves every
  // frame) are not needed here.
  const seconds = view.xAxis === 'seconds';
  const x = useMemo(
    () => xScale(view.xAxis, batchesPerEpoch, totalBatches, [], seconds ? measurements : []),
    [view.xAxis, batchesPerEpoch, totalBatches, seconds, measurements],
  );
  const train = useMemo(
    () => measuredSeries(measurements, (m) => m.trainAccuracy * 100, view.smoothing, x),
    [measurements, view.smoothing, x],
  );
  const test = useMemo(
    () => measuredSeries(measurements, (m) => m.testAccuracy * 100, view.smoothing, x),
    [measurements, view.smoothing, x],
  );
  const floor = useMemo(() => accuracyFloor([...train.raw, ...test.raw].map((p) => p.y)), [train, test]);
  const boundaries = useMemo(
    () => epochs.map((e) => ({ epoch: e.epoch, x: x.ofMeasurement(e) })),
    [epochs, x],
  );
  const latest = measurements.at(-1);
  // The caption follows at once; the plot as a deferred render React may interrupt, so that a
  // measurement's redraw, arriving while the loss chart draws, never makes one long task.
  const current = useMemo(
    () => ({ train, test, floor, x, boundaries, smoothing: view.smoothing }),
    [train, test, floor, x, boundaries, view.smoothing],
  );
  const plot = useDeferredValue(current);

  return (
    <figure className="panel chart" aria-label="Accuracy chart" data-testid="chart.accuracy">
      <h2 className="chart-title">Accuracy, in-sample and out-of-sample</h2>
      {/* Mounted from the start, empty, so the first measurement does not pay for mounting it. */}
      <AccuracyPlot {...plot} height={height} />
      <ChartLegend
        items={[
          { label: 'Train (in-sample)', color: CHART_COLORS.train },
          { label: 'Test (out-of-sample)', color: CHART_COLORS.test },
          { label: 'Epoch end, all images', color: CHART_COLORS.test, dot: true },
        ]}
      />
      <figcaption className="chart-caption">
        {latest ? accuracyCaption(latest, epochs.at(-1)) : 'No measurements yet.'}
      </figcaption>
      <ShowData what="accuracy">
        <MeasurementTable name="Accuracy data" measurements={measurements} />
      </ShowData>
    </figure>
  );
}
