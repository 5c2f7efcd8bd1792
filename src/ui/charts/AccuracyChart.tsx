import { memo, useDeferredValue, useMemo } from 'react';
import { YAxis } from 'recharts';
import type { MetricsStore } from '../../client/metricsStore';
import { useStoreMemo } from '../hooks/useStoreVersion';
import { MeasurementTable, ShowData } from './MeasurementTable';
import {
  CHART_COLORS,
  accuracyCaption,
  accuracyFloor,
  accuracyTicks,
  measuredSeries,
  xScale,
  type ChartView,
  type MeasuredSeries,
  type XScale,
} from './series';
import { ChartFrame, measuredLines } from './ChartFrame';
import { ChartLegend } from './SvgSeries';
import { epochLines, timeAxis, type Boundary } from './timeAxis';

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
      {/* The chart is mounted from the start, empty, so the first measurement does not pay for mounting it. */}
      <AccuracyPlot {...plot} empty={!plot.train.raw.length} height={height} />
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

interface AccuracyPlotProps {
  train: MeasuredSeries;
  test: MeasuredSeries;
  floor: number;
  x: XScale;
  boundaries: Boundary[];
  smoothing: number;
  empty: boolean;
  height: number;
}

const AccuracyPlot = memo(function AccuracyPlot({
  train,
  test,
  floor,
  x,
  boundaries,
  smoothing,
  empty,
  height,
}: AccuracyPlotProps) {
  const yTicks = useMemo(() => accuracyTicks(floor), [floor]);
  return (
    <ChartFrame
      height={height}
      overlay={
        empty && (
          <p className="chart-empty">
            Every few batches, accuracy on a slice of the training images (in-sample) and of the test images
            (out-of-sample) appears here side by side, and on all of them at each epoch&apos;s end; a growing
            gap means the model is over-fitting.
          </p>
        )
      }
    >
      {timeAxis(x)}
      <YAxis
        type="number"
        dataKey="y"
        domain={[floor, 100]}
        allowDataOverflow
        ticks={yTicks}
        width={44}
        tickFormatter={(v: number) => `${v}%`}
        stroke={CHART_COLORS.axis}
        fontSize={12}
      />
      {epochLines(boundaries)}
      {measuredLines(train, test, smoothing)}
    </ChartFrame>
  );
});
