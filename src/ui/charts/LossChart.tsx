import { memo, useDeferredValue, useMemo } from 'react';
import { CartesianGrid, ComposedChart, ReferenceLine, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import type { MetricsStore } from '../../client/metricsStore';
import type { EpochSummary } from '../../shared/protocol';
import { useStoreMemo } from '../hooks/useStoreVersion';
import {
  CHART_COLORS,
  formatBatchTick,
  lossAxis,
  lossCaption,
  lossSeries,
  testLossPoints,
  type LossSeries,
} from './series';
import { ChartLegend, SeriesDots, SeriesPath } from './SvgSeries';

export interface LossChartProps {
  store: MetricsStore;
  /** Plot height in CSS pixels; the width follows the container. */
  height?: number;
}

/**
 * Every batch's training loss since Train (x = global batch index, 0-based): the raw series faint,
 * its EMA on top, a dashed line at each epoch boundary and each epoch's test loss as a point at the
 * epoch's last batch. Each line is downsampled (series.ts); the caption states the latest
 * batch ("Latest: batch 1234 of 18000, loss 0.2345 (smoothed 0.2501)", batch counted from 1).
 *
 * Re-renders only when the store's loss or epoch channel moves, at most once per frame.
 */
export function LossChart({ store, height = 260 }: LossChartProps) {
  // Two channels, each derived only when its version moves (once per frame at most).
  const series = useStoreMemo(store.losses, () => lossSeries(store.getLosses(), store.getTotalBatches()));
  const totalBatches = useStoreMemo(store.losses, () => store.getTotalBatches());
  const epochs = useStoreMemo(store.epochs, () => store.getEpochs());
  const testPoints = useMemo(() => testLossPoints(epochs), [epochs]);
  const yAxis = useMemo(() => lossAxis(series.raw, testPoints), [series, testPoints]);

  const latest = series.latest;
  const xMax = Math.max(totalBatches, latest?.batch ?? 0) - 1;
  // The caption follows every update at once; the plot follows as a deferred render, which React
  // may interrupt and spread over several frames, so drawing never blocks the main thread long.
  const current = useMemo(
    () => ({ series, testPoints, epochs, yAxis, xMax }),
    [series, testPoints, epochs, yAxis, xMax],
  );
  const plot = useDeferredValue(current);

  return (
    <figure className="panel chart" aria-label="Loss chart" data-testid="chart.loss">
      <h2 className="chart-title">Training loss</h2>
      {/* Mounted from the start, empty, so the first batch does not pay for mounting it. */}
      <LossPlot {...plot} empty={!plot.series.latest} height={height} />
      <ChartLegend
        items={[
          { label: 'Loss per batch', color: CHART_COLORS.lossFaint },
          { label: 'Smoothed (EMA)', color: CHART_COLORS.loss },
          { label: 'Test loss', color: CHART_COLORS.test, dot: true },
        ]}
      />
      <figcaption className="chart-caption" aria-live="off">
        {latest ? lossCaption(latest, totalBatches) : 'No batches yet.'}
      </figcaption>
    </figure>
  );
}

interface LossPlotProps {
  series: LossSeries;
  testPoints: ReturnType<typeof testLossPoints>;
  epochs: readonly EpochSummary[];
  yAxis: ReturnType<typeof lossAxis>;
  xMax: number;
  empty: boolean;
  height: number;
}

const LossPlot = memo(function LossPlot({
  series,
  testPoints,
  epochs,
  yAxis,
  xMax,
  empty,
  height,
}: LossPlotProps) {
  return (
    <div className="chart-plot" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart
          // No keyboard layer: the chart is a picture; its numbers are in the caption.
          accessibilityLayer={false}
          margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        >
          <CartesianGrid stroke={CHART_COLORS.grid} vertical={false} />
          <XAxis
            type="number"
            // No item hands this axis data, but without a dataKey recharts draws no scale at all.
            dataKey="x"
            domain={[0, Math.max(1, xMax)]}
            // Fixed domains: no graphical item hands recharts data (the series draw themselves).
            allowDataOverflow
            allowDecimals={false}
            tickFormatter={formatBatchTick}
            stroke={CHART_COLORS.axis}
            fontSize={12}
          />
          <YAxis
            type="number"
            dataKey="y"
            domain={[0, yAxis.max]}
            allowDataOverflow
            ticks={yAxis.ticks}
            width={44}
            tickFormatter={(v: number) => v.toFixed(1)}
            stroke={CHART_COLORS.axis}
            fontSize={12}
          />
          {epochs.map((e) => (
            <ReferenceLine
              key={e.epoch}
              x={e.lastBatch + 0.5}
              stroke={CHART_COLORS.boundary}
              strokeDasharray="4 4"
              label={{
                value: `E${e.epoch}`,
                position: 'insideTopLeft',
                fill: CHART_COLORS.axis,
                fontSize: 11,
              }}
            />
          ))}
          <SeriesPath points={series.raw} stroke={CHART_COLORS.lossFaint} width={1} />
          <SeriesPath points={series.smoothed} stroke={CHART_COLORS.loss} width={2} />
          <SeriesDots points={testPoints} fill={CHART_COLORS.test} />
        </ComposedChart>
      </ResponsiveContainer>
      {empty && (
        <p className="chart-empty">
          Press Train: the loss of every batch appears here as it trains, with a smoothed line, the epoch
          boundaries and the test loss after each epoch.
        </p>
      )}
    </div>
  );
});
